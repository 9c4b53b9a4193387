// One client process's share of a fan-out run, as browsers are: socket.io-client and Yjs in
// one event loop (bench/fanout/node.py starts it; `python -m bench.fanout --client node`).
//
// stdin, one JSON line: {url, transport, typists: [{room, cookie, offset}], watchers: [{room,
// cookie}], seconds, typeEvery, drain}. Every client connects and joins, then the process
// prints "ready"; the next stdin line is the start, in seconds of the monotonic clock Python's
// time.monotonic() reads. Each typist types a character every typeEvery seconds from start +
// offset, one frame in flight as the editor sends them; after the drain each watcher fetches
// its whole document. Last, one JSON line on stdout: the report bench/fanout/workers.py reads.

import { Agent } from "node:http";
import { createInterface } from "node:readline";
import { io } from "socket.io-client";
import * as Y from "yjs";
import { Y_TEXT_NAME, SYNC_STEP2, SYNC_UPDATE } from "../../wiki/static/src/constants.js";
import {
  decodeMessage,
  encodeSyncStep1,
  encodeSyncUpdate,
  frameEvent,
  toBytes,
} from "../../wiki/static/src/protocol.js";

const NAMESPACE = "/collab";
const CONNECT_TIMEOUT_MS = 30_000;
const LETTERS = "abcdefghijklmnopqrstuvwxyz ";

const now = () => Number(process.hrtime.bigint()) / 1e9; // CLOCK_MONOTONIC, as time.monotonic()
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, Math.max(0, seconds * 1000)));

const report = {
  typed_clients: [], // a keystroke is (client id, clock): its key in Python, past 2^53 here
  typed_clocks: [],
  typed_at: [],
  got_clients: [],
  got_clocks: [],
  got_at: [],
  acks: [],
  lags: [],
  typed_in: {},
  frames: 0,
  cpu_s: 0,
  state_chars: {},
  errors: [],
};

/** A signed-in socket joined to one document; what it receives goes into the report. */
class Client {
  constructor(url, transport, seat) {
    this.room = seat.room;
    this.ownId = -1;
    this.state = null;
    this.socket = io(`${url}${NAMESPACE}`, {
      transports: [transport],
      extraHeaders: { Cookie: seat.cookie },
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
      // As a browser: requests reuse their connections (without an agent, every poll and
      // every sent frame opened a connection of its own).
      agent: new Agent({ keepAlive: true }),
    });
    this.socket.on("frame", (data) => this.take(data));
  }

  async join() {
    const answer = await this.socket.timeout(CONNECT_TIMEOUT_MS).emitWithAck("join", { doc: this.room });
    if (!(answer.ok && answer.can_edit)) {
      throw new Error(`joining ${this.room} answered ${JSON.stringify(answer)}`);
    }
    this.ownId = answer.client_id;
  }

  take(data) {
    const at = now();
    let message;
    try {
      message = decodeMessage(toBytes(data.msg));
    } catch (error) {
      report.errors.push(`undecodable frame: ${error}`);
      return;
    }
    if (message.subtype === SYNC_STEP2) this.state?.(message.payload);
    if (message.subtype !== SYNC_UPDATE) return;
    for (const struct of Y.decodeUpdate(message.payload).structs) {
      const { client, clock } = struct.id;
      if (client === this.ownId) continue;
      for (let c = clock; c < clock + struct.length; c++) {
        report.got_clients.push(client);
        report.got_clocks.push(c);
        report.got_at.push(at);
      }
    }
  }

  /** The whole document's length, as the server holds it. */
  fetchLength() {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), CONNECT_TIMEOUT_MS);
      this.state = (update) => {
        clearTimeout(timer);
        const doc = new Y.Doc();
        Y.applyUpdate(doc, update);
        resolve(doc.getText(Y_TEXT_NAME).length);
      };
      this.socket.emit("frame", { doc: this.room, msg: encodeSyncStep1(Uint8Array.of(0)) });
    });
  }
}

/** A client that types: its own replica, and what the server has not acknowledged yet. */
class Typist {
  constructor(client, offset) {
    this.client = client;
    this.offset = offset;
    this.doc = new Y.Doc();
    this.doc.clientID = client.ownId;
    this.text = this.doc.getText(Y_TEXT_NAME);
    this.unsent = Y.encodeStateVector(this.doc);
    this.busy = false;
  }

  type() {
    const clock = this.text.length;
    this.text.insert(clock, LETTERS[clock % LETTERS.length]);
    report.typed_clients.push(this.client.ownId);
    report.typed_clocks.push(clock);
    report.typed_at.push(now());
    report.typed_in[this.client.room] = (report.typed_in[this.client.room] ?? 0) + 1;
    if (!this.busy) this.flush();
  }

  flush() {
    const since = this.unsent;
    const update = Y.encodeStateAsUpdate(this.doc, since);
    this.unsent = Y.encodeStateVector(this.doc);
    this.busy = true;
    report.frames += 1;
    const sentAt = now();
    const socket = this.client.socket;
    const data = frameEvent(this.client.room, encodeSyncUpdate(update), socket.io.engine.transport.name);
    socket.emit("frame", data, (answer) => {
      report.acks.push(now() - sentAt);
      this.busy = false;
      if (answer?.ok !== true) {
        report.errors.push(JSON.stringify(answer).slice(0, 200));
        this.unsent = since; // refused: what that frame carried goes again
      }
      if (!sameBytes(this.unsent, Y.encodeStateVector(this.doc))) this.flush();
    });
  }
}

function sameBytes(one, other) {
  return one.length === other.length && one.every((byte, i) => byte === other[i]);
}

async function connected(url, transport, seat) {
  const client = new Client(url, transport, seat);
  await new Promise((resolve, reject) => {
    client.socket.once("connect", resolve);
    client.socket.once("connect_error", reject);
  });
  await client.join();
  return client;
}

/** Each typist's keystrokes on its own timer, every typeEvery seconds until the end. */
async function typeUntil(typists, start, spec) {
  const end = start + spec.seconds;
  await Promise.all(
    typists.map(async (typist) => {
      for (let due = start + typist.offset; due < end; due += spec.typeEvery) {
        await sleep(due - now());
        report.lags.push(now() - due);
        typist.type();
      }
    }),
  );
}

async function main() {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const spec = JSON.parse((await lines.next()).value);
  const connect = (seat) => connected(spec.url, spec.transport, seat);
  const typists = await Promise.all(
    spec.typists.map(async (seat) => new Typist(await connect(seat), seat.offset)),
  );
  const watchers = await Promise.all(spec.watchers.map(connect));
  console.log("ready");
  const start = Number((await lines.next()).value);
  await sleep(start - now());
  const cpu0 = process.cpuUsage();
  const stopClock = sleep(start + spec.seconds - now()).then(() => {
    const cpu = process.cpuUsage(cpu0);
    report.cpu_s = (cpu.user + cpu.system) / 1e6;
  });
  await typeUntil(typists, start, spec);
  await stopClock;
  await sleep(start + spec.seconds + spec.drain - now());
  const stuck = typists.filter((typist) => typist.busy).length;
  for (let i = 0; i < stuck; i++) {
    report.errors.push("a typist never got the ack of its last frame and stopped sending");
  }
  for (const watcher of watchers) {
    const length = await watcher.fetchLength();
    if (length !== null) report.state_chars[watcher.room] = length;
  }
  for (const client of [...typists.map((typist) => typist.client), ...watchers]) {
    client.socket.disconnect();
  }
  console.log(JSON.stringify(report));
}

main().catch((error) => {
  console.log(`error ${error?.stack ?? error}`);
  process.exit(1);
});
