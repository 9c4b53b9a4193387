"""Levels live: view and comment follow a document, only edit writes; changes reach the socket.

The join's answer says what a socket may do (``can_edit``, ``can_comment``); an ``access``
event says it again when the owner changes a grant or lets every member edit on the Sharing
page, and the socket's next update follows the new answer without a new join
(docs/live-protocol.md). Grants are changed as the owner would, through the Sharing page.
"""

from __future__ import annotations

import queue
from typing import Any

import pytest

from crdt import protocol
from crdt.engine import Doc
from tests.browser.conftest import LiveServer
from tests.harness.client import NAMESPACE, CollabClient, replica, signed_in_session
from tests.protocol.instances import Visitor

EVENT_ACCESS = "access"
WAIT_S = 10.0
READ_ONLY = {
    "ok": False,
    "code": "read_only",
    "error": "You can view this document but not edit it.",
    "retry": False,
}
# restricted, owned by the Cabinet Office Transparency Team; Department for Business and Trade
# and Civil Society Network edit, Open Ownership Network comments, PWYP views
FINAL = "final-draft"
# network, owned by the Cabinet Office Transparency Team; the department and Civil Society
# Network edit; every other member comments
NARRATIVE = "plan-narrative"
OWNER = "alex@cabinet.example.gov"  # Cabinet Office Transparency Team
KWAME = "kwame@openownership.example.org"  # Kwame Mensah, Open Ownership Network
KWAME_NAME = "Kwame Mensah"  # as the Sharing page lists his grant
KWAME_LABEL = f"{KWAME_NAME}, Open Ownership Network"  # as its grant form offers him
LENA = "lena@pwyp.example.org"  # Publish What You Pay Coalition
REVIEWER = "jo@integrity.example.org"  # Integrity Watch; a reviewer never edits


def join(
    server: LiveServer, made: list[CollabClient], email: str, slug: str
) -> tuple[CollabClient, dict[str, Any], queue.Queue[dict[str, Any]]]:
    """A socket of ``email`` joined to ``slug``; the join's answer; the access events it hears."""
    client = CollabClient(server.url, signed_in_session(server.url, email, server.accounts[email]))
    made.append(client)
    heard: queue.Queue[dict[str, Any]] = queue.Queue()
    client.sio.on(EVENT_ACCESS, heard.put, namespace=NAMESPACE)
    ack = client.call("join", {"doc": slug})
    assert ack["ok"] is True, ack
    return client, ack, heard


def rights(answer: dict[str, Any]) -> tuple[bool, bool]:
    """``(can_edit, can_comment)`` of a join's answer or an access event."""
    return answer["can_edit"], answer["can_comment"]


def follow(client: CollabClient, slug: str, doc: Doc) -> None:
    """Sync step 1 and the server's step 2 into ``doc``, as a reader does: it sends no step 2."""
    assert client.send(slug, protocol.encode_sync_step1(doc.state_vector())) == {"ok": True}
    for subtype in (protocol.SYNC_STEP2, protocol.SYNC_STEP1):
        message = client.next_frame()
        while message.kind != "sync":  # others' presence may come first
            message = client.next_frame()
        assert message.subtype == subtype
        if subtype == protocol.SYNC_STEP2:
            doc.apply_update(message.payload)


def write(client: CollabClient, slug: str, doc: Doc, words: str) -> dict[str, Any]:
    """Insert ``words`` at the start of ``doc`` and send the update; the server's answer."""
    update = doc.edit([(0, 0, words)])
    return client.send(slug, protocol.encode_sync_update(update))  # type: ignore[no-any-return]


@pytest.fixture
def owner(live_server: LiveServer) -> Visitor:
    """Alex, signed in: his organisation owns final-draft and the narrative."""
    return Visitor.at(live_server.url, OWNER, live_server.accounts[OWNER])


@pytest.mark.parametrize(
    ("email", "slug", "can_comment"),
    [
        (KWAME, FINAL, True),
        (LENA, FINAL, False),
        (REVIEWER, NARRATIVE, True),
        (LENA, NARRATIVE, True),
    ],
    ids=["comment-grant", "view-grant", "reviewer-member", "network-member"],
)
def test_commenters_and_viewers_join_read_only_and_their_updates_change_nothing(
    live_server: LiveServer,
    sockets: list[CollabClient],
    owner: Visitor,
    email: str,
    slug: str,
    can_comment: bool,
) -> None:
    client, ack, heard = join(live_server, sockets, email, slug)
    assert rights(ack) == (False, can_comment)
    doc = replica(ack["client_id"])
    follow(client, slug, doc)
    before = owner.get(f"/{slug}/raw")
    assert doc.text() == before  # they read the document as it is stored
    assert write(client, slug, doc, f"{email} was here. ") == READ_ONLY
    sync_step2 = protocol.encode_sync_step2(doc.encode_diff(b"\x00"))  # nor through a sync
    assert client.send(slug, sync_step2) == READ_ONLY
    assert owner.get(f"/{slug}/raw") == before
    assert client.sio.connected and heard.empty()  # still following, nothing changed


@pytest.mark.parametrize(
    ("email", "slug"),
    [
        (OWNER, FINAL),
        (OWNER, NARRATIVE),
        ("maria@civilsociety.example.org", "meeting-notes-14-may"),
        ("priya@business.example.gov", "extractive-payments"),
    ],
    ids=["restricted", "network", "notes-of-a-cso", "commitment-of-a-department"],
)
def test_the_owner_organisation_always_joins_able_to_edit(
    live_server: LiveServer, sockets: list[CollabClient], email: str, slug: str
) -> None:
    _client, ack, _heard = join(live_server, sockets, email, slug)
    assert set(ack) == {"ok", "client_id", "can_edit", "can_comment"}
    assert rights(ack) == (True, True) and isinstance(ack["client_id"], int)


def test_edit_granted_and_withdrawn_while_joined_reaches_the_socket_and_its_next_update(
    live_server: LiveServer, sockets: list[CollabClient], owner: Visitor
) -> None:
    member, ack, heard = join(live_server, sockets, KWAME, FINAL)  # comments through his org
    assert rights(ack) == (False, True)
    doc = replica(ack["client_id"])
    follow(member, FINAL, doc)
    try:
        owner.grant(FINAL, KWAME_LABEL, "edit")  # to him, over his organisation's comment
        given = heard.get(timeout=WAIT_S)
        assert given == {"doc": FINAL, "can_edit": True, "can_comment": True}
        assert write(member, FINAL, doc, "Granted, then written. ") == {"ok": True}
        assert owner.get(f"/{FINAL}/raw").startswith("Granted, then written. ")
    finally:
        grant = owner.grant_id(FINAL, KWAME_NAME)
        if grant is not None:
            owner.withdraw(FINAL, grant)
    taken = heard.get(timeout=WAIT_S)
    assert taken == {"doc": FINAL, "can_edit": False, "can_comment": True}
    assert member.sio.connected  # his organisation's grant still lets him follow
    before = owner.get(f"/{FINAL}/raw")
    assert write(member, FINAL, doc, "Written after the withdrawal. ") == READ_ONLY
    assert owner.get(f"/{FINAL}/raw") == before
    assert heard.empty()


def test_letting_every_member_edit_reaches_members_but_never_a_reviewer(
    live_server: LiveServer, sockets: list[CollabClient], owner: Visitor
) -> None:
    member, member_ack, member_heard = join(live_server, sockets, LENA, NARRATIVE)
    reviewer, reviewer_ack, reviewer_heard = join(live_server, sockets, REVIEWER, NARRATIVE)
    assert rights(member_ack) == rights(reviewer_ack) == (False, True)
    doc = replica(member_ack["client_id"])
    follow(member, NARRATIVE, doc)
    try:
        owner.let_members(NARRATIVE, "edit")
        given = member_heard.get(timeout=WAIT_S)
        assert given == {"doc": NARRATIVE, "can_edit": True, "can_comment": True}
        assert write(member, NARRATIVE, doc, "Every member may edit. ") == {"ok": True}
        # The reviewer's answer comes after any event the change sent to the reviewer's socket.
        refused = write(reviewer, NARRATIVE, replica(reviewer_ack["client_id"]), "Jo edits. ")
        assert refused == READ_ONLY and reviewer_heard.empty()
        _again, rejoined, _heard = join(live_server, sockets, REVIEWER, NARRATIVE)
        assert rights(rejoined) == (False, True)
        text = owner.get(f"/{NARRATIVE}/raw")
        assert text.startswith("Every member may edit. ") and "Jo edits. " not in text
    finally:
        owner.let_members(NARRATIVE, "comment")
    taken = member_heard.get(timeout=WAIT_S)
    assert taken == {"doc": NARRATIVE, "can_edit": False, "can_comment": True}
    assert reviewer_heard.empty()
