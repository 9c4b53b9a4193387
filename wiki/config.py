"""Configuration: defaults, then instance config.py, then WIKI_* environment, then test config."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

ENV_PREFIX = "WIKI_"
SECRET_KEY_FILE = "secret_key"

DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_DATABASE_URI": None,  # None: SQLite file jointly.sqlite3 in the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SQLITE_BUSY_TIMEOUT_MS": 10_000,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "MAX_DOCUMENT_CHARS": 500_000,
    "MAX_UPDATE_BYTES": 1024 * 1024,
    "MAX_UPDATES_PER_S": 50,  # per person and document, across sockets and processes
    "MAX_UPDATE_BURST": 200,
    "MAX_JOINS_PER_S": 2,  # documents a person (or an address, signed out) opens live
    "MAX_JOIN_BURST": 60,
    "REVISION_PAUSE_S": 60,
    "CHECKPOINT_EVERY_UPDATES": 500,
    # A deleted document's update log is kept this long for audit, then purge-deleted drops it.
    "DELETED_RETENTION_DAYS": 365,
    "CRDT_ENGINE": None,  # None: y-py where it imports, else pycrdt
    "SOCKETIO_ASYNC_MODE": "threading",
    "SERVER": "gevent",  # what `flask serve` runs: gevent (gunicorn, one worker) or threading
    "POLLING_GATHER_S": 0.05,  # a busy document's updates go to a long-polling socket this often
    "ROOM_IDLE_S": 600,  # a room with no sockets and no work this long is unloaded
    "READER_PROCESSES": 1,  # processes that render the history pages (0: the web process)
    "WRITES_HISTORY": True,  # False in a reader process: it reads the revisions the web stores
    "LOG_LEVEL": "INFO",
    "REDIS_URL": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute",
    "PREVIEW_RATE_LIMIT": "30 per minute",  # per person: each renders up to MAX_DOCUMENT_CHARS
    "RENDER_CACHE_BYTES": 32 * 1024 * 1024,  # rendered pages kept per process
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # False: Secure whenever the request came over HTTPS
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-* headers to believe
    "SESSION_COOKIE_NAME": "jointly_session",
    "WTF_CSRF_TIME_LIMIT": None,
    "DEMO_ACCOUNTS_FILE": "demo-accounts.txt",
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_KIB": 65536,
    # Mail: None for the host prints where mails would go instead of sending them.
    "MAIL_HOST": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,  # STARTTLS after connecting
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_SENDER": "Jointly <jointly@localhost>",
    "MAIL_TIMEOUT_S": 10,
    "MAIL_MAX_ATTEMPTS": 8,  # then a mail is kept as failed, for the admins to see
    "MAIL_RETRY_BASE_S": 60,  # doubled after each failed attempt
    "PUBLIC_URL": None,  # the site's address in mails, e.g. https://jointly.example.gov
}


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Apply the four layers of configuration to ``app`` in order."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(environment_config(os.environ))
    if test_config is not None:
        app.config.update(test_config)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        db_path = Path(app.instance_path) / "jointly.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))


def environment_config(environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    """Read ``WIKI_*`` variables; values that parse as JSON (numbers, true/false) are typed."""
    config: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        config[name.removeprefix(ENV_PREFIX)] = value
    return config


def instance_secret_key(instance: Path) -> str:
    """Return the instance's secret key, creating a random one on first run."""
    path = instance / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
