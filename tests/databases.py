"""The database every test that touches one runs on: a SQLite file, or a fresh PostgreSQL one.

``JOINTLY_TEST_DATABASE`` chooses, ``sqlite`` (the default) or ``postgresql``. On
PostgreSQL each :func:`fresh_database` is a new, empty database created from the
maintenance connection ``JOINTLY_TEST_POSTGRES`` (a libpq URL, by default the local
server's ``postgres`` database as user ``postgres``) and dropped afterwards, whoever is
still connected. A PostgreSQL that cannot be reached fails the test; it never skips it.
A :class:`Snapshot` starts each test from a database prepared once (migrated and seeded),
instead of running every migration for every test.
The Redis the tests use is named here too.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

REDIS_URL = os.environ.get("JOINTLY_TEST_REDIS", "redis://127.0.0.1:6379/0")
"""The Redis the tests use (``JOINTLY_TEST_REDIS``); a missing one fails them."""
DATABASE_SETTING = "JOINTLY_TEST_DATABASE"
POSTGRES_SETTING = "JOINTLY_TEST_POSTGRES"
KINDS = ("sqlite", "postgresql")
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECT_TIMEOUT_S = 5


def database_kind() -> str:
    """``sqlite`` or ``postgresql``, as ``JOINTLY_TEST_DATABASE`` says."""
    kind = os.environ.get(DATABASE_SETTING, "sqlite").strip().lower() or "sqlite"
    if kind not in KINDS:
        pytest.fail(f"{DATABASE_SETTING}={kind!r}: use one of {', '.join(KINDS)}")
    return kind


def postgres_admin_url() -> str:
    """The maintenance connection that creates and drops the tests' PostgreSQL databases."""
    return os.environ.get(POSTGRES_SETTING) or DEFAULT_POSTGRES_URL


@contextmanager
def fresh_database(folder: Path, name: str = "test") -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database, gone once the block ends."""
    if database_kind() == "sqlite":
        yield f"sqlite:///{folder / f'{name}.sqlite3'}"
        return
    with postgres_database() as url:
        yield url


class Snapshot:
    """A database prepared once (migrated and seeded) and handed to each test in that state.

    On SQLite each test gets a copy of the file. On PostgreSQL creating a database costs
    more than most tests, so the one database is put back in its prepared state before
    each test instead: other connections to it are ended, its rows deleted (tiny tables
    empty faster by DELETE than by TRUNCATE), the prepared rows copied back and every
    sequence set back where it stood.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._tables: list[str] = []  # referencing tables before the tables they reference
        self._rows: dict[str, bytes] = {}  # of the tables that have any, in COPY's binary form
        self._sequences: dict[str, int | None] = {}
        if database_kind() == "postgresql":
            self._take()

    @contextmanager
    def restored(self, folder: Path) -> Iterator[str]:
        """The URL of a database in the prepared state, for one test."""
        if database_kind() == "sqlite":
            copy = folder / "test.sqlite3"
            with sqlite3.connect(self._sqlite_path()) as source, sqlite3.connect(copy) as target:
                source.backup(target)
            yield f"sqlite:///{copy}"
            return
        self._restore()
        yield self.url

    def _sqlite_path(self) -> str:
        path = make_url(self.url).database
        assert path, self.url
        return path

    def _connect(self) -> psycopg.Connection:
        url = make_url(self.url).set(drivername="postgresql")
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def _take(self) -> None:
        with self._connect() as connection:
            references = list(connection.execute(REFERENCES_QUERY))
            tables = [table for (table,) in connection.execute(TABLES_QUERY)]
            self._tables = referencing_first(tables, references)
            for table in reversed(self._tables):
                name = sql.Identifier(table)
                if connection.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(name)).rowcount:
                    query = sql.SQL("COPY {} TO STDOUT (FORMAT BINARY)").format(name)
                    with connection.cursor().copy(query) as copy:
                        self._rows[table] = b"".join(bytes(block) for block in copy)
            self._sequences = dict(connection.execute(SEQUENCES_QUERY).fetchall())

    def _restore(self) -> None:
        with self._connect() as connection, connection.transaction():
            connection.execute(END_OTHER_CONNECTIONS, (make_url(self.url).database,))
            for table in self._tables:
                connection.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
            for table, rows in self._rows.items():
                query = sql.SQL("COPY {} FROM STDIN (FORMAT BINARY)").format(sql.Identifier(table))
                with connection.cursor().copy(query) as copy:
                    copy.write(rows)
            for name, last_value in self._sequences.items():
                connection.execute(
                    "SELECT setval(%s, %s, %s)", (name, last_value or 1, bool(last_value))
                )


def referencing_first(tables: list[str], references: list[tuple[str, str]]) -> list[str]:
    """``tables`` ordered so that each comes before every table it references."""
    ordered: list[str] = []
    placed: set[str] = set()

    def place(table: str) -> None:
        if table in placed:
            return
        placed.add(table)
        for referencing, referenced in references:
            if referenced == table and referencing != table:
                place(referencing)
        ordered.append(table)

    for table in tables:
        place(table)
    return ordered


TABLES_QUERY = (
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
    "AND tablename <> 'alembic_version' ORDER BY tablename"
)
REFERENCES_QUERY = (
    "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
    "WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
)
SEQUENCES_QUERY = (
    "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value "
    "FROM pg_sequences WHERE schemaname = 'public'"
)
END_OTHER_CONNECTIONS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = %s AND pid <> pg_backend_pid()"
)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database; its URL for psycopg 3; dropped (by force) after."""
    admin_url = postgres_admin_url()
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {_hide_password(admin_url)}: {error}\n"
            f"Start it, point {POSTGRES_SETTING} at a server where the user may create "
            f"databases, or run the SQLite pass alone ({DATABASE_SETTING}=sqlite).",
            pytrace=False,
        )
    name = f"jointly_test_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
            yield url.render_as_string(hide_password=False)
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _hide_password(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
