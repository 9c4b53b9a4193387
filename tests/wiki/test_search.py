"""Search finds what each person may see, follows the log, and says nothing of hidden documents."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crdt import Hub
from tests.wiki.conftest import Browser
from wiki.documents import content
from wiki.documents.service import Grant, create_document, find_document
from wiki.extensions import db
from wiki.people.directory import find_organisation, find_person
from wiki.storage.models import AuditEvent, Level

SignIn = Callable[[str], Browser]  # the as_person fixture
RESULT = re.compile(
    r'<li>\s*<h3><a href="([^"]+)">(.*?)</a></h3>\s*<p class="doc-list-meta">(.*?)</p>\s*'
    r'(?:<p class="search-snippet">(.*?)</p>)?',
    re.DOTALL,
)
COUNT = re.compile(r'<p class="search-count">(.*?)</p>', re.DOTALL)
NO_MATCH = "No documents match “{}”. Check the spelling, or search for fewer words."
MARKER, NONSENSE = "zanzibarite", "quokkaflume"  # same length, matching nothing else
PLAN = "We will publish budgets every month.\n\nWe will open contracts to scrutiny.\n"


def make_doc(
    slug: str,
    title: str,
    visibility: str,
    text: str,
    owner: str = "Cabinet Office",
    grants: list[Grant] | None = None,
) -> None:
    """A document of ``owner`` with ``text`` written through the edit pipeline."""
    organisation = find_organisation(owner)
    assert organisation is not None
    doc = create_document(
        slug, title, "page", organisation, visibility, grants or [], max_chars=10_000
    )
    db.session.commit()
    assert content.edit_text(doc, None, organisation, 0, text) == 1


def search(http: Browser | FlaskClient, query: str) -> str:
    response = http.get("/-/search", query_string={"q": query})
    assert response.status_code == 200, (query, response.status_code)
    return response.get_data(as_text=True)


def results(page: str) -> list[tuple[str, str, str, str | None]]:
    """(link, title HTML, kind and owner line, snippet HTML) of each result, in order."""
    return [(m[0], m[1], m[2], m[3] or None) for m in RESULT.findall(page)]


def count_line(page: str) -> str:
    match = COUNT.search(page)
    assert match, "no result count on the page"
    return match.group(1)


def meta(owner: str, visibility: str) -> str:
    label = visibility.capitalize()
    return f'Page · {owner} · <span class="visibility visibility-{visibility}">{label}</span>'


def without_tokens(page: str) -> str:
    """The page with its per-request CSP nonce and CSRF tokens blanked."""
    page = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', page)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', page)


def form_save(person: Browser, slug: str, text: str) -> None:
    """Save ``text`` through the no-JavaScript edit form, against the current revision."""
    response = person.submit(f"/{slug}/edit", {"text": text, "base": str(head(slug))})
    assert response.status_code == 302, response.get_data(as_text=True)


def head(slug: str) -> int:
    doc = find_document(slug)
    assert doc is not None
    return content.read_text(doc)[1]


def test_member_finds_a_word_of_a_network_documents_text_marked_in_its_snippet(
    app: Flask, as_person: SignIn
) -> None:
    with app.app_context():
        make_doc("budget-plan", "Budget plan", "network", PLAN)
    page = search(as_person("treasury@example.org"), "budgets")
    assert count_line(page) == "1 document matches “budgets”."
    assert results(page) == [
        (
            "/budget-plan",
            "Budget plan",
            meta("Cabinet Office", "network"),
            "We will publish <mark>budgets</mark> every month. We will open contracts to scrutiny.",
        )
    ]


def test_a_word_in_a_title_is_found_and_marked_in_the_title(app: Flask, as_person: SignIn) -> None:
    with app.app_context():
        make_doc("contracting", "Open contracting commitment", "network", "Nothing else here.\n")
        make_doc("budget-plan", "Budget plan", "network", PLAN)
    page = search(as_person("cso@example.org"), "Contracting")
    assert count_line(page) == "1 document matches “Contracting”."
    assert results(page) == [
        (
            "/contracting",
            "Open <mark>contracting</mark> commitment",
            meta("Cabinet Office", "network"),
            "Nothing else here.",
        )
    ]


def test_a_long_documents_snippet_is_the_sixteen_words_around_its_matches(
    app: Flask, as_person: SignIn
) -> None:
    words = [f"w{number}" for number in range(40)]
    words[30], words[33] = "contracts", "budgets"
    words[5] = "budgets"
    with app.app_context():
        make_doc("long-plan", "Long plan", "network", " ".join(words) + "\n")
    gov = as_person("gov@example.org")
    # The window with both words, moved to centre them, cut at the end of the text.
    assert [snippet for *_rest, snippet in results(search(gov, "contracts budgets"))] == [
        "… w24 w25 w26 w27 w28 w29 <mark>contracts</mark> w31 w32 <mark>budgets</mark> "
        "w34 w35 w36 w37 w38 w39"
    ]
    # Of windows with one match each, the first; the text before it is not cut.
    assert [snippet for *_rest, snippet in results(search(gov, "budgets"))] == [
        "w0 w1 w2 w3 w4 <mark>budgets</mark> w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 …"
    ]


def test_every_word_must_match_and_title_matches_rank_first(app: Flask, as_person: SignIn) -> None:
    with app.app_context():
        make_doc("a-text", "Accounts", "network", "The budgets and the contracts.\n")
        make_doc("b-title", "Budgets", "network", "Contracts follow.\n")
        make_doc("c-one", "Contracts only", "network", "Nothing about money.\n")
    page = search(as_person("gov@example.org"), "budgets contracts")
    assert count_line(page) == "2 documents match “budgets contracts”."
    assert [(link, title) for link, title, _meta, _snippet in results(page)] == [
        ("/b-title", "<mark>Budgets</mark>"),
        ("/a-text", "Accounts"),
    ]


def test_restricted_marker_reaches_only_those_it_is_shared_with_and_is_audited(
    app: Flask, as_person: SignIn
) -> None:
    with app.app_context():
        charity = find_organisation("Open Data Charity")
        assert charity is not None
        make_doc("public-plan", "Public plan", "public", PLAN)
        make_doc(
            "briefing",
            f"The {MARKER} briefing",
            "restricted",
            f"Embargoed figures on {MARKER} contracts.\n",
            grants=[Grant(charity, None, Level.VIEW)],
        )
    shared = search(as_person("cso@example.org"), MARKER)
    assert count_line(shared) == f"1 document matches “{MARKER}”."
    assert results(shared) == [
        (
            "/briefing",
            f"The <mark>{MARKER}</mark> briefing",
            meta("Cabinet Office", "restricted"),
            f"Embargoed figures on <mark>{MARKER}</mark> contracts.",
        )
    ]
    for email in (None, "treasury@example.org", "reviewer@example.org"):
        http = as_person(email) if email else app.test_client()
        hidden, nothing = search(http, MARKER), search(http, NONSENSE)
        assert count_line(nothing) == NO_MATCH.format(NONSENSE)
        assert without_tokens(hidden).replace(MARKER, NONSENSE) == without_tokens(nothing), email
        assert "briefing" not in hidden.lower(), email
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.person_id, AuditEvent.action, AuditEvent.detail)
        ).all()
        cso = find_person("cso@example.org")
        assert cso is not None
        assert rows == [(cso.id, "view", "/-/search")]


def test_hidden_documents_change_neither_the_count_nor_the_order_of_visible_results(
    app: Flask, as_person: SignIn
) -> None:
    with app.app_context():
        make_doc("a-alpha", "Alpha heavy", "network", "alpha alpha alpha beta\n")
        make_doc("b-beta", "Beta heavy", "network", "alpha beta beta beta\n")
        for number in range(6):
            make_doc(f"other-{number}", f"Other {number}", "network", "Unrelated words.\n")
    watch = as_person("watch@example.org")
    before = search(watch, "alpha beta")
    assert [link for link, *_rest in results(before)] == ["/a-alpha", "/b-beta"]
    with app.app_context():
        # Hidden text full of one query word, matching and not matching the query: in bm25
        # it would lower that word's weight and so reorder the visible results.
        for number in range(8):
            make_doc(
                f"hidden-{number}",
                f"Hidden {number}",
                "private",
                "alpha alpha alpha\n" if number else "alpha beta\n",
                owner="Treasury",
            )
    after = search(watch, "alpha beta")
    assert without_tokens(after) == without_tokens(before)
    assert count_line(after) == "2 documents match “alpha beta”."
    owner = search(as_person("treasury@example.org"), "alpha beta")
    assert count_line(owner) == "3 documents match “alpha beta”."


def test_private_document_is_found_by_its_owner_organisation_only(
    app: Flask, as_person: SignIn
) -> None:
    with app.app_context():
        make_doc(
            "own-notes", "Internal notes", "private", f"Our {MARKER} position.\n", owner="Treasury"
        )
    owner = search(as_person("treasury@example.org"), MARKER)
    assert [(link, snippet) for link, _title, _meta, snippet in results(owner)] == [
        ("/own-notes", f"Our <mark>{MARKER}</mark> position.")
    ]
    for email in (
        None,
        "gov@example.org",
        "cso@example.org",
        "watch@example.org",
        "reviewer@example.org",
    ):
        http = as_person(email) if email else app.test_client()
        hidden, nothing = search(http, MARKER), search(http, NONSENSE)
        assert results(hidden) == []
        assert without_tokens(hidden).replace(MARKER, NONSENSE) == without_tokens(nothing), email


def test_index_follows_text_edits_title_changes_and_deletions(
    app: Flask, as_person: SignIn
) -> None:
    with app.app_context():
        make_doc("budget-plan", "Budget plan", "network", PLAN)
    gov = as_person("gov@example.org")
    assert len(results(search(gov, "budgets"))) == 1  # indexed now
    with app.app_context():
        form_save(gov, "budget-plan", PLAN.replace("every month", "every fortnight"))
    assert [snippet for *_rest, snippet in results(search(gov, "fortnight"))] == [
        "We will publish budgets every <mark>fortnight</mark>. We will open contracts to scrutiny."
    ]
    assert results(search(gov, "month")) == []
    with app.app_context():
        doc = find_document("budget-plan")
        assert doc is not None
        doc.title = "Spending plan"
        db.session.commit()
    assert [title for _link, title, *_rest in results(search(gov, "spending"))] == [
        "<mark>Spending</mark> plan"
    ]
    assert results(search(gov, "budget")) == []
    with app.app_context():
        form_save(gov, "budget-plan", "We will open contracts to scrutiny.\n")
    assert results(search(gov, "budgets")) == []
    assert count_line(search(gov, "budgets")) == NO_MATCH.format("budgets")
    assert len(results(search(gov, "scrutiny"))) == 1


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"', 0),
        ('"budgets', 1),
        ('""', 0),
        ("budgets OR nothing", 0),
        ("budg*", 0),
        ("*", 0),
        ("NEAR(budgets contracts)", 0),
        ("NEAR(", 0),
        ("body:budgets", 0),
        ("-budgets", 1),
        ("^budgets", 1),
        ("budgets AND", 0),
        ("(budgets", 1),
        ("budgets NOT contracts", 0),
        ("'; DROP TABLE search_index; --", 0),
        ("\\\x02\x03budgets", 1),
        ("budgets " * 100, 1),
    ],
)
def test_search_syntax_in_a_query_is_read_as_plain_words(
    app: Flask, as_person: SignIn, query: str, found: int
) -> None:
    with app.app_context():
        make_doc("budget-plan", "Budget plan", "network", PLAN)
    page = search(as_person("gov@example.org"), query)
    assert len(results(page)) == found
    echoed = re.search(r'<input type="search" id="search-q" name="q" value="([^"]*)"', page)
    assert echoed and len(echoed.group(1)) <= 200


def test_a_long_query_is_cut_to_the_limit_not_refused(app: Flask, as_person: SignIn) -> None:
    with app.app_context():
        make_doc("budget-plan", "Budget plan", "network", PLAN)
    page = search(as_person("gov@example.org"), "budgets " * 24 + "publish" + " x" * 200)
    cut = ("budgets " * 24 + "publish" + " x" * 200)[:200].strip()
    assert f'value="{cut}"' in page
    assert count_line(page) == f"1 document matches “{cut}”."


def test_anonymous_visitor_finds_public_documents_only(app: Flask) -> None:
    with app.app_context():
        make_doc("public-plan", "Public plan", "public", PLAN)
        make_doc("network-plan", "Network plan", "network", PLAN)
    page = search(app.test_client(), "budgets")
    assert count_line(page) == "1 document matches “budgets”."
    assert results(page) == [
        (
            "/public-plan",
            "Public plan",
            meta("Cabinet Office", "public"),
            "We will publish <mark>budgets</mark> every month. We will open contracts to scrutiny.",
        )
    ]


@pytest.mark.parametrize("url", ["/-/search", "/-/search?q=", "/-/search?q=%20%20"])
def test_without_a_query_the_page_is_the_form_alone(app: Flask, url: str) -> None:
    with app.app_context():
        make_doc("public-plan", "Public plan", "public", PLAN)
    response = app.test_client().get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<label for="search-q">Words in the title or text</label>' in page
    assert '<input type="search" id="search-q" name="q" value="" maxlength="200"' in page
    assert "search-count" not in page and "search-results" not in page
    assert "Public plan" not in page


def test_every_page_has_a_labelled_search_form_in_its_header(app: Flask) -> None:
    page = app.test_client().get("/").get_data(as_text=True)
    header = page.split("</header>")[0]
    assert '<form class="site-search" method="get" action="/-/search" role="search"' in header
    assert '<label for="site-search-q" class="visually-hidden">Search documents</label>' in header
    assert '<input type="search" id="site-search-q" name="q">' in header


def test_a_document_that_cannot_be_read_is_skipped_not_fatal(
    app: Flask, as_person: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        make_doc("good", "Good plan", "network", PLAN)
        make_doc("broken", "Broken plan", "network", PLAN)
        broken = find_document("broken")
        assert broken is not None
        broken_id = broken.id
    stored_text = Hub.stored_text  # search reads stored text, never through a room

    def failing(hub: Hub, doc_id: int, timeout_s: float | None = None) -> tuple[str, int]:
        if doc_id == broken_id:
            raise TimeoutError("the store did not answer")
        return stored_text(hub, doc_id, timeout_s)

    monkeypatch.setattr(Hub, "stored_text", failing)
    gov = as_person("gov@example.org")
    assert [link for link, *_rest in results(search(gov, "budgets"))] == ["/good"]
    monkeypatch.setattr(Hub, "stored_text", stored_text)
    assert [link for link, *_rest in results(search(gov, "budgets"))] == ["/broken", "/good"]
