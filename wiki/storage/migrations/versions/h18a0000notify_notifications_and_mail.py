"""notifications, watched documents and the mail queue

Revision ID: h18a0000notify
Revises: g17a0000carry
Create Date: 2026-12-07 04:00:00.000000

"""

# revision identifiers, used by Alembic.
revision = "h18a0000notify"
down_revision = "g17a0000carry"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
