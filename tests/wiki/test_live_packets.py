"""A binary frame and its attachment leave for a socket together, whoever else sends to it."""

from __future__ import annotations

import threading
import time
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import socketio
from packaging.requirements import Requirement
from socketio import packet

from wiki.live import NAMESPACE, keep_packets_whole

SENDS = 40
REPO = Path(__file__).resolve().parents[2]


class Wire:
    """What a socket was sent, in order; each send yields the processor, as a busy one would."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, _eio_sid: str, data: Any) -> None:
        time.sleep(0.0005)
        self.sent.append(data)

    def send_packet(self, eio_sid: str, eio_packet: Any) -> None:
        self.send(eio_sid, eio_packet.data)


def split_frames(sent: list[Any]) -> int:
    """How many binary frames were not followed at once by their attachment."""
    return sum(
        1
        for part, following in zip(sent, [*sent[1:], None], strict=True)
        if isinstance(part, str) and part.startswith("51-") and not isinstance(following, bytes)
    )


def cross(server: socketio.Server, wire: Wire) -> int:
    """A room's thread broadcasts frames while a handler acknowledges, to one socket."""
    server.eio.send, server.eio.send_packet = wire.send, wire.send_packet  # type: ignore[method-assign]
    sid = server.manager.connect("eio-1", NAMESPACE)

    def broadcast() -> None:
        for n in range(SENDS):
            server.emit("frame", {"msg": bytes([n])}, to=sid, namespace=NAMESPACE)

    def acknowledge() -> None:
        for n in range(SENDS):
            ack = packet.Packet(packet.ACK, namespace=NAMESPACE, data=[{"ok": True}], id=n)
            server._send_packet("eio-1", ack)

    threads = [threading.Thread(target=broadcast), threading.Thread(target=acknowledge)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wire.sent) == 3 * SENDS
    return split_frames(wire.sent)


def test_python_socketio_alone_splits_frames_under_crossing_sends() -> None:
    # The fault the wrapper is for, shown on the library by itself.
    assert cross(socketio.Server(async_mode="threading"), Wire()) > 0


def test_no_frame_is_split_once_packets_are_kept_whole() -> None:
    server = socketio.Server(async_mode="threading")
    keep_packets_whole(server)
    assert cross(server, Wire()) == 0


def test_a_server_without_the_wrapped_methods_refuses_to_start() -> None:
    for owner, name in (("server", "_send_packet"), ("manager", "emit")):
        server = socketio.Server(async_mode="threading")
        setattr(server if owner == "server" else server.manager, name, None)
        with pytest.raises(RuntimeError, match=rf"python-socketio has no {owner}\.{name}: "):
            keep_packets_whole(server)


def test_the_socketio_version_the_wrapper_was_checked_against_is_pinned() -> None:
    pins = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [dep for dep in pins["dependencies"] if dep.startswith("python-socketio")]
    assert wanted, "pyproject.toml must pin python-socketio: the wrapper patches its methods"
    assert all(Requirement(dep).specifier.contains(version("python-socketio")) for dep in wanted)
    assert all("<" in str(Requirement(dep).specifier) for dep in wanted), wanted
