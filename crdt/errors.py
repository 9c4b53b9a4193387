"""Exceptions raised by the CRDT layer; the edge turns them into socket or HTTP errors."""

from __future__ import annotations


class CrdtError(Exception):
    """Base class of every error the CRDT layer raises on purpose."""


class UpdateRejected(CrdtError):
    """Something a client sent was refused; ``str(error)`` is meant for the editor."""


class MalformedUpdate(UpdateRejected):
    """An update or state vector does not decode, or the engine failed to apply it."""


class OversizedUpdate(UpdateRejected):
    """An update is larger than the configured limit."""


class ForeignClientId(UpdateRejected):
    """An update writes new structs under a client id that the sender was not given."""


class UnsupportedContent(UpdateRejected):
    """An update is valid Yjs but writes something other than the document's one text."""


class ProtocolError(UpdateRejected):
    """A y-protocols message (sync or awareness framing) does not decode."""


class EngineFailure(MalformedUpdate):
    """The engine failed part-way through applying an update; the doc is now unusable."""


class BrokenDocument(CrdtError):
    """A doc was used after an EngineFailure; rebuild it from the stored log."""


class SplitCharacter(MalformedUpdate):
    """An update cuts a character in two: it names the gap inside a UTF-16 surrogate pair."""


class ClockGap(UpdateRejected):
    """An update leaves a hole in a client's clock: structs after a Skip the server lacks."""


class ClockOverlap(UpdateRejected):
    """A struct starts before a client's known clock and ends after it: half old, half new."""


class DocumentTooLarge(UpdateRejected):
    """Applying an update would make the document's text longer than the configured limit."""
