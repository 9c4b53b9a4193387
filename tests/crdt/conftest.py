"""Fixtures for the CRDT layer: every engine, a room on the memory store, and a Yjs peer in node."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crdt.engine import ENGINE_NAMES, Engine, get_engine
from crdt.memory import MemoryStore
from crdt.room import Room
from crdt.terms import Limits
from tests.crdt.room_helpers import DOC

ROOT = Path(__file__).resolve().parents[2]
PEER = Path(__file__).with_name("yjs_peer.mjs")


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each engine in turn; one that does not import is an error, never a skip."""
    return get_engine(request.param)


@pytest.fixture(scope="session")
def engines() -> list[Engine]:
    """Every engine at once, for tests that compare them."""
    return [get_engine(name) for name in ENGINE_NAMES]


@pytest.fixture
def store() -> MemoryStore:
    """An empty in-process store (test_room_integrity and test_room_saving bring their own)."""
    return MemoryStore()


@pytest.fixture
def room(engine: Engine, store: MemoryStore) -> Iterator[Room]:
    """A room for document DOC on ``store``, closed after the test."""
    room = Room(DOC, engine, store, Limits(), history=store)
    yield room
    room.close()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


class YjsPeer:
    """A Y.Doc in a node process, driven one JSON line at a time (see yjs_peer.mjs)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            pytest.fail(f"yjs_peer.mjs exited with {self.process.wait()}")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            pytest.fail(f"Yjs failed on {cmd}: {reply['error']}")
        return reply

    def reset(self, client_id: int) -> None:
        self.call("reset", client_id=client_id)

    def apply(self, update: bytes) -> str:
        return str(self.call("apply", update=b64(update))["text"])

    def edit(self, ops: list[tuple[int, int, str]]) -> bytes:
        """Edit at Yjs indexes (UTF-16 code units) in one transaction; return the update."""
        return unb64(self.call("edit", ops=ops)["update"])

    def text(self) -> str:
        return str(self.call("state")["text"])

    def state(self, state_vector: bytes | None = None) -> tuple[bytes, bytes]:
        """The peer's update against ``state_vector`` (all of it if None) and its vector."""
        reply = self.call("state", sv=b64(state_vector) if state_vector else None)
        return unb64(reply["update"]), unb64(reply["sv"])

    def relative(self, index: int, assoc: int) -> bytes:
        """``Y.encodeRelativePosition`` of a position at a Yjs index (UTF-16 units)."""
        return unb64(self.call("relative", index=index, assoc=assoc)["pos"])

    def absolute(self, position: bytes) -> int | None:
        """Where Yjs finds an encoded relative position now (UTF-16 units), if anywhere."""
        index = self.call("absolute", pos=b64(position))["index"]
        return index if isinstance(index, int) else None

    def merge(self, updates: list[bytes]) -> bytes:
        return unb64(self.call("merge", updates=[b64(u) for u in updates])["update"])

    def contents(self, parts: list[str]) -> bytes:
        return unb64(self.call("contents", parts=parts)["update"])

    def sync(self, state_vector: bytes, update: bytes) -> dict[str, bytes]:
        """y-protocols' step 1, step 2 (answering ``state_vector``) and update messages."""
        reply = self.call("sync", sv=b64(state_vector), update=b64(update))
        return {key: unb64(value) for key, value in reply.items() if key != "text"}

    def awareness(
        self, client_id: int, states: list[Any], remove: bool = False
    ) -> dict[str, bytes]:
        """An awareness update after setting ``states`` in turn (and removing, if asked)."""
        reply = self.call("awareness", client_id=client_id, states=states, remove=remove)
        return {"update": unb64(reply["update"]), "message": unb64(reply["message"])}

    def apply_awareness(self, update: bytes) -> list[list[Any]]:
        """[client id, clock, state] of each client y-protocols holds after the update."""
        return list(self.call("apply_awareness", update=b64(update))["states"])


@pytest.fixture(scope="session")
def yjs() -> Iterator[YjsPeer]:
    """A Yjs peer; node and `npm ci` are part of the test environment, so no skip."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "yjs").is_dir():
        pytest.fail("the interop tests need node on PATH and `npm ci` run at the repo root")
    process = subprocess.Popen(
        [node, str(PEER)],
        cwd=ROOT,  # so that node_modules resolves
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    yield YjsPeer(process)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.close()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.fixture
def peer(yjs: YjsPeer) -> YjsPeer:
    """The Yjs peer, reset to an empty doc with client id 1000."""
    yjs.reset(1000)
    return yjs
