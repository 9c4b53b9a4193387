"""One live Jointly server and one Debian chromium per session; guarded pages for each test.

Fixtures for every ``tests/browser/test_*.py`` (all of them are marked ``browser``):

- ``live_server`` (session): a :class:`LiveServer` running ``flask --app wiki serve`` on a free
  loopback port over a fresh instance and database (``tests/databases.py``: SQLite or
  PostgreSQL) seeded with the demo. ``.url`` is the base URL (no
  trailing slash), ``.accounts`` maps each demo email to its password, ``.instance`` is the
  instance folder, ``.env`` its environment (for ``flask`` commands), ``.log_tail()`` the end
  of the server's output.
- ``public_doc`` (session): the slug of a public document outside the demo's plan, added to
  ``live_server``, for what visitors who are not signed in may do.
- ``browser`` (session): Playwright's chromium, started from ``/usr/bin/chromium``.
- ``page_for`` (function): a :class:`PageFactory`. ``page_for(email)`` is a new page in a new
  context, signed in through the ``/login`` form (a demo person's later pages reuse that
  sign-in's cookie; ``fresh=True`` signs in anew, ``password=`` signs in any other account);
  ``page_for(None)`` is anonymous; other keyword arguments go to ``browser.new_context``
  (``java_script_enabled=False``, ``viewport=…``). Contexts have ``base_url`` set, so
  ``page.goto("/plan-narrative")`` works; ``page_for.guard(page)`` is the page's guard.
- ``anon_page`` (function): ``page_for(None)``.

Every context these fixtures make is guarded: a request to any host but the live server's, a
console error, an uncaught page error or a Content Security Policy violation fails the test at
teardown. A test that provokes one on purpose says so with
``page_for.guard(page).allow(r"regex on the message")``.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    StorageState,
    WebSocket,
    sync_playwright,
)

from tests.databases import fresh_database
from tests.harness.server import (
    Server,
    create_document,
    flask_command,
    free_port,
    seed_demo,
    server_env,
)

HERE = Path(__file__).parent
REPO = HERE.parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_TIMEOUT_MS = 10_000
CSP_MESSAGE = re.compile(r"Refused to|Content Security Policy", re.IGNORECASE)
# Chromium reports a page's own 4xx/5xx status as a console error; tests assert those statuses.
FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of")
LOCAL_SCHEMES = {"data", "blob", "about"}
SIGNED_IN_MARK = "Sign out"  # the header's button, shown to people signed in only
PUBLIC_DOC = "public-plan"  # a public document outside the plan; ``public_doc`` adds it
PUBLIC_TEXT = REPO / "wiki" / "demo" / "narrative.md"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``browser`` so ``-m "not browser"`` leaves them out."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class LiveServer:
    """A running ``flask --app wiki serve`` over a seeded demo instance."""

    url: str
    accounts: dict[str, str]
    instance: Path
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]  # the server's environment, for ``flask`` commands on its instance

    def url_for(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return self.url + "/" + path.lstrip("/")

    def log_tail(self, lines: int = 60) -> str:
        """The last lines the server wrote to stdout and stderr."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        """Fail with the server's output if it has exited."""
        code = self.process.poll()
        if code is not None:
            pytest.fail(f"the live server exited with {code}; its output:\n{self.log_tail()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app on a free loopback port, over a fresh instance seeded with the demo."""
    base = tmp_path_factory.mktemp("jointly")
    with fresh_database(base, "jointly") as database_url:
        yield from serve_demo(base, database_url)


def serve_demo(base: Path, database_url: str) -> Iterator[LiveServer]:
    """Migrate and seed the database, serve it from ``base``, stop the server afterwards."""
    instance = base / "instance"
    env = server_env(instance)
    env["WIKI_SQLALCHEMY_DATABASE_URI"] = database_url
    accounts = seed_demo(env)
    port = free_port()
    process = Server(flask_command(port), env, port, base / "server.log")
    try:
        process.start()
        assert process.process is not None
        server = LiveServer(process.url, accounts, instance, process.process, process.log, env)
        yield server
        server.check_alive()
    finally:
        process.stop()


@pytest.fixture(scope="session")
def public_doc(live_server: LiveServer) -> str:
    """The slug of a public document (the demo narrative's text), for visitors not signed in.

    Owned by the Cabinet Office Transparency Team; added with ``flask create-doc`` as an
    operator would, once a session.
    """
    return create_document(
        live_server.env,
        PUBLIC_DOC,
        PUBLIC_TEXT.read_text(),
        owner="Cabinet Office Transparency Team",
        visibility="public",
        title="National Action Plan 2026–2028 (public edition)",
        kind="narrative",
    )


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync driver for the session."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, headless; never a downloaded browser."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get install chromium); the browser tests never download a browser"
        )
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@dataclass
class PageGuard:
    """Records what a context did that a page of Jointly must never do."""

    origin: str
    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)

    def watch(self, context: BrowserContext) -> None:
        """Listen to every page the context has or will have."""
        context.on("request", self.on_request)
        context.on("console", self.on_console)
        context.on("weberror", lambda error: self.report(f"uncaught error: {error.error}"))
        context.on("page", lambda page: page.on("websocket", self.on_websocket))

    def allow(self, pattern: str) -> None:
        """Accept problems matching ``pattern`` (a regex) from now on, for a deliberate one."""
        self.allowed.append(re.compile(pattern))

    def clear(self) -> list[str]:
        """Return the problems so far and forget them."""
        seen, self.problems = self.problems, []
        return seen

    def report(self, problem: str) -> None:
        """Record ``problem`` unless a test said to expect it."""
        if not any(pattern.search(problem) for pattern in self.allowed):
            self.problems.append(problem)

    def is_foreign(self, url: str) -> bool:
        """Whether ``url`` leaves the live server (data:, blob: and about: stay in the page)."""
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return False
        return parts.netloc != urlsplit(self.origin).netloc

    def on_request(self, request: Request) -> None:
        """Note the page loads, and flag a request that leaves the live server."""
        if request.resource_type == "document":
            self.documents.add(request.url)
        if self.is_foreign(request.url):
            self.report(f"request to another host: {request.method} {request.url}")

    def on_websocket(self, websocket: WebSocket) -> None:
        """Flag a WebSocket to another host."""
        if self.is_foreign(websocket.url):
            self.report(f"websocket to another host: {websocket.url}")

    def on_console(self, message: ConsoleMessage) -> None:
        """Flag CSP violations and console errors, but not a page's own error status."""
        where = message.location.get("url", "")
        if CSP_MESSAGE.search(message.text):
            self.report(
                f"CSP violation on {message.page.url if message.page else where}: {message.text}"
            )
        elif message.type == "error":
            if FAILED_LOAD.match(message.text) and where in self.documents:
                return
            self.report(f"console error at {where}: {message.text}")


class PageFactory:
    """``page_for(email)``: a new signed-in page in its own context; ``None`` for anonymous."""

    def __init__(
        self, browser: Browser, server: LiveServer, sign_ins: dict[str, StorageState]
    ) -> None:
        self.browser = browser
        self.server = server
        self.sign_ins = sign_ins
        self.guards: dict[BrowserContext, PageGuard] = {}

    def __call__(
        self,
        email: str | None,
        *,
        password: str | None = None,
        fresh: bool = False,
        **context_options: Any,
    ) -> Page:
        """A fresh context and page, signed in as ``email`` unless it is None.

        A demo person's first sign-in of the session goes through the ``/login`` form; later
        pages reuse its cookie while the server still accepts it, unless ``fresh`` asks for a
        new sign-in (a server session of its own). With ``password``, any account signs in.
        """
        reuse = email is not None and password is None and not fresh
        state = self.sign_ins.get(email) if reuse and email is not None else None
        context = self.browser.new_context(
            base_url=self.server.url, storage_state=state, **context_options
        )
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        guard = PageGuard(self.server.url)
        guard.watch(context)
        self.guards[context] = guard
        page = context.new_page()
        if email is not None and (state is None or not self.is_signed_in(page)):
            context.clear_cookies()
            self.sign_in(page, email, password)
            if reuse:
                self.sign_ins[email] = context.storage_state()
        return page

    def guard(self, page: Page) -> PageGuard:
        """The guard watching ``page``'s context."""
        return self.guards[page.context]

    def is_signed_in(self, page: Page) -> bool:
        """Whether the server still takes the context's cookie as someone signed in."""
        return SIGNED_IN_MARK in page.request.get("/").text()

    def sign_in(self, page: Page, email: str, password: str | None = None) -> None:
        """Sign in through the ``/login`` form as a person would; fail if it is refused."""
        if password is None:
            if email not in self.server.accounts:
                pytest.fail(f"{email} is not a demo account: {sorted(self.server.accounts)}")
            password = self.server.accounts[email]
        page.goto("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        if urlsplit(page.url).path == "/login":
            summary = page.locator(".error-summary").all_inner_texts()
            pytest.fail(f"signing in as {email} was refused: {summary}")

    def close(self) -> list[str]:
        """Close every context and return what their guards recorded."""
        problems = []
        for context, guard in self.guards.items():
            context.close()
            problems += guard.problems
        self.guards.clear()
        return problems


@pytest.fixture(scope="session")
def sign_ins() -> dict[str, StorageState]:
    """The cookies of each demo person's sign-in, shared by the tests of a session."""
    return {}


@pytest.fixture
def page_for(
    browser: Browser, live_server: LiveServer, sign_ins: dict[str, StorageState]
) -> Iterator[PageFactory]:
    """A factory of guarded pages, anonymous or signed in; their problems fail the test."""
    factory = PageFactory(browser, live_server, sign_ins)
    yield factory
    problems = factory.close()
    live_server.check_alive()
    if problems:
        pytest.fail("the pages did what Jointly must never do:\n  " + "\n  ".join(problems))


@pytest.fixture
def anon_page(page_for: PageFactory) -> Page:
    """A guarded page of nobody signed in."""
    return page_for(None)
