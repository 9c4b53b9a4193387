"""Comments and suggestions: anchoring them, replying, resolving, and accepting a suggestion.

A comment is anchored by Yjs relative positions that follow the text (crdt.anchors); the
room hands out the state they are read against. Accepting a suggestion is an edit the
server makes through the edit pipeline, sent as its proposer, so attribution credits the
proposer; the comment records who accepted it and the seq of that edit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app

from crdt import Anchor, AnchorReader, InvalidAnchor
from wiki.documents import content
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.notify import events as notices
from wiki.render.cache import RenderedBlock
from wiki.storage.models import (
    Comment,
    CommentKind,
    CommentStatus,
    Document,
    Person,
    Reply,
    Revision,
)
from wiki.storage.models.types import utcnow

MAX_BODY_CHARS = 10_000
READERS_KEPT = 16

_readers: OrderedDict[tuple[int, int, int], AnchorReader] = OrderedDict()
_readers_lock = threading.Lock()


class StaleSuggestion(Exception):
    """The text a suggestion was about changed since; accepting it needs a confirmation."""


class NotOpen(Exception):
    """The comment was already resolved, accepted or rejected."""


@dataclass(frozen=True)
class Placed:
    """A comment and where its anchor stands now."""

    comment: Comment
    start: int
    end: int
    quote: str

    @property
    def stale(self) -> bool:
        """Whether the text it is about changed since it was made."""
        return self.quote != self.comment.quote_then

    @property
    def removed(self) -> bool:
        """Whether all the text it was about was deleted."""
        return self.quote == "" and self.comment.quote_then != ""


def reader_for(doc: Document) -> tuple[AnchorReader, int]:
    """The document as its room holds it now, to anchor in; and its head seq.

    Readers are kept by head, so that a page listing many comments reads the state once.
    """
    state, text, head = content.hub().room(doc.id).state().result(content.WAIT_S)
    key = (id(current_app._get_current_object()), doc.id, head)  # type: ignore[attr-defined]
    with _readers_lock:
        found = _readers.get(key)
        if found is not None:
            _readers.move_to_end(key)
            return found, head
    made = AnchorReader(state, text)
    with _readers_lock:
        _readers[key] = made
        while len(_readers) > READERS_KEPT:
            _readers.popitem(last=False)
    return made, head


def place(reader: AnchorReader, comment: Comment) -> Placed:
    """Where ``comment`` stands in the text ``reader`` holds."""
    try:
        start, end = reader.resolve(Anchor(comment.anchor_start, comment.anchor_end))
    except InvalidAnchor:  # an anchor this state cannot place counts as text removed
        start = end = 0
    return Placed(comment, start, end, reader.text[start:end])


def placed_comments(doc: Document, comments: list[Comment]) -> list[Placed]:
    """``comments`` of ``doc``, each with where it stands now, in the order of the text."""
    if not comments:
        return []
    reader, _head = reader_for(doc)
    found = [place(reader, comment) for comment in comments]
    return sorted(found, key=lambda p: (p.start, p.comment.id))


def find_comment(doc: Document, comment_id: int) -> Comment | None:
    """A comment of ``doc``, or None (a comment of another document is None too)."""
    comment = db.session.get(Comment, comment_id)
    return comment if comment is not None and comment.document_id == doc.id else None


def range_of_quote(text: str, quote: str, occurrence: int) -> tuple[int, int]:
    """The ``occurrence``-th (from 1) place ``quote`` stands in ``text``."""
    if not quote:
        raise InvalidInput({"quote": "Quote the words the comment is about."})
    start = -1
    for _ in range(max(occurrence, 1)):
        start = text.find(quote, start + 1)
        if start < 0:
            raise InvalidInput(
                {"quote": "Those words are not in the document now; copy them from it again."}
            )
    return start, start + len(quote)


def check_body(body: str, *, required: bool) -> str:
    body = body.replace("\r\n", "\n").strip()
    if required and not body:
        raise InvalidInput({"body": "Write the comment."})
    if len(body) > MAX_BODY_CHARS:
        raise InvalidInput({"body": f"Write at most {MAX_BODY_CHARS:,} characters."})
    return body


def add_comment(
    doc: Document,
    person: Person,
    *,
    body: str,
    quote: str = "",
    occurrence: int = 1,
    anchor: Anchor | None = None,
    replacement: str | None = None,
) -> Comment:
    """Anchor a comment, or a suggestion when ``replacement`` is given; flushed, not committed.

    ``anchor`` (from the live editor) wins over ``quote``; a suggestion may anchor an empty
    range, which it inserts into.
    """
    if replacement is not None:
        replacement = replacement.replace("\r\n", "\n")
        if len(replacement) > current_app.config["MAX_DOCUMENT_CHARS"]:
            raise InvalidInput({"replacement": "The suggested text is too long."})
    body = check_body(body, required=replacement is None)
    reader, _head = reader_for(doc)
    if anchor is not None:
        try:
            start, end = reader.resolve(anchor)
        except InvalidAnchor as error:
            raise InvalidInput({"anchor": str(error)}) from error
        if start == end and replacement is None:
            raise InvalidInput({"anchor": "Select the words the comment is about."})
    else:
        start, end = range_of_quote(reader.text, quote, occurrence)
    made = reader.anchor(start, end)
    comment = Comment(
        document_id=doc.id,
        person_id=person.id,
        organisation_id=person.organisation_id,
        kind=CommentKind.SUGGESTION if replacement is not None else CommentKind.COMMENT,
        body=body,
        replacement=replacement,
        quote_then=reader.text[start:end],
        anchor_start=made.start,
        anchor_end=made.end,
        status=CommentStatus.OPEN,
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    notices.commented(doc, comment, person)
    return comment


def add_reply(comment: Comment, person: Person, body: str) -> Reply:
    """Reply to a thread; flushed, not committed."""
    reply = Reply(
        comment=comment,
        person_id=person.id,
        organisation_id=person.organisation_id,
        body=check_body(body, required=True),
        created_at=utcnow(),
    )
    db.session.add(reply)
    db.session.flush()
    notices.replied(comment, reply, person)
    return reply


def set_resolved(comment: Comment, person: Person, resolved: bool) -> None:
    """Resolve an open thread, or re-open a resolved one."""
    wanted = CommentStatus.OPEN if resolved else CommentStatus.RESOLVED
    if comment.status is not wanted:
        raise NotOpen
    comment.status = CommentStatus.RESOLVED if resolved else CommentStatus.OPEN
    comment.decided_by_id, comment.decided_at = (person.id, utcnow()) if resolved else (None, None)


def decide(
    doc: Document, comment: Comment, person: Person, *, accept: bool, confirm_stale: bool
) -> None:
    """Accept (the server makes the edit, as the proposer) or reject an open suggestion."""
    if comment.kind is not CommentKind.SUGGESTION or comment.status is not CommentStatus.OPEN:
        raise NotOpen
    if accept:
        reader, head = reader_for(doc)
        placed = place(reader, comment)
        if placed.stale and not confirm_stale:
            raise StaleSuggestion
        text = reader.text
        new = text[: placed.start] + (comment.replacement or "") + text[placed.end :]
        # Sent as the proposer, in the organisation they wrote it for: credit is theirs.
        comment.accepted_seq = content.edit_text(
            doc, comment.person, comment.organisation, head, new
        )
    comment.status = CommentStatus.ACCEPTED if accept else CommentStatus.REJECTED
    comment.decided_by_id, comment.decided_at = person.id, utcnow()


def open_threads_by_block(doc: Document, blocks: Sequence[RenderedBlock]) -> dict[int, int]:
    """How many open threads start in each block of the read page, by block number."""
    query = db.select(Comment).where(
        Comment.document_id == doc.id, Comment.status == CommentStatus.OPEN
    )
    counts: dict[int, int] = {}
    for placed in placed_comments(doc, list(db.session.scalars(query))):
        holding = [block for block in blocks if block.start <= placed.start]
        if holding:  # the last block that starts at or before it
            counts[holding[-1].number] = counts.get(holding[-1].number, 0) + 1
    return counts


def accepted_in(doc: Document, revisions: Sequence[Revision]) -> dict[int, list[str]]:
    """For each revision holding an accepted suggestion: "suggested by …, accepted by …"."""
    if not revisions:
        return {}
    query = db.select(Comment).where(
        Comment.document_id == doc.id,
        Comment.accepted_seq >= min(r.first_seq for r in revisions),
        Comment.accepted_seq <= max(r.last_seq for r in revisions),
    )
    said: dict[int, list[str]] = {}
    for comment in db.session.scalars(query):
        for revision in revisions:
            seq = comment.accepted_seq or 0
            if revision.first_seq <= seq <= revision.last_seq and comment.decided_by:
                said.setdefault(revision.number, []).append(
                    f"Suggested by {comment.person.name}, {comment.organisation.name}; "
                    f"accepted by {comment.decided_by.name}"
                )
    return said
