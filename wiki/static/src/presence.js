// "Who is here": everyone in the document as text (name, organisation, kind), so nobody
// depends on cursor colours to know who is editing.
import { KIND_LABELS } from "./constants.js";
import { kindOf } from "./cursors.js";

function item(user, note) {
  const li = document.createElement("li");
  const kind = kindOf(user);
  const tag = document.createElement("span");
  tag.className = `kind-tag kind-${kind}`;
  tag.textContent = KIND_LABELS[kind];
  const name = user.organisation ? `${user.name || "Someone"}, ${user.organisation}` : user.name || "Someone";
  li.append(`${name}${note} `, tag);
  return li;
}

/** People present, one entry per person: several tabs of one person count once. */
function people(awareness) {
  const seen = new Map();
  for (const [clientId, state] of awareness.getStates()) {
    if (clientId === awareness.clientID || !state?.user) continue;
    const user = state.user;
    seen.set(JSON.stringify([user.name, user.organisation, kindOf(user)]), user);
  }
  return [...seen.values()].sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

/** Keep `list` (the #presence element) in step with `awareness`; `self` is the signed-in person. */
export function mountPresence(list, awareness, self) {
  const render = () => {
    const entries = [];
    if (self) entries.push(item(self, " (you)"));
    for (const user of people(awareness)) entries.push(item(user, ""));
    list.replaceChildren(...entries);
  };
  awareness.on("change", render);
  render();
  return render;
}
