// Markdown formatting commands for CodeMirror: each takes the view, edits the selection,
// and returns true when it handled the key. They toggle, so pressing twice undoes.
import { EditorSelection } from "@codemirror/state";

const HEADING = /^#{1,6}[ \t]+/;
const BULLET = /^[-*+][ \t]+/;
const NUMBER = /^\d{1,9}[.)][ \t]+/;
const URL = /^https?:\/\/\S+$/;
const LINK_TEXT = "link text";
const LINK_URL = "https://";

function run(view, spec) {
  if (view.state.readOnly) return false;
  view.dispatch(spec, { scrollIntoView: true, userEvent: "input.format" });
  return true;
}

/** The range without surrounding spaces: CommonMark ignores "** bold **". */
function trimmed(state, range) {
  const text = state.sliceDoc(range.from, range.to);
  const from = range.from + (text.length - text.trimStart().length);
  const to = Math.max(from, range.to - (text.length - text.trimEnd().length));
  return { from, to };
}

function wrapRange(state, range, marker) {
  const { from, to } = trimmed(state, range);
  const n = marker.length;
  if (state.sliceDoc(from - n, from) === marker && state.sliceDoc(to, to + n) === marker) {
    return {
      changes: [{ from: from - n, to: from }, { from: to, to: to + n }],
      range: EditorSelection.range(from - n, to - n),
    };
  }
  const text = state.sliceDoc(from, to);
  if (text.length >= 2 * n && text.startsWith(marker) && text.endsWith(marker)) {
    return {
      changes: [{ from, to: from + n }, { from: to - n, to }],
      range: EditorSelection.range(from, to - 2 * n),
    };
  }
  return {
    changes: [{ from, insert: marker }, { from: to, insert: marker }],
    range: EditorSelection.range(from + n, to + n),
  };
}

/** Wrap each selection in `marker` (e.g. "**"), or unwrap it if it is wrapped already. */
export const toggleWrap = (marker) => (view) =>
  run(view, view.state.changeByRange((range) => wrapRange(view.state, range, marker)));

function selectedLines(state) {
  const lines = new Map();
  for (const range of state.selection.ranges) {
    for (let pos = range.from; pos <= range.to; ) {
      const line = state.doc.lineAt(pos);
      lines.set(line.number, line);
      pos = line.to + 1;
    }
  }
  const all = [...lines.values()];
  // In a multi-line selection blank lines stay blank; on one empty line we still add a prefix.
  return all.length > 1 ? all.filter((line) => line.text.trim() !== "") : all;
}

/** Replace each selected line's prefix matched by `strip` with `prefix(i)`, or remove it. */
function setLinePrefixes(view, isSet, strip, prefix) {
  const lines = selectedLines(view.state);
  const remove = lines.length > 0 && lines.every((line) => isSet(line.text));
  const changes = lines.map((line, i) => {
    const old = line.text.match(strip)?.[0] ?? "";
    return { from: line.from, to: line.from + old.length, insert: remove ? "" : prefix(i) };
  });
  return run(view, { changes });
}

/** Make the selected lines headings of `level`, or plain text if they are already. */
export const toggleHeading = (level) => (view) => {
  const marks = "#".repeat(level);
  const isSet = (text) => HEADING.test(text) && text.match(HEADING)[0].trim() === marks;
  return setLinePrefixes(view, isSet, HEADING, () => `${marks} `);
};

const LIST = new RegExp(`${BULLET.source}|${NUMBER.source}`);

/** Turn the selected lines into a bulleted list, or back into paragraphs. */
export const toggleBulletList = (view) =>
  setLinePrefixes(view, (text) => BULLET.test(text), LIST, () => "- ");

/** Turn the selected lines into a numbered list, or back into paragraphs. */
export const toggleNumberedList = (view) =>
  setLinePrefixes(view, (text) => NUMBER.test(text), LIST, (i) => `${i + 1}. `);

function linkRange(state, range) {
  const text = state.sliceDoc(range.from, range.to);
  const isUrl = URL.test(text);
  const label = text && !isUrl ? text : LINK_TEXT;
  const url = isUrl ? text : LINK_URL;
  const insert = `[${label}](${url})`;
  // Select what the person still has to type: the text, or the address.
  const start = text && !isUrl ? range.from + label.length + 3 : range.from + 1;
  const end = text && !isUrl ? start + url.length : start + label.length;
  return { changes: { from: range.from, to: range.to, insert }, range: EditorSelection.range(start, end) };
}

/** Make the selection a Markdown link and select the part still to be filled in. */
export const insertLink = (view) =>
  run(view, view.state.changeByRange((range) => linkRange(view.state, range)));
