"""Authors, not typists: moved and restored text keeps its authors, and deletions count."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt import attribution as attribution_module
from crdt.attribution import FORMAT_VERSION, Attribution
from crdt.attributor import Attributor
from crdt.engine import get_engine
from crdt.memory import MemoryStore
from crdt.moves import MIN_MOVE_CHARS
from crdt.paragraphs import Author, Paragraph, authored_text, describe_paragraphs
from crdt.store import HistoryCheckpoint, LogRecord, Sender
from crdt.textdiff import text_ops

Delta = list[dict[str, Any]]

GOV = Author(1, "Gita Gov", 10, "Cabinet Office", "government")
CSO = Author(2, "Chidi Cso", 20, "Open Data Charity", "civil_society")
WATCH = Author(3, "Wen Watch", 30, "Transparency Watch", "civil_society")

INTRO = "The ministry publishes budgets.\n\n"
ASK = "Civil society asks for every contract to be published.\n\n"
CLOSE = "Both review progress yearly.\n"


@contextmanager
def tiny_chunks() -> Iterator[None]:
    """Chunks of two runs, so that small tests cross chunk boundaries and split chunks."""
    with patch.object(attribution_module, "CHUNK_RUNS", 2):
        yield


def credited(shadow: Attribution) -> list[tuple[str, int]]:
    """Each visible character with the revision credited with writing it."""
    return [(char, rev) for text, rev in authored_text(shadow) for char in text]


def paragraphs(shadow: Attribution, who: dict[int, Author]) -> list[Paragraph]:
    return describe_paragraphs(shadow.text(), shadow, who)


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


def test_a_cso_paragraph_moved_by_government_in_one_update_stays_civil_society() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": INTRO + CLOSE}], seq=1, rev=1)
    shadow.apply_delta([{"retain": len(INTRO)}, {"insert": ASK}], seq=2, rev=2)
    # The government editor drags the CSO's paragraph to the top: one update, revision 3.
    move = [{"insert": ASK}, {"retain": len(INTRO)}, {"delete": len(ASK)}]
    assert shadow.apply_delta(move, seq=3, rev=3) == (len(ASK), len(ASK))
    assert shadow.text() == ASK + INTRO + CLOSE

    ask, intro, close = paragraphs(shadow, {1: GOV, 2: CSO, 3: GOV})
    assert ask.text == ASK
    assert ask.shares == {"government": 0.0, "civil_society": 1.0, "other": 0.0}
    assert (ask.people, ask.organisations) == ((CSO.person_id,), (CSO.organisation_id,))
    assert ask.moved_by == (3,)
    assert ask.restored_by == ()
    # A moved paragraph is not a removal, neither where it went nor where it came from.
    for paragraph in (ask, intro, close):
        assert paragraph.removed == {"government": 0, "civil_society": 0, "other": 0}
        assert paragraph.organisation_removed == {}
    assert intro.moved_by == close.moved_by == ()


def test_cut_and_paste_within_one_revision_is_a_move() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": INTRO + ASK + CLOSE}], seq=1, rev=1)  # the CSO, say
    cut = [{"retain": len(INTRO)}, {"delete": len(ASK)}]
    shadow.apply_delta(cut, seq=2, rev=2)  # the government cuts ...
    shadow.apply_delta([{"retain": len(INTRO + CLOSE)}, {"insert": "\n" + ASK}], seq=3, rev=2)
    assert shadow.text() == INTRO + CLOSE + "\n" + ASK  # ... and pastes at the end
    assert credited(shadow) == [(char, 1) for char in INTRO + CLOSE] + [("\n", 2)] + [
        (char, 1) for char in ASK
    ]
    last = paragraphs(shadow, {1: CSO, 2: GOV})[-1]
    assert (last.text, last.moved_by, last.removed["government"]) == (ASK, (2,), 0)


def test_text_backspaced_away_and_pasted_again_in_one_revision_is_a_move() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": ASK}], seq=1, rev=1)
    sentence = ASK.index("every contract")
    words = "every contract "
    for seq, at in enumerate(range(sentence + len(words) - 1, sentence - 1, -1), start=2):
        shadow.apply_delta([{"retain": at}, {"delete": 1}], seq=seq, rev=2)
    shadow.apply_delta([{"retain": sentence}, {"insert": words}], seq=99, rev=2)
    assert shadow.text() == ASK
    assert {rev for _, rev in credited(shadow)} == {1}


def test_a_paste_in_a_later_revision_is_the_pasters() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": INTRO + ASK}], seq=1, rev=1)
    shadow.apply_delta([{"retain": len(INTRO)}, {"delete": len(ASK)}], seq=2, rev=2)
    shadow.apply_delta([{"insert": ASK}], seq=3, rev=3)  # somebody else, later
    assert [rev for _, rev in credited(shadow)] == [3] * len(ASK) + [1] * len(INTRO)


@pytest.mark.parametrize("size", [MIN_MOVE_CHARS - 1, MIN_MOVE_CHARS])
def test_short_reinserts_are_credited_to_the_typist(size: int) -> None:
    words = "abcdefghijklmnop"[:size]
    shadow = Attribution()
    shadow.apply_delta([{"insert": f"{words} and more"}], seq=1, rev=1)
    shadow.apply_delta([{"delete": size}, {"retain": 9}, {"insert": words}], seq=2, rev=2)
    assert shadow.text() == f" and more{words}"
    moved = [rev for char, rev in credited(shadow)][-size:]
    assert moved == [1 if size >= MIN_MOVE_CHARS else 2] * size
    removed = paragraphs(shadow, {1: CSO, 2: GOV})[0].removed
    assert removed["government"] == (0 if size >= MIN_MOVE_CHARS else size)


def test_deleting_a_cso_sentence_shows_under_removed() -> None:
    sentence = "Contracts are published monthly. "
    shadow = Attribution()
    shadow.apply_delta([{"insert": INTRO}], seq=1, rev=1)
    shadow.apply_delta([{"retain": len(INTRO)}, {"insert": sentence + ASK}], seq=2, rev=2)
    shadow.apply_delta([{"retain": len(INTRO)}, {"delete": len(sentence)}], seq=3, rev=3)
    intro, ask = paragraphs(shadow, {1: GOV, 2: CSO, 3: GOV})
    solid = len("".join(sentence.split()))
    assert ask.text == ASK
    assert ask.removed == {"government": solid, "civil_society": 0, "other": 0}
    assert ask.organisation_removed == {GOV.organisation_id: solid}
    assert ask.shares["civil_society"] == 1.0
    assert intro.removed == {"government": 0, "civil_society": 0, "other": 0}


def test_text_typed_and_deleted_within_one_revision_is_no_removal() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "Budgets are publsihed."}], seq=1, rev=1)
    shadow.apply_delta([{"retain": 12}, {"delete": 10}], seq=2, rev=1)  # a typo, fixed at once
    shadow.apply_delta([{"retain": 12}, {"insert": "published."}], seq=3, rev=1)
    shadow.apply_delta([{"delete": 8}], seq=4, rev=2)  # "Budgets " removed by someone later
    (only,) = paragraphs(shadow, {1: CSO, 2: GOV})
    assert only.removed == {"government": 7, "civil_society": 0, "other": 0}


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


def test_moved_text_moved_again_keeps_its_first_author() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": INTRO + ASK}], seq=1, rev=1)
    shadow.apply_delta([{"insert": ASK}, {"retain": len(INTRO)}, {"delete": len(ASK)}], 2, 2)
    shadow.apply_delta([{"delete": len(ASK)}, {"retain": len(INTRO)}, {"insert": ASK}], 3, 3)
    assert shadow.text() == INTRO + ASK
    assert {rev for _, rev in credited(shadow)} == {1}
    assert paragraphs(shadow, {1: CSO, 2: GOV, 3: WATCH})[-1].moved_by == (3,)


def test_credits_survive_serialisation_and_an_old_format_is_refused() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": INTRO + ASK}], seq=1, rev=1)
    shadow.apply_delta([{"retain": len(INTRO)}, {"delete": len(ASK)}], seq=2, rev=2)
    copy = Attribution.from_bytes(shadow.to_bytes())
    # The copy knows what revision 2 cut, so the paste that follows is a move in both.
    for each in (shadow, copy):
        each.apply_delta([{"insert": ASK}], seq=3, rev=2)
    assert credited(copy) == credited(shadow) == [(char, 1) for char in ASK + INTRO]
    assert copy.to_bytes() == Attribution.from_bytes(copy.to_bytes()).to_bytes()
    assert FORMAT_VERSION == 2
    with pytest.raises(ValueError, match="format version"):
        Attribution.from_bytes(bytes([1]) + shadow.to_bytes()[1:])


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


# Property: characters that were only moved keep their authors, however the text was edited.
# Each step is a new revision by one of three authors: typing, deleting, a move in one update,
# or a cut and a paste in two updates of the same revision.
steps = st.lists(
    st.tuples(
        st.sampled_from(["type", "delete", "move", "cut and paste"]),
        st.floats(0, 1),
        st.floats(0, 1),
        st.integers(1, 30),
        st.text(alphabet="ab \n", min_size=1, max_size=20),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_characters_only_moved_keep_their_authors(
    script: list[tuple[str, float, float, int, str]],
) -> None:
    model: list[tuple[str, int]] = []  # the visible text and who is credited with each character
    shadow = Attribution()
    seq = 0
    with tiny_chunks():
        for rev, (kind, where, to, size, text) in enumerate(script, start=1):
            at = int(where * len(model))
            size = min(size, len(model) - at)
            if kind == "type" or (size < MIN_MOVE_CHARS and kind != "delete") or not size:
                seq += 1
                shadow.apply_delta([{"retain": at}, {"insert": text}], seq, rev)
                model[at:at] = [(char, rev) for char in text]
                continue
            taken = model[at : at + size]
            del model[at : at + size]
            place = int(to * len(model))
            moved = "".join(char for char, _ in taken)
            if kind == "delete":
                seq += 1
                shadow.apply_delta([{"retain": at}, {"delete": size}], seq, rev)
                continue
            if kind == "move":  # one update; the Yjs delta lists the ops in text order
                seq += 1
                if place <= at:
                    delta: Delta = [
                        {"retain": place},
                        {"insert": moved},
                        {"retain": at - place},
                        {"delete": size},
                    ]
                else:
                    delta = [
                        {"retain": at},
                        {"delete": size},
                        {"retain": place - at},
                        {"insert": moved},
                    ]
                shadow.apply_delta(delta, seq, rev)
            else:
                shadow.apply_delta([{"retain": at}, {"delete": size}], seq + 1, rev)
                shadow.apply_delta([{"retain": place}, {"insert": moved}], seq + 2, rev)
                seq += 2
            model[place:place] = taken
    assert shadow.text() == "".join(char for char, _ in model)
    assert credited(shadow) == model
    copy = Attribution.from_bytes(shadow.to_bytes())
    assert credited(copy) == model


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
