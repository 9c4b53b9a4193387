"""Database engines: the request session's, and the rooms' own, with SQLite's settings."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Engine, create_engine, event

from wiki.extensions import db


def configure_durability(engine: Engine, busy_timeout_ms: int, *, on_disk: bool = True) -> None:
    """Settings on every new connection so that a commit is on disk before anyone is told.

    SQLite: WAL, synchronous=FULL, foreign keys and a busy timeout. PostgreSQL:
    synchronous_commit=on, whatever the server's default. With ``on_disk`` false, for
    what the log can rebuild, a commit does not wait for the disk: SQLite synchronous=NORMAL
    (the next commit that waits takes it along), PostgreSQL synchronous_commit=off.
    """
    if engine.dialect.name == "postgresql":
        event.listen(
            engine, "connect", _postgresql_settings if on_disk else _postgresql_derived_settings
        )
    elif engine.dialect.name == "sqlite":
        synchronous = "FULL" if on_disk else "NORMAL"

        def sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.close()

        event.listen(engine, "connect", sqlite_settings)


def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
    _postgresql_synchronous(dbapi_connection, "on")


def _postgresql_derived_settings(dbapi_connection: Any, _record: Any) -> None:
    _postgresql_synchronous(dbapi_connection, "off")


def _postgresql_synchronous(dbapi_connection: Any, value: str) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET synchronous_commit TO {value}")
    dbapi_connection.commit()  # psycopg opened a transaction for the SET


def rooms_engine(app: Flask, *, on_disk: bool = True) -> Engine:
    """A pool for the rooms' workers alone, on the app's database.

    A socket handler holds its request's connection while it waits for its room to store
    an update; were the room's worker to draw from the same pool, fifty such handlers
    would hold every connection and the worker would wait for one for ever. ``on_disk``:
    see ``configure_durability``.
    """
    with app.app_context():
        url = db.engine.url
    engine = create_engine(url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    configure_durability(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], on_disk=on_disk)
    return engine
