"""Rendered document pages, kept per app and document revision so a read does not re-render.

A page is kept as its top-level Markdown blocks, each rendered on its own with the range
of text it came from, so that the read page can offer a comment link under each one.

The cache knows nothing of who may read what: callers ask it only once the access policy
has allowed the request (pages.view goes through require_document first).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup

from crdt import split_blocks
from wiki.render import markdown as render


@dataclass(frozen=True)
class RenderedBlock:
    """One top-level block of a document: its number, its text range and its HTML."""

    number: int
    start: int
    end: int
    html: Markup


Page = tuple[RenderedBlock, ...]


def page_size(page: Page) -> int:
    return sum(sys.getsizeof(block.html) for block in page) + sys.getsizeof(page)


CACHE_KEY = "jointly.render_cache"


class RenderCache:
    """The latest rendering of each document, least recently read dropped past ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[int, tuple[int, Page]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, doc_id: int, seq: int) -> Page | None:
        """The HTML of document ``doc_id`` as of update ``seq``, if it is held."""
        with self._lock:
            entry = self._entries.get(doc_id)
            if entry is None or entry[0] != seq:
                return None
            self._entries.move_to_end(doc_id)
            return entry[1]

    def put(self, doc_id: int, seq: int, html: Page) -> None:
        """Hold ``html`` as document ``doc_id`` at ``seq``, replacing any older revision."""
        size = page_size(html)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(doc_id, None)
            if old is not None and old[0] > seq:  # a slower request read an older revision
                self._entries[doc_id] = old
                return
            self.bytes += size - (page_size(old[1]) if old else 0)
            self._entries[doc_id] = (seq, html)
            while self.bytes > self.max_bytes:
                _id, (_seq, dropped) = self._entries.popitem(last=False)
                self.bytes -= page_size(dropped)

    def __len__(self) -> int:
        return len(self._entries)


def render_cache() -> RenderCache:
    """The current app's cache, made on first use from ``RENDER_CACHE_BYTES``."""
    extensions = current_app.extensions
    cache = extensions.get(CACHE_KEY)
    if cache is None:
        cache = extensions.setdefault(
            CACHE_KEY, RenderCache(current_app.config["RENDER_CACHE_BYTES"])
        )
    return cache  # type: ignore[no-any-return]


def rendered_document(doc_id: int, seq: int, text: str) -> Page:
    """``text``, document ``doc_id`` as of update ``seq``, as safe HTML blocks: cached."""
    cache = render_cache()
    page = cache.get(doc_id, seq)
    if page is None:
        page = tuple(
            RenderedBlock(
                number,
                block.start,
                block.end,
                render.render_markdown(text[block.start : block.end]),
            )
            for number, block in enumerate(split_blocks(text), start=1)
        )
        cache.put(doc_id, seq, page)
    return page
