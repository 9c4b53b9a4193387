"""Export blocks to PDF with reportlab's platypus, on this server alone: fonts come from the
system's DejaVu files (or the standard PDF fonts), never from the network. The footer, which
names the recipient of a restricted copy, is drawn on every page, the title page included."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import platypus  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.platypus.flowables import splitLines  # type: ignore[import-untyped]

from wiki.publish import model

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/dejavu-sans-mono-fonts"),
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/share/fonts/dejavu"),  # Alpine
    Path("/usr/local/share/fonts"),
    Path("/usr/local/share/fonts/dejavu"),
)
FAMILIES = ("DejaVuSans", "DejaVuSansMono")
FACES = ("", "-Bold", "-Oblique", "-BoldOblique")
FAMILY_KEYS = ("normal", "bold", "italic", "boldItalic")  # registerFontFamily's, in FACES order
MARGIN = 20 * mm
FRAME_PADDING = 6.0  # reportlab's default, inside the margins on each side
LEFT = MARGIN + FRAME_PADDING
COLUMN_WIDTH = A4[0] - 2 * LEFT
FOOTER_GAP = 6 * mm
PAGE_NUMBER_HEIGHT = 11.0
INDENT = 18.0
LINK_COLOUR = "#1a4f9c"
BULLETS = ("•", "–")  # by depth; both are in the standard fonts' encoding
NUMBERS = ("1", "a", "i")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
QUOTES = {'"': "&quot;"}
GRID_STYLE = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
]
_REGISTERING = threading.Lock()


@dataclass(frozen=True)
class Fonts:
    """The faces a document is set in."""

    body: str
    bold: str
    mono: str
    unicode: bool  # False: the standard fonts, which show only Windows-1252 characters


STANDARD = Fonts("Helvetica", "Helvetica-Bold", "Courier", unicode=False)
DEJAVU = Fonts("DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono", unicode=True)


@dataclass
class _Context:
    fonts: Fonts
    styles: dict[str, ParagraphStyle]
    headings: int = 0  # how many so far: each gets a destination of its own
    outline_level: int = -1  # of the last entry; the next may be at most one deeper


def write_pdf(book: model.Book) -> bytes:
    """The PDF of ``book``: a title page, then its blocks, and its footer on every page."""
    fonts = choose_fonts()
    ctx = _Context(fonts, _styles(fonts))
    buffer = io.BytesIO()
    footer = _plain(book.footer, "footer", ctx)
    footer_height = footer.wrap(COLUMN_WIDTH, A4[1])[1] if book.footer.strip() else 0.0
    doc = platypus.SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + PAGE_NUMBER_HEIGHT + footer_height + FOOTER_GAP,
        title=_text(book.title),
        creator="Jointly",
        lang=book.metadata.get("language", "en-GB"),  # as the other writers
        displayDocTitle=True,
        **{key: _text(book.metadata.get(key, "")) for key in ("author", "subject", "keywords")},
    )
    story = _title_page(book, ctx) + _flow(book.blocks, ctx, COLUMN_WIDTH, 0)
    decorate = _page_decorator(footer if footer_height else None, footer_height, fonts)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def find_fonts() -> dict[str, Path] | None:
    """The DejaVu Sans and Sans Mono files by face name, or None when any face is missing."""
    found: dict[str, Path] = {}
    for face in (family + suffix for family in FAMILIES for suffix in FACES):
        path = next((d / f"{face}.ttf" for d in FONT_DIRS if (d / f"{face}.ttf").is_file()), None)
        if path is None:
            return None
        found[face] = path
    return found


def choose_fonts() -> Fonts:
    """DejaVu, registered with reportlab once per process, or the standard fonts without it."""
    files = find_fonts()
    if files is None:
        return STANDARD
    with _REGISTERING:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for face, path in files.items():
            if face not in registered:
                pdfmetrics.registerFont(TTFont(face, str(path)))
        for family in FAMILIES:
            faces = (family + suffix for suffix in FACES)
            pdfmetrics.registerFontFamily(family, **dict(zip(FAMILY_KEYS, faces, strict=True)))
    return DEJAVU


def _styles(fonts: Fonts) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=fonts.body, fontSize=10.5, leading=14.5, spaceAfter=6)
    small: dict[str, Any] = {"fontSize": 9.5, "leading": 12, "spaceAfter": 0}
    specs: dict[str, dict[str, Any]] = {
        "title": {"fontName": fonts.bold, "fontSize": 26, "leading": 32},
        "subtitle": {"fontSize": 13, "leading": 18, "textColor": colors.HexColor("#444444")},
        "cell": small,
        "head": {**small, "fontName": fonts.bold},
        "footer": {"fontSize": 8, "leading": 10, "spaceAfter": 0, "textColor": colors.dimgrey},
        "code": {"fontName": fonts.mono, "fontSize": 9, "leading": 11.5, "spaceBefore": 4},
    }
    specs["code"] |= {"backColor": colors.HexColor("#f3f3f3"), "borderPadding": 4, "spaceAfter": 10}
    specs["code"] |= {"leftIndent": 4, "rightIndent": 4}
    for level, size in enumerate((18.0, 15.0, 13.0, 11.5), start=1):
        specs[f"h{level}"] = {"fontName": fonts.bold, "fontSize": size, "leading": size * 1.25}
        specs[f"h{level}"] |= {"spaceBefore": size * 0.8, "keepWithNext": 1}
    return {"body": body} | {name: ParagraphStyle(name, body, **kw) for name, kw in specs.items()}


def _text(value: str) -> str:
    """Text without the control characters that a PDF string or reportlab's parser rejects."""
    return CONTROL.sub("", value)


def _shown(value: str, fonts: Fonts) -> str:
    """Text the fonts can draw: the standard fonts show "?" for what Windows-1252 lacks."""
    value = _text(value).replace("\t", "    ")
    return value if fonts.unicode else value.encode("cp1252", "replace").decode("cp1252")


def _escape(value: str, fonts: Fonts) -> str:
    """Plain text as reportlab paragraph markup."""
    return escape(_shown(value, fonts), QUOTES).replace("\n", "<br/>")


def _markup(spans: model.Inline, fonts: Fonts) -> str:
    """Styled spans as reportlab paragraph markup, links as link annotations."""
    parts = []
    for span in spans:
        part = _escape(span.text, fonts)
        if span.code:
            part = f'<font face="{fonts.mono}">{part}</font>'
        if span.italic:
            part = f"<i>{part}</i>"
        if span.bold:
            part = f"<b>{part}</b>"
        if span.link:
            href = escape(_text(span.link), QUOTES)
            part = f'<a href="{href}" color="{LINK_COLOUR}"><u>{part}</u></a>'
        parts.append(part)
    return "".join(parts)


def _flow(blocks: Iterable[model.Block], ctx: _Context, width: float, depth: int) -> list[Any]:
    """The flowables of some blocks, in a column ``width`` wide, ``depth`` lists deep."""
    story: list[Any] = []
    for block in blocks:
        if isinstance(block, model.Heading):
            story += _heading(block, ctx)
        elif isinstance(block, model.Paragraph):
            story.append(platypus.Paragraph(_markup(block.spans, ctx.fonts), ctx.styles["body"]))
        elif isinstance(block, model.ListBlock):
            story.append(_list(block, ctx, width, depth))
        elif isinstance(block, model.Table):
            story += _table(block, ctx)
        elif isinstance(block, model.CodeBlock):
            story.append(_code(block, ctx, width))
        elif isinstance(block, model.Quote):
            inner = _flow(block.blocks, ctx, width - INDENT, depth)
            story += [platypus.Indenter(left=INDENT), *inner, platypus.Indenter(left=-INDENT)]
        elif isinstance(block, model.Rule):
            story.append(platypus.HRFlowable(width="100%", thickness=0.5, color=colors.grey))
        elif isinstance(block, model.PageBreak):
            story.append(platypus.PageBreak())
    return story


def _heading(heading: model.Heading, ctx: _Context) -> list[Any]:
    level = min(max(heading.level, 1), 4)
    # An outline entry may be at most one level below the one before it.
    ctx.outline_level = min(level - 1, ctx.outline_level + 1)
    ctx.headings += 1
    entry = _OutlineEntry(_text(model.plain(heading.spans)), f"h{ctx.headings}", ctx.outline_level)
    return [entry, platypus.Paragraph(_markup(heading.spans, ctx.fonts), ctx.styles[f"h{level}"])]


def _list(block: model.ListBlock, ctx: _Context, width: float, depth: int) -> Any:
    items = []
    for item in block.items:
        inner = _flow(item, ctx, width - INDENT, depth + 1)
        items.append(platypus.ListItem(inner or [platypus.Spacer(0, 0)]))
    body = ctx.styles["body"]
    style = {"leftIndent": INDENT, "bulletFontName": body.fontName, "bulletFontSize": body.fontSize}
    if block.ordered:
        style |= {"bulletType": NUMBERS[depth % len(NUMBERS)], "bulletFormat": "%s."}
    else:
        style |= {"bulletType": "bullet", "start": BULLETS[depth % len(BULLETS)]}
    return platypus.ListFlowable(items, **style)


def _table(table: model.Table, ctx: _Context) -> list[Any]:
    if not table.header:
        return []
    rows = [_cells(table.header, "head", ctx)] + [_cells(row, "cell", ctx) for row in table.rows]
    widths = [f"{100 / len(table.header):.4f}%"] * len(table.header)
    grid = platypus.Table(rows, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    grid.setStyle(GRID_STYLE)
    return [grid, platypus.Spacer(0, 8)]


def _plain(value: str, style: str, ctx: _Context) -> Any:
    return platypus.Paragraph(_escape(value, ctx.fonts), ctx.styles[style])


def _cells(row: tuple[model.Inline, ...], style: str, ctx: _Context) -> list[Any]:
    return [platypus.Paragraph(_markup(cell, ctx.fonts), ctx.styles[style]) for cell in row]


def _code(block: model.CodeBlock, ctx: _Context, width: float) -> Any:
    style = ctx.styles["code"]
    column = pdfmetrics.stringWidth("0", style.fontName, style.fontSize)
    columns = max(int((width - style.leftIndent - style.rightIndent) / column), 20)
    lines = splitLines(_shown(block.text, ctx.fonts).split("\n"), columns, None, "  ")
    # XPreformatted, unlike Preformatted, paints the style's background.
    return platypus.XPreformatted(escape("\n".join(lines)) or " ", style)


def _title_page(book: model.Book, ctx: _Context) -> list[Any]:
    lines = [_plain(line, "subtitle", ctx) for line in book.subtitle]
    top, gap = platypus.Spacer(0, 50 * mm), platypus.Spacer(0, 6 * mm)
    return [top, _plain(book.title, "title", ctx), gap, *lines, platypus.PageBreak()]


def _page_decorator(footer: Any, footer_height: float, fonts: Fonts) -> Callable[[Any, Any], None]:
    """Draws the (already wrapped) footer and the page number at the foot of a page."""

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        top = MARGIN + PAGE_NUMBER_HEIGHT + footer_height + FOOTER_GAP / 2
        canvas.setStrokeColor(colors.lightgrey)
        canvas.setLineWidth(0.5)
        canvas.line(LEFT, top, LEFT + COLUMN_WIDTH, top)
        if footer is not None:
            footer.drawOn(canvas, LEFT, MARGIN + PAGE_NUMBER_HEIGHT)
        canvas.setFont(fonts.body, 8)
        canvas.setFillColor(colors.dimgrey)
        canvas.drawRightString(LEFT + COLUMN_WIDTH, MARGIN, f"Page {doc.page}")
        canvas.restoreState()

    return decorate


class _OutlineEntry(platypus.Flowable):
    """Where a heading starts: a named destination, and its entry in the PDF's outline."""

    def __init__(self, title: str, key: str, level: int) -> None:
        super().__init__()
        self.title, self.key, self.level = title, key, level
        self.keepWithNext = True  # so it lands on the heading's page

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return (0.0, 0.0)

    def draw(self) -> None:
        self.canv.bookmarkHorizontal(self.key, 0, 0)
        self.canv.addOutlineEntry(self.title, self.key, self.level)
