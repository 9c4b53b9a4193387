"""The document size limit, checked before an update is applied: a CRDT cannot undo one."""

from __future__ import annotations

from crdt.engine import Doc, Engine
from crdt.errors import DocumentTooLarge, EngineFailure, MalformedUpdate


class SizeGuard:
    """Keeps a room's text within ``limit`` code points, measuring it as rarely as it can."""

    def __init__(self, engine: Engine, limit: int) -> None:
        self._engine = engine
        self._limit = limit
        self._length: int | None = None  # at least the text's length; None: not measured

    def check(self, doc: Doc, chars: int, data: bytes) -> None:
        """Refuse ``data`` (inserting ``chars`` code points) if it grows the text too long.

        Nearly always the bound (the length, plus every character the update inserts) is
        under the limit and settles it; only over it is the text measured, then the update
        tried on a scratch copy. Updates that only delete always pass, and so does one
        that leaves an over-long text no longer.
        """
        if not chars:
            return
        if self._length is not None and self._length + chars <= self._limit:
            self._length += chars
            return
        self._length = length = len(doc.text())
        after = length + chars
        if after > self._limit:
            after = self._length_after(doc, data)
            if after > max(self._limit, length):
                raise DocumentTooLarge(
                    f"the text would be {after:,} characters long; the limit is {self._limit:,}"
                )
        self._length = after

    def grown(self, chars: int | None) -> None:
        """Count an update applied without a check; None: how much it inserted is unknown."""
        self._length = None if chars is None or self._length is None else self._length + chars

    def forget(self) -> None:
        """The text was replaced: measure it again when next needed."""
        self._length = None

    def _length_after(self, doc: Doc, data: bytes) -> int:
        """The text's length once ``data`` is applied, found on a scratch copy of the doc."""
        scratch = self._engine.new_doc()
        scratch.apply_update(doc.encode_state())
        try:
            scratch.apply_update(data)
        except EngineFailure as error:  # the live doc would have failed too, and is intact
            raise MalformedUpdate(str(error)) from None
        return len(scratch.text())
