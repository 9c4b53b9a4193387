"""Renaming a document: the old address still leads readers to it, and is missing to outsiders."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.collab_helpers import (
    CSO_EDITOR,
    GOV_EDITOR,
    new_document,
    open_editor,
    type_at_end,
    wait_for_text,
    wait_until_live,
    wait_until_saved,
)
from tests.browser.conftest import PageFactory

pytestmark = pytest.mark.browser


def test_renaming_keeps_the_old_address_for_readers_and_404_for_outsiders(
    page_for: PageFactory,
) -> None:
    owner = page_for(GOV_EDITOR)
    old = new_document(owner, title="Draft to rename")  # members of the network may read it
    new = f"renamed-{uuid.uuid4().hex[:8]}"
    open_editor(owner, old)
    type_at_end(owner, "Written before the rename.\n")
    wait_until_saved(owner)

    owner.goto(f"/{old}")
    owner.get_by_role("link", name="Rename, archive or delete").click()
    owner.get_by_label("Title").fill("Open contracting plan")
    owner.get_by_label("Address").fill(new)
    with owner.expect_navigation():
        owner.get_by_role("button", name="Rename").click()
    assert owner.url.endswith(f"/{new}")
    expect(owner.locator("h1")).to_have_text("Open contracting plan")
    expect(owner.locator(".notice")).to_contain_text(f"/{old} leads here")

    reader = page_for(CSO_EDITOR)
    reader.goto(f"/{old}")
    assert reader.url.endswith(f"/{new}")
    expect(reader.locator("h1")).to_have_text("Open contracting plan")
    expect(reader.locator(".markdown")).to_contain_text("Written before the rename.")

    outsider = page_for(None)
    gone = outsider.goto(f"/{old}")
    assert gone is not None and gone.status == 404
    assert outsider.url.endswith(f"/{old}")  # not sent on: it is as missing as any address
    expect(outsider.locator("h1")).to_have_text("Page not found")
    missing = outsider.goto(f"/never-{uuid.uuid4().hex[:8]}")
    assert missing is not None and missing.status == 404

    # Live editing goes on at the new address, and a live view opened at the old one.
    reader.goto(f"/{old}/edit")
    assert reader.url.endswith(f"/{new}/edit")
    wait_until_live(reader)
    open_editor(owner, new)
    type_at_end(owner, "Written after the rename.\n")
    wait_until_saved(owner)
    wait_for_text(reader, "Written after the rename.")
