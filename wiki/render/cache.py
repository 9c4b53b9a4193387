"""Rendered document pages, kept per app and document revision so a read does not re-render.

The cache knows nothing of who may read what: callers ask it only once the access policy
has allowed the request (pages.view goes through require_document first).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict

from flask import current_app
from markupsafe import Markup

from wiki.render import markdown as render

CACHE_KEY = "jointly.render_cache"


class RenderCache:
    """The latest rendering of each document, least recently read dropped past ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[int, tuple[int, Markup]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, doc_id: int, seq: int) -> Markup | None:
        """The HTML of document ``doc_id`` as of update ``seq``, if it is held."""
        with self._lock:
            entry = self._entries.get(doc_id)
            if entry is None or entry[0] != seq:
                return None
            self._entries.move_to_end(doc_id)
            return entry[1]

    def put(self, doc_id: int, seq: int, html: Markup) -> None:
        """Hold ``html`` as document ``doc_id`` at ``seq``, replacing any older revision."""
        size = sys.getsizeof(html)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(doc_id, None)
            if old is not None and old[0] > seq:  # a slower request read an older revision
                self._entries[doc_id] = old
                return
            self.bytes += size - (sys.getsizeof(old[1]) if old else 0)
            self._entries[doc_id] = (seq, html)
            while self.bytes > self.max_bytes:
                _id, (_seq, dropped) = self._entries.popitem(last=False)
                self.bytes -= sys.getsizeof(dropped)

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


def rendered_document(doc_id: int, seq: int, text: str) -> Markup:
    """``text``, document ``doc_id`` as of update ``seq``, as safe HTML: cached when possible."""
    cache = render_cache()
    html = cache.get(doc_id, seq)
    if html is None:
        html = render.render_markdown(text)
        cache.put(doc_id, seq, html)
    return html
