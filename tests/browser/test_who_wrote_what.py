"""'Show who wrote what' in the live editor: the server's attribution, marked by kind of
organisation with a pattern and a text a screen reader reads, live as others type."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.collab_helpers import (
    CSO_EDITOR,
    CSO_ORGANISATION,
    GOV_EDITOR,
    new_document,
    open_editor,
    share,
    type_at_end,
    wait_for_text,
    wait_until_saved,
)
from tests.browser.conftest import PageFactory
from tests.browser.test_accessibility import describe, run_axe

pytestmark = pytest.mark.browser

GOV_TEXT = "## Why this plan\n\nThe ministry publishes every contract."
CSO_TEXT = "We ask for an open register of owners."
CSO_LABEL = "[civil society: Civil Society Network, Maria Santos]"
MARIA = "Maria Santos, Civil Society Network (civil society)"
LIVE_MARK_S = 2.0  # the promise: marked within 2 s of being typed


def accessible_texts(page: Page) -> list[str]:
    """The text nodes inside the editor's textbox, from Chromium's accessibility tree."""
    session = page.context.new_cdp_session(page)
    try:
        root = session.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        content = session.send("DOM.querySelector", {"nodeId": root, "selector": ".cm-content"})
        tree = session.send(
            "Accessibility.getPartialAXTree",
            {"nodeId": content["nodeId"], "fetchRelatives": False},
        )
        textbox = tree["nodes"][0]
        assert textbox["role"]["value"] == "textbox", textbox
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    by_id = {node["nodeId"]: node for node in nodes}
    inside: list[str] = []
    stack = [textbox["nodeId"]]
    while stack:
        node = by_id.get(stack.pop())
        if node is None:
            continue
        if node.get("role", {}).get("value") == "StaticText":
            inside.append(node.get("name", {}).get("value", ""))
        stack.extend(reversed(node.get("childIds", [])))
    return inside


def test_cso_sentence_is_marked_live_in_the_government_editor(page_for: PageFactory) -> None:
    gov = page_for(GOV_EDITOR)
    slug = new_document(gov, "Who wrote what")
    share(gov, slug, CSO_ORGANISATION)
    open_editor(gov, slug)
    type_at_end(gov, GOV_TEXT)
    wait_until_saved(gov)
    cso = page_for(CSO_EDITOR)
    open_editor(cso, slug)
    gov.get_by_label("Show who wrote what").check()
    expect(gov.locator(".cm-by-government").first).to_be_visible()

    type_at_end(cso, "\n\n" + CSO_TEXT)
    typed = time.monotonic()
    marked = gov.locator(".cm-by-civil_society", has_text="open register")
    marked.first.wait_for(timeout=LIVE_MARK_S * 1000)
    assert time.monotonic() - typed <= LIVE_MARK_S
    # A pattern, not colour alone.
    expect(marked.first).to_have_css("text-decoration-style", "dashed")
    title = marked.first.get_attribute("title") or ""
    assert title.startswith(f"Written by {MARIA}, revision "), title

    # A screen reader reads who wrote it: the label is in the editor's accessibility tree.
    texts = accessible_texts(gov)
    assert CSO_LABEL in texts, texts
    assert "[government: Cabinet Office Transparency Team, Alex Morgan]" in texts, texts
    # The cursor in her sentence says who wrote it.
    marked.first.click()
    expect(gov.locator("#authorship-here")).to_contain_text("Maria Santos, Civil Society Network")
    # One summary line per paragraph, reachable by keyboard.
    summaries = gov.locator("#authorship-paragraphs button")
    expect(summaries).to_have_count(3)
    expect(summaries.nth(2)).to_contain_text("100% civil society")
    expect(summaries.nth(0)).to_contain_text("Why this plan”: 100% government")
    summaries.nth(0).focus()
    gov.keyboard.press("ArrowDown")
    expect(summaries.nth(1)).to_be_focused()
    gov.keyboard.press("Enter")
    expect(gov.locator(".cm-content")).to_be_focused()

    # The marks follow the text: her next words are marked too.
    type_at_end(cso, " Soon.")
    wait_for_text(gov, "owners. Soon.")
    expect(gov.locator(".cm-by-civil_society", has_text="Soon.")).to_have_count(1)

    # axe finds nothing with both toggles on, formatted and as plain Markdown.
    for plain in (False, True):
        gov.get_by_label("Show plain Markdown").set_checked(plain)
        violations = run_axe(gov)
        assert not violations, describe(violations)
    # Off again: no marks, no panel.
    gov.get_by_label("Show who wrote what").uncheck()
    expect(gov.locator(".cm-content .cm-by")).to_have_count(0)
    expect(gov.locator("#authorship-panel")).to_be_hidden()
    gov.get_by_label("Show plain Markdown").uncheck()
