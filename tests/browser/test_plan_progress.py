"""The running record without JavaScript: both sides report progress through plain forms, and
the plan's progress page shows both and flags the overdue milestone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, PageFactory
from tests.browser.test_accessibility import visit
from tests.browser.test_plan_pages import (
    ALEX,
    CABINET,
    MARIA,
    NETWORK,
    add_commitment,
    assert_no_violations,
    no_script_page,
    submit,
)
from tests.harness.server import run_flask

pytestmark = pytest.mark.browser

PLAN, SLUG = "progress-plan", "progress-plan-grants"
PAST, FUTURE = "Grants portal live", "Every grant published"


@pytest.fixture(scope="session")
def implemented(live_server: LiveServer) -> str:
    """A commitment of the Cabinet Office with the network in a plan in implementation."""
    leads = ("--government-lead", CABINET, "--civil-society-lead", NETWORK)
    run_flask(live_server.env, "create-plan", PLAN, "--title", "Grants plan", *leads)
    add_commitment(live_server, PLAN, SLUG, CABINET, NETWORK)
    run_flask(live_server.env, "plan-phase", PLAN, "implementation")
    return SLUG


def add_milestones(page: Page, slug: str) -> None:
    visit(page, f"/{slug}/record")
    for i, (title, due) in enumerate(((PAST, "2021-03-31"), (FUTURE, "2099-12-31"))):
        page.fill(f"#milestones-{i}-title", title)
        page.fill(f"#milestones-{i}-due", due)
    submit(page, page.get_by_role("button", name="Save the record"))


def report(page: Page, slug: str, milestone: str, status: str, note: str) -> None:
    visit(page, f"/{slug}/record")
    form = page.get_by_role("region", name="Report progress")
    form.get_by_label("Milestone reported on").select_option(label=milestone)
    form.get_by_label("Status", exact=True).select_option(label=status)
    form.get_by_label("What happened").fill(note)
    submit(page, form.get_by_role("button", name="Add the update"))
    expect(page.locator(".notice[role=status]")).to_contain_text(f"Progress on “{milestone}”")


def test_both_sides_report_and_the_progress_page_shows_both_and_flags_the_overdue(
    page_for: PageFactory, implemented: str
) -> None:
    alex, maria = no_script_page(page_for, ALEX), no_script_page(page_for, MARIA)
    add_milestones(alex, implemented)
    report(alex, implemented, PAST, "On track", "The portal is in user testing.")
    report(maria, implemented, PAST, "Delayed", "Testers found grants missing.")
    timeline = maria.locator("section.milestone-timeline", has_text=PAST)
    expect(timeline.locator("li").nth(0)).to_contain_text(f"Delayed Civil society {NETWORK}")
    expect(timeline.locator("li").nth(1)).to_contain_text(f"On track Government {CABINET}")
    assert_no_violations(maria)

    visit(maria, f"/plans/{PLAN}/progress")
    past = maria.locator("table.progress tbody tr", has_text=PAST)
    expect(past).to_contain_text("Overdue")
    expect(past.locator("td").nth(3)).to_contain_text(f"On track ({CABINET}")
    expect(past.locator("td").nth(4)).to_contain_text(f"Delayed ({NETWORK}")
    expect(past).to_contain_text("The sides disagree")
    future = maria.locator("table.progress tbody tr", has_text=FUTURE)
    expect(future).not_to_contain_text("Overdue")
    expect(maria.locator("table.progress caption")).to_contain_text("1 overdue")
    assert_no_violations(maria)
