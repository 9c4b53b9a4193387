// Formatted editing on the same Markdown: headings, quotes, code and tables get line styles, and
// the Markdown marks (##, **, [ ](url), >) are hidden except on the lines the selection touches,
// where they show faded. Only decorations: the text itself, and so the shared Y.Text, is unchanged.
import { syntaxTree } from "@codemirror/language";
import { Decoration, EditorView, ViewPlugin, WidgetType } from "@codemirror/view";

const HIDDEN_MARKS = new Set(["HeaderMark", "EmphasisMark", "CodeMark", "LinkMark", "StrikethroughMark", "QuoteMark"]);
const HIDDEN_PARTS = new Set(["URL", "LinkTitle", "LinkLabel"]); // only inside a link
const LINE_CLASSES = {
  ATXHeading1: "cm-md-heading cm-md-h1",
  ATXHeading2: "cm-md-heading cm-md-h2",
  ATXHeading3: "cm-md-heading cm-md-h3",
  ATXHeading4: "cm-md-heading cm-md-h4",
  ATXHeading5: "cm-md-heading cm-md-h5",
  ATXHeading6: "cm-md-heading cm-md-h6",
  SetextHeading1: "cm-md-heading cm-md-h1",
  SetextHeading2: "cm-md-heading cm-md-h2",
  Blockquote: "cm-md-quote",
  FencedCode: "cm-md-codeblock",
  CodeBlock: "cm-md-codeblock",
};
const INLINE_CLASSES = { Link: "cm-md-link", InlineCode: "cm-md-code", Strikethrough: "cm-md-strike" };
const faded = Decoration.mark({ class: "cm-md-mark" });
const hidden = Decoration.replace({});

/** Spaces (or dashes, on a table's rule row) that line a table's columns up. */
class Padding extends WidgetType {
  constructor(size, fill) {
    super();
    this.size = size;
    this.fill = fill;
  }
  eq(other) {
    return other.size === this.size && other.fill === this.fill;
  }
  toDOM() {
    const span = document.createElement("span");
    span.className = "cm-md-pad";
    span.setAttribute("aria-hidden", "true");
    span.textContent = this.fill.repeat(this.size);
    return span;
  }
}

class Bullet extends WidgetType {
  eq() {
    return true;
  }
  toDOM() {
    const span = document.createElement("span");
    span.className = "cm-md-bullet";
    span.textContent = "•";
    return span;
  }
}
const bullet = Decoration.replace({ widget: new Bullet() });

/** Line numbers the selection touches: their marks stay visible. */
function activeLines(state) {
  const lines = new Set();
  for (const range of state.selection.ranges) {
    const last = state.doc.lineAt(range.to).number;
    for (let n = state.doc.lineAt(range.from).number; n <= last; n++) lines.add(n);
  }
  return lines;
}

/** [start, end] of each cell that a pipe closes, in a table row's text. */
function cellSegments(text) {
  const segments = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === "|") {
      segments.push([start, i]);
      start = i + 1;
    }
  }
  return segments;
}

function alignTable(doc, node, out) {
  const rows = [];
  for (let n = doc.lineAt(node.from).number; n <= doc.lineAt(node.to).number; n++) {
    const line = doc.line(n);
    rows.push({ line, cells: cellSegments(line.text) });
  }
  const widths = [];
  for (const { cells } of rows) cells.forEach(([a, b], i) => (widths[i] = Math.max(widths[i] ?? 0, b - a)));
  for (const { line, cells } of rows) {
    const fill = /^[\s|:-]+$/.test(line.text) && line.text.includes("-") ? "-" : " ";
    out.lines.set(line.from, "cm-md-table");
    cells.forEach(([a, b], i) => {
      if (widths[i] > b - a) {
        const widget = Decoration.widget({ widget: new Padding(widths[i] - (b - a), fill), side: -1 });
        out.decos.push(widget.range(line.from + b));
      }
    });
  }
}

function markLines(doc, node, className, out) {
  const last = doc.lineAt(node.to).number;
  for (let n = doc.lineAt(node.from).number; n <= last; n++) {
    const from = doc.line(n).from;
    const before = out.lines.get(from);
    out.lines.set(from, before && before !== className ? `${before} ${className}` : className);
  }
}

/** A mark and the space after it (for "## " and "> "), within its line. */
function markEnd(doc, node) {
  const lineEnd = doc.lineAt(node.from).to;
  const grows = (node.name === "HeaderMark" || node.name === "QuoteMark") && doc.sliceString(node.to, node.to + 1) === " ";
  return Math.min(grows ? node.to + 1 : node.to, lineEnd);
}

function visit(state, node, active, out) {
  const { doc } = state;
  const name = node.name;
  if (name === "Image") return false; // shown as written
  if (LINE_CLASSES[name]) markLines(doc, node, LINE_CLASSES[name], out);
  if (INLINE_CLASSES[name] && node.to > node.from) out.decos.push(Decoration.mark({ class: INLINE_CLASSES[name] }).range(node.from, node.to));
  if (name === "Table" && !out.tables.has(node.from)) {
    out.tables.add(node.from);
    alignTable(doc, node, out);
  }
  const isMark = HIDDEN_MARKS.has(name) || (HIDDEN_PARTS.has(name) && node.node.parent?.name === "Link");
  const isBullet = name === "ListMark" && node.node.parent?.parent?.name === "BulletList";
  if (!isMark && !isBullet) return undefined;
  const inFence = name === "CodeMark" && node.node.parent?.name === "FencedCode";
  const onActiveLine = active.has(doc.lineAt(node.from).number);
  if (onActiveLine || inFence) out.decos.push(faded.range(node.from, node.to));
  else if (isBullet) out.decos.push(bullet.range(node.from, node.to));
  else out.decos.push(hidden.range(node.from, markEnd(doc, node)));
  return undefined;
}

function decorate(view) {
  const { state } = view;
  const active = activeLines(state);
  const out = { decos: [], lines: new Map(), tables: new Set() };
  const tree = syntaxTree(state);
  for (const { from, to } of view.visibleRanges) {
    tree.iterate({ from, to, enter: (node) => visit(state, node, active, out) });
  }
  for (const [from, className] of out.lines) out.decos.push(Decoration.line({ class: className }).range(from));
  return Decoration.set(out.decos, true);
}

const formatter = ViewPlugin.fromClass(
  class {
    constructor(view) {
      this.decorations = decorate(view);
    }
    update(update) {
      const reparsed = syntaxTree(update.state) !== syntaxTree(update.startState);
      if (update.docChanged || update.viewportChanged || update.selectionSet || reparsed) {
        this.decorations = decorate(update.view);
      }
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

/** The extensions of formatted editing; leave them out for plain Markdown. */
export function formattedMarkdown() {
  return [formatter, EditorView.editorAttributes.of({ class: "cm-formatted" })];
}
