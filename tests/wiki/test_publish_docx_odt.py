"""Word and OpenDocument files keep the Markdown's structure: heading styles, nested lists,
header rows, real links, code, quotes, metadata, a footer on every page. No app needed."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from odf import opendocument, style, table, teletype, text

from wiki.publish.docx_writer import write_docx
from wiki.publish.markdown import blocks
from wiki.publish.model import Book, PageBreak, Paragraph, Span
from wiki.publish.odt_writer import write_odt

SAMPLE = """\
# Action plan “2025” – résumé

Emissions of CO₂ fall: **bold words**, *slanted words*, `a  code` and the
[open data portal](https://data.example.gov/plans?year=2025) in Ελληνικά.

## Commitments

- publish budgets
  - monthly
- open contracts

1. draft
   1. consult
2. sign

| Commitment | Lead | Due |
|------------|------|-----|
| Open budgets | Treasury | 2025 |
| Short row |
| **Beneficial owners** | Registry | 2026 | extra cell |

### Code

```
def due(plan):
    return  plan.date
```

> Nothing about us
> without us.

---

Thank you.
"""
TITLE = "Open Government Action Plan"
SUBTITLE = ("Fifth national plan", "Version 3 – 2025-06-01")
FOOTER = "Draft for consultation – not for circulation"
HEADINGS = [(1, "Action plan “2025” – résumé"), (2, "Commitments"), (3, "Code")]
LINK = "https://data.example.gov/plans?year=2025"
CODE = "def due(plan):\n    return  plan.date"
TABLE = [
    ["Commitment", "Lead", "Due"],
    ["Open budgets", "Treasury", "2025"],
    ["Short row", "", ""],
    ["Beneficial owners", "Registry", "2026"],
]


def make_book(markdown: str = SAMPLE, **metadata: str) -> Book:
    metadata = {"author": "Cabinet Office", "subject": "Open government", **metadata}
    return Book(TITLE, SUBTITLE, blocks(markdown), FOOTER, metadata)


def open_docx(book: Book) -> Any:
    return docx.Document(io.BytesIO(write_docx(book)))


def open_odt(book: Book) -> Any:
    return opendocument.load(io.BytesIO(write_odt(book)))


@pytest.fixture(scope="module")
def word() -> Any:
    return open_docx(make_book())


@pytest.fixture(scope="module")
def odt() -> Any:
    return open_odt(make_book())


def styled(document: Any, prefix: str) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(prefix)]


def paragraph_with(document: Any, fragment: str) -> Any:
    return next(p for p in document.paragraphs if fragment in p.text)


# Word


def test_docx_title_page_has_title_and_subtitle_styles_then_a_page_break(word: Any) -> None:
    first = word.paragraphs[:4]
    found = [(p.style.name, p.text) for p in first[:3]]
    assert found == [("Title", TITLE), *(("Subtitle", line) for line in SUBTITLE)]
    breaks = first[3]._p.findall(f".//{qn('w:br')}")
    assert [b.get(qn("w:type")) for b in breaks] == ["page"]


def test_docx_headings_use_the_built_in_heading_styles(word: Any) -> None:
    assert styled(word, "Heading") == [(f"Heading {n}", title) for n, title in HEADINGS]


def test_docx_nested_lists_use_list_styles_by_level(word: Any) -> None:
    assert styled(word, "List") == [
        ("List Bullet", "publish budgets"),
        ("List Bullet 2", "monthly"),
        ("List Bullet", "open contracts"),
        ("List Number", "draft"),
        ("List Number 2", "consult"),
        ("List Number", "sign"),
    ]


def test_docx_lists_deeper_than_three_levels_stay_at_level_three() -> None:
    document = open_docx(make_book("- a\n  - b\n    - c\n      - d\n"))
    assert [name for name, _ in styled(document, "List")] == [
        "List Bullet",
        "List Bullet 2",
        "List Bullet 3",
        "List Bullet 3",
    ]


def test_docx_each_numbered_list_starts_again_at_one() -> None:
    document = open_docx(make_book("1. a\n2. b\n\nBetween.\n\n1. c\n"))
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    ids = [p._p.pPr.numPr.numId.val for p in numbered]
    assert ids[0] == ids[1] != ids[2]
    numbering = document.part.numbering_part.element
    for num_id in {ids[0], ids[2]}:
        start = numbering.xpath(f'w:num[@w:numId="{num_id}"]//w:startOverride/@w:val')
        assert start == ["1"]


def test_docx_table_has_grid_style_cells_and_a_repeating_bold_header_row(word: Any) -> None:
    (found,) = word.tables
    assert found.style.name == "Table Grid"
    assert [[cell.text for cell in row.cells] for row in found.rows] == TABLE
    flags = [row._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None for row in found.rows]
    assert flags == [True, False, False, False]
    assert all(run.bold for cell in found.rows[0].cells for run in cell.paragraphs[0].runs)


def test_docx_link_is_a_hyperlink_to_an_external_target(word: Any) -> None:
    paragraph = paragraph_with(word, "open data portal")
    (hyperlink,) = paragraph.hyperlinks
    assert hyperlink.text == "open data portal"
    relationship = word.part.rels[hyperlink._hyperlink.rId]
    assert relationship.reltype == RELATIONSHIP_TYPE.HYPERLINK
    assert relationship.is_external
    assert relationship.target_ref == LINK
    (run,) = hyperlink.runs
    assert run.underline and run.font.color.rgb is not None


def test_docx_runs_keep_bold_italic_and_a_monospace_code_font(word: Any) -> None:
    runs = {run.text: run for run in paragraph_with(word, "Emissions").runs}
    assert runs["bold words"].bold and not runs["bold words"].italic
    assert runs["slanted words"].italic and not runs["slanted words"].bold
    assert runs["a  code"].font.name == "Courier New"
    assert runs["Emissions of CO₂ fall: "].bold is None


def test_docx_code_block_keeps_its_lines_and_spaces_in_a_monospace_style(word: Any) -> None:
    paragraph = paragraph_with(word, "def due")
    assert paragraph.style.name == "Code Block"
    assert paragraph.style.font.name == "Courier New"
    assert paragraph.text == CODE
    assert {t.get(qn("xml:space")) for t in paragraph._p.iter(qn("w:t"))} == {"preserve"}


def test_docx_quote_is_indented_and_rule_is_an_empty_bordered_paragraph(word: Any) -> None:
    paragraph = paragraph_with(word, "Nothing about us")
    assert (paragraph.style.name, paragraph.text) == ("Quote", "Nothing about us without us.")
    assert paragraph.paragraph_format.left_indent > 0
    border = f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}"
    assert [p.text for p in word.paragraphs if p._p.find(border) is not None] == [""]


def test_docx_footer_is_on_every_page_including_the_title_page(word: Any) -> None:
    section = word.sections[0]
    assert [p.text for p in section.footer.paragraphs] == [FOOTER]
    assert not section.footer.is_linked_to_previous
    assert not section.different_first_page_header_footer
    assert not word.settings.odd_and_even_pages_header_footer
    assert round(section.page_width.cm, 1) == 21.0


def test_docx_metadata_has_title_language_author_and_subject(word: Any) -> None:
    properties = word.core_properties
    assert properties.title == TITLE
    assert properties.language == "en-GB"
    assert properties.author == "Cabinet Office"
    assert properties.subject == "Open government"
    assert "python-docx" not in properties.comments
    defaults = word.styles.element.xpath("w:docDefaults//w:lang/@w:val")
    assert defaults == ["en-GB"]


def test_docx_language_comes_from_the_metadata_when_given() -> None:
    document = open_docx(make_book("Καλημέρα.", language="el-GR"))
    assert document.core_properties.language == "el-GR"
    assert document.styles.element.xpath("w:docDefaults//w:lang/@w:val") == ["el-GR"]


# OpenDocument


def odt_texts(document: Any, kind: Any) -> list[str]:
    return [teletype.extractText(element) for element in document.getElementsByType(kind)]


def find_style(styles: Any, name: str) -> Any:
    """The style called ``name`` among the named or the automatic styles of a document."""
    return next(s for s in styles.getElementsByType(style.Style) if s.getAttribute("name") == name)


def props(styles: Any, name: str, kind: Any = style.ParagraphProperties) -> Any:
    return find_style(styles, name).getElementsByType(kind)[0]


def paragraphs_in(document: Any, style_name: str) -> list[Any]:
    found = document.getElementsByType(text.P)
    return [p for p in found if p.getAttribute("stylename") == style_name]


def test_odt_headings_have_outline_levels_and_named_heading_styles(odt: Any) -> None:
    found = [
        (int(h.getAttribute("outlinelevel")), teletype.extractText(h), h.getAttribute("stylename"))
        for h in odt.getElementsByType(text.H)
    ]
    assert found == [(n, title, f"Heading_20_{n}") for n, title in HEADINGS]
    heading = find_style(odt.styles, "Heading_20_1")
    assert heading.getAttribute("displayname") == "Heading 1"
    assert heading.getAttribute("defaultoutlinelevel") == "1"
    assert props(odt.styles, "Heading_20_1", style.TextProperties).getAttribute("fontweight")


def test_odt_lists_nest_inside_items_with_bullet_and_number_styles(odt: Any) -> None:
    lists = odt.getElementsByType(text.List)
    top = [found for found in lists if found.parentNode is odt.text]
    assert [found.getAttribute("stylename") for found in top] == ["L_bullet", "L_number"]
    for found in top:  # getElementsByType includes the element itself
        (nested,) = [inner for inner in found.getElementsByType(text.List) if inner is not found]
        assert nested.parentNode.tagName == "text:list-item"
    assert teletype.extractText(top[0]) == "publish budgetsmonthlyopen contracts"
    styles = {s.getAttribute("name"): s for s in odt.getElementsByType(text.ListStyle)}
    assert styles["L_number"].getElementsByType(text.ListLevelStyleNumber)
    assert styles["L_bullet"].getElementsByType(text.ListLevelStyleBullet)


def test_odt_table_has_columns_a_header_row_and_padded_cells(odt: Any) -> None:
    (found,) = odt.getElementsByType(table.Table)
    (column,) = found.getElementsByType(table.TableColumn)
    assert column.getAttribute("numbercolumnsrepeated") == "3"
    rows = found.getElementsByType(table.TableRow)
    cells = [[teletype.extractText(c) for c in r.getElementsByType(table.TableCell)] for r in rows]
    assert cells == TABLE
    (header,) = found.getElementsByType(table.TableHeaderRows)
    assert odt_texts(header, table.TableCell) == TABLE[0]
    assert paragraphs_in(header, "Table_20_Heading")


def test_odt_link_is_a_text_a_with_its_href(odt: Any) -> None:
    (link,) = odt.getElementsByType(text.A)
    assert link.getAttribute("href") == LINK
    assert teletype.extractText(link) == "open data portal"


def test_odt_spans_use_automatic_styles_for_bold_italic_and_code(odt: Any) -> None:
    spans = {
        teletype.extractText(s): s.getAttribute("stylename")
        for s in odt.getElementsByType(text.Span)
    }

    def prop(text_: str, name: str) -> str:
        found = props(odt.automaticstyles, spans[text_], style.TextProperties)
        return str(found.getAttribute(name))

    assert prop("bold words", "fontweight") == "bold"
    assert prop("slanted words", "fontstyle") == "italic"
    assert prop("a  code", "fontname") == "Liberation Mono"


def test_odt_code_keeps_line_breaks_and_runs_of_spaces(odt: Any) -> None:
    (code,) = paragraphs_in(odt, "Preformatted_20_Text")
    assert teletype.extractText(code) == CODE
    assert len(code.getElementsByType(text.LineBreak)) == 1
    assert [s.getAttribute("c") for s in code.getElementsByType(text.S)] == ["4", "2"]
    face = props(odt.styles, "Preformatted_20_Text", style.TextProperties)
    assert face.getAttribute("fontname") == "Liberation Mono"


def test_odt_quote_is_indented_and_rule_is_a_bordered_paragraph(odt: Any) -> None:
    (quote,) = paragraphs_in(odt, "Quotations")
    assert teletype.extractText(quote) == "Nothing about us without us."
    assert props(odt.styles, "Quotations").getAttribute("marginleft") == "1cm"
    (rule,) = paragraphs_in(odt, "Horizontal_20_Line")
    assert teletype.extractText(rule) == ""
    assert props(odt.styles, "Horizontal_20_Line").getAttribute("borderbottom")


def test_odt_title_page_ends_with_a_page_break(odt: Any) -> None:
    paragraphs = odt.text.getElementsByType(text.P)
    assert [teletype.extractText(p) for p in paragraphs[:3]] == [TITLE, *SUBTITLE]
    last = paragraphs[2].getAttribute("stylename")
    assert find_style(odt.automaticstyles, last).getAttribute("parentstylename") == "Subtitle"
    assert props(odt.automaticstyles, last).getAttribute("breakafter") == "page"


def test_odt_page_break_block_starts_a_new_page() -> None:
    book = Book("Plan", (), (Paragraph((Span("a"),)), PageBreak(), Paragraph(())), FOOTER)
    document = open_odt(book)
    names = [p.getAttribute("stylename") for p in document.text.getElementsByType(text.P)]
    assert props(document.automaticstyles, names[-2]).getAttribute("breakafter") == "page"


def test_odt_footer_is_in_the_one_master_page(odt: Any) -> None:
    (master,) = odt.masterstyles.getElementsByType(style.MasterPage)
    (footer,) = master.getElementsByType(style.Footer)
    assert teletype.extractText(footer) == FOOTER
    assert not master.getElementsByType(style.FooterLeft)


def test_odt_metadata_has_title_and_language(odt: Any) -> None:
    meta = {element.tagName: teletype.extractText(element) for element in odt.meta.childNodes}
    assert meta["dc:title"] == TITLE
    assert meta["dc:language"] == "en-GB"
    assert meta["dc:subject"] == "Open government"
    assert meta["meta:initial-creator"] == "Cabinet Office"
    (default,) = odt.styles.getElementsByType(style.DefaultStyle)
    properties = default.getElementsByType(style.TextProperties)[0]
    assert (properties.getAttribute("language"), properties.getAttribute("country")) == ("en", "GB")


# Both


def test_both_keep_non_ascii_text(word: Any, odt: Any) -> None:
    for body in ("\n".join(p.text for p in word.paragraphs), teletype.extractText(odt.text)):
        for fragment in ("“2025”", "résumé", "–", "CO₂", "Ελληνικά"):
            assert fragment in body


def test_an_empty_book_still_writes_valid_files_with_title_and_footer() -> None:
    book = Book("Empty plan", (), (), FOOTER)
    document = open_docx(book)
    assert [p.text for p in document.paragraphs] == ["Empty plan"]
    assert document.sections[0].footer.paragraphs[0].text == FOOTER
    odt = open_odt(book)
    assert odt_texts(odt, text.P)[0] == "Empty plan"
    assert not odt.automaticstyles.getElementsByType(style.ParagraphProperties)


def test_a_ragged_table_is_shaped_by_markdown_and_kept_apart_from_the_next_table() -> None:
    book = make_book("| a | b |\n|---|---|\n| 1 |\n| 2 | 3 | 4 |\n\n| c |\n|---|\n")
    document = open_docx(book)
    found, _ = document.tables
    kinds = [child.tag.rsplit("}", 1)[1] for child in document.element.body]
    assert kinds[-4:] == ["tbl", "p", "tbl", "sectPr"]  # else Word joins the two tables
    rows = [[cell.text for cell in row.cells] for row in found.rows]
    assert rows == [["a", "b"], ["1", ""], ["2", "3"]]
    ragged, _ = open_odt(book).getElementsByType(table.Table)
    assert len(ragged.getElementsByType(table.TableCell)) == 6


def test_a_table_inside_a_list_item_is_kept_in_both() -> None:
    book = make_book("- item\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n")
    assert len(open_docx(book).tables) == 1
    assert odt_texts(open_odt(book), text.P)[3:6] == ["item", "a | b", "1 | 2"]
