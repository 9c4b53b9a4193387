"""The edit pipeline in the app: form edits merge with live ones, and bad updates store nothing.

Everything runs on the app's real SQLite database through its hub of rooms. Live edits are
Yjs updates made on a replica of the room's state under a client id the room assigned,
submitted as the ``/collab`` handler submits them; form edits go through ``POST /<slug>/edit``
or ``content.edit_text``, the same pipeline.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future

import pytest
from flask import Flask
from sqlalchemy import select

from crdt.engine import ENGINE_NAMES
from crdt.errors import ForeignClientId, OversizedUpdate, UpdateRejected
from crdt.store import LogRecord
from tests.wiki.conftest import Browser
from wiki.documents import content
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.live import stored_listener
from wiki.storage.models import Document, Person

WAIT_S = 30.0
BASE_FIELD = re.compile(
    r'<input[^>]*name="base"[^>]*value="(\d+)"|<input[^>]*value="(\d+)"[^>]*name="base"'
)


def new_page(person: Browser, slug: str, title: str) -> None:
    response = person.submit(
        "/-/new", {"title": title, "slug": slug, "kind": "page", "visibility": "network"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def base_on_form(person: Browser, slug: str) -> int:
    """The base seq the no-JavaScript edit form carries."""
    match = BASE_FIELD.search(person.get(f"/{slug}/edit").get_data(as_text=True))
    assert match, "no base field on the edit form"
    return int(match.group(1) or match.group(2))


def form_save(person: Browser, slug: str, text: str, base: int) -> None:
    response = person.submit(f"/{slug}/edit", {"text": text, "base": str(base)})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/{slug}"


def person(email: str) -> Person:
    return db.session.scalars(select(Person).where(Person.email == email)).one()


def document(slug: str) -> Document:
    doc = find_document(slug)
    assert doc is not None
    return doc


def stored(doc: Document) -> list[LogRecord]:
    return list(content.hub().store.records(doc.id, 0, 10**9))


def outcome(future: Future[int | None]) -> tuple[int | None, tuple[type[Exception], str] | None]:
    """(seq, None) for a stored update, (None, (error type, message)) for a refused one.

    Only the type and message leave here, never the exception: its traceback would tie
    the caller's frame into a reference cycle (see the ``app`` fixture's gc.collect()).
    """
    try:
        return future.result(WAIT_S), None
    except Exception as error:
        return None, (type(error), str(error))


def live_update(
    doc: Document, who: Person, ops: Sequence[tuple[int, int, str]]
) -> tuple[int, bytes]:
    """A client id the room assigned to ``who`` and an update made under it on a synced replica."""
    room = content.hub().room(doc.id)
    client_id = room.assign_client(who.id).result(WAIT_S)
    state = room.call(lambda live: live.encode_state()).result(WAIT_S)
    replica = content.hub().engine.new_doc(client_id)  # made, used and dropped on this thread
    replica.apply_update(state)
    return client_id, replica.edit(list(ops))


PLAN = "# Plan\n\nWe will publish budgets.\n\nWe will open contracts.\n"


def test_form_edit_against_an_old_base_merges_with_a_live_edit_made_since(
    app: Flask,
    as_person,  # type: ignore[no-untyped-def]
) -> None:
    gov = as_person("gov@example.org")
    new_page(gov, "plan", "Plan")
    form_save(gov, "plan", PLAN, base_on_form(gov, "plan"))
    old = base_on_form(gov, "plan")  # the government editor opens the form here ...

    with app.app_context():  # ... while the CSO editor types live in the first paragraph
        doc, cso = document("plan"), person("cso@example.org")
        at = PLAN.index(" budgets") + len(" budgets")
        client_id, update = live_update(doc, cso, [(at, 0, " every month")])
        sender = content.sender_for(cso, cso.organisation)
        live_seq = content.hub().room(doc.id).submit(sender, client_id, update).result(WAIT_S)
        assert live_seq == old + 1

    # The form, still at the old base, changes the second paragraph and the heading.
    form_save(
        gov,
        "plan",
        PLAN.replace("open contracts", "open all contracts").replace("# Plan", "# Action plan"),
        old,
    )

    merged = (
        "# Action plan\n\nWe will publish budgets every month.\n\nWe will open all contracts.\n"
    )
    assert gov.get("/plan/raw").get_data(as_text=True) == merged
    with app.app_context():
        doc = document("plan")
        assert content.read_text(doc) == (merged, old + 2)
        records = stored(doc)
        assert [(r.seq, r.sender.person_id) for r in records[-2:]] == [
            (old + 1, person("cso@example.org").id),
            (old + 2, person("gov@example.org").id),
        ]
        assert content.hub().rebuild(doc.id, old + 2).text() == merged
        assert content.text_at(doc, old) == PLAN  # the base itself is untouched history


def test_form_edits_of_one_sentence_from_the_same_base_keep_both_changes(
    app: Flask,
    as_person,  # type: ignore[no-untyped-def]
) -> None:
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_page(gov, "plan", "Plan")
    form_save(gov, "plan", PLAN, base_on_form(gov, "plan"))
    base = base_on_form(gov, "plan")
    assert base_on_form(cso, "plan") == base
    with app.app_context():  # the CSO editor saves first, through the same pipeline
        seq = content.edit_text(
            document("plan"),
            person("cso@example.org"),
            person("cso@example.org").organisation,
            base,
            PLAN.replace("We will publish", "We will always publish"),
        )
        assert seq == base + 1
    form_save(gov, "plan", PLAN.replace("budgets.", "budgets and spending."), base)
    assert gov.get("/plan/raw").get_data(as_text=True) == PLAN.replace(
        "We will publish budgets.", "We will always publish budgets and spending."
    )


FUZZ_CASES = 20_000
FUZZ_SEED = 20_240_611
FUZZ_CLIENT_ID = 1_234_567
FUZZ_BATCH = 250


def corrupt(rng: random.Random, corpus: Sequence[bytes]) -> bytes:
    """A damaged real update: bit flips, a truncation, a splice, a changed byte or noise."""
    data = bytearray(rng.choice(corpus))
    how = rng.randrange(7)
    if how in (0, 1):  # one to three flipped bits
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif how == 2:
        del data[rng.randrange(len(data)) :]
    elif how == 3:  # the head of one update on the tail of another
        other = rng.choice(corpus)
        data = data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]
    elif how == 4:
        data[rng.randrange(len(data))] = rng.randrange(256)
    elif how == 5:  # a byte dropped or added
        at = rng.randrange(len(data))
        if rng.random() < 0.5:
            del data[at]
        else:
            data.insert(at, rng.randrange(256))
    else:
        data = bytearray(rng.randbytes(rng.randrange(80)))
    return bytes(data)


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_corrupted_updates_are_refused_or_harmless_and_the_log_holds_exactly_the_accepted(
    app: Flask,
    as_person,
    engine: str,  # type: ignore[no-untyped-def]
) -> None:
    with app.app_context():  # the app on this engine, as CRDT_ENGINE would set it
        content.hub().close()
        app.config["CRDT_ENGINE"] = engine
        content.init_hub(app, stored_listener(app))
    gov_browser = as_person("gov@example.org")
    new_page(gov_browser, "fuzz", "Fuzz")
    form_save(gov_browser, "fuzz", PLAN, base_on_form(gov_browser, "fuzz"))
    with app.app_context():
        doc, gov = document("fuzz"), person("gov@example.org")
        sender = content.sender_for(gov, gov.organisation)
        # A fixed client id, so the seed replays exactly: the room would pick one at random
        # (and Yjs orders concurrent inserts by it). Stored as the room stores assignments;
        # the rooms restart, as after a deploy, and read it back.
        client_id = FUZZ_CLIENT_ID
        assert content.hub().store.assign_client(doc.id, gov.id, client_id)
        content.hub().close()
        room = content.hub().room(doc.id)
        _, start = content.read_text(doc)

        # Real updates under the editor's own client id, never sent as they are.
        replica = content.hub().engine.new_doc(client_id)
        replica.apply_update(room.call(lambda live: live.encode_state()).result(WAIT_S))
        rng = random.Random(FUZZ_SEED)
        corpus = []
        for n in range(40):
            length = len(replica.text())
            if n % 3 == 2:
                at = rng.randrange(length - 4)
                corpus.append(replica.edit([(at, rng.randint(1, 4), "")]))
            else:
                words = rng.choice(["open ", "données ", "ąę ", "🙂 ", "🚀🌍", "x", "\n\n- item\n"])
                corpus.append(replica.edit([(rng.randint(0, length), 0, words)]))
        corpus.append(replica.edit([(0, 2, "Plan: "), (10, 3, "")]))
        corpus.append(replica.encode_state())
        del replica

        accepted: dict[int, bytes] = {}
        refusals: Counter[str] = Counter()
        for first in range(0, FUZZ_CASES, FUZZ_BATCH):
            cases = [corrupt(rng, corpus) for _ in range(min(FUZZ_BATCH, FUZZ_CASES - first))]
            futures = [room.submit(sender, client_id, data) for data in cases]
            for data, (seq, refused) in zip(cases, map(outcome, futures), strict=True):
                if refused is None:
                    if seq is not None:
                        accepted[seq] = data
                    continue
                # A specific refusal saying what is wrong, never the room's catch-all.
                kind, message = refused
                assert issubclass(kind, UpdateRejected) and kind is not UpdateRejected, refused
                assert message.strip(), kind
                refusals[kind.__name__] += 1
            del futures
            # What a client gets on sync, and what a checkpoint stores, is the live document.
            live, state = room.call(lambda doc: (doc.text(), doc.encode_state())).result(WAIT_S)
            synced = content.hub().engine.new_doc()
            synced.apply_update(state)
            assert synced.text() == live, f"after {first + FUZZ_BATCH} corrupted updates"
            del synced

        assert sum(refusals.values()) + len(accepted) <= FUZZ_CASES
        assert sum(refusals.values()) > FUZZ_CASES // 2, refusals
        log = stored(doc)
        assert [(r.seq, r.data) for r in log if r.seq > start] == sorted(accepted.items())
        assert all(r.sender == sender and r.client_id == client_id for r in log if r.seq > start)
        text, head = content.read_text(doc)
        assert head == start + len(accepted)
        assert content.hub().rebuild(doc.id, head).text() == text

        # The room still takes a genuine edit afterwards, where the editor made it.
        live_id, update = live_update(doc, gov, [(0, 0, "Still editable. ")])
        assert room.submit(sender, live_id, update).result(WAIT_S) == head + 1
        assert content.read_text(doc) == ("Still editable. " + text, head + 1)
        assert room.history().result(WAIT_S).attribution.text() == "Still editable. " + text


def test_update_under_another_persons_client_id_is_refused_saying_so_and_stores_nothing(
    app: Flask,
    as_person,  # type: ignore[no-untyped-def]
) -> None:
    gov_browser = as_person("gov@example.org")
    new_page(gov_browser, "plan", "Plan")
    form_save(gov_browser, "plan", PLAN, base_on_form(gov_browser, "plan"))
    with app.app_context():
        doc, gov, cso = document("plan"), person("gov@example.org"), person("cso@example.org")
        room = content.hub().room(doc.id)
        before = (content.read_text(doc), stored(doc))
        gov_id, forged = live_update(doc, gov, [(0, len(PLAN), "Nothing to publish.\n")])
        cso_sender = content.sender_for(cso, cso.organisation)
        cso_id = room.assign_client(cso.id).result(WAIT_S)
        for claimed in (gov_id, cso_id):  # whatever id the session claims, the bytes decide
            assert outcome(room.submit(cso_sender, claimed, forged)) == (
                None,
                (
                    ForeignClientId,
                    f"update writes under client id {gov_id}, which belongs to another session",
                ),
            )
        assert (content.read_text(doc), stored(doc)) == before


def test_oversized_update_is_refused_with_its_size_and_the_limit_and_stores_nothing(
    app: Flask,
    as_person,  # type: ignore[no-untyped-def]
) -> None:
    gov_browser = as_person("gov@example.org")
    new_page(gov_browser, "plan", "Plan")
    form_save(gov_browser, "plan", PLAN, base_on_form(gov_browser, "plan"))
    limit = app.config["MAX_UPDATE_BYTES"]
    with app.app_context():
        doc, gov = document("plan"), person("gov@example.org")
        before = (content.read_text(doc), stored(doc))
        client_id, big = live_update(doc, gov, [(len(PLAN), 0, "€" * (limit // 3 + 10))])
        assert len(big) > limit
        sender = content.sender_for(gov, gov.organisation)
        assert outcome(content.hub().room(doc.id).submit(sender, client_id, big)) == (
            None,
            (OversizedUpdate, f"update is {len(big):,} bytes; the limit is {limit:,} bytes"),
        )
        assert (content.read_text(doc), stored(doc)) == before
