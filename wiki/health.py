"""Health checks for load balancers and supervisors: is the process alive, may it take traffic.

Neither check signs anyone in or counts against a rate limit, and neither answer is cached.
An answer names what is not ready, never how it was reached: connection strings and error
texts go to the log only.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import redis
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from wiki.extensions import db, limiter

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__, url_prefix="/-")
limiter.exempt(bp)

REDIS_TIMEOUT_S = 2.0
OK = "ok"


@cache
def migration_heads(directory: Path) -> frozenset[str]:
    """The head revisions of the migrations in ``directory``, read once per process."""
    config = Config()
    config.set_main_option("script_location", str(directory))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_checks(heads: frozenset[str]) -> dict[str, str]:
    """Whether the database answers, and whether its schema is at ``heads``."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        log.warning("readyz: the database did not answer: %s", error)
        return {"database": "unreachable", "migrations": "unknown"}
    if current == heads:
        return {"database": OK, "migrations": OK}
    if not current:
        return {"database": OK, "migrations": "not applied; run flask --app wiki init-db"}
    found, wanted = ", ".join(sorted(current)), ", ".join(sorted(heads))
    return {"database": OK, "migrations": f"at {found}, head is {wanted}"}


def redis_check(url: str | None) -> str:
    """Whether Redis answers a ping, when the processes share one (``REDIS_URL``)."""
    if not url:
        return "not configured"
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
        )
        with client:
            client.ping()
    except (redis.RedisError, OSError) as error:
        log.warning("readyz: Redis did not answer: %s", error)
        return "unreachable"
    return OK


def uncached(response: Response, status: int) -> tuple[Response, int]:
    """A probe's answer, never stored by a proxy: a stale "ready" would hide an outage."""
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """The process is alive and answering; nothing else is asked."""
    return uncached(jsonify(status=OK), 200)


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when the database, its migrations and Redis (if configured) are ready, else 503."""
    directory = Path(current_app.extensions["migrate"].directory)
    checks = database_checks(migration_heads(directory))
    checks["redis"] = redis_check(current_app.config["REDIS_URL"])
    ready = all(value in (OK, "not configured") for value in checks.values())
    body = jsonify(status="ready" if ready else "not ready", checks=checks)
    return uncached(body, 200 if ready else 503)
