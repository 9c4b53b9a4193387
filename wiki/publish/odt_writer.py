"""A Book as an OpenDocument text file (.odt) through odfpy: headings with outline levels,
lists, tables with header rows and real links, in the paragraph styles LibreOffice names its
own (Heading 1, Preformatted Text, Quotations...), and a footer on every page."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from itertools import count, groupby
from typing import Any

from odf import dc, meta, style, table, text  # type: ignore[import-untyped]
from odf.opendocument import OpenDocumentText  # type: ignore[import-untyped]

from wiki.publish.model import (
    Block,
    Book,
    CodeBlock,
    Heading,
    Inline,
    ListBlock,
    PageBreak,
    Paragraph,
    Quote,
    Rule,
    Span,
    Table,
)

Element = Any  # odfpy has no type information
Props = dict[str, str]
LANGUAGE = "en-GB"
MONOSPACE = "Liberation Mono"
TEXT_WIDTH_CM = 17.0  # A4 less two 2 cm margins
HEADING_SIZES = {1: "18pt", 2: "15pt", 3: "13pt", 4: "12pt"}
BULLETS = "•◦▪"
LIST_LEVELS = 10
MONOSPACE_FACE = {"name": MONOSPACE, "fontfamily": f"'{MONOSPACE}'", "fontfamilygeneric": "modern"}
PAGE = {"pagewidth": "21cm", "pageheight": "29.7cm", "printorientation": "portrait"}
MARGINS = {"margintop": "2cm", "marginbottom": "1.5cm", "marginleft": "2cm", "marginright": "2cm"}
BOLD = {"fontweight": "bold"}
# (display name, parent, paragraph properties, text properties); LibreOffice's own names.
NAMED_STYLES: tuple[tuple[str, str | None, Props, Props], ...] = (
    ("Standard", None, {}, {}),
    ("Text body", "Standard", {"marginbottom": "0.25cm"}, {}),
    ("Title", "Standard", {"marginbottom": "0.5cm"}, {"fontsize": "26pt"}),
    ("Subtitle", "Standard", {"marginbottom": "0.3cm"}, {"fontsize": "14pt"}),
    ("Preformatted Text", "Standard", {"marginbottom": "0.25cm"},
     {"fontname": MONOSPACE, "fontsize": "9.5pt"}),
    ("Quotations", "Text body", {"marginleft": "1cm", "marginright": "1cm"}, {}),
    ("Horizontal Line", "Standard", {"borderbottom": "0.06pt solid #808080"}, {}),
    ("List Contents", "Text body", {"marginbottom": "0.1cm"}, {}),
    ("Table Contents", "Standard", {}, {}),
    ("Table Heading", "Table Contents", {}, BOLD),
    ("Footer", "Standard", {"textalign": "center"}, {"fontsize": "9pt"}),
)  # fmt: skip
# Tabs, runs of spaces and a space opening a line would be collapsed by a reader: spell them.
SPACING = re.compile(r"(\t| {2,}|^ )")


def write_odt(book: Book) -> bytes:
    """The bytes of an .odt file holding ``book``: a title page, then its blocks."""
    writer = _Writer(OpenDocumentText(), book.metadata.get("language", LANGUAGE))
    writer.describe(book)
    writer.title_page(book)
    for block in book.blocks:
        writer.block(block)
    buffer = io.BytesIO()
    writer.doc.save(buffer)
    return buffer.getvalue()


def _style(name: str, parent: str | None, paragraph: Props, text_: Props) -> Element:
    """A paragraph style named as LibreOffice names it (a space spelt ``_20_``)."""
    found = style.Style(name=name.replace(" ", "_20_"), displayname=name, family="paragraph")
    if parent:
        found.setAttribute("parentstylename", parent.replace(" ", "_20_"))
    if paragraph:
        found.addElement(style.ParagraphProperties(**paragraph))
    if text_:
        found.addElement(style.TextProperties(**text_))
    return found


def _named_styles() -> list[Element]:
    """The paragraph styles a reader sees in the style list, headings last."""
    found = [_style(*row) for row in NAMED_STYLES]
    for level, size in HEADING_SIZES.items():
        spacing = {"margintop": "0.4cm", "keepwithnext": "always"}
        heading = _style(f"Heading {level}", "Standard", spacing, {"fontsize": size, **BOLD})
        heading.setAttribute("defaultoutlinelevel", str(level))
        found.append(heading)
    return found


def _page_layout() -> Element:
    """A4 portrait, 2 cm side margins, with room for the footer."""
    layout = style.PageLayout(name="A4")
    layout.addElement(style.PageLayoutProperties(**PAGE, **MARGINS))
    footer = style.FooterStyle()
    footer.addElement(style.HeaderFooterProperties(minheight="0.6cm", margintop="0.4cm"))
    layout.addElement(footer)
    return layout


def _paragraph(style_name: str, value: str) -> Element:
    """A paragraph of plain text."""
    found = text.P(stylename=style_name)
    _add_text(found, value)
    return found


def _add_text(element: Element, value: str) -> None:
    """Add ``value`` keeping its line breaks, tabs and runs of spaces."""
    for index, line in enumerate(value.split("\n")):
        if index:
            element.addElement(text.LineBreak())
        for piece in SPACING.split(line):
            if piece == "\t":
                element.addElement(text.Tab())
            elif piece and not piece.strip(" "):
                element.addElement(text.S(c=len(piece)))
            elif piece:
                element.addText(piece)


class _Writer:
    """Builds one document: its styles once, then its body block by block."""

    def __init__(self, doc: Element, language: str) -> None:
        self.doc = doc
        self.language = language
        self.automatic: dict[str, Element] = {}
        self.tables = count(1)
        self.named_styles()

    def named_styles(self) -> None:
        """The styles, with the document's language as the default for every paragraph."""
        lang, _, country = self.language.partition("-")
        default = style.DefaultStyle(family="paragraph")
        default.addElement(style.TextProperties(language=lang, country=country or "none"))
        self.doc.styles.addElement(default)
        self.doc.fontfacedecls.addElement(style.FontFace(**MONOSPACE_FACE))
        for named in _named_styles():
            self.doc.styles.addElement(named)
        for ordered in (False, True):
            self.doc.automaticstyles.addElement(_list_style(ordered))

    def describe(self, book: Book) -> None:
        """Metadata, and an A4 master page whose footer is on every page."""
        author, subject = book.metadata.get("author"), book.metadata.get("subject")
        found = [(dc.Title, book.title), (dc.Language, self.language), (dc.Subject, subject)]
        for element, value in [*found, (meta.InitialCreator, author), (dc.Creator, author)]:
            if value:
                self.doc.meta.addElement(element(text=value))
        layout = _page_layout()
        self.doc.automaticstyles.addElement(layout)
        master = style.MasterPage(name="Standard", pagelayoutname=layout)
        footer = style.Footer()
        footer.addElement(_paragraph("Footer", book.footer))
        master.addElement(footer)
        self.doc.masterstyles.addElement(master)

    def title_page(self, book: Book) -> None:
        """The title and subtitle lines; the last of them ends the page if blocks follow."""
        lines = [("Title", book.title), *(("Subtitle", line) for line in book.subtitle)]
        for index, (name, value) in enumerate(lines):
            last = index == len(lines) - 1 and bool(book.blocks)
            self.doc.text.addElement(_paragraph(self.break_after(name) if last else name, value))

    def block(self, block: Block, parent: Element | None = None, quoted: bool = False) -> None:
        """Append one block to ``parent`` (the body unless given)."""
        into = self.doc.text if parent is None else parent
        match block:
            case Heading(level, spans):
                heading = text.H(outlinelevel=level, stylename=f"Heading_20_{level}")
                into.addElement(self.spans(heading, spans))
            case Paragraph(spans):
                body = "Quotations" if quoted else "Text_20_body"
                into.addElement(self.spans(text.P(stylename=body), spans))
            case ListBlock():
                into.addElement(self.list(block))
            case Table() if block.header:
                into.addElement(self.table(block))
            case CodeBlock(value):
                into.addElement(_paragraph("Preformatted_20_Text", value))
            case Quote(blocks):
                for inner in blocks:
                    self.block(inner, into, quoted=True)
            case Rule():
                into.addElement(text.P(stylename="Horizontal_20_Line"))
            case PageBreak():
                into.addElement(text.P(stylename=self.break_after("Standard")))

    def list(self, block: ListBlock) -> Element:
        """A list; a list inside an item is nested in it and so one level deeper."""
        found = text.List(stylename="L_number" if block.ordered else "L_bullet")
        for blocks in block.items:
            item = text.ListItem()
            for inner in blocks or (Paragraph(()),):
                if isinstance(inner, Paragraph):
                    item.addElement(self.spans(text.P(stylename="List_20_Contents"), inner.spans))
                elif isinstance(inner, Table):
                    self.table_lines(inner, item)
                else:
                    self.block(inner, item)
            found.addElement(item)
        return found

    def table(self, block: Table) -> Element:
        """A table whose first row is its header row (repeated on every page it spans)."""
        width = len(block.header)
        grid = style.TableProperties(width=f"{TEXT_WIDTH_CM}cm", align="margins")
        grid_name = self.automatic_style("Grid", "table", grid)
        found = table.Table(name=f"Table{next(self.tables)}", stylename=grid_name)
        column = style.TableColumnProperties(columnwidth=f"{TEXT_WIDTH_CM / width:.3f}cm")
        name = self.automatic_style(f"Column{width}", "table-column", column)
        found.addElement(table.TableColumn(numbercolumnsrepeated=width, stylename=name))
        header = table.TableHeaderRows()
        header.addElement(self.row(block.header, "Table_20_Heading"))
        found.addElement(header)
        for cells in block.rows:
            found.addElement(self.row(cells, "Table_20_Contents"))
        return found

    def table_lines(self, block: Table, item: Element) -> None:
        """A table as lines of cells, for inside a list item, where ODF allows no table."""
        for index, cells in enumerate((block.header, *block.rows)):
            line = [span for spans in cells for span in (Span(" | "), *spans)][1:]
            line = [replace(span, bold=span.bold or index == 0) for span in line]
            item.addElement(self.spans(text.P(stylename="List_20_Contents"), tuple(line)))

    def row(self, cells: tuple[Inline, ...], paragraph_style: str) -> Element:
        borders = style.TableCellProperties(border="0.5pt solid #000000", padding="0.1cm")
        name = self.automatic_style("Cell", "table-cell", borders)
        found = table.TableRow()
        for spans in cells:
            cell = table.TableCell(stylename=name, valuetype="string")
            cell.addElement(self.spans(text.P(stylename=paragraph_style), spans))
            found.addElement(cell)
        return found

    def spans(self, paragraph: Element, spans: Inline) -> Element:
        """Fill a paragraph or heading; consecutive spans with one address share one link."""
        for link, group in groupby(spans, key=lambda span: span.link):
            target = paragraph
            if link is not None:
                target = text.A(href=link, type="simple")
                paragraph.addElement(target)
            for span in group:
                name = self.span_style(span)
                holder = target if name is None else text.Span(stylename=name)
                _add_text(holder, span.text)
                if holder is not target:
                    target.addElement(holder)
        return paragraph

    def span_style(self, span: Span) -> str | None:
        """The automatic text style for a span's emphasis, or None for plain text."""
        name = "T" + "b" * span.bold + "i" * span.italic + "c" * span.code
        if name == "T":
            return None
        wanted = {"fontweight": "bold" * span.bold, "fontstyle": "italic" * span.italic}
        properties = {key: value for key, value in wanted.items() if value}
        if span.code:
            properties["fontname"] = MONOSPACE
        return self.automatic_style(name, "text", style.TextProperties(**properties))

    def break_after(self, parent: str) -> str:
        """A paragraph style like ``parent`` after which a new page begins."""
        found = self.automatic_style(
            f"Break_{parent}", "paragraph", style.ParagraphProperties(breakafter="page")
        )
        self.automatic[found].setAttribute("parentstylename", parent)
        return found

    def automatic_style(self, name: str, family: str, properties: Element) -> str:
        """The name of an automatic style, added the first time it is asked for."""
        if name not in self.automatic:
            found = style.Style(name=name, family=family)
            found.addElement(properties)
            self.doc.automaticstyles.addElement(found)
            self.automatic[name] = found
        return name


def _list_style(ordered: bool) -> Element:
    """Bullets or numbers, indented 0.6 cm a level."""
    found = text.ListStyle(name="L_number" if ordered else "L_bullet")
    for level in range(1, LIST_LEVELS + 1):
        if ordered:
            marker = text.ListLevelStyleNumber(level=level, numformat="1", numsuffix=".")
        else:
            bullet = BULLETS[(level - 1) % len(BULLETS)]
            marker = text.ListLevelStyleBullet(level=level, bulletchar=bullet)
        indent = f"{0.6 * (level - 1):.1f}cm"
        marker.addElement(style.ListLevelProperties(spacebefore=indent, minlabelwidth="0.6cm"))
        found.addElement(marker)
    return found
