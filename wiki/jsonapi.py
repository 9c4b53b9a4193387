"""What every JSON API blueprint shares: errors as ``{"error": …}`` and the request's object."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response


def json_error(error: HTTPException) -> tuple[Response, int]:
    """An HTTP error as JSON; a 404 says only "not found", whatever was missing or hidden."""
    code = error.code or 500
    message = "not found" if code == 404 else (error.description or error.name)
    return jsonify({"error": message}), code


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 that asks for one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object.")
    return data
