"""The file formats a document or a plan is exported in, and how each is written.

The office-format libraries load on the first export, not with every process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from wiki.publish.model import Book


@dataclass(frozen=True)
class Format:
    ext: str
    label: str
    content_type: str
    writer: str  # "module:function" in wiki.publish

    def write(self, book: Book) -> bytes | str:
        module, _, name = self.writer.partition(":")
        write: Callable[[Book], bytes | str] = getattr(import_module(module), name)
        return write(book)


FORMATS = {
    f.ext: f
    for f in (
        Format("html", "HTML", "text/html; charset=utf-8", "wiki.publish.html_writer:write_html"),
        Format(
            "docx",
            "Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "wiki.publish.docx_writer:write_docx",
        ),
        Format(
            "odt",
            "OpenDocument (ODT)",
            "application/vnd.oasis.opendocument.text",
            "wiki.publish.odt_writer:write_odt",
        ),
        Format("pdf", "PDF", "application/pdf", "wiki.publish.pdf_writer:write_pdf"),
    )
}


def attachment(body: bytes | str, content_type: str, filename: str) -> Response:
    """A download, never shown in the browser, under a name safe on any system."""
    response = Response(body, content_type=content_type)
    response.headers.set("Content-Disposition", "attachment", filename=secure_filename(filename))
    return response
