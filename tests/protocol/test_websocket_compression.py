"""``make run``'s server sends WebSocket frames uncompressed, whatever the browser offers.

Every browser offers permessage-deflate. Accepted, each frame is compressed once per socket
it goes to: fifty editors of one document made the server compress every keystroke fifty
times, for updates of a few dozen bytes that barely shrink.
"""

from __future__ import annotations

import base64
import os
import socket
from urllib.parse import urlsplit

HANDSHAKE = (
    "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
    "Host: {host}\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: {key}\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    "\r\n"
)


def test_a_websocket_offered_compression_opens_without_it(live_server) -> None:  # type: ignore[no-untyped-def]
    address = urlsplit(live_server.url)
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(HANDSHAKE.format(host=address.netloc, key=key).encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(4096)
            assert chunk, f"the server closed the connection after {answer!r}"
            answer += chunk
    status, *headers = answer.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    assert status.startswith("HTTP/1.1 101"), status
    names = {line.split(":", 1)[0].strip().lower() for line in headers}
    assert "upgrade" in names
    assert "sec-websocket-extensions" not in names, headers
