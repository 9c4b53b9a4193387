"""A Book as a Word file (.docx) through python-docx: built-in heading, list, quote and table
styles, real hyperlinks and a header row that repeats, so that screen readers, Word and
LibreOffice see the structure. python-docx has no API for links, header rows, list restarts
or borders; those few elements are built here as WordprocessingML."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from itertools import groupby

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph
from docx.text.run import Run

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

LANGUAGE = "en-GB"
MONOSPACE = "Courier New"
CODE_STYLE = "Code Block"
LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)
MAX_LIST_LEVEL = 3
QUOTE_INDENT = Cm(1)
CODE_SIZE = Pt(9.5)


def write_docx(book: Book) -> bytes:
    """The bytes of a .docx file holding ``book``: a title page, then its blocks."""
    document = Document()
    _set_up(document, book)
    document.add_paragraph(book.title, style="Title")
    for line in book.subtitle:
        document.add_paragraph(line, style="Subtitle")
    if book.blocks:
        _page_break(document)
    writer = _Writer(document)
    for block in book.blocks:
        writer.block(block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_up(document: WordDocument, book: Book) -> None:
    """A4 pages with the footer on every one, the metadata, and the code paragraph style."""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.different_first_page_header_footer = False
    footer = section.footer.paragraphs[0]
    footer.text = book.footer
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    language = book.metadata.get("language", LANGUAGE)
    properties = document.core_properties
    properties.title = book.title
    properties.language = language
    properties.author = book.metadata.get("author", "")
    properties.subject = book.metadata.get("subject", "")
    properties.keywords = book.metadata.get("keywords", "")
    properties.comments = ""
    properties.created = properties.modified = datetime.now(UTC)
    # Word and screen readers take the proofing and reading language from the runs, not from
    # the core properties: set it on the defaults every style inherits.
    for lang in document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        lang.set(qn("w:val"), language)
    code = document.styles.add_style(CODE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    code.base_style = document.styles["Normal"]
    code.font.name = MONOSPACE
    code.font.size = CODE_SIZE
    code.paragraph_format.space_after = Pt(6)
    code.paragraph_format.line_spacing = 1.0


class _Writer:
    """Appends blocks to a document body."""

    def __init__(self, document: WordDocument) -> None:
        self.document = document
        self.link_style = "Hyperlink" if "Hyperlink" in document.styles else None
        # python-docx finds a style by name with a scan of every style each time; a long
        # plan asks thousands of times, so the ids are looked up once.
        self.style_ids = {style.name: style.style_id for style in document.styles}
        self.width = document._block_width

    def add(self, style: str | None = None) -> WordParagraph:
        """A new paragraph at the end of the body, in ``style`` (a name)."""
        paragraph = self.document.add_paragraph()
        if style is not None:
            paragraph._p.style = self.style_ids[style]
        return paragraph

    def block(self, block: Block, quoted: bool = False) -> None:
        """Append one block; ``quoted`` when it sits in a quote."""
        add = self.add
        match block:
            case Heading(level, spans):
                self.spans(add(style=f"Heading {level}"), spans)
            case Paragraph(spans):
                paragraph = add(style="Quote" if quoted else None)
                if quoted:
                    paragraph.paragraph_format.left_indent = QUOTE_INDENT
                self.spans(paragraph, spans)
            case ListBlock():
                self.list(block, 1)
            case Table():
                self.table(block)
            case CodeBlock(text):
                paragraph = add(style=CODE_STYLE)
                _preserve_spaces(paragraph.add_run(text))
            case Quote(blocks):
                for inner in blocks:
                    self.block(inner, quoted=True)
            case Rule():
                _bottom_border(add())
            case PageBreak():
                _page_break(self.document)

    def list(self, block: ListBlock, depth: int) -> None:
        """Append a list; each item's first paragraph carries the bullet or number."""
        level = min(depth, MAX_LIST_LEVEL)
        suffix = "" if level == 1 else f" {level}"
        style = ("List Number" if block.ordered else "List Bullet") + suffix
        number = _restart_numbering(self.document, style) if block.ordered else None
        for item in block.items:
            rest: tuple[Block, ...] = item[1:]
            head = item[0] if item else Paragraph(())
            if not isinstance(head, Paragraph):
                head, rest = Paragraph(()), item
            paragraph = self.add(style)
            if number is not None:
                _number(paragraph, number)
            self.spans(paragraph, head.spans)
            for inner in rest:
                if isinstance(inner, ListBlock):
                    self.list(inner, depth + 1)
                elif isinstance(inner, Paragraph):
                    self.spans(self.add("List Continue" + suffix), inner.spans)
                else:
                    self.block(inner)

    def table(self, block: Table) -> None:
        """Append a grid table whose bold first row repeats on every page as its header."""
        if not block.header:
            return
        body = self.document.element.body
        if len(body) > 1 and body[-2].tag == qn("w:tbl"):  # [-1] is the section properties
            self.document.add_paragraph()  # else Word joins the two tables into one
        # Document.add_table finds the page width through every section each time: once here.
        rows, cols = 1 + len(block.rows), len(block.header)
        table: WordTable = self.document._body.add_table(rows, cols, self.width)
        table._tbl.tblStyle_val = self.style_ids["Table Grid"]
        for index, (row, cells) in enumerate(
            zip(table.rows, (block.header, *block.rows), strict=True)
        ):
            for cell, spans in zip(row.cells, cells, strict=True):
                self.spans(cell.paragraphs[0], spans, bold=index == 0)
        header = table.rows[0]._tr.get_or_add_trPr()
        header.append(OxmlElement("w:tblHeader"))

    def spans(self, paragraph: WordParagraph, spans: Inline, bold: bool = False) -> None:
        """Append styled runs; consecutive spans with one address share one hyperlink."""
        for link, group in groupby(spans, key=lambda span: span.link):
            if link is None:
                for span in group:
                    self.run(paragraph, span, bold)
                continue
            target = paragraph.part.relate_to(link, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            hyperlink = OxmlElement("w:hyperlink", attrs={qn("r:id"): target})
            paragraph._p.append(hyperlink)
            for span in group:
                run = self.run(paragraph, span, bold)
                self.style_link(run)
                hyperlink.append(run.element)

    def run(self, paragraph: WordParagraph, span: Span, bold: bool) -> Run:
        """Append one run; a line break in its text becomes a Word line break."""
        run = paragraph.add_run(span.text)
        if span.bold or bold:
            run.bold = True
        if span.italic:
            run.italic = True
        if span.code:
            run.font.name = MONOSPACE
            _preserve_spaces(run)
        return run

    def style_link(self, run: Run) -> None:
        """The Hyperlink character style if the template has one, else blue underline."""
        if self.link_style:
            run.style = self.link_style
        else:
            run.font.color.rgb = LINK_COLOUR
            run.underline = True


def _page_break(document: WordDocument) -> None:
    """End the page here."""
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _preserve_spaces(run: Run) -> None:
    """Keep runs of spaces (code indentation) as typed."""
    for text in run.element.findall(qn("w:t")):
        text.set(qn("xml:space"), "preserve")


def _bottom_border(paragraph: WordParagraph) -> None:
    """Make an empty paragraph a horizontal rule."""
    borders = OxmlElement("w:pBdr")
    borders.append(
        OxmlElement(
            "w:bottom",
            attrs={
                qn("w:val"): "single",
                qn("w:sz"): "6",
                qn("w:space"): "1",
                qn("w:color"): "auto",
            },
        )
    )
    _fresh_properties(paragraph).append(borders)


def _restart_numbering(document: WordDocument, style: str) -> int:
    """A new list instance of ``style``'s numbering that starts again at 1, as its numId.

    Every paragraph of a numbered style shares one list in Word, so without this the
    second numbered list of a document would carry on from the first.
    """
    numbering = document.part.numbering_part.element
    style_num = document.styles[style].element.xpath("w:pPr/w:numPr/w:numId/@w:val")
    abstract = numbering.xpath(f'w:num[@w:numId="{style_num[0]}"]/w:abstractNumId/@w:val')
    number = 1 + max((int(value) for value in numbering.xpath("w:num/@w:numId")), default=0)
    num = OxmlElement("w:num", attrs={qn("w:numId"): str(number)})
    num.append(OxmlElement("w:abstractNumId", attrs={qn("w:val"): abstract[0]}))
    override = OxmlElement("w:lvlOverride", attrs={qn("w:ilvl"): "0"})
    override.append(OxmlElement("w:startOverride", attrs={qn("w:val"): "1"}))
    num.append(override)
    numbering.append(num)
    return number


def _number(paragraph: WordParagraph, number: int) -> None:
    """Put a new paragraph in the list instance ``number``, at its style's own level."""
    properties = OxmlElement("w:numPr")
    properties.append(OxmlElement("w:ilvl", attrs={qn("w:val"): "0"}))
    properties.append(OxmlElement("w:numId", attrs={qn("w:val"): str(number)}))
    _fresh_properties(paragraph).append(properties)


def _fresh_properties(paragraph: WordParagraph) -> BaseOxmlElement:
    """The properties of a paragraph just added, which hold at most its style (always first),
    so an element appended to them is in schema order."""
    return paragraph._p.get_or_add_pPr()
