"""A document's revisions: the word diff between two of them with who changed what, all
or one organisation's changes, the document at one revision, and restoring one as a new
revision that rewrites nothing; a reviewer may read them but neither restore nor name.
Documents are written through the real paths and pages read by their words.
"""

from __future__ import annotations

import re

from flask import Flask

from tests.wiki.history_helpers import (
    CSO,
    CSO_LABEL,
    GOV,
    GOV_LABEL,
    NAME,
    SLUG,
    V1,
    V2,
    V3,
    V4,
    AsPerson,
    changes,
    diff_html,
    history_rows,
    ids,
    insert_after,
    json_of,
    links,
    live_edit,
    make_document,
    page,
    revision_rows,
    text_of,
    update_log,
    words,
    write,
    write_story,
)


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
