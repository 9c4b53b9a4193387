// The formatting toolbar and its keyboard shortcuts, defined once in FORMATS.
// The toolbar follows the WAI-ARIA toolbar pattern: one tab stop, arrow keys between buttons.
import { keymap } from "@codemirror/view";
import { insertLink, toggleBulletList, toggleHeading, toggleNumberedList, toggleWrap } from "./format.js";

export const FORMATS = [
  { label: "Heading", key: "Mod-Alt-2", run: toggleHeading(2) },
  { label: "Subheading", key: "Mod-Alt-3", run: toggleHeading(3) },
  { label: "Bold", key: "Mod-b", run: toggleWrap("**") },
  { label: "Italic", key: "Mod-i", run: toggleWrap("_") },
  { label: "Bulleted list", key: "Mod-Shift-8", run: toggleBulletList },
  { label: "Numbered list", key: "Mod-Shift-7", run: toggleNumberedList },
  { label: "Link", key: "Mod-k", run: insertLink },
];

const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** "Mod-Shift-8" as a person reads it: "Ctrl+Shift+8" (or "⌘+Shift+8" on a Mac). */
export function keyLabel(key) {
  const names = { Mod: IS_MAC ? "⌘" : "Ctrl", Alt: IS_MAC ? "Option" : "Alt", Shift: "Shift" };
  return key.split("-").map((part) => names[part] ?? part.toUpperCase()).join("+");
}

/** The same key in aria-keyshortcuts syntax: "Control+Shift+8". */
export function ariaKeys(key) {
  const names = { Mod: IS_MAC ? "Meta" : "Control", Alt: "Alt", Shift: "Shift" };
  return key.split("-").map((part) => names[part] ?? part.toUpperCase()).join("+");
}

/** CodeMirror key bindings for every format. */
export const formatKeymap = keymap.of(FORMATS.map(({ key, run }) => ({ key, run, preventDefault: true })));

function button(format, view) {
  const el = document.createElement("button");
  el.type = "button";
  el.textContent = format.label;
  el.title = `${format.label} (${keyLabel(format.key)})`;
  el.setAttribute("aria-keyshortcuts", ariaKeys(format.key));
  // Keep the editor's selection and focus when the button is clicked with a mouse.
  el.addEventListener("mousedown", (event) => event.preventDefault());
  el.addEventListener("click", () => {
    format.run(view);
    view.focus();
  });
  return el;
}

function moveFocus(buttons, event) {
  const index = buttons.indexOf(document.activeElement);
  const targets = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 };
  if (index < 0 || !(event.key in targets)) return;
  event.preventDefault();
  const next = buttons[(targets[event.key] + buttons.length) % buttons.length];
  for (const b of buttons) b.tabIndex = b === next ? 0 : -1;
  next.focus();
}

/** Fill the `role="toolbar"` element with buttons acting on `view`. */
export function mountToolbar(toolbar, view) {
  const buttons = FORMATS.map((format) => button(format, view));
  buttons.forEach((b, i) => (b.tabIndex = i === 0 ? 0 : -1));
  toolbar.replaceChildren(...buttons);
  toolbar.addEventListener("keydown", (event) => moveFocus(buttons, event));
  return buttons;
}

/** Text listing every shortcut, for the visible help next to the toolbar. */
export function shortcutHelp() {
  const undo = [["Undo your last change", "Mod-z"], ["Redo", IS_MAC ? "Mod-Shift-z" : "Mod-y"]];
  const all = [...FORMATS.map((f) => [f.label, f.key]), ...undo];
  return all.map(([label, key]) => `${label}: ${keyLabel(key)}`);
}
