"""progress updates on milestones: the running record of a plan in implementation

Revision ID: f16a0000progress
Revises: e15a0000plans
Create Date: 2026-12-07 02:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import wiki.storage.models.types

# revision identifiers, used by Alembic.
revision = "f16a0000progress"
down_revision = "e15a0000plans"
branch_labels = None
depends_on = None

WHEN = wiki.storage.models.types.UTCDateTime(timezone=True)
STATUSES = ("not_started", "on_track", "delayed", "complete")


def upgrade():
    op.create_table(
        "progress_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(20), nullable=False),
        sa.Column(
            "status", sa.Enum(*STATUSES, name="progress_status", native_enum=False), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestones.id"],
            name=op.f("fk_progress_updates_milestone_id_milestones"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_progress_updates_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_progress_updates_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_updates")),
    )
    op.create_index(
        op.f("ix_progress_updates_milestone_id"), "progress_updates", ["milestone_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_progress_updates_milestone_id"), table_name="progress_updates")
    op.drop_table("progress_updates")
