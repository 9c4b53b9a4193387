"""The session of a Socket.IO connection, read from its cookie once rather than per event.

Flask-SocketIO handles every event of a connection in a request context built on the WSGI
environ of the request that opened it, and Flask opens the session each time a context is
pushed: the cookie was verified and decoded again for every frame (at fifty typists, most
of what building that context cost). Flask-SocketIO then puts its own copy of the session,
taken at the connection's first event, in place of the one opened. So the session opened
for an environ is kept in the environ and handed back when the same environ comes again;
an HTTP request brings an environ of its own and opens its session as before.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SessionInterface, SessionMixin

ENVIRON_KEY = "jointly.live.session"


def open_sessions_once(app: Flask) -> None:
    """Have ``app``'s session interface open one environ's session only once."""
    base: type[SessionInterface] = type(app.session_interface)

    class OncePerEnviron(base):  # type: ignore[valid-type,misc]
        """``base``, remembering the session it opened for an environ."""

        def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
            environ: dict[str, Any] = request.environ
            if ENVIRON_KEY not in environ:
                environ[ENVIRON_KEY] = super().open_session(app, request)
            return environ[ENVIRON_KEY]  # type: ignore[no-any-return]

    app.session_interface = OncePerEnviron()
