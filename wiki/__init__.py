"""Jointly: a self-hosted wiki where government and civil society draft a plan together."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from wiki.config import load_config
from wiki.extensions import csrf, db, limiter, login_manager, migrate, socketio
from wiki.live import init_live, init_sender, keep_packets_whole, stored_listener
from wiki.live.cluster import channel_prefix
from wiki.live.handshake import SOCKET_PATH, for_socket_layer, register_socket_route
from wiki.logs import configure_logging
from wiki.readers import init_readers
from wiki.storage.database import configure_durability

MIGRATIONS_DIR = Path(__file__).parent / "storage" / "migrations"


FRAME_LIMIT_FACTOR = 4  # the transport reads frames up to this many times an update's limit


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build a Jointly application; ``test_config`` overrides every other setting."""
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("WIKI_INSTANCE_PATH")
    instance = os.path.abspath(instance) if instance else None
    app = Flask(__name__, instance_path=instance, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)
    configure_logging(app)  # before the socket layer, whose loggers it sets up
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_cli(app)
    from wiki.documents.content import HUB_KEY, init_hub
    from wiki.live.state import unload_idle_rooms

    init_live(app)
    init_sender(app)
    init_hub(app, stored_listener(app))
    unload_idle_rooms(app, app.extensions[HUB_KEY])
    init_readers(app, test_config)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to ``app``."""
    db.init_app(app)
    with app.app_context():
        configure_durability(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    csrf.init_app(app)
    limiter.init_app(app)
    import wiki.live.namespace  # noqa: F401  (registers the Socket.IO handlers before init_app)

    # Flask-SocketIO keeps the options of an earlier init_app, its Redis manager among them:
    # without Redis, say so, or an app made after one with Redis would still use it.
    queue = app.config["REDIS_URL"]
    on_queue = {"channel": channel_prefix(app)} if queue else {"client_manager": None}
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=queue,
        # Well above the update limit: a frame over it is read and refused as too_large,
        # where one over the transport's limit would drop the connection (and the client
        # would send it again on reconnecting).
        max_http_buffer_size=FRAME_LIMIT_FACTOR * app.config["MAX_UPDATE_BYTES"],
        async_handlers=False,
        path=SOCKET_PATH,
        **on_queue,
    )
    register_socket_route(app)
    # Each socket's messages are handled one after another, on the task that reads them: a
    # client may send an update before the one it builds on is acknowledged, and a binary
    # event's attachment must follow its header. Left to python-engineio, every message
    # would run on a task of its own, in either order. Different sockets still run at once;
    # a handler waits for its room at most WAIT_S, well inside the ping timeout.
    socketio.server.eio.async_handlers = False
    app.wsgi_app = for_socket_layer(app.wsgi_app)  # type: ignore[assignment]
    keep_packets_whole(socketio.server)


def register_blueprints(app: Flask) -> None:
    """Mount the site's blueprints; document pages last, as they take any top-level slug."""
    from wiki import health
    from wiki.access import audit_views
    from wiki.discussion import api as discussion_api
    from wiki.discussion import pages as discussion_pages
    from wiki.documents import housekeeping_views, sharing_views
    from wiki.documents import views as document_views
    from wiki.history import api, exports
    from wiki.history import views as history_views
    from wiki.notify import views as notify_views
    from wiki.numbers import NumberConverter
    from wiki.people import admin_views, auth_views
    from wiki.plans import api as plans_api
    from wiki.plans import board, record
    from wiki.plans import pages as plan_pages
    from wiki.publish import views as publish
    from wiki.search import views as search_views

    # Before any route is added: every <int:…> then stops at what the database can hold.
    app.url_map.converters["int"] = NumberConverter
    blueprints = (
        health,
        auth_views,
        admin_views,
        api,
        discussion_api,
        plans_api,
        search_views,
        sharing_views,
        housekeeping_views,
        audit_views,
        exports,
        publish,
        history_views,
        discussion_pages,
        plan_pages,
        board,
        record,
        notify_views,
        document_views,  # last: its routes take any top-level slug
    )
    for module in blueprints:
        app.register_blueprint(module.bp)


def register_hooks(app: Flask) -> None:
    """Security headers, error pages and template helpers."""
    from wiki.errors import register_errors
    from wiki.security import register_security
    from wiki.templating import register_templating

    register_security(app)
    register_errors(app)
    register_templating(app)


def register_cli(app: Flask) -> None:
    """The ``flask --app wiki`` commands."""
    from wiki.cli import register_commands
    from wiki.notify.cli import notify_cli
    from wiki.notify.live import init_notify

    register_commands(app)
    app.cli.add_command(notify_cli)
    init_notify(app)
