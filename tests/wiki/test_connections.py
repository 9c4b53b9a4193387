"""Rooms store updates on a pool of their own, so waiting handlers cannot starve them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, text

from tests.wiki.conftest import FAST_HASHING, seed_cast
from wiki import create_app
from wiki.documents import content
from wiki.documents.service import create_document
from wiki.extensions import db
from wiki.people.directory import find_organisation
from wiki.storage.models import Person


@pytest.fixture
def one_connection_app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    """An app whose request pool holds a single connection and gives up after a second."""
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_timeout": 1},
            **FAST_HASHING,
        }
    )
    with app.app_context():
        upgrade()
        seed_cast()
        db.session.remove()
    yield app
    with app.app_context():
        content.hub().close()
        db.engine.dispose()


def test_an_edit_is_stored_while_its_handler_holds_the_only_request_connection(
    one_connection_app: Flask,
) -> None:
    # As a socket handler does: it read the document and the person, keeps the session's
    # connection, and waits for the room to store the update.
    with one_connection_app.app_context():
        owner = find_organisation("Cabinet Office")
        assert owner is not None
        doc = create_document("plan", "Plan", "page", owner, "network", [], max_chars=10_000)
        db.session.commit()
        person = db.session.scalars(select(Person).where(Person.email == "gov@example.org")).one()
        db.session.execute(text("SELECT 1"))  # the session now holds the pool's one connection
        seq = content.edit_text(doc, person, person.organisation, 0, "We will publish.\n")
        assert seq == 1
        assert content.read_text(doc) == ("We will publish.\n", 1)
