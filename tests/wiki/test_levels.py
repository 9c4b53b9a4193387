"""Access levels apart from visibility: who may change a document, through every exit."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result
from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import (
    form_edit,
    ids,
    make_document,
    page,
    text_of,
    write,
)
from wiki.access.policy import Action, can, level
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.people.directory import find_person
from wiki.storage.models import Level

GOV, CSO, TREASURY = "gov@example.org", "cso@example.org", "treasury@example.org"
AsPerson = Callable[[str], Browser]
REVIEWER, WATCH = "reviewer@example.org", "watch@example.org"
TEXT = "# Plan\n\nThe department publishes every contract.\n"


def attempts(person: Browser, slug: str) -> dict[str, int]:
    """Every way to change a document without JavaScript; the status each answers."""
    return {
        "form edit": person.submit(
            f"/{slug}/edit", {"text": "# Overwritten\n", "base": 0}
        ).status_code,
        "restore": person.submit("/", {}, action=f"/{slug}/revisions/1/restore").status_code,
        "name a version": person.submit(
            "/", {"name": "Mine"}, action=f"/{slug}/revisions/1/name"
        ).status_code,
        "preview": person.submit("/", {"text": "x"}, action=f"/{slug}/preview").status_code,
    }


def levels(app: Flask, slug: str, *emails: str) -> dict[str, str | None]:
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        found = {email: level(find_person(email), doc) for email in emails}
        return {email: held.value if held else None for email, held in found.items()}


def test_members_view_and_comment_a_network_document_and_only_grants_edit(
    app: Flask, as_person: AsPerson
) -> None:
    make_document(app, "plan", "Cabinet Office", "network", grants=[("Treasury", None, "view")])
    write(app, "plan", GOV, TEXT)
    write(app, "plan", GOV, TEXT + "\nA second paragraph.\n")
    assert levels(app, "plan", GOV, CSO, TREASURY, REVIEWER) == {
        GOV: "edit",  # the owner organisation always edits
        CSO: "comment",  # a member who may see it
        TREASURY: "comment",  # a view grant never takes away what every member has
        REVIEWER: "comment",
    }
    before = text_of(app, "plan")
    for email in (CSO, TREASURY, REVIEWER):
        refused = attempts(as_person(email), "plan")
        assert refused == dict.fromkeys(refused, 403), email
        assert text_of(app, "plan") == before, email
    message = as_person(CSO).submit("/plan/edit", {"text": "x", "base": 0}).get_data(as_text=True)
    assert "You can view and comment on this document, but not edit it." in message
    assert "Ask Cabinet Office" in message
    # The edit page is the live view for them, and says what they may do.
    edit_page = page(as_person(CSO), "/plan/edit")
    assert 'data-can-edit="false"' in edit_page
    assert "Your access: can view and comment" in page(as_person(CSO), "/plan")
    assert "Your access: can edit" in page(as_person(GOV), "/plan")


def test_a_grant_of_edit_on_the_sharing_page_lets_them_edit_and_a_withdrawal_stops_them(
    app: Flask, as_person: AsPerson
) -> None:
    make_document(app, "plan", "Cabinet Office", "network")
    write(app, "plan", GOV, TEXT)
    gov, cso = as_person(GOV), as_person(CSO)
    charity = ids(app)["Open Data Charity"]
    sharing = "/plan/sharing"
    granted = gov.submit(
        sharing, {"grantee": f"org:{charity}", "access": "edit"}, action=f"{sharing}/grants"
    )
    assert granted.status_code == 302
    assert "Can edit" in page(gov, sharing)
    form_edit(cso, "plan", TEXT + "\nCivil society adds this.\n")
    assert text_of(app, "plan").endswith("Civil society adds this.\n")
    with app.app_context():
        doc = find_document("plan")
        assert doc is not None
        (share_id,) = [share.id for share in doc.shares]
    gov.submit(sharing, {}, action=f"{sharing}/grants/{share_id}/remove")
    assert attempts(cso, "plan")["form edit"] == 403


def test_every_member_may_edit_is_an_explicit_option_of_the_owner(
    app: Flask, as_person: AsPerson
) -> None:
    make_document(app, "plan", "Cabinet Office", "network")
    write(app, "plan", GOV, TEXT)
    gov = as_person(GOV)
    assert '<option selected value="comment">' in page(gov, "/plan/sharing")
    members = "/plan/sharing/members"
    # Only its managers may switch it: a member who may comment is told, not obeyed.
    assert as_person(CSO).submit("/plan", {"members": "edit"}, action=members).status_code == 404
    assert levels(app, "plan", CSO)[CSO] == "comment"
    assert gov.submit("/plan/sharing", {"members": "edit"}, action=members).status_code == 302
    assert levels(app, "plan", CSO, REVIEWER) == {CSO: "edit", REVIEWER: "comment"}
    form_edit(as_person(CSO), "plan", TEXT + "\nAnyone may add this.\n")
    bad = gov.submit("/plan/sharing", {"members": "everything"}, action=members)
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    assert gov.submit("/plan/sharing", {"members": "comment"}, action=members).status_code == 302
    assert levels(app, "plan", CSO)[CSO] == "comment"


def test_a_comment_grant_on_a_restricted_draft_shows_it_but_allows_no_change(
    app: Flask, as_person: AsPerson
) -> None:
    make_document(
        app,
        "draft",
        "Cabinet Office",
        "restricted",
        grants=[("Open Data Charity", None, "comment"), ("Treasury", None, "view")],
    )
    write(app, "draft", GOV, TEXT)
    with app.app_context():
        doc = find_document("draft")
        assert doc is not None
        cso, treasury, watch = (find_person(e) for e in (CSO, TREASURY, WATCH))
        assert can(cso, Action.COMMENT, doc) and not can(cso, Action.EDIT, doc)
        assert can(treasury, Action.VIEW, doc) and not can(treasury, Action.COMMENT, doc)
        assert level(watch, doc) is None
    assert attempts(as_person(CSO), "draft")["form edit"] == 403
    treasury_says = as_person(TREASURY).submit("/draft/edit", {"text": "x", "base": 0})
    assert "You can view this document, but not edit it." in treasury_says.get_data(as_text=True)
    # Someone who may not see it learns nothing: the answer of a missing document.
    assert attempts(as_person(WATCH), "draft") == attempts(as_person(WATCH), "no-such-draft")
    assert set(attempts(as_person(WATCH), "draft").values()) == {404}
    assert text_of(app, "draft") == TEXT


def test_a_public_document_is_read_only_to_visitors(app: Flask, as_person: AsPerson) -> None:
    make_document(app, "open-plan", "Cabinet Office", "public")
    write(app, "open-plan", GOV, TEXT)
    visitor = Browser(app.test_client())
    assert visitor.get("/open-plan").status_code == 200
    refused = visitor.submit("/login", {"text": "x", "base": 0}, action="/open-plan/edit")
    assert refused.status_code == 403
    assert "Sign in" in refused.get_data(as_text=True)
    assert text_of(app, "open-plan") == TEXT


def create_doc(app: Flask, slug: str, *shares: str) -> Result:
    """``flask create-doc`` of a restricted Cabinet Office page shared per ``shares``."""
    args = ["create-doc", slug, "--title", slug, "--kind", "page", "--org", "Cabinet Office"]
    args += ["--visibility", "restricted"]
    for share in shares:
        args += ["--share", share]
    return app.test_cli_runner().invoke(args=args, input="Text.\n")


def test_the_cli_shares_with_a_level(app: Flask) -> None:
    result = create_doc(app, "cli-plan", "Open Data Charity:comment", "Treasury:edit")
    assert result.exit_code == 0, result.output
    with app.app_context():
        doc = find_document("cli-plan")
        assert doc is not None
        assert {(s.organisation.name, s.level) for s in doc.shares if s.organisation} == {
            ("Open Data Charity", Level.COMMENT),
            ("Treasury", Level.EDIT),
        }
        db.session.rollback()
    bad = create_doc(app, "cli-other", "Treasury:own")
    assert bad.exit_code != 0
    assert "“Treasury:own” is not ORG_NAME:view, :comment or :edit" in bad.output
