"""Live co-editing in a real browser: people type together, go offline, and read along."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.browser.collab_helpers import (
    CSO_EDITOR,
    CSO_ORGANISATION,
    GOV_EDITOR,
    LIVE_TIMEOUT_MS,
    RECORD_UPDATE_FRAMES,
    REVIEWER,
    new_document,
    open_editor,
    share,
    status_of,
    text_of,
    type_at_end,
    type_at_start,
    wait_for_text,
    wait_until_live,
    wait_until_saved,
)
from tests.browser.conftest import PageFactory

pytestmark = pytest.mark.browser


def go_offline(page: Page, page_for: PageFactory) -> None:
    """Cut the page's network; the failed polls that follow are expected."""
    page_for.guard(page).allow(r"ERR_INTERNET_DISCONNECTED")
    page.context.set_offline(True)


@pytest.fixture
def shared_doc(page_for: PageFactory) -> tuple[Page, Page, str]:
    """A new document open in the editors of a government and a civil-society person.

    The government person made it and gave the civil-society person's organisation edit.
    """
    gov = page_for(GOV_EDITOR)
    slug = new_document(gov)
    share(gov, slug, CSO_ORGANISATION)
    open_editor(gov, slug)
    cso = page_for(CSO_EDITOR)
    open_editor(cso, slug)
    return gov, cso, slug


def test_two_people_typing_at_once_converge_and_are_saved(
    shared_doc: tuple[Page, Page, str],
) -> None:
    gov, cso, slug = shared_doc
    type_at_end(gov, "\nAlex writes here.")
    type_at_start(cso, "Maria writes here.\n")
    for page in (gov, cso):
        wait_for_text(page, "Alex writes here.")
        wait_for_text(page, "Maria writes here.")
        wait_until_saved(page)
        expect(page.locator("#save-status")).to_have_text("All changes saved")
        expect(page.locator("#connection-status")).to_have_text("Connected")
    assert text_of(gov) == text_of(cso)
    stored = gov.request.get(f"/{slug}/raw").text()
    assert stored == text_of(gov)


def test_others_are_listed_and_their_cursors_labelled_by_class(
    shared_doc: tuple[Page, Page, str],
) -> None:
    gov, cso, _slug = shared_doc
    type_at_end(cso, " hello")
    expect(gov.locator("#presence")).to_contain_text("Maria Santos, Civil Society Network")
    expect(gov.locator("#presence")).to_contain_text("Civil society")
    expect(gov.locator("#presence")).to_contain_text(
        "Alex Morgan, Cabinet Office Transparency Team (you)"
    )
    caret = gov.locator(".cm-remote-caret.cm-remote-civil_society")
    expect(caret).to_contain_text(
        "Maria Santos, Civil Society Network (Civil society)", timeout=LIVE_TIMEOUT_MS
    )
    assert caret.get_attribute("style") is None  # the CSP blocks style attributes
    cso.keyboard.press("Shift+Home")
    expect(gov.locator(".cm-remote-selection.cm-remote-civil_society")).to_have_count(1)


def test_edits_made_offline_merge_when_back_online(
    shared_doc: tuple[Page, Page, str], page_for: PageFactory
) -> None:
    gov, cso, _slug = shared_doc
    go_offline(gov, page_for)
    expect(gov.locator("#connection-status")).to_have_text("Offline")
    type_at_end(gov, "\nWritten offline.")
    expect(gov.locator("#save-status")).to_have_text(re.compile(r"^\d+ unsaved changes?$"))
    assert int(str(status_of(gov)["unsaved"])) > 0
    type_at_start(cso, "Meanwhile online. ")
    gov.context.set_offline(False)
    wait_until_saved(gov)
    for page in (gov, cso):
        wait_for_text(page, "Written offline.")
        wait_for_text(page, "Meanwhile online. ")
    assert text_of(gov) == text_of(cso)


def test_editor_works_over_polling_when_websockets_are_blocked(page_for: PageFactory) -> None:
    gov = page_for(GOV_EDITOR)
    gov.route_web_socket(
        re.compile(r"/socket\.io/"), lambda ws: ws.close()
    )  # a proxy that strips upgrades
    page_for.guard(gov).allow(r"WebSocket")
    slug = new_document(gov)
    wait_until_live(gov)
    cso = page_for(CSO_EDITOR)
    open_editor(cso, slug)
    posted: list[str] = []
    gov.on(
        "request",
        lambda r: (
            posted.append(r.post_data or "")
            if "/socket.io/" in r.url and r.method == "POST"
            else None
        ),
    )
    type_at_end(gov, "\nThrough the proxy.")
    wait_for_text(cso, "Through the proxy.")
    wait_until_saved(gov)
    assert (
        gov.evaluate("() => window.jointly.provider.socket.io.engine.transport.name") == "polling"
    )
    # Each frame is one packet of text: no POST carries a binary attachment ("b" + base64)
    packets = [packet for body in posted for packet in body.split("\x1e")]
    assert any('"msg_base64"' in packet for packet in packets)
    assert not [packet for packet in packets if packet.startswith("b")]


def test_reviewer_reads_along_but_cannot_edit_or_send(
    shared_doc: tuple[Page, Page, str], page_for: PageFactory
) -> None:
    gov, _cso, slug = shared_doc
    reviewer = page_for(REVIEWER)
    reviewer.goto(f"/{slug}/edit")
    reviewer.wait_for_function(
        "() => window.jointly && window.jointly.view", timeout=LIVE_TIMEOUT_MS
    )
    reviewer.evaluate(RECORD_UPDATE_FRAMES)
    expect(reviewer.locator(".cm-content")).to_have_attribute("contenteditable", "false")
    expect(reviewer.locator("#save-status")).to_have_text("View only")
    type_at_end(gov, "\nRead this live.")
    wait_for_text(reviewer, "Read this live.")
    before = text_of(reviewer)
    reviewer.click(".cm-content")
    reviewer.keyboard.type("nope")
    assert text_of(reviewer) == before
    assert reviewer.evaluate("() => window.sentUpdateFrames") == []


def test_undo_reverts_only_ones_own_edits(shared_doc: tuple[Page, Page, str]) -> None:
    gov, cso, _slug = shared_doc
    type_at_end(gov, "\nMine.")
    wait_for_text(cso, "Mine.")
    type_at_start(cso, "Theirs. ")
    wait_for_text(gov, "Theirs. ")
    gov.click(".cm-content")
    gov.keyboard.press("Control+z")
    for page in (gov, cso):
        page.wait_for_function(
            "() => !window.jointly.ytext.toString().includes('Mine.')", timeout=LIVE_TIMEOUT_MS
        )
        assert "Theirs. " in text_of(page)


def test_toolbar_and_shortcuts_format_markdown(page_for: PageFactory) -> None:
    gov = page_for(GOV_EDITOR)
    new_document(gov)
    wait_until_live(gov)
    type_at_end(gov, "\nword")
    gov.keyboard.press("Shift+Control+ArrowLeft")
    gov.keyboard.press("Control+b")
    wait_for_text(gov, "**word**")
    gov.get_by_role("button", name="Bulleted list").click()
    wait_for_text(gov, "- **word**")
    toolbar = gov.get_by_role("toolbar", name="Formatting")
    expect(toolbar.get_by_role("button", name="Link")).to_have_attribute(
        "aria-keyshortcuts", "Control+K"
    )
    expect(gov.locator("#preview strong")).to_have_text("word", timeout=LIVE_TIMEOUT_MS)


def test_leaving_with_unsaved_changes_asks_first(
    shared_doc: tuple[Page, Page, str], page_for: PageFactory
) -> None:
    gov, _cso, _slug = shared_doc
    go_offline(gov, page_for)
    type_at_end(gov, "\nNot yet stored.")
    dialogs: list[str] = []

    def answer(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    gov.on("dialog", answer)
    gov.close(run_before_unload=True)
    gov.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]


def test_formatting_toggles_headings_lists_and_links(page_for: PageFactory) -> None:
    gov = page_for(GOV_EDITOR)
    new_document(gov)
    wait_until_live(gov)
    type_at_end(gov, "\nfirst\nsecond")
    gov.keyboard.press("Shift+ArrowUp")
    gov.keyboard.press("Control+Shift+7")
    wait_for_text(gov, "1. first\n2. second")
    gov.keyboard.press("Control+Shift+7")
    wait_for_text(gov, "\nfirst\nsecond")
    gov.keyboard.press("Control+Alt+2")
    wait_for_text(gov, "## first\n## second")
    gov.keyboard.press("Control+Alt+3")
    wait_for_text(gov, "### first\n### second")
    gov.keyboard.press("Control+End")
    gov.keyboard.press("Shift+Home")
    gov.keyboard.press("Control+k")
    gov.keyboard.type("https://example.org/plan")
    wait_for_text(gov, "[### second](https://example.org/plan)")
