"""Document text: reading it from the live room and editing it through the one pipeline."""

from __future__ import annotations

from flask import Flask, current_app

from crdt import Hub, Limits, Listener, Sender, StorageUnavailable, UpdateRejected, get_engine
from wiki.errors import InvalidInput
from wiki.live.cluster import publishing, start_bus
from wiki.storage.database import rooms_engine
from wiki.storage.models import Document, Organisation, Person
from wiki.storage.store import SqlUpdateStore

HUB_KEY = "jointly.hub"
WAIT_S = 30.0


def init_hub(app: Flask, local: Listener) -> None:
    """Give the app its hub of live rooms; ``local`` passes what they store to sockets."""
    store = SqlUpdateStore(rooms_engine(app), derived=rooms_engine(app, on_disk=False))
    limits = Limits(
        max_update_bytes=app.config["MAX_UPDATE_BYTES"],
        max_document_chars=app.config["MAX_DOCUMENT_CHARS"],
        checkpoint_every=app.config["CHECKPOINT_EVERY_UPDATES"],
        revision_pause_s=app.config["REVISION_PAUSE_S"],
    )
    engine = get_engine(app.config["CRDT_ENGINE"])
    app.extensions[HUB_KEY] = room_hub = Hub(
        engine, store, limits, history=store, stores_history=app.config["WRITES_HISTORY"]
    )
    # Set before any room opens: each room takes the hub's listener when it starts.
    room_hub.listener = publishing(start_bus(app, room_hub), local)


def hub() -> Hub:
    """The current app's hub."""
    return current_app.extensions[HUB_KEY]  # type: ignore[no-any-return]


def sender_for(person: Person | None, organisation: Organisation) -> Sender:
    """The authenticated sender of an edit: a person, or an organisation for scripted set-up."""
    return Sender(
        person_id=person.id if person else None,
        organisation_id=organisation.id,
        organisation_kind=organisation.kind.value,
    )


def read_text(doc: Document) -> tuple[str, int]:
    """The document's current Markdown and the seq it reflects."""
    return hub().room(doc.id).text().result(WAIT_S)


def text_at(doc: Document, seq: int) -> str:
    """The document's Markdown as it was after update ``seq``."""
    return hub().text_at(doc.id, seq)


def edit_text(
    doc: Document, person: Person | None, organisation: Organisation, base_seq: int, text: str
) -> int | None:
    """Apply ``text`` as an edit made against the document as it was at ``base_seq``.

    The edit is the text diff between that old version and ``text``, replayed on the live
    document by the CRDT, so concurrent edits since ``base_seq`` merge instead of being
    overwritten. Returns the stored seq, or None when nothing changed.
    """
    room = hub().room(doc.id)
    person_id = person.id if person else None
    client_id, update = room.form_update(person_id, base_seq, text).result(WAIT_S)
    if not update:
        return None
    return room.submit(sender_for(person, organisation), client_id, update).result(WAIT_S)


def submit_form(doc: Document, person: Person, base_seq: int, text: str) -> int | None:
    """Apply a no-JavaScript form edit; raises InvalidInput with what the editor should do."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # browsers send CRLF from textareas
    limit = current_app.config["MAX_DOCUMENT_CHARS"]
    if len(text) > limit:
        raise InvalidInput(
            {"text": f"The text is {len(text):,} characters; the limit is {limit:,}."}
        )
    head = hub().room(doc.id).head().result(WAIT_S)
    if not 0 <= base_seq <= head:
        raise InvalidInput(
            {
                "text": "This form came from a version the server does not have. Copy your text, "
                "reload the page and make your change again."
            }
        )
    try:
        return edit_text(doc, person, person.organisation, base_seq, text)
    except StorageUnavailable as error:
        raise InvalidInput(
            {"text": f"Not saved: {error}. Your text is still here; try again."}
        ) from error
    except UpdateRejected as error:
        raise InvalidInput({"text": f"Not saved: {error}."}) from error
