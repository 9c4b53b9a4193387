"""The running record: both sides report progress on each milestone through plain forms;
updates are never changed; the plan's progress page and CSV flag what is overdue."""

from __future__ import annotations

import csv
import io
import re

import docx
from flask import Flask
from odf import opendocument, teletype
from werkzeug.test import TestResponse

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import page, words
from tests.wiki.test_plan_pages import (
    CSO,
    GOV,
    PLAN,
    REVIEWER,
    TREASURY,
    WATCH,
    AsPerson,
    make_doc,
    make_plan,
    move,
)

SLUG = "open-contracting"
OVERDUE, LATER = ("Publish the tender portal", "2020-01-31"), ("Open the register", "2099-06-30")


def with_milestones(app: Flask, as_person: AsPerson) -> tuple[Browser, Browser, dict[str, str]]:
    """A commitment of the Cabinet Office with Open Data Charity, two milestones (one due
    long ago), the plan in implementation; its lead's and partner's people; milestone ids."""
    make_plan(app)
    make_doc(app, SLUG, "Cabinet Office", "Open Data Charity")
    gov, cso = as_person(GOV), as_person(CSO)
    record = {"number": "1", "title": "Open contracting", "lead": "1", "partners": ["3"]}
    record |= {"status": "agreed", "extra-0": "", "extra-1": "", "extra-2": ""}
    for i, (title, due) in enumerate((OVERDUE, LATER)):
        record |= {f"milestones-{i}-title": title, f"milestones-{i}-due": due}
    assert gov.submit(f"/{SLUG}/record", record).status_code == 302
    move(app, "implementation")
    found = re.findall(r'id="milestone-title-(\d+)">([^<]+)<', page(gov, f"/{SLUG}/record"))
    return gov, cso, {title: number for number, title in found}


def progress_rows(person: Browser) -> list[list[str]]:
    """The progress table's rows, as their cells read out (an overdue row has a class)."""
    html = page(person, f"/plans/{PLAN}/progress")
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    found = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    return [[words(cell) for cell in re.findall(r"<td>(.*?)</td>", r, re.DOTALL)] for r in found]


def report(
    person: Browser, milestone: str, status: str, note: str = "", evidence: str = ""
) -> TestResponse:
    fields = {"milestone": milestone, "status": status, "note": note, "evidence": evidence}
    return person.submit(f"/{SLUG}/record", fields, action=f"/{SLUG}/progress")


def test_both_sides_report_and_each_update_is_labelled_with_its_side(
    app: Flask, as_person: AsPerson
) -> None:
    gov, cso, ids = with_milestones(app, as_person)
    portal = ids[OVERDUE[0]]
    answer = report(gov, portal, "on_track", "Tender portal in testing.", "https://example.org/t")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/{SLUG}/record#milestone-{portal}"
    assert report(cso, portal, "delayed", "Testing found gaps in the data.").status_code == 302
    timeline = words(page(cso, f"/{SLUG}/record"))
    assert (
        "Delayed Civil society Open Data Charity (Chidi Cso)" in timeline
        and "Testing found gaps in the data." in timeline
    )
    assert "On track Government Cabinet Office (Gita Gov)" in timeline
    assert timeline.index("Testing found gaps") < timeline.index("Tender portal in testing")
    assert 'href="https://example.org/t" rel="noopener noreferrer nofollow"' in page(
        cso, f"/{SLUG}/record"
    )
    rows = progress_rows(as_person(WATCH))
    (portal_row,) = [row for row in rows if row[1] == OVERDUE[0]]
    assert portal_row[3].startswith("On track (Cabinet Office")
    assert portal_row[4].startswith("Delayed (Open Data Charity")
    assert "The sides disagree" in portal_row[5]


def test_a_milestone_past_its_date_is_overdue_until_a_side_reports_it_complete(
    app: Flask, as_person: AsPerson
) -> None:
    gov, cso, ids = with_milestones(app, as_person)
    rows = {row[1]: row for row in progress_rows(cso)}
    assert rows[OVERDUE[0]][2] == "2020-01-31 Overdue"
    assert rows[LATER[0]][2] == "2099-06-30"
    assert "1 overdue" in page(cso, f"/plans/{PLAN}/progress")
    assert report(gov, ids[OVERDUE[0]], "complete", "Live since March.").status_code == 302
    rows = {row[1]: row for row in progress_rows(cso)}
    assert rows[OVERDUE[0]][2] == "2020-01-31"


def test_the_progress_csv_has_one_row_per_milestone(app: Flask, as_person: AsPerson) -> None:
    gov, _cso, ids = with_milestones(app, as_person)
    assert report(gov, ids[LATER[0]], "not_started").status_code == 302
    response = gov.get(f"/plans/{PLAN}/progress.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{PLAN}-progress.csv"'
    header, *rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[:8] == [
        "Commitment",
        "Number",
        "Milestone",
        "Due",
        "Government status",
        "Civil-society status",
        "Last update (UTC)",
        "Overdue",
    ]
    assert [(row[2], row[4], row[7]) for row in rows] == [
        (OVERDUE[0], "", "yes"),
        (LATER[0], "Not started", "no"),
    ]


def test_only_the_leads_and_partners_people_report_and_only_in_implementation(
    app: Flask, as_person: AsPerson
) -> None:
    gov, _cso, ids = with_milestones(app, as_person)
    portal = ids[OVERDUE[0]]
    for outsider in (TREASURY, WATCH, REVIEWER):
        assert report(as_person(outsider), portal, "complete").status_code == 403, outsider
    move(app, "published")
    refused = report(gov, portal, "complete")
    assert refused.status_code == 400
    assert "Progress is recorded once the plan is in implementation." in words(
        refused.get_data(as_text=True)
    )
    assert "No progress reported yet." in page(gov, f"/{SLUG}/record")


def test_evidence_must_be_web_addresses(app: Flask, as_person: AsPerson) -> None:
    gov, _cso, ids = with_milestones(app, as_person)
    answer = report(gov, ids[LATER[0]], "on_track", evidence="javascript:alert(1)")
    assert answer.status_code == 400
    assert "Give up to 5 http or https addresses." in words(answer.get_data(as_text=True))
    assert "javascript:alert" not in page(gov, f"/{SLUG}/record").split("<textarea")[0]


def test_a_milestone_with_updates_is_renamed_in_place_and_cannot_be_removed(
    app: Flask, as_person: AsPerson
) -> None:
    gov, _cso, ids = with_milestones(app, as_person)
    portal = ids[OVERDUE[0]]
    assert report(gov, portal, "delayed", "Supplier changed.").status_code == 302
    form = {"number": "1", "title": "Open contracting", "lead": "1", "partners": ["3"]}
    form |= {"status": "agreed", "milestones-0-id": portal, "milestones-0-due": "2020-01-31"}
    removed = gov.submit(f"/{SLUG}/record", {**form, "milestones-0-title": ""})
    assert removed.status_code == 400
    assert "A milestone with progress updates stays" in words(removed.get_data(as_text=True))
    renamed = gov.submit(f"/{SLUG}/record", {**form, "milestones-0-title": "Launch the portal"})
    assert renamed.status_code == 302
    timeline = page(gov, f"/{SLUG}/record")
    assert f'id="milestone-title-{portal}">Launch the portal<' in timeline
    assert "Supplier changed." in timeline


def test_the_self_assessment_shows_each_sides_latest_status_and_note_and_their_disagreement(
    app: Flask, as_person: AsPerson
) -> None:
    gov, cso, ids = with_milestones(app, as_person)
    portal = ids[OVERDUE[0]]
    assert report(gov, portal, "on_track", "First report.").status_code == 302
    assert report(gov, portal, "complete", "Portal live in March.").status_code == 302
    assert report(cso, portal, "delayed", "Half the grants are missing.").status_code == 302
    html = page(as_person(WATCH), f"/plans/{PLAN}/self-assessment.html")
    section = words(html[html.index('id="assess-open-contracting"') :])
    assert "1. Open contracting Lead: Cabinet Office · Partners: Open Data Charity" in section
    assert (
        f"{OVERDUE[0]} The sides disagree 2020-01-31 Complete (Cabinet Office," in section
        and "Portal live in March." in section
        and "Delayed (Open Data Charity," in section
        and "Half the grants are missing." in section
    )
    assert "First report." not in section  # only each side's latest
    assert f"{LATER[0]} 2099-06-30 Not reported Not reported" in section


def test_the_self_assessment_downloads_as_word_and_opendocument(
    app: Flask, as_person: AsPerson
) -> None:
    gov, cso, ids = with_milestones(app, as_person)
    portal = ids[OVERDUE[0]]
    assert report(gov, portal, "complete", "Portal live in March.").status_code == 302
    assert report(cso, portal, "delayed", "Half the grants are missing.").status_code == 302
    response = gov.get(f"/plans/{PLAN}/self-assessment.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename={PLAN}-self-assessment.docx"
    )
    document = docx.Document(io.BytesIO(response.data))
    assert ("Heading 1", "1. Open contracting") in [
        (p.style.name, p.text) for p in document.paragraphs
    ]
    (rows,) = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert rows[0] == ["Milestone", "Due", "Government", "Civil society"]
    assert rows[1][0] == f"{OVERDUE[0]} (the sides disagree)"
    assert rows[1][2].startswith("Complete (Cabinet Office, ")
    assert rows[1][2].endswith("): Portal live in March.")
    assert rows[1][3].endswith("): Half the grants are missing.")
    assert rows[2][1:] == [LATER[1], "Not reported", "Not reported"]
    odt = gov.get(f"/plans/{PLAN}/self-assessment.odt")
    body = teletype.extractText(opendocument.load(io.BytesIO(odt.data)).text)
    assert "Half the grants are missing." in body and "1. Open contracting" in body
