"""Fan-out benchmark: N people type in one document; how soon each keystroke reaches the others.

For each transport and N, N clients join one fresh document and each types one character every
200 ms (staggered, so keystrokes do not arrive in bursts); one more client only watches, so each
keystroke has N receivers even when N is 1. A keystroke is a real Yjs update made by the
repository's engine under the client id the server assigned; receivers read the (client, clock)
ranges in each update frame they get. Latency is keystroke to frame arrival at each other client
(every process reads the same CLOCK_MONOTONIC). Receivers do not apply what they get; at the end
the watcher fetches the whole document and the run checks that every keystroke is in it.

Transports: ``websocket`` and ``polling`` are Jointly's ``/collab`` Socket.IO namespace (a demo
instance, ``flask --app wiki serve`` restarted for every run). Like the browser's provider, a
Jointly client keeps one update frame in flight and sends keystrokes typed meanwhile as one
merged frame when the ack arrives (the server handles a socket's events in parallel threads, so
pipelined frames could arrive out of order). ``yws`` is the y-websocket server
(bench/yws_server.mjs: Node, in memory, no storage, no access checks), sent every keystroke at
once over plain WebSocket, as its own provider does. Jointly stores each update durably before
it acknowledges and broadcasts it; y-websocket stores nothing. ``ack99`` is frame to stored ack
for Jointly, frame to echo for y-websocket (it sends each update back to its sender as well).

Clients run in a few processes (``--procs``). python-socketio's threaded client starts a thread
per received message; here clients dispatch in their read thread, as a browser does
(``--stock-client`` measures the stock way). The table shows the CPU the server and the clients
used and how busy the whole machine was, so a run starved by other processes says so.

Servers (``--server``): ``threading`` is ``make run``'s single process; ``gevent`` is one
process of the cluster deployment (gunicorn with deploy/gunicorn.conf.py), on the same SQLite
database and without Redis.

Run: ``.venv/bin/python bench/fanout.py --clients 1,10,50 --seconds 60 \
--transports websocket,polling,yws`` (y-websocket comes from ``npm ci``).
"""

from __future__ import annotations

import argparse
import heapq
import multiprocessing as mp
import os
import platform
import queue
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import engineio
import engineio.payload
import requests
import socketio
import websocket

from crdt import protocol
from crdt.engine import Doc, get_engine
from crdt.errors import CrdtError
from crdt.updates import parse_update

REPO = Path(__file__).resolve().parents[1]
FLASK = Path(sys.executable).parent / "flask"
NAMESPACE = "/collab"
TRANSPORTS = ("websocket", "polling", "yws")
SERVERS = ("threading", "gevent")
TYPE_EVERY_S = 0.2
DRAIN_S = 5.0  # after typing stops, how long receivers wait for stragglers
CLOCK_BITS = 24  # a keystroke's key: client id << CLOCK_BITS | clock
EDITORS = (
    "alex@cabinet.example.gov",
    "maria@civilsociety.example.org",
    "priya@business.example.gov",
)
SERVER_ENV = {
    "WIKI_LOGIN_RATE_LIMIT": "100000 per minute",
    "WIKI_ARGON2_TIME_COST": "1",
    "WIKI_ARGON2_MEMORY_KIB": "1024",
}
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
TARGET_RATIO, TARGET_WEBSOCKET_MS, TARGET_POLLING_MS = 1.2, 50.0, 250.0

Done = Callable[[bool], None]  # called with whether the server took the frame


class Inbox:
    """What one client received: others' keystrokes with arrival times, its own round trips.

    Receiving threads add to it while the process reads it, so both go through one lock and the
    process reads a snapshot.
    """

    def __init__(self, own_id: int) -> None:
        self.own_id = own_id
        self.echo: dict[int, float] = {}  # y-websocket: first key of a frame -> when sent
        self.state: bytes | None = None
        self.state_ready = threading.Event()
        self._lock = threading.Lock()
        self._got: list[tuple[int, float]] = []
        self._acks: list[float] = []
        self._errors: list[str] = []

    def take(self, msg: bytes) -> None:
        now = time.monotonic()
        try:
            message = protocol.decode_message(msg)
            update = message.subtype == protocol.SYNC_UPDATE
            info = parse_update(message.payload) if update else None
        except CrdtError as error:
            self.add_error(f"undecodable frame: {error}")
            return
        if message.subtype == protocol.SYNC_STEP2:
            self.state = message.payload
            self.state_ready.set()
        got: list[tuple[int, float]] = []
        acks: list[float] = []
        for client, ranges in (info.structs if info else {}).items():
            for clock, length in ranges:
                if client == self.own_id:
                    sent_at = self.echo.pop(client << CLOCK_BITS | clock, None)
                    acks += [] if sent_at is None else [now - sent_at]
                else:
                    base = client << CLOCK_BITS
                    got += [(base | c, now) for c in range(clock, clock + length)]
        with self._lock:
            self._got += got
            self._acks += acks

    def add_ack(self, seconds: float) -> None:
        with self._lock:
            self._acks.append(seconds)

    def add_error(self, text: str) -> None:
        with self._lock:
            self._errors.append(text)

    def snapshot(self) -> tuple[list[tuple[int, float]], list[float], list[str]]:
        """Copies of (keystrokes received with their arrival times, round trips, errors)."""
        with self._lock:
            return list(self._got), list(self._acks), list(self._errors)


class _InlineEngineIO(engineio.Client):
    """Runs each received message's handler in the read thread instead of a new thread."""

    def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class _InlineClient(socketio.Client):
    def _engineio_client_class(self) -> type[engineio.Client]:
        return _InlineEngineIO


def sign_in(base_url: str, email: str, password: str) -> requests.Session:
    """An HTTP session signed in through the real login form."""
    http = requests.Session()
    token = CSRF.search(http.get(f"{base_url}/login", timeout=30).text)
    if token is None:
        raise RuntimeError("no CSRF token on the login form")
    answer = http.post(
        f"{base_url}/login",
        allow_redirects=False,
        timeout=30,
        data={"csrf_token": token.group(1), "email": email, "password": password},
    )
    if answer.status_code != 302:
        raise RuntimeError(f"signing in as {email} answered {answer.status_code}")
    return http


class JointlyClient:
    """A Socket.IO client of the ``/collab`` namespace over one transport."""

    one_in_flight = True

    def __init__(
        self, url: str, slug: str, transport: str, account: tuple[str, str], inline: bool
    ) -> None:
        self.slug, self.inbox = slug, Inbox(-1)
        self.sio = (_InlineClient if inline else socketio.Client)(
            http_session=sign_in(url, *account), reconnection=False
        )
        self.sio.on("frame", self._frame, namespace=NAMESPACE)
        self.sio.connect(url, namespaces=[NAMESPACE], transports=[transport], wait_timeout=30)
        answer = self.sio.call("join", {"doc": slug}, namespace=NAMESPACE, timeout=30)
        if not (answer.get("ok") and answer.get("can_edit")):
            raise RuntimeError(f"joining {slug} as {account[0]} answered {answer}")
        self.client_id = self.inbox.own_id = int(answer["client_id"])

    def _frame(self, data: Any) -> None:
        msg = data.get("msg") if isinstance(data, dict) else None
        if isinstance(msg, bytes):
            self.inbox.take(msg)
        else:  # the packet after a binary event's header was taken as its attachment
            self.inbox.add_error(
                "a frame's msg arrived as text: the server sent another packet "
                "between a binary event and its attachment"
            )

    def send(self, msg: bytes, _key: int, done: Done) -> None:
        sent_at = time.monotonic()

        def acked(answer: Any) -> None:
            ok = isinstance(answer, dict) and answer.get("ok") is True
            self.inbox.add_ack(time.monotonic() - sent_at)
            if not ok:
                self.inbox.add_error(str(answer)[:200])
            done(ok)

        self.sio.emit("frame", {"doc": self.slug, "msg": msg}, namespace=NAMESPACE, callback=acked)

    def ask_state(self) -> None:
        msg = protocol.encode_sync_step1(b"\0")  # an empty state vector: send me everything
        self.sio.emit("frame", {"doc": self.slug, "msg": msg}, namespace=NAMESPACE)

    def close(self) -> None:
        self.sio.disconnect()


class YwsClient:
    """A plain WebSocket client of y-websocket: y-protocols messages, the room in the path."""

    one_in_flight = False

    def __init__(self, url: str, room: str) -> None:
        self.client_id = secrets.randbelow(2**31 - 2) + 1
        self.inbox = Inbox(self.client_id)
        self.ws = websocket.create_connection(f"{url}/{room}", timeout=30)
        self.ws.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                msg = self.ws.recv()
            except (websocket.WebSocketException, OSError):
                return
            if isinstance(msg, bytes):
                self.inbox.take(msg)

    def send(self, msg: bytes, key: int, _done: Done) -> None:
        self.inbox.echo[key] = time.monotonic()
        self.ws.send_binary(msg)

    def ask_state(self) -> None:
        self.ws.send_binary(protocol.encode_sync_step1(b"\0"))

    def close(self) -> None:
        self.ws.close()


Client = JointlyClient | YwsClient


@dataclass(frozen=True)
class WorkerSpec:
    """One client process's share of a run."""

    transport: str
    url: str
    room: str
    typists: list[tuple[int, str, str]]  # (index among all typists, email, password)
    watcher: tuple[str, str] | None  # this process also runs the watching client
    clients: int
    seconds: float
    inline: bool


@dataclass
class WorkerReport:
    """What one client process measured, as arrays that pickle compactly."""

    typed_keys: array[int] = field(default_factory=lambda: array("q"))
    typed_at: array[float] = field(default_factory=lambda: array("d"))
    got_keys: array[int] = field(default_factory=lambda: array("q"))
    got_at: array[float] = field(default_factory=lambda: array("d"))
    acks: array[float] = field(default_factory=lambda: array("d"))
    lags: array[float] = field(default_factory=lambda: array("d"))
    frames: int = 0
    cpu_s: float = 0.0
    state_chars: int | None = None
    errors: list[str] = field(default_factory=list)


class Keyboard:
    """Types for every client of a process, in one thread (y-py docs are bound to theirs)."""

    def __init__(self, clients: list[Client], report: WorkerReport) -> None:
        self.clients, self.report = clients, report
        self.docs: list[Doc] = [get_engine().new_doc(c.client_id) for c in clients]
        self.unsent = [doc.state_vector() for doc in self.docs]  # what the server lacks since
        self.busy = [False] * len(clients)
        self.acks: queue.SimpleQueue[tuple[int, bool, bytes]] = queue.SimpleQueue()

    def type_key(self, k: int) -> None:
        doc = self.docs[k]
        clock = len(doc.text())
        doc.edit([(clock, 0, "abcdefghijklmnopqrstuvwxyz "[clock % 27])])
        self.report.typed_keys.append(self.clients[k].client_id << CLOCK_BITS | clock)
        self.report.typed_at.append(time.monotonic())
        if not (self.busy[k] and self.clients[k].one_in_flight):
            self.flush(k)

    def flush(self, k: int) -> None:
        """Send client k's keystrokes the server lacks, as one frame."""
        client, doc, since = self.clients[k], self.docs[k], self.unsent[k]
        update = doc.encode_diff(since)
        self.unsent[k], self.busy[k] = doc.state_vector(), client.one_in_flight
        key = client.client_id << CLOCK_BITS | parse_update(update).structs[client.client_id][0][0]
        self.report.frames += 1
        client.send(
            protocol.encode_sync_update(update), key, lambda ok: self.acks.put((k, ok, since))
        )

    def acked(self, k: int, ok: bool, since: bytes) -> None:
        self.busy[k] = False
        if not ok:
            self.unsent[k] = since  # refused: what that frame carried goes again
        if self.unsent[k] != self.docs[k].state_vector():
            self.flush(k)

    def run(self, spec: WorkerSpec, t0: float) -> None:
        """Each client types one character every TYPE_EVERY_S until the end; acks go on after."""
        end = t0 + spec.seconds
        offsets = [TYPE_EVERY_S * i / spec.clients for i, _, _ in spec.typists]
        due = [(t0 + offset, k) for k, offset in enumerate(offsets)]
        heapq.heapify(due)
        if not due:
            return  # this process only watches
        while (typing := due[0][0] < end) or any(self.busy):
            until = due[0][0] if typing else end + DRAIN_S
            try:
                self.acked(*self.acks.get(timeout=max(0.0, until - time.monotonic())))
                continue
            except queue.Empty:
                if not typing:
                    break  # acks still missing after the drain: the report shows them
            at, k = heapq.heappop(due)
            self.report.lags.append(time.monotonic() - at)
            self.type_key(k)
            heapq.heappush(due, (at + TYPE_EVERY_S, k))


def connect(spec: WorkerSpec, account: tuple[str, str]) -> Client:
    """A connected, joined client of the run's server."""
    if spec.transport == "yws":
        return YwsClient(spec.url, spec.room)
    return JointlyClient(spec.url, spec.room, spec.transport, account, spec.inline)


def run_worker(spec: WorkerSpec, ready: Any, go: Any, start: Any, out: Any) -> None:
    """A client process: connect, wait for the common start, type, drain, report."""
    report = WorkerReport()
    # A long-poll answer holds every packet queued since the last one; browsers decode any
    # number, python-engineio's client gives up on the connection past 16.
    engineio.payload.Payload.max_decode_packets = 1_000_000
    try:
        clients = [connect(spec, (email, pw)) for _, email, pw in spec.typists]
        watcher = connect(spec, spec.watcher) if spec.watcher else None
    except Exception as error:
        ready.put(f"connecting failed: {error!r}")
        return
    ready.put(None)
    go.wait()
    t0 = start.value
    timer: threading.Timer | None = None
    try:
        keyboard = Keyboard(clients, report)
        time.sleep(max(0.0, t0 - time.monotonic()))
        cpu0 = sum(os.times()[:2])
        timer = threading.Timer(
            t0 + spec.seconds - time.monotonic(),
            lambda: setattr(report, "cpu_s", sum(os.times()[:2]) - cpu0),
        )
        timer.start()
        keyboard.run(spec, t0)
        report.errors += ["a typist never got the ack of its last frame and stopped sending"] * sum(
            keyboard.busy
        )
        time.sleep(max(0.0, t0 + spec.seconds + DRAIN_S - time.monotonic()))
        if watcher is not None:
            watcher.ask_state()
            if watcher.inbox.state_ready.wait(30) and watcher.inbox.state is not None:
                doc = get_engine().new_doc()
                doc.apply_update(watcher.inbox.state)
                report.state_chars = len(doc.text())
    except Exception as error:
        report.errors.append(f"client process failed: {error!r}")
    if timer is not None:
        timer.join()  # a failure above can come before the timer has set cpu_s
    for client in [*clients, *([watcher] if watcher else [])]:
        got, acks, errors = client.inbox.snapshot()
        report.got_keys.extend(key for key, _ in got)
        report.got_at.extend(at for _, at in got)
        report.acks.extend(acks)
        report.errors += errors[:5]
        client.close()
    out.put(report)


def free_port() -> int:
    """A loopback TCP port nobody listens on at the moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_ticks(pid: int) -> int:
    """User plus system clock ticks a process and the children it forked have used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()  # gunicorn's worker
    return int(fields[11]) + int(fields[12]) + sum(cpu_ticks(int(child)) for child in children)


def machine_ticks() -> tuple[int, int]:
    """All CPUs' (busy, total) clock ticks since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def stop(process: subprocess.Popen[Any]) -> None:
    """Terminate a child process, killing it if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class JointlyServer:
    """A demo instance of Jointly; ``start`` serves it on a free port with a fresh document."""

    def __init__(self, root: Path, mode: str) -> None:
        self.mode = mode
        self.instance, self.log = root / "instance", root / "server.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WIKI_")}
        self.env.update(SERVER_ENV, WIKI_INSTANCE_PATH=str(self.instance))
        self.flask("init-db")
        self.flask("seed-demo")
        lines = (self.instance / "demo-accounts.txt").read_text().splitlines()
        self.accounts = [
            (p[1], p[2]) for p in map(str.split, lines) if len(p) > 2 and p[1] in EDITORS
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def flask(self, *args: str) -> None:
        done = subprocess.run(
            [str(FLASK), "--app", "wiki", *args],
            cwd=REPO,
            env=self.env,
            input="",
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def start(self, slug: str) -> None:
        self.flask(
            "create-doc",
            slug,
            "--title",
            slug,
            "--kind",
            "page",
            "--visibility",
            "network",
            "--org",
            "Cabinet Office Transparency Team",
        )
        port = free_port()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(port), cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/login", timeout=2)
            except requests.RequestException:
                time.sleep(0.1)
                continue
            return
        raise RuntimeError(f"the server did not start; see {self.log}")

    def complaints(self) -> str:
        """The server log's warnings and errors so far, for a run that went wrong."""
        lines = self.log.read_text(errors="replace").splitlines()
        wanted = ("WARNING", "ERROR", "Error", "Traceback", "disconnect", "timeout")
        return "\n".join(line for line in lines if any(w in line for w in wanted))[-4000:]

    def command(self, port: int) -> list[str]:
        if self.mode == "gevent":
            config = REPO / "deploy" / "gunicorn.conf.py"
            return [
                str(FLASK.parent / "gunicorn"),
                f"--config={config}",
                f"--bind=127.0.0.1:{port}",
                "wsgi:app",
            ]
        return [str(FLASK), "--app", "wiki", "serve", "--host", "127.0.0.1", "--port", str(port)]

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


class YwsServer:
    """bench/yws_server.mjs on a free loopback port."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self, _room: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "YPERSISTENCE"}
        self.process = subprocess.Popen(
            ["node", str(REPO / "bench" / "yws_server.mjs")],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if (match := re.match(r"listening (\S+)", line)) is None:
            raise RuntimeError(f"y-websocket did not start (run `npm ci`?): {line!r}")
        self.url = f"ws://{match.group(1)}"

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@dataclass
class Result:
    """One run's figures."""

    transport: str
    clients: int
    seconds: float
    typed: int = 0
    frames: int = 0
    expected: int = 0
    latencies_s: list[float] = field(default_factory=list)
    on_time: int = 0  # delivered before typing stopped
    acks_s: list[float] = field(default_factory=list)
    lags_s: list[float] = field(default_factory=list)
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)  # cores: server, clients, whole machine
    load: tuple[float, float] = (0.0, 0.0)
    state_ok: bool | None = None
    errors: list[str] = field(default_factory=list)

    def p_ms(self, q: float) -> float:
        """The q-quantile of latency over every expected delivery; a missing one is infinite."""
        ordered, rank = sorted(self.latencies_s), min(self.expected - 1, int(q * self.expected))
        if rank < 0:
            return float("nan")
        return ordered[rank] * 1000 if rank < len(ordered) else float("inf")


def quantile_ms(values: list[float], q: float) -> float:
    """The q-quantile of ``values`` (seconds) in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def run_case(
    spec: WorkerSpec, accounts: list[tuple[str, str]], procs: int, server_pid: int
) -> Result:
    """Run one transport with one number of clients; return its figures."""
    count = max(1, min(procs, spec.clients + 1))
    typists = [(i, *accounts[i % len(accounts)]) for i in range(spec.clients)]
    specs = [
        WorkerSpec(
            spec.transport,
            spec.url,
            spec.room,
            typists[w::count],
            accounts[-1] if w == 0 else None,
            spec.clients,
            spec.seconds,
            spec.inline,
        )
        for w in range(count)
    ]
    ctx = mp.get_context("spawn")
    ready, out, go, start = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    workers = [
        ctx.Process(target=run_worker, args=(s, ready, go, start, out), daemon=True) for s in specs
    ]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            if problem := ready.get(timeout=120):
                raise RuntimeError(problem)
        start.value = t0 = time.monotonic() + 1.0
        go.set()
        result = Result(spec.transport, spec.clients, spec.seconds)
        reports = watch(result, server_pid, t0, out, len(workers))
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()
    tally(result, reports, t0 + spec.seconds)
    return result


def watch(result: Result, server_pid: int, t0: float, out: Any, workers: int) -> list[WorkerReport]:
    """Measure CPU and load while the clients type; return their reports."""
    time.sleep(max(0.0, t0 - time.monotonic()))
    server0, machine0, load0 = cpu_ticks(server_pid), machine_ticks(), os.getloadavg()[0]
    time.sleep(max(0.0, t0 + result.seconds - time.monotonic()))
    server1, machine1, load1 = cpu_ticks(server_pid), machine_ticks(), os.getloadavg()[0]
    reports = [out.get(timeout=DRAIN_S + 120) for _ in range(workers)]
    seconds, tick = result.seconds, os.sysconf("SC_CLK_TCK")
    busy = (machine1[0] - machine0[0]) / max(1, machine1[1] - machine0[1])
    machine = busy * (os.cpu_count() or 1)
    result.cpu = (
        (server1 - server0) / tick / seconds,
        sum(r.cpu_s for r in reports) / seconds,
        machine,
    )
    result.load = (load0, load1)
    return reports


def tally(result: Result, reports: list[WorkerReport], typing_end: float) -> None:
    """Match every receipt to its keystroke."""
    typed: dict[int, float] = {}
    for report in reports:
        typed.update(zip(report.typed_keys, report.typed_at, strict=True))
        result.frames += report.frames
        result.acks_s += report.acks
        result.lags_s += report.lags
        result.errors += report.errors
    result.typed = len(typed)
    result.expected = len(typed) * result.clients  # the other typists and the watcher
    for report in reports:
        for key, at in zip(report.got_keys, report.got_at, strict=True):
            if (typed_at := typed.get(key)) is not None:
                result.latencies_s.append(at - typed_at)
                result.on_time += at <= typing_end
        if report.state_chars is not None:
            result.state_ok = report.state_chars == result.typed


HEADER = (
    f"{'transport':<10}{'N':>4}{'keys/s':>8}{'frames/s':>9}{'offered/s':>10}{'deliv/s':>9}"
    f"{'p50 ms':>8}{'p99 ms':>9}{'max ms':>9}{'missing':>8}{'ack99':>8}{'lag99':>7}"
    f"{'srv cpu':>8}{'cli cpu':>8}{'machine':>8}{'load':>12}  text"
)
LEGEND = """\
N typists + 1 watcher. Latency: keystroke -> frame at each other client, over every expected
delivery (a missing one counts as infinite). offered/s = keystrokes x N receivers; deliv/s =
deliveries before typing stopped. ack99: p99 of frame -> stored ack (Jointly) or echo
(y-websocket), ms. lag99: p99 lateness of the typing clock, ms (large: the client processes did
not get the CPU in time). cpu: cores used while typing by the server process, by all client
processes, by the whole machine (the rest is other processes); load: 1-minute load average."""


def row(r: Result) -> str:
    """One line of the table."""
    text = {None: "?", True: "ok", False: "WRONG"}[r.state_ok]
    return (
        f"{r.transport:<10}{r.clients:>4}{r.typed / r.seconds:>8.1f}"
        f"{r.frames / r.seconds:>9.1f}"
        f"{r.expected / r.seconds:>10.0f}{r.on_time / r.seconds:>9.0f}{r.p_ms(0.5):>8.1f}"
        f"{r.p_ms(0.99):>9.1f}{max(r.latencies_s, default=0) * 1000:>9.1f}"
        f"{r.expected - len(r.latencies_s):>8}{quantile_ms(r.acks_s, 0.99):>8.1f}"
        f"{quantile_ms(r.lags_s, 0.99):>7.1f}{r.cpu[0]:>8.2f}{r.cpu[1]:>8.2f}{r.cpu[2]:>8.2f}"
        f"{r.load[0]:>6.1f}-{r.load[1]:<5.1f}  {text}"
    )


def verdicts(results: list[Result]) -> list[str]:
    """The ratio and each target, per number of clients."""
    by, lines = {(r.transport, r.clients): r for r in results}, []
    for n in sorted({r.clients for r in results}):
        ws, poll, yws = (by.get((t, n)) for t in TRANSPORTS)
        checks = [
            (
                ws and yws and ws.p_ms(0.99) / yws.p_ms(0.99),
                "Jointly-WebSocket p99 / y-websocket p99",
                TARGET_RATIO,
                "",
            ),
            (ws and ws.p_ms(0.99), "WebSocket p99", TARGET_WEBSOCKET_MS, " ms"),
            (poll and poll.p_ms(0.99), "long-polling p99", TARGET_POLLING_MS, " ms"),
        ]
        lines += [
            f"N={n}: {what} = {value:.2f}{unit} (target <= {target:g}{unit}: "
            f"{'met' if value <= target else 'MISSED'})"
            for value, what, target, unit in checks
            if value
        ]
    return lines


def describe_machine() -> str:
    """CPU model, cores, load and versions, for the report."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor(),
    )
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    load, cores = os.getloadavg(), os.cpu_count() or 1
    text = (
        f"machine: {cores} cores, {model}; load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}; Python {platform.python_version()}, node {node}, "
        f"engine {get_engine().name}"
    )
    if load[0] > cores:
        text += (
            "\nWARNING: the load average exceeds the core count before the benchmark starts: "
            "other processes compete for the CPU and inflate every figure."
        )
    return text


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--clients", default="1,10,50", help="comma-separated N (default 1,10,50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="typing time per run")
    parser.add_argument(
        "--transports",
        default=",".join(TRANSPORTS),
        help="comma-separated, of websocket, polling, yws (default all)",
    )
    parser.add_argument("--procs", type=int, default=4, help="client processes (default 4)")
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default=SERVERS[0],
        help="how Jointly is served (default threading, as `make run`)",
    )
    parser.add_argument(
        "--stock-client",
        action="store_true",
        help="python-socketio's own thread-per-message dispatch",
    )
    args = parser.parse_args(argv)
    args.clients = [int(n) for n in args.clients.split(",")]
    args.transports = args.transports.split(",")
    if unknown := set(args.transports) - set(TRANSPORTS):
        parser.error(f"unknown transports {sorted(unknown)}; choose from {TRANSPORTS}")
    return args


def run_all(args: argparse.Namespace, tmp: Path) -> list[Result]:
    """Every transport with every N, each on a freshly started server."""
    jointly = JointlyServer(tmp, args.server) if set(args.transports) - {"yws"} else None
    accounts = jointly.accounts if jointly else [("", "")]
    results: list[Result] = []
    print(HEADER, flush=True)
    for transport in args.transports:
        for n in args.clients:
            server = YwsServer() if transport == "yws" else jointly
            assert server is not None
            room = f"fanout-{transport}-{n}"
            server.start(room)
            try:
                assert server.process is not None
                spec = WorkerSpec(
                    transport, server.url, room, [], None, n, args.seconds, not args.stock_client
                )
                results.append(run_case(spec, accounts, args.procs, server.process.pid))
            except Exception:
                if isinstance(server, JointlyServer):
                    print(server.log.read_text()[-3000:])
                raise
            finally:
                server.stop()
            print(row(results[-1]), flush=True)
            if isinstance(server, JointlyServer) and results[-1].errors:
                print(server.complaints(), flush=True)
    return results


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(describe_machine(), flush=True)
    print(f"Jointly server: {args.server}", flush=True)
    with tempfile.TemporaryDirectory(prefix="jointly-fanout-") as tmp:
        results = run_all(args, Path(tmp))
    print(LEGEND)
    for result in results:
        for error, times in Counter(result.errors).most_common(3):
            print(f"{result.transport} N={result.clients}: error ({times}x): {error}")
    print("\n" + "\n".join(verdicts(results)))


if __name__ == "__main__":
    main()
