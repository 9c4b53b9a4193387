"""The readers case of bench/history.py: do people reading the history slow those writing?

Two writers, one government and one civil society, each type one character every
``TYPE_EVERY_S`` into the benchmark document through its live room, as the ``/collab``
handler submits an update: a replica under a client id the room assigned them, edited and
sent as one Yjs update, timed from submit to the stored acknowledgement. They write for a
while alone, then as long again while readers, each signed in with a test client of their
own, load the attribution, the first page of the history and the diff of the whole history
in a loop. The two alternate in ``ROUNDS`` rounds, the readers finishing their pages before
the writers write alone again: the writers' times drift over a run (with no reader at all,
a second half of the run alone was 1.3 times the first), and in turns the drift falls on
both alike. Writers and readers run as threads of this one process, as the threading
server runs them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from _trace import Typist
from flask.testing import FlaskClient

from crdt.engine import Engine, release_thread
from crdt.room import Room

TYPE_EVERY_S = 0.02  # each writer's pace: fifty characters a second
ROUNDS = 5  # alone, then with readers, in turn


class Shift:
    """Readers read only while the shift is on; ending one waits for the pages in flight."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._on = self._over = False
        self._busy = 0

    def begin(self) -> None:
        with self._changed:
            self._on = True
            self._changed.notify_all()

    def pause(self) -> None:
        with self._changed:
            self._on = False
            self._changed.wait_for(lambda: self._busy == 0)

    def close(self) -> None:
        with self._changed:
            self._on, self._over = False, True
            self._changed.notify_all()

    def enter(self) -> bool:
        """Wait for the shift; False once the run is over."""
        with self._changed:
            self._changed.wait_for(lambda: self._on or self._over)
            if self._over:
                return False
            self._busy += 1
            return True

    def leave(self) -> None:
        with self._changed:
            self._busy -= 1
            self._changed.notify_all()


@dataclass(frozen=True)
class ReadersResult:
    """Writers' acknowledgement p99 alone and with readers, and the pages the readers loaded."""

    alone_p99_s: float
    read_p99_s: float
    edits: int
    pages: int
    seconds: float


def p99(values: Sequence[float]) -> float:
    """The 99th percentile of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def write_for(room: Room, engine: Engine, typist: Typist, seconds: float) -> list[float]:
    """Type at the writers' pace for ``seconds``; each edit's submit-to-acknowledgement time."""
    replica = engine.new_doc(typist.client_id)
    try:
        state, _text, _head = room.state().result()
        replica.apply_update(state)
        times: list[float] = []
        end = time.monotonic() + seconds
        due = time.monotonic()
        while due < end:
            time.sleep(max(0.0, due - time.monotonic()))
            update = replica.edit([(len(replica.text()), 0, "x")])
            start = time.perf_counter()
            room.submit(typist.sender, typist.client_id, update).result()
            times.append(time.perf_counter() - start)
            due += TYPE_EVERY_S
        return times
    finally:
        del replica
        release_thread()


def read_until(client: FlaskClient, urls: Sequence[str], shift: Shift) -> int:
    """Load ``urls`` in turn while the shift is on; how many pages, each checked for status 200."""
    pages = 0
    while shift.enter():
        try:
            url = urls[pages % len(urls)]
            response = client.get(url)
        finally:
            shift.leave()
        if response.status_code != 200:
            raise RuntimeError(f"{url}: status {response.status_code}")
        pages += 1
    return pages


def measure_readers(
    room: Room,
    engine: Engine,
    writers: Sequence[Typist],
    readers: Sequence[FlaskClient],
    urls: Sequence[str],
    seconds: float,
) -> ReadersResult:
    """The writers alone and with every reader loading ``urls``, ``seconds`` each, in turns."""
    shift = Shift()
    loaded: list[int] = []
    threads = [
        threading.Thread(target=lambda c=client: loaded.append(read_until(c, urls, shift)))
        for client in readers
    ]
    for thread in threads:
        thread.start()
    alone: list[float] = []
    with_readers: list[float] = []
    try:
        for _round in range(ROUNDS):
            alone += _writers(room, engine, writers, seconds / ROUNDS)
            shift.begin()
            with_readers += _writers(room, engine, writers, seconds / ROUNDS)
            shift.pause()
    finally:
        shift.close()
        for thread in threads:
            thread.join()
    if len(loaded) != len(readers):
        raise RuntimeError("a reader failed; see its traceback above")
    return ReadersResult(p99(alone), p99(with_readers), len(with_readers), sum(loaded), seconds)


def _writers(room: Room, engine: Engine, writers: Sequence[Typist], seconds: float) -> list[float]:
    times: list[list[float]] = []

    def run(typist: Typist) -> None:
        times.append(write_for(room, engine, typist, seconds))

    threads = [threading.Thread(target=run, args=(typist,)) for typist in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(times) != len(writers):
        raise RuntimeError("a writer failed; see its traceback above")
    return [t for each in times for t in each]
