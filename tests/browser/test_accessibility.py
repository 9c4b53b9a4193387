"""Every kind of page passes axe-core's WCAG 2.2 AA rules and the keyboard basics."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from playwright.sync_api import Page, Response

from tests.browser.conftest import REPO, LiveServer, PageFactory

pytestmark = pytest.mark.browser

AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ADMIN = "coordinator@jointly.example"  # runs the instance; reads no draft not shared with it
GOV_EDITOR = "alex@cabinet.example.gov"  # Cabinet Office Transparency Team, owns final-draft
CSO_EDITOR = "maria@civilsociety.example.org"
REVIEWER = "jo@integrity.example.org"  # comments on network documents, never edits
PUBLIC = "public"  # stands for the ``public_doc`` fixture's document, added for these tests
# queueMicrotask callbacks are DOM callbacks, which a page without scripting never runs.
MICROTASK_TIMERS = """
window.setTimeout = (run, _ms, ...a) => { Promise.resolve().then(() => run(...a)); return 0; };
window.clearTimeout = () => {};
"""


@cache
def axe_source() -> str:
    """axe-core's script, read once; a missing npm install is a failure, not a skip."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (make setup)")
    return AXE_JS.read_text()


def run_axe(page: Page, *, scripting: bool = True) -> list[dict[str, Any]]:
    """axe-core's WCAG A/AA violations on the page as it is now.

    With ``scripting=False`` (a context made with ``java_script_enabled=False``) Chromium runs
    our evaluations but no timers, so axe gets timers that fire on the next microtask; no
    script of the page can run there anyway. CSS preloading, which needs real timeouts, is off.
    """
    # add_script_tag would be an inline script, which the CSP rightly blocks; an evaluation
    # through the DevTools protocol is not page content, so the app's CSP stays as it is.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    if not scripting:
        page.evaluate(MICROTASK_TIMERS)
    result = page.evaluate(
        "([tags, preload]) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations'], preload})",
        [WCAG_TAGS, scripting],
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """A summary a person can act on: rule, impact, help, and each element at fault."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(
                json.dumps(t) if not isinstance(t, str) else t for t in node["target"]
            )
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def structure_problems(page: Page) -> list[str]:
    """What is missing of a page language, exactly one h1, and a #main to skip to."""
    problems = []
    if not page.evaluate("document.documentElement.lang").strip():
        problems.append("<html> has no lang attribute")
    headings = page.locator("h1").all_inner_texts()
    if len(headings) != 1:
        problems.append(f"expected exactly one h1, found {len(headings)}: {headings}")
    if page.locator("#main").count() != 1:
        problems.append("there is no single element with id=main")
    return problems


def keyboard_problems(page: Page) -> list[str]:
    """What stops the first Tab reaching a visible skip link that moves focus to #main."""
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    if focused.count() != 1:
        return ["the first Tab focused nothing"]
    if focused.get_attribute("href") != "#main":
        html = focused.evaluate("e => e.outerHTML")[:200]
        return [f"the first Tab focused {html}, not a skip link to #main"]
    problems = []
    box = focused.bounding_box()
    if box is None or box["x"] < 0 or box["y"] < 0 or box["width"] <= 1:
        problems.append(f"the focused skip link is not on screen: {box}")
    page.keyboard.press("Enter")
    if page.evaluate("document.activeElement.id") != "main":
        problems.append("following the skip link did not move focus to #main")
    return problems


def assert_accessible(page: Page, *, scripting: bool = True) -> None:
    """Structure, keyboard (while the focus is as loaded) and axe-core, all reported at once."""
    url = page.url
    problems = structure_problems(page) + keyboard_problems(page)
    violations = run_axe(page, scripting=scripting)
    if violations:
        problems.append("axe-core, WCAG 2.2 A/AA:\n" + describe(violations))
    assert not problems, f"on {url}:\n" + "\n".join(problems)


def visit(page: Page, path: str, status: int = 200) -> Response:
    """Go to ``path`` and check the status the server answered."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path} answered {response.status}, not {status}"
    return response


def test_home_is_accessible_to_anonymous_visitors(anon_page: Page) -> None:
    visit(anon_page, "/")
    assert_accessible(anon_page)


def test_home_is_accessible_when_signed_in(page_for: PageFactory) -> None:
    page = page_for(CSO_EDITOR)
    visit(page, "/")
    assert page.get_by_text("Maria Santos").count() >= 1
    assert_accessible(page)


def test_login_page_is_accessible(anon_page: Page) -> None:
    visit(anon_page, "/login")
    assert_accessible(anon_page)


def test_login_error_summary_is_accessible(anon_page: Page) -> None:
    visit(anon_page, "/login")
    anon_page.fill("input[name=email]", GOV_EDITOR)
    anon_page.fill("input[name=password]", "not the password")
    with anon_page.expect_navigation() as navigation:
        anon_page.press("input[name=password]", "Enter")
    assert navigation.value is not None and navigation.value.status == 400
    assert "not right" in anon_page.locator(".error-summary").inner_text()
    assert_accessible(anon_page)


@pytest.mark.parametrize(
    ("slug", "email"),
    [
        ("plan-narrative", REVIEWER),
        ("beneficial-ownership", CSO_EDITOR),
        ("ask-lobbying-register", GOV_EDITOR),
        ("meeting-notes-14-may", GOV_EDITOR),
        (PUBLIC, None),
    ],
    ids=["narrative", "commitment", "annex", "notes", "public-anonymous"],
)
def test_document_page_is_accessible(
    page_for: PageFactory, public_doc: str, slug: str, email: str | None
) -> None:
    page = page_for(email)
    slug = public_doc if slug == PUBLIC else slug
    visit(page, f"/{slug}")
    assert page.locator(".markdown").inner_text().strip(), f"{slug} shows no content"
    assert_accessible(page)


def test_raw_markdown_is_served_as_markdown_not_html(
    anon_page: Page, live_server: LiveServer, public_doc: str
) -> None:
    # Chromium may download text/markdown rather than show it, so ask over the page's request API.
    response = anon_page.request.get(live_server.url_for(f"/{public_doc}/raw"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/markdown")
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert "<html" not in response.text().lower()


def test_live_editor_page_is_accessible(page_for: PageFactory) -> None:
    page = page_for(GOV_EDITOR)
    visit(page, "/plan-narrative/edit")
    # Judge the editor as people use it: synced, with its toolbar and rendered preview.
    page.locator("#live-editor-body .cm-editor").wait_for(state="visible")
    page.locator("#preview:not([aria-busy])").wait_for(state="attached")
    assert page.locator("textarea[name=text]").is_hidden()
    assert_accessible(page)


def test_plain_edit_form_is_accessible_without_javascript(page_for: PageFactory) -> None:
    page = page_for(GOV_EDITOR, java_script_enabled=False)
    visit(page, "/plan-narrative/edit")
    assert page.locator("textarea[name=text]").is_visible()
    assert page.get_by_role("button", name="Save changes").is_visible()
    assert_accessible(page, scripting=False)


def test_new_document_form_is_accessible(page_for: PageFactory) -> None:
    page = page_for(CSO_EDITOR)
    visit(page, "/-/new")
    assert_accessible(page)


def test_new_document_errors_are_accessible(page_for: PageFactory) -> None:
    page = page_for(CSO_EDITOR)
    visit(page, "/-/new")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value is not None and navigation.value.status == 400
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    for href in summary.locator("a").evaluate_all("links => links.map(a => a.hash)"):
        assert page.locator(href).count() == 1, f"the error summary links to missing {href}"
    assert_accessible(page)


def test_sharing_page_is_accessible_to_the_owner(page_for: PageFactory) -> None:
    page = page_for(GOV_EDITOR)
    visit(page, "/final-draft/sharing")
    assert page.locator("table tbody tr").count() >= 1
    assert_accessible(page)


@pytest.mark.parametrize(
    ("path", "email"),
    [
        ("/-/admin/organisations", ADMIN),
        ("/-/admin/people", ADMIN),
        ("/-/admin/audit", ADMIN),
        ("/final-draft/audit", GOV_EDITOR),  # a draft's audit log is its owner's to read
    ],
    ids=["organisations", "people", "audit", "document-audit"],
)
def test_admin_page_is_accessible(page_for: PageFactory, path: str, email: str) -> None:
    page = page_for(email)
    visit(page, path)
    assert_accessible(page)


def test_search_results_are_accessible(page_for: PageFactory) -> None:
    page = page_for(GOV_EDITOR)
    visit(page, "/-/search?q=beneficial+ownership")
    assert page.locator("ol.search-results li mark").count() >= 1
    assert_accessible(page)


def test_not_found_page_is_accessible(anon_page: Page) -> None:
    visit(anon_page, "/no-such-document", status=404)
    assert_accessible(anon_page)


def test_guard_reports_csp_violations(page_for: PageFactory) -> None:
    page = page_for(None)
    visit(page, "/")
    with pytest.raises(Exception, match="Content Security Policy"):
        page.add_script_tag(content="window.injected = true")
    problems = page_for.guard(page).clear()
    assert any("CSP violation" in problem for problem in problems), problems
    assert page.evaluate("window.injected") is None


def test_guard_reports_requests_to_other_hosts(page_for: PageFactory) -> None:
    page = page_for(None)
    # about:blank has no CSP; the route answers locally, so nothing leaves this machine.
    page.route("http://elsewhere.invalid/**", lambda route: route.fulfill(status=204))
    page.set_content('<img alt="" src="http://elsewhere.invalid/pixel.png">')
    page.wait_for_load_state("load")
    problems = page_for.guard(page).clear()
    assert problems == ["request to another host: GET http://elsewhere.invalid/pixel.png"]


def edit_with_the_plain_form(page: Page, slug: str, change: str) -> None:
    """Append ``change`` to a document through the no-JavaScript form, as its editors can."""
    visit(page, f"/{slug}/edit")
    text = page.locator("textarea[name=text]")
    text.fill(text.input_value() + change)
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/{slug}")


_EDITED: set[str] = set()


@pytest.fixture
def edited_annex(page_for: PageFactory) -> str:
    """An annex ask with a second revision (made once per session), for the history pages."""
    slug = "ask-lobbying-register"
    if slug not in _EDITED:
        page = page_for(CSO_EDITOR, java_script_enabled=False)
        edit_with_the_plain_form(page, slug, "\n5. **Open budgets.** *A new ask.*\n")
        _EDITED.add(slug)
    return slug


@pytest.mark.parametrize(
    "path",
    [
        "/{slug}/history",
        "/{slug}/revisions/1",
        "/{slug}/diff?from=1&to=2",
        "/{slug}/attribution",
        "/{slug}/attribution?marks=1",
    ],
    ids=["history", "revision", "diff", "attribution", "attribution-marks"],
)
def test_history_pages_are_accessible(page_for: PageFactory, edited_annex: str, path: str) -> None:
    page = page_for(GOV_EDITOR)
    visit(page, path.format(slug=edited_annex))
    assert_accessible(page)


def test_paragraph_history_page_is_accessible(page_for: PageFactory, edited_annex: str) -> None:
    page = page_for(GOV_EDITOR)
    visit(page, f"/{edited_annex}/attribution")
    page.locator("a", has_text="History of this paragraph").last.click()
    assert "/attribution/" in page.url
    assert_accessible(page)


def test_reviewers_live_view_is_accessible(page_for: PageFactory) -> None:
    page = page_for(REVIEWER)
    visit(page, "/plan-narrative/edit")
    page.locator("#live-editor-body .cm-editor").wait_for(state="visible")
    assert_accessible(page)
