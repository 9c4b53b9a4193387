"""A busy document's updates reach a long-polling socket gathered, whole, and only while it may.

Over long-polling every frame a socket receives is an HTTP answer and a new request, so the
server sends a document's updates to such a socket at most once per ``POLLING_GATHER_S``
(one second on this site, to see it): the first at once, the next ones merged when the
window ends. A WebSocket socket gets each at once.
"""

from __future__ import annotations

import queue
import time

from crdt import Doc, protocol
from tests.harness.client import CollabClient, replica, signed_in_session
from tests.protocol.instances import GATHER_S, Site, Visitor

SLUG = "final-draft"  # restricted, owned by the Cabinet Office Transparency Team
OWNER = "alex@cabinet.example.gov"
OUTSIDER = "jo@integrity.example.org"  # a reviewer of Integrity Watch: views, never edits
OUTSIDER_ORG = "Integrity Watch"
LATER = 5  # updates sent after the first, each acknowledged before the next
MIXED_PAUSE_S = 0.1  # longer than fast_site's window (the default)


def joined(
    site: Site, email: str, transport: str, sockets: list[CollabClient]
) -> tuple[CollabClient, Doc]:
    """A socket of ``email`` in the document and its synced replica."""
    url = site.server.url
    http = signed_in_session(url, email, site.instance.accounts[email])
    client = CollabClient(url, http, transport)
    sockets.append(client)
    answer = client.call("join", {"doc": SLUG})
    doc = replica(answer["client_id"])
    if answer["can_edit"]:
        client.sync(SLUG, doc)
    else:  # a viewer only takes the document: its answer to the server's step 1 is refused
        assert client.send(SLUG, protocol.encode_sync_step1(doc.state_vector())) == {"ok": True}
        doc.apply_update(client.next_frame().payload)
        assert client.next_frame().subtype == protocol.SYNC_STEP1
    return client, doc


def type_one(client: CollabClient, doc: Doc, char: str) -> None:
    """Send one update and wait for its acknowledgement."""
    update = doc.edit([(len(doc.text()), 0, char)])
    assert client.send(SLUG, protocol.encode_sync_update(update)) == {"ok": True}


def updates(client: CollabClient, timeout_s: float) -> list[bytes]:
    """The updates of the sync frames that arrive within ``timeout_s``."""
    found, end = [], time.monotonic() + timeout_s
    while (left := end - time.monotonic()) > 0:
        try:
            message = client.next_frame(timeout=left)
        except queue.Empty:
            break
        if message.kind == "sync":
            found.append(message.payload)
    return found


def test_a_polling_socket_gets_the_first_update_at_once_and_the_next_ones_as_one_frame(
    gather_site: Site, sockets: list[CollabClient]
) -> None:
    polling, seen = joined(gather_site, OWNER, "polling", sockets)
    websocket, _ = joined(gather_site, OWNER, "websocket", sockets)
    owner, doc = joined(gather_site, OWNER, "websocket", sockets)

    type_one(owner, doc, "a")
    opened = time.monotonic()
    seen.apply_update(polling.next_frame().payload)  # the first after a quiet window: at once
    for char in "bcdef"[:LATER]:
        type_one(owner, doc, char)
    assert polling.frames.empty(), "the next ones are held while the window is open"
    assert len([websocket.next_frame() for _ in range(1 + LATER)]) == 1 + LATER

    held = polling.next_frame(timeout=GATHER_S * 3)
    assert time.monotonic() - opened >= GATHER_S * 0.9, "sent when the window ended"
    assert updates(polling, GATHER_S * 1.5) == [], f"the {LATER} later updates came as one"
    seen.apply_update(held.payload)
    assert seen.text() == doc.text(), "nothing held is lost"


def test_updates_held_for_a_polling_socket_are_not_sent_once_its_share_is_withdrawn(
    gather_site: Site, sockets: list[CollabClient]
) -> None:
    instance, server = gather_site.instance, gather_site.server
    visitor = Visitor.sign_in(server, instance, OWNER)
    visitor.share(SLUG, instance.organisation_id(OUTSIDER_ORG))
    outsider, seen = joined(gather_site, OUTSIDER, "polling", sockets)
    owner, doc = joined(gather_site, OWNER, "websocket", sockets)

    type_one(owner, doc, "x")
    seen.apply_update(outsider.next_frame().payload)  # shared: the first goes at once
    secret = "withheld"
    for char in secret:
        type_one(owner, doc, char)  # held for the outsider's socket until the window ends
    visitor.withdraw(SLUG, instance.share_id(SLUG, OUTSIDER_ORG))

    for update in updates(outsider, GATHER_S * 3):
        seen.apply_update(update)
    assert secret in doc.text()
    assert secret not in seen.text(), "nothing held reaches a socket that lost access"


def test_frames_reach_the_websocket_and_polling_sockets_of_one_document_alike(
    fast_site: Site, sockets: list[CollabClient]
) -> None:
    websocket, on_websocket = joined(fast_site, OWNER, "websocket", sockets)
    polling, on_polling = joined(fast_site, OWNER, "polling", sockets)
    owner, doc = joined(fast_site, OWNER, "websocket", sockets)
    for char in "mixed":
        type_one(owner, doc, char)
        time.sleep(MIXED_PAUSE_S)  # past the window: each goes to both sockets at once
    for client, seen in ((websocket, on_websocket), (polling, on_polling)):
        for update in updates(client, 2.0):
            seen.apply_update(update)
        assert seen.text() == doc.text(), client.transport
