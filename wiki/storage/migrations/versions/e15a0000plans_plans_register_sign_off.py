"""plans, the commitment register, consents to late commitments, sign-offs and re-openings

Revision ID: e15a0000plans
Revises: c14a0000comments
Create Date: 2026-12-07 01:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import wiki.storage.models.types

# revision identifiers, used by Alembic.
revision = "e15a0000plans"
down_revision = "c14a0000comments"
branch_labels = None
depends_on = None

WHEN = wiki.storage.models.types.UTCDateTime(timezone=True)
PHASES = ("drafting", "consultation", "cut-off", "sign-off", "published", "implementation")
STATUSES = ("proposed", "negotiating", "agreed", "signed_off", "annex", "withdrawn")


def fk(table, column, target, cascade=False):
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"),
        ondelete="CASCADE" if cascade else None,
    )


def upgrade():
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("government_lead_id", sa.Integer(), nullable=False),
        sa.Column("civil_society_lead_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.Enum(*PHASES, name="plan_phase", native_enum=False), nullable=False),
        sa.Column("phase_changed_at", WHEN, nullable=False),
        sa.Column("template_text", sa.Text(), nullable=False),
        sa.Column("template_fields", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        fk("plans", "government_lead_id", "organisations.id"),
        fk("plans", "civil_society_lead_id", "organisations.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("slug", name=op.f("uq_plans_slug")),
    )
    # Added in place: a batch copy of ``documents`` would cascade away its rows on SQLite.
    op.add_column("documents", sa.Column("plan_id", sa.Integer(), nullable=True))
    op.add_column(
        "documents",
        sa.Column("awaiting_consent", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("documents", sa.Column("signed_off_at", WHEN, nullable=True))
    op.create_index(op.f("ix_documents_plan_id"), "documents", ["plan_id"])
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot add a constraint in place
        op.create_foreign_key(
            op.f("fk_documents_plan_id_plans"), "documents", "plans", ["plan_id"], ["id"]
        )
    op.create_table(
        "commitments",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("proposer_organisation_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", WHEN, nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="commitment_status", native_enum=False),
            nullable=False,
        ),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        fk("commitments", "document_id", "documents.id", cascade=True),
        fk("commitments", "lead_id", "organisations.id"),
        fk("commitments", "proposer_id", "people.id"),
        fk("commitments", "proposer_organisation_id", "organisations.id"),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_commitments")),
    )
    op.create_table(
        "commitment_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        fk("commitment_partners", "document_id", "commitments.document_id", cascade=True),
        fk("commitment_partners", "organisation_id", "organisations.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_partners")),
        sa.UniqueConstraint(
            "document_id",
            "organisation_id",
            name=op.f("uq_commitment_partners_document_id"),
        ),
    )
    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        fk("milestones", "document_id", "commitments.document_id", cascade=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
    )
    op.create_index(op.f("ix_milestones_document_id"), "milestones", ["document_id"])
    for table in ("consents", "sign_offs"):
        extra = (
            [
                sa.Column("revision", sa.Integer(), nullable=False),
                sa.Column("seq", sa.Integer(), nullable=False),
                sa.Column("sha256", sa.String(64), nullable=False),
            ]
            if table == "sign_offs"
            else []
        )
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("document_id", sa.Integer(), nullable=False),
            sa.Column("organisation_id", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            *extra,
            sa.Column("at", WHEN, nullable=False),
            fk(table, "document_id", "documents.id", cascade=True),
            fk(table, "organisation_id", "organisations.id"),
            fk(table, "person_id", "people.id"),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint(
                "document_id",
                "organisation_id",
                name=op.f(f"uq_{table}_document_id"),
            ),
        )
        op.create_index(op.f(f"ix_{table}_document_id"), table, ["document_id"])
    op.create_table(
        "reopenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("cleared", sa.JSON(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        fk("reopenings", "document_id", "documents.id", cascade=True),
        fk("reopenings", "person_id", "people.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reopenings")),
    )
    op.create_index(op.f("ix_reopenings_document_id"), "reopenings", ["document_id"])


def downgrade():
    for table in ("reopenings", "sign_offs", "consents"):
        op.drop_index(op.f(f"ix_{table}_document_id"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_milestones_document_id"), table_name="milestones")
    op.drop_table("milestones")
    op.drop_table("commitment_partners")
    op.drop_table("commitments")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_documents_plan_id_plans"), "documents", type_="foreignkey")
    op.drop_index(op.f("ix_documents_plan_id"), table_name="documents")
    for column in ("signed_off_at", "awaiting_consent", "plan_id"):
        op.drop_column("documents", column)
    op.drop_table("plans")
