"""What a room works under and reports in: its limits, its refusals, what it stored."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crdt.errors import CrdtError, UpdateRejected
from crdt.revisions import REVISION_PAUSE_S

STORED_ELSEWHERE: object = object()


class StorageUnavailable(CrdtError):
    """The update could not be stored; the client keeps it and sends it again later."""


class MissingDependency(UpdateRejected):
    """An update builds on edits the room does not have yet; the client resends it after them."""


@dataclass(frozen=True)
class Limits:
    """Per-room limits and history settings, from the application's configuration."""

    max_update_bytes: int = 1024 * 1024
    max_document_chars: int = 500_000  # code points of the text, as ``len`` counts
    checkpoint_every: int = 500
    revision_pause_s: float = REVISION_PAUSE_S
    attribute_batch: int = 200


@dataclass(frozen=True, slots=True)
class Stored:
    """An update now in the log and in the live doc, for the room's listener.

    ``origin`` is what ``submit`` was given, or ``STORED_ELSEWHERE`` for an update that
    another process stored and this room followed.
    """

    seq: int
    data: bytes
    origin: object


Listener = Callable[[int, Sequence[Stored]], None]
"""Called on the room's worker with (doc id, updates) once per batch, in log order.

One call per batch, not per update, so that a listener can pass a busy room's updates on
as one message.
"""
