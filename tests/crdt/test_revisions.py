"""Grouping log records into revisions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crdt.revisions import REVISION_PAUSE_S, RevisionTracker

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_first_record_opens_revision_one() -> None:
    tracker = RevisionTracker()
    assert tracker.assign(7, T0) == (1, True)


def test_one_persons_records_within_the_pause_share_a_revision() -> None:
    tracker = RevisionTracker()
    results = [tracker.assign(7, at(s)) for s in (0, 30, 89, 149)]
    assert results == [(1, True), (1, False), (1, False), (1, False)]


def test_pause_is_measured_from_the_previous_record_not_the_first() -> None:
    tracker = RevisionTracker(pause_s=60)
    assert [tracker.assign(7, at(s))[0] for s in (0, 50, 100, 150, 200)] == [1, 1, 1, 1, 1]


def test_a_pause_longer_than_pause_s_opens_a_new_revision() -> None:
    tracker = RevisionTracker(pause_s=60)
    assert tracker.assign(7, at(0)) == (1, True)
    assert tracker.assign(7, at(60)) == (1, False)  # exactly the pause: not longer
    assert tracker.assign(7, at(120.001)) == (2, True)


def test_another_persons_record_opens_a_new_revision() -> None:
    tracker = RevisionTracker()
    people = [7, 7, 8, 7, 7, 8, 8]
    results = [tracker.assign(person, at(i)) for i, person in enumerate(people)]
    assert results == [
        (1, True),
        (1, False),
        (2, True),
        (3, True),
        (3, False),
        (4, True),
        (4, False),
    ]


def test_records_without_a_person_group_like_one_person() -> None:
    tracker = RevisionTracker()
    assert [tracker.assign(None, at(i)) for i in range(2)] == [(1, True), (1, False)]
    assert tracker.assign(7, at(3)) == (2, True)


def test_a_record_stamped_earlier_than_its_predecessor_does_not_shorten_the_pause() -> None:
    tracker = RevisionTracker(pause_s=60)
    tracker.assign(7, at(100))
    assert tracker.assign(7, at(40)) == (1, False)  # clock skew: log order wins
    assert tracker.assign(7, at(161)) == (2, True)  # 61 s after the latest time seen


def test_default_pause_is_revision_pause_s() -> None:
    assert RevisionTracker().pause_s == REVISION_PAUSE_S == 60


def test_state_round_trips_through_json_and_continues_the_same_revision() -> None:
    tracker = RevisionTracker(pause_s=60)
    tracker.assign(7, at(0))
    tracker.assign(8, at(10))
    saved = json.dumps(tracker.to_dict())
    assert json.loads(saved) == {
        "revision": 2,
        "person_id": 8,
        "last_at": "2024-05-01T09:00:10+00:00",
    }
    restored = RevisionTracker.from_dict(json.loads(saved), pause_s=60)
    assert restored == tracker
    assert restored.assign(8, at(20)) == (2, False)
    assert restored.assign(7, at(30)) == (3, True)


def test_fresh_state_round_trips() -> None:
    assert RevisionTracker.from_dict(RevisionTracker().to_dict()) == RevisionTracker()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"revision": "2", "person_id": 1, "last_at": None},
        {"revision": 2, "person_id": True, "last_at": None},
        {"revision": 2, "person_id": 1, "last_at": 5},
        {"revision": 2, "person_id": 1, "last_at": "yesterday"},
        {"revision": -1, "person_id": 1, "last_at": None},
    ],
)
def test_bad_saved_state_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RevisionTracker.from_dict(data)


def test_negative_pause_is_refused() -> None:
    with pytest.raises(ValueError, match="pause_s"):
        RevisionTracker(pause_s=-1)
