"""comments and suggestions anchored to the text, and their replies

Revision ID: c14a0000comments
Revises: a7tt0000attr
Create Date: 2026-12-06 22:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

import wiki.storage.models.types

# revision identifiers, used by Alembic.
revision = "c14a0000comments"
down_revision = "a7tt0000attr"
branch_labels = None
depends_on = None

WHEN = wiki.storage.models.types.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("comment", "suggestion", name="comment_kind", native_enum=False),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("replacement", sa.Text(), nullable=True),
        sa.Column("quote_then", sa.Text(), nullable=False),
        sa.Column("anchor_start", sa.LargeBinary(), nullable=False),
        sa.Column("anchor_end", sa.LargeBinary(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "resolved", "accepted", "rejected", name="comment_status", native_enum=False
            ),
            nullable=False,
        ),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("accepted_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_comments_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_comments_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["people.id"], name=op.f("fk_comments_decided_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_comments_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index(op.f("ix_comments_document_id"), "comments", ["document_id"])
    op.create_table(
        "comment_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_replies_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_comment_replies_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_comment_replies_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_replies")),
    )
    op.create_index(
        op.f("ix_comment_replies_comment_id"), "comment_replies", ["comment_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_comment_replies_comment_id"), table_name="comment_replies")
    op.drop_table("comment_replies")
    op.drop_index(op.f("ix_comments_document_id"), table_name="comments")
    op.drop_table("comments")
