"""Markdown renders to HTML that cannot run script or load from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Flask

from wiki.render.markdown import render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<style>body{display:none}</style>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](https://evil.example/track.png)",
    "![x](//evil.example/track.png)",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=https://evil.example></iframe>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<a href='javascript&colon;alert(1)'>x</a>",
    "[x](<javascript:alert(1)>)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name=a></form>',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
]

SAFE_TAGS = {
    "p",
    "a",
    "img",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "blockquote",
    "br",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
URL_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
SAFE_SCHEMES = {"http", "https", "mailto"}


def scheme_of(url: str) -> str | None:
    """The scheme a browser would read from ``url`` (it drops tabs and newlines first)."""
    match = URL_SCHEME.match(re.sub(r"[\t\n\r]", "", url).strip())
    return match.group(1).lower() if match else None


class TagCollector(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = TagCollector()
    collector.feed(html)
    return collector.tags


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_payload_renders_harmless(payload: str) -> None:
    html = str(render_markdown(payload))
    for tag, attrs in elements(html):
        assert tag in SAFE_TAGS, (payload, html)
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", (payload, html)
            if name in ("href", "src"):
                assert value is not None, (payload, html)
                assert scheme_of(value) in SAFE_SCHEMES | {None}, (payload, html)
            if tag == "img" and name == "src":
                assert value and value.startswith("/") and not value.startswith("//"), html


def test_ordinary_markdown_keeps_its_structure() -> None:
    html = str(render_markdown("# Title\n\n*a* **b** [link](https://example.org)\n\n- one\n"))
    assert "<h2>Title</h2>" in html  # the page's own title is its only h1
    assert "<em>a</em>" in html and "<strong>b</strong>" in html
    assert '<a href="https://example.org">link</a>' in html
    assert "<li>one</li>" in html


def test_tables_render_without_inline_styles() -> None:
    html = str(render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n"))
    assert "<table>" in html and "<td>2</td>" in html
    assert "style" not in html


def test_local_images_are_kept() -> None:
    assert '<img src="/static/logo.png" alt="logo">' in str(
        render_markdown("![logo](/static/logo.png)")
    )


def test_images_come_only_from_static_files_and_others_show_their_description() -> None:
    # An image is fetched by every reader's browser: a page or an export (an audited action)
    # must never be one, however its path is dressed up.
    for src in (
        "/secret-draft/export.md",
        "/secret-draft",
        "/static/../secret-draft/export.md",
        "/static/%2e%2e/secret-draft/export.md",
        "/static/..%2Fsecret-draft/export.md",
        "/static\\..\\secret-draft/export.md",
        "/static/./logo.png",
        "//evil.example/static/logo.png",
    ):
        html = str(render_markdown(f"![quarterly chart]({src})"))
        assert "<img" not in html, (src, html)
        assert "quarterly chart" in html, (src, html)
    html = str(render_markdown('![logo](/static/img/logo.svg "Our logo")'))
    assert elements(html) == [
        ("p", {}),
        ("img", {"src": "/static/img/logo.svg", "title": "Our logo", "alt": "logo"}),
    ]


def test_no_address_of_the_site_but_its_static_files_renders_as_an_image(app: Flask) -> None:
    # Every route, read from the URL map so that new ones are checked too, written every way
    # a page's author could point an image at it: none may be fetched by a reader's browser.
    arguments = {
        "slug": "secret-draft",
        "number": 1,
        "share_id": 1,
        "person_id": 1,
        "comment_id": 1,
        "organisation_id": 1,
        "mail_id": 1,
        "ext": "docx",
        "change": "resolve",
        "decision": "accept",
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {name: arguments.get(name, "p-1") for name in rule.arguments}
        path = rule.build(values, append_unknown=False)
        assert path is not None
        for src in (
            path[1],
            f"{path[1]}?revision=1",
            f"http://localhost{path[1]}",
            f"/static/..{path[1]}",
            f"/static/%2E%2E{path[1]}",
        ):
            for markdown in (
                f"![chart]({src})",
                f"![chart][c]\n\n[c]: {src}\n",
                f'<img src="{src}">',
                f"[![chart]({src})](/static/logo.png)",
            ):
                html = str(render_markdown(markdown))
                assert "<img" not in html, (rule.rule, markdown, html)
