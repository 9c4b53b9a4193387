"""Signing in and out, sessions that really end, CSRF and redirects."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from tests.wiki.conftest import FAST_HASHING, PASSWORD, Browser
from wiki.extensions import db
from wiki.people.directory import HASHER_KEY, find_person, set_active


def test_login_with_right_password_signs_in(browser: Browser) -> None:
    response = browser.login("gov@example.org")
    assert response.status_code == 302
    assert "Gita Gov" in browser.get("/").get_data(as_text=True)


def test_login_with_wrong_password_shows_error_and_stays_signed_out(browser: Browser) -> None:
    response = browser.login("gov@example.org", "wrong password entirely")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "The email address or password is not right." in page
    assert "Gita Gov" not in browser.get("/").get_data(as_text=True)


def test_login_ignores_email_case(browser: Browser) -> None:
    assert browser.login("GOV@Example.org").status_code == 302


def test_logout_ends_the_session_even_for_a_replayed_cookie(app: Flask, browser: Browser) -> None:
    browser.login("gov@example.org")
    cookie = browser.client.get_cookie("jointly_session")
    assert cookie is not None
    browser.logout()
    replay = app.test_client()
    replay.set_cookie("jointly_session", cookie.value)
    page = replay.get("/").get_data(as_text=True)
    assert "Gita Gov" not in page
    assert "Sign in" in page


def test_disabled_person_is_signed_out_and_cannot_sign_in(app: Flask, as_person) -> None:  # type: ignore[no-untyped-def]
    signed_in = as_person("cso@example.org")
    with app.app_context():
        person = find_person("cso@example.org")
        assert person is not None
        set_active(person, False)
        db.session.commit()
    assert "Chidi Cso" not in signed_in.get("/").get_data(as_text=True)
    again = Browser(app.test_client())
    assert again.login("cso@example.org").status_code == 400


def test_admin_disabling_a_person_from_the_people_page_ends_their_session(
    app: Flask,
    as_person,  # type: ignore[no-untyped-def]
) -> None:
    victim = as_person("cso@example.org")
    admin = as_person("admin@example.org")
    with app.app_context():
        person = find_person("cso@example.org")
        assert person is not None
        person_id = person.id
    response = admin.submit("/-/admin/people", {}, action=f"/-/admin/people/{person_id}/active")
    assert response.status_code == 302
    assert "Chidi Cso" not in victim.get("/").get_data(as_text=True)


def test_form_without_csrf_token_is_refused(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/login", data={"email": "gov@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Gita Gov" not in client.get("/").get_data(as_text=True)


def test_logout_without_csrf_token_is_refused(as_person) -> None:  # type: ignore[no-untyped-def]
    signed_in = as_person("gov@example.org")
    assert signed_in.client.post("/logout").status_code == 400
    assert "Gita Gov" in signed_in.get("/").get_data(as_text=True)


def test_login_redirects_to_a_local_next_page(browser: Browser) -> None:
    token = browser.token("/login")
    response = browser.client.post(
        "/login?next=/plan-narrative",
        data={"csrf_token": token, "email": "gov@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/plan-narrative"


def test_login_refuses_to_redirect_to_another_site(app: Flask) -> None:
    for target in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "http:/x",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x",
    ):
        client = Browser(app.test_client())
        token = client.token("/login")
        response = client.client.post(
            "/login",
            query_string={"next": target},
            data={"csrf_token": token, "email": "gov@example.org", "password": PASSWORD},
        )
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), target
        assert "evil" not in location or location.startswith("/%"), target


def test_login_is_rate_limited(tmp_path, database_url) -> None:  # type: ignore[no-untyped-def]
    from wiki import create_app

    app = create_app(
        {
            "TESTING": True,
            **FAST_HASHING,
            "INSTANCE_PATH": str(tmp_path / "i"),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    client = Browser(app.test_client())
    codes = [client.login("nobody@example.org", "x" * 12).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    from wiki.documents.content import hub

    with app.app_context():
        hub().close()
        db.engine.dispose()


def test_session_cookie_is_httponly_and_samesite_lax(browser: Browser) -> None:
    response = browser.login("gov@example.org")
    cookie_header = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie_header
    assert "SameSite=Lax" in cookie_header


def test_the_first_sign_ins_after_a_start_arriving_at_once_all_succeed(app: Flask) -> None:
    # As after a restart: no hasher built yet, and a real cost, so building it takes a while.
    for built in [key for key in app.extensions if key.startswith(HASHER_KEY)]:
        del app.extensions[built]
    app.config.update(ARGON2_TIME_COST=2, ARGON2_MEMORY_KIB=32768)
    people = [Browser(app.test_client()) for _ in range(6)]
    tokens = [person.token("/login") for person in people]
    start = threading.Barrier(len(people))

    def sign_in(k: int) -> int:
        start.wait()
        form = {"csrf_token": tokens[k], "email": "gov@example.org", "password": PASSWORD}
        return people[k].client.post("/login", data=form).status_code

    with ThreadPoolExecutor(len(people)) as pool:
        answers = list(pool.map(sign_in, range(len(people))))
    assert answers == [302] * len(people)
