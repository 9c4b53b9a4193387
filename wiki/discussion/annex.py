"""Open comments as an annex of an export, in Markdown."""

from __future__ import annotations

from wiki.discussion.service import placed_comments
from wiki.extensions import db
from wiki.storage.models import Comment, CommentStatus, Document, Reply


def open_comments_annex(doc: Document) -> str:
    """Every open thread of ``doc`` as Markdown, in the order of the text ("" if none)."""
    query = db.select(Comment).where(
        Comment.document_id == doc.id, Comment.status == CommentStatus.OPEN
    )
    threads = placed_comments(doc, list(db.session.scalars(query)))
    if not threads:
        return ""
    parts = [f"## Annex: open comments ({len(threads)})"]
    for placed in threads:
        comment = placed.comment
        what = "Suggestion" if comment.replacement is not None else "Comment"
        parts.append(f"### {what} {comment.id}: {byline(comment)}")
        quote = placed.quote or f"(removed) {comment.quote_then}"
        parts.append("\n".join(f"> {line}" for line in quote.splitlines() or [""]))
        if comment.replacement is not None:
            parts.append(f"Suggested instead: {comment.replacement or '(delete these words)'}")
        if comment.body:
            parts.append(comment.body)
        parts += [f"Reply by {byline(reply)}:\n\n{reply.body}" for reply in comment.replies]
    return "\n\n".join(parts) + "\n"


def byline(entry: Comment | Reply) -> str:
    org = entry.organisation
    return f"{entry.person.name}, {org.name} ({org.kind.label}), {entry.created_at:%Y-%m-%d}"
