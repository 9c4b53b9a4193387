"""Jointly server processes for the cluster tests: started, killed and restarted for real.

A :class:`Deployment` is one instance folder and one database (SQLite file or a fresh
PostgreSQL database) seeded with the demo; :meth:`Deployment.server` adds a process on its
own port, under ``flask serve`` (threads) or gunicorn with a gevent worker, optionally
joined to the others through Redis.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from crdt.engine import get_engine
from crdt.updates import parse_update
from tests.browser.conftest import REPO, free_port, parse_accounts, run_flask, server_env
from tests.databases import REDIS_URL
from wiki.models import Document, UpdateRecord

BIN = Path(sys.executable).parent
START_TIMEOUT_S = 30.0


@dataclass
class Server:
    """One server process on a fixed port; ``kill`` is SIGKILL, as a crash would be."""

    deployment: Deployment
    port: int
    gunicorn: bool
    redis: bool
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.deployment.base / f"server-{self.port}.log"

    def command(self) -> list[str]:
        if self.gunicorn:
            control = self.deployment.base / f"gunicorn-{self.port}.ctl"
            return [
                str(BIN / "gunicorn"),
                "-k",
                "gevent",
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{self.port}",
                "--control-socket",
                str(control),
                "wsgi:app",
            ]
        return [str(BIN / "flask"), "--app", "wiki", "serve", "--port", str(self.port)]

    def start(self) -> Server:
        env = dict(self.deployment.env)
        if self.gunicorn:
            env["WIKI_SOCKETIO_ASYNC_MODE"] = "gevent"
        if self.redis:
            env["WIKI_REDIS_URL"] = REDIS_URL
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(), cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"server on {self.port} exited with {self.process.returncode}:\n"
                    f"{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=2):
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        pytest.fail(f"server on {self.port} did not answer:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine loses power."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Deployment:
    """An instance folder and database seeded with the demo, and the servers started on it."""

    base: Path
    database_url: str
    servers: list[Server] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.env = server_env(self.base / "instance")
        self.env["WIKI_SQLALCHEMY_DATABASE_URI"] = self.database_url
        run_flask(self.env, "init-db")
        run_flask(self.env, "seed-demo")
        self.accounts = parse_accounts(self.base / "instance" / "demo-accounts.txt")
        self._engine = create_engine(self.database_url)

    def server(self, *, gunicorn: bool = False, redis: bool = False) -> Server:
        server = Server(self, free_port(), gunicorn, redis)
        self.servers.append(server)
        return server.start()

    def stored(self, slug: str) -> list[bytes]:
        """The document's update log, in order, read from the database itself."""
        with self._engine.connect() as conn:
            doc_id = conn.execute(select(Document.id).where(Document.slug == slug)).scalar_one()
            query = (
                select(UpdateRecord.data)
                .where(UpdateRecord.document_id == doc_id)
                .order_by(UpdateRecord.seq)
            )
            return list(conn.execute(query).scalars())

    def stored_text(self, slug: str) -> str:
        """The text the log adds up to."""
        doc = get_engine().new_doc()
        for data in self.stored(slug):
            doc.apply_update(data)
        return doc.text()

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self._engine.dispose()


def structs_stored_twice(log: list[bytes]) -> list[tuple[int, int]]:
    """Every (client, clock) that more than one log record carries: none, if each is once."""
    seen: set[tuple[int, int]] = set()
    twice = []
    for data in log:
        for client, spans in parse_update(data).structs.items():
            for clock, length in spans:
                for item in ((client, c) for c in range(clock, clock + length)):
                    if item in seen:
                        twice.append(item)
                    seen.add(item)
    return twice
