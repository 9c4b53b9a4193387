"""The y-py adapter: documents bound to the thread that created them.

Another thread touching a y-py doc panics "unsendable", raised here as RuntimeError.
Dropping one elsewhere panics too, so the adapter keeps no reference cycles, and a doc the
garbage collector frees on another thread is parked for its own (``release_orphans``).
A thread that ends must first let go of every doc it made (``release_thread``): once it
has ended nothing can free them, so nothing is ever parked for an ended thread.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from functools import partial
from importlib import import_module
from typing import Any

from crdt.adapter import _client_id, _EngineDoc, check_ops
from crdt.doc import EMPTY_UPDATE, TEXT_NAME, Op

# y-py objects let go on another thread than their own, waiting to be dropped on theirs.
_orphans: dict[threading.Thread, list[dict[str, Any]]] = {}
_orphans_lock = threading.Lock()
# Every y-py doc still alive, so a thread that ends can find and drop its own.
_alive: weakref.WeakSet[YPyDoc] = weakref.WeakSet()
_PARTS = ("_doc", "_text", "_encode", "_vector")  # what holds y-py objects
ENDED = "its thread has ended"


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


def release_thread() -> None:
    """Drop, here, every y-py object of this thread: call it last on a thread that made docs.

    Docs made here that something still holds (a caller's result, an exception's
    traceback) keep their Python side, but their engine parts go now and any later use
    raises BrokenDocument: once the thread has ended, no other thread could free them.
    """
    me = threading.current_thread()
    with _orphans_lock:
        mine: list[object] = [_orphans.pop(me, None)]
        for doc in list(_alive):
            if doc.__dict__.get("_owner") is me:
                mine.append(_take_parts(doc))
                doc._broken = ENDED
                _alive.discard(doc)
    del mine  # here, on their own thread


def _take_parts(doc: YPyDoc) -> dict[str, Any]:
    """Detach the doc's y-py objects (under ``_orphans_lock``), for one thread to drop."""
    return {name: doc.__dict__.pop(name) for name in _PARTS if name in doc.__dict__}


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
        with _orphans_lock:
            _alive.add(self)

    def __del__(self) -> None:
        owner = self.__dict__.get("_owner")
        if owner is None or owner is threading.current_thread():
            return
        with _orphans_lock:  # keep the parts alive until their thread drops them
            parts = _take_parts(self)  # none left if the thread already let go of them
            if parts and owner.is_alive():
                _orphans.setdefault(owner, []).append(parts)
                return
        # Its thread ended without release_thread: y-py reports the drop and loses the doc,
        # which is better than holding it forever where no thread will ever come for it.
        del parts

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
