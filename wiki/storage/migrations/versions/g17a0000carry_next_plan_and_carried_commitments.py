"""the next plan from this one: a link to the previous plan; commitments carried over

A plan links to the plan it was started from; a commitment is marked to carry over, and a
carried one links to the commitment it continues.

Revision ID: g17a0000carry
Revises: f16a0000progress
Create Date: 2026-12-07 02:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "g17a0000carry"
down_revision = "f16a0000progress"
branch_labels = None
depends_on = None


def upgrade():
    # Added in place; SQLite cannot add a constraint to an existing table without a copy.
    op.add_column("plans", sa.Column("previous_id", sa.Integer(), nullable=True))
    op.add_column(
        "commitments",
        sa.Column("carry_over", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("commitments", sa.Column("carried_from_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(
            op.f("fk_plans_previous_id_plans"), "plans", "plans", ["previous_id"], ["id"]
        )
        op.create_foreign_key(
            op.f("fk_commitments_carried_from_id_documents"),
            "commitments",
            "documents",
            ["carried_from_id"],
            ["id"],
        )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(
            op.f("fk_commitments_carried_from_id_documents"), "commitments", type_="foreignkey"
        )
        op.drop_constraint(op.f("fk_plans_previous_id_plans"), "plans", type_="foreignkey")
    op.drop_column("commitments", "carried_from_id")
    op.drop_column("commitments", "carry_over")
    op.drop_column("plans", "previous_id")
