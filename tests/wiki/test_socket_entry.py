"""What the socket layer is shown of each request, and its path's place in the URL map."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, request

from wiki.live.handshake import OFFER, SERVER_SOCKET, SOCKET_ENDPOINT, for_socket_layer

UPGRADE = {"HTTP_UPGRADE": "websocket", "HTTP_CONNECTION": "Upgrade"}


def seen_by_socket_layer(environ: dict[str, Any]) -> dict[str, Any]:
    """The environ the wrapped app gets for ``environ``."""
    seen: dict[str, Any] = {}

    def app(env: dict[str, Any], _start_response: Any) -> Iterable[bytes]:
        seen.update(env)
        return [b""]

    for_socket_layer(app)(environ, lambda *_: None)  # type: ignore[arg-type]
    return seen


def test_a_websocket_upgrade_keeps_the_servers_socket_without_the_compression_offer() -> None:
    server_socket = object()
    seen = seen_by_socket_layer(
        {**UPGRADE, SERVER_SOCKET: server_socket, OFFER: "permessage-deflate"}
    )
    assert seen[SERVER_SOCKET] is server_socket, "the WebSocket server reads it to upgrade"
    assert OFFER not in seen


def test_other_requests_are_not_shown_the_servers_socket() -> None:
    seen = seen_by_socket_layer({"REQUEST_METHOD": "POST", SERVER_SOCKET: object()})
    assert SERVER_SOCKET not in seen
    assert seen["REQUEST_METHOD"] == "POST"


def test_a_socket_events_request_context_matches_the_socket_path(app: Flask) -> None:
    with app.test_request_context("/socket.io/?EIO=4&transport=polling"):
        assert request.routing_exception is None
        assert request.endpoint == SOCKET_ENDPOINT


def test_the_socket_path_is_answered_by_the_socket_layer_not_the_route(app: Flask) -> None:
    answer = app.test_client().get("/socket.io/?EIO=4&transport=polling")
    assert answer.status_code == 200
    assert answer.get_data().startswith(b"0{"), "an engine.io handshake opens the session"
