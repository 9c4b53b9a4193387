"""Each socket's messages handled one after another, in the order they arrived.

python-engineio hands every message it receives to a task of its own, and python-socketio
every event to another, so two messages of one socket can run in either order: an update
can reach the room before the one it builds on (and is refused as missing a dependency),
and a binary event's attachment can be read before its header. A client may send without
waiting for acknowledgements, so the server must keep each socket's order itself. Here
every socket gets a queue, drained by one task while it holds messages, which runs the
events too (python-socketio's ``async_handlers`` off); different sockets still run at
once, and the transport's reader never waits on a handler (its pings go on).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

# python-engineio's private method that runs a handler; pyproject pins the version.
TRIGGER = "_trigger_event"


def handle_in_order(server: Any) -> None:
    """Make ``server`` (a python-socketio server) handle each socket's messages in order."""
    eio = server.eio
    trigger = getattr(eio, TRIGGER, None)
    if not callable(trigger):
        raise RuntimeError(
            f"python-engineio has no {TRIGGER}: Jointly needs it to keep each socket's "
            "messages in order. Install the version pyproject.toml pins (pip install -e .)."
        )
    setattr(eio, TRIGGER, _in_order(trigger, eio.start_background_task))
    server.async_handlers = False  # each event runs on its socket's task, in turn


def _in_order(trigger: Callable[..., Any], start: Callable[..., Any]) -> Callable[..., Any]:
    waiting: dict[str, deque[tuple[Any, ...]]] = {}
    lock = threading.Lock()

    def drain(sid: str) -> None:
        while True:
            with lock:
                queued = waiting[sid]
                if not queued:
                    del waiting[sid]
                    return
                args = queued.popleft()
            trigger("message", *args)  # here, on this socket's one task

    def trigger_in_order(event: str, *args: Any, **kwargs: Any) -> Any:
        if event != "message" or not kwargs.get("run_async"):
            return trigger(event, *args, **kwargs)
        sid = args[0]
        with lock:
            queued = waiting.get(sid)
            if queued is not None:  # its task is still draining: it takes this one too
                queued.append(args)
                return None
            waiting[sid] = deque([args])
        return start(drain, sid)

    return trigger_in_order
