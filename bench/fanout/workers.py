"""A client process of a run: connect its share of the clients, type, drain, report."""

from __future__ import annotations

import heapq
import os
import queue
import threading
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import engineio.payload

from bench.fanout.clients import CLOCK_BITS, Client, connect
from crdt import protocol
from crdt.engine import Doc
from crdt.updates import parse_update
from tests.harness.client import replica

TYPE_EVERY_S = 0.2
DRAIN_S = 5.0  # after typing stops, how long receivers wait for stragglers


@dataclass(frozen=True)
class Seat:
    """A client of a run: the document (room) it joins and the person (email, password) it is."""

    room: str
    account: tuple[str, str]


@dataclass(frozen=True)
class WorkerSpec:
    """A run's clients, or one client process's share of them."""

    transport: str
    url: str
    typists: list[tuple[int, Seat]]  # (index among all typists, seat)
    watchers: list[Seat]  # clients that only watch, one per document
    clients: int  # typists in all documents
    seconds: float
    inline: bool
    nice: int  # added to a client process's niceness, so the server under test gets the CPU
    client: str = "node"  # Jointly's clients: socket.io-client in node, or python-socketio


@dataclass
class WorkerReport:
    """What one client process measured, as arrays that pickle compactly."""

    typed_keys: array[int] = field(default_factory=lambda: array("q"))
    typed_at: array[float] = field(default_factory=lambda: array("d"))
    got_keys: array[int] = field(default_factory=lambda: array("q"))
    got_at: array[float] = field(default_factory=lambda: array("d"))
    acks: array[float] = field(default_factory=lambda: array("d"))
    lags: array[float] = field(default_factory=lambda: array("d"))
    typed_in: Counter[str] = field(default_factory=Counter)  # room -> keystrokes typed there
    frames: int = 0
    cpu_s: float = 0.0
    state_chars: dict[str, int] = field(default_factory=dict)  # room -> its length at the end
    errors: list[str] = field(default_factory=list)


class Keyboard:
    """Types for every client of a process, in one thread (y-py docs are bound to theirs)."""

    def __init__(self, clients: list[Client], report: WorkerReport) -> None:
        self.clients, self.report = clients, report
        self.docs: list[Doc] = [replica(c.client_id) for c in clients]
        self.unsent = [doc.state_vector() for doc in self.docs]  # what the server lacks since
        self.busy = [False] * len(clients)
        self.acks: queue.SimpleQueue[tuple[int, bool, bytes]] = queue.SimpleQueue()

    def type_key(self, k: int) -> None:
        doc = self.docs[k]
        clock = len(doc.text())
        doc.edit([(clock, 0, "abcdefghijklmnopqrstuvwxyz "[clock % 27])])
        self.report.typed_keys.append(self.clients[k].client_id << CLOCK_BITS | clock)
        self.report.typed_at.append(time.monotonic())
        self.report.typed_in[self.clients[k].room] += 1
        if not (self.busy[k] and self.clients[k].one_in_flight):
            self.flush(k)

    def flush(self, k: int) -> None:
        """Send client k's keystrokes the server lacks, as one frame."""
        client, doc, since = self.clients[k], self.docs[k], self.unsent[k]
        update = doc.encode_diff(since)
        self.unsent[k], self.busy[k] = doc.state_vector(), client.one_in_flight
        key = client.client_id << CLOCK_BITS | parse_update(update).structs[client.client_id][0][0]
        self.report.frames += 1
        client.send(
            protocol.encode_sync_update(update), key, lambda ok: self.acks.put((k, ok, since))
        )

    def acked(self, k: int, ok: bool, since: bytes) -> None:
        self.busy[k] = False
        if not ok:
            self.unsent[k] = since  # refused: what that frame carried goes again
        if self.unsent[k] != self.docs[k].state_vector():
            self.flush(k)

    def run(self, spec: WorkerSpec, t0: float) -> None:
        """Each client types one character every TYPE_EVERY_S until the end; acks go on after."""
        end = t0 + spec.seconds
        offsets = [TYPE_EVERY_S * i / spec.clients for i, _ in spec.typists]
        due = [(t0 + offset, k) for k, offset in enumerate(offsets)]
        heapq.heapify(due)
        if not due:
            return  # this process only watches
        while (typing := due[0][0] < end) or any(self.busy):
            until = due[0][0] if typing else end + DRAIN_S
            try:
                self.acked(*self.acks.get(timeout=max(0.0, until - time.monotonic())))
                continue
            except queue.Empty:
                if not typing:
                    break  # acks still missing after the drain: the report shows them
            at, k = heapq.heappop(due)
            self.report.lags.append(time.monotonic() - at)
            self.type_key(k)
            heapq.heappush(due, (at + TYPE_EVERY_S, k))


def run_worker(spec: WorkerSpec, ready: Any, go: Any, start: Any, out: Any) -> None:
    """A client process: connect, wait for the common start, type, drain, report."""
    os.nice(spec.nice)
    report = WorkerReport()
    # A long-poll answer holds every packet queued since the last one; browsers decode any
    # number, python-engineio's client gives up on the connection past 16.
    engineio.payload.Payload.max_decode_packets = 1_000_000
    try:
        clients = [connect_as(spec, seat) for _, seat in spec.typists]
        watchers = [connect_as(spec, seat) for seat in spec.watchers]
    except Exception as error:
        ready.put(f"connecting failed: {error!r}")
        return
    ready.put(None)
    go.wait()
    t0 = start.value
    timer: threading.Timer | None = None
    try:
        keyboard = Keyboard(clients, report)
        time.sleep(max(0.0, t0 - time.monotonic()))
        cpu0 = sum(os.times()[:2])
        timer = threading.Timer(
            t0 + spec.seconds - time.monotonic(),
            lambda: setattr(report, "cpu_s", sum(os.times()[:2]) - cpu0),
        )
        timer.start()
        keyboard.run(spec, t0)
        report.errors += ["a typist never got the ack of its last frame and stopped sending"] * sum(
            keyboard.busy
        )
        time.sleep(max(0.0, t0 + spec.seconds + DRAIN_S - time.monotonic()))
        fetch_states(watchers, report)
    except Exception as error:
        report.errors.append(f"client process failed: {error!r}")
    if timer is not None:
        timer.join()  # a failure above can come before the timer has set cpu_s
    gather(report, [*clients, *watchers])
    out.put(report)


def connect_as(spec: WorkerSpec, seat: Seat) -> Client:
    """A connected client of the run's server, joined to its seat's document."""
    return connect(spec.transport, spec.url, seat.room, seat.account, spec.inline)


def fetch_states(watchers: list[Client], report: WorkerReport) -> None:
    """Each watcher fetches its whole document; report its length (a missing one is left out)."""
    for watcher in watchers:
        watcher.ask_state()
    for watcher in watchers:
        if watcher.inbox.state_ready.wait(30) and watcher.inbox.state is not None:
            doc = replica()
            doc.apply_update(watcher.inbox.state)
            report.state_chars[watcher.room] = len(doc.text())


def gather(report: WorkerReport, clients: list[Client]) -> None:
    """Add what each client received to the report, and close it."""
    for client in clients:
        got, acks, errors = client.inbox.snapshot()
        report.got_keys.extend(key for key, _ in got)
        report.got_at.extend(at for _, at in got)
        report.acks.extend(acks)
        report.errors += errors[:5]
        client.close()
