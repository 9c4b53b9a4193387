// The small form that starts a thread on the words selected in the editor: a comment, or a
// suggested rewording (with an optional reason). The words are anchored when the form opens,
// so edits made meanwhile, by anyone, do not move what the comment is about.
import { anchorOf, decodeAnchor, resolveAnchor } from "./anchors.js";
import { button, el } from "./dom.js";
import { mentionList } from "./mentions.js";
import { shorten } from "./threads.js";

const TEXTS = {
  comment: { title: "Comment on the selected words", body: "Your comment", submit: "Add comment" },
  suggestion: { title: "Suggest a rewording", body: "Why (optional)", submit: "Suggest" },
  insertion: { title: "Suggest words to insert here", body: "Why (optional)", submit: "Suggest" },
};

/** Build the form; `send(fields)` posts it and rejects with the server's reason. */
export function createCommentForm({ ytext, send, onClose }) {
  const title = el("h3", { id: "comment-form-title" });
  const quote = el("blockquote", { class: "quote", id: "comment-form-quote" });
  const hintId = "comment-replacement-hint";
  const replacement = el("textarea", { id: "comment-replacement", rows: "3", "aria-describedby": hintId });
  const replacementField = el("div", { class: "field" },
    el("label", { for: replacement.id }, "Suggested wording"),
    el("p", { class: "hint", id: hintId }, "Leave it empty to suggest deleting the words."),
    replacement);
  const bodyLabel = el("label", { for: "comment-body" });
  const body = el("textarea", { id: "comment-body", rows: "4" });
  const error = el("p", { class: "error-message", id: "comment-form-error", hidden: true });
  const submit = el("button", { type: "submit" });
  const form = el("form", { class: "comment-form", id: "comment-form", "aria-labelledby": title.id, hidden: true },
    title, quote, replacementField, el("div", { class: "field" }, bodyLabel, body, mentionList(body)), error,
    el("div", { class: "form-buttons" }, submit, " ", button("Cancel", () => close(), { class: "secondary" })));
  let pending = null; // {kind, anchor}

  function showError(message, field = null) {
    error.textContent = message;
    error.hidden = !message;
    for (const input of [body, replacement]) {
      const wrong = input === field;
      input.setAttribute("aria-invalid", wrong ? "true" : "false");
      const hint = input === replacement ? hintId : "";
      input.setAttribute("aria-describedby", [hint, wrong ? error.id : ""].filter(Boolean).join(" "));
      if (!input.getAttribute("aria-describedby")) input.removeAttribute("aria-describedby");
    }
    field?.focus();
  }

  /** Open for `kind` ("comment" or "suggestion") on `from..to`; false when there is nothing to anchor. */
  function open(kind, from, to) {
    if (kind === "comment" && from === to) return false;
    const shape = kind === "comment" ? "comment" : from === to ? "insertion" : "suggestion";
    const words = ytext.toString().slice(from, to);
    const anchor = anchorOf(ytext, from, to);
    pending = { kind, anchor, decoded: decodeAnchor(anchor) };
    title.textContent = TEXTS[shape].title;
    quote.textContent = words ? `“${shorten(words)}”` : "";
    quote.hidden = !words;
    replacementField.hidden = kind !== "suggestion";
    replacement.value = kind === "suggestion" ? words : "";
    bodyLabel.textContent = TEXTS[shape].body;
    body.value = "";
    submit.textContent = TEXTS[shape].submit;
    showError("");
    form.hidden = false;
    (kind === "suggestion" ? replacement : body).focus();
    return true;
  }

  function close() {
    if (form.hidden) return;
    form.hidden = true;
    pending = null;
    onClose();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!pending) return;
    const suggestion = pending.kind === "suggestion";
    if (!suggestion && !body.value.trim()) return showError("Write the comment before adding it.", body);
    submit.disabled = true;
    try {
      await send({ anchor: pending.anchor, body: body.value, replacement: suggestion ? replacement.value : null });
    } catch (refused) {
      return showError(`Not added: ${refused.message}`, suggestion ? replacement : body);
    } finally {
      submit.disabled = false;
    }
    close();
  });
  form.addEventListener("keydown", (event) => event.key === "Escape" && close());
  /** Where the words the open form is about stand now, or null. */
  function range() {
    return pending ? resolveAnchor(pending.decoded, ytext) : null;
  }

  return { form, open, close, range };
}
