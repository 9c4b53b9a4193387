"""Restores: what a restore brings back goes to its authors, in the shadow and from the log."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt.attribution import FORMAT_VERSION, Attribution
from crdt.attributor import Attributor
from crdt.engine import get_engine
from crdt.memory import MemoryStore
from crdt.paragraphs import describe_paragraphs
from crdt.store import HistoryCheckpoint, LogRecord, Sender
from crdt.textdiff import text_ops
from tests.crdt.attribution_helpers import (
    ASK,
    CLOSE,
    CSO,
    GOV,
    INTRO,
    WATCH,
    Delta,
    credited,
    paragraphs,
    tiny_chunks,
)


def delta_from(before: str, after: str) -> Delta:
    """The Y.Text delta a form edit from ``before`` to ``after`` makes (as crdt.room does)."""
    delta: Delta = []
    at = 0
    for index, deleted, inserted in text_ops(before, after):
        if index > at:
            delta.append({"retain": index - at})
        if deleted:
            delta.append({"delete": deleted})
        if inserted:
            delta.append({"insert": inserted})
        at = index + len(inserted)
    return delta


def test_restoring_revision_one_gives_each_character_back_to_its_author() -> None:
    v1 = INTRO + ASK
    v2 = INTRO.replace("publishes budgets", "may publish budgets") + CLOSE
    shadow = Attribution()
    shadow.apply_delta([{"insert": INTRO}], seq=1, rev=1)  # government
    shadow.apply_delta([{"retain": len(INTRO)}, {"insert": ASK}], seq=2, rev=1)
    assert shadow.text() == v1
    shadow.apply_delta(delta_from(v1, v2), seq=3, rev=2)  # the CSO rewrites it all
    assert shadow.text() == v2
    # Wen Watch restores revision 1 through the form pipeline, as a restore of revision 1.
    shadow.apply_delta(delta_from(v2, v1), seq=4, rev=3, restores=1)
    assert shadow.text() == v1
    assert credited(shadow) == [(char, 1) for char in v1]
    intro, ask = paragraphs(shadow, {1: GOV, 2: CSO, 3: WATCH})
    assert ask.shares["government"] == 1.0 and ask.restored_by == (3,)
    assert intro.shares["government"] == 1.0 and intro.restored_by == (3,)
    # The CSO's removals were undone, so they no longer count; the restorer's removals of
    # the CSO's words do.
    assert intro.removed == {"government": 0, "civil_society": len("maypublish"), "other": 0}
    removed = len("Bothreviewprogressyearly")  # its full stop was the one already there
    assert ask.removed == {"government": 0, "civil_society": removed, "other": 0}
    assert ask.organisation_removed == {WATCH.organisation_id: removed}


def test_a_restore_puts_short_words_back_to_their_authors() -> None:
    v1 = "The budget is published every year.\n"
    v2 = v1.replace("every year", "when ready")
    shadow = Attribution()
    shadow.apply_delta([{"insert": v1}], seq=1, rev=1)  # government
    shadow.apply_delta(delta_from(v1, v2), seq=2, rev=2)  # the CSO changes two words
    shadow.apply_delta(delta_from(v2, v1), seq=3, rev=3, restores=1)
    assert credited(shadow) == [(char, 1) for char in v1]
    (only,) = paragraphs(shadow, {1: GOV, 2: CSO, 3: WATCH})
    assert (only.restored_by, only.moved_by) == ((3,), ())
    assert only.removed == {"government": 0, "civil_society": len("whenready"), "other": 0}


# The attributor reads restores from the log and keeps them across checkpoints.
ENGINE = get_engine(None)
PEOPLE = {
    "gov": Sender(1, 10, "government"),
    "cso": Sender(2, 20, "civil_society"),
    "watch": Sender(3, 30, "civil_society"),
}
START = datetime(2026, 12, 1, tzinfo=UTC)


def logged(edits: list[tuple[str, str, int | None]]) -> MemoryStore:
    """A log of form-style edits: (who, the text after, the revision it restores)."""
    store = MemoryStore()
    doc = ENGINE.new_doc(7)
    records = []
    for seq, (who, text, restores) in enumerate(edits, start=1):
        update = doc.edit(text_ops(doc.text(), text))
        sender = replace(PEOPLE[who], restores=restores)
        records.append(LogRecord(seq, update, sender, 7, START + timedelta(minutes=seq)))
    del doc
    store.logs[1] = records
    return store


EDITS: list[tuple[str, str, int | None]] = [
    ("cso", ASK, None),  # revision 1
    ("gov", INTRO + ASK + CLOSE, None),  # revision 2 ...
    ("gov", INTRO + CLOSE, None),  # ... cuts the CSO's paragraph ...
    ("gov", INTRO + CLOSE + "\n" + ASK, None),  # ... and pastes it at the end
    ("watch", INTRO + CLOSE + "\n", None),  # 3: deletes it
    ("cso", INTRO + CLOSE + "\n" + ASK, 2),  # 4: restores revision 2
]
WHO = {1: CSO, 2: GOV, 3: WATCH, 4: CSO}


def attributed(store: MemoryStore, every: int) -> Attributor:
    """History from the newest checkpoint on, a record at a time (a checkpoint may follow each)."""
    attributor = Attributor(1, ENGINE, store, store, pause_s=600.0, checkpoint_every=every)
    attributor.load()
    while attributor.catch_up(store.head_seq(1), limit=1):
        pass
    return attributor


@pytest.mark.parametrize("every", [1, 2, 100])
def test_the_attributor_reads_restores_from_the_log_and_keeps_them_across_checkpoints(
    every: int,
) -> None:
    store = logged(EDITS)
    first = attributed(store, every)
    shadow = first.attribution
    assert first.tracker.revision == 4
    assert shadow.text() == INTRO + CLOSE + "\n" + ASK
    ask = describe_paragraphs(shadow.text(), shadow, WHO)[-1]
    assert ask.text == ASK
    assert ask.shares["civil_society"] == 1.0 and ask.people == (CSO.person_id,)
    assert ask.restored_by == (4,)
    assert ask.removed == {"government": 0, "civil_society": 0, "other": 0}
    # Started again from any checkpoint (one sits between the cut and the paste when
    # every == 1), the history carries on exactly alike.
    for checkpoint in list(store.history.get(1, [])):
        again = Attributor(1, ENGINE, store, store, pause_s=600.0, checkpoint_every=every)
        again.load(checkpoint.seq)
        assert again.seq == checkpoint.seq
        again.catch_up(store.head_seq(1), persist=False)
        assert again.attribution.to_bytes() == shadow.to_bytes()


def test_an_attribution_checkpoint_in_the_old_format_is_ignored_and_rebuilt() -> None:
    store = logged(EDITS)
    expected = attributed(store, 100).attribution.to_bytes()
    tracker = json.dumps({"revision": 2, "person_id": 1, "last_at": START.isoformat()})
    store.history[1] = [HistoryCheckpoint(2, tracker, b"\x01" + expected[1:])]
    again = attributed(store, 2)
    assert again.attribution.to_bytes() == expected
    assert [cp.seq for cp in store.history[1]] == [2, 4, 6]
    assert all(cp.data[0] == FORMAT_VERSION for cp in store.history[1])


# Property: a restore gives every character back to whoever was credited with it then.
edits = st.lists(
    st.tuples(st.booleans(), st.floats(0, 1), st.integers(1, 8), st.integers(1, 6)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(edits, st.floats(0, 1))
def test_restoring_any_revision_credits_what_it_brings_back_to_its_authors(
    script: list[tuple[bool, float, int, int]], pick: float
) -> None:
    shadow = Attribution()
    fresh = iter(range(0x100, 0xD000))  # every typed character unique: no ambiguity
    text = ""
    credits_at: dict[int, list[tuple[str, int]]] = {}
    with tiny_chunks():
        for rev, (typing, where, size, count) in enumerate(script, start=1):
            at = int(where * len(text))
            if typing or not text:
                typed = "".join(chr(next(fresh)) for _ in range(count))
                shadow.apply_delta([{"retain": at}, {"insert": typed}], rev, rev)
                text = text[:at] + typed + text[at:]
            else:
                size = min(size, len(text) - at) or 1
                at = min(at, len(text) - size)
                shadow.apply_delta([{"retain": at}, {"delete": size}], rev, rev)
                text = text[:at] + text[at + size :]
            credits_at[rev] = credited(shadow)
        target = 1 + int(pick * (len(script) - 1))
        restorer = len(script) + 1
        old = shadow.text_at(target)
        shadow.apply_delta(delta_from(text, old), restorer, restorer, restores=target)
    assert shadow.text() == old
    assert credited(shadow) == credits_at[target]
