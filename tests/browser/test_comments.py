"""Comments and suggestions: live in the editor between two sides, and with plain forms."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.collab_helpers import (
    GOV_EDITOR,
    LIVE_TIMEOUT_MS,
    new_document,
    open_editor,
    text_of,
    wait_for_text,
    wait_until_live,
    wait_until_saved,
)
from tests.browser.conftest import PageFactory
from tests.browser.test_accessibility import describe, run_axe

pytestmark = pytest.mark.browser

COMMENTER = "kwame@openownership.example.org"  # Kwame Mensah, Open Ownership Network: comments
KWAME = "Kwame Mensah, Open Ownership Network"
ALEX = "Alex Morgan"
HEADING = "# Open contracting"
SENTENCE = "The department publishes every contract within 30 days."
SECOND = "Civil society is consulted once a year."
NEW_WORDS = "Citizens and watchdogs review each tender openly before award."
DRAFT = f"{HEADING}\n\n{SENTENCE}\n\n{SECOND}\n"


def government_draft(page_for: PageFactory) -> tuple[Page, str]:
    """A new network document, drafted live by the government editor (whose page stays open)."""
    gov = page_for(GOV_EDITOR)
    slug = new_document(gov, "Comments test")
    wait_until_live(gov)
    gov.evaluate("text => window.jointly.ytext.insert(0, text)", DRAFT)
    wait_until_saved(gov)
    return gov, slug


def select_line(page: Page, words: str) -> None:
    """Select ``words``, a whole line of the text, with the keyboard, as a person would."""
    content = page.locator(".cm-content")
    content.focus()
    page.evaluate(
        """words => {
          const view = window.jointly.view;
          view.dispatch({selection: {anchor: view.state.doc.toString().indexOf(words)}});
        }""",
        words,
    )
    page.keyboard.press("Shift+End")
    assert selected_text(page) == words


def selected_text(page: Page) -> str:
    """The words selected in the page's editor."""
    return str(
        page.evaluate(
            "() => { const {from, to} = window.jointly.view.state.selection.main;"
            " return window.jointly.view.state.sliceDoc(from, to); }"
        )
    )


def thread(page: Page, name: str) -> Locator:
    """The panel's thread named ``name`` ("Comment 3", "Suggestion 4")."""
    return page.locator("#comment-threads article").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^{name}\b"))
    )


def thread_name(page: Page) -> str:
    """The name of the newest thread in the panel."""
    heading = page.locator("#comment-threads article h3").last.inner_text()
    match = re.match(r"(Comment|Suggestion) \d+", heading)
    assert match, heading
    return match.group(0)


def attribution_of(page: Page, slug: str, words: str) -> dict[str, Any]:
    """The attribution API's paragraph holding ``words``, once attribution has caught up."""
    deadline = time.monotonic() + LIVE_TIMEOUT_MS / 1000
    while True:
        answer = page.request.get(f"/api/docs/{slug}/attribution")
        assert answer.ok, answer.status
        for paragraph in answer.json()["paragraphs"]:
            if words in paragraph["text"] and paragraph["shares"]["civil_society"] > 0:
                return dict(paragraph)
        if time.monotonic() > deadline:
            pytest.fail(f"no paragraph credits {words!r} to civil society: {answer.json()}")
        time.sleep(0.25)


def test_a_comment_and_a_suggestion_travel_live_between_the_two_sides(
    page_for: PageFactory,
) -> None:
    gov, slug = government_draft(page_for)
    cso = page_for(COMMENTER)
    open_editor(cso, slug)
    expect(cso.locator(".cm-content")).to_have_attribute("contenteditable", "false")

    # The civil-society member selects a sentence of the read-only draft and comments on it.
    select_line(cso, SENTENCE)
    cso.keyboard.press("Control+Alt+m")  # the shortcut the help lists
    expect(cso.locator("#shortcut-list")).to_contain_text(
        "Comment on the selected words: Ctrl+Alt+M"
    )
    form = cso.locator("#comment-form")
    expect(form.get_by_role("heading")).to_have_text("Comment on the selected words")
    expect(cso.get_by_label("Your comment")).to_be_focused()
    cso.get_by_label("Your comment").fill("Why only contracts?\nTenders matter too.")
    form.get_by_role("button", name="Add comment").click()
    expect(form).to_be_hidden()
    expect(cso.locator("#comments-news")).to_contain_text(
        "Your comment on", timeout=LIVE_TIMEOUT_MS
    )

    # The government editor's page, open all along, shows it beside the words without reload.
    gov.evaluate("() => { window.sameLoad = true; }")
    mark = gov.locator(".cm-comment.cm-comment-civil_society")
    expect(mark).to_have_text(SENTENCE, timeout=LIVE_TIMEOUT_MS)
    assert "Open Ownership Network (Civil society)" in (mark.get_attribute("title") or "")
    name = thread_name(gov)
    shown = thread(gov, name)
    expect(shown).to_contain_text(KWAME)
    expect(shown.locator(".kind-tag")).to_have_text("Civil society")
    expect(shown.locator(".quote")).to_have_text(SENTENCE)
    expect(shown.locator(".comment-body")).to_have_text("Why only contracts?\nTenders matter too.")
    expect(gov.locator("#comments-news")).to_contain_text(f"New comment from {KWAME}")

    # Clicking the thread selects its words in the editor.
    shown.get_by_role("button", name=re.compile("^Show in the text")).click()
    expect(gov.locator(".cm-comment-active")).to_have_text(SENTENCE)
    assert selected_text(gov) == SENTENCE

    # The editor replies and resolves it; the member sees both at once.
    shown.get_by_role("button", name=re.compile("^Reply")).click()
    gov.get_by_label(re.compile("^Your reply")).fill("Tenders follow in commitment 2.")
    shown.get_by_role("button", name="Send reply").click()
    cso_thread = thread(cso, name)
    expect(cso_thread.locator(".replies")).to_contain_text(
        "Tenders follow in commitment 2.", timeout=LIVE_TIMEOUT_MS
    )
    expect(cso_thread.locator(".replies")).to_contain_text(ALEX)
    expect(cso.locator("#comments-news")).to_contain_text(f"{ALEX}, Cabinet Office")
    shown.get_by_role("button", name=re.compile("^Resolve")).click()
    expect(cso.locator("#comments-news")).to_have_text(
        f"{name} was resolved by {ALEX}.", timeout=LIVE_TIMEOUT_MS
    )
    expect(cso_thread).to_have_count(0)  # the panel lists open threads
    expect(cso.locator(".cm-comment")).to_have_count(0)
    cso.get_by_label("Also show resolved, accepted and rejected threads").check()
    expect(thread(cso, name).locator(".decision")).to_have_text(f"Resolved by {ALEX}.")

    # A suggested rewording, accepted by the government editor, changes the text for both.
    select_line(cso, SECOND)
    cso.get_by_role("button", name="Suggest a rewording").click()
    expect(cso.get_by_label("Suggested wording")).to_be_focused()
    cso.get_by_label("Suggested wording").fill(NEW_WORDS)
    cso.get_by_label("Why (optional)").fill("Consultation must be continuous.")
    cso.locator("#comment-form").get_by_role("button", name="Suggest").click()
    suggestion = gov.locator("#comment-threads article").filter(has_text=NEW_WORDS)
    expect(suggestion).to_contain_text("Suggests instead:", timeout=LIVE_TIMEOUT_MS)
    expect(gov.locator(".cm-comment")).to_have_text(SECOND)
    suggestion.get_by_role("button", name=re.compile("^Accept")).click()
    for page in (gov, cso):
        wait_for_text(page, NEW_WORDS)
        assert SECOND not in text_of(page)
    assert text_of(gov) == text_of(cso) == gov.request.get(f"/{slug}/raw").text()
    expect(cso.locator("#comments-news")).to_contain_text("was accepted by Alex Morgan")
    assert gov.evaluate("() => window.sameLoad") is True

    credited = attribution_of(gov, slug, NEW_WORDS)
    assert "Kwame Mensah" in credited["people"]
    assert "Open Ownership Network" in credited["organisations"]


def comment_link(page: Page, words: str) -> Locator:
    """The read page's "Comment or suggest" link of the paragraph holding ``words``."""
    block = page.locator(".markdown .block").filter(has_text=words)
    return block.get_by_role("link", name=re.compile("^Comment or suggest"))


def add_through_form(page: Page, slug: str, words: str, fields: dict[str, str]) -> None:
    """From the read page, open a paragraph's comment form, fill ``fields`` (by label), add it."""
    page.goto(f"/{slug}")
    comment_link(page, words).click()
    expect(page.get_by_label("The words it is about")).to_have_value(words)
    for label, value in fields.items():
        field = page.get_by_label(label, exact=True)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    with page.expect_navigation():
        page.get_by_role("button", name="Add it").click()


def test_without_javascript_people_comment_reply_suggest_and_accept_with_plain_forms(
    page_for: PageFactory,
) -> None:
    live, slug = government_draft(page_for)
    cso = page_for(COMMENTER, java_script_enabled=False)

    add_through_form(
        cso, slug, SENTENCE, {"What you are adding": "A comment", "Comment": "Why only contracts?"}
    )
    expect(cso.locator(".notice")).to_contain_text("Your comment is added.")
    comment = cso.locator("article.thread").filter(has_text="Why only contracts?")
    expect(comment.locator(".quote")).to_have_text(SENTENCE)
    expect(comment.locator(".meta")).to_contain_text(f"{KWAME} (Civil society)")
    number = comment.get_attribute("id")
    assert number and number.startswith("c")
    comment.get_by_label(re.compile("^Reply")).fill("And tenders, please.")
    with cso.expect_navigation():
        comment.get_by_role("button", name=re.compile("^Send reply")).click()
    expect(cso.locator(".notice")).to_contain_text("Your reply is added.")
    expect(cso.locator(f"#{number} .replies")).to_contain_text("And tenders, please.")

    add_through_form(
        cso,
        slug,
        SECOND,
        {
            "What you are adding": "A suggested rewording of these words",
            "Suggested wording": NEW_WORDS,
            "Comment": "Consultation must be continuous.",
        },
    )
    expect(cso.locator(".notice")).to_contain_text("Suggested.")

    gov = page_for(GOV_EDITOR, java_script_enabled=False)
    gov.goto(f"/{slug}/discussion")
    suggestion = gov.locator("article.thread").filter(has_text=NEW_WORDS)
    expect(suggestion).to_contain_text("Suggests instead:")
    with gov.expect_navigation():
        suggestion.get_by_role("button", name=re.compile("^Accept")).click()
    expect(gov.locator(".notice")).to_contain_text("Accepted: the document now reads as suggested.")
    stored = gov.request.get(f"/{slug}/raw").text()
    assert NEW_WORDS in stored and SECOND not in stored
    wait_for_text(live, NEW_WORDS)  # the live editor, open all along, follows
    attribution_of(gov, slug, NEW_WORDS)


def post_json(page: Page, slug: str, path: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A write to the comments API with the page's cookie and its edit form's CSRF token."""
    token = page.locator("#edit-form input[name=csrf_token]").input_value()
    answer = page.request.post(
        f"/api/docs/{slug}/comments{path}", data=fields, headers={"X-CSRFToken": token}
    )
    assert answer.ok, (answer.status, answer.text())
    return dict(answer.json())


def assert_no_axe_violations(page: Page, *, scripting: bool = True) -> None:
    violations = run_axe(page, scripting=scripting)
    assert not violations, f"on {page.url}:\n{describe(violations)}"


def threads_on_a_draft(page_for: PageFactory) -> tuple[Page, Page, str]:
    """A draft whose live editor shows a comment with a reply, and a suggestion whose words the
    government changed since ("Text changed"); the government's and the member's pages."""
    gov, slug = government_draft(page_for)
    cso = page_for(COMMENTER)
    open_editor(cso, slug)
    made = post_json(cso, slug, "", {"quote": SENTENCE, "body": "Why only *contracts*?"})
    post_json(cso, slug, "", {"quote": SECOND, "body": "Continuous.", "replacement": NEW_WORDS})
    post_json(gov, slug, f"/{made['id']}/replies", {"body": "Tenders follow."})
    gov.evaluate(
        """() => { const v = window.jointly.view; const at = v.state.doc.toString().indexOf('once');
                   v.dispatch({changes: {from: at, to: at + 4, insert: 'twice'}}); }"""
    )
    wait_until_saved(gov)
    suggestion = gov.locator("#comment-threads article").filter(has_text=NEW_WORDS)
    expect(suggestion.locator(".status-tag.stale")).to_have_text("Text changed")
    return gov, cso, slug


def test_discussion_page_and_comments_panel_pass_axe(page_for: PageFactory) -> None:
    gov, cso, slug = threads_on_a_draft(page_for)
    commented = gov.locator("#comment-threads article").filter(has_text="Why only")
    expect(commented.locator(".replies")).to_contain_text("Tenders follow.")
    commented.get_by_role("button", name=re.compile("^Show in the text")).click()
    commented.get_by_role("button", name=re.compile("^Reply")).click()
    expect(gov.locator(".cm-comment-active")).to_have_text(SENTENCE)
    assert_no_axe_violations(gov)

    select_line(cso, SENTENCE)
    cso.get_by_role("button", name="Suggest a rewording").click()
    expect(cso.locator("#comment-form")).to_be_visible()
    assert_no_axe_violations(cso)
    cso.keyboard.press("Escape")  # leaves the form, back to the words in the editor
    expect(cso.locator("#comment-form")).to_be_hidden()
    expect(cso.locator(".cm-content")).to_be_focused()

    plain = page_for(COMMENTER, java_script_enabled=False)
    for page, scripting in ((gov, True), (plain, False)):
        page.goto(f"/{slug}/discussion")
        expect(page.locator("article.thread")).to_have_count(2)
        assert_no_axe_violations(page, scripting=scripting)


def test_a_suggestion_whose_words_changed_is_accepted_live_only_once_confirmed(
    page_for: PageFactory,
) -> None:
    gov, cso, _slug = threads_on_a_draft(page_for)
    now = SECOND.replace("once", "twice")
    suggestion = gov.locator("#comment-threads article").filter(has_text=NEW_WORDS)
    expect(suggestion.locator(".then-now")).to_have_text(re.compile(f"Then.*{SECOND}.*Now.*{now}"))
    suggestion.get_by_role("button", name=re.compile("^Accept")).click()
    confirm = suggestion.get_by_label(re.compile("accept anyway"))
    expect(confirm).to_be_focused()
    expect(suggestion.locator(".thread-error")).to_contain_text("tick the box")
    expect(gov.locator("#comments-alert")).to_contain_text("tick the box")
    assert NEW_WORDS not in text_of(gov)

    confirm.check()
    suggestion.get_by_role("button", name=re.compile("^Accept")).click()
    for page in (gov, cso):
        wait_for_text(page, NEW_WORDS)
        assert now not in text_of(page)
    expect(cso.locator("#comments-news")).to_contain_text("was accepted by Alex Morgan")
