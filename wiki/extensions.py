"""Flask extension objects, bound to an app in the factory."""

from __future__ import annotations

from engineio.payload import Payload
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
socketio = SocketIO()

# Engine.IO refuses a long-polling POST of more than 16 packets, and each binary event is
# two: a client behind a proxy that blocks WebSockets sends everything it queued in one
# POST, so a burst of frames would lose the connection. A POST is already held to
# max_http_buffer_size bytes (a packet is at least a few), which bounds the work instead.
Payload.max_decode_packets = 8192
