"""The audit log: who read a restricted or private draft, kept in a chain that shows tampering."""

from __future__ import annotations

import re
import threading
import time

from click.testing import Result
from flask import Flask
from sqlalchemy import text

from tests.wiki.audit_helpers import (
    ADMIN,
    COORDINATOR,
    CSO,
    GOV,
    REVIEWER,
    SLUG,
    TREASURY,
    SignIn,
    audit_ids,
    audit_rows,
    download,
    restricted_draft,
)
from tests.wiki.history_helpers import ids, make_document, page, person, text_only, write
from tests.wiki.test_policy import without_token
from wiki.access import audit
from wiki.documents.service import Grant, add_grant, find_document
from wiki.extensions import db
from wiki.people.directory import find_organisation
from wiki.storage.models import Level, Visibility


def cli(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def tamper(app: Flask, sql: str, **params: object) -> None:
    """Change the audit table behind the application's back, as someone with the database would."""
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


def verified(app: Flask) -> tuple[int, audit.Break | None]:
    with app.app_context():
        return audit.verify()


def table_rows(html: str) -> list[list[str]]:
    """The cells of each body row of the audit table, as read out."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.DOTALL)
    assert body, "no audit table"
    return [
        [
            " ".join(text_only(cell).split())
            for cell in re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL)
    ]


def test_reading_a_restricted_draft_records_who_read_which_revision(
    app: Flask, as_person: SignIn
) -> None:
    restricted_draft(app)
    cso = as_person(CSO)
    for url in (f"/{SLUG}", f"/{SLUG}/raw", f"/{SLUG}/history", f"/{SLUG}/revisions/1"):
        assert cso.get(url).status_code == 200, url
    who = ids(app)
    chidi, charity = who[CSO], who["Open Data Charity"]
    assert audit_rows(app) == [
        ("view", chidi, charity, 2, f"/{SLUG}"),
        ("view", chidi, charity, 2, f"/{SLUG}/raw"),
        ("view", chidi, charity, 2, f"/{SLUG}/history"),
        ("view", chidi, charity, 1, f"/{SLUG}/revisions/1"),
    ]


def test_a_page_fetched_for_an_image_records_no_reading_and_shows_nothing(
    app: Flask, as_person: SignIn
) -> None:
    # ![chart](/budget-draft/raw) would make every reader's browser fetch the draft, and the
    # audit log would say they read it. The renderer shows no such image; this is the backstop.
    restricted_draft(app)
    cso = as_person(CSO)
    urls = [
        f"/{SLUG}",
        f"/{SLUG}/raw",
        f"/{SLUG}/history",
        f"/{SLUG}/revisions/1",
        f"/{SLUG}/attribution",
        f"/api/docs/{SLUG}",
    ]
    for dest in ("image", "iframe", "script", "style", "empty"):
        for url in urls:
            response = cso.get(url, headers={"Sec-Fetch-Dest": dest})
            assert response.status_code == 404, (dest, url)
            assert "thirty days" not in response.get_data(as_text=True), (dest, url)
    assert audit_rows(app) == []
    # A page the person opens (or a tool's request, which names no destination) is recorded.
    for headers in ({"Sec-Fetch-Dest": "document"}, {}):
        for url in urls:
            assert cso.get(url, headers=headers).status_code == 200, (headers, url)
    assert [row[4] for row in audit_rows(app)] == urls + urls
    # A script of the site itself (the live editor loading comments) reads as the person.
    own = {"Sec-Fetch-Dest": "empty", "Sec-Fetch-Site": "same-origin"}
    assert cso.get(f"/api/docs/{SLUG}/comments", headers=own).status_code == 200
    other = {"Sec-Fetch-Dest": "empty", "Sec-Fetch-Site": "cross-site"}
    assert cso.get(f"/api/docs/{SLUG}/comments", headers=other).status_code == 404
    assert audit_rows(app)[-1][4] == f"/api/docs/{SLUG}/comments"


def test_reading_a_private_draft_is_recorded_and_refusals_are_not(
    app: Flask, as_person: SignIn
) -> None:
    restricted_draft(app, visibility="private")
    assert as_person(CSO).get(f"/{SLUG}").status_code == 404
    assert as_person(GOV).get(f"/{SLUG}/raw").status_code == 200
    who = ids(app)
    assert audit_rows(app) == [("view", who[GOV], who["Cabinet Office"], 2, f"/{SLUG}/raw")]


def test_reading_public_and_network_documents_records_nothing(
    app: Flask, as_person: SignIn
) -> None:
    for slug, visibility in (("open-plan", "public"), ("network-plan", "network")):
        make_document(app, slug, "Cabinet Office", visibility)
        write(app, slug, GOV, "Plain text.\n")
        cso = as_person(CSO)
        for suffix in ("", "/raw", "/history"):
            assert cso.get(f"/{slug}{suffix}").status_code == 200, (slug, suffix)
        assert download(cso, f"/{slug}/export.md").status_code == 200
        assert audit_rows(app, slug) == []
    assert audit_ids(app) == []


def test_verify_passes_on_a_fresh_chain(app: Flask, as_person: SignIn) -> None:
    restricted_draft(app)
    cso = as_person(CSO)
    for url in (f"/{SLUG}", f"/{SLUG}/raw"):
        cso.get(url)
    download(cso, f"/{SLUG}/export.md")
    assert verified(app) == (3, None)  # two views and an export (no view row besides it)
    with app.app_context():
        assert audit.summary(*audit.verify()) == "Audit log verified: 3 rows."


def test_verify_names_the_row_whose_detail_was_edited(app: Flask, as_person: SignIn) -> None:
    restricted_draft(app)
    cso = as_person(CSO)
    for url in (f"/{SLUG}", f"/{SLUG}/raw", f"/{SLUG}/history"):
        cso.get(url)
    _first, second, _third = audit_ids(app)
    tamper(app, "UPDATE audit_events SET detail = :detail WHERE id = :id", detail="/", id=second)
    assert verified(app) == (2, audit.Break(second, "its contents do not match its hash"))


def test_verify_names_the_row_after_a_deleted_one(app: Flask, as_person: SignIn) -> None:
    restricted_draft(app)
    cso = as_person(CSO)
    for url in (f"/{SLUG}", f"/{SLUG}/raw", f"/{SLUG}/history"):
        cso.get(url)
    _first, second, third = audit_ids(app)
    tamper(app, "DELETE FROM audit_events WHERE id = :id", id=second)
    assert verified(app) == (2, audit.Break(third, "it does not follow the row before it"))


def test_verify_names_the_second_row_when_the_first_is_deleted(
    app: Flask, as_person: SignIn
) -> None:
    restricted_draft(app)
    cso = as_person(CSO)
    for url in (f"/{SLUG}", f"/{SLUG}/raw"):
        cso.get(url)
    first, second = audit_ids(app)
    tamper(app, "DELETE FROM audit_events WHERE id = :id", id=first)
    assert verified(app) == (1, audit.Break(second, "it does not follow the row before it"))


def test_flask_audit_verify_exits_0_on_a_sound_chain_and_1_on_a_broken_one(
    app: Flask, as_person: SignIn
) -> None:
    empty = cli(app, "audit", "verify")
    assert (empty.exit_code, empty.stdout) == (0, "Audit log verified: 0 rows.\n")
    restricted_draft(app)
    cso = as_person(CSO)
    for url in (f"/{SLUG}", f"/{SLUG}/raw", f"/{SLUG}/history"):
        cso.get(url)
    sound = cli(app, "audit", "verify")
    assert (sound.exit_code, sound.stdout, sound.stderr) == (0, "Audit log verified: 3 rows.\n", "")
    _first, second, _third = audit_ids(app)
    tamper(app, "UPDATE audit_events SET revision = 1 WHERE id = :id", id=second)
    broken = cli(app, "audit", "verify")
    assert (broken.exit_code, broken.stdout) == (1, "")
    assert (
        broken.stderr == f"Audit log broken at row {second}: its contents do not match its hash.\n"
    )


def test_two_writers_at_once_still_make_one_chain(app: Flask) -> None:
    """The second writer must read the tail only after the first has committed its row."""
    restricted_draft(app)
    first_flushed = threading.Event()
    failures: list[BaseException] = []

    def write_row(detail: str, hold_s: float) -> None:
        try:
            with app.app_context():
                doc = find_document(SLUG)
                assert doc is not None
                audit.record(doc, person(CSO), "view", revision=2, detail=detail)
                first_flushed.set()
                time.sleep(hold_s)  # meanwhile the other writer reads the tail
                db.session.commit()
        except BaseException as error:  # reported by the test below
            failures.append(error)

    first = threading.Thread(target=write_row, args=("first", 0.5))
    first.start()
    assert first_flushed.wait(10)
    second = threading.Thread(target=write_row, args=("second", 0))
    second.start()
    first.join(30)
    second.join(30)
    assert failures == []
    assert [row[4] for row in audit_rows(app)] == ["first", "second"]
    assert verified(app) == (2, None)


def test_audit_page_is_for_the_owner_and_everyone_granted_only(
    app: Flask, as_person: SignIn
) -> None:
    restricted_draft(app)
    as_person(CSO).get(f"/{SLUG}/raw")
    gov = as_person(GOV)
    html = page(gov, f"/{SLUG}/audit")
    rows = table_rows(html)
    first_id, second_id = audit_ids(app)
    assert [row[:1] + row[2:] for row in rows] == [
        [
            str(second_id),
            "Gita Gov <gov@example.org>",
            "Cabinet Office",
            "View",
            "2",
            f"/{SLUG}/audit",
        ],
        [
            str(first_id),
            "Chidi Cso <cso@example.org>",
            "Open Data Charity",
            "View",
            "2",
            f"/{SLUG}/raw",
        ],
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row[1]) for row in rows), rows
    assert "Audit log verified: 2 rows." in html
    # Both CSOs were granted a view: their people see who read it, reviewers included.
    assert "Audit log verified: 3 rows." in page(as_person(CSO), f"/{SLUG}/audit")
    assert "Chidi Cso" in page(as_person(REVIEWER), f"/{SLUG}/audit")
    for email in (TREASURY, ADMIN, COORDINATOR):  # not granted: it does not exist for them
        client = as_person(email)
        refused = client.get(f"/{SLUG}/audit")
        missing = client.get("/no-such-doc/audit")
        assert refused.status_code == missing.status_code == 404, email
        assert without_token(refused.get_data(as_text=True)) == without_token(
            missing.get_data(as_text=True)
        ), email
    assert app.test_client().get(f"/{SLUG}/audit").status_code == 404


def test_audit_page_says_when_the_chain_is_broken(app: Flask, as_person: SignIn) -> None:
    restricted_draft(app)
    as_person(CSO).get(f"/{SLUG}/raw")
    [row_id] = audit_ids(app)
    tamper(app, "UPDATE audit_events SET person_id = NULL WHERE id = :id", id=row_id)
    html = page(as_person(ADMIN), "/-/admin/audit")
    assert f"Audit log broken at row {row_id}: its contents do not match its hash." in html
    assert "Chain broken." in html and "Chain intact." not in html


def test_admin_audit_page_lists_only_documents_the_admin_may_audit(
    app: Flask, as_person: SignIn
) -> None:
    restricted_draft(app)
    restricted_draft(app, "second-draft", visibility="private")
    cso = as_person(CSO)
    cso.get(f"/{SLUG}")
    as_person(GOV).get("/second-draft/raw")
    for email in (ADMIN, COORDINATOR):  # neither is granted: the log names neither draft
        html = page(as_person(email), "/-/admin/audit")
        assert "Budget transparency draft" not in html and "second-draft" not in html, email
        assert "Audit log verified: 2 rows." in html
    with app.app_context():
        doc = find_document(SLUG)
        assert doc is not None
        add_grant(doc, Grant(find_organisation("Forum Secretariat"), None, Level.VIEW))
        doc = find_document("second-draft")
        assert doc is not None
        doc.visibility = Visibility.RESTRICTED
        add_grant(doc, Grant(find_organisation("Forum Secretariat"), None, Level.VIEW))
        db.session.commit()
    html = page(as_person(ADMIN), "/-/admin/audit")
    rows = table_rows(html)
    assert [row[2:] for row in rows] == [
        [
            "Budget transparency draft",
            "Gita Gov <gov@example.org>",
            "Cabinet Office",
            "View",
            "2",
            "/second-draft/raw",
        ],
        [
            "Budget transparency draft",
            "Chidi Cso <cso@example.org>",
            "Open Data Charity",
            "View",
            "2",
            f"/{SLUG}",
        ],
    ]
    assert 'href="/second-draft/audit"' in html and f'href="/{SLUG}/audit"' in html
    assert "Audit log verified: 2 rows." in html
    for email in (GOV, CSO, REVIEWER):
        client = as_person(email)
        refused = client.get("/-/admin/audit")
        missing = client.get("/-/admin/no-such-page")
        assert refused.status_code == missing.status_code == 404, email
        assert without_token(refused.get_data(as_text=True)) == without_token(
            missing.get_data(as_text=True)
        ), email
    assert app.test_client().get("/-/admin/audit").status_code == 404
    assert len(audit_ids(app)) == 2  # refusals and the admin overview add no rows


def test_audit_log_tab_shows_for_managers_of_audited_documents(
    app: Flask, as_person: SignIn
) -> None:
    restricted_draft(app)
    make_document(app, "network-plan", "Cabinet Office", "network")
    tab = f'<a href="/{SLUG}/audit">Audit log</a>'
    assert tab in page(as_person(GOV), f"/{SLUG}")
    assert tab in page(as_person(CSO), f"/{SLUG}")  # granted: it concerns them
    assert "Audit log" not in page(as_person(GOV), "/network-plan")
