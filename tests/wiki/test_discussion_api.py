"""The comments API: its JSON contract, its refusals, and anchors that follow the text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import json_of, make_document, text_of, write

AsPerson = Callable[[str], Browser]
GOV, CSO, TREASURY, WATCH = (
    "gov@example.org",
    "cso@example.org",
    "treasury@example.org",
    "watch@example.org",
)
SENTENCE = "The department publishes every contract within 30 days."
TEXT = f"# Open contracting\n\n{SENTENCE}\n\nA second paragraph stays as it is.\n"
API = "/api/docs/plan/comments"


def post(person: Browser, url: str, data: dict[str, Any], token: bool = True) -> TestResponse:
    """A JSON write as the live editor sends it: the cookie and the page's CSRF token."""
    headers = {"X-CSRFToken": person.token("/plan")} if token else {}
    return person.client.post(url, json=data, headers=headers)


def plan(app: Flask) -> None:
    make_document(app, "plan", "Cabinet Office", "network", title="Plan")
    write(app, "plan", GOV, TEXT)


def comments(person: Browser) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json_of(person, API)["comments"]
    return found


def test_a_member_comments_on_words_and_everyone_who_may_see_reads_it(
    app: Flask, as_person: AsPerson
) -> None:
    plan(app)
    cso = as_person(CSO)
    made = post(cso, API, {"quote": "every contract", "occurrence": 1, "body": "Why *every*?"})
    assert made.status_code == 201
    (comment,) = comments(as_person(TREASURY))
    assert comment["id"] == made.get_json()["id"]
    assert {key: comment[key] for key in ("kind", "quote", "quote_then", "body", "status")} == {
        "kind": "comment",
        "quote": "every contract",
        "quote_then": "every contract",
        "body": "Why *every*?",
        "status": "open",
    }
    assert comment["replacement"] is None and comment["stale"] is False
    assert comment["author"] == {
        "name": "Chidi Cso",
        "organisation": "Open Data Charity",
        "kind": "civil_society",
    }
    assert comment["created"].startswith("20") and comment["replies"] == []
    # The anchor follows the words through an edit before and one inside them.
    write(app, "plan", GOV, "# Open contracting\n\nNew first line.\n\n" + TEXT.split("\n\n", 1)[1])
    write(app, "plan", GOV, text_of(app, "plan").replace("every contract", "every signed contract"))
    (moved,) = comments(cso)
    assert moved["quote"] == "every signed contract" and moved["stale"] is True


def test_refusals_say_what_is_wrong_and_hide_what_one_may_not_see(
    app: Flask, as_person: AsPerson
) -> None:
    plan(app)
    make_document(app, "draft", "Cabinet Office", "restricted", grants=[("Treasury", None, "view")])
    write(app, "draft", GOV, TEXT)
    cso = as_person(CSO)
    missing = post(cso, API, {"quote": "not in the text", "body": "Hm"})
    assert missing.status_code == 422 and "not in the document" in missing.get_json()["error"]
    assert post(cso, API, {"quote": "every", "body": ""}).status_code == 422
    assert post(cso, API, {"quote": "every", "body": "x"}, token=False).status_code == 400
    treasury = as_person(TREASURY)  # may view the draft, not comment on it
    refused = post(treasury, "/api/docs/draft/comments", {"quote": "every", "body": "x"})
    assert refused.status_code == 403
    assert "view this document, but not comment on it" in refused.get_json()["error"]
    hidden = post(cso, "/api/docs/draft/comments", {"quote": "every", "body": "x"})
    absent = post(cso, "/api/docs/no-such-draft/comments", {"quote": "every", "body": "x"})
    assert hidden.status_code == absent.status_code == 404
    assert hidden.get_json() == absent.get_json()
    assert (
        cso.get("/api/docs/draft/comments").get_json()
        == cso.get("/api/docs/no-such-draft/comments").get_json()
    )
    assert app.test_client().get(API).status_code == 404  # a network document: members only
    assert comments(as_person(GOV)) == []


def test_threads_take_replies_and_are_resolved_and_reopened(
    app: Flask, as_person: AsPerson
) -> None:
    plan(app)
    cso, gov, watch = as_person(CSO), as_person(GOV), as_person(WATCH)
    number = post(cso, API, {"quote": SENTENCE, "body": "Thirty days is long."}).get_json()["id"]
    assert post(gov, f"{API}/{number}/replies", {"body": "It is the law."}).status_code == 201
    # Another member may reply, but only the author or an editor settles the thread.
    assert post(watch, f"{API}/{number}/resolve", {}).status_code == 403
    assert post(gov, f"{API}/{number}/resolve", {}).status_code == 200
    assert post(gov, f"{API}/{number}/resolve", {}).status_code == 409
    (thread,) = comments(cso)
    assert thread["status"] == "resolved"
    assert [(r["body"], r["author"]["kind"]) for r in thread["replies"]] == [
        ("It is the law.", "government")
    ]
    assert post(cso, f"{API}/{number}/reopen", {}).get_json()["status"] == "open"
    assert post(cso, f"{API}/99999/reopen", {}).status_code == 404


def test_an_accepted_suggestion_is_the_proposers_edit_and_a_stale_one_needs_a_confirmation(
    app: Flask, as_person: AsPerson
) -> None:
    plan(app)
    cso, gov = as_person(CSO), as_person(GOV)
    asked = {"quote": "within 30 days", "body": "Faster.", "replacement": "within 10 days"}
    number = post(cso, API, asked).get_json()["id"]
    assert post(cso, f"{API}/{number}/accept", {}).status_code == 403  # not an editor
    assert post(gov, f"{API}/{number}/accept", {}).get_json() == {
        "id": number,
        "status": "accepted",
    }
    assert "publishes every contract within 10 days." in text_of(app, "plan")
    paragraphs = json_of(gov, "/api/docs/plan/attribution")["paragraphs"]
    (changed,) = [p for p in paragraphs if "10 days" in p["text"]]
    assert changed["shares"]["civil_society"] > 0 and "Chidi Cso" in changed["people"]
    (done,) = comments(gov)
    assert done["status"] == "accepted" and done["decided_by"] == "Gita Gov"

    stale = post(cso, API, {"quote": "second paragraph", "body": "", "replacement": "last part"})
    stale_id = stale.get_json()["id"]
    write(app, "plan", GOV, text_of(app, "plan").replace("second paragraph", "2nd paragraph"))
    assert post(gov, f"{API}/{stale_id}/accept", {}).status_code == 409
    accepted = post(gov, f"{API}/{stale_id}/accept", {"confirm_stale": True})
    assert accepted.status_code == 200
    assert "A last part stays as it is." in text_of(app, "plan")


def test_a_comment_whose_words_were_deleted_says_so(app: Flask, as_person: AsPerson) -> None:
    plan(app)
    cso = as_person(CSO)
    post(cso, API, {"quote": "every contract", "body": "Keep this."})
    write(app, "plan", GOV, TEXT.replace(f"{SENTENCE}\n\n", ""))
    (gone,) = comments(cso)
    assert gone["quote"] == "" and gone["quote_then"] == "every contract" and gone["stale"]
    assert "The text it was about was removed." in cso.get("/plan/discussion").get_data(
        as_text=True
    )
