"""One socket's frames are handled in the order they arrived, whatever the transport.

A client that follows the contract may send its updates without waiting for each
acknowledgement; each builds on the one before, so the server must take them in order.
"""

from __future__ import annotations

import queue
import time
from typing import Any

import pytest

from crdt import protocol
from tests.harness.client import CollabClient, replica, signed_in_session
from tests.protocol.instances import Site

# Long-polling carries each POST's frames one after the other, a commit each: on a slow
# machine with PostgreSQL that is a few hundred a minute, so it sends fewer; the order is
# what is tested, and a few hundred dependent updates test it as well as a thousand.
UPDATES = {"websocket": 1000, "polling": 300}
EDITOR = "maria@civilsociety.example.org"  # owns the meeting notes
SLUG = "meeting-notes-14-may"


@pytest.mark.parametrize("transport", list(UPDATES))
def test_hundreds_of_updates_sent_without_waiting_are_all_stored_in_order(
    fast_site: Site, transport: str
) -> None:
    url = fast_site.server.url
    http = signed_in_session(url, EDITOR, fast_site.instance.accounts[EDITOR])
    client = CollabClient(url, http, transport)
    try:
        joined = client.call("join", {"doc": SLUG})
        doc = replica(joined["client_id"])
        client.sync(SLUG, doc)
        start = len(doc.text())
        count = UPDATES[transport]
        updates = [doc.edit([(start + i, 0, chr(0x61 + i % 26))]) for i in range(count)]
        acks: queue.Queue[Any] = queue.Queue()
        for update in updates:  # each builds on the one before; none waits for its ack
            frame = {"doc": SLUG, "msg": protocol.encode_sync_update(update)}
            client.emit("frame", frame, callback=acks.put)
        deadline = time.monotonic() + 120
        answers = []
        try:
            for _ in updates:
                answers.append(acks.get(timeout=max(0.1, deadline - time.monotonic())))
        except queue.Empty:
            raise AssertionError(f"{len(answers)} acks in time, {answers[-1:]}") from None
    finally:
        client.close()
    refused = [answer for answer in answers if answer != {"ok": True}]
    assert refused == [], f"{len(refused)} of {len(updates)} refused, first: {refused[:1]}"
    stored = http.get(f"{url}/{SLUG}/raw", timeout=10).text
    assert stored == doc.text()
