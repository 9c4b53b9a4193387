"""Markdown to safe HTML: pulldown-cmark's events (pyromark), written out here, then nh3.

This is the only module that imports the sanitiser. Both steps take time linear in the
input: the writer caps how deep elements nest, because an HTML parser's cost grows with
the depth of what it has open, and the sanitiser is one (bench/render.py has the figures).
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

import nh3
import pyromark
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
        "img",
        "s",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Elements open at once, at most: deeper Markdown (500 KB of "> " is 250,000 quotes) keeps
# its text but loses the extra elements. Readers never see more than a few levels.
MAX_NESTING = 32
# Flask serves the files under static/ by GET with no side effect. Every other path here
# is a page or an action (an export is audited), which an image must never trigger.
STATIC_PREFIX = "/static/"

_OPTIONS = pyromark.Options.ENABLE_TABLES
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"  # reserved characters, and % to keep existing escapes
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_STATIC_SEGMENT = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*", re.ASCII)
_PLAIN_TAGS = {
    "Paragraph": ("<p>", "</p>\n"),
    "Emphasis": ("<em>", "</em>"),
    "Strong": ("<strong>", "</strong>"),
    "BlockQuote": ("<blockquote>\n", "</blockquote>\n"),
    "CodeBlock": ("<pre><code>", "</code></pre>\n"),
    "HtmlBlock": ("<p>", "</p>\n"),  # raw HTML is shown as the text it is
    "Item": ("<li>", "</li>\n"),
}
_BREAKS = {"SoftBreak": "\n", "HardBreak": "<br>\n", "Rule": "<hr>\n"}


def render_markdown(text: str) -> Markup:
    """Render Markdown to HTML that is safe to place in a page.

    Headings move one level down (# becomes h2): the page's title is its only h1.
    """
    return Markup(sanitise(markdown_to_html(text)))


def sanitise(html: str) -> str:
    """``html`` reduced to the allow-list: the last word on what reaches a browser."""
    return _cleaner.clean(html)


def static_image(src: str) -> bool:
    """Whether ``src`` names a file under this server's /static/, the only image source."""
    if not src.startswith(STATIC_PREFIX):
        return False
    # Browsers resolve "." and ".." (and "\" as "/") before asking, so none may appear.
    return all(_STATIC_SEGMENT.fullmatch(part) for part in src[len(STATIC_PREFIX) :].split("/"))


def safe_url(url: str) -> str | None:
    """``url`` percent-encoded, or None when its scheme is not on the allow-list."""
    encoded = quote(url, safe=_URL_SAFE)
    scheme = _SCHEME.match(encoded)
    if scheme and scheme.group(1).lower() not in ALLOWED_PROTOCOLS:
        return None
    return encoded


def markdown_to_html(text: str) -> str:
    """CommonMark with tables as HTML, before sanitising: raw HTML becomes visible text."""
    writer = _Writer()
    # The loop runs once per event (a million for 500 KB of tiny table cells): kept flat.
    start, end, write = writer.start, writer.end, writer.text
    for event in pyromark.events(text, options=_OPTIONS):
        if isinstance(event, str):  # a break or a rule
            write(_BREAKS.get(event, ""), " ")
            continue
        for kind, value in event.items():
            if kind == "End":
                end()
            elif kind == "Start":
                if isinstance(value, str):
                    start(value, None)
                elif isinstance(value, dict):
                    for name, detail in value.items():
                        start(name, detail)
            elif kind == "Code":
                write(f"<code>{escape(str(value), quote=False)}</code>", str(value))
            else:  # Text, and raw HTML, which readers see as typed
                write(escape(str(value), quote=False), str(value))
    return "".join(writer.out)


_IMAGE_END = "\0image"  # closers that End does more with; never written as they are
_TABLE_END = "</table>\n"
# No line breaks between a table's own tags: in a table they are text for the parser.
_CELLS = {True: ("<th>", "</th>"), False: ("<td>", "</td>")}


class _Writer:
    """Turns one document's events into HTML, one element per Start and End."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.closers: list[str] = []  # what each open element's End writes ("" for none)
        self.depth = 0  # elements written and still open
        self.images: list[tuple[str, list[str]]] = []  # each open image: its tag, its words
        self.table = False  # the current table is written
        self.in_link = False
        self.table_head = False
        self.table_body = False

    def text(self, html: str, plain: str) -> None:
        if self.images:
            self.images[-1][1].append(plain)
        else:
            self.out.append(html)

    def start(self, name: str, value: object) -> None:
        if name == "TableCell" and self.table:  # the commonest element in a big table
            self.open(_CELLS[self.table_head])
        elif name == "Image":
            self.images.append((_image(value), []))
            self.closers.append(_IMAGE_END)
        elif self.images:  # an image's description is plain text: its alt
            self.closers.append("")
        elif name in ("TableHead", "TableRow", "TableCell"):
            # A table's parts follow the table, never the depth cap: no row loses its table.
            self.open(self.table_part(name) if self.table else ("", ""))
        elif self.depth >= MAX_NESTING or (name == "Link" and self.in_link):
            # Too deep, or a link in a link (an autolink in a link's words), which HTML has not.
            self.closers.append("")
            self.table = self.table and name != "Table"
        elif name == "Table":
            self.table, self.table_head, self.table_body = True, False, False
            self.open(("<table>", _TABLE_END))
        else:
            self.open(_element(name, value))

    def table_part(self, name: str) -> tuple[str, str]:
        if name == "TableHead":
            self.table_head = True
            return "<thead><tr>", "</tr></thead>"
        opening = "<tr>" if self.table_body else "<tbody><tr>"
        self.table_head, self.table_body = False, True
        return opening, "</tr>"

    def open(self, tags: tuple[str, str]) -> None:
        self.out.append(tags[0])
        self.closers.append(tags[1])
        if tags[1]:
            self.depth += 1
            self.in_link = self.in_link or tags[1] == "</a>"

    def end(self) -> None:
        closer = self.closers.pop()
        if closer is _IMAGE_END:
            self.end_image()
            return
        if closer:
            self.depth -= 1
            self.in_link = self.in_link and closer != "</a>"
        if closer is _TABLE_END:
            self.out.append("</tbody></table>\n" if self.table_body else closer)
            self.table = False
        else:
            self.out.append(closer)

    def end_image(self) -> None:
        tag, words = self.images.pop()
        alt = "".join(words)
        if self.images:
            self.images[-1][1].append(alt)
        else:  # an image from elsewhere shows its description as text
            self.out.append(f'{tag}{escape(alt)}">' if tag else escape(alt, quote=False))


def _element(name: str, value: object) -> tuple[str, str]:
    """The opening and closing tags of element ``name``; empty for what is not enabled."""
    if name in _PLAIN_TAGS:
        return _PLAIN_TAGS[name]
    if name == "Heading":
        level = min(int(str(_field(value, "level"))[1:]) + 1, 6)
        return f"<h{level}>", f"</h{level}>\n"
    if name == "List":
        return _list(value)
    if name == "Link":
        return _link(value)
    return "", ""


def _field(value: object, name: str) -> object:
    return value.get(name) if isinstance(value, dict) else None


def _list(value: object) -> tuple[str, str]:
    if value is None:
        return "<ul>\n", "</ul>\n"
    start = f' start="{value}"' if isinstance(value, int) and value != 1 else ""
    return f"<ol{start}>\n", "</ol>\n"


def _link(value: object) -> tuple[str, str]:
    url = str(_field(value, "dest_url") or "")
    if _field(value, "link_type") == "Email":
        url = f"mailto:{url}"
    href = safe_url(url)
    if href is None:  # the words stay, the link goes
        return "", ""
    return f'<a href="{escape(href)}"{_title(value)}>', "</a>"


def _image(value: object) -> str:
    """The image's tag up to its alt text, or "" to show only its description."""
    src = safe_url(str(_field(value, "dest_url") or ""))
    if src is None or not static_image(src):
        return ""
    return f'<img src="{escape(src)}"{_title(value)} alt="'


def _title(value: object) -> str:
    title = str(_field(value, "title") or "")
    return f' title="{escape(title)}"' if title else ""


def _keep_static_images(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if static_image(value) else None
    return value


_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_keep_static_images,
    url_schemes=set(ALLOWED_PROTOCOLS),
    link_rel=None,
    strip_comments=True,
)
