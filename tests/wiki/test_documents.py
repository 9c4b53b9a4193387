"""Creating documents: templates, and clear errors that change nothing on bad input."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.wiki.conftest import Browser
from wiki.extensions import db
from wiki.models import Document


def count_documents(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Document)) or 0


def new_document(person: Browser, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "title": "Open contracting",
        "slug": "open-contracting",
        "kind": "page",
        "visibility": "network",
        **fields,
    }
    return person.submit("/-/new", data)


def test_editor_creates_a_document_and_lands_on_its_editor(as_person) -> None:  # type: ignore[no-untyped-def]
    gov = as_person("gov@example.org")
    response = new_document(gov)
    assert response.status_code == 302
    assert response.headers["Location"] == "/open-contracting/edit"
    page = gov.get("/open-contracting").get_data(as_text=True)
    assert "<h1>Open contracting</h1>" in page
    assert "Cabinet Office" in page
    assert "Network: every signed-in member" in page


def test_commitment_starts_from_the_commitment_template(as_person) -> None:  # type: ignore[no-untyped-def]
    gov = as_person("gov@example.org")
    new_document(gov, kind="commitment", slug="commitment-4", title="Commitment 4")
    markdown = gov.get("/commitment-4/raw").get_data(as_text=True)
    for heading in (
        "Lead organisation",
        "Civil-society partners",
        "Problem addressed",
        "Main objective",
        "Ambition",
        "Relevance to open-government values",
        "Milestones",
        "Contacts",
    ):
        assert f"## {heading}" in markdown
    assert "| Milestone | Start date | End date |" in markdown


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"slug": "Not A Slug"}, "Use 1 to 80 lower-case letters"),
        ({"slug": "-dash-first"}, "Use 1 to 80 lower-case letters"),
        ({"slug": "login"}, "is used by Jointly itself"),
        ({"slug": ""}, "Enter an address for the document."),
        ({"title": ""}, "Enter a title."),
        ({"kind": "manifesto"}, "Not a valid choice"),
        ({"visibility": "everyone"}, "Not a valid choice"),
    ],
)
def test_invalid_new_document_gets_a_clear_error_and_changes_nothing(
    app: Flask,
    as_person,
    fields: dict[str, str],
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    gov = as_person("gov@example.org")
    before = count_documents(app)
    response = new_document(gov, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert message in page
    assert count_documents(app) == before


def test_duplicate_slug_is_refused_and_keeps_the_first_document(as_person, app: Flask) -> None:  # type: ignore[no-untyped-def]
    gov = as_person("gov@example.org")
    new_document(gov)
    response = new_document(gov, title="Someone else's page")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert count_documents(app) == 1
    assert "<h1>Open contracting</h1>" in gov.get("/open-contracting").get_data(as_text=True)


def test_oversized_edit_is_refused_and_the_text_is_unchanged(app: Flask, as_person) -> None:  # type: ignore[no-untyped-def]
    app.config["MAX_DOCUMENT_CHARS"] = 1000
    gov = as_person("gov@example.org")
    new_document(gov)
    before = gov.get("/open-contracting/raw").get_data(as_text=True)
    response = gov.submit("/open-contracting/edit", {"text": "x" * 1001, "base": 0})
    assert response.status_code == 400
    assert "the limit is 1,000" in response.get_data(as_text=True)
    assert gov.get("/open-contracting/raw").get_data(as_text=True) == before


def test_reviewers_cannot_create_documents(as_person, app: Flask) -> None:  # type: ignore[no-untyped-def]
    reviewer = as_person("reviewer@example.org")
    assert reviewer.get("/-/new").status_code == 404
    assert count_documents(app) == 0


def test_anonymous_people_are_sent_to_sign_in_to_create(app: Flask) -> None:
    response = app.test_client().get("/-/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_request_larger_than_the_limit_gets_413(app: Flask, as_person) -> None:  # type: ignore[no-untyped-def]
    gov = as_person("gov@example.org")
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = gov.client.post("/-/new", data={"title": big})
    assert response.status_code == 413
    assert "larger than this server accepts" in response.get_data(as_text=True)
