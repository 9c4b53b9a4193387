"""Authors, not typists: moved text keeps its authors, and deletions count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt.attribution import FORMAT_VERSION, Attribution
from crdt.moves import MIN_MOVE_CHARS
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
