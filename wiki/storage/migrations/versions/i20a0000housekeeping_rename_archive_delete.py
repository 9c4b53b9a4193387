"""document housekeeping: former addresses, archiving and deletion

A renamed document keeps its former addresses (``former_slugs``); a document can be
archived (read-only) or deleted (answers as missing, its log kept until purged).

Revision ID: i20a0000housekeeping
Revises: h18a0000notify
Create Date: 2026-12-07 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import wiki.storage.models.types

# revision identifiers, used by Alembic.
revision = "i20a0000housekeeping"
down_revision = "h18a0000notify"
branch_labels = None
depends_on = None

WHEN = wiki.storage.models.types.UTCDateTime(timezone=True)


def upgrade():
    op.add_column("documents", sa.Column("archived_at", WHEN, nullable=True))
    op.add_column("documents", sa.Column("deleted_at", WHEN, nullable=True))
    op.create_index(op.f("ix_documents_deleted_at"), "documents", ["deleted_at"])
    op.create_table(
        "former_slugs",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("renamed_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_former_slugs_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_former_slugs")),
    )
    op.create_index(op.f("ix_former_slugs_document_id"), "former_slugs", ["document_id"])


def downgrade():
    op.drop_index(op.f("ix_former_slugs_document_id"), table_name="former_slugs")
    op.drop_table("former_slugs")
    op.drop_index(op.f("ix_documents_deleted_at"), table_name="documents")
    op.drop_column("documents", "deleted_at")
    op.drop_column("documents", "archived_at")
