"""A client process whose clients run in node, as browsers run them (the default client).

Python's Socket.IO client costs far more processor per message than a browser's: over
long-polling, where every answer is an HTTP request, fifty of them took more than a core of
this machine's two, and a run measured how late they read rather than how late the server
sent. Here the process signs its seats in, hands them to ``clients.mjs`` (socket.io-client
and Yjs, what the editor runs) and reads its report back; timing is on the same monotonic
clock as Python's, so keystrokes and receipts match across processes.
"""

from __future__ import annotations

import json
import os
import subprocess
from array import array
from collections import Counter
from pathlib import Path
from typing import Any

from bench.fanout.clients import CLOCK_BITS
from bench.fanout.workers import DRAIN_S, TYPE_EVERY_S, WorkerReport, WorkerSpec
from tests.harness.client import signed_in_session

SCRIPT = Path(__file__).with_name("clients.mjs")
REPORT_TIMEOUT_S = 120.0


def run_node_worker(spec: WorkerSpec, ready: Any, go: Any, start: Any, out: Any) -> None:
    """As ``run_worker``, with the clients in one node process."""
    os.nice(spec.nice)
    try:
        seats = node_spec(spec)
    except Exception as error:
        ready.put(f"signing in failed: {error!r}")
        return
    node = subprocess.Popen(
        ["node", str(SCRIPT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=SCRIPT.parent,
    )
    assert node.stdin is not None and node.stdout is not None
    node.stdin.write(json.dumps(seats) + "\n")
    node.stdin.flush()
    if (answer := node.stdout.readline().strip()) != "ready":
        node.kill()
        ready.put(f"node clients failed to connect: {answer or node.wait()}")
        return
    ready.put(None)
    go.wait()
    node.stdin.write(f"{start.value}\n")
    node.stdin.flush()
    try:
        line = node.communicate(timeout=spec.seconds + DRAIN_S + REPORT_TIMEOUT_S)[0]
        out.put(as_report(line))
    except Exception as error:
        node.kill()
        out.put(WorkerReport(errors=[f"node client process failed: {error!r}"]))


def node_spec(spec: WorkerSpec) -> dict[str, Any]:
    """What clients.mjs reads: the server, the seats with their cookies, the timing."""
    cookies: dict[tuple[str, str], str] = {}

    def cookie(account: tuple[str, str]) -> str:
        if account not in cookies:
            http = signed_in_session(spec.url, *account)
            cookies[account] = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        return cookies[account]

    return {
        "url": spec.url,
        "transport": spec.transport,
        "typists": [
            {
                "room": seat.room,
                "cookie": cookie(seat.account),
                "offset": TYPE_EVERY_S * i / spec.clients,
            }
            for i, seat in spec.typists
        ],
        "watchers": [{"room": s.room, "cookie": cookie(s.account)} for s in spec.watchers],
        "seconds": spec.seconds,
        "typeEvery": TYPE_EVERY_S,
        "drain": DRAIN_S,
    }


def as_report(line: str) -> WorkerReport:
    """The report clients.mjs printed last, or one that carries its failure."""
    last = line.strip().rsplit("\n", 1)[-1]
    if not last.startswith("{"):
        return WorkerReport(errors=[f"node clients failed: {last[:500]}"])
    data = json.loads(last)
    return WorkerReport(
        typed_keys=keys(data["typed_clients"], data["typed_clocks"]),
        typed_at=array("d", data["typed_at"]),
        got_keys=keys(data["got_clients"], data["got_clocks"]),
        got_at=array("d", data["got_at"]),
        acks=array("d", data["acks"]),
        lags=array("d", data["lags"]),
        typed_in=Counter(data["typed_in"]),
        frames=data["frames"],
        cpu_s=data["cpu_s"],
        state_chars=data["state_chars"],
        errors=data["errors"],
    )


def keys(clients: list[int], clocks: list[int]) -> array[int]:
    """Keystrokes' keys as the Python clients make them, from their (client id, clock)."""
    pairs = zip(clients, clocks, strict=True)
    return array("q", (client << CLOCK_BITS | clock for client, clock in pairs))
