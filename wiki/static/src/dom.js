// Building DOM from text only: nothing here ever parses HTML, so what people wrote stays text.

/** `<tag attrs…>children…</tag>`; children are nodes or strings (set as text), null is skipped. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** Words only a screen reader says, e.g. which thread a "Reply" button belongs to. */
export function hidden(text) {
  return el("span", { class: "visually-hidden" }, text);
}

/** A `<button type="button">` that runs `onClick`. */
export function button(label, onClick, attrs = {}) {
  const node = el("button", { type: "button", ...attrs }, ...[label].flat());
  node.addEventListener("click", onClick);
  return node;
}
