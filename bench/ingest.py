"""Ingest benchmark: the automerge-paper trace through the whole edit pipeline, per engine.

Two people (one government, one CSO) type the trace's 259,778 edits in turns, each edit one
Yjs update under a client id the server assigned. The updates go through the app's own room
on a fresh SQLite file with the real schema (verify, apply, commit with synchronous=FULL,
acknowledge), with a window of updates in flight. Printed per engine, all from one run:

- updates/s until every update is acknowledged, and until every one is also attributed,
  each as a share of the bare engine's apply rate of the same updates;
- the same with the typists switching on every update (attribution's worst case);
- cold load of the final document (a new room, until its text is read) against the bare
  engine's decode of the final state; the rebuild of the middle revision.

Run: ``.venv/bin/python bench/ingest.py --engine both`` (``--limit N`` replays N edits).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from _trace import (
    Trace,
    bench_app,
    live_room,
    load_trace,
    make_updates,
    middle_revision,
    raw_apply_s,
    submit_all,
    typists,
)
from flask import Flask

from crdt.engine import ENGINE_NAMES, get_engine
from crdt.room import Room
from wiki.documents.content import hub

REPEATS = 5  # cold loads, decodes and rebuilds: the median of this many, after a warm-up


@dataclass
class Ingest:
    """Rates of one replay through the pipeline, in updates per second."""

    updates: int
    ack: float
    attributed: float
    adapter: float  # Jointly's engine adapter, Doc.apply_update
    bare: float  # the engine library's own apply


def median_s(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """The median wall time of ``action`` over ``repeats`` runs, after one warm-up."""
    action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def adapter_apply(engine_name: str, updates: Sequence[tuple[int, bytes]]) -> tuple[float, bytes]:
    """Seconds for an adapter doc to apply every update, and its final encoded state."""
    doc = get_engine(engine_name).new_doc()
    start = time.perf_counter()
    for _, update in updates:
        doc.apply_update(update)
    return time.perf_counter() - start, doc.encode_state()


def replay(app: Flask, trace: Trace, run: int, window: int) -> tuple[Ingest, bytes]:
    """Replay the trace in turns of ``run`` edits through the app's room; rates, final state."""
    engine_name = app.config["CRDT_ENGINE"]
    room = live_room(app)
    people = typists(app, room)
    updates = make_updates(get_engine(engine_name), trace.ops, people, run)
    start = time.perf_counter()
    last = submit_all(room, people, updates, window)
    acked = time.perf_counter()
    history = room.history().result()
    attributed = time.perf_counter()
    text, head = room.text().result()
    if not len(updates) == last == head == history.seq:
        raise RuntimeError(f"{len(updates)} updates, head {head}, attributed {history.seq}")
    if trace.end is not None and not trace.end == text == history.text:
        raise RuntimeError("the stored document is not the trace's final text")
    adapter_s, state = adapter_apply(engine_name, updates)
    bare_s = raw_apply_s(engine_name, [update for _, update in updates])
    n = len(updates)
    rates = n / (acked - start), n / (attributed - start), n / adapter_s, n / bare_s
    return Ingest(n, *rates), state


def cold_load(app: Flask, doc_id: int) -> Callable[[], str]:
    """A new room on the same store, until its text is read; then it is closed."""
    with app.app_context():
        live = hub()

    def load() -> str:
        room = Room(doc_id, live.engine, live.store, live.limits, live.history)
        try:
            return room.text().result()[0]
        finally:
            room.close()

    return load


def bare_decode(engine_name: str, state: bytes) -> Callable[[], str]:
    """A new bare doc that applies the whole encoded state, until its text is read."""
    engine = get_engine(engine_name)

    def decode() -> str:
        doc = engine.new_doc()
        doc.apply_update(state)
        return doc.text()

    return decode


def loads(app: Flask, state: bytes) -> dict[str, float]:
    """Median seconds: cold load, bare decode of the final state, middle-revision rebuild."""
    room = live_room(app)
    _number, middle_seq = middle_revision(app)
    return {
        "cold": median_s(cold_load(app, room.doc_id)),
        "decode": median_s(bare_decode(app.config["CRDT_ENGINE"], state)),
        "middle": median_s(lambda: room.text_at(middle_seq).result()),
    }


def measure(
    engine_name: str, trace: Trace, run: int, window: int, *, worst_case: bool = True
) -> dict[str, float]:
    """Every figure for one engine: turns of ``run``, then switching on every update."""
    with bench_app(engine_name) as app:
        turns, state = replay(app, trace, run, window)
        figures = loads(app, state)
    if worst_case:
        with bench_app(engine_name) as app:
            worst, _state = replay(app, trace, 1, window)
    else:
        worst = Ingest(turns.updates, float("nan"), float("nan"), float("nan"), float("nan"))
    return {
        "updates": turns.updates,
        "ack": turns.ack,
        "attributed": turns.attributed,
        "bare": turns.bare,
        "adapter": turns.adapter,
        "worst_ack": worst.ack,
        "worst_attributed": worst.attributed,
        "worst_bare": worst.bare,
        **figures,
    }


ROWS = (
    ("updates replayed", lambda f: f"{f['updates']:,.0f}"),
    ("bare engine apply, updates/s", lambda f: f"{f['bare']:,.0f}"),
    ("engine adapter apply, updates/s", lambda f: f"{f['adapter']:,.0f}"),
    ("full path to ack, updates/s", lambda f: f"{f['ack']:,.0f}"),
    ("  ack / bare", lambda f: f"{f['ack'] / f['bare']:.3f}"),
    ("full path to attributed, updates/s", lambda f: f"{f['attributed']:,.0f}"),
    ("  attributed / bare", lambda f: f"{f['attributed'] / f['bare']:.3f}"),
    ("  attributed / ack", lambda f: f"{f['attributed'] / f['ack']:.3f}"),
    ("worst case (switch every update): ack/s", lambda f: f"{f['worst_ack']:,.0f}"),
    ("  attributed, updates/s", lambda f: f"{f['worst_attributed']:,.0f}"),
    ("  attributed / bare", lambda f: f"{f['worst_attributed'] / f['worst_bare']:.3f}"),
    ("cold load of final doc, ms", lambda f: f"{f['cold'] * 1000:.1f}"),
    ("bare decode of final state, ms", lambda f: f"{f['decode'] * 1000:.1f}"),
    ("  cold load / bare decode", lambda f: f"{f['cold'] / f['decode']:.2f}"),
    ("rebuild at middle revision, ms", lambda f: f"{f['middle'] * 1000:.1f}"),
    ("  middle rebuild / bare decode", lambda f: f"{f['middle'] / f['decode']:.2f}"),
)


def print_table(results: dict[str, dict[str, float]], run: int, window: int) -> None:
    """One column per engine."""
    names = list(results)
    print(f"turns of {run} edits per person, {window} updates in flight")
    print(f"{'':44}" + "".join(f"{name:>14}" for name in names))
    for label, cell in ROWS:
        print(f"{label:44}" + "".join(f"{cell(results[name]):>14}" for name in names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=[*ENGINE_NAMES, "both"], default="both")
    parser.add_argument("--limit", type=int, help="replay only the first N edits")
    parser.add_argument("--run", type=int, default=100, help="edits per turn at the keyboard")
    parser.add_argument("--window", type=int, default=256, help="updates in flight")
    parser.add_argument(
        "--no-worst-case",
        action="store_true",
        help="skip the replay that switches typist on every update (slow)",
    )
    args = parser.parse_args()
    trace = load_trace(args.limit)
    names = ENGINE_NAMES if args.engine == "both" else (args.engine,)
    results = {
        name: measure(name, trace, args.run, args.window, worst_case=not args.no_worst_case)
        for name in names
    }
    print_table(results, args.run, args.window)


if __name__ == "__main__":
    main()
