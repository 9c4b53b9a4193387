"""Database engines: the request session's, and the rooms' own, with SQLite's settings."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Engine, create_engine, event

from wiki.extensions import db


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, synchronous=FULL, foreign keys and a busy timeout on every new connection."""
    if engine.dialect.name != "sqlite":
        return

    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    event.listen(engine, "connect", set_pragmas)


def rooms_engine(app: Flask) -> Engine:
    """A pool for the rooms' workers alone, on the app's database.

    A socket handler holds its request's connection while it waits for its room to store
    an update; were the room's worker to draw from the same pool, fifty such handlers
    would hold every connection and the worker would wait for one for ever.
    """
    with app.app_context():
        url = db.engine.url
    engine = create_engine(url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    return engine
