// Marks in the text for open comment threads: a tint plus an underline whose pattern names
// the side of the person who started the thread (never colour alone), and a title naming
// them. The anchors are resolved again after every change of the text, so marks follow it.
import { Annotation } from "@codemirror/state";
import { Decoration, ViewPlugin } from "@codemirror/view";
import { describe, kindOf } from "./cursors.js";
import { threadName } from "./threads.js";

const refresh = Annotation.define();

/** Ask the marks to be drawn again, e.g. after a thread arrived or changed. */
export function refreshMarks(view) {
  view.dispatch({ annotations: refresh.of(true) });
}

// The words a comment is being written about, while its form is open.
const pendingMark = Decoration.mark({
  class: "cm-comment cm-comment-pending",
  attributes: { title: "The words you are commenting on" },
});

function markFor(comment, active) {
  const kind = kindOf(comment.author);
  const label = `${threadName(comment)}, by ${describe(comment.author)}`;
  return Decoration.mark({
    class: `cm-comment cm-comment-${kind}${active ? " cm-comment-active" : ""}`,
    attributes: { title: label, "data-comment": String(comment.id) },
  });
}

/**
 * Mark what `source.openRanges()` gives ({from, to, comment}); `source.activeId()` is the thread
 * chosen in the panel, marked more strongly; `source.pendingRange()` what a comment is being
 * written about.
 */
export function commentMarks(source) {
  return ViewPlugin.fromClass(
    class {
      constructor(view) {
        this.decorations = this.build(view);
      }

      update(update) {
        const asked = update.transactions.some((tr) => tr.annotation(refresh));
        if (update.docChanged || asked) this.decorations = this.build(update.view);
      }

      build(view) {
        const length = view.state.doc.length;
        const ranges = [];
        const active = source.activeId();
        for (const { from, to, comment } of source.openRanges()) {
          const end = Math.min(to, length);
          if (from < end) ranges.push(markFor(comment, comment.id === active).range(from, end));
        }
        const pending = source.pendingRange();
        if (pending && pending.from < Math.min(pending.to, length)) {
          ranges.push(pendingMark.range(pending.from, Math.min(pending.to, length)));
        }
        return Decoration.set(ranges, true);
      }
    },
    { decorations: (value) => value.decorations },
  );
}
