"""search index on PostgreSQL: a stored tsvector with a GIN index

Revision ID: d80f384294a6
Revises: f4c2abbcf173
Create Date: 2026-12-03 09:12:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d80f384294a6"
down_revision = "f4c2abbcf173"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite's search_index is an FTS5 table and needs nothing. On PostgreSQL a search
    # would otherwise build every document's tsvector again; wiki/fulltext.py matches this.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE search_index ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        "(to_tsvector('simple'::regconfig, title || ' ' || body)) STORED"
    )
    op.create_index(
        "ix_search_index_search_vector",
        "search_index",
        ["search_vector"],
        postgresql_using="gin",
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_search_index_search_vector", table_name="search_index")
    op.drop_column("search_index", "search_vector")
