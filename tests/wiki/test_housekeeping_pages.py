"""The attribution page in formatted text and plain words, the read page's one title, and
the housekeeping migration."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from tests.wiki.conftest import Browser, make_app
from tests.wiki.history_helpers import make_document, write
from wiki.extensions import db

AsPerson = Callable[[str], Browser]
GOV, CSO = "gov@example.org", "cso@example.org"
TEXT = (
    "# Open contracting\n\n## Why this plan\n\nThe department publishes **every** contract.\n\n"
    "- one\n- two\n"
)


def test_attribution_shows_each_paragraph_formatted_in_plain_words_with_its_threads(
    app: Flask, as_person: AsPerson
) -> None:
    make_document(app, "plan", "Cabinet Office", "network", title="Open contracting")
    write(app, "plan", GOV, TEXT)
    gov, cso = as_person(GOV), as_person(CSO)
    said = {"quote": "publishes", "kind": "comment", "body": "Which ones?"}
    assert cso.submit("/plan/discussion/new", said).status_code == 302
    html = gov.get("/plan/attribution").get_data(as_text=True)
    assert "<h3>Why this plan</h3>" in html and "<strong>every</strong>" in html
    assert "<li>one</li>" in html
    assert "## Why" not in html and "**every**" not in html
    assert "set-up only" not in html
    threads = re.findall(
        r'class="paragraph-threads">Discussed in: <a href="([^"]+)">([^<]+)</a>', html
    )
    assert len(threads) == 1
    url, label = threads[0]
    assert (
        label.startswith("Comment ") and url == f"/plan/discussion?status=all#c{label.split()[1]}"
    )
    # The thread is on the paragraph its words are in, and on no other.
    items = re.split(r'<li id="p-', html)
    (holding,) = [item for item in items if "paragraph-threads" in item]
    assert "publishes" in holding


def test_text_written_by_the_operator_is_credited_to_the_documents_creation(
    app: Flask, as_person: AsPerson
) -> None:
    made = app.test_cli_runner().invoke(
        args=["create-doc", "notes", "--title", "Notes", "--kind", "page", "--org", "Treasury"],
        input="Set up by the operator.\n",
    )
    assert made.exit_code == 0, made.output
    html = as_person(GOV).get("/notes/attribution").get_data(as_text=True)
    assert "Written when the document was created." in html
    assert "set-up only" not in html


def test_the_read_page_shows_the_title_once(app: Flask, as_person: AsPerson) -> None:
    make_document(app, "plan", "Cabinet Office", "network", title="Open contracting")
    write(app, "plan", GOV, TEXT)
    page = as_person(GOV).get("/plan").get_data(as_text=True)
    assert page.count("Open contracting</h") == 1
    assert "<h1>Open contracting</h1>" in page and "<h3>Why this plan</h3>" in page
    # Another heading first is the text's own, and stays.
    write(app, "plan", GOV, "# Background\n\nText.\n")
    assert "<h2>Background</h2>" in as_person(GOV).get("/plan").get_data(as_text=True)


def test_the_housekeeping_migration_matches_the_models_and_keeps_documents(
    tmp_path: Path, database_url: str
) -> None:
    app = make_app(tmp_path, database_url)
    with app.app_context():
        upgrade(revision="h18a0000notify")
        db.session.execute(
            text(
                "INSERT INTO organisations (id, name, kind, created_at) VALUES "
                "(1, 'Cabinet Office', 'government', '2026-01-01')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO documents (id, slug, title, kind, owner_id, visibility, "
                "members_edit, awaiting_consent, created_at, updated_at) VALUES (1, 'draft', "
                "'Draft', 'page', 1, 'network', FALSE, FALSE, '2026-01-01', '2026-01-01')"
            )
        )
        db.session.commit()
        upgrade()
        row = db.session.execute(text("SELECT slug, archived_at, deleted_at FROM documents"))
        assert [tuple(r) for r in row] == [("draft", None, None)]
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            diffs = [
                diff
                for diff in compare_metadata(context, db.metadata)
                if "former_slugs" in repr(diff)
                or "archived_at" in repr(diff)
                or "deleted_at" in repr(diff)
            ]
        assert diffs == []
        db.session.remove()
        db.engine.dispose()
