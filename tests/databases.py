"""The database every test that touches one runs on: a SQLite file, or a fresh PostgreSQL one.

``JOINTLY_TEST_DATABASE`` chooses, ``sqlite`` (the default) or ``postgresql``. On
PostgreSQL each :func:`fresh_database` is a new, empty database created from the
maintenance connection ``JOINTLY_TEST_POSTGRES`` (a libpq URL, by default the local
server's ``postgres`` database as user ``postgres``) and dropped afterwards, whoever is
still connected. A PostgreSQL that cannot be reached fails the test; it never skips it.
The Redis the tests use is named here too.
"""

from __future__ import annotations

import os
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
