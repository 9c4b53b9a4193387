// Entry point: turns the plain edit form into the live editor once the document has synced.
// Until then (and for good if live editing cannot start) the form keeps working on its own.
import * as Y from "yjs";
import { Awareness } from "y-protocols/awareness";
import { Y_TEXT_NAME } from "./constants.js";
import { createView, setEditable } from "./view.js";
import { CollabProvider } from "./provider.js";
import { Authorship, roveParagraphs } from "./authorship.js";
import { Comments, commentShortcutHelp } from "./comments.js";
import { mountPresence } from "./presence.js";
import { mountPreview } from "./preview.js";
import { sizeGuard } from "./sizeguard.js";
import { createStatus, saveText } from "./status.js";
import { mountToolbar, shortcutHelp } from "./toolbar.js";
import { mountToggles, startsFormatted } from "./viewtoggles.js";

const FALLBACK_MS = 15_000;
const FALLBACK_NOTE =
  "Live editing has not connected yet. You can still edit the text above and save it with the button; " +
  "we keep trying to connect.";
const TYPED_INTO_FORM_NOTE =
  "Live editing is available now, but you have typed into the form: save the form first, " +
  "then open the editor again.";
const byId = (id) => document.getElementById(id);

function findParts() {
  const form = byId("edit-form");
  const live = byId("live-editor");
  const textarea = form?.querySelector("textarea[name=text]");
  if (!form || !live || !textarea || !form.dataset.doc) return null;
  return {
    form,
    live,
    textarea,
    slug: form.dataset.doc,
    label: form.querySelector(`label[for="${textarea.id}"]`),
    submit: form.querySelector("[type=submit]"),
    csrfToken: form.querySelector("input[name=csrf_token]")?.value ?? "",
    limits: {
      maxChangeBytes: Number(form.dataset.maxChangeBytes) || Infinity,
      maxChars: Number(form.dataset.maxChars) || Infinity,
    },
    note: byId("live-editor-note"),
    body: byId("live-editor-body"),
  };
}

/** The CSP nonce of the script that loaded us; CodeMirror needs it for its <style> tags. */
function scriptNonce() {
  const own = [...document.scripts].find((script) => script.src === import.meta.url);
  return (own ?? document.querySelector("script[nonce]"))?.nonce ?? "";
}

function selfFromPage() {
  const { name, organisation, kind } = byId("presence")?.dataset ?? {};
  return name ? { name, organisation, kind } : null;
}

function showNote(parts, text) {
  parts.note.textContent = text;
  parts.note.hidden = !text;
}

/** Swap the textarea for the live editor; the form stays for no-JS use but cannot post stale text. */
function activate(parts, ctx) {
  const { ydoc, ytext, awareness, provider, status } = ctx;
  const undoManager = new Y.UndoManager(ytext, { trackedOrigins: new Set() });
  const comments = new Comments({
    panel: byId("comments-panel"),
    ytext,
    provider,
    csrfToken: parts.csrfToken,
    self: selfFromPage(),
  });
  const authorship = new Authorship({ url: parts.live.dataset.runsUrl, panel: byId("authorship-panel") });
  const view = createView({
    parent: byId("editor-mount"),
    ytext,
    awareness,
    undoManager,
    nonce: scriptNonce(),
    canEdit: provider.canEdit,
    labelledBy: labelId(parts.label),
    describedBy: [parts.textarea.getAttribute("aria-describedby"), "live-editor-hint"].filter(Boolean).join(" "),
    formatted: startsFormatted(),
    extensions: [
      ...comments.extensions,
      ...authorship.extensions,
      sizeGuard(parts.limits, (problem) => status.alert(problem)),
    ],
  });
  authorship.attach(view);
  ctx.view = view;
  ctx.comments = comments;
  parts.textarea.hidden = true;
  if (parts.submit) parts.submit.hidden = true;
  parts.form.addEventListener("submit", (event) => event.preventDefault());
  parts.label?.addEventListener("click", () => view.focus());
  mountToolbar(byId("editor-toolbar"), view);
  mountPresence(byId("presence"), awareness, selfFromPage());
  mountPreview({
    panel: byId("preview-panel"),
    output: byId("preview"),
    ytext,
    url: parts.live.dataset.previewUrl,
    csrfToken: parts.csrfToken,
  });
  roveParagraphs(byId("authorship-paragraphs"));
  mountToggles({
    box: byId("view-toggles"),
    plain: byId("toggle-plain"),
    who: byId("toggle-authorship"),
    authorship,
    preview: byId("preview-panel"),
    view,
  });
  showEditability(provider);
  const followAccess = ({ canEdit }) => {
    setEditable(view, canEdit);
    showEditability(provider);
    if (!canEdit) undoManager.clear();
  };
  provider.on("joined", followAccess);
  provider.on("access", followAccess);
  showNote(parts, "");
  parts.body.hidden = false;
  comments.attach(view);
}

const HINTS = {
  edit: "Your changes are saved as you type, and everyone here sees them at once.",
  view: "You can read along as others edit, but you cannot change this document.",
};

function showEditability({ canEdit, canComment }) {
  byId("live-editor-hint").textContent = canEdit ? HINTS.edit : HINTS.view;
  byId("editor-toolbar").hidden = !canEdit;
  const shortcuts = [...(canEdit ? shortcutHelp() : []), ...(canComment ? commentShortcutHelp() : [])];
  byId("shortcut-list").replaceChildren(...shortcuts.map(listItem));
  byId("shortcut-help").hidden = shortcuts.length === 0;
}

function labelId(label) {
  if (!label) return null;
  label.id ||= "text-label";
  return label.id;
}

function listItem(text) {
  const li = document.createElement("li");
  li.textContent = text;
  return li;
}

function wireStatus(provider, status, parts) {
  provider.on("status", (connection) => status.update({ connection }));
  provider.on("unsaved", (unsaved) => status.update({ unsaved }));
  provider.on("joined", ({ canEdit }) => {
    status.update({ readOnly: !canEdit });
    if (!canEdit && provider.unsaved > 0) {
      status.alert(`You can no longer edit this document, so ${saveText(provider.unsaved)} cannot be saved.`);
    }
  });
  provider.on("access", ({ canEdit }) => {
    status.update({ readOnly: !canEdit });
    const unsaved = provider.unsaved > 0 ? `, so ${saveText(provider.unsaved)} cannot be saved` : "";
    status.alert(canEdit ? "You can now edit this document." : `You can no longer edit this document${unsaved}.`);
  });
  provider.on("delayed", (error) =>
    status.alert(`Not saved yet: ${error}`, { untilSaved: true }),
  );
  provider.on("refused", (error) =>
    status.alert(`A change was not saved: ${error} Copy any text you need to keep, then reload the page.`),
  );
  provider.on("failed", (error) => {
    status.alert(`Live editing is not available: ${error}`);
    parts.textarea.readOnly = parts.form.dataset.canEdit !== "true";
  });
}

/** Before the first sync the textarea is read-only; if sync never comes, give it back. */
function startFallback(parts) {
  parts.textarea.readOnly = true;
  const timer = setTimeout(() => {
    parts.textarea.readOnly = parts.form.dataset.canEdit !== "true";
    showNote(parts, FALLBACK_NOTE);
  }, FALLBACK_MS);
  return () => clearTimeout(timer);
}

function onSynced(parts, ctx, stopFallback) {
  stopFallback();
  if (parts.textarea.value !== parts.textarea.defaultValue) {
    // They typed into the form meanwhile: keep the form, whose save merges their text.
    ctx.provider.destroy();
    showNote(parts, TYPED_INTO_FORM_NOTE);
    return;
  }
  activate(parts, ctx);
}

function warnBeforeLeaving(provider) {
  window.addEventListener("beforeunload", (event) => {
    if (provider.unsaved > 0) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set to show the prompt
    }
  });
  window.addEventListener("pagehide", (event) => event.persisted || provider.destroy());
}

function start() {
  const parts = findParts();
  if (!parts) return;
  const ydoc = new Y.Doc();
  const ytext = ydoc.getText(Y_TEXT_NAME);
  const awareness = new Awareness(ydoc);
  const status = createStatus({
    connectionEl: byId("connection-status"),
    saveEl: byId("save-status"),
    alertEl: byId("collab-alert"),
  });
  const provider = new CollabProvider(ydoc, awareness, parts.slug);
  const ctx = { ydoc, ytext, awareness, provider, status, view: null };
  // The test hook; status() is {connection: "Connected" | "Reconnecting…" | …, unsaved: n}.
  window.jointly = {
    ydoc,
    ytext,
    awareness,
    provider,
    status: () => status.snapshot(),
    get view() {
      return ctx.view;
    },
    get comments() {
      return ctx.comments?.threads;
    },
  };
  parts.live.hidden = false;
  wireStatus(provider, status, parts);
  const stopFallback = startFallback(parts);
  provider.once("synced", () => onSynced(parts, ctx, stopFallback));
  warnBeforeLeaving(provider);
}

start();
