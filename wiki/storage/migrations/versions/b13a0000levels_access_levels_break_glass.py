"""access levels per grant, "every member may edit", the coordinator role, break-glass reads

Revision ID: b13a0000levels
Revises: d80f384294a6
Create Date: 2026-12-06 21:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b13a0000levels"
down_revision = "d80f384294a6"
branch_labels = None
depends_on = None

ROLE = sa.Enum("admin", "coordinator", "editor", "reviewer", name="role", native_enum=False)
OLD_ROLE = sa.Enum("admin", "editor", "reviewer", name="role", native_enum=False)
LEVEL = sa.Enum("view", "comment", "edit", name="share_level", native_enum=False)


def upgrade():
    # Columns are added in place, never by copying a table: on SQLite a batch copy drops the
    # old table, and with foreign keys on that deletes every row that cascades from it.
    op.add_column("shares", sa.Column("level", LEVEL, nullable=False, server_default="view"))
    op.execute("UPDATE shares SET level = 'edit' WHERE can_edit")
    op.drop_column("shares", "can_edit")
    op.add_column(
        "documents",
        sa.Column("members_edit", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    if op.get_bind().dialect.name == "postgresql":  # SQLite does not hold strings to a length
        op.alter_column("people", "role", type_=ROLE, existing_type=OLD_ROLE)
    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_break_glass_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_break_glass_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass")),
    )
    op.create_index(op.f("ix_break_glass_document_id"), "break_glass", ["document_id"])


def downgrade():
    op.drop_index(op.f("ix_break_glass_document_id"), table_name="break_glass")
    op.drop_table("break_glass")
    op.execute("UPDATE people SET role = 'admin' WHERE role = 'coordinator'")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("people", "role", type_=OLD_ROLE, existing_type=ROLE)
    op.drop_column("documents", "members_edit")
    op.add_column(
        "shares", sa.Column("can_edit", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.execute("UPDATE shares SET can_edit = (level = 'edit')")
    op.drop_column("shares", "level")
