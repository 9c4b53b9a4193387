// Connects one Y.Doc and its awareness to the server's /collab namespace over Socket.IO.
//
// Polling comes first and is upgraded to WebSocket only where the network allows it:
// government proxies strip the upgrade. Every local update waits in the outbox until the
// server acknowledges that it is stored; after a reconnect the sync step 2 we send carries
// whatever the server lacks, including edits made while offline.
import { io } from "socket.io-client";
import * as Y from "yjs";
import { ObservableV2 } from "lib0/observable";
import { encodeAwarenessUpdate } from "y-protocols/awareness";
import { forgetOthers, rekeyAwareness } from "./awareness.js";
import {
  EVENT_ACCESS,
  EVENT_COMMENT,
  EVENT_FRAME,
  EVENT_JOIN,
  EVENT_LEAVE,
  MESSAGE_AWARENESS,
  MESSAGE_SYNC,
  NAMESPACE,
  SYNC_STEP1,
  SYNC_STEP2,
} from "./constants.js";
import { followInbox } from "./inbox.js";
import { Outbox } from "./outbox.js";
import { applyAwarenessSafely, isRetryable, needsJoin } from "./replies.js";
import {
  decodeMessage,
  encodeAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  frameEvent,
  toBytes,
} from "./protocol.js";

const ACK_TIMEOUT_MS = 30_000;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 30_000;
const REANNOUNCE_DELAY_MS = 300;
const AWARENESS_INTERVAL_MS = 100; // presence goes out at most ten times a second

export const SOCKET_OPTIONS = {
  transports: ["polling", "websocket"],
  reconnectionDelay: 1_000,
  reconnectionDelayMax: 15_000,
  randomizationFactor: 0.5,
  timeout: 20_000,
};

/**
 * Events: "status" (connecting | connected | reconnecting | offline | failed | closed),
 * "joined" ({clientId, canEdit, canComment}), "access" ({canEdit, canComment}: a grant
 * changed while connected), "synced" (first server state applied), "unsaved"
 * (count), "refused" (message the user must see), "delayed" (why changes wait to be
 * resent), "failed" (message), "comment" (a thread made or changed, as the comments API
 * shows it).
 */
export class CollabProvider extends ObservableV2 {
  constructor(doc, awareness, slug, { socket } = {}) {
    super();
    this.doc = doc;
    this.awareness = awareness;
    this.slug = slug;
    this.canEdit = false;
    this.canComment = false;
    this.joined = false; // the server accepted our join on this connection
    this.ready = false; // we answered the server's step 1, so single updates may follow
    this.synced = false;
    this.connection = "connecting";
    this.outbox = new Outbox(() => this.emit("unsaved", [this.outbox.size]));
    this.retryDelayMs = RETRY_MIN_MS;
    this.retryTimer = null;
    this.reannounceTimer = null;
    this.syncTimer = null;
    this.updatesInFlight = 0;
    this.awarenessInFlight = false;
    this.awarenessStale = false;
    this.socket = socket ?? io(NAMESPACE, SOCKET_OPTIONS);
    followInbox(this.socket); // the header's inbox count
    this.listen();
  }

  listen() {
    this.onDocUpdate = (update, origin) => this.handleDocUpdate(update, origin);
    this.onAwarenessUpdate = (changes, origin) => this.handleAwarenessUpdate(changes, origin);
    this.onAwarenessChange = (changes, origin) => this.handleAwarenessChange(changes, origin);
    this.onOnline = () => this.handleOnline();
    this.onOffline = () => this.setConnection("offline");
    this.doc.on("update", this.onDocUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
    this.awareness.on("change", this.onAwarenessChange);
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.socket.on("connect", () => this.join());
    this.socket.on("disconnect", (reason) => this.handleDisconnect(reason));
    this.socket.on(EVENT_FRAME, (data) => this.handleFrame(data));
    this.socket.on(EVENT_ACCESS, (data) => this.handleAccess(data));
    this.socket.on(EVENT_COMMENT, (data) => this.handleComment(data));
    this.socket.io.on("reconnect_attempt", () => this.setConnection(lostState()));
  }

  /** The number of local changes the server has not confirmed as stored. */
  get unsaved() {
    return this.outbox.size;
  }

  setConnection(state) {
    if (this.connection === state || this.connection === "failed") return;
    this.connection = state;
    this.emit("status", [state]);
  }

  join() {
    this.socket.timeout(ACK_TIMEOUT_MS).emit(EVENT_JOIN, { doc: this.slug }, (err, reply) => {
      if (err) return this.socket.connected && this.restart(); // no answer: start over
      if (reply?.ok !== true && isRetryable(reply)) return this.retryJoin(reply.error);
      if (reply?.ok !== true) return this.fail(reply?.error || "The server refused to open this document.");
      if (!Number.isSafeInteger(reply.client_id) || reply.client_id < 0) {
        return this.fail("The server's answer to joining the document was not understood.");
      }
      this.handleJoined(reply);
    });
  }

  handleJoined({ client_id: clientId, can_edit: canEdit, can_comment: canComment }) {
    // Every struct we create from now on carries the id the server gave this session;
    // ids handed out on earlier connections stay ours, so offline edits remain valid.
    this.doc.clientID = clientId;
    rekeyAwareness(this.awareness, clientId);
    this.canEdit = canEdit === true;
    this.canComment = canComment === true;
    this.joined = true;
    this.setConnection(navigator.onLine === false ? "offline" : "connected");
    this.emit("joined", [{ clientId, canEdit: this.canEdit, canComment: this.canComment }]);
    this.requestSync();
    this.sendAwareness();
  }

  /** The server says what we may do changed (a grant given or withdrawn): no reload needed. */
  handleAccess(data) {
    if (!data || data.doc !== this.slug) return;
    this.canEdit = data.can_edit === true;
    this.canComment = data.can_comment === true;
    this.emit("access", [{ canEdit: this.canEdit, canComment: this.canComment }]);
    this.flush();
  }

  /** A thread of this document was made or changed, by anyone (ourselves included). */
  handleComment(data) {
    if (!data || data.doc !== this.slug || typeof data.comment !== "object" || data.comment === null) return;
    this.emit("comment", [data.comment]);
  }

  /** What a frame event carries, for the transport the socket is on now. */
  frameData(msg) {
    return frameEvent(this.slug, msg, this.socket.io.engine?.transport?.name);
  }

  /** Send sync step 1; the server answers with step 2 and its own step 1. */
  requestSync() {
    const msg = encodeSyncStep1(Y.encodeStateVector(this.doc));
    this.socket.timeout(ACK_TIMEOUT_MS).emit(EVENT_FRAME, this.frameData(msg), (err, reply) => {
      // Without the server's answer we would wait forever: ask again while still joined.
      if (!err && reply?.ok === true) return;
      clearTimeout(this.syncTimer);
      this.syncTimer = setTimeout(() => this.joined && this.requestSync(), RETRY_MIN_MS);
    });
  }

  handleFrame(data) {
    if (!data || data.doc !== this.slug) return;
    let message;
    try {
      message = decodeMessage(toBytes(data.msg));
    } catch (error) {
      console.warn("jointly: ignored an undecodable frame", error);
      return;
    }
    if (message.type === MESSAGE_SYNC) this.handleSync(message);
    else if (message.type === MESSAGE_AWARENESS) applyAwarenessSafely(this.awareness, message.payload, this);
  }

  handleSync({ subtype, payload }) {
    if (subtype === SYNC_STEP1) return this.answerStep1(payload);
    try {
      Y.applyUpdate(this.doc, payload, this);
    } catch (error) {
      console.warn("jointly: could not apply an update from the server", error);
      return;
    }
    if (subtype === SYNC_STEP2 && !this.synced) {
      this.synced = true;
      this.emit("synced", []);
    }
  }

  answerStep1(stateVector) {
    // Viewers send no document data at all; the server would refuse it anyway.
    if (this.canEdit) {
      const entries = this.outbox.takeAll();
      this.sendUpdate(encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, stateVector)), entries);
    }
    this.ready = true;
    this.flush();
  }

  handleDocUpdate(update, origin) {
    if (origin === this) return; // came from the server
    this.outbox.add(update);
    this.flush();
  }

  /**
   * Send the queued local updates as one merged frame. Only one update frame is in flight at
   * a time: keystrokes typed meanwhile go out together when it is acknowledged, which keeps
   * frames few on slow links and within the server's packets-per-poll limit.
   */
  flush() {
    if (!this.ready || !this.canEdit || !this.socket.connected || this.updatesInFlight > 0) return;
    const batch = this.outbox.takeBatch();
    if (batch) this.sendUpdate(encodeSyncUpdate(batch.update), batch.entries);
  }

  sendUpdate(msg, entries) {
    this.updatesInFlight += 1;
    this.socket.timeout(ACK_TIMEOUT_MS).emit(EVENT_FRAME, this.frameData(msg), (err, reply) => {
      this.updatesInFlight -= 1;
      if (!err && reply?.ok === true) {
        this.retryDelayMs = RETRY_MIN_MS;
        this.outbox.stored(entries);
        this.flush();
      } else if (err || isRetryable(reply)) {
        this.outbox.retry(entries);
        if (reply?.error) this.emit("delayed", [reply.error]);
        this.scheduleRetry();
      } else if (needsJoin(reply)) {
        this.outbox.retry(entries); // the server forgot our join: join again, then resend
        this.restart();
      } else {
        this.outbox.refuse(entries);
        this.emit("refused", [reply?.error || "The server refused a change."]);
        this.flush();
      }
    });
  }

  scheduleRetry() {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.flush();
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }

  /**
   * Send our presence; while one is in flight, or sent less than AWARENESS_INTERVAL_MS ago,
   * only the newest state waits to follow it.
   */
  sendAwareness() {
    if (!this.joined) return;
    if (this.awarenessInFlight) {
      this.awarenessStale = true;
      return;
    }
    this.awarenessInFlight = true;
    this.awarenessStale = false;
    const msg = encodeAwareness(encodeAwarenessUpdate(this.awareness, [this.awareness.clientID]));
    this.socket.timeout(ACK_TIMEOUT_MS).emit(EVENT_FRAME, this.frameData(msg), (err, reply) => {
      const refused = !err && reply?.ok !== true && isRetryable(reply);
      if (refused) this.awarenessStale = true; // too fast: the newest state follows later
      const wait = refused ? RETRY_MIN_MS : AWARENESS_INTERVAL_MS;
      setTimeout(() => {
        this.awarenessInFlight = false;
        if (this.awarenessStale) this.sendAwareness();
      }, wait);
    });
  }

  handleAwarenessUpdate({ added, updated, removed }, origin) {
    if (origin === this) return;
    if ([...added, ...updated, ...removed].includes(this.awareness.clientID)) this.sendAwareness();
  }

  handleAwarenessChange({ added }, origin) {
    // A newcomer knows nobody until they speak; tell them who we are.
    if (origin !== this || !added.some((id) => id !== this.awareness.clientID)) return;
    clearTimeout(this.reannounceTimer);
    this.reannounceTimer = setTimeout(() => this.sendAwareness(), REANNOUNCE_DELAY_MS);
  }

  handleDisconnect(reason) {
    this.joined = false;
    this.ready = false;
    forgetOthers(this.awareness, this); // we cannot see them any more
    this.setConnection(lostState());
    // After a server-side disconnect Socket.IO does not reconnect by itself.
    if (reason === "io server disconnect") setTimeout(() => this.socket.connect(), RETRY_MIN_MS);
  }

  handleOnline() {
    if (this.joined) return this.setConnection("connected");
    this.setConnection("reconnecting");
    this.restart(); // skip the rest of the backoff: the network is back
  }

  /** The server could not open the document for now (its database is away): ask again later. */
  retryJoin(error) {
    this.setConnection("reconnecting");
    this.emit("delayed", [error]);
    setTimeout(() => this.socket.connected && this.join(), this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }

  restart() {
    if (this.connection === "failed") return;
    this.socket.disconnect();
    this.socket.connect();
  }

  fail(message) {
    this.setConnection("failed");
    this.emit("failed", [message]);
    this.socket.disconnect();
  }

  /** Leave the document and close the connection for good. */
  destroy() {
    if (this.joined) this.socket.emit(EVENT_LEAVE, { doc: this.slug });
    this.setConnection("closed");
    this.socket.off();
    this.socket.io.off("reconnect_attempt");
    clearTimeout(this.retryTimer);
    clearTimeout(this.reannounceTimer);
    clearTimeout(this.syncTimer);
    this.doc.off("update", this.onDocUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
    this.awareness.off("change", this.onAwarenessChange);
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    this.socket.disconnect();
    super.destroy();
  }
}

function lostState() {
  return navigator.onLine === false ? "offline" : "reconnecting";
}
