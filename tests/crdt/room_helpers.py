"""Builders for the room tests: two senders, a client of a room, and what a room refused.

The rooms run on the in-process MemoryStore, on each engine in turn. Client documents are
made, used and dropped on the thread that made them (y-py requires it).
"""

from __future__ import annotations

from collections.abc import Callable

from crdt.engine import Doc, Engine
from crdt.memory import MemoryStore
from crdt.room import Room
from crdt.store import LogRecord, Sender

DOC = 7
WAIT_S = 30.0
GOV = Sender(person_id=1, organisation_id=10, organisation_kind="government")
CSO = Sender(person_id=2, organisation_id=20, organisation_kind="civil_society")


def log_of(store: MemoryStore) -> list[LogRecord]:
    return list(store.records(DOC, 0, 10**9))


def text_of(room: Room) -> tuple[str, int]:
    return room.text().result(WAIT_S)


def client(room: Room, engine: Engine, sender: Sender) -> tuple[int, Doc]:
    """A client id the room assigned to ``sender`` and an empty doc writing under it."""
    client_id = room.assign_client(sender.person_id).result(WAIT_S)
    return client_id, engine.new_doc(client_id)


def write(room: Room, sender: Sender, client_id: int, update: bytes) -> int | None:
    return room.submit(sender, client_id, update).result(WAIT_S)


def refusal(call: Callable[[], object]) -> tuple[type[BaseException], str] | None:
    """What ``call`` raised, as (type, message), or None if it returned.

    Only the type and message leave here: an exception kept in a test's locals would tie
    the test's frame, and the y-py docs in it, into a cycle that the garbage collector may
    break on another thread (y-py panics when a doc is dropped off its thread).
    """
    try:
        call()
    except Exception as error:
        return type(error), str(error)
    return None


def type_of(outcome: tuple[type[BaseException], str] | None) -> type[BaseException] | None:
    return None if outcome is None else outcome[0]
