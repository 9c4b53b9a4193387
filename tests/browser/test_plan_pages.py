"""The plan pages work without JavaScript: register, sign-off board, record form and consent.

Everything here runs in a context with JavaScript disabled. The demo plan is only read; what
signs, freezes, re-opens, consents or saves a record acts on a plan these tests add.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveServer, PageFactory
from tests.browser.test_accessibility import describe, run_axe, structure_problems, visit
from tests.harness.server import run_flask

pytestmark = pytest.mark.browser

DEMO = "nap-2026-28"  # the demo's plan, in sign-off
ALEX = "alex@cabinet.example.gov"  # Cabinet Office Transparency Team: a plan's government lead
MARIA = "maria@civilsociety.example.org"  # Civil Society Network: its civil-society lead
COORDINATOR = "coordinator@jointly.example"
CABINET, NETWORK = "Cabinet Office Transparency Team", "Civil Society Network"
BUSINESS, OWNERSHIP = "Department for Business and Trade", "Open Ownership Network"
REGISTER = f"/plans/{DEMO}/commitments"
TEXT = "# Ambition\n\nPublish every grant with its recipient.\n"


@dataclass(frozen=True)
class OwnPlan:
    """A plan of these tests, in cut-off, so changing it breaks no other test."""

    slug: str
    signed: str  # its lead and partner sign it until it freezes
    reopened: str  # signed off, then re-opened with a reason
    recorded: str  # its record is changed through the form
    late: str  # proposed after the cut-off, awaiting both leads' consent


def add_commitment(server: LiveServer, plan: str, slug: str, owner: str, partner: str) -> str:
    """Add a commitment to ``plan`` through ``flask create-doc``, as an operator would."""
    title = slug.replace("-", " ").capitalize()
    options = ("--title", title, "--kind", "commitment", "--org", owner)
    plan_options = ("--plan", plan, "--partner", partner)
    run_flask(server.env, "create-doc", slug, *options, *plan_options, stdin=TEXT)
    return slug


@pytest.fixture(scope="session")
def own_plan(live_server: LiveServer) -> OwnPlan:
    """Three commitments led by the Cabinet Office with the network, then one late one."""
    slug = "plan-pages-grants"
    leads = ("--government-lead", CABINET, "--civil-society-lead", NETWORK)
    run_flask(live_server.env, "create-plan", slug, "--title", "Open grants plan", *leads)
    # Numbered 1, 2 and 3 in this order; the late one gets 4 once both leads consent.
    made = [
        add_commitment(live_server, slug, f"{slug}-{name}", CABINET, NETWORK)
        for name in ("signed", "reopened", "recorded")
    ]
    run_flask(live_server.env, "plan-phase", slug, "cut-off")
    late = add_commitment(live_server, slug, f"{slug}-late", BUSINESS, OWNERSHIP)
    return OwnPlan(slug, *made, late)


def no_script_page(page_for: PageFactory, email: str | None) -> Page:
    return page_for(email, java_script_enabled=False)


def assert_no_violations(page: Page) -> None:
    """axe-core (without scripting) and the page structure, reported together."""
    problems = structure_problems(page)
    violations = run_axe(page, scripting=False)
    if violations:
        problems.append("axe-core, WCAG 2.2 A/AA:\n" + describe(violations))
    assert not problems, f"on {page.url}:\n" + "\n".join(problems)


def submit(page: Page, button: Locator, status: int = 200) -> None:
    """Press a form's button and wait for the page it leads to (after any redirect)."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    answered = response.status if response is not None else None
    assert answered == status, (
        f"{page.url} answered {answered}, not {status}: {page.locator('main').inner_text()}"
    )


def register_column(page: Page, number: int) -> list[str]:
    """The texts of one column of the register, top to bottom (1 is the number)."""
    cells = page.locator(f"table.register tbody tr > td:nth-child({number})")
    return [" ".join(text.split()) for text in cells.all_inner_texts()]


def titles(page: Page) -> list[str]:
    return page.locator("table.register tbody tr > td:nth-child(2) > a").all_inner_texts()


def heading_link(page: Page, label: str) -> Locator:
    return page.locator("table.register thead").get_by_role(
        "link", name=re.compile(rf"^{label}\s*, sort")
    )


def board_entry(page: Page, plan: str, slug: str) -> Locator:
    visit(page, f"/plans/{plan}/sign-off")
    return page.locator(f"#doc-{slug}")


def signature_row(entry: Locator, organisation: str) -> Locator:
    return entry.locator("table.signatures tbody tr", has_text=organisation)


def sign(page: Page, plan: str, slug: str, organisation: str) -> Locator:
    """Sign the latest revision through the board's button; the entry afterwards."""
    entry = board_entry(page, plan, slug)
    name = re.compile(rf"^Sign revision \d+ for {re.escape(organisation)}")
    submit(page, entry.get_by_role("button", name=name))
    expect(page.locator(".notice[role=status]")).to_contain_text(f"{organisation} signed revision")
    return page.locator(f"#doc-{slug}")


# The register --------------------------------------------------------------------------------


def test_register_sorts_by_a_column_header_link(page_for: PageFactory) -> None:
    page = no_script_page(page_for, ALEX)
    visit(page, REGISTER)
    numbered = titles(page)
    assert len(numbered) >= 4, numbered

    submit(page, heading_link(page, "Title"))
    assert titles(page) == sorted(numbered, key=str.lower)
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")

    submit(page, heading_link(page, "Title"))
    assert "sort=title" in page.url and "order=desc" in page.url
    assert titles(page) == sorted(numbered, key=str.lower, reverse=True)
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    expect(page.locator("th[aria-sort]")).to_contain_text("Title")


def test_register_filter_narrows_rows_downloads_them_as_csv_and_clears(
    page_for: PageFactory,
) -> None:
    page = no_script_page(page_for, ALEX)
    visit(page, REGISTER + "?sort=title&order=desc")
    everything = titles(page)

    page.select_option("#filter-status", label="Agreed")
    submit(page, page.get_by_role("button", name="Show"))
    assert "status=agreed" in page.url and "sort=title" in page.url, page.url
    shown = titles(page)
    assert 0 < len(shown) < len(everything), (shown, everything)
    assert set(register_column(page, 5)) == {"Agreed"}
    assert shown == sorted(shown, key=str.lower, reverse=True), "the filter dropped the sort"
    expect(page.locator("table.register caption")).to_contain_text("matching the filter")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the register as CSV").click()
    path = download.value.path()
    assert download.value.suggested_filename == f"{DEMO}-commitments.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [row["Title"] for row in rows] == shown
    assert {row["Status"] for row in rows} == {"Agreed"}
    assert all(row["Address"].startswith("http") for row in rows)

    submit(page, page.get_by_role("link", name="Clear filters"))
    assert sorted(titles(page)) == sorted(everything)
    expect(page.get_by_role("link", name="Clear filters")).to_have_count(0)


# The sign-off board --------------------------------------------------------------------------


def test_signing_on_the_board_shows_current_then_freezes_the_text(
    page_for: PageFactory, own_plan: OwnPlan
) -> None:
    plan, slug = own_plan.slug, own_plan.signed
    alex = no_script_page(page_for, ALEX)
    entry = sign(alex, plan, slug, CABINET)
    expect(signature_row(entry, CABINET)).to_contain_text("Current")
    expect(signature_row(entry, CABINET)).to_contain_text("by Alex Morgan")
    expect(signature_row(entry, NETWORK)).to_contain_text("Not signed")
    expect(entry.locator(".meta")).not_to_contain_text("Signed off and frozen")

    maria = no_script_page(page_for, MARIA)
    entry = sign(maria, plan, slug, NETWORK)
    expect(entry.locator(".meta")).to_contain_text("Signed off and frozen")
    expect(entry.locator(".meta")).to_contain_text("Status: Signed off")
    expect(signature_row(entry, NETWORK)).to_contain_text("Current")

    visit(maria, f"/{slug}/edit")
    expect(maria.locator("h1")).to_have_text(re.compile("^Live view of"))
    expect(maria.get_by_role("button", name="Save changes")).to_have_count(0)
    expect(maria.locator("textarea[name=text]")).to_have_attribute("readonly", "")
    token = maria.locator("#edit-form input[name=csrf_token]").input_value()
    refused = maria.request.post(
        f"/{slug}/edit", form={"csrf_token": token, "base": "0", "text": "Changed anyway."}
    )
    assert refused.status == 403, refused.status
    assert "frozen" in refused.text()
    assert maria.request.get(f"/{slug}/raw").text() == TEXT
    visit(maria, f"/{slug}/record")
    expect(maria.get_by_role("button", name="Save the record")).to_have_count(0)
    expect(maria.get_by_text("The record is frozen with the text")).to_be_visible()


def test_reopening_with_a_reason_clears_the_signatures_and_shows_the_reason(
    page_for: PageFactory, own_plan: OwnPlan
) -> None:
    plan, slug = own_plan.slug, own_plan.reopened
    sign(no_script_page(page_for, ALEX), plan, slug, CABINET)
    maria = no_script_page(page_for, MARIA)
    entry = sign(maria, plan, slug, NETWORK)
    expect(entry.locator(".meta")).to_contain_text("Signed off and frozen")

    summary = entry.locator("summary", has_text="Re-open")
    summary.click()  # a <details> opens without scripts
    reason = entry.get_by_label("Why it must change")
    reason.fill("Too short")
    submit(maria, entry.get_by_role("button", name="Re-open and clear the signatures"), 400)
    entry = maria.locator(f"#doc-{slug}")
    expect(entry.locator("details")).to_have_attribute("open", "")
    expect(entry.locator(".error-summary")).to_be_visible()
    expect(entry.get_by_label("Why it must change")).to_have_attribute("aria-invalid", "true")
    assert_no_violations(maria)

    why = "The grants register must cover lottery grants too."
    entry.get_by_label("Why it must change").fill(why)
    submit(maria, entry.get_by_role("button", name="Re-open and clear the signatures"))
    entry = maria.locator(f"#doc-{slug}")
    reopened = entry.locator(".reopened")
    expect(reopened).to_contain_text("Re-opened by Maria Santos")
    expect(reopened).to_contain_text(f"“{why}”")
    expect(reopened).to_contain_text(f"Signatures cleared: {CABINET}, {NETWORK}")
    expect(entry.locator(".meta")).not_to_contain_text("Signed off and frozen")
    expect(entry.locator(".meta")).to_contain_text("Status: Negotiating")
    for organisation in (CABINET, NETWORK):
        expect(signature_row(entry, organisation)).to_contain_text("Not signed")
    sign_again = entry.get_by_role("button", name=re.compile(rf"^Sign revision \d+ for {NETWORK}"))
    expect(sign_again).to_have_count(1)

    visit(maria, f"/{slug}/edit")
    expect(maria.get_by_role("button", name="Save changes")).to_have_count(1)


def test_a_lead_consents_to_a_late_commitment_on_the_board(
    page_for: PageFactory, own_plan: OwnPlan
) -> None:
    plan, slug = own_plan.slug, own_plan.late
    alex = no_script_page(page_for, ALEX)
    entry = board_entry(alex, plan, slug)
    expect(entry).to_contain_text("It joins the plan once both leads consent.")
    submit(alex, entry.get_by_role("button", name=re.compile(f"^Consent for {CABINET}")))
    expect(alex.locator(".notice[role=status]")).to_contain_text(
        f"{CABINET} consented to “Plan pages grants late”. It joins once the other lead consents."
    )
    entry = alex.locator(f"#doc-{slug}")
    expect(entry).to_contain_text(f"Consent of {CABINET}: Alex Morgan")
    expect(entry.get_by_role("button", name=re.compile("^Consent for"))).to_have_count(0)

    maria = no_script_page(page_for, MARIA)
    entry = board_entry(maria, plan, slug)
    submit(maria, entry.get_by_role("button", name=re.compile(f"^Consent for {NETWORK}")))
    expect(maria.locator(".notice[role=status]")).to_contain_text("It joins the plan now.")
    entry = maria.locator(f"#doc-{slug}")
    expect(entry).to_contain_text(f"Consent of {NETWORK}: Maria Santos")
    expect(entry).not_to_contain_text("It joins the plan once both leads consent.")
    expect(entry.locator("h2")).to_have_text("4. Plan pages grants late")


# The record form -----------------------------------------------------------------------------


def test_record_form_saves_a_milestone_without_javascript(
    page_for: PageFactory, own_plan: OwnPlan
) -> None:
    page = no_script_page(page_for, ALEX)
    visit(page, f"/{own_plan.recorded}/record")
    expect(page.get_by_text("No milestones yet.")).to_be_visible()
    page.fill("#milestones-0-title", "Grants register opens")
    page.fill("#milestones-0-due", "2027-03-31")
    submit(page, page.get_by_role("button", name="Save the record"))
    assert page.url.endswith(f"/{own_plan.recorded}/record"), page.url
    expect(page.locator(".notice[role=status]")).to_contain_text(
        "The commitment's record is saved."
    )
    milestone = page.locator("section.milestone-timeline", has_text="Grants register opens")
    expect(milestone).to_contain_text("Due: 2027-03-31")
    expect(page.locator("#milestones-0-title")).to_have_value("Grants register opens")


# Accessibility -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "email"),
    [
        (f"/plans/{DEMO}", ALEX),
        (f"/plans/{DEMO}", COORDINATOR),  # with the phase and template forms
        (REGISTER, ALEX),
        (REGISTER + "?sort=title&order=desc", ALEX),
        (REGISTER + "?status=agreed&sort=signed&order=asc", ALEX),
        (REGISTER, None),
    ],
    ids=["overview", "overview-coordinator", "register", "sorted", "filtered", "anonymous"],
)
def test_plan_page_has_no_axe_violations(
    page_for: PageFactory, path: str, email: str | None
) -> None:
    page = no_script_page(page_for, email)
    visit(page, path)
    if "commitments" in path:
        expect(page.locator("table.register tbody tr").first).to_be_visible()
    if email is None:
        expect(page.get_by_text("Company accounts published as open data")).to_have_count(0)
    assert_no_violations(page)


def test_board_of_a_signatory_has_no_axe_violations(page_for: PageFactory) -> None:
    page = no_script_page(page_for, MARIA)
    visit(page, f"/plans/{DEMO}/sign-off")
    to_sign = page.locator("#doc-anti-corruption-plan")
    button = to_sign.get_by_role("button", name=re.compile(rf"^Sign revision \d+ for {NETWORK}"))
    expect(button).to_have_count(1)
    expect(page.locator(".status-tag.stale", has_text="Changed since sign-off")).not_to_have_count(
        0
    )
    frozen = page.locator("#doc-open-contracting")
    frozen.locator("summary", has_text="Re-open").click()  # judge the form as people see it
    expect(frozen.get_by_label("Why it must change")).to_be_visible()
    assert_no_violations(page)


def test_signed_changes_page_has_no_axe_violations(page_for: PageFactory) -> None:
    page = no_script_page(page_for, MARIA)
    visit(page, f"/plans/{DEMO}/sign-off")
    changed = page.locator("#doc-beneficial-ownership")
    submit(page, changed.get_by_role("link", name=re.compile("^See what changed since revision")))
    assert re.search(rf"/plans/{DEMO}/sign-off/beneficial-ownership/changes/\d+$", page.url)
    expect(page.locator("h1")).to_contain_text(f"Changed since {BUSINESS} signed")
    expect(page.locator(".diff ins").first).to_be_visible()
    assert_no_violations(page)


def test_record_page_and_its_errors_have_no_axe_violations(
    page_for: PageFactory, own_plan: OwnPlan
) -> None:
    page = no_script_page(page_for, ALEX)
    visit(page, f"/{own_plan.recorded}/record")
    expect(page.get_by_role("button", name="Save the record")).to_be_visible()
    assert_no_violations(page)

    taken = "1"  # the number of own_plan.signed
    page.fill("#number", taken)
    submit(page, page.get_by_role("button", name="Save the record"), 400)
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text(f"Another commitment of this plan is number {taken}.")
    expect(page.locator("#number")).to_have_attribute("aria-invalid", "true")
    for href in summary.locator("a").evaluate_all("links => links.map(a => a.hash)"):
        assert page.locator(href).count() == 1, f"the error summary links to missing {href}"
    assert_no_violations(page)
