"""Markdown to safe HTML: markdown-it-py with raw HTML off, then bleach with an allow-list.

This is the only module that imports the sanitiser.
"""

from __future__ import annotations

import bleach
from markdown_it import MarkdownIt
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


def _allow_image_attribute(tag: str, name: str, value: str) -> bool:
    # Images may only come from this server: our users' networks block other hosts.
    if name == "src":
        return value.startswith("/") and not value.startswith(("//", "/\\"))
    return name in ("alt", "title")


ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": _allow_image_attribute,
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
)


def render_markdown(text: str) -> Markup:
    """Render Markdown to HTML that is safe to place in a page.

    Headings move one level down (# becomes h2): the page's title is its only h1.
    """
    tokens = _markdown.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return Markup(_cleaner.clean(_strip_table_styles(html)))


def _strip_table_styles(html: str) -> str:
    # markdown-it aligns table cells with style="text-align:…"; bleach needs a CSS sanitiser
    # to keep any style, and a style attribute would also trip the page's CSP, so drop them.
    for align in ("left", "center", "right"):
        html = html.replace(f' style="text-align:{align}"', "")
    return html
