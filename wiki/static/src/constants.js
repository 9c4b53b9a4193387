// The wire contract with the server, named once. Mirrors crdt/engine.py (TEXT_NAME),
// crdt/protocol.py (message numbers) and wiki/collab.py (namespace and events).

/** Name of the one shared Y.Text of every document. */
export const Y_TEXT_NAME = "markdown";

/** Socket.IO namespace and events of live co-editing. */
export const NAMESPACE = "/collab";
export const EVENT_JOIN = "join";
export const EVENT_FRAME = "frame";
export const EVENT_LEAVE = "leave";

/** y-protocols message types (first varuint of a frame). */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_QUERY_AWARENESS = 3;

/** Sync message subtypes (second varuint of a sync frame). */
export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

/** Organisation kinds; anything else a peer claims is shown as "other". */
export const KIND_LABELS = {
  government: "Government",
  civil_society: "Civil society",
  other: "Other",
};
