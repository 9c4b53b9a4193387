// The rendered preview: the server renders and sanitises (the same code as the page),
// so what you see here is what readers get. Requests are debounced and never overlap,
// and none are sent while the preview is closed: links are slow. Only people who may
// edit get a preview (the page gives no URL otherwise); the server limits how often.
const DELAY_MS = 800;
const RETRY_MS = 10_000; // after "too many requests", when the server names no time

class TooSoon extends Error {
  constructor(retryMs) {
    super("too many previews in a short time");
    this.retryMs = retryMs;
  }
}

/**
 * Keep `output` showing the rendering of `ytext`, while `panel` (a <details>) is open.
 * `url` is the document's preview endpoint (none: hide the preview), `csrfToken` the form's.
 */
export function mountPreview({ panel, output, ytext, url, csrfToken }) {
  if (!url) {
    panel.hidden = true;
    return { refresh() {}, schedule() {} };
  }
  let timer = null;
  let busy = false;
  let stale = false;
  let notBefore = 0; // the server asked for a pause until then

  async function refresh() {
    if (!panel.open) return;
    if (busy) {
      stale = true;
      return;
    }
    busy = true;
    stale = false;
    try {
      output.innerHTML = await render(url, csrfToken, ytext.toString()); // sanitised by the server
      output.removeAttribute("aria-busy");
    } catch (error) {
      if (error instanceof TooSoon) {
        // Keep the last rendering on screen and try again once the server allows it.
        notBefore = Date.now() + error.retryMs;
        stale = true;
      } else {
        output.textContent =
          `The preview is not available right now (${error.message}). Your text is not affected.`;
      }
    } finally {
      busy = false;
      if (stale) schedule();
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, Math.max(DELAY_MS, notBefore - Date.now()));
  }

  ytext.observe(schedule);
  panel.addEventListener("toggle", () => panel.open && refresh());
  refresh();
  return { refresh, schedule };
}

async function render(url, csrfToken, text) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "X-CSRFToken": csrfToken },
    body: new URLSearchParams({ text }),
    credentials: "same-origin",
  });
  if (response.status === 429) {
    const seconds = Number(response.headers.get("Retry-After"));
    throw new TooSoon(seconds > 0 ? seconds * 1000 : RETRY_MS);
  }
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  return response.text();
}
