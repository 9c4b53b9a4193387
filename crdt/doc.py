"""What Jointly asks of a Yjs document: the Doc and Engine protocols and the name of its text.

Indexes and deltas count code points of the Python ``str``. Yjs counts UTF-16 units, y-py
is asked for code points ("utf32"), pycrdt counts UTF-8 bytes and its adapter converts them.
Both assume the text holds only strings, which ``crdt.updates.check_update`` enforces.

Threads: a y-py doc is bound to the thread that created it (see ``crdt.ypydoc``); a pycrdt
doc may move between threads but must never be used by two at once. Either way a live
document needs exactly one owner.

Failed applies: an update that does not decode raises MalformedUpdate and leaves the doc
unchanged. y-py (0.6.2, on yrs 0.12) can also panic half-way through integrating a decodable
update (a delete that splits a surrogate pair, an origin inside a struct not yet integrated)
after it has changed the text. Any such failure raises EngineFailure (a MalformedUpdate) and
the doc then refuses every call with BrokenDocument: rebuild it from the stored log.

Out of order: an update whose dependencies are missing is held by the adapter (up to
``crdt.adapter.MAX_PENDING``, oldest dropped) and handed to the engine once they arrive, as
Yjs does itself: y-py 0.6.2 would drop it, and pycrdt 0.14 may integrate a client's structs
out of clock order and then drop the earlier ones. Held updates are not in ``encode_state``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

TEXT_NAME = "markdown"  # the one Y.Text of every document
EMPTY_UPDATE = b"\x00\x00"  # no structs, empty delete set

Delta = list[dict[str, Any]]  # {"retain": n} | {"insert": str} | {"delete": n}
Op = tuple[int, int, str]  # (index, delete_count, insert_text)


class Doc(Protocol):
    """One Yjs document holding the ``TEXT_NAME`` text."""

    @property
    def client_id(self) -> int: ...
    def apply_update(self, update: bytes) -> None: ...  # no delta: the hot path
    def apply_update_delta(self, update: bytes) -> Delta: ...  # [] if the text did not change
    def encode_state(self) -> bytes: ...  # the whole state as one update v1
    def state_vector(self) -> bytes: ...
    def encode_diff(self, state_vector: bytes) -> bytes: ...  # what that vector lacks
    def text(self) -> str: ...
    def edit(self, ops: Sequence[Op]) -> bytes: ...  # one transaction; returns its update


class Engine(Protocol):
    """A factory of docs on one engine."""

    name: str

    def new_doc(self, client_id: int | None = None) -> Doc: ...
