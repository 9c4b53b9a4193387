"""The plans API: the register as JSON, sign-offs, consents, re-opening and phases.

Writes take the session cookie and the page's CSRF token in an ``X-CSRFToken`` header.
A plan or document the person may not see answers 404; one they see but may not act on, 403.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from wiki.access.gate import require_document, require_plan
from wiki.access.policy import Action, coordinates, signed_in
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.jsonapi import json_body, json_error
from wiki.live import enforce_access
from wiki.plans import register, service, signoff
from wiki.plans.outcomes import attempt, commit_signature
from wiki.plans.shapes import plan_json
from wiki.storage.models import Document, Person

bp = Blueprint("plans_api", __name__, url_prefix="/api")
bp.register_error_handler(HTTPException, json_error)


@bp.get("/plans/<plan_slug>")
def plan(plan_slug: str) -> Response:
    found = require_plan(plan_slug)
    return jsonify(plan_json(found, register.rows(found, current_user, {})))


@bp.post("/plans/<plan_slug>/phase")
def phase(plan_slug: str) -> Response:
    found = require_plan(plan_slug)
    if not coordinates(current_user):
        abort(403, description="Only the coordinator moves a plan between phases.")
    try:
        service.set_phase(found, str(json_body().get("phase", "")))
    except InvalidInput as error:
        abort(400, description=error.errors["phase"])
    db.session.commit()
    return jsonify({"slug": found.slug, "phase": found.phase.value})


@bp.post("/docs/<slug>/sign-offs")
def sign(slug: str) -> tuple[Response, int]:
    doc, person = acting(slug)
    revision = json_body().get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool):
        abort(400, description="Send the revision you sign as a whole number.")
    made, new = attempt(lambda: signoff.sign(doc, person, revision))
    commit_signature(doc)
    body = {
        "revision": made.revision,
        "sha256": made.sha256,
        "signed_off": doc.signed_off_at is not None,
    }
    return jsonify(body), 201 if new else 200


@bp.post("/docs/<slug>/consent")
def consent(slug: str) -> Response:
    doc, person = acting(slug)
    joined = attempt(lambda: signoff.consent(doc, person))
    db.session.commit()
    return jsonify({"slug": doc.slug, "awaiting_consent": not joined})


@bp.post("/docs/<slug>/reopen")
def reopen(slug: str) -> Response:
    doc, person = acting(slug)
    reason = json_body().get("reason")
    made = attempt(lambda: signoff.reopen(doc, person, str(reason or "")))
    db.session.commit()
    enforce_access(doc)
    return jsonify({"slug": doc.slug, "cleared": made.cleared})


def acting(slug: str) -> tuple[Document, Person]:
    """The document, if the signed-in person may see it, and who they are; or 404."""
    doc = require_document(slug, Action.VIEW, audit_view=False)
    person = signed_in(current_user)
    if person is None:
        abort(404)
    return doc, person
