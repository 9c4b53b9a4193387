"""The timeslider: the document after each revision, with that revision's changes marked."""

from __future__ import annotations

from dataclasses import dataclass

from crdt import Author
from wiki.history import service as history
from wiki.storage.models import Document, Revision

SPEEDS = (0.5, 1, 2, 4)
"""Revisions a second the player offers; the page starts at 1."""


@dataclass(frozen=True)
class Frame:
    """One step of the timeslider: a revision, who made it, and its word diff."""

    revision: Revision
    author: Author
    latest: int
    changes: list[history.Change]

    @property
    def number(self) -> int:
        """The revision's number."""
        return self.revision.number

    @property
    def previous(self) -> int | None:
        """The revision before, if any."""
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The revision after, if any."""
        return self.number + 1 if self.number < self.latest else None


def chosen(asked: int | None, latest: int) -> int:
    """The revision to show: the one asked for, kept within 1..latest (0: none yet)."""
    if latest == 0:
        return 0
    return latest if asked is None else min(max(asked, 1), latest)


def frame(doc: Document, revision: Revision, latest: int) -> Frame:
    """The timeslider's step at ``revision``: the text then, its changes marked by author."""
    changes = history.diff(doc, revision.number - 1, revision.number)
    author = history.authors([revision])[revision.number]
    return Frame(revision, author, latest, changes)
