"""y-py objects die on their own thread, and none outlives it: rooms come and go without leaking.

Flask-free. A y-py doc can be freed only on the thread that made it, so a room's worker
must let go of every doc it made, and drop what was parked for it, before it ends.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from crdt import ypydoc
from crdt.engine import Doc, Engine, get_engine
from crdt.errors import BrokenDocument
from crdt.hub import Hub
from crdt.memory import MemoryStore
from crdt.room import Room
from crdt.store import Sender
from crdt.terms import Limits

DOC = 11
WAIT_S = 30.0
GOV = Sender(person_id=1, organisation_id=10, organisation_kind="government")


@pytest.fixture
def ypy() -> Engine:
    return get_engine("y-py")


@pytest.fixture
def unraisable() -> Iterator[list[Any]]:
    """What y-py reported while the test ran (a doc dropped off its thread is one)."""
    gc.collect()
    seen: list[Any] = []
    previous, sys.unraisablehook = sys.unraisablehook, seen.append
    try:
        yield seen
    finally:
        sys.unraisablehook = previous


def write_hello(room: Room, engine: Engine) -> None:
    client_id = room.assign_client(GOV.person_id).result(WAIT_S)
    assert room.submit(GOV, client_id, engine.new_doc(client_id).edit([(0, 0, "Hello")])).result(
        WAIT_S
    )


def parked_for_dead_threads() -> list[str]:
    with ypydoc._orphans_lock:
        return [thread.name for thread in ypydoc._orphans if not thread.is_alive()]


def docs_of_dead_threads() -> int:
    with ypydoc._orphans_lock:
        return sum(1 for doc in ypydoc._alive if not doc.__dict__["_owner"].is_alive())


def test_docs_a_closed_room_made_are_freed_on_its_worker_even_when_held(
    ypy: Engine, unraisable: list[Any]
) -> None:
    store = MemoryStore()
    room = Room(DOC, ypy, store, Limits(), history=store)
    write_hello(room, ypy)
    held: list[Doc] = room.call(lambda doc: [doc, ypy.new_doc(5)]).result(WAIT_S)
    room.close()
    assert docs_of_dead_threads() == 0
    with pytest.raises(BrokenDocument, match="thread has ended"):
        held[0].text()
    del held  # on this thread: nothing for y-py to report, nothing parked
    gc.collect()
    assert parked_for_dead_threads() == []
    assert [str(hook.exc_value) for hook in unraisable] == []


def test_a_room_drops_what_was_parked_for_it_before_its_worker_ends(
    ypy: Engine, unraisable: list[Any]
) -> None:
    store = MemoryStore()
    room = Room(DOC, ypy, store, Limits(), history=store)
    write_hello(room, ypy)
    # A doc of the worker's in a reference cycle that this thread's collector breaks.
    cycle: list[Any] = room.call(lambda _doc: [ypy.new_doc(6)]).result(WAIT_S)
    cycle.append(cycle)
    room.head().result(WAIT_S)  # the worker's last job no longer holds the list
    worker = room._thread
    gc.disable()
    try:
        del cycle
        gc.collect()
        with ypydoc._orphans_lock:
            assert len(ypydoc._orphans.get(worker, [])) == 1  # parked, the worker still runs
        room.close()
    finally:
        gc.enable()
    assert not worker.is_alive()
    assert parked_for_dead_threads() == []
    assert docs_of_dead_threads() == 0
    assert [str(hook.exc_value) for hook in unraisable] == []


def test_an_exception_that_outlives_its_room_frees_no_doc_off_its_thread(
    ypy: Engine, unraisable: list[Any]
) -> None:
    def fail(doc: Doc) -> None:
        raise ValueError(doc.text())  # the traceback's frames hold the live doc

    store = MemoryStore()
    room = Room(DOC, ypy, store, Limits(), history=store)
    write_hello(room, ypy)
    error = room.call(fail).exception(WAIT_S)
    assert isinstance(error, ValueError)
    room.close()
    del error
    gc.collect()
    assert parked_for_dead_threads() == []
    assert docs_of_dead_threads() == 0
    assert [str(hook.exc_value) for hook in unraisable] == []


def test_rooms_unloaded_by_the_hundred_leave_no_doc_and_nothing_parked(
    ypy: Engine, unraisable: list[Any]
) -> None:
    store = MemoryStore()
    hub = Hub(ypy, store, Limits(), history=store)
    hub.unload_idle(0.05)
    try:
        kept = []
        for doc_id in range(1, 101):
            room = hub.room(doc_id)
            write_hello(room, ypy)
            kept.append(room.history().result(WAIT_S))
            kept.append(room.call(lambda doc: doc).result(WAIT_S))
        workers = [t for t in threading.enumerate() if t.name.removeprefix("room-").isdigit()]
        while hub.open_rooms() or any(t.is_alive() for t in workers):
            hub.unload_idle_now()
            threading.Event().wait(0.05)
        del kept
        gc.collect()
        assert parked_for_dead_threads() == []
        assert docs_of_dead_threads() == 0
        assert hub.stored_text(50) == ("Hello", 1)  # read back from the checkpoints
    finally:
        hub.close()
    assert [str(hook.exc_value) for hook in unraisable] == []
