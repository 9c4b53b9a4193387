"""Sign-off bound to a revision: who signs, what a signature holds, freezing and re-opening."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from click.testing import Result
from flask import Flask
from werkzeug.test import TestResponse

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import base_of, form_edit, json_of, text_of

AsPerson = Callable[[str], Browser]
GOV, TREASURY, CSO, WATCH, REVIEWER = (
    "gov@example.org",
    "treasury@example.org",
    "cso@example.org",
    "watch@example.org",
    "reviewer@example.org",
)
PLAN = "open-gov-2026"
SLUG = "open-contracting"
TEXT = "# Open contracting\n\nThe department publishes every contract within 30 days.\n"
AGREED = TEXT.replace("30 days", "20 working days")
LATER = AGREED + "\nA milestone the Treasury asked for.\n"
REASON = "The Treasury asked for a milestone on tenders."


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    return app.test_cli_runner().invoke(args=list(args), input=input)


def make_plan(app: Flask) -> None:
    """A plan led by the Cabinet Office and Open Data Charity, in drafting."""
    result = run(
        app,
        "create-plan",
        PLAN,
        "--title",
        "Open government plan 2026",
        "--government-lead",
        "Cabinet Office",
        "--civil-society-lead",
        "Open Data Charity",
    )
    assert result.exit_code == 0, result.output


def make_doc(
    app: Flask,
    slug: str = SLUG,
    *,
    kind: str = "commitment",
    org: str = "Cabinet Office",
    partners: tuple[str, ...] = ("Open Data Charity",),
    visibility: str | None = None,
    text: str = TEXT,
) -> None:
    """A document of the plan made with ``create-doc``: its text is revision 1."""
    args = ["create-doc", slug, "--kind", kind, "--org", org, "--plan", PLAN]
    for partner in partners:
        args += ["--partner", partner]
    if visibility is not None:
        args += ["--visibility", visibility]
    result = run(app, *args, input=text)
    assert result.exit_code == 0, result.output


def post(person: Browser, url: str, data: dict[str, Any], token: bool = True) -> TestResponse:
    """A JSON write as the editor sends it: the session cookie and the page's CSRF token."""
    headers = {"X-CSRFToken": person.token("/")} if token else {}
    return person.client.post(url, json=data, headers=headers)


def sign(person: Browser, revision: Any, slug: str = SLUG) -> TestResponse:
    return post(person, f"/api/docs/{slug}/sign-offs", {"revision": revision})


def reopen(person: Browser, reason: str, slug: str = SLUG) -> TestResponse:
    return post(person, f"/api/docs/{slug}/reopen", {"reason": reason})


def latest(person: Browser, slug: str = SLUG) -> int:
    revision: int = json_of(person, f"/api/docs/{slug}")["revision"]
    return revision


def markdown_at(person: Browser, number: int, slug: str = SLUG) -> str:
    text: str = json_of(person, f"/api/docs/{slug}/revisions/{number}")["markdown"]
    return text


def entry(person: Browser, slug: str = SLUG) -> dict[str, Any]:
    """The commitment as the plan's register lists it for ``person``."""
    listed = json_of(person, f"/api/plans/{PLAN}")["commitments"]
    (found,) = [c for c in listed if c["slug"] == slug]
    return dict(found)


def edit_form(person: Browser, text: str, slug: str = SLUG) -> TestResponse:
    """Open the no-JavaScript editor and save ``text``, whatever the answer."""
    base = base_of(person, slug)
    return person.submit(f"/{slug}/edit", {"text": text, "base": str(base)})


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def agreed_commitment(app: Flask, as_person: AsPerson) -> tuple[Browser, Browser, int]:
    """The Cabinet Office's commitment, Open Data Charity its partner, the text as agreed."""
    make_plan(app)
    make_doc(app)
    gov, cso = as_person(GOV), as_person(CSO)
    form_edit(gov, SLUG, AGREED)
    return gov, cso, latest(gov)


def test_a_commitment_signed_by_its_lead_and_partner_is_signed_off_at_that_revision(
    app: Flask, as_person: AsPerson
) -> None:
    gov, cso, number = agreed_commitment(app, as_person)
    assert number == 2  # create-doc wrote revision 1, the department's edit revision 2
    first = sign(gov, number)
    assert first.status_code == 201
    assert first.get_json() == {"revision": 2, "sha256": digest(AGREED), "signed_off": False}
    assert entry(cso)["status"] != "signed_off" and entry(cso)["signed_off"] is False
    second = sign(cso, number)
    assert second.status_code == 201 and second.get_json()["signed_off"] is True

    signed = entry(as_person(TREASURY))
    assert signed["status"] == "signed_off" and signed["signed_off"] is True
    assert signed["lead"] == {"name": "Cabinet Office", "kind": "government"}
    assert signed["partners"] == [{"name": "Open Data Charity", "kind": "civil_society"}]
    held = digest(markdown_at(gov, 2))
    assert held == digest(AGREED) != digest(TEXT)
    assert signed["signoffs"] == [
        {
            "organisation": "Cabinet Office",
            "kind": "government",
            "person": "Gita Gov",
            "revision": 2,
            "sha256": held,
            "current": True,
        },
        {
            "organisation": "Open Data Charity",
            "kind": "civil_society",
            "person": "Chidi Cso",
            "revision": 2,
            "sha256": held,
            "current": True,
        },
    ]


def test_an_edit_after_full_sign_off_is_refused_until_reopened(
    app: Flask, as_person: AsPerson
) -> None:
    gov, cso, number = agreed_commitment(app, as_person)
    assert sign(gov, number).status_code == 201
    assert sign(cso, number).status_code == 201

    for person in (gov, cso):
        refused = edit_form(person, LATER)
        assert refused.status_code == 403
        assert "signatory signed" in refused.get_data(as_text=True)
    assert text_of(app, SLUG) == AGREED
    assert latest(gov) == number

    cleared = reopen(gov, REASON)
    assert cleared.status_code == 200
    assert cleared.get_json() == {
        "slug": SLUG,
        "cleared": ["Cabinet Office", "Open Data Charity"],
    }
    reopened = entry(cso)
    assert reopened["signoffs"] == [] and reopened["signed_off"] is False
    assert reopened["status"] != "signed_off"
    form_edit(gov, SLUG, LATER)
    assert text_of(app, SLUG) == LATER


def test_reopening_needs_an_editor_and_a_reason_of_ten_characters(
    app: Flask, as_person: AsPerson
) -> None:
    gov, cso, number = agreed_commitment(app, as_person)
    sign(gov, number)
    sign(cso, number)

    # Transparency Watch may see and comment on the commitment; it may not edit it.
    assert reopen(as_person(WATCH), REASON).status_code == 403
    assert reopen(as_person(REVIEWER), REASON).status_code == 403
    short = reopen(gov, "  too short  ")
    assert short.status_code == 409 and "10" in short.get_json()["error"]
    assert entry(gov)["signed_off"] is True
    assert edit_form(gov, LATER).status_code == 403
    # The partner edits the text through its grant, so it may re-open it too.
    assert reopen(cso, REASON).get_json()["cleared"] == ["Cabinet Office", "Open Data Charity"]
    assert entry(gov)["signed_off"] is False


def test_an_edit_before_full_sign_off_makes_the_earlier_signature_stale(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app)
    gov, cso = as_person(GOV), as_person(CSO)
    assert sign(gov, 1).status_code == 201
    form_edit(cso, SLUG, AGREED)
    assert latest(cso) == 2

    (stale,) = entry(gov)["signoffs"]
    assert (stale["organisation"], stale["revision"]) == ("Cabinet Office", 1)
    assert stale["sha256"] == digest(TEXT) and stale["current"] is False
    answer = sign(cso, 2)
    assert answer.status_code == 201 and answer.get_json()["signed_off"] is False
    waiting = entry(gov)
    assert waiting["status"] != "signed_off" and waiting["signed_off"] is False
    assert [(s["organisation"], s["revision"], s["current"]) for s in waiting["signoffs"]] == [
        ("Cabinet Office", 1, False),
        ("Open Data Charity", 2, True),
    ]
    form_edit(gov, SLUG, AGREED + "\nNot frozen yet.\n")  # the text is not frozen meanwhile
    form_edit(gov, SLUG, AGREED)

    assert sign(cso, latest(cso)).status_code == 201
    again = sign(gov, latest(gov))
    assert again.status_code == 201 and again.get_json()["signed_off"] is True
    signed = entry(cso)
    assert signed["status"] == "signed_off"
    assert {s["sha256"] for s in signed["signoffs"]} == {digest(AGREED)}


def test_a_signature_is_of_the_text_not_the_revision_number(
    app: Flask, as_person: AsPerson
) -> None:
    gov, cso, number = agreed_commitment(app, as_person)
    assert sign(gov, number).status_code == 201
    # The same person again, without a pause: still revision 2, but a different text.
    form_edit(gov, SLUG, LATER)
    assert latest(gov) == number

    assert sign(cso, number).get_json()["signed_off"] is False
    by_org = {s["organisation"]: s for s in entry(gov)["signoffs"]}
    assert by_org["Cabinet Office"]["current"] is False
    assert by_org["Cabinet Office"]["sha256"] == digest(AGREED)
    assert by_org["Open Data Charity"]["current"] is True
    assert by_org["Open Data Charity"]["sha256"] == digest(LATER)
    assert edit_form(gov, LATER + "\nStill open.\n").status_code == 302


def test_signing_the_same_text_twice_is_no_new_signature(app: Flask, as_person: AsPerson) -> None:
    gov, _cso, number = agreed_commitment(app, as_person)
    first = sign(gov, number)
    second = sign(gov, number)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json() == first.get_json()
    assert len(entry(gov)["signoffs"]) == 1


def test_only_a_signatory_organisations_members_may_sign(app: Flask, as_person: AsPerson) -> None:
    make_plan(app)
    make_doc(app, partners=("Transparency Watch",))
    for email in (TREASURY, CSO, REVIEWER):
        refused = sign(as_person(email), 1)
        assert refused.status_code == 403, email
        assert "does not sign" in refused.get_json()["error"]
    # The reviewer's own organisation is a partner: the refusal is of the role.
    assert sign(as_person(WATCH), 1).status_code == 201
    assert [s["organisation"] for s in entry(as_person(GOV))["signoffs"]] == ["Transparency Watch"]


def test_signing_a_revision_that_is_not_the_latest_is_a_conflict(
    app: Flask, as_person: AsPerson
) -> None:
    gov, cso, number = agreed_commitment(app, as_person)
    for wrong in (number - 1, number + 1, 0):
        stale = sign(cso, wrong)
        assert stale.status_code == 409, wrong
        assert f"sign revision {number}" in stale.get_json()["error"]
    for malformed in ("2", True, None, 2.0):
        assert sign(cso, malformed).status_code == 400, malformed
    assert entry(gov)["signoffs"] == []


def test_a_signature_without_the_csrf_token_is_refused(app: Flask, as_person: AsPerson) -> None:
    gov, _cso, number = agreed_commitment(app, as_person)
    forged = post(gov, f"/api/docs/{SLUG}/sign-offs", {"revision": number}, token=False)
    assert forged.status_code == 400
    assert entry(gov)["signoffs"] == []


def test_a_document_one_may_not_see_cannot_be_signed_or_reopened(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "tax-data", org="Treasury", visibility="restricted")
    treasury, cso = as_person(TREASURY), as_person(CSO)
    assert sign(treasury, 1, "tax-data").status_code == 201
    assert sign(cso, 1, "tax-data").get_json()["signed_off"] is True
    gov = as_person(GOV)  # the plan's government lead, but not granted this commitment
    hidden = sign(gov, 1, "tax-data")
    assert hidden.status_code == 404 and hidden.get_json() == {"error": "not found"}
    assert reopen(gov, REASON, "tax-data").status_code == 404
    assert post(gov, "/api/docs/tax-data/consent", {}).status_code == 404
    assert sign(gov, 1, "no-such-commitment").status_code == 404
    assert [c["slug"] for c in json_of(gov, f"/api/plans/{PLAN}")["commitments"]] == []


def test_the_plan_narrative_is_signed_by_the_two_leads_and_then_frozen(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "narrative", kind="narrative", partners=())
    gov, cso = as_person(GOV), as_person(CSO)
    for email in (TREASURY, WATCH):
        assert sign(as_person(email), 1, "narrative").status_code == 403, email
    assert sign(gov, 1, "narrative").get_json()["signed_off"] is False
    assert sign(cso, 1, "narrative").get_json()["signed_off"] is True

    assert edit_form(gov, LATER, "narrative").status_code == 403
    assert text_of(app, "narrative") == TEXT
    # Open Data Charity co-leads the plan but only comments on the department's narrative.
    assert reopen(cso, REASON, "narrative").status_code == 403
    cleared = reopen(gov, REASON, "narrative")
    assert cleared.get_json()["cleared"] == ["Cabinet Office", "Open Data Charity"]
    assert edit_form(gov, LATER, "narrative").status_code == 302
