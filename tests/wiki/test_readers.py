"""Reader processes render the history pages: fresh, under the same policy, and replaceable.

The app's reader processes are started as a server starts them (``start_readers``); each
is a real process built from the test app's settings, reading the test's database.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import CSO, GOV, make_document, write
from wiki.documents.content import hub
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.readers import EXTENSION_KEY, RENDERED_BY_HEADER, Readers, start_readers
from wiki.storage.models import AttributionCheckpoint, Revision

START_S = 60.0


@pytest.fixture
def readers(app: Flask) -> Iterator[Readers]:
    start_readers(app)
    started: Readers = app.extensions[EXTENSION_KEY]
    assert started.wait_ready(START_S), "the reader process did not start"
    yield started
    started.close()


def test_a_reader_renders_the_history_with_the_edit_acknowledged_just_before(
    app: Flask, readers: Readers, as_person: Callable[[str], Browser]
) -> None:
    make_document(app, "plan", "Cabinet Office", grants=[("Open Data Charity", None, "edit")])
    write(app, "plan", GOV, "The ministry will publish contracts.\n")
    gov = as_person(GOV)
    first = gov.get("/plan/attribution")
    assert first.headers.get(RENDERED_BY_HEADER) == "reader"
    assert "publish contracts" in first.get_data(as_text=True)

    # Written through the web process's room just now: the reader's next page has it.
    write(app, "plan", CSO, "The ministry will publish contracts every month.\n")
    page = gov.get("/plan/attribution")
    assert page.headers.get(RENDERED_BY_HEADER) == "reader"
    body = page.get_data(as_text=True)
    assert "every month" in body
    assert "Open Data Charity" in body
    history = gov.get("/plan/history")
    assert history.headers.get(RENDERED_BY_HEADER) == "reader"
    assert history.status_code == 200


def test_revisions_a_dead_process_never_stored_are_stored_by_the_web_process_for_the_readers(
    app: Flask, readers: Readers, as_person: Callable[[str], Browser]
) -> None:
    make_document(app, "plan", "Cabinet Office", grants=[("Open Data Charity", None, "edit")])
    write(app, "plan", GOV, "The ministry will publish contracts.\n")
    write(app, "plan", CSO, "The ministry will publish contracts every month.\n")
    with app.app_context():
        # As if the process whose room took the edits died before it stored their history.
        hub().close()
        doc = find_document("plan")
        assert doc is not None
        doc_id = doc.id
        for model in (Revision, AttributionCheckpoint):
            db.session.execute(delete(model).where(model.document_id == doc_id))
        db.session.commit()

    gov = as_person(GOV)
    page = gov.get("/plan/attribution")
    assert page.headers.get(RENDERED_BY_HEADER) is None  # the reader found nothing stored
    assert "Open Data Charity" in page.get_data(as_text=True)
    with app.app_context():
        stored = select(func.count()).select_from(Revision).where(Revision.document_id == doc_id)
        assert db.session.scalar(stored) == 2

    again = gov.get("/plan/attribution")
    assert again.headers.get(RENDERED_BY_HEADER) == "reader"
    assert "Open Data Charity" in again.get_data(as_text=True)


def test_a_reader_answers_404_to_whom_the_policy_does_not_show_the_document(
    app: Flask, readers: Readers, as_person: Callable[[str], Browser]
) -> None:
    make_document(app, "private-plan", "Cabinet Office", visibility="private")
    write(app, "private-plan", GOV, "Only the Cabinet Office sees this.\n")
    answer = as_person(CSO).get("/private-plan/attribution")
    assert answer.status_code == 404
    assert answer.headers.get(RENDERED_BY_HEADER) == "reader"
    assert "Cabinet Office sees" not in answer.get_data(as_text=True)


def test_a_failed_reader_is_replaced_and_meanwhile_the_web_process_renders(
    app: Flask, readers: Readers, as_person: Callable[[str], Browser]
) -> None:
    make_document(app, "plan", "Cabinet Office")
    write(app, "plan", GOV, "The ministry will publish contracts.\n")
    gov = as_person(GOV)
    assert gov.get("/plan/history").headers.get(RENDERED_BY_HEADER) == "reader"
    (pid,) = readers.pids()
    os.kill(pid, signal.SIGKILL)

    meanwhile = gov.get("/plan/history")
    assert meanwhile.status_code == 200
    assert meanwhile.headers.get(RENDERED_BY_HEADER) is None
    assert "publish contracts" in gov.get("/plan").get_data(as_text=True)

    assert readers.wait_ready(START_S), "no reader took the failed one's place"
    (replacement,) = readers.pids()
    assert replacement != pid
    again = gov.get("/plan/history")
    assert again.headers.get(RENDERED_BY_HEADER) == "reader"


def test_a_page_from_a_reader_carries_the_policy_of_its_nonces_and_one_session_cookie(
    app: Flask, readers: Readers, as_person: Callable[[str], Browser]
) -> None:
    make_document(app, "plan", "Cabinet Office")
    write(app, "plan", GOV, "The ministry will publish contracts.\n")
    page = as_person(GOV).get("/plan/history/timeslider?revision=1")
    assert page.headers.get(RENDERED_BY_HEADER) == "reader"
    nonces = set(re.findall(r'nonce="([^"]+)"', page.get_data(as_text=True)))
    assert len(nonces) == 1, nonces  # the slider's script
    assert f"'nonce-{nonces.pop()}'" in page.headers["Content-Security-Policy"]
    assert len(page.headers.getlist("Set-Cookie")) <= 1
