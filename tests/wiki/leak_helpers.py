"""The restricted draft the leak tests plant, and the outsiders it is not shared with."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import form_edit
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.storage.models import Comment

MARKER = "Zq7Marker"
SECRET = "final-secret"
PLAN = "nap"
FORMER = "first-secret"  # the draft's address before it was renamed
GONE = "gone-secret"  # a restricted draft its owner deleted
GONE_MARKER = "Wv5Gone"  # in its title and text, besides MARKER
OUTSIDERS = {
    "anonymous": None,
    "member of an organisation not shared with": "treasury@example.org",
    "reviewer not shared with": "reviewer@example.org",
    "person whose share was withdrawn": "watch@example.org",
    "coordinator not shared with": "coordinator@example.org",
    "admin not shared with": "admin@example.org",
}


def plant_secret(app: Flask, as_person: Any) -> None:
    """The restricted draft: marked title, text, old revision and deleted passage."""
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    leads = ("--government-lead", "Cabinet Office", "--civil-society-lead", "Open Data Charity")
    made = app.test_cli_runner().invoke(args=["create-plan", PLAN, "--title", "Plan", *leads])
    assert made.exit_code == 0, made.output
    response = gov.submit(
        "/-/new",
        {
            "title": f"Plan {MARKER}",
            "slug": FORMER,
            "kind": "commitment",
            "visibility": "restricted",
            "plan": PLAN,
        },
    )
    assert response.status_code == 302
    renamed = {"title": f"Plan {MARKER}", "slug": SECRET}
    assert gov.submit(f"/{FORMER}/rename", renamed).status_code == 302
    plant_deleted(gov)
    sharing = f"/{SECRET}/sharing"
    for grantee in ("org:3", "person:5"):  # Open Data Charity; Wen Watch
        gov.submit(sharing, {"grantee": grantee, "access": "edit"}, action=f"{sharing}/grants")
    # Wen watches it while shared: the notices she had must go with her share.
    assert (
        as_person("watch@example.org").submit("/", {}, action=f"/{SECRET}/watch").status_code == 302
    )
    form_edit(gov, SECRET, f"# Draft\n\nThe old {MARKER} wording.\n\nKept text.\n")
    form_edit(cso, SECRET, "# Draft\n\nKept text.\n")  # revision 2 deletes the passage
    with app.app_context():
        doc = find_document(SECRET)
        assert doc is not None
        (watch_share,) = [share.id for share in doc.shares if share.person_id == 5]
    discussion = f"/{SECRET}/discussion"
    mentions = "@[Wen Watch] @[Gita Gov] @[Treasury]"  # notices, in inboxes and mails
    said = {"quote": "Kept text.", "kind": "comment", "body": f"A {MARKER} comment. {mentions}"}
    assert cso.submit(f"{discussion}/new", said).status_code == 302
    with app.app_context():
        comment_id = db.session.scalar(select(func.max(Comment.id)))
    reply = {"body": f"A {MARKER} reply."}
    assert (
        cso.submit(discussion, reply, action=f"{discussion}/{comment_id}/reply").status_code == 302
    )
    gov.submit(sharing, {}, action=f"{sharing}/grants/{watch_share}/remove")
    assert MARKER in gov.get(f"/{SECRET}/revisions/1").get_data(as_text=True)
    assert MARKER not in gov.get(f"/{SECRET}/raw").get_data(as_text=True)


def plant_deleted(gov: Browser) -> None:
    """A restricted draft with the marker, deleted by its owner: now missing to everyone."""
    title = f"Gone {MARKER} {GONE_MARKER}"
    made = {"title": title, "slug": GONE, "kind": "page", "visibility": "restricted"}
    assert gov.submit("/-/new", made).status_code == 302
    form_edit(gov, GONE, f"The {MARKER} {GONE_MARKER} text of a deleted draft.\n")
    assert gov.submit(f"/{GONE}/delete", {}).status_code == 302


def signed_in_outsiders(app: Flask, as_person: Any) -> dict[str, FlaskClient]:
    """Plant the restricted draft; a client for each outsider, CSRF checks off."""
    plant_secret(app, as_person)
    clients = {
        who: (as_person(email).client if email else app.test_client())
        for who, email in OUTSIDERS.items()
    }
    app.config["WTF_CSRF_ENABLED"] = False  # so every POST reaches its handler
    return clients
