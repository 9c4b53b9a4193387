"""The JSON API: listings, revisions, the text at a revision and who wrote what, under the
same policy as the pages; and paragraph identity as reviewers' tools see it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import (
    CSO,
    GOV,
    P1,
    SLUG,
    TITLE,
    V1,
    V2,
    V3,
    V4,
    changes,
    delete,
    history_rows,
    insert_after,
    json_of,
    live_edit,
    make_document,
    organisation,
    page,
    text_of,
    words,
    write,
    write_story,
)
from wiki.documents import content
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.people.directory import create_organisation

NOT_FOUND = {"error": "not found"}

AsPerson = Callable[[str], Browser]


def summary(slug: str, visibility: str, revision: int) -> dict[str, object]:
    return {
        "slug": slug,
        "title": slug.replace("-", " ").capitalize(),
        "kind": "page",
        "visibility": visibility,
        "revision": revision,
    }


def test_api_lists_only_the_documents_each_person_may_see(app: Flask, as_person: AsPerson) -> None:
    make_document(app, "public-plan", "Cabinet Office", "public")
    make_document(app, "network-notes", "Open Data Charity", "network")
    make_document(
        app, "shared-draft", "Treasury", "restricted", grants=[("Open Data Charity", None, "view")]
    )
    make_document(
        app, "person-draft", "Treasury", "restricted", grants=[(None, "watch@example.org", "view")]
    )
    make_document(app, "cabinet-private", "Cabinet Office", "private")
    write(app, "public-plan", GOV, "Everyone may read this.\n")
    write(app, "network-notes", CSO, "Members may read this.\n")
    write(app, "network-notes", GOV, "Members may read and edit this.\n")

    public = summary("public-plan", "public", 1)
    network = summary("network-notes", "network", 2)
    shared = summary("shared-draft", "restricted", 0)
    personal = summary("person-draft", "restricted", 0)
    private = summary("cabinet-private", "private", 0)
    assert json_of(app.test_client(), "/api/docs") == [public]
    expected = {
        CSO: [network, public, shared],
        "watch@example.org": [network, personal, public],
        "reviewer@example.org": [network, public],  # same organisation, but the grant was personal
        GOV: [private, network, public],
        "treasury@example.org": [network, personal, public, shared],
        # Running the instance shows nobody's restricted or private drafts.
        "admin@example.org": [network, public],
        "coordinator@example.org": [network, public],
    }
    for email, docs in expected.items():
        assert json_of(as_person(email), "/api/docs") == docs, email


def test_api_revisions_and_texts_are_those_written(app: Flask, as_person: AsPerson) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    assert json_of(gov, f"/api/docs/{SLUG}") == {
        "slug": SLUG,
        "title": TITLE,
        "kind": "page",
        "visibility": "network",
        "revision": 4,
        "markdown": V4,
    }
    revisions = json_of(gov, f"/api/docs/{SLUG}/revisions")
    times = [(r.pop("started_at"), r.pop("ended_at")) for r in revisions]
    cabinet = {
        "person": "Gita Gov",
        "organisation": "Cabinet Office",
        "organisation_kind": "government",
    }
    charity = {
        "person": "Chidi Cso",
        "organisation": "Open Data Charity",
        "organisation_kind": "civil_society",
    }
    assert revisions == [
        {"number": 1, "name": None, **cabinet, "inserted": len(V1), "deleted": 0},
        {
            "number": 2,
            "name": None,
            **charity,
            "inserted": len(" within thirty days"),
            "deleted": 0,
        },
        {"number": 3, "name": None, **cabinet, "inserted": len(" and tenders"), "deleted": 0},
        {"number": 4, "name": None, **charity, "inserted": 0, "deleted": len("signed and ")},
    ]
    stamps = [datetime.fromisoformat(t) for pair in times for t in pair]
    assert all(t.utcoffset() is not None and t.utcoffset().total_seconds() == 0 for t in stamps)
    assert stamps == sorted(stamps)  # each starts when or after the one before ended
    for number, text in ((1, V1), (2, V2), (3, V3), (4, V4)):
        assert json_of(gov, f"/api/docs/{SLUG}/revisions/{number}") == {
            "number": number,
            "markdown": text,
        }
    for number in (0, 5):
        response = gov.get(f"/api/docs/{SLUG}/revisions/{number}")
        assert (response.status_code, response.get_json()) == (404, NOT_FOUND)


NOTHING_REMOVED = {
    "removed": {"government": 0, "civil_society": 0, "other": 0},
    "removed_by_organisation": {},
    "moved_by": [],
    "restored_by": [],
}


def test_api_attribution_gives_exact_shares_people_and_revisions_per_paragraph(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    # A scripted set-up edit by an organisation of the third kind, with no person behind it.
    with app.app_context():
        create_organisation("Parliament Library", "other")
        db.session.commit()
        doc = find_document(SLUG)
        assert doc is not None
        _text, head = content.read_text(doc)
        content.edit_text(
            doc, None, organisation("Parliament Library"), head, V4 + "\nSee annex.\n"
        )
    final_p1 = P1.replace("contracts every", "contracts and tenders every")
    final_p2 = "Civil society groups may comment on each published contract within thirty days."
    # Non-whitespace characters: the second paragraph keeps 52 of the government's and has
    # 16 of civil society's ("within", "thirty", "days").
    assert len("".join(final_p2.replace(" within thirty days", "").split())) == 52
    assert json_of(gov, f"/api/docs/{SLUG}/attribution") == {
        "revision": 5,
        "paragraphs": [
            {
                "id": "1.0",
                "text": f"{final_p1}\n\n",
                "shares": {"government": 1.0, "civil_society": 0.0, "other": 0.0},
                "people": ["Gita Gov"],
                "organisations": ["Cabinet Office"],
                "revisions": [1, 3],
                **NOTHING_REMOVED,
            },
            {
                "id": f"1.{len(P1) + 2}",
                "text": f"{final_p2}\n\n",
                "shares": {"government": 52 / 68, "civil_society": 16 / 68, "other": 0.0},
                "people": ["Gita Gov", "Chidi Cso"],
                "organisations": ["Cabinet Office", "Open Data Charity"],
                "revisions": [1, 2, 4, 5],
                # The CSO deleted the government's "signed and " in revision 4.
                "removed": {"government": 0, "civil_society": 9, "other": 0},
                "removed_by_organisation": {"Open Data Charity": 9},
                "moved_by": [],
                "restored_by": [],
            },
            {
                "id": "5.1",
                "text": "See annex.\n",
                "shares": {"government": 0.0, "civil_society": 0.0, "other": 1.0},
                "people": [],
                "organisations": ["Parliament Library"],
                "revisions": [5],
                **NOTHING_REMOVED,
            },
        ],
    }
    # The same in words on the pages.
    assert history_rows(page(gov, f"/{SLUG}/history"))[0] == (
        5,
        "Revision 5 by Parliament Library when the document was created Other · TIME · "
        "+12 / \N{MINUS SIGN}0 · Changes in revision 5 · In the timeslider (revision 5)",
    )
    html = page(gov, f"/{SLUG}/attribution")
    item = re.search(r'<li id="p-5\.1">(.*?)</li>', html, re.DOTALL)
    assert item
    assert words(item.group(1)) == (
        "See annex. 100% other Written when the document was created. Organisations: "
        "Parliament Library "
        "(other). Last changed in revision 5. History of this paragraph (See annex.) "
        "Nothing removed."
    )


def test_paragraph_keeps_its_id_and_history_through_edits_above_it_and_on_it(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    make_document(app, "identity", "Cabinet Office")
    above = "Alpha paragraph.\n\nBeta paragraph.\n\n"
    write(app, "identity", GOV, f"{above}Gamma paragraph text.\n")
    gamma = f"1.{len(above)}"  # the log seq and offset of its first character

    def paragraph(fragment: str) -> dict[str, object]:
        found = [
            p
            for p in json_of(gov, "/api/docs/identity/attribution")["paragraphs"]
            if fragment in p["text"]
        ]
        assert len(found) == 1, fragment
        return found[0]

    def check(fragment: str, revisions: list[int]) -> None:
        found = paragraph(fragment)
        assert (found["id"], found["revisions"]) == (gamma, revisions), found

    check("Gamma paragraph text.", [1])
    text = text_of(app, "identity")
    live_edit(app, "identity", CSO, [(0, 0, "Intro from civil society.\n\n")])  # 2: above
    check("Gamma paragraph text.", [1])
    write(app, "identity", GOV, text_of(app, "identity").replace("Beta paragraph.\n\n", ""))  # 3
    check("Gamma paragraph text.", [1])
    text = text_of(app, "identity")
    live_edit(app, "identity", CSO, [insert_after(text, "paragraph text", " with notes")])  # 4
    check("Gamma paragraph text with notes.", [1, 4])
    # Its first word, whose character gave the paragraph its id, is replaced: the id stays.
    write(app, "identity", GOV, text_of(app, "identity").replace("Gamma", "Final"))  # 5
    check("Final paragraph text with notes.", [1, 4, 5])
    text = text_of(app, "identity")
    live_edit(app, "identity", CSO, [delete(text, "Alpha paragraph.\n\n")])  # 6: above again
    assert text_of(app, "identity") == (
        "Intro from civil society.\n\nFinal paragraph text with notes.\n"
    )
    check("Final paragraph text with notes.", [1, 4, 5])
    final = paragraph("Final")
    assert (final["shares"], final["people"], final["organisations"]) == (
        {"government": 19 / 28, "civil_society": 9 / 28, "other": 0.0},
        ["Gita Gov", "Chidi Cso"],
        ["Cabinet Office", "Open Data Charity"],
    )
    # The intro absorbed the deleted paragraphs' record but not their older id.
    assert (paragraph("Intro")["id"], paragraph("Intro")["revisions"]) == ("2.0", [1, 2, 3, 6])

    html = page(gov, f"/identity/attribution/{gamma}")
    items = re.findall(r"<li>\s*<h2>(.*?)</h2>\s*<p>(.*?)</p>(.*?)</li>", html, re.DOTALL)
    gita, chidi = (
        "Gita Gov, Cabinet Office (government)",
        "Chidi Cso, Open Data Charity (civil society)",
    )
    assert [(words(h), changes(body)) for h, _, body in items] == [
        ("Revision 1", [("added", gita, "Gamma paragraph text.\n")]),
        ("Revision 4", [("added", chidi, " with notes")]),
        ("Revision 5", [("deleted", gita, "Gamma"), ("added", gita, "Final")]),
    ]


def test_api_answers_a_restricted_document_exactly_as_a_missing_one(
    app: Flask, as_person: AsPerson
) -> None:
    make_document(
        app, "shared-draft", "Treasury", "restricted", grants=[("Open Data Charity", None, "edit")]
    )
    make_document(app, "network-notes", "Open Data Charity", "network")
    write(app, "shared-draft", "treasury@example.org", "Tax plans.\n")
    write(app, "shared-draft", CSO, "Tax plans, reviewed.\n")
    write(app, "network-notes", CSO, "Members only.\n")
    write(app, "network-notes", GOV, "Members only, edited.\n")
    cso, watch, anonymous = as_person(CSO), as_person("watch@example.org"), app.test_client()
    tails = ("", "/revisions", "/revisions/1", "/revisions/2", "/attribution")
    for tail in tails:
        assert cso.get(f"/api/docs/shared-draft{tail}").status_code == 200, tail
        assert watch.get(f"/api/docs/network-notes{tail}").status_code == 200, tail
    for who, slug in (
        (watch, "shared-draft"),
        (anonymous, "network-notes"),
        (anonymous, "shared-draft"),
    ):
        for tail in (*tails, "/revisions/9"):
            hidden = who.get(f"/api/docs/{slug}{tail}")
            missing = who.get(f"/api/docs/no-such-doc{tail}")
            assert (hidden.status_code, hidden.get_json()) == (404, NOT_FOUND), (slug, tail)
            assert hidden.get_data() == missing.get_data(), (slug, tail)
            assert (
                hidden.headers["Content-Type"]
                == missing.headers["Content-Type"]
                == "application/json"
            )
            assert hidden.headers["Cache-Control"] == "no-store"
    assert json_of(watch, "/api/docs") == [summary("network-notes", "network", 2)]
    assert json_of(anonymous, "/api/docs") == []
