"""A document as the export writers see it: blocks of styled spans, with a title page and a
footer line for every page. Built from Markdown by ``wiki.publish.markdown``; written to
DOCX, ODT and PDF by the writers beside it. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A run of text with its emphasis, and the address it links to, if any."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    link: str | None = None


Inline = tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    level: int  # 1 to 4
    spans: Inline


@dataclass(frozen=True)
class Paragraph:
    spans: Inline


@dataclass(frozen=True)
class ListBlock:
    """A bulleted or numbered list; each item is blocks of its own (nested lists too)."""

    ordered: bool
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class Table:
    """A table with one header row; every row has as many cells as the header."""

    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class CodeBlock:
    text: str


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Rule:
    """A thematic break."""


@dataclass(frozen=True)
class PageBreak:
    """The next block starts a new page."""


Block = Heading | Paragraph | ListBlock | Table | CodeBlock | Quote | Rule | PageBreak


@dataclass(frozen=True)
class Book:
    """What a writer turns into a file: a title page, the blocks, a footer on every page."""

    title: str
    subtitle: tuple[str, ...]  # lines under the title on the title page
    blocks: tuple[Block, ...]
    footer: str
    metadata: dict[str, str] = field(default_factory=dict)  # e.g. author, subject


def plain(spans: Inline) -> str:
    """The text of some spans, without their styling."""
    return "".join(span.text for span in spans)


def text(value: str, *, bold: bool = False) -> Inline:
    """One span as an inline, for cells and headings built in code."""
    return (Span(value, bold=bold),) if value else ()
