"""Which Yjs engine makes Jointly's documents, y-py or pycrdt, and the names callers import.

The rest of Jointly imports engine names from here. What a document promises is in
``crdt.doc``; the adapters are ``crdt.adapter`` (what both share), ``crdt.ypydoc`` and
``crdt.pycrdtdoc``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from importlib import import_module

from crdt.doc import EMPTY_UPDATE, TEXT_NAME, Delta, Doc, Engine, Op
from crdt.pycrdtdoc import PycrdtDoc
from crdt.ypydoc import YPyDoc, release_orphans, release_thread

__all__ = [
    "EMPTY_UPDATE",
    "ENGINE_ENV",
    "ENGINE_NAMES",
    "TEXT_NAME",
    "Delta",
    "Doc",
    "Engine",
    "Op",
    "PycrdtEngine",
    "YPyEngine",
    "available_engines",
    "get_engine",
    "merge_updates",
    "release_orphans",
    "release_thread",
]

ENGINE_NAMES = ("y-py", "pycrdt")
ENGINE_ENV = "WIKI_CRDT_ENGINE"


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
