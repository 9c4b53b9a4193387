"""Downloads are buttons that work without JavaScript; an image in a page cannot make one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.collab_helpers import GOV_EDITOR
from tests.browser.conftest import PageFactory

pytestmark = pytest.mark.browser

DRAFT = "final-draft"  # the demo's restricted draft, owned by Alex's Cabinet Office team

# Loads each address as an <img> in the current page and waits until every one has failed
# or loaded: what ![chart](/final-draft/export.md) would make a reader's browser do.
LOAD_AS_IMAGES = """(sources) => Promise.all(sources.map((src) => new Promise((done) => {
  const image = document.createElement("img");
  image.alt = "";
  image.onload = image.onerror = () => done(src);
  image.src = src;
  document.body.append(image);
})))"""


def newest_audit_details(page: Page, count: int) -> list[str]:
    """The Detail column of the newest ``count`` rows of the draft's audit log."""
    page.goto(f"/{DRAFT}/audit")
    rows = page.locator("table.audit-log tbody tr")
    return [rows.nth(i).locator("td").last.inner_text() for i in range(count)]


def test_download_buttons_work_without_javascript(page_for: PageFactory) -> None:
    page = page_for(GOV_EDITOR, java_script_enabled=False)
    page.goto(f"/{DRAFT}")
    for label, extension in (("Download Markdown", "md"), ("Download HTML", "html")):
        with page.expect_download() as started:
            page.get_by_role("button", name=label).click()
        download = started.value
        assert re.fullmatch(rf"{DRAFT}-revision-\d+\.{extension}", download.suggested_filename)
        body = Path(download.path()).read_text(encoding="utf-8")
        assert "Exported for Alex" in body, body[-300:]
    assert newest_audit_details(page, 3)[1:] == ["html", "markdown"]


def test_an_image_of_a_draft_records_nothing_in_its_readers_name(page_for: PageFactory) -> None:
    page = page_for(GOV_EDITOR)
    page_for.guard(page).allow(r"Failed to load resource")  # the refused images, on purpose
    before = newest_audit_details(page, 1)
    assert before == [f"/{DRAFT}/audit"]
    page.goto("/")  # a page of the same site, where an author's image would be
    sources = [
        f"/{DRAFT}/export.md",
        f"/{DRAFT}/export.html",
        f"/{DRAFT}",
        f"/{DRAFT}/raw",
        f"/{DRAFT}/history",
        f"/api/docs/{DRAFT}",
    ]
    assert page.evaluate(LOAD_AS_IMAGES, sources) == sources
    # Only the two openings of the audit log itself: no export, no reading.
    assert newest_audit_details(page, 2) == [f"/{DRAFT}/audit", f"/{DRAFT}/audit"]
