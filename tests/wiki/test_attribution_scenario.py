"""A scripted afternoon of co-editing, and exactly who is credited with what at the end.

A government editor (Gita Gov, Cabinet Office) and a civil-society editor (Chidi Cso, Open
Data Charity) write different paragraphs, edit each other's, delete each other's words, and
one of them saves a form opened before the other's changes. The expected shares are worked
out here from the characters each of them typed, as exact fractions.
"""

from __future__ import annotations

import re
from dataclasses import astuple
from fractions import Fraction

from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import organisation, person, revision_rows
from wiki.documents import content
from wiki.documents.service import find_document
from wiki.history import service as history
from wiki.storage.models import Document

WAIT_S = 30.0
SLUG = "open-data-plan"


def solid(*pieces: str) -> int:
    """Characters that count towards a share: everything but whitespace."""
    return sum(len("".join(piece.split())) for piece in pieces)


def shares(**counts: int) -> dict[str, float]:
    total = sum(counts.values())
    return {
        kind: float(Fraction(counts.get(kind, 0), total))
        for kind in ("government", "civil_society", "other")
    }


def the_document() -> Document:
    doc = find_document(SLUG)
    assert doc is not None
    return doc


def save_form(browser: Browser, text: str, base: int) -> None:
    response = browser.submit(f"/{SLUG}/edit", {"text": text, "base": str(base)})
    assert response.status_code == 302, response.get_data(as_text=True)


def form_base(browser: Browser) -> int:
    page = browser.get(f"/{SLUG}/edit").get_data(as_text=True)
    match = re.search(r'<input[^>]*name="base"[^>]*value="(\d+)"', page)
    assert match, "no base field on the edit form"
    return int(match.group(1))


def edit_as(email: str, base: int, text: str) -> int | None:
    who = person(email)
    return content.edit_text(the_document(), who, who.organisation, base, text)


def live_edit_as(email: str, ops: list[tuple[int, int, str]]) -> int | None:
    """A live Yjs edit under a client id the room gave ``email``, on a replica of the room."""
    who, doc = person(email), the_document()
    room = content.hub().room(doc.id)
    client_id = room.assign_client(who.id).result(WAIT_S)
    replica = content.hub().engine.new_doc(client_id)  # made, used and dropped on this thread
    replica.apply_update(room.call(lambda live: live.encode_state()).result(WAIT_S))
    update = replica.edit(ops)
    sender = content.sender_for(who, who.organisation)
    return room.submit(sender, client_id, update).result(WAIT_S)


# What each of them types, piece by piece.
TITLE = "# Open data plan\n\n"  # government
BUDGETS = "We will publish budgets.\n\n"  # government
MONITOR = "Civil society will monitor spending.\n\n"  # civil society
CONTRACTS = "contracts"  # government, replacing the CSO's "spending"
WILL = "will "  # the government's word the CSO deletes
MONTHLY = " every month"  # civil society, inside the government's sentence
REPORT = "Both will report yearly.\n"  # government, from a form opened before the last two edits

FINAL = (
    "# Open data plan\n\n"
    "We publish budgets every month.\n\n"
    "Civil society will monitor contracts.\n\n"
    "Both will report yearly.\n"
)


def test_scripted_co_editing_credits_every_paragraph_exactly(
    app: Flask,
    as_person,  # type: ignore[no-untyped-def]
) -> None:
    gov = as_person("gov@example.org")
    response = gov.submit(
        "/-/new", {"title": "Open data plan", "slug": SLUG, "kind": "page", "visibility": "network"}
    )
    assert response.status_code == 302
    assert form_base(gov) == 0  # a new page starts empty
    save_form(gov, TITLE, 0)  # seq 1, the government's revision 1
    save_form(gov, TITLE + BUDGETS, form_base(gov))  # seq 2, still revision 1

    with app.app_context():
        assert edit_as("cso@example.org", 2, TITLE + BUDGETS + MONITOR) == 3  # revision 2
        opened = 3  # the government editor opens the form now, and saves it last
        # Revision 3: the government editor replaces the CSO's word "spending".
        assert (
            edit_as("gov@example.org", 3, TITLE + BUDGETS + MONITOR.replace("spending", CONTRACTS))
            == 4
        )
        # Revision 4, live: the CSO editor deletes the government's "will " and adds a phrase.
        text, seq = content.read_text(the_document())
        assert seq == 4
        at = text.index(WILL)
        after_delete = text[:at] + text[at + len(WILL) :]
        assert (
            live_edit_as(
                "cso@example.org",
                [
                    (at, len(WILL), ""),
                    (after_delete.index("budgets.") + len("budgets"), 0, MONTHLY),
                ],
            )
            == 5
        )
    # Revision 5: the form opened at seq 3 is saved; it only adds the last paragraph.
    save_form(gov, TITLE + BUDGETS + MONITOR + REPORT, opened)

    with app.app_context():
        doc = the_document()
        assert content.read_text(doc) == (FINAL, 6)
        gita, chidi = person("gov@example.org"), person("cso@example.org")
        cabinet, charity = organisation("Cabinet Office"), organisation("Open Data Charity")

        # Every field but the name, once attribution caught up with all six updates.
        rows = [astuple(row)[:-1] for row in revision_rows(app, SLUG)]
        g = (gita.id, cabinet.id, "government")
        c = (chidi.id, charity.id, "civil_society")
        assert rows == [
            (1, *g, 1, 2, len(TITLE + BUDGETS), 0),
            (2, *c, 3, 3, len(MONITOR), 0),
            (3, *g, 4, 4, len(CONTRACTS), len("spending")),
            (4, *c, 5, 5, len(MONTHLY), len(WILL)),
            (5, *g, 6, 6, len(REPORT), 0),
        ]

        found = history.paragraphs(doc)
        got = [
            (
                p.text,
                p.id,
                p.shares,
                p.people,
                p.organisations,
                p.person_shares,
                p.organisation_shares,
                p.revisions,
            )
            for p in found
        ]

    heading_gov = solid(TITLE)
    budgets_gov, budgets_cso = solid("We publish budgets."), solid(MONTHLY)
    monitor_cso, monitor_gov = solid("Civil society will monitor ."), solid(CONTRACTS)
    report_gov = solid(REPORT)
    assert (heading_gov, budgets_gov, budgets_cso, monitor_cso, monitor_gov, report_gov) == (
        13,
        17,
        10,
        24,
        9,
        21,
    )

    def share(part: int, whole: int) -> float:
        return float(Fraction(part, whole))

    budgets_all, monitor_all = budgets_gov + budgets_cso, monitor_cso + monitor_gov
    assert got == [
        (
            "# Open data plan\n\n",
            "1.0",
            shares(government=heading_gov),
            (gita.id,),
            (cabinet.id,),
            {gita.id: 1.0},
            {cabinet.id: 1.0},
            (1,),
        ),
        (
            "We publish budgets every month.\n\n",
            "2.0",
            shares(government=budgets_gov, civil_society=budgets_cso),
            (gita.id, chidi.id),
            (cabinet.id, charity.id),
            {gita.id: share(17, 27), chidi.id: share(10, 27)},
            {cabinet.id: share(17, 27), charity.id: share(10, 27)},
            (1, 4),
        ),  # written in 1; "will " deleted and " every month" added in 4
        (
            "Civil society will monitor contracts.\n\n",
            "3.0",
            shares(civil_society=monitor_cso, government=monitor_gov),
            (chidi.id, gita.id),
            (charity.id, cabinet.id),
            {chidi.id: share(8, 11), gita.id: share(3, 11)},
            {charity.id: share(8, 11), cabinet.id: share(3, 11)},
            (2, 3),
        ),  # written in 2; "spending" replaced in 3
        (
            "Both will report yearly.\n",
            "6.0",
            shares(government=report_gov),
            (gita.id,),
            (cabinet.id,),
            {gita.id: 1.0},
            {cabinet.id: 1.0},
            (5,),
        ),
    ]
    assert budgets_all == 27 and monitor_all == 33

    # The JSON API says the same, with names.
    api = gov.get(f"/api/docs/{SLUG}/attribution").get_json()
    assert api["revision"] == 5
    assert [
        (p["text"], p["shares"], p["people"], p["organisations"], p["revisions"])
        for p in api["paragraphs"]
    ] == [
        ("# Open data plan\n\n", shares(government=13), ["Gita Gov"], ["Cabinet Office"], [1]),
        (
            "We publish budgets every month.\n\n",
            shares(government=17, civil_society=10),
            ["Gita Gov", "Chidi Cso"],
            ["Cabinet Office", "Open Data Charity"],
            [1, 4],
        ),
        (
            "Civil society will monitor contracts.\n\n",
            shares(civil_society=24, government=9),
            ["Chidi Cso", "Gita Gov"],
            ["Open Data Charity", "Cabinet Office"],
            [2, 3],
        ),
        (
            "Both will report yearly.\n",
            shares(government=21),
            ["Gita Gov"],
            ["Cabinet Office"],
            [5],
        ),
    ]
    revisions = gov.get(f"/api/docs/{SLUG}/revisions").get_json()
    assert [
        (
            r["number"],
            r["person"],
            r["organisation"],
            r["organisation_kind"],
            r["inserted"],
            r["deleted"],
        )
        for r in revisions
    ] == [
        (1, "Gita Gov", "Cabinet Office", "government", 44, 0),
        (2, "Chidi Cso", "Open Data Charity", "civil_society", 38, 0),
        (3, "Gita Gov", "Cabinet Office", "government", 9, 8),
        (4, "Chidi Cso", "Open Data Charity", "civil_society", 12, 5),
        (5, "Gita Gov", "Cabinet Office", "government", 25, 0),
    ]
