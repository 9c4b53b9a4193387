"""The WSGI entry point: ``app`` for a WSGI server, and the Socket.IO server beside it."""

from __future__ import annotations

from wiki import create_app
from wiki.extensions import socketio
from wiki.readers import start_readers

app = create_app()
start_readers(app)

__all__ = ["app", "socketio"]
