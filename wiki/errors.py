"""Errors the services raise, and the error pages the edge turns them into."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

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
    413: "What you sent is larger than this server accepts.",
    429: "Too many attempts in a short time. Wait a minute and try again.",
}


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


def register_errors(app: Flask) -> None:
    """Render HTTP errors with the site's layout."""
    app.register_error_handler(HTTPException, render_error)
