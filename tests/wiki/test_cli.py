"""The ``flask --app wiki`` commands administrators script against."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.wiki.conftest import FAST_HASHING
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.people.directory import find_organisation, find_person


def run(app: Flask, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_org_user_and_doc_from_the_command_line(app: Flask) -> None:
    assert run(app, "create-org", "Home Office", "--kind", "government").exit_code == 0
    result = run(
        app,
        "create-user",
        "hana@home.example.gov",
        "--name",
        "Hana Home",
        "--org",
        "Home Office",
        "--role",
        "editor",
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    result = run(
        app,
        "create-doc",
        "home-plan",
        "--title",
        "Home plan",
        "--kind",
        "narrative",
        "--org",
        "Home Office",
        "--visibility",
        "restricted",
        "--share",
        "Open Data Charity:edit",
        "--share",
        "Treasury:view",
        input="# Home plan\n\nFirst paragraph.\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        org = find_organisation("Home Office")
        assert org is not None and org.kind.value == "government"
        person = find_person("hana@home.example.gov")
        assert person is not None and person.role.value == "editor"
        doc = find_document("home-plan")
        assert doc is not None and doc.visibility.value == "restricted"
        grants = {(s.organisation.name, s.level.value) for s in doc.shares if s.organisation}
        assert grants == {("Open Data Charity", "edit"), ("Treasury", "view")}
    client = app.test_client()
    client.post("/login")  # no session: the document stays hidden from anonymous people
    assert client.get("/home-plan").status_code == 404


def test_created_user_can_sign_in_with_the_password_from_stdin(app: Flask) -> None:
    run(
        app,
        "create-user",
        "new@example.org",
        "--name",
        "New Person",
        "--org",
        "Treasury",
        "--role",
        "reviewer",
        input="another long password\n",
    )
    from tests.wiki.conftest import Browser

    browser = Browser(app.test_client())
    assert browser.login("new@example.org", "another long password").status_code == 302


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("create-org", "Cabinet Office", "--kind", "government"), None, "already exists"),
        (("create-org", "X", "--kind", "charity"), None, "Choose government, civil society"),
        (("create-org", "X"), None, "Missing option '--kind'"),
        (
            ("create-user", "bad-email", "--name", "N", "--org", "Treasury", "--role", "editor"),
            "long enough password\n",
            "Enter an email address",
        ),
        (
            ("create-user", "a@b.org", "--name", "N", "--org", "Nowhere", "--role", "editor"),
            "long enough password\n",
            "no organisation called",
        ),
        (
            ("create-user", "a@b.org", "--name", "N", "--org", "Treasury", "--role", "boss"),
            "long enough password\n",
            "Choose admin, coordinator, editor, reviewer",
        ),
        (
            ("create-user", "a@b.org", "--name", "N", "--org", "Treasury", "--role", "editor"),
            "short\n",
            "at least 10 characters",
        ),
        (
            (
                "create-doc",
                "Bad Slug",
                "--title",
                "T",
                "--kind",
                "page",
                "--org",
                "Treasury",
                "--visibility",
                "public",
            ),
            "",
            "lower-case letters",
        ),
        (
            (
                "create-doc",
                "ok-slug",
                "--title",
                "T",
                "--kind",
                "page",
                "--org",
                "Treasury",
                "--visibility",
                "public",
                "--share",
                "Treasury",
            ),
            "",
            "is not ORG_NAME:view",
        ),
        (
            (
                "create-doc",
                "ok-slug",
                "--title",
                "T",
                "--kind",
                "page",
                "--org",
                "Nowhere",
                "--visibility",
                "public",
            ),
            "",
            "no organisation called",
        ),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_error(
    app: Flask, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    result = run(app, *args, input=stdin)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert message in lines[0]
    with app.app_context():
        assert find_document("ok-slug") is None
        assert find_person("a@b.org") is None


def test_seed_demo_prints_accounts_and_is_idempotent_with_if_empty(tmp_path, database_url) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    from wiki import create_app
    from wiki.documents.content import hub

    app = create_app(
        {
            "TESTING": True,
            **FAST_HASHING,
            "INSTANCE_PATH": str(tmp_path / "demo"),
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    with app.app_context():
        upgrade()
    first = run(app, "seed-demo", "--if-empty")
    assert first.exit_code == 0, first.output
    assert "coordinator@jointly.example" in first.output
    again = run(app, "seed-demo", "--if-empty")
    assert again.output == first.output
    with app.app_context():
        final = find_document("final-draft")
        assert final is not None and final.visibility.value == "restricted"
    with app.app_context():  # a context whose session holds no connection, so all close
        hub().close()
        db.engine.dispose()


def test_create_doc_names_a_taken_address_whatever_its_visibility(app: Flask) -> None:
    # The operator may know every document: the command line says the address is taken.
    args = ("--title", "T", "--kind", "page", "--org", "Treasury", "--visibility")
    assert run(app, "create-doc", "home-plan", *args, "private", input="").exit_code == 0
    result = run(app, "create-doc", "home-plan", *args, "public", input="")
    assert result.exit_code != 0
    assert result.output.strip().endswith("A document with the address “home-plan” already exists.")
    with app.app_context():
        doc = find_document("home-plan")
        assert doc is not None and doc.visibility.value == "private"
