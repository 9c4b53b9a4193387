"""Builders for the moves and restores tests: three authors, three paragraphs, who wrote what."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

from crdt import attribution as attribution_module
from crdt.attribution import Attribution
from crdt.paragraphs import Author, Paragraph, authored_text, describe_paragraphs

Delta = list[dict[str, Any]]

GOV = Author(1, "Gita Gov", 10, "Cabinet Office", "government")
CSO = Author(2, "Chidi Cso", 20, "Open Data Charity", "civil_society")
WATCH = Author(3, "Wen Watch", 30, "Transparency Watch", "civil_society")

INTRO = "The ministry publishes budgets.\n\n"
ASK = "Civil society asks for every contract to be published.\n\n"
CLOSE = "Both review progress yearly.\n"


@contextmanager
def tiny_chunks() -> Iterator[None]:
    """Chunks of two runs, so that small tests cross chunk boundaries and split chunks."""
    with patch.object(attribution_module, "CHUNK_RUNS", 2):
        yield


def credited(shadow: Attribution) -> list[tuple[str, int]]:
    """Each visible character with the revision credited with writing it."""
    return [(char, rev) for text, rev in authored_text(shadow) for char in text]


def paragraphs(shadow: Attribution, who: dict[int, Author]) -> list[Paragraph]:
    return describe_paragraphs(shadow.text(), shadow, who)
