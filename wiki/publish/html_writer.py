"""A Book as one standalone HTML page that loads nothing: the same structure as the other
formats, its footer at the end and, in print, after the title page too."""

from __future__ import annotations

from html import escape

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
    Table,
)

STYLE = """
body { margin: 0 auto; max-width: 48rem; padding: 1.5rem; color: #1b1b1b; background: #fff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.5; }
a { color: #1d4f91; }
.title-page { border-bottom: 2px solid #1b1b1b; margin-bottom: 2rem; }
.export-footer { color: #4a4a4a; border-top: 2px solid #1b1b1b; margin-top: 2rem; }
pre { overflow-x: auto; background: #f3f3f3; padding: .75rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border: 1px solid #767676; padding: .4rem .6rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
blockquote { border-left: 4px solid #767676; margin-left: 0; padding-left: 1rem; }
.page-break { break-after: page; }
@media print { body { max-width: none; padding: 0; } a { color: #1b1b1b; }
  .title-page { break-after: page; } }
"""
# A downloaded file has no server headers: this policy stops it loading anything at all.
POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)


def write_html(book: Book) -> str:
    language = escape(book.metadata.get("language", "en-GB"))
    subtitle = "".join(f"<p>{escape(line)}</p>" for line in book.subtitle)
    body = "\n".join(block_html(block) for block in book.blocks)
    return (
        f'<!doctype html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(book.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<header class="title-page"><h1>{escape(book.title)}</h1>{subtitle}</header>\n'
        f"<main>\n{body}\n</main>\n"
        f'<footer class="export-footer"><p>{escape(book.footer)}</p></footer>\n'
        "</body>\n</html>\n"
    )


def block_html(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(block.level + 1, 6)  # the title page holds the one h1
        return f"<h{level}>{inline_html(block.spans)}</h{level}>"
    if isinstance(block, Paragraph):
        return f"<p>{inline_html(block.spans)}</p>"
    if isinstance(block, ListBlock):
        tag = "ol" if block.ordered else "ul"
        items = "".join(
            "<li>" + "".join(block_html(inner) for inner in item) + "</li>" for item in block.items
        )
        return f"<{tag}>{items}</{tag}>"
    if isinstance(block, Table):
        head = "".join(f'<th scope="col">{inline_html(cell)}</th>' for cell in block.header)
        rows = "".join(
            "<tr>" + "".join(f"<td>{inline_html(cell)}</td>" for cell in row) + "</tr>"
            for row in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    if isinstance(block, CodeBlock):
        return f"<pre><code>{escape(block.text)}</code></pre>"
    if isinstance(block, Quote):
        return (
            "<blockquote>" + "".join(block_html(inner) for inner in block.blocks) + "</blockquote>"
        )
    if isinstance(block, Rule):
        return "<hr>"
    assert isinstance(block, PageBreak)
    return '<div class="page-break"></div>'


def inline_html(spans: Inline) -> str:
    out = []
    for span in spans:
        piece = escape(span.text).replace("\n", "<br>")
        if span.code:
            piece = f"<code>{piece}</code>"
        if span.italic:
            piece = f"<em>{piece}</em>"
        if span.bold:
            piece = f"<strong>{piece}</strong>"
        if span.link:
            piece = f'<a href="{escape(span.link)}">{piece}</a>'
        out.append(piece)
    return "".join(out)
