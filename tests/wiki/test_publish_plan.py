"""The plan as one file: what a reader may see, in real Word, ODF and PDF structures, with
the provenance annex, and the recipient on every page when a restricted part is in it."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import docx
import pypdf
from flask import Flask
from odf import opendocument, table, teletype
from odf import text as odf_text

from tests.wiki.audit_helpers import audit_rows, download
from tests.wiki.conftest import Browser
from tests.wiki.test_plan_pages import GOV, WATCH, AsPerson, make_plan, run

PLAN = "open-gov-2026"
SECRET_MARK = "Zq9Restricted"
COMMITMENT = """\
# Open contracting

The department publishes **every** contract within *30 days* on the
[contracts finder](https://www.contractsfinder.example.gov.uk/).

- tenders
- awards
  1. above the threshold
  2. below it

| Year | Contracts |
|---|---|
| 2026 | 1,200 |
"""
NARRATIVE = "# Our plan\n\nOpen government, together.\n"
ASK = "# Open parliament\n\nPublish every vote.\n"


def plan_with_parts(app: Flask, as_person: AsPerson) -> Browser:
    """A plan with a narrative, an open and a restricted commitment, an annex ask; the open
    commitment signed by its lead and partner. Returns its lead's person."""
    make_plan(app)
    docs: list[tuple[str, str, list[str], str]] = [
        ("our-plan", "narrative", ["--org", "Cabinet Office"], NARRATIVE),
        (
            "open-contracting",
            "commitment",
            ["--org", "Cabinet Office", "--partner", "Open Data Charity"],
            COMMITMENT,
        ),
        (
            "secret-deal",
            "commitment",
            [
                "--org",
                "Cabinet Office",
                "--visibility",
                "restricted",
                "--title",
                f"Deal {SECRET_MARK}",
            ],
            f"# Deal\n\n{SECRET_MARK} terms.\n",
        ),
        ("open-parliament", "annex", ["--org", "Open Data Charity"], ASK),
    ]
    for slug, kind, options, body in docs:
        made = run(app, "create-doc", slug, "--kind", kind, "--plan", PLAN, *options, input=body)
        assert made.exit_code == 0, made.output
    gov = as_person(GOV)
    for person in (gov, as_person("cso@example.org")):
        token = person.token("/")
        signed = person.client.post(
            "/api/docs/open-contracting/sign-offs",
            json={"revision": 1},
            headers={"X-CSRFToken": token},
        )
        assert signed.status_code == 201, signed.get_data(as_text=True)
    return gov


def export(person: Browser, ext: str) -> bytes:
    response = download(person, f"/plans/{PLAN}/export.{ext}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Disposition"].startswith("attachment")
    return response.data


def readable(data: bytes, ext: str) -> tuple[str, str]:
    """The text of an HTML, ODT or PDF export, and the text of its footer."""
    if ext == "pdf":
        pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]
        return "".join(pages), pages[-1]
    if ext == "odt":
        odt = opendocument.load(io.BytesIO(data))
        return teletype.extractText(odt.text), teletype.extractText(odt.masterstyles)
    html = data.decode()
    return html, html[html.index('<footer class="export-footer">') :]


SIGNED_HASH = hashlib.sha256(COMMITMENT.encode()).hexdigest()


def docx_texts(data: bytes) -> tuple[Any, list[tuple[str, str]]]:
    document = docx.Document(io.BytesIO(data))
    return document, [(p.style.name, p.text) for p in document.paragraphs]


def test_the_word_file_has_real_headings_lists_tables_links_and_the_provenance(
    app: Flask, as_person: AsPerson
) -> None:
    gov = plan_with_parts(app, as_person)
    document, paragraphs = docx_texts(export(gov, "docx"))
    headings = [text for style, text in paragraphs if style.startswith("Heading")]
    for wanted in (
        "Foreword",
        "Plan narrative",
        "Commitments",
        "Commitment 1: Open contracting",
        "Annex of civil-society asks",
        "Open parliament",
        "Provenance",
    ):
        assert wanted in headings, (wanted, headings)
    assert ("List Bullet", "tenders") in paragraphs
    assert any(
        style.startswith("List Number") and text == "above the threshold"
        for style, text in paragraphs
    )
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["Lead", "Cabinet Office"] in cells and ["2026", "1,200"] in cells
    assert ["Partners", "Open Data Charity"] in cells
    signed_rows = [row for row in cells if SIGNED_HASH in row]
    assert {row[0] for row in signed_rows} == {"Cabinet Office", "Open Data Charity"}
    links = [r.target_ref for r in document.part.rels.values() if "hyperlink" in r.reltype]
    assert "https://www.contractsfinder.example.gov.uk/" in links
    # The operator wrote every word of it for the Cabinet Office: all of them government's.
    assert (
        "Normal",
        "Words: 100% government, 0% civil society. Written by: Cabinet Office (government).",
    ) in paragraphs


def test_a_restricted_part_is_in_a_granted_readers_copy_with_the_recipient_on_every_page(
    app: Flask, as_person: AsPerson
) -> None:
    gov = plan_with_parts(app, as_person)
    document, paragraphs = docx_texts(export(gov, "docx"))
    assert any(SECRET_MARK in text for _s, text in paragraphs)
    for section in document.sections:
        footer = " ".join(p.text for p in section.footer.paragraphs)
        assert "Exported for Gita Gov <gov@example.org>, Cabinet Office" in footer
        assert f"Includes restricted parts (Deal {SECRET_MARK})" in footer
    rows = audit_rows(app, "secret-deal")
    assert [(action, detail) for action, *_ids, detail in rows] == [
        ("export", f"plan {PLAN} as docx")
    ]
    pdf = pypdf.PdfReader(io.BytesIO(export(gov, "pdf")))
    pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) >= 2 and all("Exported for Gita Gov" in page for page in pages)
    assert SECRET_MARK in "".join(pages) and SIGNED_HASH in "".join(pages).replace("\n", "")


def test_an_outsiders_copy_leaves_the_restricted_part_out_in_every_format(
    app: Flask, as_person: AsPerson
) -> None:
    plan_with_parts(app, as_person)
    watch = as_person(WATCH)
    _document, paragraphs = docx_texts(export(watch, "docx"))
    assert not any(SECRET_MARK in text for _s, text in paragraphs)
    assert "Commitment 1: Open contracting" in [text for _s, text in paragraphs]
    for ext in ("html", "odt", "pdf"):
        body, footer = readable(export(watch, ext), ext)
        assert SECRET_MARK not in body + footer, ext
        assert "Open contracting" in body, ext
        assert "Exported from Jointly: Open government plan 2026" in footer, ext
    assert audit_rows(app, "secret-deal") == []


def test_the_opendocument_file_has_headings_lists_tables_and_the_footer(
    app: Flask, as_person: AsPerson
) -> None:
    gov = plan_with_parts(app, as_person)
    odt = opendocument.load(io.BytesIO(export(gov, "odt")))
    headings = [teletype.extractText(h) for h in odt.getElementsByType(odf_text.H)]
    assert "Commitment 1: Open contracting" in headings and "Provenance" in headings
    assert any(
        "tenders" in teletype.extractText(item) for item in odt.getElementsByType(odf_text.List)
    )
    cells = [teletype.extractText(c) for c in odt.getElementsByType(table.TableCell)]
    assert SIGNED_HASH in cells and "1,200" in cells
    links = [a.getAttribute("href") for a in odt.getElementsByType(odf_text.A)]
    assert "https://www.contractsfinder.example.gov.uk/" in links
    footer = teletype.extractText(odt.masterstyles)
    assert "Exported for Gita Gov" in footer


def test_an_export_is_a_post_with_the_token_and_a_get_answers_405(
    app: Flask, as_person: AsPerson
) -> None:
    gov = plan_with_parts(app, as_person)
    assert gov.get(f"/plans/{PLAN}/export.docx").status_code == 405
    assert gov.client.post(f"/plans/{PLAN}/export.docx").status_code == 400
    assert audit_rows(app, "secret-deal") == []
    assert download(gov, f"/plans/{PLAN}/export.rtf").status_code == 404


def test_one_document_downloads_as_word_opendocument_and_pdf_with_its_provenance(
    app: Flask, as_person: AsPerson
) -> None:
    gov = plan_with_parts(app, as_person)
    response = download(gov, "/open-contracting/export.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=open-contracting-revision-1.docx"
    )
    document, paragraphs = docx_texts(response.data)
    assert ("Heading 1", "Open contracting") in paragraphs
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert any(SIGNED_HASH in row for row in cells)
    secret = download(gov, "/secret-deal/export.pdf")
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(secret.data)).pages]
    assert all("Exported for Gita Gov" in page for page in pages)
    assert audit_rows(app, "secret-deal")[-1][0] == "export"
    odt = download(gov, "/open-contracting/export.odt")
    assert odt.status_code == 200 and odt.data[:2] == b"PK"
