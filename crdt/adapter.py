"""What both engine adapters share, around the one boundary where client bytes meet an engine.

The base turns an engine's failures into MalformedUpdate, EngineFailure or BrokenDocument,
and holds an update whose dependencies are missing until they arrive (``crdt.doc`` says
what a caller sees of either).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from crdt.doc import Delta, Op
from crdt.errors import BrokenDocument, EngineFailure, MalformedUpdate
from crdt.updates import parse_state_vector, parse_update

MAX_CLIENT_ID = 2**53 - 1  # lib0 integers are JavaScript numbers
MAX_PENDING = 1000  # updates held for a missing dependency; the oldest are dropped

Spans = list[tuple[int, int]]  # (client, clock) pairs that a state vector reaches
Held = tuple[bytes, Spans, "Spans | None"]  # update, what it needs, what structs it brings
_FATAL = (KeyboardInterrupt, SystemExit, GeneratorExit)


class _EngineDoc:
    """What both adapters share, including the one boundary where client bytes meet the engine."""

    _broken: str | None = None
    _doc: Any
    _text: Any
    _encode: Callable[[bytes | None], bytes]
    _vector: Callable[[], bytes]

    def __init__(self) -> None:
        self._pending: list[Held] = []
        self._clocks: dict[int, int] = {}  # the engine's state vector, kept without asking it

    @property
    def client_id(self) -> int:
        return int(self._doc.client_id)

    def _apply_batch(self, updates: list[bytes]) -> None:
        raise NotImplementedError

    def apply_update(self, update: bytes) -> None:
        self._call("update", self._deliver, update, mutates=True)

    def _deliver(self, update: bytes) -> None:
        """Hand the engine, in one transaction, every update whose dependencies are now in."""
        waiting, batch, clocks = [_held(update), *self._pending], [], dict(self._clocks)
        while ready := [held for held in waiting if _reached(held[1], clocks)]:
            waiting = [held for held in waiting if all(held is not r for r in ready)]
            batch += ready  # the new update first, so if it fails to decode nothing changed
            for _, _, brings in ready:
                _advance(clocks, brings or [])
        if batch:
            self._apply_batch([held[0] for held in batch])
            if any(held[2] is None for held in batch):  # one the reader refused: ask the engine
                clocks = parse_state_vector(self._vector())
        self._pending, self._clocks = waiting[-MAX_PENDING:], clocks

    def _note_edit(self, update: bytes) -> bytes:
        brings = _held(update)[2]
        if brings is None:
            self._clocks = parse_state_vector(self._vector())
        _advance(self._clocks, brings or [])
        return update

    def _observe(self, callback: Callable[[Any], object]) -> Callable[[], object]:
        """Subscribe to the text's events; return the unsubscribe call."""
        raise NotImplementedError

    def apply_update_delta(self, update: bytes) -> Delta:
        self._live()
        raw: Delta = []
        unsubscribe = self._observe(lambda event: raw.extend(event.delta))
        try:
            self.apply_update(update)
        finally:
            unsubscribe()
        return [{k: op[k]} for op in raw for k in ("retain", "insert", "delete") if k in op]

    def encode_state(self) -> bytes:
        self._live()
        return bytes(self._encode(None))

    def state_vector(self) -> bytes:
        self._live()
        return bytes(self._vector())

    def encode_diff(self, state_vector: bytes) -> bytes:
        return bytes(self._call("state vector", self._encode, state_vector, mutates=False))

    def _live(self) -> None:
        if self._broken is not None:
            raise BrokenDocument(f"document is unusable after an engine failure: {self._broken}")

    def _call(self, what: str, call: Callable[[bytes], Any], data: bytes, *, mutates: bool) -> Any:
        self._live()
        try:
            return call(data)
        except _FATAL:
            raise
        except BaseException as exc:  # pyo3's PanicException derives from BaseException
            detail = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            if "unsendable" in str(exc):
                raise RuntimeError("a y-py document was used from another thread") from exc
            message = f"{what} is malformed: the engine refused it ({detail})"
            # Both engines decode a whole update before they integrate any of it.
            decoding = type(exc).__name__ == "EncodingException" or "Cannot decode" in detail
            if decoding or not mutates:
                raise MalformedUpdate(message) from exc
            self._broken = detail
            raise EngineFailure(message) from exc


def check_ops(ops: Sequence[Op], length: int) -> bool:
    """Whether the ops change anything; ValueError unless each fits the text left before it."""
    for index, delete_count, insert in ops:
        if not (0 <= index <= length and 0 <= delete_count <= length - index):
            raise ValueError(f"edit ({index}, {delete_count}) is outside a text of {length}")
        length += len(insert) - delete_count
    return any(delete_count or insert for _, delete_count, insert in ops)


def _client_id(client_id: int | None) -> int:
    if client_id is None:
        return random.getrandbits(32)  # what Yjs picks; the engines would go up to 2**53
    if not 0 <= client_id <= MAX_CLIENT_ID:
        raise ValueError(f"client id {client_id} is outside 0 .. 2**53 - 1")
    return client_id


def _held(update: bytes) -> Held:
    try:
        info = parse_update(update)
    except MalformedUpdate:  # stricter than the engine: let the engine decide, blind
        return update, [], None
    brings = [(client, clock + n) for client, spans in info.structs.items() for clock, n in spans]
    return update, list(info.needs.items()), brings


def _reached(spans: Spans, clocks: dict[int, int]) -> bool:
    return all(end <= clocks.get(client, 0) for client, end in spans)


def _advance(clocks: dict[int, int], spans: Spans) -> None:
    for client, end in spans:
        clocks[client] = max(clocks.get(client, 0), end)
