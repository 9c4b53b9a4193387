// Local updates the server has not yet stored. "All changes saved" may be shown only when
// this is empty, so an entry leaves only on an {ok: true} acknowledgement, which the
// server sends after its commit.
import * as Y from "yjs";

const QUEUED = "queued";
const SENDING = "sending";
const REFUSED = "refused";

/** Merged frames stay well under the server's MAX_UPDATE_BYTES (1 MiB by default). */
const MAX_MERGED_BYTES = 256 * 1024;

export class Outbox {
  /** @param {() => void} onChange called whenever the number of entries changes */
  constructor(onChange) {
    this.entries = [];
    this.onChange = onChange;
  }

  get size() {
    return this.entries.length;
  }

  get refused() {
    return this.entries.filter((entry) => entry.state === REFUSED).length;
  }

  /** Remember a local update until the server stores it. */
  add(update) {
    this.entries.push({ update, state: QUEUED });
    this.onChange();
  }

  /** The oldest queued entries, up to a frame's worth, marked sending and merged into one update. */
  takeBatch() {
    const entries = [];
    let bytes = 0;
    for (const entry of this.entries) {
      if (entry.state !== QUEUED) continue;
      if (entries.length && bytes + entry.update.length > MAX_MERGED_BYTES) break;
      entries.push(entry);
      bytes += entry.update.length;
    }
    if (!entries.length) return null;
    for (const entry of entries) entry.state = SENDING;
    return { entries, update: merge(entries) };
  }

  /** Every entry not refused: a sync step 2 carries all of them at once. */
  takeAll() {
    const entries = this.entries.filter((entry) => entry.state !== REFUSED);
    for (const entry of entries) entry.state = SENDING;
    return entries;
  }

  /** Stored: forget these entries. */
  stored(entries) {
    const done = new Set(entries);
    this.entries = this.entries.filter((entry) => !done.has(entry));
    this.onChange();
  }

  /** Not stored, worth sending again (disconnect, timeout, storage trouble). */
  retry(entries) {
    for (const entry of entries) if (entry.state === SENDING) entry.state = QUEUED;
  }

  /** Refused for good (read-only, too large, forged): kept, counted, never resent. */
  refuse(entries) {
    for (const entry of entries) entry.state = REFUSED;
    this.onChange();
  }
}

function merge(entries) {
  return entries.length === 1 ? entries[0].update : Y.mergeUpdates(entries.map((e) => e.update));
}
