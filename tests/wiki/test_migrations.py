"""Upgrading a database that holds data keeps every row, and turns old grants into levels."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from tests.wiki.conftest import make_app
from wiki.extensions import db

BEFORE_LEVELS = "d80f384294a6"
ROWS = [
    "INSERT INTO organisations (id, name, kind, created_at) VALUES "
    "(1, 'Cabinet Office', 'government', '2026-01-01'), "
    "(2, 'Open Data Charity', 'civil_society', '2026-01-01'), "
    "(3, 'Treasury', 'government', '2026-01-01')",
    "INSERT INTO people (id, email, name, organisation_id, role, password_hash, active, "
    "created_at) VALUES (1, 'ada@example.org', 'Ada', 1, 'admin', 'x', TRUE, '2026-01-01')",
    "INSERT INTO login_sessions (id, person_id, created_at) VALUES ('s1', 1, '2026-01-01')",
    "INSERT INTO documents (id, slug, title, kind, owner_id, visibility, created_at, "
    "updated_at) VALUES (1, 'draft', 'Draft', 'page', 1, 'restricted', '2026-01-01', "
    "'2026-01-01')",
    "INSERT INTO shares (document_id, organisation_id, person_id, can_edit) VALUES "
    "(1, 2, NULL, TRUE), (1, 3, NULL, FALSE)",
]


def test_upgrading_keeps_rows_and_makes_old_grants_levels(
    tmp_path: Path, database_url: str
) -> None:
    app = make_app(tmp_path, database_url)
    with app.app_context():
        upgrade(revision=BEFORE_LEVELS)
        for statement in ROWS:
            db.session.execute(text(statement))
        db.session.commit()
        upgrade()
        shares = db.session.execute(
            text("SELECT organisation_id, level FROM shares ORDER BY organisation_id")
        ).all()
        assert [tuple(row) for row in shares] == [(2, "edit"), (3, "view")]
        # Nothing that hangs off a document or a person went with a copied table.
        assert db.session.execute(text("SELECT count(*) FROM login_sessions")).scalar() == 1
        assert db.session.execute(text("SELECT members_edit FROM documents")).scalar() in (
            False,
            0,
        )
        db.session.execute(text("UPDATE people SET role = 'coordinator' WHERE id = 1"))
        db.session.commit()
        db.engine.dispose()
