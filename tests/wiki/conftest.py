"""A fresh app, database and cast of people for every test."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.test import TestResponse

from tests.databases import Snapshot, fresh_database
from wiki import create_app
from wiki.documents.content import hub
from wiki.extensions import db
from wiki.people.directory import create_organisation, create_person

PASSWORD = "correct horse battery staple"
# Argon2 at its production cost takes most of a test's time; the algorithm is the same.
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024}
CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for this test, on SQLite or PostgreSQL (tests/databases.py)."""
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def cast_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snapshot]:
    """One database migrated and seeded with the cast, for every test's app to start from."""
    folder = tmp_path_factory.mktemp("cast")
    with fresh_database(folder, "cast") as url:
        app = make_app(folder, url)
        with app.app_context():
            upgrade()
            seed_cast()
            hub().close()
            db.engine.dispose()
        yield Snapshot(url)


@pytest.fixture
def app(tmp_path: Path, cast_snapshot: Snapshot) -> Iterator[Flask]:
    """A fresh app on a database just migrated and seeded with the cast."""
    with cast_snapshot.restored(tmp_path) as url:
        app = make_app(tmp_path, url)
        yield app
        with app.app_context():
            hub().close()
            db.engine.dispose()
    # Collect here, so a y-py object left to be dropped off its thread fails this test.
    gc.collect()


def make_app(folder: Path, database_url: str) -> Flask:
    """The app as the tests configure it, over ``database_url``."""
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LOGIN_RATE_LIMIT": "1000 per minute",
            **FAST_HASHING,
        }
    )


def seed_cast() -> None:
    """Two governments departments, two CSOs, and one person of each role that matters."""
    create_organisation("Cabinet Office", "government")
    create_organisation("Treasury", "government")
    create_organisation("Open Data Charity", "civil_society")
    create_organisation("Transparency Watch", "civil_society")
    create_organisation("Forum Secretariat", "other")
    for email, name, org, role in CAST:
        create_person(email, name, org, role, PASSWORD)
    db.session.commit()


CAST = [
    ("admin@example.org", "Ada Admin", "Forum Secretariat", "admin"),
    ("gov@example.org", "Gita Gov", "Cabinet Office", "editor"),
    ("treasury@example.org", "Tom Treasury", "Treasury", "editor"),
    ("cso@example.org", "Chidi Cso", "Open Data Charity", "editor"),
    ("watch@example.org", "Wen Watch", "Transparency Watch", "editor"),
    ("reviewer@example.org", "Rui Reviewer", "Transparency Watch", "reviewer"),
    ("coordinator@example.org", "Cora Coordinator", "Forum Secretariat", "coordinator"),
]


@dataclass
class Browser:
    """A test client that signs in and fills forms the way a person does, CSRF token included."""

    client: FlaskClient

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def token(self, url: str) -> str:
        """The CSRF token of the form on the page at ``url``."""
        page = self.client.get(url).get_data(as_text=True)
        match = CSRF_PATTERN.search(page)
        assert match, f"no CSRF token on {url}"
        return match.group(1) or match.group(2)

    def submit(
        self, form_url: str, data: dict[str, Any], action: str | None = None, **kwargs: Any
    ) -> TestResponse:
        """Post ``data`` to ``action`` (default the form's own URL) with the form's token."""
        payload = {"csrf_token": self.token(form_url), **data}
        return self.client.post(action or form_url, data=payload, **kwargs)

    def login(self, email: str, password: str = PASSWORD) -> TestResponse:
        return self.submit("/login", {"email": email, "password": password})

    def logout(self) -> TestResponse:
        return self.submit("/", {}, action="/logout")


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def as_person(app: Flask):  # type: ignore[no-untyped-def]
    """A factory: ``as_person(email)`` gives a Browser signed in as that person."""

    def make(email: str) -> Browser:
        signed_in = Browser(app.test_client())
        response = signed_in.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return signed_in

    return make
