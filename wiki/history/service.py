"""Revision history and attribution of a document, for the history pages and the API."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter

from flask import current_app, g
from sqlalchemy import func, select

from crdt import (
    Attribution,
    Author,
    History,
    Paragraph,
    authored_text,
    describe_paragraphs,
    paragraph_history,
    word_diff,
)
from wiki.documents.content import WAIT_S, hub, sender_for
from wiki.extensions import db
from wiki.history.authorship import Authorship
from wiki.numbers import parse_number
from wiki.storage.models import Document, Organisation, Person, Revision

PAGE_SIZE = 50
STORED_WAIT_S = 2.0  # how long a reader process waits for the revisions the web process stores
STORED_POLL_S = 0.01


class HistoryNotStored(Exception):
    """A process that stores no history saw updates whose revisions are not stored yet."""


@dataclass(frozen=True)
class Change:
    """A piece of a word diff: equal, inserted or deleted text, and who made the change."""

    tag: str
    text: str
    authors: tuple[Author, ...] = ()


@dataclass(frozen=True)
class ParagraphRevision:
    """One revision that changed a paragraph, with its word diff."""

    revision: Revision
    changes: list[Change]


def current(doc: Document) -> History:
    """The document's text and attribution, with every stored update attributed.

    In a process that stores no history (a reader process), the revisions it will name are
    those another process stores; it waits until they are there (``HistoryNotStored`` if
    they are not in time), so no acknowledged edit is shown without its author.
    """
    history = hub().room(doc.id).history().result(WAIT_S)
    if not current_app.config["WRITES_HISTORY"]:
        wait_until_stored(doc.id, history.seq)
    return history


def wait_until_stored(doc_id: int, seq: int) -> None:
    """Wait until the stored revisions of the document cover its updates up to ``seq``.

    The process whose room took the updates stores their revisions moments later, once
    the room is idle; a process that died first stored none, and stores none until a
    room attributes the document again. What a request saw stored is remembered for the
    rest of it: a page asks for the current history more than once.
    """
    seen: dict[int, int] = g.setdefault("stored_seqs", {})
    if seen.get(doc_id, -1) >= seq:
        return
    newest = select(func.max(Revision.last_seq)).where(Revision.document_id == doc_id)
    deadline = time.monotonic() + STORED_WAIT_S
    while True:
        db.session.rollback()  # a new transaction sees what was stored since; ours wrote nothing
        stored = db.session.scalar(newest) or 0
        if stored >= seq:
            seen[doc_id] = stored
            return
        if time.monotonic() > deadline:
            raise HistoryNotStored(f"document {doc_id}: revisions up to update {seq} not stored")
        time.sleep(STORED_POLL_S)


def revisions(doc: Document) -> list[Revision]:
    """Every revision of the document, oldest first (attribution brought up to date first)."""
    current(doc)
    query = select(Revision).where(Revision.document_id == doc.id).order_by(Revision.number)
    return list(db.session.scalars(query))


def latest_revision(doc: Document) -> int:
    """The number of the document's newest revision, 0 if it has none."""
    current(doc)
    query = select(func.max(Revision.number)).where(Revision.document_id == doc.id)
    return db.session.scalar(query) or 0


def find_revision(doc: Document, number: int) -> Revision | None:
    """One revision of the document."""
    current(doc)
    return db.session.get(Revision, (doc.id, number))


def authors_of(doc: Document, numbers: Iterable[int]) -> dict[int, Author]:
    """Revision number -> who made it, for the given revisions (read as columns, not objects)."""
    wanted = sorted(set(numbers))
    columns = select(
        Revision.number, Revision.person_id, Revision.organisation_id, Revision.organisation_kind
    ).where(Revision.document_id == doc.id)
    rows: list[Authorship] = []
    for start in range(0, len(wanted), 500):  # stay under database parameter limits
        chunk = wanted[start : start + 500]
        rows.extend(db.session.execute(columns.where(Revision.number.in_(chunk))))
    return authors(rows)


def authors(rows: Sequence[Authorship]) -> dict[int, Author]:
    """Revision number -> who made it, for the attribution maths."""
    person_ids = {row.person_id for row in rows if row.person_id}
    organisation_ids = {row.organisation_id for row in rows}
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    orgs = {
        o.id: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(organisation_ids))
        )
    }
    made: dict[tuple[int | None, int, str], Author] = {}  # most revisions share an author
    result = {}
    for row in rows:
        key = (row.person_id, row.organisation_id, row.organisation_kind)
        if key not in made:
            org = orgs[row.organisation_id]
            person = people.get(row.person_id) if row.person_id else None
            made[key] = Author(
                person.id if person else None,
                person.name if person else f"{org.name} (set-up)",
                org.id,
                org.name,
                row.organisation_kind,
            )
        result[row.number] = made[key]
    return result


@dataclass(frozen=True)
class Names:
    """Each person's and organisation's first author entry, looked up by id."""

    people: dict[int | None, str]
    organisations: dict[int | None, Author]


def names(who: Mapping[int, Author]) -> Names:
    """Who is who among the authors of some revisions, in revision order."""
    people: dict[int | None, str] = {}
    organisations: dict[int | None, Author] = {}
    for number in sorted(who):
        author = who[number]
        people.setdefault(author.person_id, author.person_name)
        organisations.setdefault(author.organisation_id, author)
    return Names(people, organisations)


def attribution_at(doc: Document, revision: Revision | None) -> tuple[str, Attribution]:
    """Text and attribution at the end of ``revision`` (None: now)."""
    if revision is None:
        history = current(doc)
        return history.text, history.attribution
    past = hub().history_at(doc.id, revision.last_seq)
    return past.text, past.attribution


def paragraphs(doc: Document, revision: Revision | None = None) -> list[Paragraph]:
    """Every paragraph of the document (now, or at ``revision``) with its attribution."""
    return paragraphs_and_authors(doc, revision)[0]


def paragraphs_and_authors(
    doc: Document, revision: Revision | None = None
) -> tuple[list[Paragraph], dict[int, Author]]:
    """The paragraphs, and who made each revision that wrote or deleted any of their text."""
    text, attribution = attribution_at(doc, revision)
    who = authors_of(doc, revisions_in(attribution))
    return describe_paragraphs(text, attribution, who), who


def revisions_in(attribution: Attribution) -> set[int]:
    """Every revision that inserted or deleted a character of the attribution."""
    return set(attribution.revisions())


def diff(doc: Document, old: int, new: int, organisation_id: int | None = None) -> list[Change]:
    """A word diff from revision ``old`` to ``new``, each change labelled with its authors.

    With ``organisation_id``, only that organisation's changes are marked; the others'
    show as the text they left.
    """
    attribution = current(doc).attribution
    before, after = attribution.text_at(old), attribution.text_at(new)
    inserted_by, deleted_by = _change_revisions(attribution, old, new)
    pieces: list[tuple[str, str, set[int]]] = []
    old_pos, new_pos = 0, 0
    for tag, text in word_diff(before, after):
        revs: set[int] = set()
        if tag == "insert":
            # Only characters typed after ``old`` were added; a word diff also lists the
            # surviving letters of a word changed inside (contract -> contracts).
            revs = {r for r in inserted_by[new_pos : new_pos + len(text)] if r > old}
            new_pos += len(text)
        elif tag == "delete":
            revs = {r for r in deleted_by[old_pos : old_pos + len(text)] if r}
            old_pos += len(text)
        else:
            old_pos, new_pos = old_pos + len(text), new_pos + len(text)
        pieces.append((tag, text, revs))
    # A word changed inside is a deletion and an insertion side by side, one of them made
    # of letters nobody touched: whoever changed the word made both.
    for i in range(len(pieces) - 1):
        (kind, words, revs), (next_kind, next_words, next_revs) = pieces[i], pieces[i + 1]
        if (kind, next_kind) == ("delete", "insert") and not (revs and next_revs):
            either = revs | next_revs
            pieces[i], pieces[i + 1] = (kind, words, either), (next_kind, next_words, either)
    who = authors_of(doc, {r for _, _, revs in pieces for r in revs})
    changes = []
    for kind, words, revs in pieces:
        if kind == "equal":
            changes.append(Change("equal", words))
            continue
        labelled = tuple(who[r] for r in sorted(revs) if r in who)
        if organisation_id is not None and all(
            a.organisation_id != organisation_id for a in labelled
        ):
            if kind == "insert":
                changes.append(Change("equal", words))
            continue
        changes.append(Change(kind, words, _distinct(labelled)))
    return _merge(changes)


def _distinct(authors: tuple[Author, ...]) -> tuple[Author, ...]:
    """Each author once, in order: one person's several revisions name them once."""
    return tuple(dict.fromkeys(authors))


def paragraph_changes(doc: Document, paragraph_id: str) -> list[ParagraphRevision]:
    """Every revision that changed one paragraph, each with its word diff."""
    history = current(doc)
    changes = paragraph_history(history.text, history.attribution, paragraph_id)
    rows = {
        row.number: row
        for row in db.session.scalars(
            select(Revision).where(
                Revision.document_id == doc.id,
                Revision.number.in_([change.revision for change in changes]),
            )
        )
    }
    who = authors(list(rows.values()))
    result = []
    for change in changes:
        label = (who[change.revision],) if change.revision in who else ()
        pieces = [
            Change(tag, text, () if tag == "equal" else label)
            for tag, text in word_diff(change.before, change.after)
        ]
        result.append(ParagraphRevision(rows[change.revision], pieces))
    return result


def _change_revisions(attribution: Attribution, old: int, new: int) -> tuple[list[int], list[int]]:
    # For each character of the new text, the revision that inserted it; for each of the
    # old text, the revision that deleted it (0 if it survives): who made each change.
    inserted_by: list[int] = []
    deleted_by: list[int] = []
    for run in attribution.runs():
        size = len(run.text)
        alive_old = run.ins_rev <= old and (not run.del_rev or run.del_rev > old)
        alive_new = run.ins_rev <= new and (not run.del_rev or run.del_rev > new)
        if alive_new:
            inserted_by.extend([run.ins_rev] * size)
        if alive_old:
            gone = run.del_rev if run.del_rev and old < run.del_rev <= new else 0
            deleted_by.extend([gone] * size)
    return inserted_by, deleted_by


def _merge(changes: list[Change]) -> list[Change]:
    merged: list[Change] = []
    for change in changes:
        last = merged[-1] if merged else None
        if last and last.tag == change.tag and last.authors == change.authors:
            merged[-1] = Change(last.tag, last.text + change.text, last.authors)
        else:
            merged.append(change)
    return merged


@dataclass(frozen=True)
class Segment:
    """A stretch of text written by one author, for the inline attribution marks."""

    text: str
    author: Author | None


def revision_page(doc: Document, args: Mapping[str, str], page: int) -> tuple[list[Revision], int]:
    """One page of the revisions matching the history filters, newest first, and the count."""
    current(doc)
    query = select(Revision).where(Revision.document_id == doc.id)
    if args.get("kind"):
        query = query.where(Revision.organisation_kind == args["kind"])
    if (organisation := parse_number(args.get("organisation"))) is not None:
        query = query.where(Revision.organisation_id == organisation)
    if (person := parse_number(args.get("person"))) is not None:
        query = query.where(Revision.person_id == person)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Revision.number.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    )
    return list(rows), total


def named_revisions(doc: Document) -> list[Revision]:
    """The revisions that were given a name, oldest first."""
    query = select(Revision).where(Revision.document_id == doc.id, Revision.name.is_not(None))
    return list(db.session.scalars(query.order_by(Revision.number)))


def contributors(doc: Document) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(organisations, people) who made revisions of the document, by name."""
    ids = (
        select(Revision.organisation_id, Revision.person_id)
        .where(Revision.document_id == doc.id)
        .distinct()
    )
    pairs = db.session.execute(ids).all()
    orgs = {
        o.id: o.name
        for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_({p.organisation_id for p in pairs}))
        )
    }
    people = {
        p.id: p.name
        for p in db.session.scalars(
            select(Person).where(Person.id.in_({p.person_id for p in pairs if p.person_id}))
        )
    }
    return sorted(orgs.items(), key=itemgetter(1)), sorted(people.items(), key=itemgetter(1))


def organisation_name(organisation_id: int | None) -> str | None:
    """An organisation's name, for labelling a filtered diff."""
    if organisation_id is None:
        return None
    org = db.session.get(Organisation, organisation_id)
    return org.name if org else None


def marked_runs(doc: Document, revision: Revision | None) -> list[Segment]:
    """The visible text split into stretches by author (of the original, for moved text)."""
    _text, attribution = attribution_at(doc, revision)
    who = authors_of(doc, revisions_in(attribution))
    segments: list[Segment] = []
    for text, rev in authored_text(attribution):
        author = who.get(rev)
        if segments and segments[-1].author == author:
            segments[-1] = Segment(segments[-1].text + text, author)
        else:
            segments.append(Segment(text, author))
    return segments


def restore(doc: Document, person: Person, revision: Revision) -> int | None:
    """Bring back ``revision`` as a new edit by ``person``; the stored seq, None if no change.

    The edit is marked as a restore of that revision in the log, so attribution gives the
    restored text back to whoever wrote it.
    """
    room = hub().room(doc.id)
    _text, head = room.text().result(WAIT_S)
    old = hub().text_at(doc.id, revision.last_seq)
    client_id, update = room.form_update(person.id, head, old).result(WAIT_S)
    if not update:
        return None
    sender = replace(sender_for(person, person.organisation), restores=revision.number)
    return room.submit(sender, client_id, update).result(WAIT_S)
