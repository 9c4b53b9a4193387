"""Every connection the server stores through commits to disk before it answers."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Engine, event, text

from tests.wiki.history_helpers import GOV, make_document, write
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.history import service as history
from wiki.storage.database import rooms_engine


def durability(engine: Engine) -> dict[str, object]:
    """The settings a new connection of ``engine`` runs with."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            return {"synchronous_commit": conn.execute(text("SHOW synchronous_commit")).scalar()}
        return {
            "synchronous": conn.execute(text("PRAGMA synchronous")).scalar(),
            "journal_mode": conn.execute(text("PRAGMA journal_mode")).scalar(),
        }


def on_disk_settings(app: Flask) -> dict[str, object]:
    """What a connection that waits for the disk runs with, on the app's database."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            return {"synchronous_commit": "on"}
    return {"synchronous": 2, "journal_mode": "wal"}  # 2: FULL


def test_request_and_room_connections_commit_durably_whatever_the_server_default(
    app: Flask,
) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # A server (or database) set up to lose recent commits in a crash.
            with db.engine.begin() as conn:
                name = conn.execute(text("SELECT current_database()")).scalar()
                conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
            db.engine.dispose()
            expected: dict[str, object] = {"synchronous_commit": "on"}
        else:
            expected = {"synchronous": 2, "journal_mode": "wal"}  # 2: FULL
        rooms = rooms_engine(app)
        try:
            assert durability(db.engine) == expected
            assert durability(rooms) == expected
        finally:
            rooms.dispose()


def test_the_log_waits_for_the_disk_and_what_it_rebuilds_does_not(app: Flask) -> None:
    """Updates commit to disk before anyone hears of them; revisions, derived from the log
    after each stretch of typing, commit without stopping the rooms for the disk."""
    written: dict[str, set[Engine]] = {"update_log": set(), "revisions": set()}

    def spy(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        for table, engines in written.items():
            if statement.startswith(f"INSERT INTO {table} "):
                engines.add(conn.engine)

    make_document(app, "durable", "Cabinet Office")
    event.listen(Engine, "before_cursor_execute", spy)
    try:
        write(app, "durable", GOV, "A first paragraph.")
        with app.app_context():
            doc = find_document("durable")
            assert doc is not None
            assert history.latest_revision(doc) == 1
    finally:
        event.remove(Engine, "before_cursor_execute", spy)

    assert [durability(engine) for engine in written["update_log"]] == [on_disk_settings(app)]
    relaxed: dict[str, object] = (
        {"synchronous_commit": "off"}
        if "synchronous_commit" in on_disk_settings(app)
        else {"synchronous": 1, "journal_mode": "wal"}  # 1: NORMAL
    )
    assert [durability(engine) for engine in written["revisions"]] == [relaxed]
