"""Document pages render once per revision, and the cache never hands a page to the wrong person."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from markupsafe import Markup

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import make_document, write
from wiki.render import markdown as render
from wiki.render.cache import RenderCache, RenderedBlock

MARKER = "Qx9Cached"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text that was rendered to HTML, in order."""
    seen: list[str] = []
    real = render.render_markdown

    def counting(text: str) -> Markup:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(render, "render_markdown", counting)
    return seen


def test_document_page_renders_once_per_revision(
    app: Flask, as_person: Any, renders: list[str]
) -> None:
    make_document(app, "plan", "Cabinet Office", "public")
    write(app, "plan", "gov@example.org", "First *version*\n")
    reader, anonymous = as_person("cso@example.org"), Browser(app.test_client())
    for person in (reader, anonymous, reader):
        assert "First <em>version</em>" in person.get("/plan").get_data(as_text=True)
    assert len(renders) == 1

    write(app, "plan", "gov@example.org", "Second *version*\n")
    page = reader.get("/plan").get_data(as_text=True)
    assert "Second <em>version</em>" in page and "First" not in page
    assert reader.get("/plan").status_code == 200
    assert len(renders) == 2


def test_cached_restricted_page_never_reaches_people_who_may_not_see_it(
    app: Flask, as_person: Any, renders: list[str]
) -> None:
    make_document(app, "draft", "Cabinet Office", "restricted", grants=[("Treasury", None, "view")])
    write(app, "draft", "gov@example.org", f"The {MARKER} draft\n")
    gov, treasury = as_person("gov@example.org"), as_person("treasury@example.org")
    assert MARKER in gov.get("/draft").get_data(as_text=True)
    assert MARKER in treasury.get("/draft").get_data(as_text=True)
    for outsider in (
        as_person("cso@example.org"),
        as_person("reviewer@example.org"),
        Browser(app.test_client()),
    ):
        response = outsider.get("/draft")
        assert response.status_code == 404
        assert MARKER not in response.get_data(as_text=True)
    assert len(renders) == 1  # held, and served only to the two who may read it


def one_block(html: str) -> tuple[RenderedBlock, ...]:
    return (RenderedBlock(1, 0, len(html), Markup(html)),)


def test_cache_drops_the_least_recently_read_page_past_its_size() -> None:
    page = one_block("x" * 1000)
    cache = RenderCache(max_bytes=3 * 1200)
    for doc_id in (1, 2, 3):
        cache.put(doc_id, 1, page)
    assert cache.get(1, 1) == page  # 1 is now the most recently read
    cache.put(4, 1, page)
    assert cache.get(2, 1) is None
    assert all(cache.get(doc_id, 1) == page for doc_id in (1, 3, 4))
    assert cache.bytes <= cache.max_bytes


def test_cache_holds_one_revision_per_document_and_never_goes_back() -> None:
    cache = RenderCache(max_bytes=1 << 20)
    cache.put(1, 5, one_block("five"))
    cache.put(1, 6, one_block("six"))
    cache.put(1, 5, one_block("five again"))  # a slower request that read the older text
    assert cache.get(1, 5) is None
    assert cache.get(1, 6) == one_block("six")
    assert len(cache) == 1


def test_each_app_has_its_own_cache(app: Flask, as_person: Any) -> None:
    from wiki.render.cache import CACHE_KEY, render_cache

    make_document(app, "plan", "Cabinet Office", "public")
    as_person("gov@example.org").get("/plan")
    with app.app_context():
        assert render_cache() is app.extensions[CACHE_KEY]
        assert len(render_cache()) == 1
    other = Flask("other")
    other.config["RENDER_CACHE_BYTES"] = 1024
    with other.app_context():
        assert len(render_cache()) == 0
