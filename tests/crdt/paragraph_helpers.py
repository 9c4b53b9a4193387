"""Builders for the paragraph tests: a text edited as the server replays a log.

Three authors of two organisations, ``Doc`` (a text edited through Y.Text-style deltas, with
its attribution shadow), a document of three paragraphs, and random edits for the property
tests.
"""

from __future__ import annotations

from hypothesis import strategies as st

from crdt.attribution import Attribution
from crdt.paragraphs import Author, Paragraph, describe_paragraphs

GOV = Author(1, "Gita Civil-Servant", 10, "Ministry of Finance", "government")
CSO = Author(2, "Cato Campaigner", 20, "Open Budget Network", "civil_society")
CSO_2 = Author(3, "Cleo Colleague", 20, "Open Budget Network", "civil_society")


class Doc:
    """A text edited through Y.Text-style deltas, with its shadow, as the server replays a log."""

    def __init__(self) -> None:
        self.text = ""
        self.shadow = Attribution()
        self.seq = 0

    def edit(self, index: int, delete: int, insert: str, rev: int) -> int:
        """Delete then insert at ``index`` in one log record; returns its seq."""
        self.seq += 1
        delta: list[dict[str, object]] = [{"retain": index}] if index else []
        delta += [{"delete": delete}] if delete else []
        delta += [{"insert": insert}] if insert else []
        self.shadow.apply_delta(delta, self.seq, rev)
        self.text = self.text[:index] + insert + self.text[index + delete :]
        return self.seq

    def insert(self, index: int, text: str, rev: int) -> int:
        return self.edit(index, 0, text, rev)

    def delete(self, piece: str, rev: int) -> int:
        return self.edit(self.text.index(piece), len(piece), "", rev)

    def paragraphs(self, authors: dict[int, Author] | None = None) -> list[Paragraph]:
        authors = authors if authors is not None else {rev: GOV for rev in range(1, 100)}
        return describe_paragraphs(self.text, self.shadow, authors)

    def ids(self) -> list[str]:
        return [paragraph.id for paragraph in self.paragraphs()]

    def by_text(self) -> dict[str, Paragraph]:
        return {paragraph.text.strip(): paragraph for paragraph in self.paragraphs()}


def three_paragraphs() -> Doc:
    doc = Doc()
    doc.insert(0, "A one.\n\nB two.\n\nC three.\n", rev=1)
    return doc


Step = tuple[bool, float, int, str, int]  # insert or delete, where, length, text, revision step


def edit_steps(
    longest: int, revision_steps: tuple[int, int], min_size: int = 0, max_size: int = 40
) -> st.SearchStrategy[list[Step]]:
    """Random edits, each a Step, with Markdown that starts and ends blocks."""
    return st.lists(
        st.tuples(
            st.booleans(),
            st.floats(0, 1),
            st.integers(1, longest),
            st.sampled_from(["a", "b ", "\n", "\n\n", "# ", "- ", "ab\n\n", "```\n", "> "]),
            st.integers(*revision_steps),
        ),
        min_size=min_size,
        max_size=max_size,
    )


edits = edit_steps(8, (1, 4))


def random_doc(steps: list[Step]) -> Doc:
    doc = Doc()
    rev = 1
    for insert, where, length, text, step in steps:
        rev += step // 4  # mostly the same revision, sometimes the next
        index = int(where * len(doc.text))
        if insert or not doc.text:
            doc.insert(index, text, rev)
        else:
            index = min(index, len(doc.text) - 1)
            doc.edit(index, min(length, len(doc.text) - index), "", rev)
    return doc
