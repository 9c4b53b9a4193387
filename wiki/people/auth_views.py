"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from wiki.access.sessions import current_session_id, end_session, start_session
from wiki.extensions import db, limiter
from wiki.live import disconnect_sessions
from wiki.people.directory import authenticate

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the home page: no open redirects."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("pages.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ch in target for ch in "\r\n\t\\"):
        return url_for("pages.home")
    return target


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        person = authenticate(form.email.data or "", form.password.data or "")
        if person is not None:
            start_session(person)
            login_user(person)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        form.form_errors.append("The email address or password is not right.")
    return render_template("login.html", form=form), 200 if not form.errors else 400


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        ended = current_session_id()
        end_session()
        logout_user()
        db.session.commit()
        disconnect_sessions([ended] if ended else [])
        flash("You are signed out.")
    return redirect(url_for("pages.home"))
