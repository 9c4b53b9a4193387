// Runs the editor's reply decisions on given answers; prints one JSON line of results.
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { applyAwarenessSafely, isRetryable, needsJoin } from "../../wiki/static/src/replies.js";

const input = JSON.parse(process.argv[2]);
const awareness = new Awareness(new Y.Doc());
awareness.setLocalState(null); // only the peers' presence is of interest here
applyAwarenessSafely(awareness, Uint8Array.from(input.awareness), "server");
console.log(
  JSON.stringify({
    retryable: input.replies.map(isRetryable),
    rejoin: input.replies.map(needsJoin),
    presence: Object.fromEntries(awareness.getStates()),
  }),
);
awareness.destroy(); // stops its timer, so that node exits
