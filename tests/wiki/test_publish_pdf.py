"""The PDF writer, read back with pypdf: text, outline, links, metadata and the footer on every
page. No Flask app: a Book is built from Markdown as the export views build it."""

from __future__ import annotations

import io
from typing import Any, cast

import pytest
from pypdf import PdfReader
from pypdf.generic import Destination, DictionaryObject

from wiki.publish import pdf_writer
from wiki.publish.markdown import blocks
from wiki.publish.model import Book, Paragraph, Span
from wiki.publish.pdf_writer import write_pdf

LINK = "https://example.org/plan?a=1&b=2"
SAMPLE = f"""\
# Open data & <budgets>

Ministries publish **budget lines** with *quarterly* updates, `csv<export>` files and a
[public register]({LINK}). Reductions of CO₂ in the “Ελληνικά” pages – tracked; 5 < 7 &
"quoted" stays literal: <b>not bold</b> &amp;amp; <a href="https://evil.example">no link</a>.

## Milestones

1. Draft the register
   - consult civil society
   - publish the draft
2. Adopt the law

| Milestone | Lead & partner | Due |
|---|---|---|
| Register <v1> | Ministry & CSO "Open" | 2026-06 |
| Ελληνικά cell | Δήμος | 2027-01 |

```python
if rows < 10 and name == "x & y":
    print("<done>")
```

> Civil society asks for quarterly reports.

---

### Timeline

"""
FILLER = "\n\n".join(
    f"Paragraph {n}: the ministry and civil society agree on the next milestone. " * 8
    for n in range(40)
)
FOOTER = (
    "Restricted copy for Jane Doe <jane@example.org>, Civic Lab & Partners, "
    "issued 2026-05-01: do not forward, print or quote outside the working group. " * 2
).strip()
METADATA = {"author": "Ministry of Openness", "subject": "National Action Plan", "language": "en"}


def book_of(markdown: str, footer: str = FOOTER) -> Book:
    return Book(
        title="Action Plan & <Annex> “2026”",
        subtitle=("Third national action plan", "Draft for the summit"),
        blocks=blocks(markdown),
        footer=footer,
        metadata=METADATA,
    )


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


def page_texts(reader: PdfReader) -> list[str]:
    return [flat(page.extract_text()) for page in reader.pages]


def outline_of(reader: PdfReader) -> list[tuple[str, int]]:
    """Every outline entry, depth first, as (title, index of the page it opens)."""
    found: list[tuple[str, int]] = []

    def walk(entries: list[Any]) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            else:
                page = reader.get_destination_page_number(entry)
                assert page is not None
                found.append((str(entry.title), page))

    walk(reader.outline)
    return found


def uris(reader: PdfReader) -> list[str]:
    found = []
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.append(str(action["/URI"]))
    return found


def font_names(reader: PdfReader) -> set[str]:
    """The base fonts the pages use, without a subset's ``ABCDEF+`` prefix."""
    names = set()
    for page in reader.pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        for font in cast(DictionaryObject, resources.get("/Font", {})).values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


@pytest.fixture(scope="module")
def sample() -> PdfReader:
    return read(write_pdf(book_of(SAMPLE + FILLER)))


def test_pdf_opens_with_a_title_page_of_title_and_subtitle_lines(sample: PdfReader) -> None:
    title_page = page_texts(sample)[0]
    assert "Action Plan & <Annex> “2026”" in title_page
    assert "Third national action plan Draft for the summit" in title_page
    assert "Open data" not in title_page
    assert "Open data & <budgets>" in page_texts(sample)[1]


def test_headings_list_items_table_cells_and_code_are_in_the_text(sample: PdfReader) -> None:
    text = page_texts(sample)[1]
    for expected in (
        "Open data & <budgets>",
        "Milestones",
        "Timeline",
        "Draft the register",
        "consult civil society",
        "publish the draft",
        "Adopt the law",
        "Lead & partner",
        "Register <v1>",
        'Ministry & CSO "Open"',
        "Ελληνικά cell Δήμος",
        'if rows < 10 and name == "x & y":',
        'print("<done>")',
        "Civil society asks for quarterly reports.",
    ):
        assert expected in text


def test_emphasis_code_and_non_latin_text_survive(sample: PdfReader) -> None:
    text = page_texts(sample)[1]
    assert "Ministries publish budget lines with quarterly updates, csv<export> files" in text
    assert "Reductions of CO₂ in the “Ελληνικά” pages – tracked; 5 < 7 &" in text


def test_markup_in_the_text_is_shown_not_obeyed(sample: PdfReader) -> None:
    text = page_texts(sample)[1]
    assert '"quoted" stays literal: <b>not bold</b> &amp; <a href="https://evil.example">' in text
    assert "https://evil.example" not in uris(sample)


def test_footer_and_page_number_are_on_every_page_including_the_title_page(
    sample: PdfReader,
) -> None:
    texts = page_texts(sample)
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert flat(FOOTER) in text
        assert f"Page {number}" in text


def test_empty_footer_still_numbers_the_pages() -> None:
    texts = page_texts(read(write_pdf(book_of(SAMPLE, footer=""))))
    assert all(f"Page {n}" in text for n, text in enumerate(texts, start=1))


def test_links_are_uri_annotations_with_the_unescaped_address(sample: PdfReader) -> None:
    # A link broken over two lines is one annotation per line.
    assert set(uris(sample)) == {LINK}


def test_outline_lists_the_headings_nested_by_level(sample: PdfReader) -> None:
    assert [title for title, _ in outline_of(sample)] == [
        "Open data & <budgets>",
        "Milestones",
        "Timeline",
    ]
    top, nested = sample.outline[0], sample.outline[1]
    assert isinstance(top, Destination)
    assert top.title == "Open data & <budgets>"
    assert isinstance(nested, list)
    assert isinstance(nested[0], Destination)
    assert nested[0].title == "Milestones"


def test_outline_entries_open_the_page_of_their_heading() -> None:
    filler = "Words of a milestone that fill the page. " * 60
    markdown = "\n\n".join(f"## Commitment {n}\n\n{filler}\n\n{filler}" for n in range(6))
    reader = read(write_pdf(book_of(markdown)))
    texts = page_texts(reader)
    entries = outline_of(reader)
    assert len(entries) == 6
    for title, page in entries:
        assert title in texts[page]


def test_outline_tolerates_headings_that_skip_levels() -> None:
    reader = read(write_pdf(book_of("### Deep first\n\n# Then top\n\n#### Jump\n\n## Back")))
    assert [title for title, _ in outline_of(reader)] == ["Deep first", "Then top", "Jump", "Back"]


def test_metadata_has_title_author_subject_and_language(sample: PdfReader) -> None:
    assert sample.metadata is not None
    assert sample.metadata.title == "Action Plan & <Annex> “2026”"
    assert sample.metadata.author == "Ministry of Openness"
    assert sample.metadata.subject == "National Action Plan"
    assert str(sample.root_object["/Lang"]) == "en"


def test_dejavu_faces_are_embedded_for_bold_italic_and_code(sample: PdfReader) -> None:
    if pdf_writer.find_fonts() is None:
        pytest.skip("DejaVu Sans is not installed here")
    fonts = font_names(sample)
    assert {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSansMono"} <= fonts


def test_without_dejavu_standard_fonts_show_latin_text_and_question_marks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf_writer, "find_fonts", lambda: None)
    data = write_pdf(book_of(SAMPLE + FILLER))
    assert data.startswith(b"%PDF-")
    reader = read(data)
    text = " ".join(page_texts(reader))
    assert "Open data & <budgets>" in text
    assert "Reductions of CO? in the “????????” pages – tracked; 5 < 7 &" in text
    assert 'print("<done>")' in text
    assert flat(FOOTER) in page_texts(reader)[-1]
    assert not any("DejaVu" in name for name in font_names(reader))


def test_control_characters_in_text_are_dropped() -> None:
    spans = (Span("before\x00\x01\x1b after"), Span(" bold\x07", bold=True))
    book = Book("Title\x00", (), (Paragraph(spans),), "Footer\x0c", {})
    text = page_texts(read(write_pdf(book)))[1]
    assert "before after bold" in text


def test_long_code_lines_wrap_and_tall_table_rows_split_across_pages() -> None:
    long_line = "x = call(" + ", ".join(f"argument_{n}" for n in range(60)) + ")"
    tall_cell = "a very long cell " * 1200
    markdown = f"```\n{long_line}\n```\n\n| Note | Owner |\n|---|---|\n| {tall_cell} | CSO |"
    reader = read(write_pdf(book_of(markdown)))
    text = " ".join(page_texts(reader))
    assert "argument_59)" in text
    assert "CSO" in text
    assert len(reader.pages) >= 4


def synthetic_plan(commitments: int, words: int) -> str:
    """Markdown like a plan's: each commitment a heading, prose, a list and a table."""
    vocabulary = "ministry civil society milestone budget open data register “access” CO₂"
    prose = " ".join(vocabulary.split()[n % 10] for n in range(words - 60))
    sections = []
    for n in range(commitments):
        paragraphs = "\n\n".join(
            prose[i : i + 700] + f" **lead {n}** *[partner](https://example.org/{n})*"
            for i in range(0, len(prose), 700)
        )
        table = "| Milestone | Due |\n|---|---|\n" + "| publish the register | 2026 |\n" * 5
        sections.append(f"## Commitment {n}\n\n{paragraphs}\n\n- one\n- two\n\n{table}")
    return "\n\n".join(sections)


def test_many_commitments_make_one_outlined_pdf_with_the_footer_to_the_end() -> None:
    # The size of bench/export.py's plan is timed there; here, that many sections outline.
    reader = read(write_pdf(book_of(synthetic_plan(40, 120))))
    titles = [title for title, _ in outline_of(reader)]
    assert titles == [f"Commitment {n}" for n in range(40)]
    assert flat(FOOTER) in flat(reader.pages[-1].extract_text())
