"""The inbox works without JavaScript: a mention arrives, is read, and the pages pass axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, PageFactory
from tests.browser.test_accessibility import assert_accessible, visit
from tests.harness.server import create_document

pytestmark = pytest.mark.browser

ALEX = "alex@cabinet.example.gov"  # Alex Morgan, Cabinet Office Transparency Team
MARIA = "maria@civilsociety.example.org"  # Maria Santos, Civil Society Network
SLUG = "inbox-budget-note"
TEXT = "# Budget note\n\nPublish the spending data every month.\n"


@pytest.fixture(scope="module")
def note(live_server: LiveServer) -> str:
    return create_document(
        live_server.env,
        SLUG,
        TEXT,
        owner="Cabinet Office Transparency Team",
        visibility="network",
        title="Budget note",
    )


def no_script(page_for: PageFactory, email: str) -> Page:
    return page_for(email, java_script_enabled=False)


def test_a_mention_reaches_the_inbox_and_is_marked_read_without_javascript(
    page_for: PageFactory, note: str
) -> None:
    maria = no_script(page_for, MARIA)
    visit(maria, f"/{note}/discussion/new")
    maria.fill("textarea[name=quote]", "every month")
    maria.fill("textarea[name=body]", "@[Alex Morgan] could this be weekly?")
    with maria.expect_navigation():
        maria.get_by_role("button", name="Add it").click()

    alex = no_script(page_for, ALEX)
    visit(alex, "/-/inbox")
    headline = alex.get_by_role("link", name="Maria Santos mentioned you or your organisation")
    expect(headline.first).to_be_visible()
    expect(alex.get_by_text("could this be weekly?").first).to_be_visible()
    expect(alex.locator("#inbox-count")).not_to_have_text("(0 unread)")
    assert_accessible(alex, scripting=False)

    with alex.expect_navigation():
        alex.get_by_role("button", name="Mark all as read").click()
    expect(alex.get_by_text("Nothing unread.")).to_be_visible()
    expect(alex.locator("#inbox-count")).to_have_text("(0 unread)")
    headline.first.wait_for(state="detached")
    visit(alex, "/-/inbox?show=all")
    expect(alex.get_by_text("could this be weekly?").first).to_be_visible()
    assert_accessible(alex, scripting=False)


def test_the_settings_and_watch_button_work_without_javascript(
    page_for: PageFactory, note: str
) -> None:
    alex = no_script(page_for, ALEX)
    visit(alex, "/-/notifications")
    assert_accessible(alex, scripting=False)
    alex.select_option("select[name=digest_hour]", "17")
    with alex.expect_navigation():
        alex.get_by_role("button", name="Save settings").click()
    expect(alex.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(alex.locator("select[name=digest_hour]")).to_have_value("17")

    visit(alex, f"/{note}")
    with alex.expect_navigation():
        alex.get_by_role("button", name="Watch this document").click()
    expect(alex.get_by_role("button", name="Stop watching")).to_be_visible()
