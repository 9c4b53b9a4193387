"""The servers a run measures: a Jointly demo instance (the tests' harness) and y-websocket."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.harness.server import (
    FAST_HASHING,
    REPO,
    Server,
    flask_command,
    free_port,
    gunicorn_command,
    run_flask,
    seed_demo,
    server_env,
    stop,
)

SERVERS = ("default", "threading", "gevent")
START_TIMEOUT_S = 60.0
EDITORS = (
    "alex@cabinet.example.gov",
    "maria@civilsociety.example.org",
    "priya@business.example.gov",
)
# The typists sign in as three people, some seventeen each at N=50 (85 edits a second per
# person and document, over the per-person limit); in the workshop measured, each typist is a
# person of their own, at 5 a second.
SERVER_ENV = {
    "WIKI_LOGIN_RATE_LIMIT": "100000 per minute",
    "WIKI_MAX_UPDATES_PER_S": "1000",
    **FAST_HASHING,
}
# A page the EDITORS may edit: Alex's team owns it and the others' organisations are given
# edit (other members who see a network document only comment).
DOCUMENT_OPTIONS = (
    "--kind",
    "page",
    "--visibility",
    "network",
    "--org",
    "Cabinet Office Transparency Team",
    "--share",
    "Civil Society Network:edit",
    "--share",
    "Department for Business and Trade:edit",
)


class JointlyServer:
    """A demo instance of Jointly: ``create`` adds a document, ``start`` serves on a free port."""

    def __init__(self, root: Path, mode: str) -> None:
        self.mode, self.log = mode, root / "server.log"
        self.env = server_env(root / "instance", SERVER_ENV)
        editors = seed_demo(self.env).items()
        self.accounts = [(email, password) for email, password in editors if email in EDITORS]
        self.server: Server | None = None

    @property
    def url(self) -> str:
        return self.server.url if self.server else ""

    @property
    def pid(self) -> int:
        assert self.server is not None and self.server.process is not None
        return self.server.process.pid

    def create(self, slug: str) -> None:
        """Add a fresh document the EDITORS may edit."""
        run_flask(self.env, "create-doc", slug, "--title", slug, *DOCUMENT_OPTIONS)

    def start(self) -> None:
        port = free_port()
        self.server = Server(self.command(port), self.env, port, self.log, START_TIMEOUT_S)
        self.server.start()

    def complaints(self) -> str:
        """The server log's warnings and errors so far, for a run that went wrong."""
        lines = self.log.read_text(errors="replace").splitlines()
        wanted = ("WARNING", "ERROR", "Error", "Traceback", "disconnect", "timeout")
        return "\n".join(line for line in lines if any(w in line for w in wanted))[-4000:]

    def command(self, port: int) -> list[str]:
        if self.mode == "gevent":
            return gunicorn_command(port, f"--config={REPO / 'deploy' / 'gunicorn.conf.py'}")
        return flask_command(port, None if self.mode == "default" else self.mode)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


class YwsServer:
    """bench/yws_server.mjs on a free loopback port; ``log``: made durable, appending there."""

    def __init__(self, log: Path | None = None) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.url, self.log = "", log

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def create(self, _room: str) -> None:
        """Nothing to do: y-websocket makes a room when its first client joins."""

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "YPERSISTENCE"}
        durable = ["--durable", str(self.log)] if self.log else []
        self.process = subprocess.Popen(
            ["node", str(REPO / "bench" / "yws_server.mjs"), *durable],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if (match := re.match(r"listening (\S+)", line)) is None:
            raise RuntimeError(f"y-websocket did not start (run `npm ci`?): {line!r}")
        self.url = f"ws://{match.group(1)}"

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
