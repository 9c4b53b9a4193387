"""Grouping the update log into revisions: runs of one person's records without a long pause."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

REVISION_PAUSE_S = 60.0
"""A gap longer than this between one person's records closes their revision."""


@dataclass(slots=True)
class RevisionTracker:
    """Assigns revision numbers to log records read in log order; its state fits in a dict."""

    pause_s: float = REVISION_PAUSE_S
    revision: int = 0
    person_id: int | None = None
    last_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.pause_s < 0:
            raise ValueError(f"pause_s must be zero or more, not {self.pause_s}")
        if self.revision < 0:
            raise ValueError(f"revision must be zero or more, not {self.revision}")

    def assign(self, person_id: int | None, at: datetime) -> tuple[int, bool]:
        """Return (revision number, whether this record opened it) for the next log record."""
        opens = (
            self.revision == 0
            or self.last_at is None
            or person_id != self.person_id
            or (at - self.last_at).total_seconds() > self.pause_s
        )
        if opens:
            self.revision += 1
            self.person_id = person_id
            self.last_at = at
        elif self.last_at is None or at > self.last_at:
            # Log order, not clock order, is authoritative: a record stamped earlier than
            # its predecessor (clock skew between workers) must not shorten the pause measure.
            self.last_at = at
        return self.revision, opens

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-ready values (pause_s is configuration, so it is left out)."""
        return {
            "revision": self.revision,
            "person_id": self.person_id,
            "last_at": None if self.last_at is None else self.last_at.isoformat(),
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], pause_s: float = REVISION_PAUSE_S
    ) -> RevisionTracker:
        """Rebuild a tracker saved with to_dict."""
        try:
            revision = data["revision"]
            person_id = data["person_id"]
            last_at = data["last_at"]
        except KeyError as error:
            raise ValueError(f"revision tracker state lacks {error}") from error
        if not isinstance(revision, int) or isinstance(revision, bool):
            raise ValueError(f"revision tracker state has a bad revision: {revision!r}")
        if person_id is not None and (
            not isinstance(person_id, int) or isinstance(person_id, bool)
        ):
            raise ValueError(f"revision tracker state has a bad person_id: {person_id!r}")
        if last_at is not None and not isinstance(last_at, str):
            raise ValueError(f"revision tracker state has a bad last_at: {last_at!r}")
        at = None if last_at is None else datetime.fromisoformat(last_at)
        return cls(pause_s, revision, person_id, at)
