"""Full-text search over titles and text that returns only what the searcher may see.

The index lives in the database (SQLite FTS5; PostgreSQL ``tsvector``) beside
``search_state``, which records the log position and title each document was indexed at.
Every search first re-indexes the documents whose log has moved on or whose title changed,
so results are never staler than the log, whichever process stored the edits. Matches are
filtered through the access policy before anything about them (title, snippet, count,
order) leaves this module.
"""

from __future__ import annotations

import logging
import re
import sys
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text

from wiki.access.policy import visible
from wiki.documents import content
from wiki.extensions import db
from wiki.storage.models import Document, UpdateRecord

MAX_QUERY_CHARS = 200
MAX_RESULTS = 50
SNIPPET_WORDS = 16
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # around matched words; stripped from what we index
_UNMARK = str.maketrans("", "", MARK_OPEN + MARK_CLOSE)
_WORD = re.compile(r"\w+", re.UNICODE)
# Serialises re-indexing across PostgreSQL processes, so two cannot insert the same row.
ADVISORY_LOCK_KEY = 0x53524348  # "SRCH"
log = logging.getLogger(__name__)

Marked = list[tuple[str, bool]]  # (text, is_match)


@dataclass(frozen=True)
class Hit:
    """One document that matched: its title and best passage, split into plain and marked."""

    doc: Document
    snippet: Marked
    title: Marked


def search(person: Any, query: str) -> list[Hit]:
    """The documents ``person`` may see that match every word of ``query``, best first.

    Re-indexes first and only flushes: the caller commits.
    """
    words = _WORD.findall(query[:MAX_QUERY_CHARS])
    if not words:
        return []
    refresh_index()
    dialect = db.session.get_bind().dialect.name
    rows = _match_postgresql(words) if dialect == "postgresql" else _match_sqlite(words)
    found = db.session.scalars(select(Document).where(Document.id.in_([row[0] for row in rows])))
    allowed = {doc.id: doc for doc in visible(person, found)}
    hits = [
        Hit(allowed[doc_id], _split_marks(snippet), _split_marks(title))
        for doc_id, title, snippet in rows
        if doc_id in allowed
    ]
    # Ranked by the hit alone: bm25 weighs words by the whole index, hidden documents too,
    # so its order would tell a searcher something about text they may not see.
    hits.sort(
        key=lambda hit: (
            -_marks(hit.title),
            -_marks(hit.snippet),
            hit.doc.title.casefold(),
            hit.doc.id,
        )
    )
    return hits[:MAX_RESULTS]


def refresh_index() -> None:
    """Re-index every document whose text or title changed since it was last indexed; flush."""
    head = (
        select(func.max(UpdateRecord.seq))
        .where(UpdateRecord.document_id == Document.id)
        .scalar_subquery()
    )
    # A deleted document leaves the index at once; its log may be kept a while for audit.
    live = select(Document.id, Document.title, head).where(Document.deleted_at.is_(None))
    current = {doc_id: (seq or 0, title) for doc_id, title, seq in db.session.execute(live)}
    indexed = {
        row.document_id: (row.seq, row.title)
        for row in db.session.execute(text("SELECT document_id, seq, title FROM search_state"))
    }
    stale = [doc_id for doc_id, state in current.items() if indexed.get(doc_id) != state]
    gone = [doc_id for doc_id in indexed if doc_id not in current]
    if not stale and not gone:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    for doc_id in gone:
        _unindex(doc_id)
    for doc_id in stale:
        doc = db.session.get(Document, doc_id)
        read = _read(doc) if doc is not None else None
        if doc is not None and read is not None:
            _index(doc, *read)
    db.session.flush()


def _read(doc: Document) -> tuple[str, int] | None:
    """The document's stored text and seq, or None (logged) when they cannot be read.

    Read from the log, not through a room: indexing many documents must not load each live.
    """
    try:
        return content.hub().stored_text(doc.id, content.WAIT_S)
    except Exception:  # one document that cannot be read must not take search down
        log.warning(
            "search: cannot read document %s (%s); it stays as last indexed",
            doc.id,
            type(sys.exc_info()[1]).__name__,
        )
        return None


def _unindex(doc_id: int) -> None:
    params = {"id": doc_id}
    db.session.execute(text("DELETE FROM search_index WHERE document_id = :id"), params)
    db.session.execute(text("DELETE FROM search_state WHERE document_id = :id"), params)


def _index(doc: Document, body: str, seq: int) -> None:
    _unindex(doc.id)
    params = {
        "id": doc.id,
        "title": doc.title.translate(_UNMARK),
        "body": body.translate(_UNMARK),
        "seq": seq,
        "state_title": doc.title,  # as the documents table has it, to compare next time
    }
    db.session.execute(
        text("INSERT INTO search_index (document_id, title, body) VALUES (:id, :title, :body)"),
        params,
    )
    db.session.execute(
        text("INSERT INTO search_state (document_id, seq, title) VALUES (:id, :seq, :state_title)"),
        params,
    )


def _match_sqlite(words: list[str]) -> list[tuple[int, str, str]]:
    # Each word quoted, so nothing the searcher types is read as FTS5 query syntax.
    match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    query = text(
        "SELECT document_id, highlight(search_index, 1, :open, :close), "
        "snippet(search_index, 2, :open, :close, ' … ', :words) "
        "FROM search_index WHERE search_index MATCH :match"
    )
    params = {"match": match, "open": MARK_OPEN, "close": MARK_CLOSE, "words": SNIPPET_WORDS}
    return [(int(row[0]), str(row[1]), str(row[2])) for row in db.session.execute(query, params)]


def _match_postgresql(words: list[str]) -> list[tuple[int, str, str]]:
    # The GIN-indexed search_vector (migration d80f384294a6) finds the documents; the
    # passages are cut here, as FTS5's snippet() cuts them, since ts_headline's differ.
    query = text(
        "SELECT document_id, title, body FROM search_index "
        "WHERE search_vector @@ plainto_tsquery('simple', :words)"
    )
    wanted = {word.casefold() for word in words}
    return [
        (int(row[0]), _highlight(str(row[1]), wanted), _passage(str(row[2]), wanted))
        for row in db.session.execute(query, {"words": " ".join(words)})
    ]


def _is_match(word: re.Match[str], wanted: set[str]) -> bool:
    return word.group().casefold() in wanted


def _highlight(title: str, wanted: set[str]) -> str:
    """Every wanted word of ``title`` between the marks."""
    return _WORD.sub(
        lambda word: (
            MARK_OPEN + word.group() + MARK_CLOSE if _is_match(word, wanted) else word.group()
        ),
        title,
    )


def _passage(body: str, wanted: set[str]) -> str:
    """The ``SNIPPET_WORDS`` words of ``body`` with the most wanted words, marked, like FTS5.

    Of equal windows the earliest wins; the chosen one is moved to centre its matches, and
    `` … `` stands for the text cut off either side.
    """
    tokens = list(_WORD.finditer(body))
    hits = [index for index, word in enumerate(tokens) if _is_match(word, wanted)]
    first, last = _window(hits, len(tokens))
    if first >= last:
        return body
    cut = tokens[first].start() if first > 0 else 0
    end = tokens[last - 1].end() if last < len(tokens) else len(body)
    parts, at = [], cut
    for index in hits:
        if first <= index < last:
            word = tokens[index]
            parts += [body[at : word.start()], MARK_OPEN, word.group(), MARK_CLOSE]
            at = word.end()
    parts.append(body[at:end])
    return ("" if first == 0 else " … ") + "".join(parts) + ("" if end == len(body) else " … ")


def _window(hits: list[int], count: int) -> tuple[int, int]:
    """The first and past-the-last token of the passage: ``SNIPPET_WORDS`` of ``count``."""
    size = min(SNIPPET_WORDS, count)
    best, best_score = 0, 0
    for position, start in enumerate(hits):
        inside = bisect_left(hits, start + size, position) - position
        if inside > best_score:
            best, best_score = position, inside
    if not hits:
        return 0, size
    start, end = hits[best], hits[best + best_score - 1] + 1
    first = max(0, start - (size - (end - start)) // 2)
    first = min(first, count - size)
    return first, first + size


def _split_marks(snippet: str) -> Marked:
    """``a \\x02b\\x03 c`` -> [("a ", False), ("b", True), (" c", False)], spaces collapsed."""
    parts: Marked = []
    for chunk in " ".join(snippet.split()).split(MARK_OPEN):
        marked, _, rest = chunk.partition(MARK_CLOSE) if MARK_CLOSE in chunk else ("", "", chunk)
        if marked:
            parts.append((marked, True))
        if rest:
            parts.append((rest, False))
    return parts


def _marks(parts: Sequence[tuple[str, bool]]) -> int:
    return sum(1 for _text, is_match in parts if is_match)
