"""Paragraph attribution: shares, authors, revisions and the history of a paragraph.

Each paragraph's shares by kind of organisation, its people and organisations in order, the
revisions that changed it (a deleted paragraph is recorded on a neighbour) and its history;
and, for any edits, ids that are unique and shares that sum to one.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from crdt.paragraphs import (
    Author,
    ParagraphChange,
    ParagraphNotFound,
    describe_paragraphs,
    paragraph_history,
)
from tests.crdt.paragraph_helpers import CSO, CSO_2, GOV, Doc, edits, random_doc, three_paragraphs

# --- the scenario from the brief -----------------------------------------------------


def scenario() -> Doc:
    """Government writes two paragraphs; CSO edits the second; government adds one above."""
    doc = Doc()
    doc.insert(0, "Open data.\n\nPublish all budgets.\n", rev=1)  # seq 1
    doc.delete("all ", rev=2)  # seq 2
    doc.insert(doc.text.index("\n", 12), " Invite citizens.", rev=2)  # seq 3
    doc.insert(0, "Be open.\n\n", rev=3)  # seq 4
    return doc


def test_scenario_gives_each_paragraph_its_shares_people_and_revisions() -> None:
    doc = scenario()
    assert doc.text == "Be open.\n\nOpen data.\n\nPublish budgets. Invite citizens.\n"
    authors = {1: GOV, 2: CSO, 3: GOV}
    paragraphs = doc.paragraphs(authors)
    assert [(p.id, p.start, p.end, p.type) for p in paragraphs] == [
        ("4.0", 0, 10, "paragraph"),
        ("1.0", 10, 22, "paragraph"),
        ("1.12", 22, 56, "paragraph"),
    ]
    new, first, second = paragraphs
    assert new.shares == {"government": 1.0, "civil_society": 0.0, "other": 0.0}
    assert (new.people, new.organisations, new.revisions, new.last_revision) == (
        (1,),
        (10,),
        (3,),
        3,
    )
    assert first.shares == {"government": 1.0, "civil_society": 0.0, "other": 0.0}
    assert (first.people, first.revisions, first.last_revision) == ((1,), (1,), 1)
    # 15 government characters ("Publishbudgets.") and 15 from civil society.
    assert second.shares == {"government": 0.5, "civil_society": 0.5, "other": 0.0}
    assert second.people == (1, 2)  # a tie: the earlier contributor first
    assert second.organisations == (10, 20)
    assert second.person_shares == {1: 0.5, 2: 0.5}
    assert (second.revisions, second.last_revision) == ((1, 2), 2)
    assert second.text == "Publish budgets. Invite citizens.\n"


def test_scenario_history_shows_each_revision_of_a_paragraph() -> None:
    doc = scenario()
    assert paragraph_history(doc.text, doc.shadow, "1.12") == [
        ParagraphChange(1, "", "Publish all budgets.\n"),
        ParagraphChange(2, "Publish all budgets.\n", "Publish budgets. Invite citizens.\n"),
    ]
    assert paragraph_history(doc.text, doc.shadow, "4.0") == [
        ParagraphChange(3, "", "Be open.\n\n")
    ]


def test_history_of_an_unknown_paragraph_is_refused() -> None:
    doc = scenario()
    with pytest.raises(ParagraphNotFound):
        paragraph_history(doc.text, doc.shadow, "99.0")


# --- shares and people ---------------------------------------------------------------


def test_people_are_ordered_by_share_then_by_first_contribution() -> None:
    doc = Doc()
    doc.insert(0, "aaaa\n", rev=1)  # GOV, 4 characters
    doc.insert(4, " bbbbbb", rev=2)  # CSO, 6
    doc.insert(11, " cccc", rev=3)  # CSO_2, 4: ties with GOV, but came later
    (paragraph,) = doc.paragraphs({1: GOV, 2: CSO, 3: CSO_2})
    assert paragraph.people == (2, 1, 3)
    assert paragraph.organisations == (20, 10)
    assert paragraph.organisation_shares == {20: 10 / 14, 10: 4 / 14}
    assert paragraph.shares == {"government": 4 / 14, "civil_society": 10 / 14, "other": 0.0}
    assert paragraph.last_revision == 3


def test_whitespace_counts_for_nobody() -> None:
    doc = Doc()
    doc.insert(0, "ab\n", rev=1)
    doc.insert(1, "   \t ", rev=2)
    (paragraph,) = doc.paragraphs({1: GOV, 2: CSO})
    assert paragraph.shares == {"government": 1.0, "civil_society": 0.0, "other": 0.0}
    assert paragraph.people == (1,)
    assert paragraph.revisions == (1, 2)


def test_an_attribution_changed_to_the_same_text_is_read_anew() -> None:
    # Paragraphs read from one attribution are remembered; a change must not hide behind them.
    doc = Doc()
    doc.insert(0, "Budgets.\n", rev=1)
    assert doc.paragraphs({1: GOV, 2: CSO})[0].people == (1,)
    # Same text, retyped (too short to be moved text, which would keep its author).
    doc.edit(0, len("Budgets."), "Budgets.", rev=2)
    (paragraph,) = doc.paragraphs({1: GOV, 2: CSO})
    assert paragraph.people == (2,)
    assert paragraph.shares == {"government": 0.0, "civil_society": 1.0, "other": 0.0}


def test_revisions_without_an_author_count_as_other() -> None:
    doc = Doc()
    doc.insert(0, "imported\n", rev=1)
    doc.insert(8, " text", rev=2)
    (paragraph,) = doc.paragraphs({2: CSO})
    assert paragraph.shares == {
        "government": 0.0,
        "civil_society": 4 / 12,
        "other": 8 / 12,
    }
    assert paragraph.people == (2,)


def test_an_author_kind_must_be_known() -> None:
    with pytest.raises(ValueError, match="kind"):
        Author(1, "X", 1, "Y", "press")


def test_a_text_from_another_log_position_is_refused() -> None:
    doc = scenario()
    with pytest.raises(ValueError, match="different log positions"):
        describe_paragraphs(doc.text + "x", doc.shadow, {})


# --- tombstones and revisions ----------------------------------------------------------


def test_a_deleted_whole_paragraph_is_recorded_on_the_paragraph_above() -> None:
    doc = three_paragraphs()
    doc.delete("B two.\n\n", rev=2)
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [("1.0", (1, 2)), ("1.16", (1,))]


def test_a_paragraph_deleted_from_the_end_of_the_one_above_is_recorded_there_too() -> None:
    doc = three_paragraphs()
    doc.delete("\n\nB two.", rev=2)
    assert doc.text == "A one.\n\nC three.\n"
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [("1.0", (1, 2)), ("1.16", (1,))]


def test_a_deleted_first_word_is_recorded_on_its_own_paragraph() -> None:
    doc = three_paragraphs()
    doc.delete("B ", rev=2)
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [
        ("1.0", (1,)),
        ("1.8", (1, 2)),
        ("1.16", (1,)),
    ]


def test_a_deleted_first_paragraph_is_recorded_on_the_new_first_paragraph() -> None:
    doc = three_paragraphs()
    doc.delete("A one.\n\n", rev=2)
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [("1.8", (1, 2)), ("1.16", (1,))]


def test_a_deleted_last_paragraph_is_recorded_on_the_paragraph_above() -> None:
    doc = three_paragraphs()
    doc.delete("C three.\n", rev=2)
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [("1.0", (1,)), ("1.8", (1, 2))]


def test_history_of_the_paragraph_above_shows_the_deleted_paragraph_going() -> None:
    doc = three_paragraphs()
    doc.delete("B two.\n\n", rev=2)
    assert paragraph_history(doc.text, doc.shadow, "1.0") == [
        ParagraphChange(1, "", "A one.\n\nB two.\n\n"),
        ParagraphChange(2, "A one.\n\nB two.\n\n", "A one.\n\n"),
    ]


# --- properties ----------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(edits)
def test_paragraph_ids_are_unique_and_shares_sum_to_one(
    steps: list[tuple[bool, float, int, str, int]],
) -> None:
    doc = random_doc(steps)
    authors = {rev: (GOV, CSO, CSO_2)[rev % 3] for rev in range(1, 50)}
    paragraphs = doc.paragraphs(authors)
    assert len({p.id for p in paragraphs}) == len(paragraphs)
    for paragraph in paragraphs:
        assert set(paragraph.shares) == {"government", "civil_society", "other"}
        if paragraph.text.strip():
            assert math.isclose(sum(paragraph.shares.values()), 1.0)
        assert list(paragraph.revisions) == sorted(set(paragraph.revisions))
        assert paragraph.last_revision == paragraph.revisions[-1]
