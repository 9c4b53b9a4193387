// The editor's view toggles: plain Markdown or formatted, "Show who wrote what", and whether
// the preview is open. Each is a plain checkbox (or <details>) remembered in this browser.
import { setFormatted } from "./view.js";

const KEYS = { plain: "jointly.plainMarkdown", authorship: "jointly.showAuthorship", preview: "jointly.previewOpen" };

function remembered(key, fallback) {
  try {
    const value = window.localStorage.getItem(key);
    return value === null ? fallback : value === "true";
  } catch {
    return fallback; // storage may be off; the default then holds
  }
}

function remember(key, value) {
  try {
    window.localStorage.setItem(key, String(value));
  } catch {
    // nothing to do: the choice lasts until the page is left
  }
}

/** Whether the editor should start formatted (the person has not asked for plain Markdown). */
export function startsFormatted() {
  return !remembered(KEYS.plain, false);
}

/** Wire the checkboxes to `view` and `authorship`, and remember the preview's state. */
export function mountToggles({ box, plain, authorship, who, preview, view }) {
  plain.checked = !startsFormatted();
  plain.addEventListener("change", () => {
    setFormatted(view, !plain.checked);
    remember(KEYS.plain, plain.checked);
  });
  who.checked = remembered(KEYS.authorship, false);
  who.addEventListener("change", () => {
    authorship.toggle(who.checked);
    remember(KEYS.authorship, who.checked);
  });
  if (who.checked) authorship.toggle(true);
  if (preview && !preview.hidden) {
    preview.open = remembered(KEYS.preview, preview.open);
    preview.addEventListener("toggle", () => remember(KEYS.preview, preview.open));
  }
  box.hidden = false;
}
