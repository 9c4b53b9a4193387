"""document housekeeping: former addresses, archiving and deletion

Revision ID: i20a0000housekeeping
Revises: h18a0000notify
Create Date: 2026-12-07 04:00:00.000000

"""

# revision identifiers, used by Alembic.
revision = "i20a0000housekeeping"
down_revision = "h18a0000notify"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
