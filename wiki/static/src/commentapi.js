// The comments API (wiki/discussion/api.py) as the live editor calls it: the list, and
// writes that carry the session cookie and the edit form's CSRF token.

/** A refusal of the server, with the sentence it gave for people. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function answer(response) {
  let data = null;
  try {
    data = await response.json();
  } catch {
    // A proxy's HTML error page: fall back to the status below.
  }
  if (!response.ok) {
    const said = typeof data?.error === "string" ? data.error : `the server answered ${response.status}`;
    throw new ApiError(said, response.status);
  }
  return data ?? {};
}

/**
 * `comments()` lists a document's threads; `create(fields)` starts one; `act(id, action, fields)`
 * replies, resolves, re-opens, accepts or rejects (`action` is the last part of the address).
 */
export function commentApi(url, csrfToken) {
  async function post(address, fields) {
    const response = await fetch(address, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(fields),
      credentials: "same-origin",
    });
    return answer(response);
  }

  return {
    async comments() {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const data = await answer(response);
      return Array.isArray(data.comments) ? data.comments : [];
    },
    create: (fields) => post(url, fields),
    act: (id, action, fields = {}) => post(`${url}/${encodeURIComponent(id)}/${action}`, fields),
  };
}
