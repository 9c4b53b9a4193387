"""What the "Who wrote what" page shows: each paragraph formatted, in names, with its threads.

Paragraphs are rendered by ``wiki.render`` like the read page; each is linked to the
comments and suggestions anchored in it, placed where their anchors stand now.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from markupsafe import Markup

from crdt import Paragraph
from wiki.discussion.service import placed_comments
from wiki.extensions import db
from wiki.history import authorship
from wiki.history import service as history
from wiki.render.markdown import render_markdown
from wiki.storage.models import Comment, Document, Revision


@dataclass(frozen=True)
class ThreadLink:
    """A comment or suggestion anchored in a paragraph, as the page links to it."""

    label: str  # "Comment 12"
    status: str  # "Open"
    url: str


def attribution_context(doc: Document, revision: Revision | None, marks: bool) -> dict[str, Any]:
    """Everything the attribution template needs, now or at ``revision``."""
    paragraphs, who = history.paragraphs_and_authors(doc, revision)
    # Anchors stand in the current text, so threads are shown beside the current text only.
    threads = threads_by_paragraph(doc, paragraphs) if revision is None else {}
    return {
        "doc": doc,
        "paragraphs": paragraphs,
        "revision": revision,
        "marks": marks,
        "who": who,
        "names": history.names(who),
        "notes": authorship.paragraph_notes(paragraphs, who),
        "rendered": rendered_paragraphs(paragraphs),
        "threads": [threads.get(index, []) for index in range(len(paragraphs))],
        "runs": history.marked_runs(doc, revision) if marks else None,
    }


def rendered_paragraphs(paragraphs: Sequence[Paragraph]) -> list[Markup]:
    """Each paragraph's Markdown as safe HTML, as the read page shows it."""
    return [render_markdown(paragraph.text) for paragraph in paragraphs]


def threads_by_paragraph(
    doc: Document, paragraphs: Sequence[Paragraph]
) -> dict[int, list[ThreadLink]]:
    """The threads anchored in each paragraph (by its index), in the order of the text.

    A thread belongs to the last paragraph that starts at or before its anchor, as on the
    read page; one whose words were all deleted belongs to none.
    """
    comments = list(db.session.scalars(db.select(Comment).where(Comment.document_id == doc.id)))
    starts = [paragraph.start for paragraph in paragraphs]
    found: dict[int, list[ThreadLink]] = {}
    for placed in placed_comments(doc, comments):
        index = bisect_right(starts, placed.start) - 1
        if placed.removed or index < 0:
            continue
        comment = placed.comment
        kind = "Suggestion" if comment.kind.value == "suggestion" else "Comment"
        url = url_for("discussion.show", slug=doc.slug, status="all") + f"#c{comment.id}"
        link = ThreadLink(f"{kind} {comment.id}", comment.status.label, url)
        found.setdefault(index, []).append(link)
    return found
