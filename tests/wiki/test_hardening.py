"""Security headers on every response, caching only for static files, and the session cookie."""

from __future__ import annotations

import re

from flask import Flask

from tests.wiki.conftest import CSRF_PATTERN, PASSWORD, Browser
from tests.wiki.test_policy import make_document

PAGES = ["/", "/login", "/-/search?q=plan", "/no-such-page", "/api/docs"]


def test_every_response_carries_the_security_headers(app: Flask) -> None:
    client = app.test_client()
    for url in [*PAGES, "/static/css/jointly.css"]:
        response = client.get(url)
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert re.search(r"script-src 'self' 'nonce-[\w-]{16,}'", csp), url
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, url
        assert headers["Referrer-Policy"] == "same-origin", url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["X-Frame-Options"] == "DENY", url
        response.close()


def test_only_static_files_may_be_cached(app: Flask, as_person) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        slug = make_document("restricted")
    shared = as_person("cso@example.org")
    for url in [*PAGES, f"/{slug}", f"/{slug}/raw", f"/{slug}/history", f"/api/docs/{slug}"]:
        assert shared.get(url).headers["Cache-Control"] == "no-store", url
    static = shared.get("/static/css/jointly.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def session_cookie(response_headers: list[str]) -> str:
    (cookie,) = [c for c in response_headers if c.startswith("jointly_session=")]
    return cookie


def test_session_cookie_is_httponly_lax_and_secure_over_https(app: Flask) -> None:
    for base, secure in (("http://localhost", False), ("https://localhost", True)):
        client = app.test_client()
        form = client.get("/login", base_url=base).get_data(as_text=True)
        match = CSRF_PATTERN.search(form)
        assert match
        data = {
            "csrf_token": match.group(1) or match.group(2),
            "email": "gov@example.org",
            "password": PASSWORD,
        }
        response = client.post(
            "/login", data=data, base_url=base, headers={"Referer": f"{base}/login"}
        )  # checked over HTTPS
        assert response.status_code == 302
        cookie = session_cookie(response.headers.getlist("Set-Cookie"))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
        assert ("; Secure" in cookie) is secure, (base, cookie)


def test_forwarded_https_counts_only_behind_a_trusted_proxy(app: Flask) -> None:
    # Without TRUSTED_PROXIES anyone could claim HTTPS; the cookie follows the real scheme.
    browser = Browser(app.test_client())
    response = browser.submit(
        "/login",
        {"email": "gov@example.org", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "; Secure" not in session_cookie(response.headers.getlist("Set-Cookie"))
