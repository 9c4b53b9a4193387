"""The plain form, for people without JavaScript, merges with live editing, overwriting nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.collab_helpers import (
    CSO_EDITOR,
    CSO_ORGANISATION,
    GOV_EDITOR,
    new_document,
    open_editor,
    share,
    text_of,
    type_at_end,
    type_at_start,
    wait_for_text,
    wait_until_saved,
)
from tests.browser.conftest import PageFactory

pytestmark = pytest.mark.browser


def test_form_submitted_without_javascript_merges_with_live_typing(
    page_for: PageFactory,
) -> None:
    live = page_for(GOV_EDITOR)
    slug = new_document(live)
    share(live, slug, CSO_ORGANISATION)  # so the civil-society editor may save the form
    open_editor(live, slug)
    type_at_end(live, "First line from the live editor.\n")
    wait_until_saved(live)

    plain = page_for(CSO_EDITOR, java_script_enabled=False)
    plain.goto(f"/{slug}/edit")
    textarea = plain.locator("textarea[name=text]")
    expect(textarea).to_have_value("First line from the live editor.\n")

    # While the form is open, the live editor keeps typing; the form's base is now old.
    type_at_start(live, "Typed live meanwhile. ")
    wait_until_saved(live)

    textarea.fill(textarea.input_value() + "Added through the plain form.\n")
    plain.get_by_role("button", name="Save changes").click()
    plain.wait_for_url(f"**/{slug}")
    expect(plain.locator(".notice")).to_contain_text("Your changes are saved.")

    wait_for_text(live, "Added through the plain form.")
    stored = live.request.get(f"/{slug}/raw").text()
    assert stored == text_of(live)
    assert stored == (
        "Typed live meanwhile. First line from the live editor.\nAdded through the plain form.\n"
    )
