"""The discussion without JavaScript: plain forms to comment, reply, suggest and decide."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import make_document, page, text_of, text_only, write

AsPerson = Callable[[str], Browser]
GOV, CSO, TREASURY = "gov@example.org", "cso@example.org", "treasury@example.org"
TEXT = (
    "# Open contracting\n\n"
    "The department publishes every contract within 30 days.\n\n"
    "A second paragraph stays as it is.\n"
)


def words(html: str) -> str:
    return " ".join(text_only(html).split())


def plan(app: Flask) -> None:
    make_document(app, "plan", "Cabinet Office", "network", title="Plan")
    write(app, "plan", GOV, TEXT)


def thread_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="thread[^"]*" id="c(\d+)"', html)]


def test_each_paragraph_of_the_read_page_leads_to_a_comment_form(
    app: Flask, as_person: AsPerson
) -> None:
    plan(app)
    cso = as_person(CSO)
    read = page(cso, "/plan")
    links = re.findall(r'href="(/plan/discussion/new\?block=\d+)"', read)
    assert links == [
        "/plan/discussion/new?block=1",
        "/plan/discussion/new?block=2",
        "/plan/discussion/new?block=3",
    ]
    form = page(cso, links[1])
    assert "The department publishes every contract within 30 days.</textarea>" in form
    added = cso.submit(
        links[1],
        {
            "quote": "every contract within 30 days",
            "kind": "comment",
            "body": "Does this include **framework** agreements?",
        },
    )
    assert added.status_code == 302
    discussion = page(cso, added.headers["Location"])
    seen = words(discussion)
    assert "Chidi Cso, Open Data Charity (Civil society)" in seen
    assert "<strong>framework</strong>" in discussion  # Markdown, through the sanitiser
    assert "1 open thread" in words(page(as_person(GOV), "/plan"))
    # Someone who may only view sees the threads, but no form to add one.
    make_document(app, "draft", "Cabinet Office", "restricted", grants=[("Treasury", None, "view")])
    treasury = as_person(TREASURY)
    assert "discussion/new" not in page(treasury, "/draft")
    refused = treasury.submit(
        "/draft", {"quote": "x", "kind": "comment", "body": "x"}, action="/draft/discussion/new"
    )
    assert refused.status_code == 403


def test_reply_suggest_accept_and_resolve_through_plain_forms(
    app: Flask, as_person: AsPerson
) -> None:
    plan(app)
    cso, gov = as_person(CSO), as_person(GOV)
    cso.submit(
        "/plan/discussion/new?block=2",
        {
            "quote": "within 30 days",
            "kind": "suggestion",
            "replacement": "within 10 days",
            "body": "Faster.",
        },
    )
    (number,) = thread_ids(page(gov, "/plan/discussion"))
    base = f"/plan/discussion/{number}"
    assert (
        gov.submit("/plan/discussion", {"body": "Agreed."}, action=f"{base}/reply").status_code
        == 302
    )
    # The proposer may not accept their own suggestion: only editors decide.
    assert cso.submit("/plan/discussion", {}, action=f"{base}/accept").status_code == 403
    accepted = gov.submit("/plan/discussion", {}, action=f"{base}/accept")
    assert accepted.status_code == 302
    assert "within 10 days" in text_of(app, "plan")
    seen = words(page(gov, "/plan/discussion?status=all"))
    assert "Suggested by Chidi Cso, accepted by Gita Gov" in seen
    history = words(page(gov, "/plan/history"))
    assert "by Chidi Cso, Open Data Charity" in history  # the edit is the proposer's
    assert "Suggested by Chidi Cso, Open Data Charity; accepted by Gita Gov." in history
    assert "Agreed." in seen
    # A plain comment is resolved and re-opened by its author.
    cso.submit(
        "/plan/discussion/new?block=3",
        {"quote": "second paragraph", "kind": "comment", "body": "Fine."},
    )
    second = max(thread_ids(page(cso, "/plan/discussion")))
    cso.submit("/plan/discussion", {}, action=f"/plan/discussion/{second}/resolve")
    assert second not in thread_ids(page(cso, "/plan/discussion"))  # open ones only
    assert second in thread_ids(page(cso, "/plan/discussion?status=resolved"))


def test_filters_by_side_and_mine(app: Flask, as_person: AsPerson) -> None:
    plan(app)
    for email, quote in ((CSO, "every contract"), (GOV, "second paragraph")):
        as_person(email).submit(
            "/plan/discussion/new?block=2", {"quote": quote, "kind": "comment", "body": email}
        )
    cso = as_person(CSO)
    assert "cso@example.org" in words(page(cso, "/plan/discussion?side=civil_society"))
    assert "gov@example.org" not in words(page(cso, "/plan/discussion?side=civil_society"))
    mine = words(page(as_person(GOV), "/plan/discussion?mine=1"))
    assert "gov@example.org" in mine and "cso@example.org" not in mine


def test_an_export_may_carry_the_open_comments_as_an_annex(app: Flask, as_person: AsPerson) -> None:
    plan(app)
    cso = as_person(CSO)
    cso.submit(
        "/plan/discussion/new?block=2",
        {"quote": "every contract", "kind": "comment", "body": "Which contracts?"},
    )
    plain = cso.submit("/plan/discussion", {}, action="/plan/export.md").get_data(as_text=True)
    assert "Annex" not in plain
    annexed = cso.submit("/plan/discussion", {"comments": "1"}, action="/plan/export.md")
    body = annexed.get_data(as_text=True)
    assert "## Annex: open comments (1)" in body
    assert "Chidi Cso, Open Data Charity (Civil society)" in body
    assert "> every contract" in body and "Which contracts?" in body
    html = cso.submit("/plan/discussion", {"comments": "1"}, action="/plan/export.html")
    assert "Which contracts?" in html.get_data(as_text=True)
