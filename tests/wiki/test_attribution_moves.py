"""Attribution counts authors, not typists: moves and restores through the real app.

A government editor drags a civil-society paragraph to the top in one live update, deletes a
civil-society sentence, and a reviewer from another CSO restores the revision before; the
JSON API and the attribution page credit the CSO throughout, name the mover and the
restorer, and count what was removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from crdt import HistoryCheckpoint, Room, describe_paragraphs
from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import (
    json_of,
    live_edit,
    make_document,
    page,
    text_of,
    words,
    write,
)
from wiki.documents import content
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.history import service as history
from wiki.storage.models import UpdateRecord

AsPerson = Callable[[str], Browser]
GOV, CSO, WATCH = "gov@example.org", "cso@example.org", "watch@example.org"
SLUG = "contracts"
INTRO = "The ministry will publish every contract it signs.\n\n"
PROMISE = "Every contract is published within thirty days."
ASK = f"Civil society asks for open contracting. {PROMISE}\n\n"
CLOSE = "Both sides review progress every year.\n"
NOTHING = {"government": 0, "civil_society": 0, "other": 0}
GITA = "Gita Gov (Cabinet Office)"
WEN = "Wen Watch (Transparency Watch)"


def solid(text: str) -> int:
    """Characters that count: everything but whitespace."""
    return len("".join(text.split()))


def paragraphs(person: Browser) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json_of(person, f"/api/docs/{SLUG}/attribution")["paragraphs"]
    return found


def items(html: str) -> list[str]:
    """Each paragraph of an attribution page, as read out."""
    return [words(body) for body in re.findall(r'<li id="p-[0-9.]+">(.*?)</li>', html, re.DOTALL)]


def test_a_cso_paragraph_moved_by_a_government_editor_stays_civil_society(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    make_document(app, SLUG, "Cabinet Office")
    write(app, SLUG, GOV, INTRO + CLOSE)  # revision 1
    write(app, SLUG, CSO, INTRO + ASK + CLOSE)  # revision 2
    # Revision 3: the government editor drags the CSO's paragraph to the top, one update.
    live_edit(app, SLUG, GOV, [(len(INTRO), len(ASK), ""), (0, 0, ASK)])
    assert text_of(app, SLUG) == ASK + INTRO + CLOSE

    ask, intro, close = paragraphs(gov)
    assert (ask["text"], ask["shares"]) == (
        ASK,
        {"government": 0.0, "civil_society": 1.0, "other": 0.0},
    )
    assert (ask["people"], ask["organisations"]) == (["Chidi Cso"], ["Open Data Charity"])
    assert (ask["moved_by"], ask["restored_by"]) == ([GITA], [])
    assert ask["revisions"] == [3]
    for paragraph in (ask, intro, close):  # a move is no removal, here or where it was
        assert (paragraph["removed"], paragraph["removed_by_organisation"]) == (NOTHING, {})
    assert intro["moved_by"] == close["moved_by"] == []
    assert (
        intro["shares"]
        == close["shares"]
        == {
            "government": 1.0,
            "civil_society": 0.0,
            "other": 0.0,
        }
    )

    html = page(gov, f"/{SLUG}/attribution")
    first = items(html)[0]
    assert first.startswith(f"{ASK.strip()} 100% civil society Written by: Chidi Cso.")
    assert first.endswith("Nothing removed. Moved here by Gita Gov (Cabinet Office).")
    assert "How we count: each character is credited to the person and organisation" in words(html)
    # Marked by who wrote it: all the CSO's, though the government editor put it there.
    marked = page(gov, f"/{SLUG}/attribution?marks=1")
    assert words(marked).count("[civil society: Open Data Charity]") == 1
    assert f"[civil society: Open Data Charity]{ASK.strip()}" in words(marked).replace("] ", "]")


def test_a_restore_gives_deleted_text_back_to_its_authors_and_names_the_restorer(
    app: Flask, as_person: AsPerson
) -> None:
    gov, watch = as_person(GOV), as_person(WATCH)
    make_document(app, SLUG, "Cabinet Office", grants=[("Transparency Watch", None, "edit")])
    write(app, SLUG, GOV, INTRO)  # revision 1
    write(app, SLUG, CSO, INTRO + ASK)  # revision 2
    text = text_of(app, SLUG)
    at = text.index(" " + PROMISE)
    live_edit(app, SLUG, GOV, [(at, len(" " + PROMISE), "")])  # revision 3
    assert text_of(app, SLUG) == INTRO + ASK.replace(" " + PROMISE, "")

    ask = paragraphs(gov)[1]
    removed = solid(PROMISE)
    assert ask["removed"] == {"government": removed, "civil_society": 0, "other": 0}
    assert ask["removed_by_organisation"] == {"Cabinet Office": removed}
    assert ask["shares"] == {"government": 0.0, "civil_society": 1.0, "other": 0.0}
    assert items(page(gov, f"/{SLUG}/attribution"))[1].endswith(
        f"Removed: {removed} characters by government (Cabinet Office: {removed})."
    )

    response = watch.submit(f"/{SLUG}/revisions/2", {}, action=f"/{SLUG}/revisions/2/restore")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert text_of(app, SLUG) == INTRO + ASK

    intro, ask = paragraphs(gov)
    assert ask["shares"] == {"government": 0.0, "civil_society": 1.0, "other": 0.0}
    assert (ask["people"], ask["organisations"]) == (["Chidi Cso"], ["Open Data Charity"])
    assert (ask["restored_by"], ask["moved_by"]) == ([WEN], [])
    assert ask["removed"] == NOTHING  # the removal was undone
    assert (intro["restored_by"], intro["removed"]) == ([], NOTHING)
    assert items(page(gov, f"/{SLUG}/attribution"))[1].endswith(
        f"Nothing removed. Restored by {WEN}."
    )

    with app.app_context():
        doc = find_document(SLUG)
        assert doc is not None
        restores = db.session.scalars(
            select(UpdateRecord.restores_revision)
            .where(UpdateRecord.document_id == doc.id)
            .order_by(UpdateRecord.seq)
        ).all()
        assert restores == [None, None, None, 2]  # the log says which update restores what
        # A room opened afresh replays the log and credits the same authors.
        live = content.hub()
        fresh = Room(doc.id, live.engine, live.store, live.limits, live.history)
        try:
            again = fresh.history().result(content.WAIT_S)
        finally:
            fresh.close()
        who = history.authors_of(doc, again.attribution.revisions())
        replayed = describe_paragraphs(again.text, again.attribution, who)[1]
        assert replayed.shares["civil_society"] == 1.0 and replayed.restored_by == (4,)
        assert who[4].person_name == "Wen Watch"


def test_an_attribution_checkpoint_stored_again_at_its_seq_replaces_the_old_one(
    app: Flask,
) -> None:
    make_document(app, SLUG, "Cabinet Office")
    write(app, SLUG, CSO, ASK)
    with app.app_context():
        doc = find_document(SLUG)
        assert doc is not None
        store = content.hub().history
        assert store is not None
        store.save_history(doc.id, [], HistoryCheckpoint(1, "{}", b"\x01old format"))
        store.save_history(doc.id, [], HistoryCheckpoint(1, "{}", b"\x02new format"))
        assert store.history_checkpoint(doc.id) == HistoryCheckpoint(1, "{}", b"\x02new format")
