"""The `@` names offered in the editor's comment form: found, chosen by keyboard, announced."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.collab_helpers import LIVE_TIMEOUT_MS, open_editor
from tests.browser.conftest import PageFactory
from tests.browser.test_comments import (
    COMMENTER,
    SENTENCE,
    assert_no_axe_violations,
    government_draft,
    select_line,
)

pytestmark = pytest.mark.browser

TEAM = "Cabinet Office Transparency Team"  # the demo's government team (wiki/demo.py)
LISTBOX = "People and organisations to mention"


def active_option(page: Page, body: Locator) -> Locator:
    """The option the comment box names as active (aria-activedescendant), which must exist."""
    active = body.get_attribute("aria-activedescendant")
    assert active, "no active option announced"
    option = page.locator(f"#{active}")
    expect(option).to_have_attribute("role", "option")
    expect(option).to_have_attribute("aria-selected", "true")
    return option


def test_typing_an_at_offers_names_chosen_with_arrow_keys_and_enter(
    page_for: PageFactory,
) -> None:
    gov, slug = government_draft(page_for)
    cso = page_for(COMMENTER)
    open_editor(cso, slug)
    select_line(cso, SENTENCE)
    cso.keyboard.press("Control+Alt+m")
    body = cso.get_by_label("Your comment")
    expect(body).to_be_focused()
    listbox = cso.get_by_role("listbox", name=LISTBOX)
    expect(body).to_have_attribute("aria-autocomplete", "list")
    expect(listbox).to_be_hidden()

    # A bare `@` offers everyone who may read the draft; the arrow keys move the active name.
    cso.keyboard.type("Please ask @")
    expect(listbox).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    assert body.get_attribute("aria-controls") == listbox.get_attribute("id")
    options = listbox.get_by_role("option")
    assert options.count() > 2
    ids = [options.nth(n).get_attribute("id") or "" for n in range(options.count())]
    expect(body).to_have_attribute("aria-activedescendant", ids[0])
    first = active_option(cso, body)
    cso.keyboard.press("ArrowDown")
    expect(body).to_have_attribute("aria-activedescendant", ids[1])
    active_option(cso, body)
    expect(first).to_have_attribute("aria-selected", "false")
    cso.keyboard.press("ArrowUp")
    cso.keyboard.press("ArrowUp")  # from the first, up wraps round to the last
    expect(body).to_have_attribute("aria-activedescendant", ids[-1])
    active_option(cso, body)

    # `@Cab` narrows them to the Cabinet Office team, announced as the one active option.
    cso.keyboard.type("Cab")
    team = listbox.get_by_role("option", name=f"{TEAM} (organisation)")
    expect(options).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(team).to_be_visible()
    expect(active_option(cso, body)).to_have_text(f"{TEAM} (organisation)")
    assert_no_axe_violations(cso)
    cso.keyboard.press("ArrowDown")  # one name: it stays the active one
    cso.keyboard.press("Enter")
    expect(body).to_have_value(f"Please ask @[{TEAM}] ")
    expect(listbox).to_be_hidden()
    assert body.get_attribute("aria-activedescendant") is None
    expect(body).to_be_focused()  # Enter chose the name; it did not send the comment

    # What was inserted is what the server reads as a mention: the team's editor is told.
    cso.keyboard.type("about tenders.")
    cso.locator("#comment-form").get_by_role("button", name="Add comment").click()
    expect(cso.locator("#comment-form")).to_be_hidden(timeout=LIVE_TIMEOUT_MS)
    inbox = gov.request.get("/-/inbox").text()
    assert "Kwame Mensah mentioned you or your organisation" in inbox
    assert "Please ask @[Cabinet Office Transparency Team] about tenders." in inbox
