// Comment anchors: a range of the shared text as two Yjs relative positions, which follow
// the text as it is edited. The bytes are those the server stores (crdt/anchors.py): the
// start sticks to the first character of the range, the end to the last.
import * as Y from "yjs";
import { fromBase64, toBase64 } from "lib0/buffer";

/** The anchor of `from..to` in `ytext`, as the comments API takes it: `{start, end}` in base64. */
export function anchorOf(ytext, from, to) {
  const start = Y.createRelativePositionFromTypeIndex(ytext, from, 0);
  const end = Y.createRelativePositionFromTypeIndex(ytext, to, -1);
  return {
    start: toBase64(Y.encodeRelativePosition(start)),
    end: toBase64(Y.encodeRelativePosition(end)),
  };
}

/** Decode an anchor as the API gives it; null when it does not decode. */
export function decodeAnchor(anchor) {
  try {
    return {
      start: Y.decodeRelativePosition(fromBase64(anchor.start)),
      end: Y.decodeRelativePosition(fromBase64(anchor.end)),
    };
  } catch {
    return null;
  }
}

/**
 * Where a decoded anchor stands now in `ytext`, as UTF-16 indexes (CodeMirror's); an anchor
 * whose text was all deleted is an empty range where it stood. Null while this browser has
 * not yet received the text it names.
 */
export function resolveAnchor(decoded, ytext) {
  if (!decoded) return null;
  let start;
  let end;
  try {
    start = Y.createAbsolutePositionFromRelativePosition(decoded.start, ytext.doc);
    end = Y.createAbsolutePositionFromRelativePosition(decoded.end, ytext.doc);
  } catch {
    return null;
  }
  if (!start || !end || start.type !== ytext || end.type !== ytext) return null;
  const length = ytext.length;
  const from = Math.min(start.index, length);
  return { from, to: Math.min(Math.max(from, end.index), length) };
}
