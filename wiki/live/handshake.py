"""The socket layer's HTTP entry: what every request shows it, and its place in the URL map.

- **No WebSocket compression.** Every browser offers permessage-deflate, and the WebSocket
  server accepts whatever is offered. Each frame is then compressed once for every socket
  it goes to, with a compressor of each socket's own: fifty editors of one document had
  every keystroke compressed fifty times, for updates of a few dozen bytes that barely
  shrink. Taking the offer out of the request leaves the frames as they are.
- **gunicorn's socket only for an upgrade.** Given gunicorn's socket, python-engineio
  defines a class to carry it, on every request, for eventlet's WebSocket server; ours
  reads the socket where gunicorn puts it, and only to upgrade. Over long-polling, where
  each message is a request, the class cost 5% of the serving process.
- **A route for the socket path.** Each Socket.IO event runs in a request context built
  from its socket's handshake; without a rule for that path, the URL map was searched in
  vain and a 404 made for every event (6% of the serving process over long-polling). The
  Socket.IO middleware answers that path before Flask, so the route's view never runs.

Proxies and the HTTP pages are unaffected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

OFFER = "HTTP_SEC_WEBSOCKET_EXTENSIONS"
SERVER_SOCKET = "gunicorn.socket"
SOCKET_ENDPOINT = "socketio"
SOCKET_PATH = "socket.io"  # where the editor's Socket.IO client connects, its default


def for_socket_layer(app: WSGIApplication) -> WSGIApplication:
    """``app``, shown no WebSocket extension, and the server's socket only to upgrade."""

    def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ.pop(OFFER, None)
        if environ.get("HTTP_UPGRADE", "").lower() != "websocket":
            environ.pop(SERVER_SOCKET, None)
        return app(environ, start_response)

    return serve


def register_socket_route(app: Flask) -> None:
    """Give the socket layer's path a rule, so that its events' request contexts match it."""
    app.add_url_rule(
        f"/{SOCKET_PATH}/",
        endpoint=SOCKET_ENDPOINT,
        view_func=lambda: ("", 404),  # the Socket.IO middleware answers first
        methods=["GET", "POST"],
    )
