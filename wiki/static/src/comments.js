// Comments and suggestions in the live editor: marks in the text, the panel of threads beside
// it, and starting a thread on the selected words. Threads come from the comments API when
// the document has synced (and again after every reconnection), then from the `comment`
// socket event, each replacing the thread with its id; what changed is said in a polite
// live region. Who may do what is the server's answer: the socket's `can_comment` and
// `can_edit`, and the API refusing whatever else.
import { keymap } from "@codemirror/view";
import { commentApi } from "./commentapi.js";
import { createCommentForm } from "./commentform.js";
import { commentMarks, refreshMarks } from "./commentmarks.js";
import { button, el } from "./dom.js";
import { Threads, newsOf } from "./threads.js";
import { ThreadView } from "./threadview.js";
import { ariaKeys, keyLabel } from "./toolbar.js";

const RENDER_DELAY_MS = 200; // quotes and order follow typing, but not on every keystroke
const ANNOUNCE_DELAY_MS = 50;

/** The keys that start a thread on the selected words, also listed under "Keyboard shortcuts". */
export const COMMENT_KEYS = [
  { label: "Comment", help: "Comment on the selected words", key: "Mod-Alt-m", kind: "comment" },
  {
    label: "Suggest a rewording",
    help: "Suggest a rewording of the selected words",
    key: "Mod-Alt-r",
    kind: "suggestion",
  },
];

/** Text listing the comment shortcuts, for the visible help. */
export function commentShortcutHelp() {
  return COMMENT_KEYS.map(({ help, key }) => `${help}: ${keyLabel(key)}`);
}

function sameAuthor(a, b) {
  return Boolean(a && b) && a.name === b.name && a.organisation === b.organisation;
}

/** Whether an author (or the name of who decided) is `self`; only the server knows for sure. */
function selfTest(self) {
  return (by) => (typeof by === "string" ? by === self?.name : sameAuthor(by, self));
}

/**
 * The comments of one document. `extensions` go into the editor; `attach(view)` starts them
 * once it exists. `panel` is the #comments-panel element, `self` the signed-in person.
 */
export class Comments {
  constructor({ panel, ytext, provider, csrfToken, self }) {
    const part = (id) => panel.querySelector(`#${id}`);
    this.panel = panel;
    this.parts = {
      tools: part("comment-tools"),
      list: part("comment-threads"),
      summary: part("comments-summary"),
      news: part("comments-news"),
      alert: part("comments-alert"),
      settled: part("comments-settled"),
    };
    this.ytext = ytext;
    this.provider = provider;
    this.self = self;
    this.isSelf = selfTest(self);
    this.api = commentApi(panel.dataset.url, csrfToken);
    this.threads = new Threads(ytext);
    this.views = new Map();
    this.view = null;
    this.activeId = null;
    this.loaded = false;
    this.arriving = null; // ids the socket sent while the list was being read
    this.timer = null;
    this.form = createCommentForm({
      ytext,
      send: (fields) => this.write(this.api.create(fields)),
      onClose: () => this.formClosed(),
    });
    this.parts.tools.after(this.form.form);
    this.handlers = {
      select: (id, focusEditor) => this.select(id, focusEditor),
      act: (id, action, fields) => this.write(this.api.act(id, action, fields)),
      alert: (message) => this.alert(message),
    };
  }

  /** The editor extensions: the marks, and the keys that start a thread. */
  get extensions() {
    const source = {
      openRanges: () => this.threads.openRanges(),
      pendingRange: () => this.form.range(),
      activeId: () => this.activeId,
    };
    const run = (kind) => () => this.startThread(kind);
    const keys = COMMENT_KEYS.map(({ key, kind }) => ({ key, run: run(kind), preventDefault: true }));
    return [commentMarks(source), keymap.of(keys)];
  }

  attach(view) {
    this.view = view;
    this.mountTools();
    this.followAccess();
    this.provider.on("comment", (comment) => this.received(comment));
    this.provider.on("access", () => this.followAccess());
    this.provider.on("joined", () => {
      this.followAccess();
      this.load(); // what changed while we were away
    });
    this.ytext.observe(() => this.scheduleRender());
    this.panel.hidden = false;
    return this.load();
  }

  mountTools() {
    const buttons = COMMENT_KEYS.map(({ label, key, kind }) =>
      button(label, () => this.startThread(kind), {
        class: "secondary",
        title: `${label} (${keyLabel(key)})`,
        "aria-keyshortcuts": ariaKeys(key),
      }),
    );
    const hint = el("p", { class: "hint" }, "Select words in the text, then:");
    this.parts.tools.replaceChildren(hint, el("div", { class: "form-buttons" }, ...buttons));
    this.parts.settled.addEventListener("change", () => this.render());
  }

  followAccess() {
    this.parts.tools.hidden = !this.provider.canComment;
    if (!this.provider.canComment) this.form.close();
    this.render();
  }

  /** Open the form for `kind` on the selected words; false (the key goes on) when one may not comment. */
  startThread(kind) {
    if (!this.provider.canComment || !this.view) return false;
    const { from, to } = this.view.state.selection.main;
    this.alert("");
    if (this.form.open(kind, from, to)) refreshMarks(this.view);
    else this.alert("Select the words you want to comment on first, then choose Comment.");
    return true;
  }

  formClosed() {
    if (!this.view) return;
    refreshMarks(this.view);
    this.view.focus();
  }

  /** After a write of ours the socket brings the thread; without a connection, read the list again. */
  async write(request) {
    const answer = await request;
    if (!this.provider.joined) this.load();
    return answer;
  }

  /** Choose thread `id`: select its words in the editor, and mark it in both places. */
  select(id, focusEditor) {
    this.activeId = id;
    const range = this.threads.range(id);
    const view = this.view;
    if (!view) return;
    if (range) {
      const length = view.state.doc.length;
      const selection = { anchor: Math.min(range.from, length), head: Math.min(range.to, length) };
      view.dispatch({ selection, scrollIntoView: true });
    }
    refreshMarks(view);
    this.render();
    if (focusEditor) view.focus();
  }

  say(message) {
    // Emptied first, so that the same sentence twice is announced twice.
    this.parts.news.textContent = "";
    if (message) setTimeout(() => (this.parts.news.textContent = message), ANNOUNCE_DELAY_MS);
  }

  alert(message) {
    this.parts.alert.textContent = message;
  }

  received(comment) {
    this.arriving?.add(comment.id);
    const previous = this.threads.upsert(comment);
    const change = newsOf(previous, comment, this.isSelf);
    if (change) this.say(change);
    this.changed();
  }

  async load() {
    const arriving = new Set();
    this.arriving = arriving;
    let found;
    try {
      found = await this.api.comments();
    } catch (error) {
      const why = `The comments could not be loaded (${error.message}).`;
      this.parts.summary.textContent = `${why} The Discussion page lists them.`;
      return;
    } finally {
      if (this.arriving === arriving) this.arriving = null;
    }
    const changes = [];
    for (const comment of found) {
      if (arriving.has(comment.id)) continue; // the socket's copy is newer
      const previous = this.threads.upsert(comment);
      const change = this.loaded ? newsOf(previous, comment, this.isSelf) : null;
      if (change) changes.push(change);
    }
    this.loaded = true;
    if (changes.length) this.say(changes.join(" "));
    this.changed();
  }

  changed() {
    this.render();
    if (this.view) refreshMarks(this.view);
  }

  scheduleRender() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.render(), RENDER_DELAY_MS);
  }

  viewFor(id) {
    if (!this.views.has(id)) this.views.set(id, new ThreadView(id, this.handlers));
    return this.views.get(id);
  }

  mayFor(comment) {
    const { canComment, canEdit } = this.provider;
    const mine = sameAuthor(comment.author, this.self);
    return { comment: canComment, edit: canEdit, settle: canComment && (mine || canEdit) };
  }

  /** Show the threads in the order of the text: open ones, or all; and one that holds the focus. */
  render() {
    clearTimeout(this.timer);
    const { list, settled } = this.parts;
    const focused = document.activeElement;
    const hadFocus = list.contains(focused);
    const placed = this.threads.placed();
    const shown = placed.filter(({ comment }) =>
      comment.status === "open" || settled.checked || (this.views.get(comment.id)?.item.contains(focused) ?? false));
    const items = shown.map((p) => {
      const view = this.viewFor(p.comment.id);
      view.update(p, this.mayFor(p.comment), p.comment.id === this.activeId);
      return view.item;
    });
    items.forEach((item, index) => {
      if (list.children[index] !== item) list.insertBefore(item, list.children[index] ?? null);
    });
    while (list.children.length > items.length) list.lastElementChild.remove();
    // Moving or dropping a thread drops the focus inside it: put it back, or on the list.
    if (hadFocus && document.activeElement !== focused) (list.contains(focused) ? focused : list).focus();
    this.showSummary(placed.filter(({ comment }) => comment.status === "open").length);
  }

  showSummary(open) {
    if (!this.loaded) return;
    this.parts.summary.textContent = open ? `${open} open thread${open === 1 ? "" : "s"}.` : "No open threads yet.";
  }
}
