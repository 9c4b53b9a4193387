"""A paste larger than one change may be fails politely: a clear message, nothing lost."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.collab_helpers import (
    GOV_EDITOR,
    RECORD_UPDATE_FRAMES,
    new_document,
    status_of,
    text_of,
    type_at_end,
    wait_until_live,
    wait_until_saved,
)
from tests.browser.conftest import PageFactory

pytestmark = pytest.mark.browser

PASTE_2_MB = """() => {
  const data = new DataTransfer();
  data.setData("text/plain", "x".repeat(2 * 1024 * 1024));
  const content = document.querySelector(".cm-content");
  content.focus();
  const paste = { clipboardData: data, bubbles: true, cancelable: true };
  content.dispatchEvent(new ClipboardEvent("paste", paste));
}"""


def test_a_two_megabyte_paste_is_refused_in_the_editor_and_earlier_edits_stay_saved(
    page_for: PageFactory,
) -> None:
    page = page_for(GOV_EDITOR)
    slug = new_document(page, "Big paste test")
    wait_until_live(page)
    type_at_end(page, "Saved before the paste.")
    wait_until_saved(page)
    before = text_of(page)
    page.evaluate(RECORD_UPDATE_FRAMES)
    page.evaluate(PASTE_2_MB)
    alert = page.locator("#collab-alert")
    expect(alert).to_contain_text("That change was not made: it adds 2.0 MB")
    expect(alert).to_contain_text("Paste it in smaller parts")
    assert text_of(page) == before  # the shared doc never took it
    assert page.evaluate("() => window.sentUpdateFrames") == []
    page.wait_for_timeout(1500)  # no reconnect loop: the socket stays as it was
    assert status_of(page)["connection"] == "Connected"
    type_at_end(page, " And after it.")
    wait_until_saved(page)
    stored = page.request.get(f"/{slug}/raw").text()
    assert stored == text_of(page) and stored.endswith("Saved before the paste. And after it.")
