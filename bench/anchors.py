"""Anchors benchmark: what placing a document's comments costs, beside reading its text.

The automerge-paper trace (259,778 one-character edits, about 100 KB of text written by two
typists) is replayed into one document. Then, each the best of ``--repeats``:

- the room's part: encoding the whole state and reading the text (what ``Room.state`` does);
- building an ``AnchorReader`` from that state (an ASCII copy of it, applied to pycrdt);
- resolving 100 anchors spread over the text, with that reader.

Printed: each time, and the reader's cost as a multiple of the room's part. A reader is kept
per document and head, so a page listing many comments builds it once.

Run: ``.venv/bin/python bench/anchors.py [--limit N] [--repeats R]``.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

from _trace import load_trace

from crdt import AnchorReader, get_engine

ANCHORS = 100


def best(repeats: int, run: Callable[[], object]) -> float:
    """The fastest of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="replay only the first N edits")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    doc = get_engine("y-py").new_doc(client_id=1)
    for op in load_trace(args.limit).ops:
        doc.edit([op])
    text = doc.text()
    state = doc.encode_state()
    reader = AnchorReader(state, text)
    step = max(len(text) // ANCHORS, 1)
    anchors = [reader.anchor(i, min(i + 40, len(text))) for i in range(0, len(text), step)]
    room = best(args.repeats, lambda: (doc.encode_state(), doc.text()))
    build = best(args.repeats, lambda: AnchorReader(state, text))
    resolve = best(args.repeats, lambda: [reader.resolve(a) for a in anchors])
    print(f"machine: {platform.machine()}, {platform.python_version()}")
    print(f"text: {len(text):,} characters, state: {len(state):,} bytes")
    print(f"room: encode state + read text  {room * 1000:8.1f} ms")
    print(f"build the anchor reader         {build * 1000:8.1f} ms  ({build / room:.1f}x room)")
    print(f"resolve {len(anchors)} anchors             {resolve * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
