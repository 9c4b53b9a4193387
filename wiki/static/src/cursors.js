// Others' cursors and selections, and publishing our own cursor to them.
//
// y-codemirror.next's remote-selection plugin colours through `style` attributes, which
// our Content-Security-Policy blocks, so this plugin uses classes only: one per
// organisation kind, each with its own colour and its own line pattern (solid, dashed,
// dotted), because colour must never be the only cue.
import { Annotation } from "@codemirror/state";
import { Decoration, ViewPlugin, WidgetType } from "@codemirror/view";
import * as Y from "yjs";
import { KIND_LABELS } from "./constants.js";

const refresh = Annotation.define();
// A name label covers the line above, so it shows only while that person is active.
const LABEL_MS = 3_000;

/** The organisation kind of a peer, limited to the kinds we have classes for. */
export function kindOf(user) {
  return Object.hasOwn(KIND_LABELS, user?.kind) ? user.kind : "other";
}

/** "Name, Organisation (Kind)": how a peer is named on screen. */
export function describe(user) {
  const name = user?.name || "Someone";
  const kind = KIND_LABELS[kindOf(user)];
  return user?.organisation ? `${name}, ${user.organisation} (${kind})` : `${name} (${kind})`;
}

class CaretWidget extends WidgetType {
  constructor(label, kind, named) {
    super();
    this.label = label;
    this.kind = kind;
    this.named = named;
  }

  eq(other) {
    return other.label === this.label && other.kind === this.kind && other.named === this.named;
  }

  toDOM() {
    const caret = document.createElement("span");
    caret.className = `cm-remote-caret cm-remote-${this.kind}${this.named ? " cm-remote-named" : ""}`;
    // The presence list names everyone as text; reading labels inside the text would garble it.
    caret.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.className = "cm-remote-label";
    label.textContent = this.label;
    caret.append("\u2060", label, "\u2060");
    return caret;
  }

  ignoreEvent() {
    return true;
  }
}

function decorationsFor(state, doc, ytext, view, named) {
  const anchor = Y.createAbsolutePositionFromRelativePosition(state.cursor.anchor, doc);
  const head = Y.createAbsolutePositionFromRelativePosition(state.cursor.head, doc);
  if (!anchor || !head || anchor.type !== ytext || head.type !== ytext) return [];
  const length = view.state.doc.length;
  const from = Math.min(anchor.index, head.index, length);
  const to = Math.min(Math.max(anchor.index, head.index), length);
  const kind = kindOf(state.user);
  const label = describe(state.user);
  const found = [];
  if (from < to) {
    const mark = Decoration.mark({
      class: `cm-remote-selection cm-remote-${kind}`,
      attributes: { title: label },
    });
    found.push(mark.range(from, to));
  }
  const side = head.index > anchor.index ? -1 : 1;
  const caret = Decoration.widget({ widget: new CaretWidget(label, kind, named), side });
  found.push(caret.range(Math.min(head.index, length)));
  return found;
}

function publishCursor(update, awareness, ytext) {
  const local = awareness.getLocalState();
  if (!local || !update.view.hasFocus) return;
  const { anchor, head } = update.state.selection.main;
  const cursor = {
    anchor: Y.createRelativePositionFromTypeIndex(ytext, anchor),
    head: Y.createRelativePositionFromTypeIndex(ytext, head),
  };
  const previous = local.cursor;
  if (
    previous &&
    Y.compareRelativePositions(Y.createRelativePositionFromJSON(previous.anchor), cursor.anchor) &&
    Y.compareRelativePositions(Y.createRelativePositionFromJSON(previous.head), cursor.head)
  ) {
    return;
  }
  awareness.setLocalStateField("cursor", cursor);
}

/** Show remote cursors of `awareness` over the editor bound to `ytext`, and share ours. */
export function remoteCursors(ytext, awareness) {
  return ViewPlugin.fromClass(
    class {
      constructor(view) {
        this.decorations = Decoration.none;
        this.movedAt = new Map();
        this.timer = null;
        this.onChange = ({ added, updated, removed }) =>
          this.remoteChanged(view, [...added, ...updated], removed);
        awareness.on("change", this.onChange);
      }

      remoteChanged(view, changed, removed) {
        // Our own cursor changes inside update(); dispatching then would nest updates.
        const own = awareness.clientID;
        const remote = [...changed, ...removed].filter((id) => id !== own);
        if (!remote.length) return;
        for (const id of changed) if (id !== own) this.movedAt.set(id, Date.now());
        for (const id of removed) this.movedAt.delete(id);
        view.dispatch({ annotations: refresh.of(true) });
        clearTimeout(this.timer);
        this.timer = setTimeout(() => view.dispatch({ annotations: refresh.of(true) }), LABEL_MS + 100);
      }

      update(update) {
        publishCursor(update, awareness, ytext);
        const ranges = [];
        const now = Date.now();
        for (const [clientId, state] of awareness.getStates()) {
          if (clientId === awareness.clientID || !state?.cursor?.anchor || !state.cursor.head) continue;
          const named = now - (this.movedAt.get(clientId) ?? 0) < LABEL_MS;
          try {
            ranges.push(...decorationsFor(state, ytext.doc, ytext, update.view, named));
          } catch {
            // A peer's cursor that does not resolve in our document is skipped, not fatal.
          }
        }
        this.decorations = Decoration.set(ranges, true);
      }

      destroy() {
        clearTimeout(this.timer);
        awareness.off("change", this.onChange);
      }
    },
    { decorations: (value) => value.decorations },
  );
}
