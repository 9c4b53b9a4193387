"""The narrow adapter between Jointly and a Yjs engine: y-py or pycrdt.

Indexes and deltas count code points of the Python ``str``. Yjs counts UTF-16 units, y-py
is asked for code points ("utf32"), pycrdt counts UTF-8 bytes and is converted here. Both
assume the text holds only strings, which ``crdt.updates.check_update`` enforces.

Threads: a y-py doc is bound to the thread that created it (another thread touching it
panics "unsendable", raised here as RuntimeError; dropping it elsewhere panics too, so the
adapters keep no reference cycles, and a doc the garbage collector frees on another thread
is parked for its own, see ``release_orphans``); a pycrdt doc may move between threads but
must never be used by two at once. Either way a live document needs exactly one owner.

Failed applies: an update that does not decode raises MalformedUpdate and leaves the doc
unchanged. y-py (0.6.2, on yrs 0.12) can also panic half-way through integrating a decodable
update (a delete that splits a surrogate pair, an origin inside a struct not yet integrated)
after it has changed the text. Any such failure raises EngineFailure (a MalformedUpdate) and
the doc then refuses every call with BrokenDocument: rebuild it from the stored log.

Out of order: an update whose dependencies are missing is held here (up to MAX_PENDING,
oldest dropped) and handed to the engine once they arrive, as Yjs does itself: y-py 0.6.2
would drop it, and pycrdt 0.14 may integrate a client's structs out of clock order and then
drop the earlier ones. Held updates are not in ``encode_state``.
"""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Callable, Sequence
from functools import partial
from importlib import import_module
from typing import Any, Protocol

from crdt.errors import BrokenDocument, EngineFailure, MalformedUpdate

TEXT_NAME = "markdown"  # the one Y.Text of every document
ENGINE_NAMES = ("y-py", "pycrdt")
ENGINE_ENV = "WIKI_CRDT_ENGINE"
EMPTY_UPDATE = b"\x00\x00"  # no structs, empty delete set
MAX_CLIENT_ID = 2**53 - 1  # lib0 integers are JavaScript numbers
MAX_PENDING = 1000  # updates held for a missing dependency; the oldest are dropped

Delta = list[dict[str, Any]]  # {"retain": n} | {"insert": str} | {"delete": n}
Op = tuple[int, int, str]  # (index, delete_count, insert_text)
Spans = list[tuple[int, int]]  # (client, clock) pairs that a state vector reaches
Held = tuple[bytes, Spans, "Spans | None"]  # update, what it needs, what structs it brings
_FATAL = (KeyboardInterrupt, SystemExit, GeneratorExit)


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
                clocks = _read_vector(self._vector())
        self._pending, self._clocks = waiting[-MAX_PENDING:], clocks

    def _note_edit(self, update: bytes) -> bytes:
        brings = _held(update)[2]
        if brings is None:
            self._clocks = _read_vector(self._vector())
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


# y-py objects let go on another thread than their own, waiting to be dropped on theirs.
_orphans: dict[threading.Thread, list[dict[str, Any]]] = {}
_orphans_lock = threading.Lock()


def release_orphans() -> None:
    """Drop the y-py objects of this thread that the garbage collector found on another one.

    The collector runs on whichever thread allocates when it is due, so a reference cycle
    made on one thread (a test's traceback, say) can be freed on another, where y-py
    panics. Such a doc's parts are parked for their own thread, which calls this when
    it makes a doc and between a room's jobs.
    """
    with _orphans_lock:
        mine = _orphans.pop(threading.current_thread(), None)
    del mine  # here, on their own thread


class YPyDoc(_EngineDoc):
    """A y-py document, its text indexed in code points ("utf32")."""

    def __init__(self, client_id: int | None = None) -> None:
        super().__init__()
        release_orphans()
        self._owner = threading.current_thread()
        y = import_module("y_py")
        self._doc = y.YDoc(client_id=_client_id(client_id), offset_kind="utf32")
        self._text = self._doc.get_text(TEXT_NAME)
        self._encode = partial(y.encode_state_as_update, self._doc)
        self._vector = partial(y.encode_state_vector, self._doc)
        self._subscribed = False
        # Holds a list only while edit() runs. The doc's callback sees this holder, never
        # self: a cycle through the doc would leave it to the garbage collector, which may
        # run on another thread, and y-py panics when a doc is dropped off its own thread.
        self._captured: list[list[bytes] | None] = [None]

    def __del__(self) -> None:
        owner = self.__dict__.get("_owner")
        if owner is not None and owner is not threading.current_thread():
            with _orphans_lock:  # keep the parts alive until their thread drops them
                _orphans.setdefault(owner, []).append(dict(self.__dict__))

    def _observe(self, callback: Callable[[Any], object]) -> Callable[[], object]:
        return partial(self._text.unobserve, self._text.observe(callback))

    def _apply_batch(self, updates: list[bytes]) -> None:
        with self._doc.begin_transaction() as txn:
            for update in updates:
                txn.apply_v1(update)

    def text(self) -> str:
        self._live()
        return str(self._text)

    def edit(self, ops: Sequence[Op]) -> bytes:
        self._live()
        if not check_ops(ops, len(self._text)):
            return EMPTY_UPDATE
        if not self._subscribed:  # y-py cannot unsubscribe, so subscribe on a doc's first edit
            self._doc.observe_after_transaction(partial(_capture, self._captured))
            self._subscribed = True
        self._captured[0] = captured = list[bytes]()
        try:
            with self._doc.begin_transaction() as txn:
                for index, delete_count, insert in ops:
                    if delete_count:
                        self._text.delete_range(txn, index, delete_count)
                    if insert:
                        self._text.insert(txn, index, insert)
        finally:
            self._captured[0] = None
        return self._note_edit(bytes(captured[-1])) if captured else EMPTY_UPDATE


def _capture(holder: list[list[bytes] | None], event: Any) -> None:
    captured = holder[0]
    if captured is not None:  # an edit's transaction, not an apply on the hot path
        captured.append(event.get_update())


def _held(update: bytes) -> Held:
    from crdt.updates import parse_update  # crdt.updates imports this module

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


def _read_vector(vector: bytes) -> dict[int, int]:
    from crdt.updates import parse_state_vector  # crdt.updates imports this module

    return parse_state_vector(vector)


class PycrdtDoc(_EngineDoc):
    """A pycrdt document; pycrdt counts UTF-8 bytes, so indexes are converted here."""

    def __init__(self, client_id: int | None = None) -> None:
        super().__init__()
        pycrdt = import_module("pycrdt")
        self._doc = pycrdt.Doc(client_id=_client_id(client_id))
        self._text = self._doc.get(TEXT_NAME, type=pycrdt.Text)
        self._encode, self._vector = self._doc.get_update, self._doc.get_state
        # The text as of the last delta, edit or read: byte counts are converted against it,
        # because reading the whole text back from the engine costs far more than a delta.
        self._mirror: str | None = ""
        self._mirror_size = 0  # in UTF-8 bytes, as the engine counts

    def _observe(self, callback: Callable[[Any], object]) -> Callable[[], object]:
        # The raw event, not pycrdt's wrapper, which builds every field and inspects callbacks.
        return self._text.integrated.observe(callback).drop  # type: ignore[no-any-return]

    def _apply_batch(self, updates: list[bytes]) -> None:
        self._mirror = None
        with self._doc.transaction():
            for update in updates:
                self._doc.apply_update(update)

    def apply_update_delta(self, update: bytes) -> Delta:
        old, size = self.text(), self._mirror_size
        raw = super().apply_update_delta(update)
        delta, new = utf8_delta_to_str(raw, old)
        if delta is not None:  # the size the engine should now report, in UTF-8 bytes
            size -= sum(op.get("delete", 0) for op in raw)
            size += sum(len(op["insert"].encode()) for op in raw if "insert" in op)
        if delta is None or len(self._text) != size:
            new = str(self._text)  # the delta does not add up (it never has): trust the text
            delta = diff_delta(old, new)
        self._mirror, self._mirror_size = new, len(self._text)
        return delta

    def text(self) -> str:
        self._live()
        if self._mirror is None:
            self._mirror, self._mirror_size = str(self._text), len(self._text)
        return self._mirror

    def edit(self, ops: Sequence[Op]) -> bytes:
        text = self.text()
        if not check_ops(ops, len(text)):
            return EMPTY_UPDATE
        captured: list[bytes] = []
        subscription = self._doc.observe(lambda event: captured.append(event.update))
        self._mirror = None
        try:
            with self._doc.transaction():
                for index, delete_count, insert in ops:
                    start = len(text[:index].encode())
                    if delete_count:
                        del self._text[start : start + len(text[index:][:delete_count].encode())]
                    if insert:
                        self._text.insert(start, insert)
                    text = text[:index] + insert + text[index + delete_count :]
        finally:
            self._doc.unobserve(subscription)
        self._mirror, self._mirror_size = text, len(self._text)
        return self._note_edit(bytes(captured[-1])) if captured else EMPTY_UPDATE


def utf8_delta_to_str(delta: Delta, old: str) -> tuple[Delta | None, str]:
    """Convert a delta counted in UTF-8 bytes over ``old``; return it and the new text.

    The delta is None when a count does not end on a character boundary inside ``old``.
    """
    ascii_old = old.isascii()  # O(1) in CPython; then bytes and code points agree
    out: Delta = []
    pieces: list[str] = []
    pos = 0
    for op in delta:
        if isinstance(op.get("insert"), str):
            pieces.append(op["insert"])
            out.append(op)
            continue
        key = "retain" if "retain" in op else "delete"
        n = op[key] if ascii_old else _chars_in(old, pos, op[key])
        if not 0 <= n <= len(old) - pos:
            return None, old
        pieces.append(old[pos : pos + n] if key == "retain" else "")
        out.append({key: n})
        pos += n
    return out, "".join(pieces) + old[pos:]


def _chars_in(text: str, start: int, size: int) -> int:
    """How many code points from ``start`` make exactly ``size`` UTF-8 bytes (-1 if none)."""
    chunk = text[start : start + size].encode()[:size]
    try:
        return len(chunk.decode()) if len(chunk) == size else -1
    except UnicodeDecodeError:
        return -1


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search: slice comparisons run in C, a character loop would not
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if a[:mid] == b[:mid] else (lo, mid - 1)
    return lo


def diff_delta(old: str, new: str) -> Delta:
    """A delta turning ``old`` into ``new`` by replacing one middle stretch."""
    prefix = _common_prefix(old, new)
    suffix = _common_prefix(old[prefix:][::-1], new[prefix:][::-1])
    ops: list[tuple[str, object]] = [("retain", prefix), ("delete", len(old) - prefix - suffix)]
    ops.append(("insert", new[prefix : len(new) - suffix]))
    return [{key: value} for key, value in ops if value]


def merge_updates(updates: Sequence[bytes]) -> bytes:
    """One update v1 holding everything the given updates hold, as Yjs's mergeUpdates makes.

    yrs's merge, through pycrdt whichever engine holds the documents: it reads bytes only
    and touches no document, so any thread may call it.
    """
    if len(updates) == 1:
        return updates[0]
    from pycrdt import merge_updates as merge  # a dependency beside either engine

    return bytes(merge(*updates))


class _AdapterEngine:
    name, module = "", ""
    doc_type: Callable[[int | None], Doc]

    def __init__(self) -> None:
        import_module(self.module)  # fail where the engine is chosen, not at the first document

    def new_doc(self, client_id: int | None = None) -> Doc:
        """A new empty document writing under ``client_id`` (random 32 bits if None)."""
        return self.doc_type(client_id)


class YPyEngine(_AdapterEngine):
    """Documents on y-py."""

    name, module, doc_type = "y-py", "y_py", YPyDoc


class PycrdtEngine(_AdapterEngine):
    """Documents on pycrdt."""

    name, module, doc_type = "pycrdt", "pycrdt", PycrdtDoc


_ENGINES: dict[str, type[_AdapterEngine]] = {"y-py": YPyEngine, "pycrdt": PycrdtEngine}


def _imports(name: str) -> bool:
    try:
        _ENGINES[name]()
    except ImportError:
        return False
    return True


def available_engines() -> list[str]:
    """Names of the engines that import here, in order of preference."""
    return [name for name in ENGINE_NAMES if _imports(name)]


def get_engine(name: str | None = None) -> Engine:
    """The named engine; by default $WIKI_CRDT_ENGINE, else y-py if it imports, else pycrdt."""
    name = name or os.environ.get(ENGINE_ENV) or (available_engines() or ["pycrdt"])[0]
    if name not in _ENGINES:
        raise ValueError(
            f"unknown CRDT engine {name!r} (setting CRDT_ENGINE, environment {ENGINE_ENV}); "
            f"choose one of: {', '.join(ENGINE_NAMES)}"
        )
    try:
        return _ENGINES[name]()
    except ImportError as exc:
        raise ImportError(
            f"CRDT engine {name!r} does not import ({exc}); install it or set {ENGINE_ENV} "
            f"to one of: {', '.join(available_engines()) or 'no engine is installed'}"
        ) from exc
