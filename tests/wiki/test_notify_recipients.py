"""Who hears of a suggestion and of a share: everyone the policy lets edit, every new grant."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import ids, make_document, write
from tests.wiki.notify_helpers import comment
from wiki.extensions import db
from wiki.storage.models import NoticeKind, Notification

AsPerson = Callable[[str], Browser]
ADMIN, GOV, TREASURY, CSO, WATCH, REVIEWER, COORDINATOR = (
    f"{name}@example.org"
    for name in ("admin", "gov", "treasury", "cso", "watch", "reviewer", "coordinator")
)
TEXT = "# Budget\n\nPublish the spending data every month.\n"
SUGGESTION = {"quote": "every month", "kind": "suggestion", "replacement": "every week"}


def told(app: Flask, kind: NoticeKind) -> dict[int, int]:
    """Person id -> how many notices of ``kind`` they have."""
    with app.app_context():
        query = db.select(Notification.person_id).where(Notification.kind == kind)
        found: dict[int, int] = {}
        for person_id in db.session.scalars(query):
            found[person_id] = found.get(person_id, 0) + 1
        return found


def who(app: Flask, *emails: str) -> set[int]:
    known = ids(app)
    return {known[email] for email in emails}


def test_a_suggestion_reaches_people_granted_edit_but_not_those_granted_less(
    app: Flask, as_person: AsPerson
) -> None:
    grants = [
        (None, CSO, "edit"),  # one person of Open Data Charity
        ("Transparency Watch", None, "comment"),
        (None, REVIEWER, "edit"),  # a reviewer never edits, whatever the grant says
    ]
    make_document(app, "budget", "Cabinet Office", "restricted", grants=grants)
    write(app, "budget", GOV, TEXT)
    assert as_person(WATCH).submit("/budget/discussion/new", SUGGESTION).status_code == 302
    assert set(told(app, NoticeKind.SUGGESTION)) == who(app, GOV, CSO)


def test_a_suggestion_where_every_member_may_edit_reaches_the_members_who_may_edit(
    app: Flask, as_person: AsPerson
) -> None:
    make_document(app, "budget", "Cabinet Office", "network")
    write(app, "budget", GOV, TEXT)
    gov = as_person(GOV)
    members = gov.submit("/budget/sharing", {"members": "edit"}, action="/budget/sharing/members")
    assert members.status_code == 302
    assert as_person(CSO).submit("/budget/discussion/new", SUGGESTION).status_code == 302
    # Every member but the reviewer (who only comments) and Chidi, who suggested it.
    expected = who(app, ADMIN, GOV, TREASURY, WATCH, COORDINATOR)
    assert set(told(app, NoticeKind.SUGGESTION)) == expected


def test_a_suggestion_where_members_only_comment_stays_with_the_owner(
    app: Flask, as_person: AsPerson
) -> None:
    make_document(app, "budget", "Cabinet Office", "network")
    write(app, "budget", GOV, TEXT)
    comment(as_person(WATCH), "budget", "every month", "Why monthly?")
    assert as_person(CSO).submit("/budget/discussion/new", SUGGESTION).status_code == 302
    assert set(told(app, NoticeKind.SUGGESTION)) == who(app, GOV)


def test_shares_given_at_creation_on_the_command_line_notify_their_people(
    app: Flask, as_person: AsPerson
) -> None:
    runner = app.test_cli_runner()
    args = ["create-doc", "quiet", "--title", "Quiet draft", "--kind", "page"]
    args += ["--org", "Cabinet Office", "--visibility", "restricted"]
    args += ["--share", "Transparency Watch:comment", "--share", "Open Data Charity:view"]
    result = runner.invoke(args=args, input="# Quiet\n")
    assert result.exit_code == 0, result.output
    assert told(app, NoticeKind.SHARED) == dict.fromkeys(who(app, WATCH, REVIEWER, CSO), 1)
    inbox = as_person(CSO).get("/-/inbox").get_data(as_text=True)
    assert "“Quiet draft” was shared with you" in inbox
    # The organisations not granted hear nothing.
    assert "Quiet draft" not in as_person(TREASURY).get("/-/inbox").get_data(as_text=True)


def test_a_person_granted_at_creation_with_their_organisation_is_told_once(app: Flask) -> None:
    grants = [(None, CSO, "edit"), ("Open Data Charity", None, "view")]
    make_document(app, "budget", "Cabinet Office", "restricted", grants=grants)
    assert told(app, NoticeKind.SHARED) == {next(iter(who(app, CSO))): 1}
