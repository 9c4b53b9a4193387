// The CodeMirror 6 view: Markdown, bound to the shared Y.Text, with our own remote cursors.
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { defaultKeymap } from "@codemirror/commands";
import { markdownKeymap, markdownLanguage } from "@codemirror/lang-markdown";
import { HighlightStyle, LanguageSupport, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import { remoteCursors } from "./cursors.js";
import { formattedMarkdown } from "./markdownstyle.js";
import { formatKeymap } from "./toolbar.js";

const editing = new Compartment();
const formatting = new Compartment();

// Colours from jointly.css; each keeps at least 7:1 contrast on white.
const highlightStyle = HighlightStyle.define([
  { tag: tags.heading1, fontWeight: "700", fontSize: "1.3em" },
  { tag: tags.heading2, fontWeight: "700", fontSize: "1.15em" },
  { tag: tags.heading, fontWeight: "700" },
  { tag: tags.strong, fontWeight: "700" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: [tags.link, tags.url], color: "#1d4f91", textDecoration: "underline" },
  { tag: tags.monospace, fontFamily: "ui-monospace, Menlo, Consolas, monospace" },
  { tag: [tags.processingInstruction, tags.quote, tags.contentSeparator], color: "#4a4a4a" },
]);

/** Viewers get a read-only editor that still shows others' edits live. */
function editingExtensions(canEdit) {
  if (!canEdit) {
    // Not editable means not focusable; keyboard users still need to reach and scroll the text.
    const focusable = EditorView.contentAttributes.of({ tabindex: "0", "aria-readonly": "true" });
    const marked = EditorView.editorAttributes.of({ class: "cm-readonly" });
    return [EditorState.readOnly.of(true), EditorView.editable.of(false), focusable, marked];
  }
  return [formatKeymap, keymap.of(yUndoManagerKeymap)];
}

function accessibility(labelledBy, describedBy) {
  // tabindex: axe-core counts a contenteditable as focusable only with one, and without it
  // calls a long document's scroller unreachable by keyboard.
  const attributes = { spellcheck: "true", autocapitalize: "sentences", tabindex: "0" };
  if (labelledBy) attributes["aria-labelledby"] = labelledBy;
  if (describedBy) attributes["aria-describedby"] = describedBy;
  return EditorView.contentAttributes.of(attributes);
}

/**
 * Build the editor in `parent`. Undo and redo reach only this person's own edits; `extensions`
 * (e.g. comment marks) come last and stay whether or not the person may edit.
 */
export function createView(options) {
  const { parent, ytext, awareness, undoManager, nonce, canEdit, labelledBy, describedBy, formatted = true, extensions = [] } = options;
  const state = EditorState.create({
    doc: ytext.toString(),
    extensions: [
      EditorView.cspNonce.of(nonce),
      editing.of(editingExtensions(canEdit)),
      keymap.of([...markdownKeymap, ...defaultKeymap]),
      new LanguageSupport(markdownLanguage),
      syntaxHighlighting(highlightStyle),
      formatting.of(formatted ? formattedMarkdown() : []),
      EditorView.lineWrapping,
      accessibility(labelledBy, describedBy),
      yCollab(ytext, null, { undoManager }),
      remoteCursors(ytext, awareness),
      ...extensions,
    ],
  });
  return new EditorView({ state, parent });
}

/** Switch between editing and viewing, e.g. when access changed while reconnecting. */
export function setEditable(view, canEdit) {
  view.dispatch({ effects: editing.reconfigure(editingExtensions(canEdit)) });
}

/** Formatted editing (marks hidden away from the cursor) or the plain Markdown. */
export function setFormatted(view, formatted) {
  view.dispatch({ effects: formatting.reconfigure(formatted ? formattedMarkdown() : []) });
}
