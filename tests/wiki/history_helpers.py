"""Builders for the history tests: documents written through the real edit paths.

Form edits go through ``POST /<slug>/edit`` (the no-JavaScript editor) or
``content.edit_text`` (the same pipeline); live edits are Yjs updates made on a replica
synced to the room and submitted as the ``/collab`` frame handler submits them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from crdt.engine import get_engine
from tests.wiki.conftest import Browser
from wiki.documents import content
from wiki.documents.service import Grant, create_document, find_document
from wiki.extensions import db
from wiki.history import service as history
from wiki.storage.models import Level, Organisation, Person, Revision, UpdateRecord

BASE_PATTERN = re.compile(r'name="base" type="hidden" value="(\d+)"|value="(\d+)" name="base"')
Op = tuple[int, int, str]
AsPerson = Callable[[str], Browser]  # the as_person fixture


def new_document(person: Browser, slug: str, title: str, visibility: str = "network") -> None:
    """Create a page through the new-document form (a page starts empty)."""
    response = person.submit(
        "/-/new", {"title": title, "slug": slug, "kind": "page", "visibility": visibility}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def base_of(person: Browser, slug: str) -> int:
    """The base seq the edit form carries right now."""
    page = person.get(f"/{slug}/edit").get_data(as_text=True)
    match = BASE_PATTERN.search(page)
    assert match, "no base field on the edit form"
    return int(match.group(1) or match.group(2))


def form_edit(person: Browser, slug: str, text: str, base: int | None = None) -> None:
    """Save ``text`` through the no-JavaScript edit form, against ``base`` (default: now)."""
    if base is None:
        base = base_of(person, slug)
    response = person.submit(f"/{slug}/edit", {"text": text, "base": str(base)})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/{slug}"


def make_document(
    app: Flask,
    slug: str,
    owner: str,
    visibility: str = "network",
    *,
    title: str | None = None,
    grants: Sequence[tuple[str | None, str | None, str]] = (),
) -> None:
    """A document row owned by the organisation named ``owner``, shared per ``grants``.

    Each grant is (organisation name, person email, level: view, comment or edit).
    """
    with app.app_context():
        org = organisation(owner)
        made = [
            Grant(
                organisation(org_name) if org_name else None,
                person(email) if email else None,
                Level(level),
            )
            for org_name, email, level in grants
        ]
        create_document(
            slug,
            title or slug.replace("-", " ").capitalize(),
            "page",
            org,
            visibility,
            made,
            max_chars=app.config["MAX_DOCUMENT_CHARS"],
        )
        db.session.commit()


def write(app: Flask, slug: str, email: str, text: str, base: int | None = None) -> int | None:
    """Edit through the form pipeline (``content.edit_text``), against ``base`` (default now)."""
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        who = person(email)
        if base is None:
            _text, base = content.read_text(doc)
        return content.edit_text(doc, who, who.organisation, base, text)


def live_edit(app: Flask, slug: str, email: str, ops: Sequence[Op]) -> int | None:
    """A live edit: a Yjs update under a client id the room assigned to the person.

    The replica is synced to the room's state, edited with ``ops`` and submitted as the
    ``/collab`` frame handler submits an update; returns the stored seq.
    """
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        who = person(email)
        room = content.hub().room(doc.id)
        client_id = room.assign_client(who.id).result(content.WAIT_S)
        state = room.call(lambda live: live.encode_state()).result(content.WAIT_S)
        replica = get_engine(app.config["CRDT_ENGINE"]).new_doc(client_id)
        try:
            replica.apply_update(state)
            update = replica.edit(list(ops))
        finally:
            del replica  # engine documents die on the thread that made them
        sender = content.sender_for(who, who.organisation)
        return room.submit(sender, client_id, update).result(content.WAIT_S)


def text_of(app: Flask, slug: str) -> str:
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        return content.read_text(doc)[0]


def alternating_live_edits(
    app: Flask, slug: str, emails: Sequence[str], lines: Sequence[str]
) -> None:
    """Append each line as a live edit, the people taking turns: one revision per line.

    Every person has a replica synced to the room; each edit is sent at once (as frames
    from several open editors would be) and all are awaited at the end.
    """
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        room = content.hub().room(doc.id)
        people = [person(email) for email in emails]
        clients = [room.assign_client(p.id).result(content.WAIT_S) for p in people]
        state = room.call(lambda live: live.encode_state()).result(content.WAIT_S)
        engine = get_engine(app.config["CRDT_ENGINE"])
        replicas = [engine.new_doc(client) for client in clients]
        try:
            for replica in replicas:
                replica.apply_update(state)
            futures = []
            for i, line in enumerate(lines):
                turn = i % len(people)
                update = replicas[turn].edit([(len(replicas[turn].text()), 0, line)])
                for other, replica in enumerate(replicas):
                    if other != turn:
                        replica.apply_update(update)
                sender = content.sender_for(people[turn], people[turn].organisation)
                futures.append(room.submit(sender, clients[turn], update))
            for future in futures:
                assert future.result(content.WAIT_S) is not None
        finally:
            replicas.clear()  # engine documents die on the thread that made them


def insert_after(text: str, anchor: str, words: str) -> Op:
    """The op inserting ``words`` right after the one occurrence of ``anchor``."""
    assert text.count(anchor) == 1, f"{anchor!r} occurs {text.count(anchor)} times"
    return (text.index(anchor) + len(anchor), 0, words)


def delete(text: str, words: str) -> Op:
    """The op deleting the one occurrence of ``words``."""
    assert text.count(words) == 1, f"{words!r} occurs {text.count(words)} times"
    return (text.index(words), len(words), "")


def person(email: str) -> Person:
    found = db.session.scalars(select(Person).where(Person.email == email)).one()
    return found


def organisation(name: str) -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()


def ids(app: Flask) -> dict[str, int]:
    """Organisation names and person emails -> their ids."""
    with app.app_context():
        found: dict[str, int] = {o.name: o.id for o in db.session.scalars(select(Organisation))}
        found.update({p.email: p.id for p in db.session.scalars(select(Person))})
        return found


@dataclass(frozen=True)
class RevisionRow:
    """A revision row as stored, to check that nothing earlier is rewritten."""

    number: int
    person_id: int | None
    organisation_id: int
    organisation_kind: str
    first_seq: int
    last_seq: int
    inserted: int
    deleted: int
    name: str | None


def revision_rows(app: Flask, slug: str) -> list[RevisionRow]:
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        history.revisions(doc)  # attribution catches up with every stored update first
        rows = db.session.scalars(
            select(Revision).where(Revision.document_id == doc.id).order_by(Revision.number)
        )
        return [
            RevisionRow(
                r.number,
                r.person_id,
                r.organisation_id,
                r.organisation_kind,
                r.first_seq,
                r.last_seq,
                r.inserted,
                r.deleted,
                r.name,
            )
            for r in rows
        ]


def update_log(app: Flask, slug: str) -> list[tuple[int, bytes, int | None]]:
    """(seq, update, person id) of every stored update of the document."""
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        rows = db.session.scalars(
            select(UpdateRecord)
            .where(UpdateRecord.document_id == doc.id)
            .order_by(UpdateRecord.seq)
        )
        return [(r.seq, r.data, r.person_id) for r in rows]


def text_only(html: str) -> str:
    """The page's text as a reader hears it: tags dropped, entities for quotes undone."""
    stripped = re.sub(r"<[^>]+>", "", html)
    return (
        stripped.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
    )


def json_of(person: Any, url: str) -> Any:
    response = person.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "application/json"
    return response.get_json()


# The story: a government editor writes, a CSO editor edits live, the government editor saves
# a form made before that live edit, and the CSO editor deletes government words.
GOV = "gov@example.org"
CSO = "cso@example.org"
SLUG = "plan"
TITLE = "Open contracting plan"
P1 = "The ministry will publish all signed contracts every month."
P2 = "Civil society groups may comment on each signed and published contract."
V1 = f"{P1}\n\n{P2}\n"
V2 = V1.replace("published contract.", "published contract within thirty days.")
V3 = V2.replace("contracts every", "contracts and tenders every")
V4 = V3.replace("each signed and published", "each published")
GOV_LABEL = "Gita Gov, Cabinet Office (government)"
CSO_LABEL = "Chidi Cso, Open Data Charity (civil society)"
NAME = "Draft for public consultation"  # a name given to a version


def write_story(app: Flask, gov: Browser) -> None:
    """Revisions 1 to 4 of the story, texts V1 to V4."""
    new_document(gov, SLUG, TITLE)
    form_edit(gov, SLUG, V1)  # same person, no pause: still revision 1
    old_base = base_of(gov, SLUG)
    live_edit(app, SLUG, CSO, [insert_after(V1, "published contract", " within thirty days")])
    assert text_of(app, SLUG) == V2
    # The government editor's form still holds V1: saving it must not undo the live edit.
    form_edit(gov, SLUG, V1.replace("contracts every", "contracts and tenders every"), old_base)
    assert text_of(app, SLUG) == V3
    live_edit(app, SLUG, CSO, [delete(V3, "signed and ")])
    assert text_of(app, SLUG) == V4


TIME = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC")
CHANGE = re.compile(
    r'<(ins|del) class="by-([a-z_]+)" title="(?:Added|Deleted) by ([^"]*)">'
    r'<span class="change-label">\[(added|deleted) by ([^\]]*):\]</span> (.*?)'
    r'<span class="change-label">\[end of (?:addition|deletion)\]</span></(?:ins|del)>',
    re.DOTALL,
)


def page(person: Browser, url: str) -> str:
    response = person.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def words(html: str) -> str:
    """Text as read out, whitespace collapsed and times replaced by TIME."""
    return TIME.sub("TIME", " ".join(text_only(html).split()))


def history_rows(html: str) -> list[tuple[int, str]]:
    """(revision number, the row's text) for each row of a history page, in page order."""
    return [
        (int(number), words(body))
        for number, body in re.findall(
            r'<li class="revision(?: named)?" id="r(\d+)">\s*<p>(.*?)</p>', html, re.DOTALL
        )
    ]


def named_rows(html: str) -> list[int]:
    """The numbers of the history rows highlighted as named versions."""
    return [int(n) for n in re.findall(r'<li class="revision named" id="r(\d+)">', html)]


def diff_html(html: str) -> str:
    """The word diff of a diff page (there is one), or "" when it has none."""
    match = re.search(r'<div class="diff">(.*?)</div>', html, re.DOTALL)
    return match.group(1) if match else ""


def changes(html: str) -> list[tuple[str, str, str]]:
    """(added/deleted, who in words, the words) for each marked change, in order.

    Also checks that the class and the hover title agree with the text label.
    """
    found = []
    for tag, kind, title, verb, label, text in CHANGE.findall(html):
        assert title == label, (title, label)
        assert (tag, verb) in {("ins", "added"), ("del", "deleted")}, (tag, verb)
        assert kind in label.replace(" ", "_"), (kind, label)
        found.append((verb, label, text))
    return found


def links(html: str) -> dict[str, str]:
    """Link text (as read out) -> href, for every link of the page."""
    return {
        words(text): href.replace("&amp;", "&")
        for href, text in re.findall(r'<a [^>]*?href="([^"]*)"[^>]*>(.*?)</a>', html, re.DOTALL)
    }
