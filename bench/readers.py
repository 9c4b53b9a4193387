"""The readers case of bench/history.py: do people reading the history slow those writing?

Two writers, one government and one civil society, each type one character every
``TYPE_EVERY_S`` into the benchmark document through its live room, as the ``/collab``
handler submits an update: a replica under a client id the room assigned them, edited and
sent as one Yjs update, timed from submit to the stored acknowledgement. They write for a
while alone, then as long again while readers, each signed in with a test client of their
own, load the attribution, the first page of the history and the diff of the whole history
in a loop. Writers and readers run as threads of this one process, as the threading
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


def read_until(client: FlaskClient, urls: Sequence[str], stop: threading.Event) -> int:
    """Load ``urls`` in turn until ``stop``; how many pages, each checked for status 200."""
    pages = 0
    while not stop.is_set():
        for url in urls:
            response = client.get(url)
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
    """The writers alone for ``seconds``, then with every reader loading ``urls`` as long."""
    alone = _writers(room, engine, writers, seconds)
    stop = threading.Event()
    loaded: list[int] = []
    threads = [
        threading.Thread(target=lambda c=client: loaded.append(read_until(c, urls, stop)))
        for client in readers
    ]
    for thread in threads:
        thread.start()
    try:
        with_readers = _writers(room, engine, writers, seconds)
    finally:
        stop.set()
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
