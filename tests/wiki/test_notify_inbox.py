"""The inbox without JavaScript, its count, what is recorded for whom, and the live count."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.wiki.history_helpers import form_edit, new_document
from tests.wiki.notify_helpers import comment, last_comment_id
from wiki.extensions import db, socketio
from wiki.live import EVENT_INBOX, NAMESPACE
from wiki.storage.models import NoticeKind, Notification

TEXT = "# Budget\n\nPublish the spending data every month.\n"
COUNT = re.compile(r'<span id="inbox-count">\((\d+) unread\)</span>')


def unread(person: Any) -> int:
    match = COUNT.search(person.get("/").get_data(as_text=True))
    assert match, "no inbox count in the header"
    return int(match.group(1))


def kinds_for(app: Flask, person_id: int) -> list[NoticeKind]:
    with app.app_context():
        query = db.select(Notification.kind).where(Notification.person_id == person_id)
        return list(db.session.scalars(query.order_by(Notification.id)))


def test_a_mention_shows_in_the_header_count_and_the_inbox_until_marked_read(
    app: Flask, as_person: Any
) -> None:
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_document(gov, "budget", "Budget plan")
    form_edit(gov, "budget", TEXT)
    assert unread(gov) == 0
    comment(cso, "budget", "every month", "@[Gita Gov] weekly, please.")
    assert unread(gov) == 1
    page = gov.get("/-/inbox").get_data(as_text=True)
    assert "Chidi Cso mentioned you or your organisation on “Budget plan”" in page
    assert "weekly, please." in page and f"#c{last_comment_id(app)}" in page
    notice = re.search(r'name="id" value="(\d+)"', page)
    assert notice
    done = gov.submit("/-/inbox", {"id": notice.group(1)}, action="/-/inbox/read")
    assert done.status_code == 302 and unread(gov) == 0
    assert "Nothing unread." in gov.get("/-/inbox").get_data(as_text=True)
    assert "weekly, please." in gov.get("/-/inbox?show=all").get_data(as_text=True)
    assert app.test_client().get("/-/inbox").status_code == 302  # sign in first


def test_a_reply_reaches_those_in_the_thread_and_a_suggestion_those_who_edit(
    app: Flask, as_person: Any
) -> None:
    gov, cso, watch = (as_person(f"{name}@example.org") for name in ("gov", "cso", "watch"))
    new_document(gov, "budget", "Budget plan")
    form_edit(gov, "budget", TEXT)
    comment(cso, "budget", "every month", "Why monthly?")
    thread = f"/budget/discussion/{last_comment_id(app)}/reply"
    watch.submit("/budget/discussion", {"body": "Agreed."}, action=thread)
    suggested = {"quote": "every month", "kind": "suggestion", "replacement": "every week"}
    watch.submit("/budget/discussion/new", suggested)
    assert kinds_for(app, 4) == [NoticeKind.REPLY]  # Chidi took part in the thread
    assert kinds_for(app, 2) == [NoticeKind.SUGGESTION]  # Gita edits it; Chidi may not
    assert kinds_for(app, 5) == []  # Wen wrote them


def test_the_inbox_forgets_a_document_whose_share_was_withdrawn(app: Flask, as_person: Any) -> None:
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_document(gov, "draft", "Quiet draft", visibility="restricted")
    sharing = "/draft/sharing"
    gov.submit(sharing, {"grantee": "org:3", "access": "view"}, action=f"{sharing}/grants")
    assert "“Quiet draft” was shared with you" in cso.get("/-/inbox").get_data(as_text=True)
    assert unread(cso) == 1
    page = gov.get(sharing).get_data(as_text=True)
    share = re.search(r"/draft/sharing/grants/(\d+)/remove", page)
    assert share
    gov.submit(sharing, {}, action=share.group(0))
    assert "Quiet draft" not in cso.get("/-/inbox?show=all").get_data(as_text=True)
    assert unread(cso) == 0


def test_watching_is_a_button_on_the_document_and_edits_group_per_document(
    app: Flask, as_person: Any
) -> None:
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_document(gov, "budget", "Budget plan")
    assert "Watch this document" in cso.get("/budget").get_data(as_text=True)
    assert cso.submit("/budget", {}, action="/budget/watch").status_code == 302
    assert "Stop watching" in cso.get("/budget").get_data(as_text=True)
    for step in range(4):
        form_edit(gov, "budget", f"{TEXT}\nStep {step}.\n")
    page = cso.get("/-/inbox").get_data(as_text=True)
    assert page.count("“Budget plan” was edited") == 1
    assert "“Budget plan” was edited (4 changes): Gita Gov" in page
    form_edit(gov, "budget", TEXT)
    assert "(5 changes)" in cso.get("/-/inbox").get_data(as_text=True)  # the same line grows
    cso.submit("/budget", {}, action="/budget/unwatch")
    form_edit(gov, "budget", TEXT + "\nAgain.\n")
    assert "(5 changes)" in cso.get("/-/inbox").get_data(as_text=True)
    assert anonymous_watch(app) == 404  # a visitor may not know a network document


def anonymous_watch(app: Flask) -> int:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client().post("/budget/watch").status_code


def test_plans_tell_their_members_of_phases_sign_offs_and_consents(
    app: Flask, as_person: Any
) -> None:
    runner = app.test_cli_runner()
    leads = ("--government-lead", "Cabinet Office", "--civil-society-lead", "Open Data Charity")
    assert runner.invoke(args=["create-plan", "nap", "--title", "Plan", *leads]).exit_code == 0
    made = runner.invoke(
        args=["create-doc", "c1", "--kind", "commitment", "--org", "Treasury", "--plan", "nap"],
        input="# Commitment\n",
    )
    assert made.exit_code == 0, made.output
    for phase in ("cut-off", "sign-off"):
        assert runner.invoke(args=["plan-phase", "nap", phase]).exit_code == 0
    assert kinds_for(app, 3) == [NoticeKind.PHASE, NoticeKind.PHASE, NoticeKind.SIGN_OFF]
    assert NoticeKind.SIGN_OFF not in kinds_for(app, 6)  # a reviewer never signs
    late = runner.invoke(
        args=["create-doc", "c2", "--kind", "commitment", "--org", "Treasury", "--plan", "nap"],
        input="# Late\n",
    )
    assert late.exit_code == 0, late.output
    assert kinds_for(app, 2)[-1] is NoticeKind.CONSENT  # the government lead's Gita
    page = as_person("gov@example.org").get("/-/inbox").get_data(as_text=True)
    assert "consent is asked for the late commitment" in page


def test_settings_are_saved_per_person(app: Flask, as_person: Any) -> None:
    cso = as_person("cso@example.org")
    chosen = {"immediate": "y", "digest_hour": "17", "kinds": ["mention", "edited"]}
    assert cso.submit("/-/notifications", chosen).status_code == 302
    page = cso.get("/-/notifications").get_data(as_text=True)
    assert '<option selected value="17">' in page
    assert 'value="edited" id="kind-edited" checked' in page
    assert 'value="reply" id="kind-reply" checked' not in page
    other = as_person("gov@example.org").get("/-/notifications").get_data(as_text=True)
    assert '<option selected value="8">' in other and 'id="kind-reply" checked' in other


def test_the_mention_names_are_those_who_may_read_the_document(app: Flask, as_person: Any) -> None:
    gov = as_person("gov@example.org")
    new_document(gov, "draft", "Quiet draft", visibility="restricted")
    sharing = "/draft/sharing"
    gov.submit(sharing, {"grantee": "org:3", "access": "comment"}, action=f"{sharing}/grants")
    names = gov.get("/api/docs/draft/mentionable?q=c").get_json()["names"]
    found = {entry["name"] for entry in names}
    assert {"Chidi Cso", "Cabinet Office", "Open Data Charity"} <= found
    assert "Cora Coordinator" not in found and "Transparency Watch" not in found
    assert as_person("treasury@example.org").get("/api/docs/draft/mentionable").status_code == 404


def test_the_inbox_count_is_announced_live_to_the_persons_sockets(
    app: Flask, as_person: Any
) -> None:
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_document(gov, "budget", "Budget plan")
    form_edit(gov, "budget", TEXT)
    listening = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=gov.client)
    bystander = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=cso.client)
    try:
        comment(cso, "budget", "every month", "@[Gita Gov] have a look")
        heard = [e for e in listening.get_received(NAMESPACE) if e["name"] == EVENT_INBOX]
        assert heard == [{"name": EVENT_INBOX, "args": [{}], "namespace": NAMESPACE}]
        assert [e for e in bystander.get_received(NAMESPACE) if e["name"] == EVENT_INBOX] == []
    finally:
        listening.disconnect(namespace=NAMESPACE)
        bystander.disconnect(namespace=NAMESPACE)
    assert gov.get("/-/inbox/count").get_json() == {"unread": 1}
    assert app.test_client().get("/-/inbox/count").get_json() == {"unread": 0}
