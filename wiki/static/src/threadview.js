// One thread in the comments panel: what it is about, who wrote it and on which side (as
// text), the comment and its replies (as plain text: nothing anyone wrote becomes HTML),
// and the buttons for what this person may do with it. Only the parts that changed are
// rebuilt, and a reply being written survives whatever arrives meanwhile.
import { KIND_LABELS } from "./constants.js";
import { kindOf } from "./cursors.js";
import { button, el, hidden } from "./dom.js";
import { threadName } from "./threads.js";

const STATUS_LABELS = { open: "Open", resolved: "Resolved", accepted: "Accepted", rejected: "Rejected" };
const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const STALE_ERROR =
  "The text changed since this was suggested. Compare then and now, tick the box, and accept again.";

function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : el("time", { datetime: iso }, WHEN.format(date));
}

function byLine(author, created) {
  const kind = kindOf(author);
  const who = author?.organisation ? `${author.name}, ${author.organisation}` : author?.name || "Someone";
  const side = el("span", { class: `kind-tag kind-${kind}` }, KIND_LABELS[kind]);
  const time = when(created);
  return el("p", { class: "meta" }, `${who} `, side, time ? " · " : null, time);
}

const quoted = (text, extra = "") => el("blockquote", { class: `quote${extra}` }, text);

function quoteOf({ comment, quote, stale, removed }) {
  if (removed) {
    const note = el("p", { class: "removed-note" }, "The text it was about was removed. It was:");
    return [note, quoted(comment.quote_then)];
  }
  if (stale && comment.status === "open") {
    const thenNow = el("dl", { class: "then-now" },
      el("dt", {}, "Then"), el("dd", {}, quoted(comment.quote_then)),
      el("dt", {}, "Now"), el("dd", {}, quoted(quote)));
    return [el("p", {}, "The text it is about changed since."), thenNow];
  }
  return quote ? [quoted(quote)] : [];
}

function suggestionOf(comment) {
  if (comment.kind !== "suggestion") return [];
  if (!comment.replacement) return [el("p", {}, el("strong", {}, "Suggests deleting these words."))];
  return [el("p", {}, el("strong", {}, "Suggests instead:")), quoted(comment.replacement, " suggested")];
}

function repliesOf(comment) {
  if (!comment.replies?.length) return null;
  const items = comment.replies.map((reply) =>
    el("li", {}, byLine(reply.author, reply.created), el("div", { class: "comment-body" }, reply.body)),
  );
  return el("ol", { class: "replies", "aria-label": `Replies to ${threadName(comment).toLowerCase()}` }, items);
}

function contentOf(placed) {
  const { comment } = placed;
  const tags = [" ", el("span", { class: "status-tag" }, STATUS_LABELS[comment.status] ?? comment.status)];
  if (placed.stale && !placed.removed && comment.status === "open") {
    tags.push(" ", el("span", { class: "status-tag stale" }, "Text changed"));
  }
  const decided = comment.decided_by && comment.status !== "open";
  return [
    el("h3", { id: `thread-${comment.id}-title` }, threadName(comment), ...tags),
    byLine(comment.author, comment.created),
    ...quoteOf(placed),
    ...suggestionOf(comment),
    comment.body ? el("div", { class: "comment-body" }, comment.body) : null,
    decided ? el("p", { class: "decision" }, `${STATUS_LABELS[comment.status]} by ${comment.decided_by}.`) : null,
    repliesOf(comment),
  ];
}

/** The form to reply to thread `id`; `send(body)` posts it and rejects with the server's reason. */
function replyForm(id, send, close) {
  const textarea = el("textarea", { id: `thread-${id}-reply`, rows: "3" });
  const error = el("p", { class: "error-message", id: `thread-${id}-reply-error`, hidden: true });
  const form = el("form", { class: "reply-form", id: `thread-${id}-reply-form`, hidden: true },
    el("label", { for: textarea.id }, "Your reply", hidden(` in thread ${id}`)), textarea, error,
    el("div", { class: "form-buttons" }, el("button", { type: "submit" }, "Send reply"), " ",
      button("Cancel", close, { class: "secondary" })));
  const fail = (message) => {
    error.textContent = message;
    error.hidden = !message;
    textarea.setAttribute("aria-invalid", message ? "true" : "false");
    if (message) textarea.setAttribute("aria-describedby", error.id);
    else textarea.removeAttribute("aria-describedby");
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = textarea.value.trim();
    if (!body) return fail("Write the reply before sending it.");
    fail("");
    try {
      await send(body);
    } catch (refused) {
      fail(refused.message);
      return textarea.focus();
    }
    textarea.value = "";
    close();
  });
  form.addEventListener("keydown", (event) => event.key === "Escape" && close());
  return { form, textarea };
}

/** The thread `id` as a list item; `handlers` are {select(id, focusEditor), act(id, action, fields), alert}. */
export class ThreadView {
  constructor(id, handlers) {
    this.id = id;
    this.handlers = handlers;
    this.key = "";
    this.content = el("div", { class: "thread-content" });
    this.actions = el("div", { class: "thread-actions" });
    this.error = el("p", { class: "error-message thread-error", id: `thread-${id}-error`, hidden: true });
    this.reply = replyForm(id, (body) => handlers.act(id, "replies", { body }), () => this.closeReply());
    this.article = el("article", { id: `thread-${id}`, "aria-labelledby": `thread-${id}-title`, tabindex: "-1" },
      this.content, this.actions, this.error, this.reply.form);
    this.item = el("li", { class: "thread-item" }, this.article);
    // Clicking anywhere on the thread but its controls shows its words in the text.
    this.article.addEventListener("click", (event) => {
      if (!event.target.closest("button, a, input, textarea, label, select")) handlers.select(id, false);
    });
  }

  /** Show `placed` ({comment, quote, stale, removed}) to someone who `may` ({comment, edit, settle}). */
  update(placed, may, active) {
    this.item.classList.toggle("thread-active", active);
    if (active) this.item.setAttribute("aria-current", "true");
    else this.item.removeAttribute("aria-current");
    const { comment } = placed;
    const key = JSON.stringify([comment, placed.quote, placed.stale, placed.removed, may]);
    if (key === this.key) return;
    this.key = key;
    this.comment = comment;
    this.article.className = `thread thread-${comment.status}`;
    const focused = this.actions.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    this.content.replaceChildren(...contentOf(placed).filter(Boolean));
    this.actions.replaceChildren(...this.buttons(placed, may));
    if (focused) this.actions.querySelector(`[data-action="${focused}"]`)?.focus();
    if (!may.comment) this.reply.form.hidden = true;
  }

  buttons(placed, may) {
    const { comment } = placed;
    const label = threadName(comment).toLowerCase();
    const action = (text, run, name, { primary = false, said = ` ${label}` } = {}) =>
      button([text, hidden(said)], run, { class: primary ? null : "secondary", "data-action": name });
    const found = [];
    if (!placed.removed) {
      const show = () => this.handlers.select(this.id, true);
      found.push(action("Show in the text", show, "show", { said: ` (${label})` }));
    }
    if (may.comment) {
      const reply = action("Reply", () => this.openReply(), "reply", { said: ` to ${label}` });
      reply.setAttribute("aria-expanded", String(!this.reply.form.hidden));
      reply.setAttribute("aria-controls", this.reply.form.id);
      found.push(reply);
    }
    if (may.settle && comment.status === "open") found.push(action("Resolve", () => this.act("resolve"), "resolve"));
    if (may.settle && comment.status === "resolved") found.push(action("Re-open", () => this.act("reopen"), "reopen"));
    if (may.edit && comment.kind === "suggestion" && comment.status === "open") {
      let confirm = null;
      if (placed.stale) {
        confirm = el("input", { type: "checkbox", id: `thread-${this.id}-confirm`, "data-action": "confirm" });
        const text = "I have seen that the text changed since; accept anyway";
        found.push(el("p", { class: "confirm-stale" }, confirm, " ", el("label", { for: confirm.id }, text)));
      }
      const accept = () => {
        if (confirm && !confirm.checked) return this.showError(STALE_ERROR, confirm);
        this.act("accept", confirm ? { confirm_stale: true } : {});
      };
      const reject = () => this.act("reject");
      found.push(action("Accept", accept, "accept", { primary: true }), action("Reject", reject, "reject"));
    }
    return found;
  }

  async act(action, fields = {}) {
    this.showError("");
    try {
      await this.handlers.act(this.id, action, fields);
    } catch (error) {
      this.showError(error.message);
    }
  }

  showError(message, focus = null) {
    this.error.textContent = message;
    this.error.hidden = !message;
    if (message) this.handlers.alert(`${threadName(this.comment)}: ${message}`);
    focus?.focus();
  }

  openReply() {
    this.reply.form.hidden = false;
    this.actions.querySelector("[data-action=reply]")?.setAttribute("aria-expanded", "true");
    this.reply.textarea.focus();
  }

  closeReply() {
    this.reply.form.hidden = true;
    const opener = this.actions.querySelector("[data-action=reply]");
    opener?.setAttribute("aria-expanded", "false");
    opener?.focus();
  }
}
