"""The live editor's preview renders only for people who may edit, and only so often."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import make_document

TEXT = {"text": "Some *emphasis*"}
RENDERED = "<p>Some <em>emphasis</em></p>"
# A script nonce is new on every page; a CSRF token carries the second it was signed in.
VOLATILE = re.compile(r'nonce="[^"]*"|name="csrf_token" value="[^"]*"')


def preview(person: Browser, slug: str, data: dict[str, str] = TEXT) -> Any:
    """Post ``data`` to ``slug``'s preview with a CSRF token from a page the person can see."""
    form_page = "/login" if person.get("/login").status_code == 200 else "/"
    return person.submit(form_page, data, action=f"/{slug}/preview")


def same_page(one: str, other: str) -> bool:
    """Whether two pages are the same but for their script nonces and CSRF tokens."""
    return VOLATILE.sub("", one) == VOLATILE.sub("", other)


def test_preview_renders_only_for_people_who_may_edit(app: Flask, as_person: Any) -> None:
    make_document(
        app, "plan", "Cabinet Office", "network", grants=[("Open Data Charity", None, "edit")]
    )
    make_document(app, "draft", "Cabinet Office", "restricted", grants=[("Treasury", None, "view")])
    for email in ("gov@example.org", "cso@example.org"):
        response = preview(as_person(email), "plan")
        assert response.status_code == 200, email
        assert RENDERED in response.get_data(as_text=True)
    assert preview(as_person("gov@example.org"), "draft").status_code == 200

    anonymous = Browser(app.test_client())
    reviewer = as_person("reviewer@example.org")  # may read the plan, not change it
    treasury = as_person("treasury@example.org")  # may read both, change neither
    admin = as_person("admin@example.org")  # may read the plan, not change it
    cso = as_person("cso@example.org")  # may not see the draft at all
    for person, slug in (
        (reviewer, "plan"),
        (treasury, "plan"),
        (treasury, "draft"),
        (admin, "plan"),
    ):
        assert preview(person, slug).status_code == 403, slug
    for person, slug in ((anonymous, "plan"), (anonymous, "draft"), (cso, "draft")):
        response, missing = preview(person, slug), preview(person, "no-such-draft")
        assert response.status_code == missing.status_code == 404, slug
        # The sign-in link names the requested path, whichever it was.
        page = response.get_data(as_text=True).replace(f"/{slug}/", "/no-such-draft/")
        assert same_page(page, missing.get_data(as_text=True))


def test_preview_of_text_over_the_document_limit_gets_413(app: Flask, as_person: Any) -> None:
    make_document(app, "plan", "Cabinet Office", "network")
    app.config["MAX_DOCUMENT_CHARS"] = 100
    gov = as_person("gov@example.org")
    assert preview(gov, "plan", {"text": "x" * 100}).status_code == 200
    assert preview(gov, "plan", {"text": "x" * 101}).status_code == 413


def test_preview_past_the_rate_limit_gets_429_for_that_person_only(
    app: Flask, as_person: Any
) -> None:
    make_document(
        app, "plan", "Cabinet Office", "network", grants=[("Open Data Charity", None, "edit")]
    )
    app.config["PREVIEW_RATE_LIMIT"] = "3 per minute"
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    assert [preview(gov, "plan").status_code for _ in range(4)] == [200, 200, 200, 429]
    # The same address, another person: a whole office may share one.
    assert preview(cso, "plan").status_code == 200


def test_editor_page_names_the_preview_only_for_people_who_may_edit(
    app: Flask, as_person: Any
) -> None:
    make_document(app, "plan", "Cabinet Office", "network")
    editor_page = as_person("gov@example.org").get("/plan/edit").get_data(as_text=True)
    assert 'data-preview-url="/plan/preview"' in editor_page
    viewer_page = as_person("reviewer@example.org").get("/plan/edit").get_data(as_text=True)
    assert "data-preview-url" not in viewer_page
