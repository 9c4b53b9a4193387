// "Show who wrote what" in the editor: each stretch of text marked by its author's kind of
// organisation, from the server's attribution (GET /api/docs/<slug>/runs), never from what
// clients claim. An answer names the text it describes (length and CRC-32); it is applied only
// when that is the editor's text, otherwise asked for again once the edits have settled.
// Between answers the marks move with the text. Each change of author carries a visually
// hidden label, so a screen reader reads "[civil society: …]" where sighted people see the
// pattern; the panel lists each paragraph's shares and says who wrote the text at the cursor.
import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, WidgetType } from "@codemirror/view";
import { KIND_LABELS } from "./constants.js";

const DELAY_MS = 300; // after the last change, before asking
const RETRY_MS = 600; // when the server's text was not yet the editor's
const MAX_RETRIES = 8;
const KIND_WORDS = { government: "government", civil_society: "civil society", other: "other" };

const setMarks = StateEffect.define();
const EMPTY = { decos: Decoration.none, starts: [] };

const marksField = StateField.define({
  create: () => EMPTY,
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setMarks)) return effect.value;
    if (!tr.docChanged || value === EMPTY) return value;
    return { decos: value.decos.map(tr.changes), starts: value.starts.map((p) => ({ ...p, at: tr.changes.mapPos(p.at) })) };
  },
  provide: (field) => EditorView.decorations.from(field, (value) => value.decos),
});

class Label extends WidgetType {
  constructor(text) {
    super();
    this.text = text;
  }
  eq(other) {
    return other.text === this.text;
  }
  toDOM() {
    const span = document.createElement("span");
    span.className = "cm-by-label";
    span.textContent = this.text;
    return span;
  }
}

let crcTable = null;
/** CRC-32 of a string's UTF-16LE bytes, as the server computes it. */
export function textHash(text) {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    crc = crcTable[(crc ^ unit) & 0xff] ^ (crc >>> 8);
    crc = crcTable[(crc ^ (unit >>> 8)) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ -1) >>> 0;
}

function describeAuthor(who, revision) {
  const kind = KIND_WORDS[who.kind] ?? "other";
  const person = who.person ? `${who.person}, ` : "";
  const org = who.organisation ? `${who.organisation} (${kind})` : kind;
  return `Written by ${person}${org}, revision ${revision}`;
}

/** The decorations and paragraph starts for a server answer that fits the text. */
function marksFor(answer) {
  const decos = [];
  let lastAuthor = null;
  for (const run of answer.runs) {
    const who = answer.revisions[String(run.revision)] ?? { kind: "other" };
    const kind = KIND_LABELS[who.kind] ? who.kind : "other";
    const author = `${kind}|${who.organisation}|${who.person}`;
    if (author !== lastAuthor) {
      const name = [who.organisation, who.person].filter(Boolean).join(", ");
      const label = `[${KIND_WORDS[kind]}${name ? `: ${name}` : ""}]`;
      decos.push(Decoration.widget({ widget: new Label(label), side: 1 }).range(run.start));
      lastAuthor = author;
    }
    const title = describeAuthor(who, run.revision);
    const mark = Decoration.mark({ class: `cm-by cm-by-${kind}`, attributes: { title } });
    decos.push(mark.range(run.start, run.end));
  }
  const starts = answer.paragraphs.map((p) => ({ at: p.start, end: p.end, summary: p.summary }));
  return { decos: Decoration.set(decos, true), starts };
}

/** The author of the text at `pos`, in words, from the marks now shown. */
function authorAt(state, pos) {
  let found = null;
  state.field(marksField).decos.between(pos, pos, (from, to, value) => {
    const title = value.spec.attributes?.title;
    if (title && from <= pos && pos <= to) found = title;
  });
  return found;
}

export class Authorship {
  /** `url`: the runs API; `panel` holds #authorship-here and #authorship-paragraphs. */
  constructor({ url, panel }) {
    this.url = url;
    this.panel = panel;
    this.view = null;
    this.on = false;
    this.timer = null;
    this.busy = false;
    this.again = false;
    this.retries = 0;
    this.extensions = [
      marksField,
      EditorView.updateListener.of((update) => {
        if (!this.on) return;
        if (update.docChanged) {
          this.retries = 0;
          this.schedule(DELAY_MS);
        }
        if (update.docChanged || update.selectionSet) this.showHere();
      }),
    ];
  }

  attach(view) {
    this.view = view;
  }

  /** Show or hide the marks; shown, they follow the server's attribution. */
  toggle(on) {
    this.on = on;
    this.panel.hidden = !on;
    clearTimeout(this.timer);
    if (on) this.refresh();
    else this.view.dispatch({ effects: setMarks.of(EMPTY) });
  }

  schedule(delayMs) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), delayMs);
  }

  async refresh() {
    if (!this.on) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.again = false;
    try {
      const response = await fetch(this.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      this.apply(await response.json());
    } catch (error) {
      this.panel.querySelector("#authorship-here").textContent = `Who wrote what is not available right now (${error.message}).`;
    } finally {
      this.busy = false;
      if (this.again) this.schedule(DELAY_MS);
    }
  }

  apply(answer) {
    if (!this.on) return;
    const text = this.view.state.doc.toString();
    if (answer.length !== text.length || answer.hash !== textHash(text)) {
      // The server has not seen the same text yet (ours or others' edits in flight).
      if (this.retries++ < MAX_RETRIES) this.schedule(RETRY_MS);
      return;
    }
    this.retries = 0;
    this.view.dispatch({ effects: setMarks.of(marksFor(answer)) });
    this.showParagraphs();
    this.showHere();
  }

  showHere() {
    const here = this.panel.querySelector("#authorship-here");
    const title = authorAt(this.view.state, this.view.state.selection.main.head);
    here.textContent = title ? `At the cursor: ${title.charAt(0).toLowerCase()}${title.slice(1)}.` : "At the cursor: no marked text.";
  }

  showParagraphs() {
    const list = this.panel.querySelector("#authorship-paragraphs");
    const { starts } = this.view.state.field(marksField);
    const doc = this.view.state.doc;
    const items = starts.map((p, index) => {
      const first = doc.sliceString(p.at, Math.min(p.end, p.at + 200)).trim().split("\n")[0];
      const words = first.length > 60 ? `${first.slice(0, 60)}…` : first;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.tabIndex = index === 0 ? 0 : -1;
      button.textContent = `Paragraph ${index + 1}, “${words}”: ${p.summary}`;
      button.addEventListener("click", () => this.goTo(index));
      const li = document.createElement("li");
      li.append(button);
      return li;
    });
    list.replaceChildren(...items);
  }

  goTo(index) {
    const start = this.view.state.field(marksField).starts[index];
    if (!start) return;
    this.view.dispatch({ selection: { anchor: start.at }, scrollIntoView: true });
    this.view.focus();
  }
}

/** Arrow keys move between the paragraph summaries: the list is one tab stop. */
export function roveParagraphs(list) {
  list.addEventListener("keydown", (event) => {
    const buttons = [...list.querySelectorAll("button")];
    const index = buttons.indexOf(document.activeElement);
    const targets = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: buttons.length - 1 };
    if (index < 0 || !(event.key in targets)) return;
    event.preventDefault();
    const next = buttons[Math.min(Math.max(targets[event.key], 0), buttons.length - 1)];
    for (const b of buttons) b.tabIndex = b === next ? 0 : -1;
    next.focus();
  });
}
