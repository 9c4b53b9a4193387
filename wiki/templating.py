"""Template globals and filters."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from wiki.access.policy import Action, can, level
from wiki.history.authorship import KIND_WORDS, whole_percentages
from wiki.render.markdown import render_markdown
from wiki.storage.models import DocumentKind, OrgKind, Phase, Visibility


def format_time(value: datetime | None) -> str:
    """A timestamp as people read it, in UTC."""
    return value.strftime("%d %b %Y, %H:%M UTC") if value else ""


def register_templating(app: Flask) -> None:
    """Expose the policy and labels to templates."""
    app.jinja_env.globals.update(
        can=can,
        access_level=level,
        Action=Action,
        DocumentKind=DocumentKind,
        OrgKind=OrgKind,
        Visibility=Visibility,
        phases=list(Phase),
    )
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.filters["percentages"] = whole_percentages
    app.jinja_env.filters["shares_text"] = shares_text
    app.jinja_env.filters["markdown"] = render_markdown  # comment bodies: the same sanitiser
    app.jinja_env.globals["KIND_WORDS"] = KIND_WORDS


def shares_text(shares: dict[str, float]) -> str:
    """'62% government · 38% civil society': the shares in words, largest first."""
    percentages = whole_percentages(shares)
    parts = [
        f"{value}% {KIND_WORDS[kind]}"
        for kind, value in sorted(percentages.items(), key=lambda item: -item[1])
        if value
    ]
    return " · ".join(parts) or "no text"
