"""Database engines: the request session's, and the rooms' own, with SQLite's settings."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Engine, create_engine, event

from wiki.extensions import db


def configure_durability(engine: Engine, busy_timeout_ms: int) -> None:
    """Settings on every new connection so that a commit is on disk before anyone is told.

    SQLite: WAL, synchronous=FULL, foreign keys and a busy timeout. PostgreSQL:
    synchronous_commit=on, whatever the server's default.
    """
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_settings)
    elif engine.dialect.name == "sqlite":

        def sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.close()

        event.listen(engine, "connect", sqlite_settings)


def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")
    dbapi_connection.commit()  # psycopg opened a transaction for the SET


def rooms_engine(app: Flask) -> Engine:
    """A pool for the rooms' workers alone, on the app's database.

    A socket handler holds its request's connection while it waits for its room to store
    an update; were the room's worker to draw from the same pool, fifty such handlers
    would hold every connection and the worker would wait for one for ever.
    """
    with app.app_context():
        url = db.engine.url
    engine = create_engine(url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    configure_durability(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    return engine
