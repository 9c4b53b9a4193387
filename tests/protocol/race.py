"""The race of issue 19, item 1, as a harness: the outsider's sockets loop while access goes.

Each trial gives the outsider access (``Scenario.restore``), starts their loops (join, listen,
sync, leave) and one socket that stays joined, takes access away through a real route
(``Scenario.revoke``), and has the writer type and move their cursor once the route has
answered. ``leaks`` lists what the outsider got afterwards: frames carrying what was written
after, events answered as a member's, and the joined socket still open.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
import socketio

from crdt import protocol
from crdt.engine import Doc
from tests.harness.client import CollabClient, replica
from tests.protocol.instances import Site, Visitor, ask, close_at_once

SOCKETS = 8  # of the outsider, each looping on its own thread
WRITES = 1  # edits and cursor moves by the owner after each withdrawal
JITTER_S = 0.03  # where in the loops the withdrawal lands
HOLD_S = 0.02  # how long a loop's socket listens after each join, before it syncs and leaves
PAUSE_S = 0.002
WAIT_S = 5.0
RETRY_S = 0.2
STEP1 = protocol.encode_sync_step1(b"\x00")  # "I have nothing": the answer is everything


@dataclass
class Call:
    event: str
    sent_at: float
    answer: dict[str, Any] | None  # None: the socket closed first


class Looper(threading.Thread):
    """One of the outsider's sockets: join, listen, sync, leave, again and again until stopped.

    A socket the server closes is replaced by a new one on the same sign-in, so the loop
    keeps knocking after access is gone.
    """

    def __init__(
        self,
        url: str,
        http: requests.Session,
        slug: str,
        stop: threading.Event,
        seed: str,
        spare: list[CollabClient],
    ) -> None:
        super().__init__(daemon=True)
        self.url, self.http, self.slug, self.stop = url, http, slug, stop
        self.spare = spare  # open sockets of the same sign-in, left by the last trial
        self.rng = random.Random(seed)
        self.calls: list[Call] = []
        self.clients: list[CollabClient] = []
        self.joined = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.round()
        except BaseException as error:  # reported by the test, not lost with the thread
            self.failure = error

    def round(self) -> None:
        client = self.client()
        if client is None:
            return
        answer = self.call(client, "join", {"doc": self.slug})
        if answer is not None and answer["ok"]:
            self.joined.set()
            self.stop.wait(self.rng.uniform(HOLD_S / 2, HOLD_S))  # listening, quietly
            self.call(client, "frame", {"doc": self.slug, "msg": STEP1})
            self.call(client, "leave", {"doc": self.slug})
        elif answer is not None and answer["code"] == "rate_limited":
            self.stop.wait(HOLD_S)
        else:
            time.sleep(PAUSE_S)

    def client(self) -> CollabClient | None:
        if self.clients and self.clients[-1].sio.connected:
            return self.clients[-1]
        try:
            self.clients.append(self.spare.pop())
        except IndexError:
            try:
                self.clients.append(CollabClient(self.url, self.http))
            except socketio.exceptions.ConnectionError:
                time.sleep(PAUSE_S)
                return None
        return self.clients[-1]

    def call(self, client: CollabClient, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        sent_at = time.monotonic()
        answer = ask(client, event, data)
        self.calls.append(Call(event, sent_at, answer))
        return answer

    def frames(self) -> list[bytes]:
        """Every message the server sent to any of this loop's sockets."""
        got = []
        for client in self.clients:
            while not client.frames.empty():
                got.append(client.frames.get_nowait()["msg"])
        return got


@dataclass
class Writer:
    """The owner typing and moving their cursor, and a member's socket that sees it go out."""

    slug: str
    editor: CollabClient
    doc: Doc
    client_id: int
    watcher: CollabClient
    clock: int = 0
    relayed: int = 2  # the edit and the cursor; presence stays in its process: the edit only

    def write(self, marker: str) -> None:
        """Insert ``marker`` and point the cursor at it; return once both were broadcast."""
        update = protocol.encode_sync_update(self.doc.edit([(0, 0, marker)]))
        deadline = time.monotonic() + WAIT_S
        while (answer := self.editor.send(self.slug, update))["ok"] is not True:
            assert answer["code"] == "rate_limited" and time.monotonic() < deadline, answer
            time.sleep(RETRY_S)  # as the editor does
        self.clock += 1
        state = json.dumps({"cursor": {"anchor": marker, "head": marker}})
        entry = protocol.AwarenessEntry(self.client_id, self.clock, state)
        presence = protocol.encode_awareness(protocol.encode_awareness_update([entry]))
        assert self.editor.send(self.slug, presence) == {"ok": True}
        seen, deadline = 0, time.monotonic() + WAIT_S
        while seen < self.relayed:
            frame = self.watcher.frames.get(timeout=max(0.0, deadline - time.monotonic()))
            seen += marker.encode() in frame["msg"]


@dataclass
class Scenario:
    """A way of losing access to ``slug``, and of getting it back for the next trial."""

    name: str
    slug: str
    restore: Callable[[], Visitor]  # gives access back; the outsider's sign-in to use
    revoke: Callable[[Visitor], None]  # through a real route; returns once it has answered


def writer_on(
    site: Site, slug: str, made: list[CollabClient], people: tuple[str, str], watcher_on: int = 0
) -> Writer:
    """An editor joined and synced on ``slug``, and a watcher (on another server if given)."""
    editor = site.socket(people[0], made)
    watcher = site.socket(people[1], made, server=watcher_on)
    ack = editor.call("join", {"doc": slug})
    assert ack["ok"] and ack["can_edit"], ack
    assert watcher.call("join", {"doc": slug})["ok"]
    doc = replica(ack["client_id"])
    editor.sync(slug, doc)
    return Writer(slug, editor, doc, ack["client_id"], watcher, relayed=1 if watcher_on else 2)


@dataclass(frozen=True)
class Pace:
    """How hard a test races: trials, the outsider's loops, the owner's writes after each."""

    trials: int
    loops: int = SOCKETS
    writes: int = WRITES
    on: int = 0  # the server the outsider's sockets use
    # Events that must not be answered as a member's once the route has answered. Another
    # process hears of the change a moment later (and before any later edit, which the same
    # bus carries): there, only a join, which reads the database, is checked at once.
    checked: tuple[str, ...] = ("join", "frame", "leave")


def run_trials(site: Site, writer: Writer, scenario: Scenario, pace: Pace) -> None:
    """Race ``scenario`` against the outsider's loops; fail with every leak of every trial."""
    rng = random.Random(19)
    problems: list[str] = []
    spare: list[CollabClient] = []
    try:
        for trial in range(pace.trials):
            name = f"{scenario.name}-{trial}"
            problems += race(site.servers[pace.on].url, writer, scenario, name, rng, pace, spare)
    finally:
        for client in spare:
            close_at_once(client)
    assert problems == [], f"{len(problems)} leaks, the first:\n" + "\n".join(problems[:15])


def race(
    url: str,
    writer: Writer,
    scenario: Scenario,
    trial: str,
    rng: random.Random,
    pace: Pace,
    spare: list[CollabClient],
) -> list[str]:
    """One trial: loops running, access taken away, the owner writing; what leaked."""
    outsider = scenario.restore()
    for client in [c for c in spare if c.http is not outsider.http]:  # signed out: no use
        spare.remove(client)
        close_at_once(client)
    stop = threading.Event()
    loopers = [
        Looper(url, outsider.http, scenario.slug, stop, f"{trial}.{n}", spare)
        for n in range(pace.loops)
    ]
    sitters: list[CollabClient] = []
    try:
        for looper in loopers:
            looper.start()
        sitters.append(joined(url, outsider.http, scenario.slug, trial))
        deadline = time.monotonic() + WAIT_S
        while not any(looper.joined.is_set() for looper in loopers):
            assert time.monotonic() < deadline, f"{trial}: no loop joined before the withdrawal"
            time.sleep(PAUSE_S)
        time.sleep(rng.uniform(0, JITTER_S))
        scenario.revoke(outsider)
        withdrawn = time.monotonic()
        markers = [f"<written after {trial}.{n}>" for n in range(pace.writes)]
        for marker in markers:
            writer.write(marker)
        stop.set()
        for looper in loopers:
            looper.join(WAIT_S)
        return leaks(trial, loopers, sitters[0], withdrawn, markers, pace.checked)
    finally:
        stop.set()
        for client in [*sitters, *(c for looper in loopers for c in looper.clients)]:
            if client in sitters or not client.sio.connected:
                close_at_once(client)
            elif client not in spare:
                spare.append(client)  # not in the document: the next trial's loops reuse it


def joined(url: str, http: requests.Session, slug: str, trial: str) -> CollabClient:
    """A socket of the outsider joined to ``slug``: one that stays when access goes."""
    client = CollabClient(url, http)
    deadline = time.monotonic() + WAIT_S
    while (answer := client.call("join", {"doc": slug}))["ok"] is not True:
        assert answer["code"] == "rate_limited" and time.monotonic() < deadline, (trial, answer)
        time.sleep(RETRY_S)
    return client


def leaks(
    trial: str,
    loopers: list[Looper],
    sitter: CollabClient,
    withdrawn: float,
    markers: list[str],
    checked: tuple[str, ...],
) -> list[str]:
    """What leaked: events answered as a member's, frames with what was written after."""
    found = [f"{trial}: loop failed: {looper.failure!r}" for looper in loopers if looper.failure]
    found += [f"{trial}: a loop still running" for looper in loopers if looper.is_alive()]
    for looper in loopers:
        for call in looper.calls:
            late = call.sent_at > withdrawn and call.event in checked
            if late and call.answer is not None and call.answer["ok"]:
                late_ms = (call.sent_at - withdrawn) * 1000
                found.append(f"{trial}: {call.event} sent {late_ms:.1f} ms after, answered ok")
    deadline = time.monotonic() + WAIT_S
    while sitter.sio.connected and time.monotonic() < deadline:
        time.sleep(PAUSE_S)
    if sitter.sio.connected:
        found.append(f"{trial}: the socket joined at the withdrawal is still open")
    sitter_frames = [sitter.frames.get_nowait()["msg"] for _ in range(sitter.frames.qsize())]
    for msg in sitter_frames + [m for looper in loopers for m in looper.frames()]:
        found += [f"{trial}: a frame carried {m!r}" for m in markers if m.encode() in msg]
    return found
