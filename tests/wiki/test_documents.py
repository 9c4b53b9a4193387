"""Creating documents: templates, and clear errors that change nothing on bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import make_document
from wiki.documents.service import MAX_SLUG_CHARS, SLUG_PATTERN, find_document
from wiki.extensions import db
from wiki.storage.models import Document


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


def created(person: Browser, slug: str, title: str) -> tuple[int, str, str]:
    """Status, the address the new document got, and the notice its page shows, slug blanked."""
    response = new_document(person, slug=slug, title=title)
    location = response.headers.get("Location", "")
    got = re.fullmatch(r"/([a-z0-9-]+)/edit", location)
    assert got, (response.status_code, location, response.get_data(as_text=True))
    page = person.get(location).get_data(as_text=True)
    notice = re.search(r'<div class="notice" role="status">(.*?)</div>', page, re.DOTALL)
    assert notice
    return response.status_code, got.group(1), notice.group(1).replace(got.group(1), "SLUG")


def test_address_of_a_document_one_may_not_see_is_answered_as_a_free_one(
    app: Flask, as_person: Any
) -> None:
    make_document(app, "budget-draft", "Cabinet Office", "restricted", title="Budget draft")
    make_document(app, "private-plan", "Cabinet Office", "private", title="Private plan")
    treasury = as_person("treasury@example.org")  # the drafts are not shared with Treasury
    for hidden in ("budget-draft", "private-plan"):
        status, slug, notice = created(treasury, hidden, "Treasury notes")
        free_status, free_slug, free_notice = created(treasury, f"free-{hidden}", "Treasury notes")
        assert (status, notice) == (free_status, free_notice) == (302, free_notice)
        assert free_slug == f"free-{hidden}"
        # The address cannot be given twice: the new document gets it with a random suffix.
        assert re.fullmatch(rf"{hidden}-[a-z2-9]{{5}}", slug), slug
        assert "<h1>Treasury notes</h1>" in treasury.get(f"/{slug}").get_data(as_text=True)
        assert treasury.get(f"/{hidden}").status_code == 404
    with app.app_context():
        draft = find_document("budget-draft")
        assert draft is not None and draft.title == "Budget draft"
        assert draft.owner.name == "Cabinet Office"


def test_an_address_taken_so_long_gets_a_suffix_within_the_limit(
    app: Flask, as_person: Any
) -> None:
    long_slug = "a" * (MAX_SLUG_CHARS - 4) + "-bcd"
    make_document(app, long_slug, "Cabinet Office", "restricted")
    _status, slug, _notice = created(as_person("cso@example.org"), long_slug, "Mine")
    assert len(slug) <= MAX_SLUG_CHARS and SLUG_PATTERN.match(slug), slug
    assert slug.startswith("a" * 70) and slug != long_slug


@pytest.mark.parametrize(
    ("visibility", "email"),
    [
        ("network", "treasury@example.org"),
        ("restricted", "treasury@example.org"),  # shared with Treasury
        ("restricted", "gov@example.org"),  # the owner organisation
        ("private", "gov@example.org"),  # the owner organisation
    ],
)
def test_a_taken_address_one_may_see_is_refused_and_named(
    app: Flask, as_person: Any, visibility: str, email: str
) -> None:
    grants = [("Treasury", None, "view")] if visibility == "restricted" else []
    make_document(app, "open-contracting", "Cabinet Office", visibility, grants=grants)
    response = new_document(as_person(email), title="Someone else's page")
    assert response.status_code == 400
    assert "A document with the address “open-contracting” already exists." in (
        response.get_data(as_text=True)
    )
    assert count_documents(app) == 1


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
