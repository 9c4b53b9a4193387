"""The timeslider on the history page: three revisions stepped through without JavaScript
(previous/next links) and with it (the slider, play/pause), with axe finding nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.collab_helpers import (
    CSO_EDITOR,
    CSO_ORGANISATION,
    GOV_EDITOR,
    new_document,
    share,
)
from tests.browser.conftest import PageFactory
from tests.browser.test_accessibility import describe, run_axe

pytestmark = pytest.mark.browser

TEXTS = [
    "The ministry publishes contracts.\n",
    "The ministry publishes contracts.\n\nWe ask for tenders too.\n",
    "The ministry publishes contracts and tenders.\n\nWe ask for tenders too.\n",
]


def save_form(page: Page, slug: str, text: str) -> None:
    """Save ``text`` through the plain edit form (a context without JavaScript)."""
    page.goto(f"/{slug}/edit")
    page.fill("textarea[name=text]", text)
    with page.expect_navigation():
        page.get_by_role("button", name="Save changes").click()


def story(page_for: PageFactory) -> tuple[Page, str]:
    """A document with three revisions, alternately by government and civil society."""
    gov = page_for(GOV_EDITOR, java_script_enabled=False)
    slug = new_document(gov, "Timeslider test")
    share(gov, slug, CSO_ORGANISATION)
    cso = page_for(CSO_EDITOR, java_script_enabled=False)
    for page, text in zip([gov, cso, gov], TEXTS, strict=True):
        save_form(page, slug, text)
    return gov, slug


def frame_title(page: Page) -> str:
    return page.locator("#frame-title").inner_text()


def test_timeslider_steps_through_three_revisions(page_for: PageFactory) -> None:
    plain, slug = story(page_for)
    # Without JavaScript: the history page links to it, and previous/next links step.
    plain.goto(f"/{slug}/history")
    plain.get_by_role("link", name="In the timeslider (revision 1)").click()
    assert frame_title(plain) == "Revision 1 of 3"
    expect(plain.locator("#timeslider-frame ins.by-government")).to_contain_text(
        "publishes contracts"
    )
    plain.get_by_role("link", name="Next revision").click()
    assert frame_title(plain) == "Revision 2 of 3"
    added = plain.locator("#timeslider-frame ins.by-civil_society")
    expect(added).to_contain_text("We ask for tenders too.")
    expect(added.locator(".change-label").first).to_contain_text(
        "Maria Santos, Civil Society Network"
    )
    plain.get_by_role("link", name="Next revision").click()
    assert frame_title(plain) == "Revision 3 of 3"
    expect(plain.locator("#timeslider-frame ins.by-government")).to_contain_text("and tenders")
    expect(plain.get_by_role("link", name="Next revision")).to_have_count(0)
    expect(plain.get_by_role("link", name="Changes in revision 3")).to_have_attribute(
        "href", f"/{slug}/diff?from=2&to=3"
    )
    plain.get_by_role("link", name="Previous revision").click()
    assert frame_title(plain) == "Revision 2 of 3"
    expect(plain.get_by_role("button", name="Restore revision 2")).to_be_visible()
    violations = run_axe(plain, scripting=False)
    assert not violations, describe(violations)

    # With JavaScript: the slider, the links and the player swap the step in place.
    live = page_for(GOV_EDITOR)
    live.goto(f"/{slug}/history/timeslider?revision=1")
    slider = live.get_by_label("Revision (1 to 3)")
    expect(live.get_by_role("button", name="Play")).to_be_visible()
    expect(live.get_by_role("button", name="Show this revision")).to_be_hidden()
    live.evaluate("window.loadedOnce = true")  # gone if the page navigated
    slider.focus()
    live.keyboard.press("ArrowRight")
    expect(live.locator("#frame-title")).to_have_text("Revision 2 of 3")
    expect(slider).to_have_attribute("aria-valuetext", "Revision 2 of 3")
    assert live.url.endswith("revision=2")
    live.get_by_role("link", name="Previous revision").click()
    expect(live.locator("#frame-title")).to_have_text("Revision 1 of 3")
    live.get_by_label("Speed").select_option("4")
    live.get_by_role("button", name="Play").click()
    expect(live.get_by_role("button", name="Pause")).to_have_attribute("aria-pressed", "true")
    expect(live.locator("#frame-title")).to_have_text("Revision 3 of 3")
    expect(live.get_by_role("button", name="Play")).to_have_attribute("aria-pressed", "false")
    expect(live.locator("#ts-status")).to_contain_text("The last revision")
    expect(live.locator("#timeslider-frame ins.by-government")).to_contain_text("and tenders")
    assert live.evaluate("window.loadedOnce") is True
    violations = run_axe(live)
    assert not violations, describe(violations)
