"""restores on the update log; attribution checkpoints in format 2

Revision ID: a7tt0000attr
Revises: b13a0000levels
Create Date: 2026-12-04 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7tt0000attr"
down_revision = "b13a0000levels"
branch_labels = None
depends_on = None


def upgrade():
    # Which revision an update restores, so attribution can give restored text back to its
    # authors when it replays the log.
    with op.batch_alter_table("update_log") as batch:
        batch.add_column(sa.Column("restores_revision", sa.Integer(), nullable=True))
    # Attribution checkpoints are derived from the log, and format 1 lacks what moves and
    # restores add: the attributor replays the log and stores them anew.
    op.execute("DELETE FROM attribution_checkpoints")


def downgrade():
    with op.batch_alter_table("update_log") as batch:
        batch.drop_column("restores_revision")
    op.execute("DELETE FROM attribution_checkpoints")
