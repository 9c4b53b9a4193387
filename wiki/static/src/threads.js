// The comment threads of one document as this browser knows them, placed in the live text.
// The server sends whole threads (the list, the `comment` socket event); each replaces the
// one with its id. Where a thread stands, and whether its text changed, is worked out here
// against our own copy of the text, so it follows every edit without asking the server.
import { decodeAnchor, resolveAnchor } from "./anchors.js";
import { describe } from "./cursors.js";

const STATUS_NEWS = {
  open: "is open again",
  resolved: "was resolved",
  accepted: "was accepted",
  rejected: "was rejected",
};
const QUOTE_CHARS = 60;

/** "Comment 12" or "Suggestion 12": how a thread is named on screen. */
export function threadName(comment) {
  return `${comment.kind === "suggestion" ? "Suggestion" : "Comment"} ${comment.id}`;
}

/** At most QUOTE_CHARS characters of `text`, on one line. */
export function shorten(text) {
  const line = String(text ?? "").replace(/\s+/g, " ").trim();
  return line.length > QUOTE_CHARS ? `${line.slice(0, QUOTE_CHARS - 1)}…` : line;
}

function isComment(value) {
  return Boolean(value) && Number.isSafeInteger(value.id) && typeof value.status === "string";
}

export class Threads {
  constructor(ytext) {
    this.ytext = ytext;
    this.byId = new Map();
  }

  /** Add or replace a thread by id; returns the one it replaced, if any. */
  upsert(comment) {
    if (!isComment(comment)) return undefined;
    const previous = this.byId.get(comment.id);
    const anchor = decodeAnchor(comment.anchor ?? {});
    this.byId.set(comment.id, { comment: { replies: [], ...comment }, anchor });
    return previous?.comment;
  }

  get(id) {
    return this.byId.get(id)?.comment;
  }

  /** Where thread `id` stands now, or null. */
  range(id) {
    const entry = this.byId.get(id);
    return entry ? resolveAnchor(entry.anchor, this.ytext) : null;
  }

  /** Every thread with where it stands and what it covers now, in the order of the text. */
  placed() {
    const text = this.ytext.toString();
    const found = [...this.byId.values()].map((entry) => place(entry, this.ytext, text));
    return found.sort((a, b) => a.from - b.from || a.comment.id - b.comment.id);
  }

  /** The ranges of open threads that cover some text now, for the marks in the editor. */
  openRanges() {
    const found = [];
    for (const { comment, anchor } of this.byId.values()) {
      if (comment.status !== "open") continue;
      const range = resolveAnchor(anchor, this.ytext);
      if (range && range.from < range.to) found.push({ ...range, comment });
    }
    return found;
  }
}

function place({ comment, anchor }, ytext, text) {
  const range = resolveAnchor(anchor, ytext);
  if (!range) {
    // We have not received the text it names yet: show what the server said meanwhile.
    const removed = comment.quote === "" && comment.quote_then !== "";
    const end = Number.MAX_SAFE_INTEGER;
    return { comment, from: end, to: end, quote: comment.quote, stale: comment.stale, removed };
  }
  const quote = text.slice(range.from, range.to);
  const removed = quote === "" && comment.quote_then !== "";
  return { comment, ...range, quote, stale: quote !== comment.quote_then, removed };
}

/**
 * What changed between two states of a thread, as a sentence for the live region;
 * `isSelf(author or name)` tells our own doings, which are said as ours. Null when nothing
 * worth saying changed.
 */
export function newsOf(previous, current, isSelf) {
  const name = threadName(current);
  if (!previous) {
    const what = current.kind === "suggestion" ? "suggestion" : "comment";
    const on = current.quote_then ? ` on “${shorten(current.quote_then)}”` : "";
    if (isSelf(current.author)) return `Your ${what}${on} is added.`;
    return `New ${what} from ${describe(current.author)}${on}.`;
  }
  const replies = current.replies ?? [];
  if (replies.length > (previous.replies ?? []).length) {
    const { author } = replies[replies.length - 1];
    const who = isSelf(author) ? "You" : describe(author);
    return `${who} replied to ${name.toLowerCase()}.`;
  }
  if (current.status !== previous.status && STATUS_NEWS[current.status]) {
    const decider = current.status !== "open" ? current.decided_by : null;
    const by = decider && !isSelf(decider) ? ` by ${decider}` : "";
    return `${name} ${STATUS_NEWS[current.status]}${by}.`;
  }
  return null;
}
