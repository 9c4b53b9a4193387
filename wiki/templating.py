"""Template globals and filters."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from wiki.models import DocumentKind, OrgKind, Visibility
from wiki.policy import Action, can


def format_time(value: datetime | None) -> str:
    """A timestamp as people read it, in UTC."""
    return value.strftime("%d %b %Y, %H:%M UTC") if value else ""


def register_templating(app: Flask) -> None:
    """Expose the policy and labels to templates."""
    app.jinja_env.globals.update(
        can=can,
        Action=Action,
        DocumentKind=DocumentKind,
        OrgKind=OrgKind,
        Visibility=Visibility,
    )
    app.jinja_env.filters["time"] = format_time
