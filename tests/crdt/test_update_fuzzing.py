"""Fuzzing the update readers: corrupted real updates are refused cleanly, never crash.

Real updates from every engine and from Yjs, corrupted at random, are refused by the reader
with MalformedUpdate, or applied by each engine leaving the text as it was when they fail;
random bytes raise nothing else, and the fast reader agrees with the full one wherever it
answers.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt.engine import Engine
from crdt.errors import BrokenDocument, EngineFailure, MalformedUpdate
from crdt.fastreader import _FastReader, _NotFast
from crdt.fullreader import _UpdateReader
from crdt.updates import encode_state_vector, parse_update
from tests.crdt.update_helpers import VALID

if TYPE_CHECKING:
    from tests.crdt.conftest import YjsPeer


def corpus(engines: list[Engine], yjs: YjsPeer) -> tuple[list[bytes], list[bytes]]:
    """Real updates to corrupt, and the base state the corrupted ones are applied onto."""
    yjs.reset(2000)
    start = yjs.edit([(0, 0, "Base text 😀 shared\n")])
    updates = [start]
    for number, engine in enumerate(engines):
        doc = engine.new_doc(3000 + number)
        doc.apply_update(start)
        updates.append(doc.edit([(5, 4, "words"), (0, 0, "# ")]))
        updates.append(doc.edit([(3, 1, ""), (len(doc.text()) - 1, 0, "🎉 ü")]))
        updates.append(doc.encode_state())
        updates.append(doc.encode_diff(encode_state_vector({2000: 3})))
        yjs.apply(doc.encode_state())
        updates.append(yjs.edit([(2, 3, "X")]))
    updates.append(yjs.merge([start, updates[-1]]))
    return updates, [yjs.state()[0]]  # everything, so most corrupted updates can apply


def corrupt(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    kind = rng.randrange(5)
    at = rng.randrange(len(out) + 1)
    if kind == 0 and out:
        out[min(at, len(out) - 1)] ^= 1 << rng.randrange(8)
    elif kind == 1:
        del out[at:]
    elif kind == 2:
        out[at:at] = rng.randbytes(rng.randint(1, 4))
    elif kind == 3:
        del out[at : at + rng.randint(1, 6)]
    else:
        out[at:at] = (
            rng.randbytes(rng.randint(1, 3)) if rng.random() < 0.5 else data[: rng.randint(1, 8)]
        )
    return bytes(out)


def applies_cleanly(engine: Engine, base: list[bytes], data: bytes, outcomes: Counter[str]) -> None:
    """Apply on a doc with some text: success, or MalformedUpdate leaving the text as it was."""
    doc = engine.new_doc(99)
    for part in base:
        doc.apply_update(part)
    before = doc.text()
    try:
        doc.apply_update_delta(data)
    except EngineFailure:
        outcomes[f"{engine.name} failed"] += 1
        with pytest.raises(BrokenDocument):
            doc.text()
    except MalformedUpdate:
        outcomes[f"{engine.name} refused"] += 1
        assert doc.text() == before
    else:
        outcomes[f"{engine.name} applied"] += 1


def test_fuzzed_updates_are_refused_cleanly_by_reader_and_engines(
    engines: list[Engine], yjs: YjsPeer
) -> None:
    updates, base = corpus(engines, yjs)
    rng = random.Random(20240611)
    outcomes: Counter[str] = Counter()
    for _ in range(20_000):
        data = corrupt(rng, rng.choice(updates))
        try:
            parse_update(data)
        except MalformedUpdate:
            outcomes["refused by the reader"] += 1
            continue
        for engine in engines:
            applies_cleanly(engine, base, data, outcomes)
    assert outcomes["refused by the reader"] > 10_000
    assert all(outcomes[f"{e.name} applied"] > 1_000 for e in engines), outcomes


spliced = st.builds(
    lambda junk, at: VALID[:at] + junk + VALID[at:],
    st.binary(max_size=6),
    st.integers(0, len(VALID)),
)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64) | spliced)
def test_reader_only_ever_raises_malformed_update(engines: list[Engine], data: bytes) -> None:
    try:
        parse_update(data)
    except MalformedUpdate:
        return
    outcomes: Counter[str] = Counter()
    for engine in engines:
        applies_cleanly(engine, [VALID], data, outcomes)


def test_fast_reader_reads_what_the_full_reader_reads(engines: list[Engine], yjs: YjsPeer) -> None:
    # The fast reader serves the usual updates; where it answers, it must agree exactly.
    updates, _ = corpus(engines, yjs)
    rng = random.Random(20261202)
    answered = 0
    for _ in range(5_000):
        data = corrupt(rng, rng.choice(updates)) if rng.random() < 0.8 else rng.choice(updates)
        try:
            full = _UpdateReader(data).read()
        except MalformedUpdate:
            full = None
        try:
            fast = _FastReader(data).read()
        except (_NotFast, IndexError, UnicodeDecodeError):
            continue
        answered += 1
        assert fast == full, data.hex()
    assert answered > 1_000
