"""The search page: titles and text of the documents the current person may see."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from wiki.access import audit
from wiki.access.policy import signed_in
from wiki.extensions import db
from wiki.search import index as fulltext

bp = Blueprint("search", __name__)


@bp.get("/-/search")
def results() -> str:
    """Search for ``q``; without one, just the form. Nothing here names a hidden document."""
    query = " ".join(request.args.get("q", "")[: fulltext.MAX_QUERY_CHARS].split())
    hits = fulltext.search(current_user, query)
    for hit in hits:  # a passage of a restricted draft is a reading of it
        if audit.audited(hit.doc):
            audit.record(hit.doc, signed_in(current_user), "view", detail=request.path)
    db.session.commit()
    limits = {"max_chars": fulltext.MAX_QUERY_CHARS, "max_results": fulltext.MAX_RESULTS}
    return render_template("search.html", query=query, hits=hits, **limits)
