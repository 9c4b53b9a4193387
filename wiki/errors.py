"""Errors the services raise, and the error pages the edge turns them into."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, url_for
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from wiki.extensions import db

log = logging.getLogger(__name__)

ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
}
ERROR_MESSAGES = {
    400: "The request could not be understood. Go back and try again.",
    404: "There is no page at this address, or you do not have access to it.",
    405: "This address does not answer that kind of request. To download a document, "
    "use the Download buttons on its page.",
    413: "What you sent is larger than this server accepts.",
    429: "Too many attempts in a short time. Wait a minute and try again.",
}


STORAGE_UNAVAILABLE = (
    "The server cannot reach its database at the moment. Everything it confirmed as saved is safe."
)


class InvalidInput(Exception):
    """Input a person can correct; ``errors`` maps each form field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))
        self.errors = errors


def render_error(error: HTTPException) -> tuple[str, int]:
    """An error page that says what went wrong and never names a hidden document."""
    code = error.code or 500
    title = ERROR_TITLES.get(code, error.name)
    message = ERROR_MESSAGES.get(code, error.description or "")
    return render_template("error.html", title=title, message=message, code=code), code


def render_unavailable(error: DBAPIError) -> tuple[str, int, dict[str, str]]:
    """503 while the database is away: the page names no document and asks nothing of it."""
    log.warning("database unavailable: %s", type(error.orig).__name__)
    db.session.rollback()
    # Straight from Jinja: the context processors would ask the database who is signed in.
    template = current_app.jinja_env.get_template("unavailable.html")
    page = template.render(
        message=STORAGE_UNAVAILABLE, stylesheet=url_for("static", filename="css/jointly.css")
    )
    return page, 503, {"Retry-After": "30"}


def register_errors(app: Flask) -> None:
    """Render HTTP errors with the site's layout, and a lost database as a 503."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(DBAPIError, render_unavailable)
