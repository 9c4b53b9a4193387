"""A document's updates for its long-polling sockets, sent at most once per short window.

Over long-polling every frame a socket receives ends an HTTP answer, and the client asks
again: a busy document cost its polling sockets one request per stored batch, and the one
serving process spent most of its time on requests. The first batch after a quiet window
goes at once; the ones stored in the next ``POLLING_GATHER_S`` are merged into one update
and sent when it ends. WebSocket sockets get every batch at once, as before.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

GATHER_KEY = "jointly.polling_gather"

log = logging.getLogger(__name__)

Recipient = tuple[str, str]  # (sid, slug)


@dataclass
class Held:
    """What a document's open window holds: updates and the polling sockets they are for."""

    updates: list[bytes] = field(default_factory=list)
    recipients: set[Recipient] = field(default_factory=set)


class PollingGather:
    """Windows per document; ``send`` delivers what one held, ``lose`` handles a failed send."""

    def __init__(
        self,
        window_s: float,
        send: Callable[[int, Held], None],
        lose: Callable[[set[Recipient]], None],
        start: Callable[..., object],
        sleep: Callable[[float], object],
    ) -> None:
        self.window_s = window_s
        self._send, self._lose, self._start, self._sleep = send, lose, start, sleep
        self._lock = threading.Lock()
        self._open: dict[int, Held] = {}

    def hold(self, doc_id: int, updates: list[bytes], recipients: set[Recipient]) -> bool:
        """Keep these for the document's open window; False: none was open, send them now.

        Sending now opens a window, so what the next ``window_s`` brings is held.
        """
        with self._lock:
            held = self._open.get(doc_id)
            if held is None:
                self._open[doc_id] = Held()
            else:
                held.updates.extend(updates)
                held.recipients |= recipients
        if held is None:
            self._start(self._keep_window, doc_id)
        return held is not None

    def _keep_window(self, doc_id: int) -> None:
        """Send what each window gathered as it ends; stop after a window that held nothing."""
        while True:
            self._sleep(self.window_s)
            with self._lock:
                held = self._open.pop(doc_id)
                if held.updates:
                    self._open[doc_id] = Held()
            if not held.updates:
                return
            try:
                self._send(doc_id, held)
            except Exception:
                # The sockets missed updates: they reconnect and sync rather than drift.
                log.exception("gathered updates of document %s not sent", doc_id)
                self._lose(held.recipients)


def polling_gather(app: Flask | None = None) -> PollingGather | None:
    """The app's windows, or None when batches go to polling sockets at once."""
    return (app or current_app).extensions.get(GATHER_KEY)
