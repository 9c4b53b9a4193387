// The rendered preview: the server renders and sanitises (the same code as the page),
// so what you see here is what readers get. Requests are debounced and never overlap,
// and none are sent while the preview is closed: links are slow.
const DELAY_MS = 800;

/**
 * Keep `output` showing the rendering of `ytext`, while `panel` (a <details>) is open.
 * `url` is the preview endpoint, `csrfToken` the form's token.
 */
export function mountPreview({ panel, output, ytext, url, csrfToken }) {
  let timer = null;
  let busy = false;
  let stale = false;

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
      output.textContent =
        `The preview is not available right now (${error.message}). Your text is not affected.`;
    } finally {
      busy = false;
      if (stale) schedule();
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
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
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  return response.text();
}
