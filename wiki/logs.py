"""One logging configuration for the app, the socket layer and gunicorn, readable by an operator.

Each line says when (UTC), how bad, which process, which logger, and which request
(``req=``) or socket (``sid=``) it is about, then the message:
``2026-12-07T10:00:00Z WARNING [4242] wiki.live.namespace sid=Ab3x: …``. The app factory
applies it once per process; ``deploy/gunicorn.conf.py`` hands gunicorn the same dictionary
(``logconfig_dict``), so gunicorn's own lines look the same; gunicorn reads this file by
its path, before its worker has patched the standard library for gevent, so it imports
Flask only where a request is logged. Expected refusals (a bad
frame, a limit, a lost database) are one line each; a traceback means a bug.
"""

from __future__ import annotations

import logging
import logging.config
import re
import secrets
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask, Response

HANDLER_NAME = "jointly"
LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s %(context)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
REQUEST_ID_HEADER = "X-Request-ID"
_GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Loggers that are chatty at INFO: python-engineio and python-socketio log every packet
# there, Werkzeug every request (the app logs requests itself, the same way on every server),
# Alembic its plugins whenever the readiness check looks at the migrations.
QUIET_LOGGERS = ("engineio.server", "socketio.server", "werkzeug", "geventwebsocket", "alembic")
requests_log = logging.getLogger("wiki.requests")


class UtcFormatter(logging.Formatter):
    """Timestamps in UTC, whatever the machine's time zone."""

    def converter(self, seconds: float | None) -> time.struct_time:
        return time.gmtime(seconds)


class ContextFilter(logging.Filter):
    """Adds ``context``: the socket id of a Socket.IO event, or the id of an HTTP request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.context = current_context()
        return True


def current_context() -> str:
    """``sid=…`` inside a Socket.IO event, ``req=…`` inside a request, else ``-``."""
    from flask import g, has_request_context, request

    if not has_request_context():
        return "-"
    sid = getattr(request, "sid", None)
    if isinstance(sid, str):
        return f"sid={sid}"
    request_id = g.get("request_id")
    return f"req={request_id}" if request_id else "-"


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """The ``logging.config.dictConfig`` dictionary: one handler on stderr, every logger to it."""
    quiet = {name: {"level": "WARNING", "propagate": True} for name in QUIET_LOGGERS}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {"line": {"()": UtcFormatter, "format": LOG_FORMAT, "datefmt": DATE_FORMAT}},
        "handlers": {
            HANDLER_NAME: {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "line",
                "filters": ["context"],
            }
        },
        "root": {"level": level.upper(), "handlers": [HANDLER_NAME]},
        "loggers": {
            # gunicorn's own loggers, written through the one handler (no access log: the
            # app writes one line per request, with its id).
            "gunicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
            **quiet,
        },
    }


def configured() -> bool:
    """Whether this process already logs through Jointly's handler (gunicorn set it up)."""
    return any(handler.name == HANDLER_NAME for handler in logging.getLogger().handlers)


def configure_logging(app: Flask) -> None:
    """Apply the configuration once per process, and give every request an id.

    Left alone under tests (``TESTING``), where pytest's handlers collect the records.
    """
    if not app.testing and not configured():
        logging.config.dictConfig(logging_config(app.config["LOG_LEVEL"]))
    app.before_request(name_request)
    app.after_request(log_request)


def name_request() -> None:
    """Take the proxy's request id when it is well formed, else make one."""
    from flask import g, request

    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _GOOD_REQUEST_ID.fullmatch(given) else secrets.token_hex(4)
    g.request_started = time.perf_counter()


def log_request(response: Response) -> Response:
    """One line per request: method, path (never the query), status, size and time."""
    from flask import g, request

    started = g.get("request_started")
    if started is None:
        return response
    elapsed_ms = (time.perf_counter() - started) * 1000
    requests_log.info(
        "%s %s %d %sB %.1fms",
        request.method,
        request.path,
        response.status_code,
        response.content_length if response.content_length is not None else "-",
        elapsed_ms,
    )
    response.headers[REQUEST_ID_HEADER] = g.request_id
    return response
