"""Per-request CSP nonce and the security headers every response carries."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
# Sec-Fetch-Dest of a page a person opens; tools such as curl send no Sec-Fetch-Dest at all.
TOP_LEVEL_DESTINATIONS = frozenset({"document"})
# The web process's nonce, in the environ it hands a reader process (wiki/readers.py): the
# page a reader renders carries the nonce of the policy the web process sends with it.
NONCE_KEY = "jointly.csp_nonce"


def csp_nonce() -> str:
    """The nonce of this request's Content-Security-Policy, made on first use."""
    if "csp_nonce" not in g:
        given = request.environ.get(NONCE_KEY) if has_request_context() else None
        g.csp_nonce = given or secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def content_security_policy(nonce: str) -> str:
    """A policy that allows only this server, and scripts and styles carrying the nonce."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def embedded_request() -> bool:
    """Whether the browser says it fetches this for part of a page: an image, a frame, a script.

    A ``fetch`` from a page of this site (the live editor loading a document's comments) is
    a reading, not an embedding: under the site's script policy only its own scripts run.
    """
    destination = request.headers.get("Sec-Fetch-Dest")
    if destination == "empty" and request.headers.get("Sec-Fetch-Site") == "same-origin":
        return False
    return destination is not None and destination not in TOP_LEVEL_DESTINATIONS


def set_security_headers(response: Response) -> Response:
    """Add the headers of every response; nothing but static files may be cached."""
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Vary"] = "Cookie"
    return response


class SessionCookie(SecureCookieSessionInterface):
    """The session cookie, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def register_security(app: Flask) -> None:
    """Install the header hook, the nonce for templates and the session cookie's rules."""
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.session_interface = SessionCookie()
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:  # behind nginx: believe its X-Forwarded-For and -Proto, and no one else's
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
