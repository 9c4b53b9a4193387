"""Template globals and filters."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from wiki.access.policy import Action, can, level
from wiki.render.markdown import render_markdown
from wiki.storage.models import DocumentKind, OrgKind, Visibility


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
    )
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.filters["percentages"] = whole_percentages
    app.jinja_env.filters["shares_text"] = shares_text
    app.jinja_env.filters["markdown"] = render_markdown  # comment bodies: the same sanitiser
    app.jinja_env.globals["KIND_WORDS"] = KIND_WORDS


KIND_WORDS = {"government": "government", "civil_society": "civil society", "other": "other"}


def whole_percentages(shares: dict[str, float]) -> dict[str, int]:
    """Fractions as whole percentages that add up to 100 (largest remainder first)."""
    if not any(shares.values()):
        return dict.fromkeys(shares, 0)
    raw = {kind: value * 100 for kind, value in shares.items()}
    result = {kind: int(value) for kind, value in raw.items()}
    short = 100 - sum(result.values())
    for kind in sorted(raw, key=lambda k: raw[k] - result[k], reverse=True)[:short]:
        result[kind] += 1
    return result


def shares_text(shares: dict[str, float]) -> str:
    """'62% government · 38% civil society': the shares in words, largest first."""
    percentages = whole_percentages(shares)
    parts = [
        f"{value}% {KIND_WORDS[kind]}"
        for kind, value in sorted(percentages.items(), key=lambda item: -item[1])
        if value
    ]
    return " · ".join(parts) or "no text"
