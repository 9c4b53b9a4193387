// y-protocols framing as pure functions over bytes: one frame is one message, exactly as
// y-websocket frames it, so the server can decode it with the same rules.
import { toBase64 } from "lib0/buffer";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import {
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
  SYNC_STEP1,
  SYNC_STEP2,
  SYNC_UPDATE,
} from "./constants.js";

function syncMessage(subtype, payload) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, subtype);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** "Here is my state vector, send me what I lack." */
export const encodeSyncStep1 = (stateVector) => syncMessage(SYNC_STEP1, stateVector);

/** The update that answers a peer's step 1. */
export const encodeSyncStep2 = (update) => syncMessage(SYNC_STEP2, update);

/** One incremental update. */
export const encodeSyncUpdate = (update) => syncMessage(SYNC_UPDATE, update);

/** An awareness message carrying an encoded awareness update. */
export function encodeAwareness(awarenessUpdate) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessUpdate);
  return encoding.toUint8Array(encoder);
}

/** "Send me everyone's presence." */
export const encodeQueryAwareness = () => Uint8Array.of(MESSAGE_QUERY_AWARENESS);

/** Split a frame into {type, subtype, payload}; throws on truncated input. */
export function decodeMessage(bytes) {
  const decoder = decoding.createDecoder(bytes);
  const type = decoding.readVarUint(decoder);
  if (type === MESSAGE_SYNC) {
    const subtype = decoding.readVarUint(decoder);
    return { type, subtype, payload: decoding.readVarUint8Array(decoder) };
  }
  if (type === MESSAGE_AWARENESS) {
    return { type, subtype: null, payload: decoding.readVarUint8Array(decoder) };
  }
  return { type, subtype: null, payload: new Uint8Array(0) };
}

/**
 * What a frame event carries over `transport`. Over long-polling socket.io-client sends a
 * binary event as two HTTP requests, its header and then its bytes, one after the other;
 * the same message as base64 text goes in one.
 */
export function frameEvent(doc, msg, transport) {
  return transport === "polling" ? { doc, msg_base64: toBase64(msg) } : { doc, msg };
}

/** Socket.IO hands binary over as ArrayBuffer (or a view); Yjs wants a Uint8Array. */
export function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError("a frame's msg must be binary");
}
