"""History pages: revisions, filters, paging, named versions, diffs, the document at a
revision, restore, who wrote what and one paragraph's history.

Documents are written through the real paths (the new-document and edit forms, live Yjs
updates submitted to the room) and every page is read as a person reads it: the text labels
that screen readers and print show, not only classes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask

from tests.wiki.audit_helpers import download
from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import (
    CSO,
    CSO_LABEL,
    GOV,
    GOV_LABEL,
    P1,
    SLUG,
    V1,
    V2,
    V3,
    V4,
    alternating_live_edits,
    changes,
    diff_html,
    history_rows,
    ids,
    insert_after,
    json_of,
    links,
    live_edit,
    make_document,
    named_rows,
    page,
    revision_rows,
    text_of,
    update_log,
    words,
    write,
    write_story,
)
from tests.wiki.test_policy import without_token
from wiki.documents.sharing_views import parse_grantee
from wiki.errors import InvalidInput
from wiki.storage.models import Level

NAME = "Draft for public consultation"

AsPerson = Callable[[str], Browser]


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


def test_diff_marks_exactly_the_changed_words_with_who_changed_them_in_words(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    html = page(gov, f"/{SLUG}/diff?from=1&to=4")
    assert "From revision 1 to revision 4." in html
    assert changes(html) == [
        ("added", GOV_LABEL, "and tenders "),
        ("deleted", CSO_LABEL, "signed and "),
        ("added", CSO_LABEL, " within thirty days"),
    ]
    # As a screen reader or a printout gives it.
    assert words(diff_html(html)) == words(
        "The ministry will publish all signed contracts "
        f"[added by {GOV_LABEL}:] and tenders [end of addition]every month. "
        f"Civil society groups may comment on each [deleted by {CSO_LABEL}:] signed and "
        f"[end of deletion]published contract[added by {CSO_LABEL}:] within thirty days"
        "[end of addition]."
    )
    # A range given backwards is the same range.
    backwards = page(gov, f"/{SLUG}/diff?from=4&to=1")
    assert "From revision 1 to revision 4." in backwards
    assert diff_html(backwards) == diff_html(html)
    # One revision at a time; with no range, the newest revision.
    assert changes(page(gov, f"/{SLUG}/diff?from=1&to=2")) == [
        ("added", CSO_LABEL, " within thirty days")
    ]
    assert changes(page(gov, f"/{SLUG}/diff?from=2&to=3")) == [("added", GOV_LABEL, "and tenders ")]
    newest = page(gov, f"/{SLUG}/diff")
    assert "From revision 3 to revision 4." in newest
    assert changes(newest) == [("deleted", CSO_LABEL, "signed and ")]
    first = page(gov, f"/{SLUG}/diff?from=0&to=1")
    assert changes(first) == [("added", GOV_LABEL, V1)]
    same = page(gov, f"/{SLUG}/diff?from=3&to=3")
    assert changes(same) == []
    assert "<p>No changes between these revisions.</p>" in same
    # Several revisions by one person name that person once.
    assert changes(page(gov, f"/{SLUG}/diff?from=0&to=3")) == [
        ("added", f"{GOV_LABEL}; {CSO_LABEL}", V3)
    ]


def test_diff_filtered_by_organisation_marks_only_that_organisations_changes(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    known = ids(app)
    by_cso = page(gov, f"/{SLUG}/diff?from=1&to=4&organisation={known['Open Data Charity']}")
    assert "showing only the changes by Open Data Charity." in by_cso
    assert changes(by_cso) == [
        ("deleted", CSO_LABEL, "signed and "),
        ("added", CSO_LABEL, " within thirty days"),
    ]
    # The government's addition reads as plain text.
    assert words(diff_html(by_cso)).startswith(
        "The ministry will publish all signed contracts and tenders "
        "every month. Civil society groups may comment on each [deleted by"
    )
    by_gov = page(gov, f"/{SLUG}/diff?from=1&to=4&organisation={known['Cabinet Office']}")
    assert changes(by_gov) == [("added", GOV_LABEL, "and tenders ")]
    # The CSO's deletion is gone and its addition is plain: the text as it now stands.
    assert words(diff_html(by_gov)) == words(
        V4.replace("and tenders ", f"[added by {GOV_LABEL}:] and tenders [end of addition]")
    )
    nobody = page(gov, f"/{SLUG}/diff?from=1&to=4&organisation={known['Treasury']}")
    assert changes(nobody) == []
    assert "<p>No changes between these revisions.</p>" in nobody


def test_diff_of_a_change_inside_a_word_names_only_who_changed_it(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    known = ids(app)
    make_document(app, "word", "Cabinet Office")
    write(app, "word", GOV, "We publish each contract today.\n")
    live_edit(
        app, "word", CSO, [insert_after("We publish each contract today.\n", "contract", "s")]
    )
    html = page(gov, "/word/diff?from=1&to=2")
    # The word diff shows the whole word replaced; only Chidi Cso touched it.
    assert changes(html) == [
        ("deleted", CSO_LABEL, "contract"),
        ("added", CSO_LABEL, "contracts"),
    ]
    assert (
        changes(page(gov, f"/word/diff?from=1&to=2&organisation={known['Cabinet Office']}")) == []
    )
    assert changes(
        page(gov, f"/word/diff?from=1&to=2&organisation={known['Open Data Charity']}")
    ) == [
        ("deleted", CSO_LABEL, "contract"),
        ("added", CSO_LABEL, "contracts"),
    ]
    # And the other way round: a letter deleted from a word.
    live_edit(app, "word", GOV, [(len("We publish each contract"), 1, "")])
    assert text_of(app, "word") == "We publish each contract today.\n"
    assert changes(page(gov, "/word/diff?from=2&to=3")) == [
        ("deleted", GOV_LABEL, "contracts"),
        ("added", GOV_LABEL, "contract"),
    ]


def test_revision_page_shows_exactly_that_revisions_text_with_previous_and_next_links(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    paragraphs = {
        1: (
            "The ministry will publish all signed contracts every month.",
            "Civil society groups may comment on each signed and published contract.",
        ),
        2: (
            "The ministry will publish all signed contracts every month.",
            "Civil society groups may comment on each signed and published contract within "
            "thirty days.",
        ),
        3: (
            "The ministry will publish all signed contracts and tenders every month.",
            "Civil society groups may comment on each signed and published contract within "
            "thirty days.",
        ),
        4: (
            "The ministry will publish all signed contracts and tenders every month.",
            "Civil society groups may comment on each published contract within thirty days.",
        ),
    }
    gita, chidi = (
        "Gita Gov, Cabinet Office Government",
        "Chidi Cso, Open Data Charity Civil society",
    )
    authors = {1: gita, 2: chidi, 3: gita, 4: chidi}
    for number, text in ((1, V1), (2, V2), (3, V3), (4, V4)):
        html = page(gov, f"/{SLUG}/revisions/{number}")
        body = re.search(r'<div class="markdown">(.*?)</div>', html, re.DOTALL)
        assert body
        assert body.group(1) == "".join(f"<p>{p}</p>\n" for p in paragraphs[number])
        assert f"<h1>Open contracting plan: revision {number} of 4</h1>" in html
        assert f"The document as it was after this revision by {authors[number]}, TIME." in words(
            html
        )
        assert json_of(gov, f"/api/docs/{SLUG}/revisions/{number}") == {
            "number": number,
            "markdown": text,
        }
        found = links(html)
        assert found.get(f"Previous revision ({number - 1})") == (
            f"/{SLUG}/revisions/{number - 1}" if number > 1 else None
        )
        assert found.get(f"Next revision ({number + 1})") == (
            f"/{SLUG}/revisions/{number + 1}" if number < 4 else None
        )
        assert found["What this revision changed"] == f"/{SLUG}/diff?from={number - 1}&to={number}"
        assert found["Who wrote what at this revision"] == f"/{SLUG}/attribution?revision={number}"
        assert ("Restore this revision" in html) == (number < 4)
    assert gov.get(f"/{SLUG}/revisions?number=3").headers["Location"] == f"/{SLUG}/revisions/3"
    assert gov.get(f"/{SLUG}/revisions/5").status_code == 404
    assert gov.get(f"/{SLUG}/revisions/0").status_code == 404


def test_restore_is_a_new_revision_by_the_restorer_and_rewrites_nothing(
    app: Flask, as_person: AsPerson
) -> None:
    gov, watch = as_person(GOV), as_person("watch@example.org")
    known = ids(app)
    make_document(app, "budget", "Cabinet Office", grants=[("Transparency Watch", None, "edit")])
    write(app, "budget", GOV, "The budget is published every year.\n")  # 1
    v2 = "The budget is published every year.\n\nCivil society reviews each budget line.\n"
    live_edit(
        app,
        "budget",
        CSO,
        [
            (
                len("The budget is published every year.\n"),
                0,
                "\nCivil society reviews each budget line.\n",
            )
        ],
    )  # 2
    assert text_of(app, "budget") == v2
    write(app, "budget", GOV, v2.replace("every year", "when ready"))  # 3
    before, log = revision_rows(app, "budget"), update_log(app, "budget")
    assert [r.number for r in before] == [1, 2, 3]

    response = watch.submit("/budget/revisions/2", {}, action="/budget/revisions/2/restore")
    assert response.status_code == 302
    assert response.headers["Location"] == "/budget"
    assert "Restored revision 2 as a new edit." in page(watch, "/budget")
    assert text_of(app, "budget") == v2

    after = revision_rows(app, "budget")
    assert after[:3] == before  # nothing earlier is rewritten
    assert update_log(app, "budget")[:3] == log
    assert [(seq, who) for seq, _, who in update_log(app, "budget")[3:]] == [
        (4, known["watch@example.org"])
    ]
    restored = after[3]
    assert (
        restored.number,
        restored.person_id,
        restored.organisation_id,
        restored.organisation_kind,
    ) == (4, known["watch@example.org"], known["Transparency Watch"], "civil_society")
    # "when ready" became "every year" again: two words out, two words in, the space kept.
    assert (restored.inserted, restored.deleted) == (9, 9)
    assert history_rows(page(gov, "/budget/history"))[0] == (
        4,
        "Revision 4 by Wen Watch, Transparency Watch Civil society · TIME · +9 / \N{MINUS SIGN}9 · "
        "Changes in revision 4 · In the timeslider (revision 4)",
    )
    assert json_of(gov, "/api/docs/budget/revisions/4")["markdown"] == v2
    assert json_of(gov, "/api/docs/budget/revisions/3")["markdown"] == v2.replace(
        "every year", "when ready"
    )
    assert changes(page(gov, "/budget/diff?from=3&to=4")) == [
        ("deleted", "Wen Watch, Transparency Watch (civil society)", "when"),
        ("added", "Wen Watch, Transparency Watch (civil society)", "every"),
        ("deleted", "Wen Watch, Transparency Watch (civil society)", "ready"),
        ("added", "Wen Watch, Transparency Watch (civil society)", "year"),
    ]
    paragraphs = json_of(gov, "/api/docs/budget/attribution")["paragraphs"]
    # The restored words go back to their author, the restorer is named beside her, and
    # the words the restore took out count as removed by the restorer's kind.
    assert [
        (p["text"], p["shares"], p["people"], p["organisations"], p["restored_by"], p["removed"])
        for p in paragraphs
    ] == [
        (
            "The budget is published every year.\n\n",
            {"government": 1.0, "civil_society": 0.0, "other": 0.0},
            ["Gita Gov"],
            ["Cabinet Office"],
            ["Wen Watch (Transparency Watch)"],
            {"government": 0, "civil_society": len("whenready"), "other": 0},
        ),
        (
            "Civil society reviews each budget line.\n",
            {"government": 0.0, "civil_society": 1.0, "other": 0.0},
            ["Chidi Cso"],
            ["Open Data Charity"],
            [],
            {"government": 0, "civil_society": 0, "other": 0},
        ),
    ]
    assert paragraphs[1]["revisions"] == [2]

    # Restoring what the document already says changes nothing, and says so.
    response = watch.submit("/budget/revisions/2", {}, action="/budget/revisions/2/restore")
    assert response.status_code == 302
    assert "The document already reads as revision 2; nothing was changed." in page(
        watch, "/budget"
    )
    assert revision_rows(app, "budget") == after
    assert len(update_log(app, "budget")) == 4


def test_reviewer_may_read_history_but_neither_restore_nor_name(
    app: Flask, as_person: AsPerson
) -> None:
    gov, reviewer = as_person(GOV), as_person("reviewer@example.org")
    write_story(app, gov)
    before = revision_rows(app, SLUG)
    history = page(reviewer, f"/{SLUG}/history")
    assert [n for n, _ in history_rows(history)] == [4, 3, 2, 1]
    assert "Save name" not in history
    assert "Restore this revision" not in page(reviewer, f"/{SLUG}/revisions/1")
    assert reviewer.submit("/", {}, action=f"/{SLUG}/revisions/1/restore").status_code == 403
    assert (
        reviewer.submit("/", {"name": NAME}, action=f"/{SLUG}/revisions/1/name").status_code == 403
    )
    assert revision_rows(app, SLUG) == before
    assert text_of(app, SLUG) == V4


def test_attribution_page_gives_shares_people_organisations_and_revisions_in_words(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    html = page(gov, f"/{SLUG}/attribution")
    items = re.findall(r'<li id="p-([0-9.]+)">(.*?)</li>', html, re.DOTALL)
    # Non-whitespace characters of the last paragraph: 52 by the government (its words
    # left after the deletion), 16 by civil society ("within thirty days"): 52/68 and
    # 16/68, 76.5% and 23.5%, shown as whole percentages that add up to 100.
    assert [(pid, words(body)) for pid, body in items] == [
        (
            "1.0",
            f"{P1.replace('contracts every', 'contracts and tenders every')} 100% government "
            "Written by: Gita Gov. Organisations: Cabinet Office "
            "(government). Last changed in revision 3. History of this paragraph "
            "(The ministry will publish all signed con) Nothing removed.",
        ),
        (
            "1.61",
            "Civil society groups may comment on each published contract within thirty "
            "days. 76% government · 24% civil society "
            "Written by: Gita Gov, Chidi Cso. Organisations: Cabinet Office (government), "
            "Open Data Charity (civil society). Last changed in revision 4. History of "
            "this paragraph (Civil society groups may comment on each) "
            "Removed: 9 characters by civil society (Open Data Charity: 9).",
        ),
    ]
    assert 'aria-label="76% government · 24% civil society"' in html
    assert '<rect class="bar-government" x="0" y="0" width="76" height="14">' in html
    assert '<rect class="bar-civil_society" x="76" y="0" width="24" height="14">' in html
    assert links(html)["History of this paragraph (Civil society groups may comment on each)"] == (
        f"/{SLUG}/attribution/1.61"
    )
    assert links(html)["Mark the text by kind of organisation"] == f"/{SLUG}/attribution?marks=1"

    # At revision 2 the last paragraph still had "signed and": 61 government, 16 civil society.
    at2 = page(gov, f"/{SLUG}/attribution?revision=2")
    assert "As it was after revision 2." in at2
    items = re.findall(r'<li id="p-([0-9.]+)">(.*?)</li>', at2, re.DOTALL)
    assert [pid for pid, _ in items] == ["1.0", "1.61"]
    assert words(items[1][1]).startswith(
        "Civil society groups may comment on each signed and published contract within thirty "
        "days. 79% government · 21% civil society"
    )
    assert "Last changed in revision 2." in words(items[1][1])
    assert words(items[0][1]).startswith(f"{P1} 100% government")


def test_attribution_marks_label_every_stretch_of_text_with_its_kind_and_organisation(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    html = page(gov, f"/{SLUG}/attribution?marks=1")
    marked = re.search(r'<div class="marked-text">(.*?)</div>', html, re.DOTALL)
    assert marked
    government, civil = "[government: Cabinet Office]", "[civil society: Open Data Charity]"
    assert re.findall(
        r'<span class="by-([a-z_]+)"><span class="change-label">', marked.group(1)
    ) == ["government", "civil_society", "government"]
    start, end = V4.split(" within thirty days")
    assert words(marked.group(1)) == words(
        f"{government}{start}{civil} within thirty days{government}{end}"
    )
    assert links(html)["Hide the marks in the text"] == f"/{SLUG}/attribution"
    assert "The text, marked by who wrote it" in html
    assert "The text, marked by who wrote it" not in page(gov, f"/{SLUG}/attribution")

    # At revision 2: the CSO's words are there, the later government words are not.
    at2 = page(gov, f"/{SLUG}/attribution?revision=2&marks=1")
    marked = re.search(r'<div class="marked-text">(.*?)</div>', at2, re.DOTALL)
    assert marked
    start, end = V2.split(" within thirty days")
    assert words(marked.group(1)) == words(
        f"{government}{start}{civil} within thirty days{government}{end}"
    )
    assert links(at2)["Hide the marks in the text"] == f"/{SLUG}/attribution?revision=2"


def test_paragraph_history_lists_every_revision_that_changed_it_with_its_word_diff(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    html = page(gov, f"/{SLUG}/attribution/1.61")
    items = re.findall(r"<li>\s*<h2>(.*?)</h2>\s*<p>(.*?)</p>(.*?)</li>", html, re.DOTALL)
    assert [(words(h), words(by)) for h, by, _ in items] == [
        ("Revision 1", "By Gita Gov, Cabinet Office Government, TIME."),
        ("Revision 2", "By Chidi Cso, Open Data Charity Civil society, TIME."),
        ("Revision 4", "By Chidi Cso, Open Data Charity Civil society, TIME."),
    ]
    assert [changes(body) for _, _, body in items] == [
        [
            (
                "added",
                GOV_LABEL,
                "Civil society groups may comment on each signed and published contract.\n",
            )
        ],
        [("added", CSO_LABEL, " within thirty days")],
        [("deleted", CSO_LABEL, "signed and ")],
    ]
    assert words(diff_html(items[2][2])) == words(
        f"Civil society groups may comment on each [deleted by {CSO_LABEL}:] signed and "
        "[end of deletion]published contract within thirty days."
    )
    # The other paragraph's history: revision 3 changed it, and the CSO's revisions did not.
    other = page(gov, f"/{SLUG}/attribution/1.0")
    assert re.findall(r"<h2>Revision (\d+)</h2>", other) == ["1", "3"]
    assert gov.get(f"/{SLUG}/attribution/9.9").status_code == 404


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
