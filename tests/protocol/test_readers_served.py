"""``make run``'s server (gunicorn, one gevent worker) hands the history pages to its reader."""

from __future__ import annotations

import time

from crdt import protocol
from tests.harness.client import replica, signed_in_session
from tests.protocol.test_collab_protocol import EDITOR, connect
from wiki.readers import RENDERED_BY_HEADER

DOC = "meeting-notes-14-may"
READY_S = 60.0  # the reader process starts beside the server; it may still be starting


def test_the_attribution_is_rendered_by_the_reader_process_with_an_edit_just_made(  # type: ignore[no-untyped-def]
    live_server, sockets
) -> None:
    client = connect(live_server, sockets, EDITOR)
    ack = client.call("join", {"doc": DOC})
    assert ack["ok"] is True and ack["can_edit"] is True
    doc = replica(ack["client_id"])
    client.sync(DOC, doc)
    update = doc.edit([(0, 0, "A line the reader process shows.\n\n")])
    assert client.send(DOC, protocol.encode_sync_update(update)) == {"ok": True}

    http = signed_in_session(live_server.url, EDITOR, live_server.accounts[EDITOR])
    deadline = time.monotonic() + READY_S
    while True:
        page = http.get(live_server.url_for(f"/{DOC}/attribution"), timeout=30)
        assert page.status_code == 200
        assert "A line the reader process shows." in page.text
        if page.headers.get(RENDERED_BY_HEADER) == "reader":
            break
        assert time.monotonic() < deadline, "no reader rendered it:\n" + live_server.log_tail()
        time.sleep(0.5)
