"""Who wrote each stretch of the current text, in the editor's offsets, for its live marks.

Offsets count UTF-16 code units, as the browser's Y.Text does. The answer names the text it
describes by its length and the CRC-32 of its UTF-16LE bytes, so an editor a few keystrokes
ahead knows to wait and ask again rather than mark the wrong letters. Answers are kept per
document and log position: every editor of a room asks after the same update.
"""

from __future__ import annotations

import re
import threading
import zlib
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from crdt import Attribution, Author, authored_text, solid_length, split_blocks
from wiki.history import service as history
from wiki.history.authorship import KIND_WORDS, whole_percentages
from wiki.storage.models import Document

REMEMBERED_ANSWERS = 32
ASTRAL = re.compile("[\U00010000-\U0010ffff]")

_answers: OrderedDict[tuple[int, int], dict[str, Any]] = OrderedDict()
_lock = threading.Lock()

# A run as built here: (start, end, revision), in Python string indices.
_Run = tuple[int, int, int]


def text_hash(text: str) -> int:
    """CRC-32 of the text's UTF-16LE bytes: what the browser computes over its Y.Text."""
    return zlib.crc32(text.encode("utf-16-le"))


def current_runs(doc: Document) -> dict[str, Any]:
    """The runs, authors and paragraph shares of the document's text now."""
    now = history.current(doc)
    key = (doc.id, now.seq)
    with _lock:
        if key in _answers:
            _answers.move_to_end(key)
            return _answers[key]
    answer = describe(now.text, now.attribution, lambda revs: history.authors_of(doc, revs))
    answer["seq"] = now.seq
    with _lock:
        _answers[key] = answer
        while len(_answers) > REMEMBERED_ANSWERS:
            _answers.popitem(last=False)
    return answer


def describe(
    text: str,
    attribution: Attribution,
    authors_of: Callable[[set[int]], Mapping[int, Author]],
) -> dict[str, Any]:
    """The JSON answer for ``text`` and its attribution (runs merged by revision)."""
    runs = merged_runs(attribution)
    who = authors_of({rev for _, _, rev in runs})
    to16 = utf16_offsets(text)
    return {
        "length": to16(len(text)),
        "hash": text_hash(text),
        "revisions": {str(rev): author_json(who.get(rev)) for rev in sorted({r[2] for r in runs})},
        "runs": [{"start": to16(a), "end": to16(b), "revision": rev} for a, b, rev in runs],
        "paragraphs": paragraph_shares(text, runs, who, to16),
    }


def merged_runs(attribution: Attribution) -> list[_Run]:
    """The visible text as (start, end, revision), adjacent stretches of a revision merged."""
    runs: list[_Run] = []
    pos = 0
    for piece, rev in authored_text(attribution):
        end = pos + len(piece)
        if runs and runs[-1][2] == rev:
            runs[-1] = (runs[-1][0], end, rev)
        elif end > pos:
            runs.append((pos, end, rev))
        pos = end
    return runs


def author_json(author: Author | None) -> dict[str, Any]:
    """Who made a revision, in words; text of no known revision is "other"."""
    if author is None:
        return {"person": None, "organisation": None, "kind": "other"}
    return {
        "person": author.person_name if author.person_id is not None else None,
        "organisation": author.organisation_name,
        "kind": author.kind,
    }


def utf16_offsets(text: str) -> Callable[[int], int]:
    """Python index -> UTF-16 offset: characters beyond the BMP count twice."""
    if text.isascii():
        return lambda index: index
    astral = [match.start() for match in ASTRAL.finditer(text)]
    return lambda index: index + bisect_left(astral, index)


def paragraph_shares(
    text: str,
    runs: Sequence[_Run],
    who: Mapping[int, Author],
    to16: Callable[[int], int],
) -> list[dict[str, Any]]:
    """Each top-level block's share of non-whitespace characters by organisation kind."""
    result = []
    k = 0
    for block in split_blocks(text):
        counts: dict[str, int] = {}
        while k < len(runs) and runs[k][1] <= block.start:
            k += 1
        j = k
        while j < len(runs) and runs[j][0] < block.end:
            start, end, rev = runs[j]
            piece = text[max(start, block.start) : min(end, block.end)]
            author = who.get(rev)
            kind = author.kind if author else "other"
            counts[kind] = counts.get(kind, 0) + solid_length(piece)
            j += 1
        total = sum(counts.values())
        shares = whole_percentages({kind: n / total for kind, n in counts.items()}) if total else {}
        result.append(
            {
                "start": to16(block.start),
                "end": to16(block.end),
                "shares": shares,
                "summary": shares_words(shares),
            }
        )
    return result


def shares_words(percentages: Mapping[str, int]) -> str:
    """'62% government · 38% civil society', largest first."""
    ranked = sorted(percentages.items(), key=lambda item: -item[1])
    return " · ".join(f"{value}% {KIND_WORDS[kind]}" for kind, value in ranked if value) or (
        "no text"
    )
