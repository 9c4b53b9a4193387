// Changes too large to save are refused in the editor, before they reach the shared doc.
// A change the server would refuse (one update over its limit, or a document over its size)
// must never enter the Y.Doc: once there, it would be resent on every reconnect and every
// later edit would build on it. Remote changes (from the server) always pass.
import { EditorState } from "@codemirror/state";
import { ySyncAnnotation } from "y-codemirror.next";

// An update carries ids, lengths and positions beside the text itself.
const UPDATE_OVERHEAD_BYTES = 4096;
const encoder = new TextEncoder();

function kilobytes(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** What is wrong with a change, in words, or null when it may be saved. */
export function tooLarge(insertedBytes, newLength, { maxChangeBytes, maxChars }) {
  if (insertedBytes + UPDATE_OVERHEAD_BYTES > maxChangeBytes) {
    return `That change was not made: it adds ${kilobytes(insertedBytes)}, and one change can add at most ${kilobytes(maxChangeBytes - UPDATE_OVERHEAD_BYTES)}. Paste it in smaller parts; the document is unchanged.`;
  }
  if (newLength > maxChars) {
    return `That change was not made: the document would be ${newLength.toLocaleString("en")} characters long, over its limit of ${maxChars.toLocaleString("en")}. The document is unchanged.`;
  }
  return null;
}

/** A CodeMirror extension that refuses local changes the server could not store. */
export function sizeGuard(limits, onRefused) {
  return EditorState.transactionFilter.of((tr) => {
    if (!tr.docChanged || tr.annotation(ySyncAnnotation)) return tr;
    let inserted = 0;
    tr.changes.iterChanges((_fromA, _toA, _fromB, _toB, text) => {
      if (text.length) inserted += encoder.encode(text.toString()).length;
    });
    const problem = tooLarge(inserted, tr.newDoc.length, limits);
    if (!problem) return tr;
    onRefused(problem);
    return [];
  });
}
