"""Jointly server processes for the cluster tests: started, killed and restarted for real.

A :class:`Deployment` is one instance folder and one database (SQLite file or a fresh
PostgreSQL database) seeded with the demo; :meth:`Deployment.server` adds a process on its
own port, under ``flask serve`` (threads) or gunicorn with a gevent worker, optionally
joined to the others through Redis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select

from crdt.engine import get_engine
from crdt.updates import parse_update
from tests.databases import REDIS_URL
from tests.harness.server import (
    Server,
    flask_command,
    free_port,
    gunicorn_command,
    seed_demo,
    server_env,
)
from wiki.storage.models import Document, UpdateRecord


@dataclass
class Deployment:
    """An instance folder and database seeded with the demo, and the servers started on it."""

    base: Path
    database_url: str
    servers: list[Server] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)  # ``WIKI_*`` names, JSON values

    def __post_init__(self) -> None:
        self.env = server_env(self.base / "instance")
        self.env["WIKI_SQLALCHEMY_DATABASE_URI"] = self.database_url
        self.env.update(self.settings)
        self.accounts = seed_demo(self.env)
        self._engine = create_engine(self.database_url)

    def server(self, *, gunicorn: bool = False, redis: bool = False) -> Server:
        """A process on a port of its own; ``kill`` is SIGKILL, as a crash would be."""
        port = free_port()
        env = dict(self.env)
        if gunicorn:
            env["WIKI_SOCKETIO_ASYNC_MODE"] = "gevent"
        if redis:
            env["WIKI_REDIS_URL"] = REDIS_URL
        command = self.gevent_worker(port) if gunicorn else flask_command(port)
        server = Server(command, env, port, self.base / f"server-{port}.log")
        self.servers.append(server)
        return server.start()

    def gevent_worker(self, port: int) -> list[str]:
        """gunicorn with one gevent worker and a control socket of its own."""
        control = self.base / f"gunicorn-{port}.ctl"
        return gunicorn_command(port, "-k", "gevent", "-w", "1", "--control-socket", str(control))

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
