"""``make run``'s server keeps an idle connection open longer than a long-polling client's gaps.

A long-polling client sends its next request on a connection it already holds. A server
that closed that connection after two idle seconds (gunicorn's default) lost a POST now
and then: the client saw the connection closed without an answer, and the frame in it,
and its acknowledgement, were gone.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

IDLE_S = 5.0  # longer than gunicorn's default keep-alive, far shorter than the ping interval


def test_a_connection_idle_for_seconds_still_takes_the_next_request(live_server) -> None:  # type: ignore[no-untyped-def]
    address = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        conn.request("GET", "/login")
        first = conn.getresponse()
        first.read()
        assert first.status == 200
        held = conn.sock
        time.sleep(IDLE_S)
        conn.request("GET", "/login")  # on the same socket: closed, it would raise here
        second = conn.getresponse()
        second.read()
        assert second.status == 200
        assert conn.sock is held
    finally:
        conn.close()
