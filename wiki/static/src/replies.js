// What the server's answers mean. Decisions read the refusal's `code` only: its `error`
// is for people and may be reworded or translated at any time.
import { applyAwarenessUpdate } from "y-protocols/awareness";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { CODE_NOT_JOINED, RETRYABLE_CODES } from "./constants.js";

/** Whether a refused event is worth sending again later (storage away, busy, too fast). */
export function isRetryable(reply) {
  return RETRYABLE_CODES.includes(reply?.code);
}

/** Whether the server forgot our join (it restarted, or we lost access and got it back). */
export function needsJoin(reply) {
  return reply?.code === CODE_NOT_JOINED;
}

/**
 * Apply an awareness update entry by entry, skipping any entry this browser cannot read,
 * so that one peer's broken presence never stops the others' from showing.
 */
export function applyAwarenessSafely(awareness, update, origin) {
  try {
    applyAwarenessUpdate(awareness, update, origin);
    return;
  } catch (error) {
    console.warn("jointly: a presence update could not be read whole", error);
  }
  let entries;
  try {
    entries = readAwarenessEntries(update);
  } catch (error) {
    return console.warn("jointly: ignored an undecodable presence update", error);
  }
  for (const entry of entries) {
    try {
      applyAwarenessUpdate(awareness, entry, origin);
    } catch (error) {
      console.warn("jointly: ignored a broken presence entry", error);
    }
  }
}

/** Split an awareness update into one update per entry, as y-protocols encodes them. */
function readAwarenessEntries(update) {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, decoding.readVarUint(decoder)); // client id
    encoding.writeVarUint(encoder, decoding.readVarUint(decoder)); // clock
    encoding.writeVarString(encoder, decoding.readVarString(decoder)); // state JSON
    entries.push(encoding.toUint8Array(encoder));
  }
  return entries;
}
