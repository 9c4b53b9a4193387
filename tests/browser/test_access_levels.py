"""Access levels in the live editor: a commenter reads along, and edits once granted, unreloaded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.collab_helpers import (
    CSO_EDITOR,
    CSO_ORGANISATION,
    GOV_EDITOR,
    LIVE_TIMEOUT_MS,
    RECORD_UPDATE_FRAMES,
    new_document,
    share,
    text_of,
    type_at_end,
    wait_until_live,
    wait_until_saved,
)
from tests.browser.conftest import PageFactory

pytestmark = pytest.mark.browser

READ_ALONG = "You can read along as others edit, but you cannot change this document."
EDITING = "Your changes are saved as you type, and everyone here sees them at once."
NOW_EDITABLE = "You can now edit this document."


def test_edit_granted_while_reading_along_makes_the_editor_editable_without_reloading(
    page_for: PageFactory,
) -> None:
    owner = page_for(GOV_EDITOR)
    slug = new_document(owner, "Access levels test")  # network: other members comment
    wait_until_live(owner)

    member = page_for(CSO_EDITOR)  # Civil Society Network: may comment, not edit
    member.goto(f"/{slug}/edit")
    wait_until_live(member)
    member.evaluate("() => { window.sameLoad = true; }")  # gone if the page reloads
    member.evaluate(RECORD_UPDATE_FRAMES)
    content = member.locator(".cm-content")
    expect(content).to_have_attribute("contenteditable", "false")
    expect(member.locator("#live-editor-hint")).to_have_text(READ_ALONG)
    expect(member.locator("#save-status")).to_have_text("View only")
    expect(member.locator("#editor-toolbar")).to_be_hidden()
    before = text_of(member)
    type_at_end(member, "Not allowed yet.")
    assert text_of(member) == before
    assert member.evaluate("() => window.sentUpdateFrames") == []

    share(owner, slug, CSO_ORGANISATION, "edit")  # the owner's own browser, on the Sharing page

    expect(member.locator("#collab-alert")).to_have_text(NOW_EDITABLE, timeout=LIVE_TIMEOUT_MS)
    expect(content).to_have_attribute("contenteditable", "true")
    expect(member.locator("#live-editor-hint")).to_have_text(EDITING)
    expect(member.locator("#editor-toolbar")).to_be_visible()
    type_at_end(member, "Written once allowed.")
    wait_until_saved(member)
    expect(member.locator("#save-status")).to_have_text("All changes saved")
    assert member.evaluate("() => window.sameLoad") is True
    assert member.evaluate("() => window.sentUpdateFrames").count(2) >= 1  # sent as updates
    stored = owner.request.get(f"/{slug}/raw").text()
    assert "Written once allowed." in stored and "Not allowed yet." not in stored
    assert stored == text_of(member)
