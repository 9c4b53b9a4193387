"""Rooms benchmark: a server that has served thousands of documents holds memory for live ones only.

Against a running server (``make run``'s, on a demo instance of its own), one signed-in
editor opens ``--documents`` documents one after another: creates each (the new-document
form), saves an edit (the no-JavaScript form), reads the page and, every tenth document,
searches. Then nothing, past the idle time (``WIKI_ROOM_IDLE_S``, ``--idle-s`` here), after
which every room should be unloaded. The server process's threads and resident memory
(``/proc``) are read before (after a warm-up on one document that is let go the same way),
at the peak, and at the end; the goal is the end within 10% of the start.

Run: ``.venv/bin/python -m bench.rooms`` (``--server threading`` for the threaded server).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from crdt.engine import ENGINE_NAMES
from tests.databases import fresh_database
from tests.harness.client import CSRF, signed_in_session
from tests.harness.server import Server, flask_command, free_port, seed_demo, server_env

BASE = re.compile(r'name="base" type="hidden" value="(\d+)"|value="(\d+)" name="base"')
TARGET = 0.10  # the end within this fraction of the start
SEARCH_EVERY = 10
TIMEOUT_S = 60.0
# The page cache keeps what it may on purpose (32 MiB by default): held small here, so what
# stays after the rooms unload is what rooms leave behind, not pages kept for readers.
RENDER_CACHE_BYTES = 2**20


@dataclass(frozen=True)
class Sample:
    """What the server process holds at one moment."""

    threads: int
    rss_kib: int

    def __str__(self) -> str:
        return f"{self.threads:>6} threads {self.rss_kib / 1024:>8.1f} MiB"


def sample(pid: int) -> Sample:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return Sample(int(fields["Threads"]), int(fields["VmRSS"].split()[0]))


def serving_pid(server: Server) -> int:
    """The process that serves: gunicorn's worker (the master's child), or the server itself."""
    assert server.process is not None
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0]) if children else pid


def editor(accounts_file: Path) -> tuple[str, str]:
    """The first demo editor's email and password."""
    for line in accounts_file.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "editor":
            return parts[1], parts[2]
    raise SystemExit(f"no editor in {accounts_file}")


class Visitor:
    """One signed-in editor who creates, edits, reads and searches documents."""

    def __init__(self, url: str, email: str, password: str) -> None:
        self.url = url
        self.http = signed_in_session(url, email, password)
        found = CSRF.search(self.http.get(f"{url}/-/new", timeout=TIMEOUT_S).text)
        assert found, "no CSRF token on the new-document form"
        self.token = found.group(1)

    def post(self, path: str, data: dict[str, str]) -> requests.Response:
        answer = self.http.post(
            f"{self.url}{path}",
            data={"csrf_token": self.token, **data},
            allow_redirects=False,
            timeout=TIMEOUT_S,
        )
        assert answer.status_code == 302, f"POST {path}: {answer.status_code}"
        return answer

    def get(self, path: str) -> str:
        answer = self.http.get(f"{self.url}{path}", timeout=TIMEOUT_S)
        assert answer.status_code == 200, f"GET {path}: {answer.status_code}"
        return answer.text

    def open_document(self, n: int, search: bool) -> None:
        slug = f"room-bench-{n}"
        form = {"title": f"Room bench {n}", "slug": slug, "kind": "page", "visibility": "network"}
        self.post("/-/new", form)
        found = BASE.search(self.get(f"/{slug}/edit"))
        assert found, "no base on the edit form"
        text = f"# Room bench {n}\n\nParagraph {n} of the benchmark, word{n}.\n"
        self.post(f"/{slug}/edit", {"text": text, "base": found.group(1) or found.group(2)})
        assert f"word{n}" in self.get(f"/{slug}")
        if search:
            assert f"/{slug}" in self.get(f"/-/search?q=word{n}")


def settle(pid: int, start: Sample, idle_s: float) -> tuple[Sample, float]:
    """Wait past the idle time until the process is back within TARGET of ``start``."""
    began = time.monotonic()
    time.sleep(idle_s)
    deadline = began + 3 * idle_s + 30
    while True:
        now = sample(pid)
        back = now.threads <= start.threads * (1 + TARGET) and now.rss_kib <= start.rss_kib * (
            1 + TARGET
        )
        if back or time.monotonic() > deadline:
            return now, time.monotonic() - began
        time.sleep(1.0)


def run(options: argparse.Namespace) -> int:
    base = Path(tempfile.mkdtemp(prefix="jointly-rooms-"))
    with fresh_database(base, "jointly") as database_url:
        env = server_env(base / "instance")
        env.update(
            WIKI_SQLALCHEMY_DATABASE_URI=database_url,
            WIKI_ROOM_IDLE_S=str(options.idle_s),
            WIKI_RENDER_CACHE_BYTES=str(options.render_cache_bytes),
            WIKI_LOG_LEVEL="WARNING",
        )
        if options.engine:
            env["WIKI_CRDT_ENGINE"] = options.engine
        seed_demo(env)
        email, password = editor(base / "instance" / "demo-accounts.txt")
        port = free_port()
        server = Server(flask_command(port, options.server), env, port, base / "server.log")
        server.start()
        try:
            return measure(server, email, password, options)
        finally:
            server.stop()


def measure(server: Server, email: str, password: str, options: argparse.Namespace) -> int:
    pid = serving_pid(server)
    visitor = Visitor(server.url, email, password)
    visitor.open_document(0, search=True)  # every code path loaded once
    time.sleep(options.idle_s * 1.5 + 2)  # past the idle time and the watcher's next look
    start = sample(pid)
    peak = start
    began = time.monotonic()
    for n in range(1, options.documents + 1):
        visitor.open_document(n, search=n % SEARCH_EVERY == 0)
        if n % 100 == 0:
            now = sample(pid)
            peak = Sample(max(peak.threads, now.threads), max(peak.rss_kib, now.rss_kib))
            print(f"  {n:>5} documents: {now}", flush=True)
    opened_s = time.monotonic() - began
    end, waited_s = settle(pid, start, options.idle_s)
    report(options, start, peak, end, opened_s, waited_s)
    ok = end.threads <= start.threads * (1 + TARGET) and end.rss_kib <= start.rss_kib * (1 + TARGET)
    return 0 if ok else 1


def report(
    options: argparse.Namespace,
    start: Sample,
    peak: Sample,
    end: Sample,
    opened_s: float,
    waited_s: float,
) -> None:
    print(
        f"\nRooms benchmark: {options.documents} documents on the {options.server or 'default'} "
        f"server, WIKI_ROOM_IDLE_S={options.idle_s}, engine {options.engine or 'default'}, "
        f"WIKI_RENDER_CACHE_BYTES={options.render_cache_bytes} (held by design up to it); "
        f"Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )
    print(f"opened in {opened_s:.0f} s ({options.documents / opened_s:.1f} documents/s)")
    print("| moment | threads | RSS MiB | ratio to start (threads / RSS) |\n|---|---|---|---|")
    for name, at in (("start", start), ("peak", peak), (f"end (+{waited_s:.0f} s)", end)):
        print(
            f"| {name} | {at.threads} | {at.rss_kib / 1024:.1f} | "
            f"{at.threads / start.threads:.2f} / {at.rss_kib / start.rss_kib:.2f} |"
        )
    print(f"target: the end within {TARGET:.0%} of the start")


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--idle-s", type=float, default=20.0, help="WIKI_ROOM_IDLE_S")
    parser.add_argument("--server", choices=("gevent", "threading"), help="default: make run's")
    parser.add_argument(
        "--engine", choices=ENGINE_NAMES, help="WIKI_CRDT_ENGINE; default: the server's"
    )
    parser.add_argument(
        "--render-cache-bytes",
        type=int,
        default=RENDER_CACHE_BYTES,
        help="WIKI_RENDER_CACHE_BYTES: rendered pages kept on purpose, up to this (default: 1 MiB)",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run(arguments(sys.argv[1:])))
