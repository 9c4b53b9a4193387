"""The JSON API for reviewers' own tools: the same policy, and 404 for what you may not see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, jsonify
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from crdt import Author, Paragraph
from wiki.access.gate import require_document
from wiki.access.policy import Action, visible
from wiki.documents import content
from wiki.extensions import csrf, db
from wiki.history import authorship, runs
from wiki.history import service as history
from wiki.jsonapi import json_error
from wiki.storage.models import Document, Revision

bp = Blueprint("api", __name__, url_prefix="/api")
bp.register_error_handler(HTTPException, json_error)
csrf.exempt(bp)  # read-only GET endpoints; nothing here changes state


def summary(doc: Document) -> dict[str, Any]:
    return {
        "slug": doc.slug,
        "title": doc.title,
        "kind": doc.kind.value,
        "visibility": doc.visibility.value,
        "revision": history.latest_revision(doc),
    }


def revision_json(row: Revision, who: dict[int, Any]) -> dict[str, Any]:
    author = who[row.number]
    return {
        "number": row.number,
        "name": row.name,
        "person": author.person_name,
        "organisation": author.organisation_name,
        "organisation_kind": author.kind,
        "started_at": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat(),
        "inserted": row.inserted,
        "deleted": row.deleted,
    }


@bp.get("/docs")
def documents() -> Response:
    docs = visible(current_user, db.session.scalars(select(Document).order_by(Document.slug)))
    return jsonify([summary(doc) for doc in docs])


@bp.get("/docs/<slug>")
def document(slug: str) -> Response:
    doc = require_document(slug, Action.VIEW)
    text, _seq = content.read_text(doc)
    return jsonify({**summary(doc), "markdown": text})


@bp.get("/docs/<slug>/revisions")
def revisions(slug: str) -> Response:
    doc = require_document(slug, Action.VIEW)
    rows = history.revisions(doc)
    who = history.authors(rows)
    return jsonify([revision_json(row, who) for row in rows])


@bp.get("/docs/<slug>/revisions/<int:number>")
def revision(slug: str, number: int) -> Response:
    doc = require_document(slug, Action.VIEW)
    row = history.find_revision(doc, number)
    if row is None:
        abort(404)
    return jsonify({"number": number, "markdown": content.text_at(doc, row.last_seq)})


def paragraph_json(
    p: Paragraph,
    who: Mapping[int, Author],
    people: Mapping[int | None, str],
    orgs: Mapping[int | None, str],
) -> dict[str, Any]:
    return {
        "id": p.id,
        "text": p.text,
        "shares": p.shares,
        "people": [people[pid] for pid in p.people if pid in people],
        "organisations": [orgs[oid] for oid in p.organisations if oid in orgs],
        "revisions": list(p.revisions),
        "removed": p.removed,
        "removed_by_organisation": {
            orgs[oid]: count for oid, count in p.organisation_removed.items() if oid in orgs
        },
        "moved_by": list(authorship.labels(p.moved_by, who)),
        "restored_by": list(authorship.labels(p.restored_by, who)),
    }


@bp.get("/docs/<slug>/attribution")
def attribution(slug: str) -> Response:
    doc = require_document(slug, Action.VIEW)
    found, who = history.paragraphs_and_authors(doc)
    people = {a.person_id: a.person_name for a in who.values()}
    orgs = authorship.organisation_names(who)
    paragraphs = [paragraph_json(p, who, people, orgs) for p in found]
    return jsonify({"revision": history.latest_revision(doc), "paragraphs": paragraphs})


@bp.get("/docs/<slug>/runs")
def authored_runs(slug: str) -> Response:
    """Who wrote each stretch of the text now, for the live editor's "who wrote what" marks."""
    doc = require_document(slug, Action.VIEW)
    return jsonify(runs.current_runs(doc))
