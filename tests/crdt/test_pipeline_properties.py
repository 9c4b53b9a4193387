"""Properties of the whole pipeline: clients, network, room, log and attribution together.

Several clients, each a document writing under a client id the room assigned to its own
person, type and delete concurrently on their own replicas. Their updates travel to the
room, and the room's acknowledged updates travel on to the other replicas, over a network
that duplicates messages and drops whatever is in flight when a client reconnects. A
reconnecting client does the sync handshake: it sends its diff against the room's state
vector and applies the room's diff against its own. At the end every replica, the room,
a rebuild from the store and a new room on the same store hold the same text, and every
surviving character is credited to the person whose client typed it: each client types
from its own alphabet, so a character names its typist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crdt.engine import Doc, Engine
from crdt.errors import UpdateRejected
from crdt.memory import MemoryStore
from crdt.room import Room, rebuild
from crdt.store import Sender
from crdt.terms import Limits
from crdt.updates import parse_state_vector, parse_update

DOC = 3
WAIT_S = 30.0
FRACTION = 1 << 16
# One alphabet per client: ASCII, Latin-1, and characters outside the BMP (two UTF-16 units,
# four UTF-8 bytes), so index conversions in every engine are part of the property.
ALPHABETS = ("abcde", "VWXYZ", "äöüßé", "🙂🚀🌍🎉🧪")
SENDERS = (
    Sender(11, 1, "government"),
    Sender(12, 2, "civil_society"),
    Sender(13, 1, "government"),  # a colleague of the first, same organisation
    Sender(14, 3, "civil_society"),
)
TYPIST = {
    ch: sender.person_id
    for alphabet, sender in zip(ALPHABETS, SENDERS, strict=True)
    for ch in alphabet
}

# The engine fixture holds no state between examples, so reusing it across them is safe.
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Client:
    sender: Sender
    client_id: int
    doc: Doc
    alphabet: str
    outbox: list[bytes] = field(default_factory=list)  # in flight to the room
    inbox: list[bytes] = field(default_factory=list)  # in flight from the room


@dataclass(frozen=True)
class Step:
    """One thing that happens. Drawn before anything runs, so that no draw depends on the
    state (or races the room's thread): positions are fractions of whatever length there is."""

    client: int  # taken modulo the number of clients
    action: str
    where: int  # a fraction of FRACTION
    count: int
    letters: int  # which letters of the client's alphabet to type
    duplicated: bool


ACTIONS = ("type", "type", "delete", "send", "send", "receive", "receive", "reconnect")
STEPS = st.builds(
    Step,
    client=st.integers(0, len(ALPHABETS) - 1),
    action=st.sampled_from(ACTIONS),
    where=st.integers(0, FRACTION - 1),
    count=st.integers(1, 4),
    letters=st.integers(0, 5**4 - 1),
    duplicated=st.booleans(),
)


class Network:
    """The room, its clients and the messages between them."""

    def __init__(self, engine: Engine, room: Room, client_ids: list[int], reorder: bool) -> None:
        self.room = room
        self.reorder = reorder
        self.clients = [
            Client(sender, client_id, engine.new_doc(client_id), alphabet)
            for client_id, alphabet, sender in zip(client_ids, ALPHABETS, SENDERS, strict=False)
        ]

    def step(self, step: Step) -> None:
        getattr(self, step.action)(self.clients[step.client % len(self.clients)], step)

    def type(self, client: Client, step: Step) -> None:
        at = step.where * (len(client.doc.text()) + 1) // FRACTION
        size = len(client.alphabet)
        chars = "".join(client.alphabet[step.letters // size**k % size] for k in range(step.count))
        client.outbox.append(client.doc.edit([(at, 0, chars)]))

    def delete(self, client: Client, step: Step) -> None:
        length = len(client.doc.text())
        at = step.where * length // FRACTION
        if at < length:
            client.outbox.append(client.doc.edit([(at, min(step.count, length - at), "")]))

    def _take(self, queue: list[bytes], step: Step) -> tuple[int, bytes]:
        """The next message of a link: the oldest, or any if the link reorders; maybe twice."""
        index = step.where * len(queue) // FRACTION if self.reorder else 0
        if step.duplicated:  # a copy stays in flight
            return index, queue[index]
        return index, queue.pop(index)

    def send(self, client: Client, step: Step) -> None:
        if client.outbox:
            index, update = self._take(client.outbox, step)
            if not self.submit(client, update) and update not in client.outbox:
                client.outbox.insert(index, update)  # refused for now: the client resends it

    def submit(self, client: Client, update: bytes) -> bool:
        """Send an update to the room; False if the room refused it for now.

        The room may hold an update that builds on edits it lacks (as Yjs does) or refuse
        it until those arrive; it must not refuse anything else a well-behaved client sends.
        """
        room_vector = self.room.call(lambda doc: doc.state_vector()).result(WAIT_S)
        try:
            seq = self.room.submit(client.sender, client.client_id, update).result(WAIT_S)
        except UpdateRejected as refusal:
            known = parse_state_vector(room_vector)
            lacking = {c: n for c, n in parse_update(update).needs.items() if known.get(c, 0) < n}
            assert lacking, f"the room refused an update it had all it needs for: {refusal}"
            return False
        if seq is not None:  # stored, so broadcast to everyone else
            for other in self.clients:
                if other is not client:
                    other.inbox.append(update)
        return True

    def receive(self, client: Client, step: Step) -> None:
        if client.inbox:
            client.doc.apply_update(self._take(client.inbox, step)[1])

    def reconnect(self, client: Client, step: Step | None = None) -> None:
        """Lose what is in flight, then sync: each side sends the other what it lacks."""
        client.outbox.clear()
        client.inbox.clear()
        room_vector = self.room.call(lambda doc: doc.state_vector()).result(WAIT_S)
        own_vector = client.doc.state_vector()
        assert self.submit(client, client.doc.encode_diff(room_vector))
        client.doc.apply_update(
            self.room.call(lambda doc: doc.encode_diff(own_vector)).result(WAIT_S)
        )

    def settle(self) -> None:
        """Deliver everything in flight, then sync every client with the room twice round."""
        for client in self.clients:  # in the order typed, so each has what it builds on
            while client.outbox:
                assert self.submit(client, client.outbox.pop(0))
        for client in self.clients:
            while client.inbox:
                client.doc.apply_update(client.inbox.pop(0))
        for _ in range(2):
            for client in self.clients:
                self.reconnect(client)


def credited(store: MemoryStore, attribution: Any) -> list[tuple[str, int | None]]:
    """Each visible character with the person of the revision that inserted it."""
    runs = [run for run in attribution.runs() if run.visible]
    rows = {row.number: row for row in store.revision_rows(DOC, {run.ins_rev for run in runs})}
    return [(ch, rows[run.ins_rev].person_id) for run in runs for ch in run.text]


# Client ids are the server's, stored before anyone writes. They are drawn (the room would
# pick at random) because Yjs orders concurrent inserts at one place by client id, and a
# failure must replay the same way.
PLANS = st.fixed_dictionaries(
    {
        "checkpoint_every": st.sampled_from([2, 3, 5, 500]),
        "client_ids": st.lists(
            st.integers(1, 2**31 - 1), min_size=2, max_size=len(ALPHABETS), unique=True
        ),
        "steps": st.lists(STEPS, min_size=1, max_size=40),
    }
)


def check_pipeline(engine: Engine, plan: dict[str, Any], *, reorder: bool) -> None:
    store = MemoryStore()
    limits = Limits(checkpoint_every=plan["checkpoint_every"])
    client_ids = plan["client_ids"]
    clients = len(client_ids)
    for client_id, sender in zip(client_ids, SENDERS, strict=False):
        assert store.assign_client(DOC, sender.person_id, client_id)
    room = Room(DOC, engine, store, limits, history=store)
    try:
        net = Network(engine, room, client_ids, reorder)
        for step in plan["steps"]:
            net.step(step)
        net.settle()

        text, head = room.text().result(WAIT_S)
        assert [client.doc.text() for client in net.clients] == [text] * clients
        assert head == store.head_seq(DOC)
        assert [record.seq for record in store.records(DOC, 0, head + 1)] == list(
            range(1, head + 1)
        )
        replay = engine.new_doc()
        replayed = {0: ""}
        for record in store.records(DOC, 0, head + 1):
            replay.apply_update(record.data)
            replayed[record.seq] = replay.text()
        assert replayed[head] == text
        for seq, old_text in replayed.items():  # checkpoints stand in for the log exactly
            assert rebuild(engine, store, DOC, seq).text() == old_text, f"rebuilt at {seq}"
        history = room.history().result(WAIT_S)
        assert (history.seq, history.text, history.attribution.text()) == (head, text, text)
        assert credited(store, history.attribution) == [(ch, TYPIST[ch]) for ch in text]
        rows = store.revision_rows(DOC, range(1, head + 1))
        senders = {sender.person_id: sender for sender in SENDERS}
        for row in rows:  # each revision carries its person's organisation, never another's
            sender = senders[row.person_id]
            assert (row.organisation_id, row.organisation_kind) == (
                sender.organisation_id,
                sender.organisation_kind,
            )
    finally:
        room.close()

    # A new room on the same store: loaded from checkpoints, attributed from its checkpoints.
    reopened = Room(DOC, engine, store, limits, history=store)
    try:
        assert reopened.text().result(WAIT_S) == (text, head)
        again = reopened.history().result(WAIT_S)
        assert credited(store, again.attribution) == [(ch, TYPIST[ch]) for ch in text]
    finally:
        reopened.close()


@PROPERTY
@given(plan=PLANS)
def test_replicas_room_and_store_converge_and_credit_each_typist_over_a_lossy_network(
    engine: Engine, plan: dict[str, Any]
) -> None:
    """Links deliver in order (as one socket does) but duplicate, and lose all on reconnect."""
    check_pipeline(engine, plan, reorder=False)


@PROPERTY
@given(plan=PLANS)
def test_replicas_room_and_store_converge_and_credit_each_typist_when_links_reorder(
    engine: Engine, plan: dict[str, Any]
) -> None:
    """Any message in flight may arrive next: updates reach docs before what they build on."""
    check_pipeline(engine, plan, reorder=True)
