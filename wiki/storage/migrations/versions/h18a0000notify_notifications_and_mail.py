"""notifications, watched documents and the mail queue

Revision ID: h18a0000notify
Revises: g17a0000carry
Create Date: 2026-12-07 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import wiki.storage.models.types

# revision identifiers, used by Alembic.
revision = "h18a0000notify"
down_revision = "g17a0000carry"
branch_labels = None
depends_on = None

WHEN = wiki.storage.models.types.UTCDateTime(timezone=True)
KINDS = ("mention", "reply", "suggestion", "shared", "sign_off", "consent", "phase", "edited")


def fk(table, column, target, ondelete=None):
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"),
        ondelete=ondelete,
    )


def upgrade():
    op.create_table(
        "mail_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("immediate", "digest", name="mail_kind", native_enum=False),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "failed", "dropped", name="mail_status", native_enum=False),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        fk("mail_queue", "person_id", "people.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_queue")),
    )
    op.create_index(op.f("ix_mail_queue_person_id"), "mail_queue", ["person_id"])
    op.create_index(op.f("ix_mail_queue_status"), "mail_queue", ["status"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="notice_kind", native_enum=False), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(300), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("read_at", WHEN, nullable=True),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        fk("notifications", "person_id", "people.id", "CASCADE"),
        fk("notifications", "document_id", "documents.id", "CASCADE"),
        fk("notifications", "plan_id", "plans.id", "CASCADE"),
        fk("notifications", "comment_id", "comments.id", "CASCADE"),
        fk("notifications", "actor_id", "people.id", "SET NULL"),
        fk("notifications", "mail_id", "mail_queue.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    for column in ("person_id", "document_id", "mail_id"):
        op.create_index(op.f(f"ix_notifications_{column}"), "notifications", [column])
    op.create_table(
        "watches",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("seen_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        fk("watches", "person_id", "people.id", "CASCADE"),
        fk("watches", "document_id", "documents.id", "CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "document_id", name=op.f("pk_watches")),
    )
    op.create_index(op.f("ix_watches_document_id"), "watches", ["document_id"])
    op.create_table(
        "notify_settings",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("immediate", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("mailed_kinds", sa.JSON(), nullable=False),
        sa.Column("last_digest_at", WHEN, nullable=True),
        fk("notify_settings", "person_id", "people.id", "CASCADE"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_notify_settings")),
    )


def downgrade():
    op.drop_table("notify_settings")
    op.drop_index(op.f("ix_watches_document_id"), table_name="watches")
    op.drop_table("watches")
    for column in ("mail_id", "document_id", "person_id"):
        op.drop_index(op.f(f"ix_notifications_{column}"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_mail_queue_status"), table_name="mail_queue")
    op.drop_index(op.f("ix_mail_queue_person_id"), table_name="mail_queue")
    op.drop_table("mail_queue")
