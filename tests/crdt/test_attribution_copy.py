"""Copying the attribution: the copy equals the original and goes its own way after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from crdt import attribution as attribution_module
from crdt.attribution import Attribution
from crdt.attributor import Attributor
from crdt.engine import get_engine
from crdt.memory import MemoryStore
from crdt.moves import MIN_MOVE_CHARS
from crdt.store import LogRecord, Sender
from crdt.textdiff import text_ops

Delta = list[dict[str, Any]]
# (position as a fraction of the text, delete length, text, next revision?, restore?)
Step = tuple[float, int, str, bool, bool]
Script = list[tuple[Delta, int, int, int | None]]

# Long inserts after deletions of as much make moves; restores credit text back.
steps = st.lists(
    st.tuples(
        st.floats(0, 1),
        st.integers(0, 2 * MIN_MOVE_CHARS),
        st.text(alphabet="ab \n", max_size=2 * MIN_MOVE_CHARS),
        st.booleans(),
        st.booleans(),
    ),
    max_size=40,
)


@contextmanager
def tiny_chunks() -> Iterator[None]:
    """Chunks of two runs, so that small tests cross chunk boundaries and split chunks."""
    with patch.object(attribution_module, "CHUNK_RUNS", 2):
        yield


def script(steps: list[Step]) -> Script:
    """Replacements at the steps' positions, some of them restoring the first revision."""
    deltas: Script = []
    length, rev = 0, 1
    for seq, (where, size, text, next_rev, restore) in enumerate(steps, start=1):
        rev += next_rev
        index = int(where * length)
        size = min(size, length - index)
        delta: Delta = [{"retain": index}, {"delete": size}, {"insert": text}]
        deltas.append((delta, seq, rev, 1 if restore else None))
        length += len(text) - size
    return deltas


def replay(deltas: Script, shadow: Attribution) -> Attribution:
    for delta, seq, rev, restores in deltas:
        shadow.apply_delta(delta, seq, rev, restores=restores)
    return shadow


def state(shadow: Attribution) -> tuple[object, ...]:
    """Everything a reader can see of an attribution."""
    return (
        list(shadow.runs()),
        shadow.text(),
        shadow.visible_text_length(),
        shadow.revisions(),
        shadow.changes,
        shadow.to_bytes(),  # credits and the pending moves included
    )


@settings(max_examples=150, deadline=None)
@given(steps, st.integers(0, 40))
def test_a_copy_equals_the_original_and_changes_to_either_leave_the_other_alone(
    steps: list[Step], cut: int
) -> None:
    deltas = script(steps)
    with tiny_chunks():
        original = replay(deltas[:cut], Attribution())
        copy = original.copy()
        before = state(original)
        assert state(copy) == before
        replay(deltas[cut:], original)
        assert state(copy) == before
        after = state(original)
        replay(deltas[cut:], copy)
        assert state(original) == after
    # Chunks are copied as they are, so the copy carries on run for run alike.
    assert state(copy) == after


def test_a_copy_keeps_its_credits_when_the_original_moves_more_text() -> None:
    sentence = "Every contract is published.\n"
    shadow = Attribution()
    shadow.apply_delta([{"insert": "Intro.\n" + sentence}], seq=1, rev=1)
    shadow.apply_delta([{"retain": 7}, {"delete": len(sentence)}], seq=2, rev=2)
    shadow.apply_delta([{"insert": sentence}], seq=3, rev=2)  # moved to the top
    copy = shadow.copy()
    credits = (dict(copy.credits.given), dict(copy.credits.returned))
    assert credits[0] and credits[1]
    shadow.apply_delta([{"delete": len(sentence)}], seq=4, rev=3)
    shadow.apply_delta([{"retain": 7}, {"insert": sentence}], seq=5, rev=3)  # and back
    assert shadow.credits.given != credits[0]
    assert (copy.credits.given, copy.credits.returned) == credits


ENGINE = get_engine()
START = datetime(2026, 12, 1, tzinfo=UTC)


def test_the_attributors_snapshot_is_shared_until_the_next_record_and_never_changes() -> None:
    store = MemoryStore()
    doc = ENGINE.new_doc(7)
    sender = Sender(1, 10, "government")
    records = []
    for seq, text in enumerate(["Budgets.\n", "Budgets are published.\n", "Budgets.\n"], 1):
        update = doc.edit(text_ops(doc.text(), text))
        records.append(LogRecord(seq, update, sender, 7, START + timedelta(minutes=seq)))
    store.logs[1] = records
    attributor = Attributor(1, ENGINE, store, store, pause_s=600.0)
    attributor.catch_up(2)
    first = attributor.snapshot()
    assert first is not attributor.attribution and attributor.snapshot() is first
    assert first.to_bytes() == attributor.attribution.to_bytes()
    attributor.catch_up(3)
    assert first.text() == "Budgets are published.\n"
    second = attributor.snapshot()
    assert second is not first and second.text() == "Budgets.\n"
    assert second.to_bytes() == attributor.attribution.to_bytes()
