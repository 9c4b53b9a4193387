"""WebSocket handshakes without compression.

Every browser offers permessage-deflate, and the WebSocket server accepts whatever is
offered. Each frame is then compressed once for every socket it goes to, with a compressor
of each socket's own: fifty editors of one document had every keystroke compressed fifty
times, for updates of a few dozen bytes that barely shrink. Taking the offer out of the
request leaves the frames as they are; proxies and the HTTP pages are unaffected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

OFFER = "HTTP_SEC_WEBSOCKET_EXTENSIONS"


def without_compression(app: WSGIApplication) -> WSGIApplication:
    """``app``, to which no request offers a WebSocket extension."""

    def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ.pop(OFFER, None)
        return app(environ, start_response)

    return serve
