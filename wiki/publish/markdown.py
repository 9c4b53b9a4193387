"""Markdown to export blocks, through markdown-it-py's token stream (CommonMark and tables).

Raw HTML stays as the text it is, as on the site. Images become their description: an export
never fetches anything. Links keep only web and mail addresses; a link within the site is
made absolute against ``base_url``.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from wiki.publish.model import (
    Block,
    CodeBlock,
    Heading,
    Inline,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Span,
    Table,
)

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
MAX_LEVEL = 4
SAFE_SCHEMES = ("http", "https", "mailto")


def blocks(markdown: str, *, base_url: str = "", shift: int = 0) -> tuple[Block, ...]:
    """The blocks of ``markdown``; headings go ``shift`` levels deeper (at most level 4)."""
    tokens = PARSER.parse(markdown)
    found, _ = _blocks(tokens, 0, len(tokens), base_url, shift)
    return tuple(found)


def _blocks(
    tokens: Sequence[Token], start: int, end: int, base: str, shift: int
) -> tuple[list[Block], int]:
    found: list[Block] = []
    i = start
    while i < end:
        token = tokens[i]
        kind = token.type
        if kind == "heading_open":
            level = min(int(token.tag[1]) + shift, MAX_LEVEL)
            found.append(Heading(level, inline(tokens[i + 1], base)))
            i += 3
        elif kind == "paragraph_open":
            found.append(Paragraph(inline(tokens[i + 1], base)))
            i += 3
        elif kind in ("bullet_list_open", "ordered_list_open"):
            close = _closing(tokens, i)
            found.append(ListBlock(kind == "ordered_list_open", _items(tokens, i, close, base)))
            i = close + 1
        elif kind == "table_open":
            close = _closing(tokens, i)
            found.append(_table(tokens[i:close], base))
            i = close + 1
        elif kind == "blockquote_open":
            close = _closing(tokens, i)
            inner, _ = _blocks(tokens, i + 1, close, base, shift)
            found.append(Quote(tuple(inner)))
            i = close + 1
        elif kind in ("fence", "code_block", "html_block"):
            found.append(CodeBlock(token.content.rstrip("\n")))
            i += 1
        elif kind == "hr":
            found.append(Rule())
            i += 1
        else:
            i += 1
    return found, i


def _closing(tokens: Sequence[Token], start: int) -> int:
    """The index of the token that closes the one at ``start``."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


def _items(
    tokens: Sequence[Token], start: int, end: int, base: str
) -> tuple[tuple[Block, ...], ...]:
    items = []
    i = start + 1
    while i < end:
        if tokens[i].type == "list_item_open":
            close = _closing(tokens, i)
            inner, _ = _blocks(tokens, i + 1, close, base, 0)
            items.append(tuple(inner))
            i = close + 1
        else:
            i += 1
    return tuple(items)


def _table(tokens: Sequence[Token], base: str) -> Table:
    header: list[Inline] = []
    rows: list[list[Inline]] = []
    in_head = False
    for token in tokens:
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open" and not in_head:
            rows.append([])
        elif token.type == "inline":
            (header if in_head else rows[-1]).append(inline(token, base))
    width = len(header)
    shaped = tuple(tuple((row + [()] * width)[:width]) for row in rows)
    return Table(tuple(header), shaped)


def inline(token: Token, base: str = "") -> Inline:
    """The styled spans of an inline token."""
    spans: list[Span] = []
    bold = italic = 0
    link: str | None = None
    for child in token.children or []:
        kind = child.type
        if kind in ("strong_open", "strong_close"):
            bold += 1 if kind == "strong_open" else -1
        elif kind in ("em_open", "em_close"):
            italic += 1 if kind == "em_open" else -1
        elif kind == "link_open":
            link = safe_link(str(child.attrs.get("href", "")), base)
        elif kind == "link_close":
            link = None
        elif kind in ("softbreak", "hardbreak"):
            spans.append(Span(" " if kind == "softbreak" else "\n", bold > 0, italic > 0))
        elif kind == "image":
            spans.append(Span(f"[image: {child.content}]", italic=True))
        elif kind == "code_inline":
            spans.append(Span(child.content, bold > 0, italic > 0, code=True, link=link))
        elif child.content:
            spans.append(Span(child.content, bold > 0, italic > 0, link=link))
    return tuple(spans)


def safe_link(href: str, base: str) -> str | None:
    """A web or mail address to link to, or None for anything else (``javascript:``...)."""
    absolute = urljoin(base, href) if base else href
    return absolute if urlsplit(absolute).scheme in SAFE_SCHEMES else None
