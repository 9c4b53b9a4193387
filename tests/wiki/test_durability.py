"""Every connection the server stores through commits to disk before it answers."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine, text

from wiki.extensions import db
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
