// The honest connection and save status shown above the editor.
// "All changes saved" appears only when the server has acknowledged every local change.

const CONNECTION_TEXT = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  failed: "Not connected",
  closed: "Not connected",
};

/** "All changes saved", "1 unsaved change", "3 unsaved changes". */
export function saveText(unsaved) {
  if (unsaved === 0) return "All changes saved";
  return `${unsaved} unsaved change${unsaved === 1 ? "" : "s"}`;
}

/**
 * Render status into #connection-status, #save-status and the alert area.
 * Returns {update(partial), snapshot()}; snapshot() is what window.jointly.status() gives tests.
 */
export function createStatus({ connectionEl, saveEl, alertEl }) {
  const state = { connection: "connecting", unsaved: 0, readOnly: false };
  let alertUntilSaved = false;

  function render() {
    connectionEl.textContent = CONNECTION_TEXT[state.connection] ?? state.connection;
    connectionEl.dataset.state = state.connection;
    saveEl.textContent = state.readOnly && state.unsaved === 0 ? "View only" : saveText(state.unsaved);
    saveEl.dataset.state = state.unsaved === 0 ? "saved" : "unsaved";
  }

  render();
  return {
    update(partial) {
      Object.assign(state, partial);
      if (alertUntilSaved && state.unsaved === 0) this.alert("");
      render();
    },
    /**
     * Tell the person something they must act on (a refused change, a lost connection);
     * with untilSaved, the message goes once every change is saved.
     */
    alert(message, { untilSaved = false } = {}) {
      // The alert region stays in the page, empty, so screen readers announce new text in it.
      alertEl.textContent = message;
      alertUntilSaved = untilSaved;
    },
    snapshot() {
      return { connection: CONNECTION_TEXT[state.connection], unsaved: state.unsaved };
    },
  };
}
