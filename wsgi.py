"""The WSGI entry point: ``app`` for a WSGI server, and the Socket.IO server beside it."""

from __future__ import annotations

from wiki import create_app
from wiki.extensions import socketio

app = create_app()

__all__ = ["app", "socketio"]
