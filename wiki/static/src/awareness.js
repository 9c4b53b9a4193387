// Presence bookkeeping the y-protocols Awareness class does not do for us.
import { removeAwarenessStates } from "y-protocols/awareness";

/**
 * Move our presence to the client id the server just gave us. Awareness keys states by the
 * id it read from the doc when it was made; it has no way to follow a change of doc.clientID.
 */
export function rekeyAwareness(awareness, clientId) {
  const previous = awareness.clientID;
  if (previous === clientId) return;
  const state = awareness.getLocalState() ?? {};
  awareness.states.delete(previous);
  awareness.meta.delete(previous);
  awareness.clientID = clientId;
  // Peers ignore clock 0 for ids they have never seen, so start at 1.
  awareness.meta.set(clientId, { clock: 0, lastUpdated: Date.now() });
  awareness.setLocalState(state);
}

/** Drop everyone else's presence, e.g. when the connection is lost. */
export function forgetOthers(awareness, origin) {
  const others = [...awareness.getStates().keys()].filter((id) => id !== awareness.clientID);
  removeAwarenessStates(awareness, others, origin);
}
