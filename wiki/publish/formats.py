"""The file formats a document or a plan is exported in, and how each is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wiki.publish.docx_writer import write_docx
from wiki.publish.html_writer import write_html
from wiki.publish.model import Book
from wiki.publish.odt_writer import write_odt
from wiki.publish.pdf_writer import write_pdf


@dataclass(frozen=True)
class Format:
    ext: str
    label: str
    content_type: str
    write: Callable[[Book], bytes | str]


FORMATS = {
    f.ext: f
    for f in (
        Format("html", "HTML", "text/html; charset=utf-8", write_html),
        Format(
            "docx",
            "Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            write_docx,
        ),
        Format("odt", "OpenDocument (ODT)", "application/vnd.oasis.opendocument.text", write_odt),
        Format("pdf", "PDF", "application/pdf", write_pdf),
    )
}
