"""gunicorn settings for Jointly: ``gunicorn -c deploy/gunicorn.conf.py -b HOST:PORT wsgi:app``.

One gevent worker per process. A Socket.IO session lives in the memory of the process that
opened it, so several workers behind one port would scatter its long-polling requests;
run more processes on more ports instead, behind a proxy that keeps each client on one
(deploy/README.md).
"""

import importlib.util
import logging
import os
from pathlib import Path

from gunicorn import glogging


def _logging_module():  # type: ignore[no-untyped-def]
    """wiki/logs.py read by its path: importing the ``wiki`` package here, in gunicorn's
    master, would build the app's modules before the worker patches them for gevent."""
    path = Path(__file__).resolve().parents[1] / "wiki" / "logs.py"
    spec = importlib.util.spec_from_file_location("jointly_logs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


worker_class = "gevent"
workers = 1
worker_connections = 1000  # open sockets (WebSocket, long-polling, pages) this process takes
raw_env = ["WIKI_SOCKETIO_ASYNC_MODE=gevent"]
# On a stop, open WebSockets would hold the worker for the whole grace period; editors
# reconnect to another process and resend what was not acknowledged.
graceful_timeout = 10
# How long an idle connection stays open: longer than a long-polling client's longest gap
# between requests (the ping interval, 25 s) and a proxy's idle timeout. With gunicorn's
# 2 s, a POST sent as the server closed its idle connection was lost (the client saw
# "Remote end closed connection without response" and never got its acknowledgement).
keepalive = 75
# gunicorn ≥ 25.1 opens a control socket at one path per user; a second process on the
# same machine would take it from the first.
control_socket_disable = True
# gunicorn's lines and the app's share one format: time, level, process, request or socket.
logconfig_dict = _logging_module().logging_config(os.environ.get("WIKI_LOG_LEVEL", "INFO"))


class Logger(glogging.Logger):
    """gunicorn's logger, which makes no access line that its level would drop.

    With a logging configuration, gunicorn builds every request's access line and leaves
    the dropping to the logger; over long-polling, where every message is a request, that
    was 3% of the worker's time for lines nobody reads.
    """

    @property
    def access_log_enabled(self) -> bool:
        return super().access_log_enabled and self.access_log.isEnabledFor(logging.INFO)


logger_class = Logger


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Leave the loaded app out of the garbage collector's full passes.

    Every socket waits while the collector runs. A full pass walked the whole app, templates
    and libraries, and stopped the worker for 40 to 90 ms; with what was loaded at start
    frozen, a pass at fifty typists took about 12 ms.
    """
    import gc

    gc.collect()
    gc.freeze()
