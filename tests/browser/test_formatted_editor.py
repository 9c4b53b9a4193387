"""Formatted editing on the same Markdown: headings look like headings, marks show only around
the cursor, tables line up, and "Show plain Markdown" gives the text as it is stored."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.collab_helpers import (
    GOV_EDITOR,
    new_document,
    text_of,
    type_at_end,
    wait_for_text,
    wait_until_live,
    wait_until_saved,
)
from tests.browser.conftest import PageFactory

pytestmark = pytest.mark.browser

TABLE = "| Milestone | Due |\n|---|---|\n| Register opens | 2027 |\n"


def font_size(page: Page, selector: str) -> float:
    return float(
        page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )


@pytest.fixture
def editor(page_for: PageFactory) -> tuple[Page, str]:
    """A new document open in the government editor's live editor, formatted (the default)."""
    page = page_for(GOV_EDITOR)
    slug = new_document(page, "Formatted editing")
    wait_until_live(page)
    return page, slug


def test_typed_heading_renders_as_a_heading_while_the_text_stays_markdown(
    editor: tuple[Page, str],
) -> None:
    page, slug = editor
    type_at_end(page, "## Title\n\nBody with **bold** words.")
    wait_until_saved(page)
    heading = page.locator(".cm-line.cm-md-h2")
    expect(heading).to_have_count(1)
    # Away from the cursor the marks are hidden: the line reads as a heading would.
    expect(heading).to_have_text("Title")
    assert font_size(page, ".cm-line.cm-md-h2") > font_size(page, ".cm-line:not(.cm-md-heading)")
    assert heading.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    # The cursor's own line shows its marks, faded.
    body = page.locator(".cm-line", has_text="Body with")
    expect(body).to_have_text("Body with **bold** words.")
    expect(body.locator(".cm-md-mark").first).to_have_text("**")
    # The stored text is still the Markdown, on the server as in the shared Y.Text.
    assert "## Title\n\nBody with **bold** words." in text_of(page)
    stored = page.request.get(f"/api/docs/{slug}").json()["markdown"]
    assert "## Title\n\nBody with **bold** words." in stored
    # With the cursor on the heading its marks come back, and the body's go.
    heading.click()
    expect(heading.locator(".cm-md-mark")).to_have_text("##")
    expect(heading).to_have_text("## Title")
    expect(body).to_have_text("Body with bold words.")
    assert body.locator("strong, [class]", has_text="bold").count() >= 1


def test_plain_markdown_toggle_shows_the_marks_and_is_remembered(
    editor: tuple[Page, str],
) -> None:
    page, _slug = editor
    type_at_end(page, "## Title\n\nBody.")
    page.get_by_label("Show plain Markdown").check()
    expect(page.locator(".cm-md-heading")).to_have_count(0)
    expect(page.locator(".cm-line", has_text="Title")).to_have_text("## Title")
    page.reload()
    wait_until_live(page)
    expect(page.get_by_label("Show plain Markdown")).to_be_checked()
    expect(page.locator(".cm-md-heading")).to_have_count(0)
    page.get_by_label("Show plain Markdown").uncheck()
    page.locator(".cm-line", has_text="Body.").click()  # the cursor leaves the heading
    expect(page.locator(".cm-line.cm-md-h2")).to_have_text("Title")


def test_table_columns_line_up(editor: tuple[Page, str]) -> None:
    page, _slug = editor
    type_at_end(page, "\n" + TABLE + "\nAfter the table.")
    wait_for_text(page, "After the table.")
    rows = page.locator(".cm-line.cm-md-table")
    expect(rows).to_have_count(3)
    texts = rows.all_inner_texts()
    pipes = [[i for i, c in enumerate(text) if c == "|"] for text in texts]
    assert pipes[0] == pipes[1] == pipes[2], texts
    assert texts[1].startswith("|-------") and texts[2].startswith("| Register opens")
