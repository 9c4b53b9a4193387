"""The rolling plan: the next plan starts from this one with its leads, its template and the
commitments marked to carry over, each linked to the one it continues."""

from __future__ import annotations

import re

from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import page, text_of, words
from tests.wiki.test_plan_pages import (
    COORDINATOR,
    GOV,
    PLAN,
    PLAN_TITLE,
    TEXT,
    AsPerson,
    make_doc,
    make_plan,
    move,
    run,
    table_rows,
)
from tests.wiki.test_plan_progress import LATER, OVERDUE, report, with_milestones

NEXT, NEXT_TITLE = "open-gov-2028", "Open government plan 2028"


def mark_carry_over(person: Browser, slug: str, milestone_ids: dict[str, str]) -> None:
    form = {"number": "1", "title": "Open contracting", "lead": "1", "partners": ["3"]}
    form |= {"status": "agreed", "carry_over": "y"}
    for i, (title, due) in enumerate((OVERDUE, LATER)):
        form |= {
            f"milestones-{i}-id": milestone_ids[title],
            f"milestones-{i}-title": title,
            f"milestones-{i}-due": due,
        }
    assert person.submit(f"/{slug}/record", form).status_code == 302


def test_the_next_plan_carries_the_marked_commitment_with_its_unfinished_milestones(
    app: Flask, as_person: AsPerson
) -> None:
    gov, _cso, ids = with_milestones(app, as_person)  # open-contracting, in implementation
    make_doc(app, "open-parliament", "Cabinet Office")  # not marked: stays behind
    assert report(gov, ids[OVERDUE[0]], "complete", "Portal live.").status_code == 302
    mark_carry_over(gov, "open-contracting", ids)
    assert "Marked to carry over" in words(page(gov, "/open-contracting/record"))
    coordinator = as_person(COORDINATOR)
    started = coordinator.submit(
        f"/plans/{PLAN}", {"slug": NEXT, "title": NEXT_TITLE}, action=f"/plans/{PLAN}/next"
    )
    assert started.status_code == 302 and started.headers["Location"] == f"/plans/{NEXT}"
    overview = words(page(gov, f"/plans/{NEXT}"))
    assert f"Started from {PLAN_TITLE}." in overview
    assert "Government lead: Cabinet Office" in overview and "Phase: Drafting" in overview
    assert "open-parliament" not in page(gov, f"/plans/{NEXT}")
    carried = f"{NEXT}-open-contracting"
    assert text_of(app, carried) == text_of(app, "open-contracting") == TEXT
    record = page(gov, f"/{carried}/record")
    assert f"Carried over from {PLAN_TITLE}, commitment 1" in words(record)
    assert 'href="/open-contracting/record"' in record  # the link to what it continues
    assert re.findall(r'id="milestone-title-\d+">([^<]+)<', record) == [LATER[0]]
    (row,) = table_rows(page(gov, f"/plans/{NEXT}/commitments"))
    assert row[0] == "1" and row[1].startswith("Open contracting Carried over")


def test_the_next_plan_from_the_command_line_keeps_the_leads_and_template(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    template = {"text": "## Baseline\n", "fields": "Budget"}
    coordinator = as_person(COORDINATOR)
    assert (
        coordinator.submit(f"/plans/{PLAN}", template, action=f"/plans/{PLAN}/template").status_code
        == 302
    )
    made = run(app, "create-plan", NEXT, "--title", NEXT_TITLE, "--from", PLAN)
    assert made.exit_code == 0, made.output
    move(app, "drafting")
    overview = page(coordinator, f"/plans/{NEXT}")
    assert "## Baseline" in overview and "Budget" in overview
    assert "Civil-society lead: Open Data Charity" in words(overview)
    alone = run(app, "create-plan", "lonely", "--title", "Lonely")
    assert alone.exit_code != 0
    assert "give --government-lead and --civil-society-lead" in alone.output


def test_only_the_coordinator_starts_the_next_plan(app: Flask, as_person: AsPerson) -> None:
    make_plan(app)
    gov = as_person(GOV)
    refused = gov.submit(
        f"/plans/{PLAN}", {"slug": NEXT, "title": NEXT_TITLE}, action=f"/plans/{PLAN}/next"
    )
    assert refused.status_code == 403
    assert gov.get(f"/plans/{NEXT}").status_code == 404


def test_a_deleted_commitment_is_not_carried_into_the_next_plan(
    app: Flask, as_person: AsPerson
) -> None:
    gov, _cso, ids = with_milestones(app, as_person)
    mark_carry_over(gov, "open-contracting", ids)
    assert gov.submit("/open-contracting/delete", {}).status_code == 302
    coordinator = as_person(COORDINATOR)
    started = coordinator.submit(
        f"/plans/{PLAN}", {"slug": NEXT, "title": NEXT_TITLE}, action=f"/plans/{PLAN}/next"
    )
    assert started.status_code == 302
    assert table_rows(page(gov, f"/plans/{NEXT}/commitments")) == []
    assert gov.get(f"/{NEXT}-open-contracting").status_code == 404
