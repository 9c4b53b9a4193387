// The header's inbox count, kept live on pages with a socket: the server says `inbox` to
// this person's sockets when their inbox changed, and the page asks for the count, which
// the access policy answers (the event itself carries nothing).
import { EVENT_INBOX } from "./constants.js";

/** Update `#inbox-count` whenever `socket` hears that the inbox changed. */
export function followInbox(socket) {
  const shown = document.getElementById("inbox-count");
  if (!shown) return;
  socket.on(EVENT_INBOX, async () => {
    try {
      const response = await fetch("/-/inbox/count", { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) shown.textContent = `(${(await response.json()).unread} unread)`;
    } catch {
      // the count shown stays until the next page
    }
  });
}
