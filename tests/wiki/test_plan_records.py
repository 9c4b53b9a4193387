"""A plan's pages without JavaScript: the sign-off board, a commitment's record, promoting an
annex ask, and the coordinator's template."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import form_edit, history_rows, ids, json_of, page, words
from tests.wiki.test_plan_pages import (
    COORDINATOR,
    CSO,
    CSO_WORDS,
    GOV,
    PLAN,
    REVIEWER,
    TEXT,
    TREASURY,
    WATCH,
    AsPerson,
    board_sign,
    make_doc,
    make_plan,
    move,
    register,
    table_rows,
    titles,
)
from wiki.plans.service import DEFAULT_TEMPLATE

ADMIN = "admin@example.org"
REASON = "The Treasury asked for a milestone on tenders."
TEMPLATE = "## Baseline\n\nWhere things stand today.\n\n## Target\n"


def board_reopen(person: Browser, slug: str, reason: str) -> TestResponse:
    board = f"/plans/{PLAN}/sign-off"
    return person.submit(board, {"reason": reason}, action=f"/plans/{PLAN}/reopen/{slug}")


def signatory_rows(person: Browser, slug: str) -> dict[str, str]:
    """Signatory -> what the board says of its signature, for one document."""
    html = page(person, f"/plans/{PLAN}/sign-off")
    section = re.search(rf'<section [^>]*id="doc-{slug}".*?</section>', html, re.DOTALL)
    assert section, f"{slug} is not on the board"
    return {
        row[0].rsplit(" ", 1)[0].replace(" Civil", ""): " ".join(row[1:])
        for row in table_rows(section.group(0))
    }


def test_the_board_shows_a_signature_the_text_moved_away_from_and_links_the_change(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Open Data Charity")
    gov, cso = as_person(GOV), as_person(CSO)
    signed = board_sign(gov, "open-contracting")
    assert signed.status_code == 302
    assert signed.headers["Location"] == f"/plans/{PLAN}/sign-off#doc-open-contracting"
    board = page(gov, f"/plans/{PLAN}/sign-off")
    assert "Cabinet Office signed revision 1 of “Open contracting”." in board
    assert "Revision 1 by Gita Gov" in signatory_rows(gov, "open-contracting")["Cabinet Office"]
    form_edit(cso, "open-contracting", TEXT + CSO_WORDS)

    rows = signatory_rows(cso, "open-contracting")
    assert "Changed since sign-off" in rows["Cabinet Office"]
    assert rows["Open Data Charity"] == "Not signed –"
    board = page(cso, f"/plans/{PLAN}/sign-off")
    (link,) = re.findall(r'<a href="([^"]*/changes/\d+)">See what changed since revision 1', board)
    changes = page(cso, link)
    assert "Changed since by: Chidi Cso, Open Data Charity." in changes
    assert "Civil society groups review every published contract" in words(changes)
    assert "[added:]" in changes
    diff = page(cso, "/open-contracting/diff?from=1&to=2")
    assert '<a href="/open-contracting/diff?from=1&amp;to=2">' in changes
    assert "From revision 1 to revision 2" in diff
    assert "added by Chidi Cso, Open Data Charity (civil society):" in diff


def test_the_board_links_a_change_made_in_the_very_revision_that_was_signed(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Open Data Charity")
    gov, cso = as_person(GOV), as_person(CSO)
    form_edit(gov, "open-contracting", TEXT + "\nAgreed.\n")
    assert board_sign(gov, "open-contracting").status_code == 302  # revision 2
    # The department goes on writing without a pause: still revision 2, another text.
    form_edit(gov, "open-contracting", TEXT + "\nAgreed, with a tender register.\n")
    assert "Changed since sign-off" in signatory_rows(cso, "open-contracting")["Cabinet Office"]
    board = page(cso, f"/plans/{PLAN}/sign-off")
    (link,) = re.findall(r'<a href="([^"]*/changes/\d+)">See what changed', board)
    changes = page(cso, link)
    assert "nothing changed" not in changes
    assert "[added:]" in changes and "tender register" in words(changes)
    assert "Changed since by: Gita Gov, Cabinet Office." in changes


def test_signing_on_the_board_signs_the_latest_revision_and_a_stale_form_is_a_conflict(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Open Data Charity")
    gov, cso = as_person(GOV), as_person(CSO)
    form_edit(gov, "open-contracting", TEXT + "\nThe register is open data.\n")
    stale = board_sign(cso, "open-contracting", revision=1)
    assert stale.status_code == 409
    assert "Revision 1 is not the latest; sign revision 2." in stale.get_data(as_text=True)
    assert signatory_rows(cso, "open-contracting")["Open Data Charity"] == "Not signed –"

    assert board_sign(cso, "open-contracting").status_code == 302
    assert board_sign(gov, "open-contracting").status_code == 302
    rows = signatory_rows(cso, "open-contracting")
    assert rows["Open Data Charity"].startswith("Revision 2 by Chidi Cso")
    assert rows["Cabinet Office"].startswith("Revision 2 by Gita Gov")
    assert "Current the text is unchanged" in rows["Cabinet Office"]
    assert "Signed off and frozen" in page(cso, f"/plans/{PLAN}/sign-off")


def test_reopening_on_the_board_needs_a_reason_and_clears_the_signatures(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Open Data Charity")
    gov, cso = as_person(GOV), as_person(CSO)
    for person in (gov, cso):
        assert board_sign(person, "open-contracting").status_code == 302

    short = board_reopen(cso, "open-contracting", "too short")
    assert short.status_code == 400
    refused = short.get_data(as_text=True)
    assert 'role="alert"' in refused and 'aria-invalid="true"' in refused
    assert "Error: Field must be between 10 and 2000 characters long." in words(refused)
    assert ">too short</textarea>" in refused  # what they typed is kept
    assert "Signed off and frozen" in page(gov, f"/plans/{PLAN}/sign-off")

    assert board_reopen(cso, "open-contracting", REASON).status_code == 302
    board = words(page(gov, f"/plans/{PLAN}/sign-off"))
    assert "Signed off and frozen" not in board and "Status: Negotiating" in board
    assert re.search(
        rf"Re-opened by Chidi Cso on \d{{4}}-\d\d-\d\d \d\d:\d\d UTC at revision 1: “{REASON}”",
        board,
    )
    assert "Signatures cleared: Cabinet Office, Open Data Charity; they must sign again." in board
    assert set(signatory_rows(gov, "open-contracting").values()) == {"Not signed –"}


def test_a_reason_short_once_its_spaces_are_trimmed_is_shown_on_the_board_form(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Open Data Charity")
    for email in (GOV, CSO):
        assert board_sign(as_person(email), "open-contracting").status_code == 302
    # Nine characters between the spaces: the service refuses it, so must the form.
    padded = board_reopen(as_person(CSO), "open-contracting", "  too short  ")
    assert padded.status_code == 400
    assert 'aria-invalid="true"' in padded.get_data(as_text=True)


def record(app: Flask, **changes: Any) -> dict[str, Any]:
    """The record form of open-contracting as it starts, with ``changes``."""
    org = ids(app)
    fields: dict[str, Any] = {
        "number": "1",
        "title": "Open contracting",
        "lead": str(org["Cabinet Office"]),
        "partners": [str(org["Open Data Charity"])],
        "status": "proposed",
        "milestones-0-title": "",
        "milestones-0-due": "",
    }
    return {**fields, **changes}


def save_record(
    person: Browser, data: dict[str, Any], slug: str = "open-contracting"
) -> TestResponse:
    return person.submit(f"/{slug}/record", data)


def record_list(person: Browser, slug: str = "open-contracting") -> dict[str, str]:
    """The record page's terms and what it says of each."""
    html = page(person, f"/{slug}/record")
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html, re.DOTALL)
    return {words(term): words(value) for term, value in pairs}


def test_an_editor_changes_the_record_and_a_new_partner_may_then_edit_the_text(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Open Data Charity")
    gov, watch = as_person(GOV), as_person(WATCH)
    assert watch.submit("/open-contracting/edit", {"text": TEXT, "base": "0"}).status_code == 403
    org = ids(app)
    change = {
        "number": "7",
        "title": "Open contracting data",
        "lead": str(org["Treasury"]),
        "partners": [str(org["Open Data Charity"]), str(org["Transparency Watch"])],
        "status": "agreed",
        "milestones-0-title": "Publish the tender portal",
        "milestones-0-due": "2026-09-30",
        "milestones-1-title": "Open the contract register",
        "extra-0": "Transparency and accountability",
        "extra-1": "2026-07-01",
    }
    saved = save_record(gov, record(app, **change))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert saved.headers["Location"] == "/open-contracting/record"

    shown = record_list(watch)
    assert {term: shown[term] for term in ("Number", "Status", "Lead organisation")} == {
        "Number": "7",
        "Status": "Agreed",
        "Lead organisation": "Treasury",
    }
    assert shown["Partners"] == "Open Data Charity; Transparency Watch"
    assert shown["Open-government values"] == "Transparency and accountability"
    assert shown["Start date"] == "2026-07-01" and "End date" not in shown
    milestones = re.findall(
        r'id="milestone-title-\d+">([^<]+)</h3>\s*<p class="meta">Due: ([^<]+)</p>',
        page(watch, "/open-contracting/record"),
    )
    assert milestones == [
        ("Publish the tender portal", "2026-09-30"),
        ("Open the contract register", "no date"),
    ]
    assert "Record: Open contracting data" in page(watch, "/open-contracting/record")
    assert titles(watch) == ["Open contracting data"]
    # Transparency Watch is a partner now: it edits the text it will sign.
    form_edit(watch, "open-contracting", TEXT + CSO_WORDS)
    assert "Civil society groups review" in page(gov, "/open-contracting/raw")


def test_someone_who_may_only_read_the_record_may_not_change_it(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Transparency Watch")
    reviewer = as_person(REVIEWER)  # of Transparency Watch, the partner: reviewers never edit
    assert "Change the record" not in page(reviewer, "/open-contracting/record")
    for person in (reviewer, as_person(TREASURY)):
        refused = save_record(person, record(app, title="Hijacked"))
        assert refused.status_code == 403
        assert "not edit it" in words(refused.get_data(as_text=True))
    assert titles(reviewer) == ["Open contracting"]


def test_a_record_that_breaks_a_rule_is_refused_with_the_reason_beside_the_field(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Open Data Charity")
    make_doc(app, "citizen-budgets", "Cabinet Office")
    gov, org = as_person(GOV), ids(app)
    for change, field, message in (
        ({"lead": str(org["Open Data Charity"])}, "lead", "Not a valid choice"),
        ({"number": "2"}, "number", "Another commitment of this plan is number 2."),
        ({"status": "signed_off"}, "status", "Not a valid choice"),
        ({"partners": [str(org["Treasury"])]}, "partners", "valid choice"),
        ({"title": "  "}, "title", "Enter a title."),
    ):
        refused = save_record(gov, record(app, **{"title": "Changed", **change}))
        assert refused.status_code == 400, change
        html = refused.get_data(as_text=True)
        assert f'<a href="#{field}">' in html and message in words(html), change
    assert record_list(gov)["Number"] == "1" and titles(gov)[0] == "Open contracting"


def test_a_signed_off_commitments_record_is_frozen_with_its_text(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Open Data Charity")
    gov = as_person(GOV)
    for person in (gov, as_person(CSO)):
        assert board_sign(person, "open-contracting").status_code == 302
    assert "The record is frozen with the text" in page(gov, "/open-contracting/record")
    refused = save_record(gov, record(app, title="Changed after sign-off", status="agreed"))
    assert refused.status_code == 403
    assert "it is frozen" in refused.get_data(as_text=True)
    assert record_list(gov)["Status"] == "Signed off" and titles(gov) == ["Open contracting"]


def annex_ask(app: Flask, as_person: AsPerson) -> Browser:
    """Open Data Charity's annex ask, which it has edited once, beside one commitment."""
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office")
    make_doc(app, "open-parliament", "Open Data Charity", kind="annex", title="Open parliament")
    cso = as_person(CSO)
    form_edit(cso, "open-parliament", TEXT + CSO_WORDS)
    return cso


def promote(person: Browser, app: Flask, lead: str) -> TestResponse:
    data = {"lead": str(ids(app)[lead])}
    record_page = "/open-parliament/record"
    return person.submit(record_page, data, action="/open-parliament/promote")


def test_an_annex_ask_promoted_by_its_proposer_becomes_a_numbered_commitment(
    app: Flask, as_person: AsPerson
) -> None:
    cso = annex_ask(app, as_person)
    assert "Promote to a commitment" in page(cso, "/open-parliament/record")
    promoted = promote(cso, app, "Cabinet Office")
    assert promoted.status_code == 302 and promoted.headers["Location"] == "/open-parliament/record"

    watch = as_person(WATCH)
    shown = record_list(watch, "open-parliament")
    assert shown["Origin"] == "Proposed by Open Data Charity in the annex"
    assert (shown["Number"], shown["Status"], shown["Lead organisation"]) == (
        "2",
        "Proposed",
        "Cabinet Office",
    )
    (row,) = [row for row in register(watch) if row[1].startswith("Open parliament")]
    origin = "Open parliament Proposed by Open Data Charity in the annex"
    assert row[:3] == ["2", origin, "Cabinet Office"]
    assert row[4:6] == ["Proposed", "0 of 2"]  # the department and the charity sign it
    assert page(watch, "/open-parliament/raw") == TEXT + CSO_WORDS
    history = history_rows(page(watch, "/open-parliament/history"))
    assert [number for number, _row in history] == [2, 1]
    # The department leads it now: it edits the text.
    form_edit(as_person(GOV), "open-parliament", TEXT)


def test_an_annex_ask_promoted_after_the_cut_off_is_late_and_hidden_from_non_leads(
    app: Flask, as_person: AsPerson
) -> None:
    cso = annex_ask(app, as_person)
    watch = as_person(WATCH)
    assert watch.get("/open-parliament").status_code == 200  # an ask is seen by the network
    move(app, "cut-off")
    assert promote(cso, app, "Cabinet Office").status_code == 302

    shown = record_list(cso, "open-parliament")
    assert shown["Number"] == "None yet"
    assert "late (proposed after the cut-off), awaiting both leads' consent" in shown["Status"]
    assert titles(as_person(GOV)) == ["Open contracting", "Open parliament"]
    for outsider in (watch, as_person(TREASURY), as_person(REVIEWER)):
        assert titles(outsider) == ["Open contracting"]
        assert outsider.get("/open-parliament").status_code == 404


def test_a_commitment_made_after_the_coordinator_sets_the_template_starts_from_it(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    coordinator = as_person(COORDINATOR)
    template = {"text": TEMPLATE, "fields": "Budget\nRegion\n"}
    saved = coordinator.submit(f"/plans/{PLAN}", template, action=f"/plans/{PLAN}/template")
    assert saved.status_code == 302 and saved.headers["Location"] == f"/plans/{PLAN}"
    assert "The commitment template is saved" in page(coordinator, f"/plans/{PLAN}")

    gov = as_person(GOV)
    form = {"title": "Budget data", "slug": "budget-data", "kind": "commitment"}
    made = gov.submit(f"/-/new?plan={PLAN}", {**form, "visibility": "network", "plan": PLAN})
    assert made.status_code == 302, made.get_data(as_text=True)
    assert page(gov, "/budget-data/raw") == TEMPLATE
    form_html = page(gov, "/budget-data/record")
    labels = re.findall(r'<label for="(extra-\d+)">(.*?)</label>', form_html)
    assert labels == [("extra-0", "Budget"), ("extra-1", "Region")]
    assert "Start date" not in form_html


def test_only_the_coordinator_may_post_the_template_or_phase_forms(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    forms = {"template": {"text": "# Ours", "fields": "Ours"}, "phase": {"phase": "published"}}
    for email in (GOV, CSO, ADMIN):
        person = as_person(email)
        assert "Coordination" not in page(person, f"/plans/{PLAN}")
        for form, data in forms.items():
            refused = person.submit(f"/plans/{PLAN}", data, action=f"/plans/{PLAN}/{form}")
            assert refused.status_code == 403, (email, form)
            assert "Only the coordinator" in refused.get_data(as_text=True)
    gov = as_person(GOV)
    assert json_of(gov, f"/api/plans/{PLAN}")["phase"] == "drafting"
    form = {"title": "Budget data", "slug": "budget-data", "kind": "commitment", "plan": PLAN}
    assert gov.submit("/-/new", {**form, "visibility": "network"}).status_code == 302
    assert page(gov, "/budget-data/raw") == DEFAULT_TEMPLATE
