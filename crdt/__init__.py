"""The Flask-free heart of Jointly: what the web layer may use of it, and nothing more.

Rooms (``Room`` in a ``Hub``) own live documents; a store (``UpdateStore``,
``HistoryStore``) keeps their logs and history; ``protocol`` frames y-protocols messages;
``paragraphs`` and ``textdiff`` answer who wrote what and what changed. ``wiki`` imports
these names from ``crdt`` itself, never from its modules (``tests/crdt/test_layering.py``).
"""

from crdt import protocol
from crdt.anchors import Anchor, AnchorReader, InvalidAnchor
from crdt.attribution import Attribution
from crdt.commit import random_client_id
from crdt.engine import ENGINE_NAMES, TEXT_NAME, Doc, Engine, Op, get_engine, merge_updates
from crdt.errors import (
    CrdtError,
    DocumentTooLarge,
    ForeignClientId,
    OversizedUpdate,
    ProtocolError,
    UpdateRejected,
)
from crdt.hub import Hub
from crdt.paragraphs import (
    Author,
    Paragraph,
    authored_text,
    describe_paragraphs,
    paragraph_history,
    solid_length,
    split_blocks,
)
from crdt.protocol import AwarenessEntry
from crdt.room import History, Room
from crdt.store import (
    HistoryCheckpoint,
    HistoryStore,
    LogRecord,
    Rebase,
    RevisionRow,
    Sender,
    Snapshot,
    UpdateStore,
)
from crdt.terms import (
    STORED_ELSEWHERE,
    Limits,
    Listener,
    MissingDependency,
    StorageUnavailable,
    Stored,
)
from crdt.textdiff import word_diff
from crdt.updates import parse_update

__all__ = [
    "ENGINE_NAMES",
    "STORED_ELSEWHERE",
    "TEXT_NAME",
    "Anchor",
    "AnchorReader",
    "Attribution",
    "Author",
    "AwarenessEntry",
    "CrdtError",
    "Doc",
    "DocumentTooLarge",
    "Engine",
    "ForeignClientId",
    "History",
    "HistoryCheckpoint",
    "HistoryStore",
    "Hub",
    "InvalidAnchor",
    "Limits",
    "Listener",
    "LogRecord",
    "MissingDependency",
    "Op",
    "OversizedUpdate",
    "Paragraph",
    "ProtocolError",
    "Rebase",
    "RevisionRow",
    "Room",
    "Sender",
    "Snapshot",
    "StorageUnavailable",
    "Stored",
    "UpdateRejected",
    "UpdateStore",
    "authored_text",
    "describe_paragraphs",
    "get_engine",
    "merge_updates",
    "paragraph_history",
    "parse_update",
    "protocol",
    "random_client_id",
    "solid_length",
    "split_blocks",
    "word_diff",
]
