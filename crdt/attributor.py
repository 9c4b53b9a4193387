"""Revisions and who-wrote-what, computed from the stored log in log order.

This runs after updates are acknowledged, never on the acknowledgement's path: it
replays each stored record on a shadow document to read its text delta, assigns the
record to a revision, and feeds the delta to the attribution shadow. Because it only
reads the log in order, it computes exactly what it would have computed inline.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import replace

from crdt.attribution import Attribution
from crdt.commit import replay
from crdt.engine import Doc, Engine
from crdt.errors import CrdtError
from crdt.revisions import REVISION_PAUSE_S, RevisionTracker
from crdt.store import HistoryCheckpoint, HistoryStore, LogReader, LogRecord, RevisionRow
from crdt.terms import Limits

BATCH_RECORDS = 1000
log = logging.getLogger(__name__)


class Attributor:
    """The history of one document up to ``seq``; owned by one thread (it holds an engine doc)."""

    def __init__(
        self,
        doc_id: int,
        engine: Engine,
        store: LogReader,
        history: HistoryStore,
        *,
        pause_s: float = REVISION_PAUSE_S,
        checkpoint_every: int = 500,
    ) -> None:
        self.doc_id = doc_id
        self._store = store
        self._history = history
        self._engine = engine
        self._pause_s = pause_s
        self._checkpoint_every = checkpoint_every
        self.seq = 0
        self.attribution = Attribution()
        self.tracker = RevisionTracker(pause_s)
        self._shadow: Doc = self._new_shadow()
        self._open: RevisionRow | None = None
        self._checkpointed = 0
        self._copy: tuple[int, Attribution] | None = None  # the last snapshot, and its seq
        self._unsaved: dict[int, RevisionRow] = {}  # revisions changed since the last save
        self.unsaved_since: float | None = None
        """When (monotonic) the oldest change ``save`` has yet to store was replayed."""

    def load(self, upto_seq: int | None = None) -> None:
        """Start from the newest checkpoint at or before ``upto_seq`` that this version reads."""
        checkpoint = self._history.history_checkpoint(self.doc_id, upto_seq)
        while checkpoint is not None:
            try:
                attribution = Attribution.from_bytes(checkpoint.data)
                break
            except ValueError as error:
                # An older format (or a damaged one): never guess, take an earlier one or
                # replay from the start; the replay stores checkpoints in the new format.
                log.warning(
                    "document %s: attribution checkpoint at seq %s unread: %s",
                    self.doc_id,
                    checkpoint.seq,
                    error,
                )
                earlier = checkpoint.seq - 1
                checkpoint = (
                    self._history.history_checkpoint(self.doc_id, earlier) if earlier > 0 else None
                )
        if checkpoint is None:
            return
        self.seq = self._checkpointed = checkpoint.seq
        self.attribution = attribution
        self.tracker = RevisionTracker.from_dict(json.loads(checkpoint.tracker), self._pause_s)
        self._shadow = replay(self._new_shadow(), self._store.snapshot(self.doc_id, checkpoint.seq))
        if self.tracker.revision:
            rows = self._history.revision_rows(self.doc_id, [self.tracker.revision])
            self._open = replace(rows[0]) if rows else None

    def _new_shadow(self) -> Doc:
        # The shadow never writes, so any id will do; drawn from the system's generator
        # because idle-time work must not disturb the global ``random`` state others seed.
        return self._engine.new_doc(secrets.randbits(32))

    def catch_up(
        self, head_seq: int, *, persist: bool = True, limit: int | None = None, defer: bool = False
    ) -> int:
        """Replay stored records up to ``head_seq`` (at most ``limit``); returns how many.

        ``persist``: store the revisions changed, and a checkpoint when one is due; with
        ``defer`` they wait for ``save``, so that one commit takes several catch-ups.
        """
        done = 0
        while self.seq < head_seq and (limit is None or done < limit):
            want = head_seq - self.seq if limit is None else min(head_seq - self.seq, limit - done)
            records = self._store.records(self.doc_id, self.seq, min(BATCH_RECORDS, want))
            if not records:
                break
            for record in records:
                row = self._replay(record)
                if persist:
                    self._unsaved[row.number] = row
            done += len(records)
            if persist and not defer:
                self.save()
        if self._unsaved and self.unsaved_since is None:
            self.unsaved_since = time.monotonic()
        return done

    def save(self, *, checkpoint: bool = False) -> None:
        """Store the revisions changed since the last save, and a checkpoint when one is due.

        ``checkpoint``: store one at ``seq`` now, unless one is there already.
        """
        due = self.seq - self._checkpointed >= (1 if checkpoint else self._checkpoint_every)
        point = None
        if due:
            tracker = json.dumps(self.tracker.to_dict())
            point = HistoryCheckpoint(self.seq, tracker, self.attribution.to_bytes())
        if self._unsaved or point is not None:
            self._history.save_history(self.doc_id, list(self._unsaved.values()), point)
        self._unsaved.clear()
        self.unsaved_since = None
        if point is not None:
            self._checkpointed = self.seq

    def _replay(self, record: LogRecord) -> RevisionRow:
        sender = record.sender
        number, opened = self.tracker.assign(sender.person_id, record.created_at)
        delta = self._shadow.apply_update_delta(record.data)
        inserted, deleted = self.attribution.apply_delta(
            delta, record.seq, number, restores=sender.restores
        )
        row = self._open
        if opened or row is None:
            row = RevisionRow(
                number,
                sender.person_id,
                sender.organisation_id,
                sender.organisation_kind,
                record.seq,
                record.seq,
                record.created_at,
                record.created_at,
            )
            self._open = row
        row.last_seq = record.seq
        row.ended_at = max(row.ended_at, record.created_at)
        row.inserted += inserted
        row.deleted += deleted
        self.seq = record.seq
        return replace(row)

    def checkpoint_now(self) -> None:
        """Store the attribution at ``seq`` now, unless a checkpoint is there already."""
        self.save(checkpoint=True)

    def snapshot(self) -> Attribution:
        """A copy of the attribution that other threads may read while this one goes on.

        Readers share it (so they share its paragraph cut, cached per attribution), so
        they must never change it; it is made anew once another update is in.
        """
        if self._copy is None or self._copy[0] != self.seq:
            self._copy = (self.seq, self.attribution.copy())
        return self._copy[1]


def new_attributor(
    doc_id: int, engine: Engine, store: LogReader, limits: Limits, history: HistoryStore | None
) -> Attributor:
    """An attributor of the document, to load from its stored attribution and catch up."""
    if history is None:
        raise CrdtError("this document keeps no history")
    return Attributor(
        doc_id,
        engine,
        store,
        history,
        pause_s=limits.revision_pause_s,
        checkpoint_every=limits.checkpoint_every,
    )
