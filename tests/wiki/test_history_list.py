"""The history list: revisions newest first with who, kind and exact sizes, filters by kind,
organisation and person, fifty revisions a page, and named versions; and, on every history
page, a restricted document hidden like a missing one and numbers that are no whole number
ignored. Documents are written through the real paths and pages read by their words, as in
the other history tests.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.wiki.audit_helpers import download
from tests.wiki.history_helpers import (
    CSO,
    CSO_LABEL,
    GOV,
    GOV_LABEL,
    NAME,
    SLUG,
    V1,
    V3,
    AsPerson,
    alternating_live_edits,
    changes,
    history_rows,
    ids,
    json_of,
    links,
    make_document,
    named_rows,
    page,
    revision_rows,
    text_of,
    words,
    write,
    write_story,
)
from tests.wiki.test_policy import without_token
from wiki.documents.sharing_views import parse_grantee
from wiki.errors import InvalidInput
from wiki.storage.models import Level


def test_history_lists_revisions_newest_first_with_who_kind_and_exact_sizes(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    # Revision 3 was a form saved against the text before revision 2: both edits are kept.
    assert json_of(gov, f"/api/docs/{SLUG}/revisions/3")["markdown"] == V3
    assert "and tenders" in V3 and "within thirty days" in V3
    html = page(gov, f"/{SLUG}/history")
    assert len(V1) == 133
    assert history_rows(html) == [
        (
            4,
            "Revision 4 by Chidi Cso, Open Data Charity Civil society · TIME · "
            "+0 / \N{MINUS SIGN}11 · Changes in revision 4 · In the timeslider (revision 4)",
        ),
        (
            3,
            "Revision 3 by Gita Gov, Cabinet Office Government · TIME · +12 / \N{MINUS SIGN}0 · "
            "Changes in revision 3 · In the timeslider (revision 3)",
        ),
        (
            2,
            "Revision 2 by Chidi Cso, Open Data Charity Civil society · TIME · "
            "+19 / \N{MINUS SIGN}0 · Changes in revision 2 · In the timeslider (revision 2)",
        ),
        (
            1,
            "Revision 1 by Gita Gov, Cabinet Office Government · TIME · +133 / \N{MINUS SIGN}0 · "
            "Changes in revision 1 · In the timeslider (revision 1)",
        ),
    ]
    # The sizes are read out in words too.
    assert '<span aria-label="11 characters deleted">\N{MINUS SIGN}11</span>' in html
    assert '<span aria-label="19 characters added">+19</span>' in html
    assert (
        '<a href="/plan/diff?from=2&amp;to=3">Changes<span class="visually-hidden"> in revision 3'
        in html
    )


def test_history_filters_by_kind_organisation_and_person_return_exactly_their_rows(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    known = ids(app)

    def numbers(query: str) -> list[int]:
        return [n for n, _ in history_rows(page(gov, f"/{SLUG}/history?{query}"))]

    assert numbers("kind=government") == [3, 1]
    assert numbers("kind=civil_society") == [4, 2]
    assert numbers(f"organisation={known['Open Data Charity']}") == [4, 2]
    assert numbers(f"organisation={known['Cabinet Office']}") == [3, 1]
    assert numbers(f"person={known[GOV]}") == [3, 1]
    assert numbers(f"person={known[CSO]}") == [4, 2]
    assert numbers(f"kind=civil_society&person={known[CSO]}") == [4, 2]
    assert numbers(f"kind=government&person={known[CSO]}") == []
    assert numbers(f"organisation={known['Treasury']}") == []
    assert numbers("kind=&organisation=&person=") == [4, 3, 2, 1]

    html = page(gov, f"/{SLUG}/history?kind=other")
    assert history_rows(html) == []
    assert "<p>No revisions match.</p>" in html
    # The choices are the people and organisations who made revisions, the chosen one kept.
    html = page(gov, f"/{SLUG}/history?organisation={known['Open Data Charity']}")
    organisations = re.search(
        r'<select id="organisation" name="organisation">(.*?)</select>', html, re.DOTALL
    )
    people = re.search(r'<select id="person" name="person">(.*?)</select>', html, re.DOTALL)
    assert organisations and people
    assert re.findall(r"<option ([^>]*)>([^<]*)</option>", organisations.group(1)) == [
        ('value=""', "Any"),
        (f'value="{known["Cabinet Office"]}"', "Cabinet Office"),
        (f'value="{known["Open Data Charity"]}" selected', "Open Data Charity"),
    ]
    assert re.findall(r"<option ([^>]*)>([^<]*)</option>", people.group(1)) == [
        ('value=""', "Anyone"),
        (f'value="{known[CSO]}"', "Chidi Cso"),
        (f'value="{known[GOV]}"', "Gita Gov"),
    ]


def test_history_pages_fifty_revisions_at_a_time_with_newer_and_older_links(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    make_document(app, "busy", "Cabinet Office")
    # 102 revisions, Gita Gov's the odd numbers and Chidi Cso's the even ones.
    alternating_live_edits(app, "busy", [GOV, CSO], [f"Line {i}.\n\n" for i in range(1, 103)])
    assert len(revision_rows(app, "busy")) == 102

    def listing(query: str) -> tuple[list[int], dict[str, str], str]:
        html = page(gov, f"/busy/history?{query}")
        pager = re.search(r'<nav aria-label="Pages of revisions">(.*?)</nav>', html, re.DOTALL)
        assert pager, query
        return (
            [n for n, _ in history_rows(html)],
            links(pager.group(1)),
            words(pager.group(1)),
        )

    assert listing("") == (
        list(range(102, 52, -1)),
        {"Older": "/busy/history?page=2"},
        "Page 1 of 3 Older",
    )
    assert listing("page=2") == (
        list(range(52, 2, -1)),
        {"Newer": "/busy/history?page=1", "Older": "/busy/history?page=3"},
        "Newer Page 2 of 3 Older",
    )
    assert listing("page=3") == ([2, 1], {"Newer": "/busy/history?page=2"}, "Newer Page 3 of 3")
    # The filter stays on while paging: 51 government revisions make two pages.
    assert listing("kind=government") == (
        list(range(101, 1, -2)),
        {"Older": "/busy/history?page=2&kind=government"},
        "Page 1 of 2 Older",
    )
    assert listing("kind=government&page=2") == (
        [1],
        {"Newer": "/busy/history?page=1&kind=government"},
        "Newer Page 2 of 2",
    )
    # Rows carry the right person on every page.
    rows = history_rows(page(gov, "/busy/history?page=3"))
    assert rows[0][1].startswith("Revision 2 by Chidi Cso, Open Data Charity Civil society")
    assert rows[1][1].startswith("Revision 1 by Gita Gov, Cabinet Office Government")
    assert text_of(app, "busy") == "".join(f"Line {i}.\n\n" for i in range(1, 103))


def test_named_version_is_highlighted_in_words_and_links_to_each_organisations_changes_since(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    known = ids(app)
    before = revision_rows(app, SLUG)

    response = gov.submit(
        f"/{SLUG}/history", {"name": f"  {NAME} "}, action=f"/{SLUG}/revisions/2/name"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{SLUG}/history"
    html = page(gov, f"/{SLUG}/history")
    assert f"Revision 2 is now named “{NAME}”." in html
    assert named_rows(html) == [2]
    assert dict(history_rows(html))[2] == (
        f"Revision 2 Named version: “{NAME}” by Chidi Cso, Open Data Charity Civil society · "
        "TIME · +19 / \N{MINUS SIGN}0 · Changes in revision 2 · In the timeslider (revision 2)"
    )
    assert all("Named version" not in row for n, row in history_rows(html) if n != 2)
    named = re.search(r'<section aria-labelledby="named-title">(.*?)</section>', html, re.DOTALL)
    assert named
    assert words(named.group(1)) == (
        f"Named versions “{NAME}” (revision 2, TIME) "
        f"Changes by Cabinet Office since “{NAME}” "
        f"Changes by Open Data Charity since “{NAME}”"
    )
    since = links(named.group(1))
    gov_since, cso_since = (
        f"Changes by Cabinet Office since “{NAME}”",
        f"Changes by Open Data Charity since “{NAME}”",
    )
    assert since == {
        f"“{NAME}”": f"/{SLUG}/revisions/2",
        gov_since: f"/{SLUG}/diff?organisation={known['Cabinet Office']}&from=2",
        cso_since: f"/{SLUG}/diff?organisation={known['Open Data Charity']}&from=2",
    }

    by_gov = page(gov, since[gov_since])
    assert "From revision 2 to revision 4, showing only the changes by Cabinet Office." in by_gov
    assert changes(by_gov) == [("added", GOV_LABEL, "and tenders ")]
    by_cso = page(gov, since[cso_since])
    assert "From revision 2 to revision 4, showing only the changes by Open Data Charity." in by_cso
    assert changes(by_cso) == [("deleted", CSO_LABEL, "signed and ")]

    # The name shows on the revision itself and in the API; nothing else about it changed.
    assert f"Named version: “{NAME}”." in page(gov, f"/{SLUG}/revisions/2")
    assert re.findall(r"<h2>(.*?)</h2>", page(gov, f"/{SLUG}/attribution/1.61"))[-3:] == [
        "Revision 1",
        f"Revision 2 (named version “{NAME}”)",
        "Revision 4",
    ]
    assert [r["name"] for r in json_of(gov, f"/api/docs/{SLUG}/revisions")] == [
        None,
        NAME,
        None,
        None,
    ]
    after = revision_rows(app, SLUG)
    assert after[1].name == NAME
    assert [r for i, r in enumerate(after) if i != 1] == [r for i, r in enumerate(before) if i != 1]

    # An empty name is refused with a message and keeps the old one.
    response = gov.submit(f"/{SLUG}/history", {"name": "   "}, action=f"/{SLUG}/revisions/2/name")
    assert response.status_code == 302
    html = page(gov, f"/{SLUG}/history")
    assert "Give the version a name of 1 to 200 characters." in html
    assert named_rows(html) == [2]


def test_history_pages_of_a_restricted_document_are_hidden_like_a_missing_one(
    app: Flask, as_person: AsPerson
) -> None:
    make_document(
        app, "secret", "Treasury", "restricted", grants=[("Open Data Charity", None, "edit")]
    )
    write(app, "secret", "treasury@example.org", "Tax plans.\n")
    write(app, "secret", CSO, "Tax plans, reviewed.\n")
    watch, cso = as_person("watch@example.org"), as_person(CSO)
    paragraph = json_of(cso, "/api/docs/secret/attribution")["paragraphs"][0]["id"]
    for tail in (
        "history",
        "revisions/1",
        "diff?from=0&to=2",
        "attribution",
        "attribution?marks=1",
        f"attribution/{paragraph}",
        "revisions?number=1",
    ):
        assert cso.get(f"/secret/{tail}").status_code == (302 if "?number" in tail else 200)
        hidden = watch.get(f"/secret/{tail}")
        missing = watch.get(f"/no-such-doc/{tail}")
        assert hidden.status_code == missing.status_code == 404, tail
        assert without_token(hidden.get_data(as_text=True)) == without_token(
            missing.get_data(as_text=True)
        ), tail
        assert b"Tax plans" not in hidden.get_data()
    for tail in ("revisions/1/restore", "revisions/1/name"):
        hidden = watch.submit("/", {"name": NAME}, action=f"/secret/{tail}")
        missing = watch.submit("/", {"name": NAME}, action=f"/no-such-doc/{tail}")
        assert hidden.status_code == missing.status_code == 404, tail
        assert without_token(hidden.get_data(as_text=True)) == without_token(
            missing.get_data(as_text=True)
        ), tail
    assert [r.name for r in revision_rows(app, "secret")] == [None, None]
    assert text_of(app, "secret") == "Tax plans, reviewed.\n"


def test_filters_and_numbers_that_are_no_whole_number_are_ignored_not_a_server_error(
    app: Flask, as_person: AsPerson
) -> None:
    # str.isdigit says yes to "²" and "¹", which int() refuses; no column holds 25 digits.
    gov = as_person(GOV)
    write_story(app, gov)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is then an answer, as a browser gets it
    huge = "9" * 25
    for value in ("²", "¹", "²³", "\u0661", " 1", "-1", "1.0", huge, str(2**31)):
        for name in ("person", "organisation"):
            response = gov.get(f"/{SLUG}/history", query_string={name: value})
            assert response.status_code == 200, (name, value)
            assert [n for n, _ in history_rows(response.get_data(as_text=True))] == [4, 3, 2, 1]
        for url, name in (
            (f"/{SLUG}/history", "page"),
            (f"/{SLUG}/diff", "organisation"),
            (f"/{SLUG}/attribution", "revision"),
            (f"/{SLUG}/revisions", "number"),
        ):
            response = gov.get(url, query_string={name: value}, follow_redirects=True)
            assert response.status_code == 200, (url, name, value)
        assert download(gov, f"/{SLUG}/export.md?revision={value}").status_code == 404, value
    for url in (f"/{SLUG}/revisions/{huge}", f"/api/docs/{SLUG}/revisions/{huge}"):
        assert gov.get(url).status_code == 404, url
    with app.app_context():
        for grantee in ("org:²", "person:¹", f"org:{huge}"):
            with pytest.raises(InvalidInput):
                parse_grantee(grantee, Level.VIEW)
