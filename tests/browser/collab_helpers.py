"""Helpers for the live-editing browser tests: fresh documents, the editor, and ``window.jointly``.

``window.jointly`` is the editor's test hook: ``{ydoc, ytext, awareness, provider, view,
status()}``, where ``status()`` gives ``{connection: "Connected" | "Reconnecting…" | …,
unsaved: <local changes the server has not acknowledged>}``.
"""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

GOV_EDITOR = "alex@cabinet.example.gov"  # Alex Morgan, Cabinet Office Transparency Team
CSO_EDITOR = "maria@civilsociety.example.org"  # Maria Santos, Civil Society Network
CSO_ORGANISATION = "Civil Society Network (organisation)"  # as the Sharing page offers it
REVIEWER = "jo@integrity.example.org"  # Jo Reviewer, Integrity Watch: reads, never edits
LIVE_TIMEOUT_MS = 20_000

# Records the subtype of every document-carrying frame (sync step 2 = 1, update = 2) the page
# sends from now on; socket.timeout(ms) returns the socket itself, so acknowledged frames pass too.
RECORD_UPDATE_FRAMES = """() => {
  const socket = window.jointly.provider.socket;
  const emit = socket.emit.bind(socket);
  window.sentUpdateFrames = [];
  socket.emit = (event, data, ...rest) => {
    const msg = data && data.msg ? new Uint8Array(data.msg) : null;
    const carriesData = event === "frame" && msg && msg[0] === 0 && msg[1] !== 0;
    if (carriesData) window.sentUpdateFrames.push(msg[1]);
    return emit(event, data, ...rest);
  };
}"""


def new_document(page: Page, title: str = "Live editing test") -> str:
    """Create a network-visible document through the form; returns its slug (page ends on edit).

    Other members who see it comment; :func:`share` lets them edit.
    """
    slug = f"collab-{uuid.uuid4().hex[:10]}"
    page.goto("/-/new")
    page.fill("input[name=title]", title)
    page.fill("input[name=slug]", slug)
    with page.expect_navigation():
        page.get_by_role("button", name="Create document").click()
    return slug


def share(page: Page, slug: str, grantee: str, access: str = "edit") -> None:
    """On the Sharing page, as the owner: give ``grantee`` (as the form names them) ``access``."""
    page.goto(f"/{slug}/sharing")
    page.get_by_label("Organisation or person").select_option(label=grantee)
    page.get_by_label("Access", exact=True).select_option(access)
    with page.expect_navigation():
        page.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator(".notice")).to_contain_text("Shared.")


def open_editor(page: Page, slug: str) -> None:
    """Open the edit page of ``slug`` and wait until the live editor is connected and synced."""
    page.goto(f"/{slug}/edit")
    wait_until_live(page)


def wait_until_live(page: Page) -> None:
    """Wait until the editor exists and the connection is up."""
    page.wait_for_function(
        "() => window.jointly && window.jointly.view"
        " && window.jointly.status().connection === 'Connected'",
        timeout=LIVE_TIMEOUT_MS,
    )


def wait_until_saved(page: Page) -> None:
    """Wait until the server has acknowledged every local change."""
    page.wait_for_function(
        "() => window.jointly.status().connection === 'Connected'"
        " && window.jointly.status().unsaved === 0",
        timeout=LIVE_TIMEOUT_MS,
    )


def wait_for_text(page: Page, needle: str) -> None:
    """Wait until the shared text contains ``needle``."""
    page.wait_for_function(
        "needle => window.jointly.ytext.toString().includes(needle)",
        arg=needle,
        timeout=LIVE_TIMEOUT_MS,
    )


def text_of(page: Page) -> str:
    """The page's copy of the shared Markdown."""
    return str(page.evaluate("() => window.jointly.ytext.toString()"))


def status_of(page: Page) -> dict[str, object]:
    """``window.jointly.status()``."""
    return dict(page.evaluate("() => window.jointly.status()"))


def type_at_end(page: Page, text: str) -> None:
    """Click into the editor, go to the end of the document and type ``text``."""
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def type_at_start(page: Page, text: str) -> None:
    """Click into the editor, go to the start of the document and type ``text``."""
    page.click(".cm-content")
    page.keyboard.press("Control+Home")
    page.keyboard.type(text)
