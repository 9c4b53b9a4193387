// The wire contract with the server, named once. Mirrors crdt/doc.py (TEXT_NAME),
// crdt/protocol.py (message numbers) and wiki/live/contract.py (namespace, events, codes).

/** Name of the one shared Y.Text of every document. */
export const Y_TEXT_NAME = "markdown";

/** Socket.IO namespace and events of live co-editing. */
export const NAMESPACE = "/collab";
export const EVENT_JOIN = "join";
export const EVENT_FRAME = "frame";
export const EVENT_LEAVE = "leave";
/** Server to client: what this socket may do now (`can_edit`, `can_comment`), when it changed. */
export const EVENT_ACCESS = "access";
/** Server to client: a comment made or changed (`{doc, comment}`, the comment as the API gives it). */
export const EVENT_COMMENT = "comment";
/** Server to client: this person's inbox changed (`{}`); ask `/-/inbox/count` for the number. */
export const EVENT_INBOX = "inbox";

/** Why the server refused an event: the `code` of a refusal. */
export const CODE_NOT_FOUND = "not_found";
export const CODE_NOT_JOINED = "not_joined";
export const CODE_READ_ONLY = "read_only";
export const CODE_TOO_LARGE = "too_large";
export const CODE_MALFORMED = "malformed";
export const CODE_FORGED = "forged";
export const CODE_RATE_LIMITED = "rate_limited";
export const CODE_MISSING_DEPENDENCY = "missing_dependency";
export const CODE_STORAGE_UNAVAILABLE = "storage_unavailable";
export const CODE_BUSY = "busy";
export const CODE_INTERNAL = "internal";

/** Refusals worth sending again later; every other refusal is final. */
export const RETRYABLE_CODES = [
  CODE_RATE_LIMITED,
  CODE_MISSING_DEPENDENCY,
  CODE_STORAGE_UNAVAILABLE,
  CODE_BUSY,
];

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
