// Names offered as one types `@` in a comment: the people and organisations who may read the
// document (GET /api/docs/<slug>/mentionable), inserted as `@[Exact Name]`, which is what
// the server reads as a mention. Arrow keys move, Enter or Tab chooses, Escape closes.
import { el } from "./dom.js";

const TYPED = /@\[?([^\]@\n]{0,40})$/; // an `@` and what follows it, up to the caret
const DELAY_MS = 150;
let counter = 0;

/** Offer names in `textarea`; returns the list to place after it. `slug` defaults to the page's document. */
export function mentionList(textarea, slug = document.querySelector("[data-doc]")?.dataset.doc) {
  const id = `mention-list-${++counter}`;
  const list = el("ul", { class: "mention-list", id, role: "listbox", "aria-label": "People and organisations to mention", hidden: true });
  textarea.setAttribute("aria-autocomplete", "list");
  // A textarea keeps its textbox role, which takes no aria-expanded: the list's own
  // visibility and the active option (aria-activedescendant) say what is offered.
  textarea.setAttribute("aria-controls", id);
  let names = [];
  let active = -1;
  let timer = null;

  function close() {
    names = [];
    active = -1;
    list.hidden = true;
    list.replaceChildren();
    textarea.removeAttribute("aria-activedescendant");
  }

  function show(found) {
    names = found;
    active = found.length ? 0 : -1;
    list.replaceChildren(...found.map((entry, index) => {
      const option = el("li", { id: `${id}-${index}`, role: "option", "aria-selected": index === active ? "true" : "false" },
        entry.name, el("span", { class: "hint" }, ` (${entry.kind === "person" ? entry.detail : "organisation"})`));
      option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(index); });
      return option;
    }));
    list.hidden = !found.length;
    mark();
  }

  function mark() {
    [...list.children].forEach((option, index) => option.setAttribute("aria-selected", index === active ? "true" : "false"));
    if (active >= 0) textarea.setAttribute("aria-activedescendant", `${id}-${active}`);
    else textarea.removeAttribute("aria-activedescendant");
  }

  function typed() {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = TYPED.exec(before);
    return match ? { start: before.length - match[0].length, words: match[1] } : null;
  }

  function choose(index) {
    const at = typed();
    const entry = names[index];
    if (!at || !entry) return close();
    const end = textarea.selectionStart;
    const inserted = `@[${entry.name}] `;
    textarea.value = textarea.value.slice(0, at.start) + inserted + textarea.value.slice(end);
    const caret = at.start + inserted.length;
    textarea.setSelectionRange(caret, caret);
    close();
  }

  async function lookUp() {
    const at = typed();
    if (!at || !slug) return close();
    try {
      const url = `/api/docs/${encodeURIComponent(slug)}/mentionable?q=${encodeURIComponent(at.words)}`;
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return close();
      if (typed()?.words === at.words) show((await response.json()).names);
    } catch {
      close(); // names are a help; the comment can still be written by hand
    }
  }

  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, DELAY_MS);
  });
  textarea.addEventListener("blur", () => setTimeout(close, DELAY_MS));
  textarea.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      active = (active + (event.key === "ArrowDown" ? 1 : names.length - 1)) % names.length;
      mark();
    } else if (event.key === "Enter" || event.key === "Tab") {
      choose(active);
    } else if (event.key === "Escape") {
      close();
      event.stopPropagation(); // closes the list, not the comment form
    } else {
      return;
    }
    event.preventDefault();
  });
  return list;
}
