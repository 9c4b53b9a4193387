"""Reader processes: the history pages are rendered beside the live rooms, not among them.

The history, a revision, a diff, the attribution and a paragraph's history replay and lay
out a document's whole past: tens of milliseconds of Python for a long one. In the
process that serves the live editor, every such page took the interpreter from the rooms
and their sockets (one interpreter runs one thread at a time), and five people reading
the history multiplied the writers' wait for their acknowledgement by twenty or more.

So the web process hands those requests, whole, to ``READER_PROCESSES`` processes of
their own (0: it renders them itself). Each is the same application, built from the same
settings, answering one request at a time: the same access policy, the same pages. Before
each request a reader's rooms read what the log gained since, so a reader shows every
edit that was acknowledged before the page was asked for. A reader writes nothing: its
attribution stays in its memory, while the web process stores revisions as before (a
reader holding the database's write lock, or the processor, would make writers wait);
and it runs at a lower priority, so the processor serves the live rooms first.

A server starts the readers (``start_readers``; tests and command-line tools have none).
While all are busy a page waits for one; until one is ready, and if one fails, the web
process renders it itself. It does too when a reader finds the revisions of updates it
read not stored in time (their room's process died before storing them): rendering them
here attributes and stores them, and the readers show them from then on.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from io import BytesIO
from multiprocessing.connection import Connection
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.test import run_wsgi_app

from wiki.history.service import HistoryNotStored
from wiki.security import NONCE_KEY, csp_nonce

log = logging.getLogger(__name__)
EXTENSION_KEY = "jointly.readers"
RENDERED_BY_HEADER = "X-Rendered-By"  # "reader" on the pages a reader process rendered
BEHIND_HEADER = "X-Reader-Behind"  # on a reader's answer: the web process must render it
# What readers render: the history pages and their JSON (endpoints, by blueprint or name).
READ_BLUEPRINTS = frozenset({"timeline"})
READ_ENDPOINTS = frozenset({"api.revisions", "api.revision", "api.attribution"})
# What of a request's environ a reader needs: plain strings, no sockets or streams.
PASSED_PREFIXES = ("HTTP_", "SERVER_", "REMOTE_", "PATH_INFO", "QUERY_STRING", "SCRIPT_NAME")
PASSED_KEYS = frozenset(
    {"REQUEST_METHOD", "CONTENT_TYPE", "CONTENT_LENGTH", "wsgi.url_scheme", NONCE_KEY}
)
Answer = tuple[str, list[tuple[str, str]], bytes]  # status, headers, body
WAIT_S = 30.0  # how long a page waits for a busy reader before the web process renders it
READER_NICE = 10


class Readers:
    """The web process's reader processes: started once, lent out one request at a time."""

    def __init__(self, config: dict[str, Any], count: int, blocking: Callable[..., Any]) -> None:
        """``config``: the settings the app was built with; ``blocking``: how to wait on a
        reader (gevent: from its pool of native threads, so the loop goes on)."""
        self._config = config
        self._count = count
        self._blocking = blocking
        self._idle: queue.Queue[Connection] = queue.Queue()
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._started = False
        self._ready = 0  # readers started and not failed, busy or idle
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the reader processes, once; they take requests as each becomes ready."""
        with self._lock:
            if self._started:
                return
            self._started = True
        for _ in range(self._count):
            threading.Thread(target=self._spawn, name="reader-start", daemon=True).start()

    def wait_ready(self, timeout_s: float) -> bool:
        """Wait until every reader has started; whether they all did in time."""
        deadline = time.monotonic() + timeout_s
        while self._ready < self._count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def pids(self) -> list[int]:
        """The process ids of the readers still running."""
        with self._lock:
            self._processes = [p for p in self._processes if p.is_alive()]
            return [p.pid for p in self._processes if p.pid is not None]

    def forward(self, environ: dict[str, Any]) -> Answer | None:
        """A reader's answer to the request, or None when no reader could give one."""
        if not self._ready:
            return None  # none started yet, or every one failed: the web process answers
        try:
            conn = self._idle.get(timeout=WAIT_S)  # the page waits for a reader, not writers
        except queue.Empty:
            return None
        try:
            answer: Answer = self._blocking(_exchange, conn, passed(environ))
        except (OSError, EOFError) as error:
            log.warning("a reader process failed (%s); starting another", error)
            conn.close()
            with self._lock:
                self._ready -= 1
            threading.Thread(target=self._spawn, name="reader-start", daemon=True).start()
            return None
        self._idle.put(conn)
        return answer

    def close(self) -> None:
        """Stop the reader processes: each ends once its connection closes."""
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()

    def _spawn(self) -> None:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        for end in (ours, theirs):
            # Under gevent, the pipe is made of gevent's sockets, which leave their files
            # non-blocking; both ends are waited on by native threads and the reader.
            os.set_blocking(end.fileno(), True)
        process = context.Process(
            target=serve_reader, args=(theirs, self._config), name="jointly-reader", daemon=True
        )
        process.start()
        theirs.close()
        with self._lock:
            self._processes.append(process)
        try:
            if self._blocking(ours.recv) != "ready":
                raise EOFError("the reader did not start")
        except (OSError, EOFError):
            log.warning("a reader process did not start; pages are rendered here")
            return
        with self._lock:
            self._ready += 1
        self._idle.put(ours)


def passed(environ: dict[str, Any]) -> dict[str, str]:
    """The request's environ as strings a reader can rebuild it from."""
    return {
        key: value
        for key, value in environ.items()
        if isinstance(value, str) and (key in PASSED_KEYS or key.startswith(PASSED_PREFIXES))
    }


def _exchange(conn: Connection, environ: dict[str, str]) -> Answer:
    conn.send(environ)
    answer: Answer = conn.recv()
    return answer


def serve_reader(conn: Connection, config: dict[str, Any]) -> None:
    """A reader process: build the app, then answer requests until the web process goes."""
    from wiki import create_app
    from wiki.documents.content import hub

    os.nice(READER_NICE)  # the live process gets the processor first
    app = create_app(config)
    conn.send("ready")
    with app.app_context():
        rooms = hub()
    while True:
        try:
            environ: dict[str, Any] = conn.recv()
        except (EOFError, OSError):
            break  # the web process closed the connection or ended
        rooms.follow_all()  # every open room reads what the log gained, before the page
        environ.update(
            {
                "wsgi.input": BytesIO(b""),
                "wsgi.errors": sys.stderr,
                "wsgi.version": (1, 0),
                "wsgi.multithread": False,
                "wsgi.multiprocess": True,
                "wsgi.run_once": False,
            }
        )
        body, status, headers = run_wsgi_app(app, environ, buffered=True)
        try:
            conn.send((status, list(headers.items()), b"".join(body)))
        except (BrokenPipeError, OSError):
            break
        finally:
            with contextlib.suppress(Exception):
                body.close()  # type: ignore[attr-defined]
    rooms.close()


def init_readers(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Hand the history pages to reader processes, if ``READER_PROCESSES`` asks for any."""
    if not app.config["WRITES_HISTORY"]:
        app.register_error_handler(HistoryNotStored, _behind)
    count = int(app.config["READER_PROCESSES"])
    if count <= 0:
        return
    config = {
        **(test_config or {}),
        "INSTANCE_PATH": app.instance_path,
        "READER_PROCESSES": 0,  # a reader renders what it is given itself
        "WRITES_HISTORY": False,  # the web process stores revisions; a reader only reads them
        "SOCKETIO_ASYNC_MODE": "threading",  # a reader serves no sockets
    }
    readers = Readers(config, count, _blocking_call(app))
    app.extensions[EXTENSION_KEY] = readers

    def to_reader() -> Response | None:
        endpoint = request.endpoint or ""
        if request.method != "GET" or not (
            request.blueprint in READ_BLUEPRINTS or endpoint in READ_ENDPOINTS
        ):
            return None
        environ = {
            **request.environ,
            "HTTP_X_REQUEST_ID": g.request_id,  # one id in both logs
            NONCE_KEY: csp_nonce(),  # the page's nonces match the policy sent from here
        }
        answer = readers.forward(environ)
        if answer is None:
            return None
        status, headers, body = answer
        # The web process answers for the session: its cookie, not a second one.
        kept = [(name, value) for name, value in headers if name.lower() != "set-cookie"]
        response = Response(body, status=status, headers=kept)
        if BEHIND_HEADER in response.headers:
            return None  # rendered here, where the room stores the revisions it attributes
        response.headers[RENDERED_BY_HEADER] = "reader"
        return response

    app.before_request(to_reader)  # after the others: the person is known, the request logged


def _behind(error: HistoryNotStored) -> Response:
    log.info("%s; the web process renders the page", error)
    return Response(status=503, headers={BEHIND_HEADER: "1"})


def start_readers(app: Flask) -> None:
    """Start the app's reader processes, if it has any: for a server, not for tests or tools."""
    readers: Readers | None = app.extensions.get(EXTENSION_KEY)
    if readers is not None:
        readers.start()


def _blocking_call(app: Flask) -> Callable[..., Any]:
    """How to wait on a reader: directly, or on gevent's native threads under gevent."""
    if app.config["SOCKETIO_ASYNC_MODE"] != "gevent":
        return lambda fn, *args: fn(*args)
    from gevent import get_hub

    return lambda fn, *args: get_hub().threadpool.apply(fn, args)
