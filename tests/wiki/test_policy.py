"""The one access policy, for every visibility and persona, at the function and over HTTP."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from wiki.access.policy import Action, can
from wiki.documents.service import Grant, create_document
from wiki.extensions import db
from wiki.people.directory import find_organisation, find_person
from wiki.storage.models import Level

PERSONAS = {
    "anonymous": None,
    "other_org_member": "treasury@example.org",
    "owner_org_member": "gov@example.org",
    "shared_view": "cso@example.org",  # via a view grant to Open Data Charity
    "shared_edit": "watch@example.org",  # via an edit grant to this person
    "reviewer": "reviewer@example.org",  # Transparency Watch, not shared with
    "coordinator": "coordinator@example.org",  # runs the process, owns nothing
    "admin": "admin@example.org",  # runs the instance, owns nothing
}

# Expected (view, comment, edit, manage, audit) by visibility and persona: Action's order.
EXPECTED = {
    "public": {
        "anonymous": (1, 0, 0, 0, 0),
        "other_org_member": (1, 1, 0, 0, 0),
        "owner_org_member": (1, 1, 1, 1, 1),
        "shared_view": (1, 1, 0, 0, 0),
        "shared_edit": (1, 1, 1, 0, 0),
        "reviewer": (1, 1, 0, 0, 0),
        "coordinator": (1, 1, 0, 1, 1),
        "admin": (1, 1, 0, 0, 0),
    },
    "network": {
        "anonymous": (0, 0, 0, 0, 0),
        "other_org_member": (1, 1, 0, 0, 0),
        "owner_org_member": (1, 1, 1, 1, 1),
        "shared_view": (1, 1, 0, 0, 0),
        "shared_edit": (1, 1, 1, 0, 0),
        "reviewer": (1, 1, 0, 0, 0),
        "coordinator": (1, 1, 0, 1, 1),
        "admin": (1, 1, 0, 0, 0),
    },
    "restricted": {
        "anonymous": (0, 0, 0, 0, 0),
        "other_org_member": (0, 0, 0, 0, 0),
        "owner_org_member": (1, 1, 1, 1, 1),
        "shared_view": (1, 0, 0, 0, 1),
        "shared_edit": (1, 1, 1, 0, 1),
        "reviewer": (0, 0, 0, 0, 0),
        "coordinator": (0, 0, 0, 0, 0),
        "admin": (0, 0, 0, 0, 0),
    },
    "private": {
        "anonymous": (0, 0, 0, 0, 0),
        "other_org_member": (0, 0, 0, 0, 0),
        "owner_org_member": (1, 1, 1, 1, 1),
        "shared_view": (0, 0, 0, 0, 0),
        "shared_edit": (0, 0, 0, 0, 0),
        "reviewer": (0, 0, 0, 0, 0),
        "coordinator": (0, 0, 0, 0, 0),
        "admin": (0, 0, 0, 0, 0),
    },
}


def without_token(page: str) -> str:
    """The page with its CSRF token blanked: tokens carry a timestamp, not a document."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', page)


def make_document(visibility: str) -> str:
    """A document of Cabinet Office with a view grant to a CSO and an edit grant to a person."""
    owner = find_organisation("Cabinet Office")
    charity = find_organisation("Open Data Charity")
    watcher = find_person("watch@example.org")
    assert owner and charity and watcher
    grants = [Grant(charity, None, Level.VIEW), Grant(None, watcher, Level.EDIT)]
    slug = f"doc-{visibility}"
    create_document(
        slug, f"A {visibility} draft", "narrative", owner, visibility, grants, max_chars=10_000
    )
    db.session.commit()
    return slug


@pytest.mark.parametrize("visibility", list(EXPECTED))
def test_policy_matrix_for_every_persona(app: Flask, visibility: str) -> None:
    with app.app_context():
        slug = make_document(visibility)
        from wiki.documents.service import find_document

        doc = find_document(slug)
        assert doc is not None
        for persona, email in PERSONAS.items():
            person = find_person(email) if email else None
            got = tuple(int(can(person, action, doc)) for action in Action)
            assert got == EXPECTED[visibility][persona], (visibility, persona)


@pytest.mark.parametrize("visibility", list(EXPECTED))
def test_hidden_documents_answer_404_like_missing_ones_on_every_page(
    app: Flask,
    as_person,
    visibility: str,  # type: ignore[no-untyped-def]
) -> None:
    with app.app_context():
        slug = make_document(visibility)
    for persona, email in PERSONAS.items():
        client = as_person(email) if email else None
        http = client.client if client else app.test_client()
        view, _comment, edit, manage, _audit = EXPECTED[visibility][persona]
        for suffix, allowed in (("", view), ("/raw", view), ("/edit", view), ("/sharing", manage)):
            response = http.get(f"/{slug}{suffix}")
            expected_status = 200 if allowed else 404
            assert response.status_code == expected_status, (visibility, persona, suffix)
            if not allowed:
                missing = http.get(f"/no-such-doc{suffix}").get_data(as_text=True)
                assert without_token(response.get_data(as_text=True)) == without_token(
                    missing.replace("no-such-doc", slug)
                ), (visibility, persona, suffix)
        if view and not edit and client is not None:
            refused = client.submit(f"/{slug}/edit", {"text": "# Overwritten", "base": 0})
            assert refused.status_code == 403, (visibility, persona)
            assert "but not edit it" in refused.get_data(as_text=True), (visibility, persona)


def test_listing_shows_only_what_the_person_may_see(app: Flask, as_person) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        for visibility in EXPECTED:
            make_document(visibility)
    anonymous = app.test_client().get("/").get_data(as_text=True)
    assert "A public draft" in anonymous
    assert "A network draft" not in anonymous
    reviewer = as_person("reviewer@example.org").get("/").get_data(as_text=True)
    assert "A network draft" in reviewer
    assert "A restricted draft" not in reviewer and "A private draft" not in reviewer
    shared = as_person("cso@example.org").get("/").get_data(as_text=True)
    assert "A restricted draft" in shared and "A private draft" not in shared


def test_reviewer_cannot_post_an_edit(app: Flask, as_person) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        slug = make_document("network")
    reviewer = as_person("reviewer@example.org")
    response = reviewer.submit(f"/{slug}/edit", {"text": "# Changed", "base": 0})
    assert response.status_code == 403
    assert "Changed" not in reviewer.get(f"/{slug}/raw").get_data(as_text=True)
