"""What a run prints: the machine, one table row per case, the legend and the verdicts."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from bench.fanout.case import Result, quantile_ms
from bench.fanout.clients import TRANSPORTS
from crdt.engine import get_engine

TARGET_RATIO, TARGET_WEBSOCKET_MS, TARGET_POLLING_MS = 1.2, 50.0, 250.0
HEADER = (
    f"{'transport':<12}{'N':>4}{'docs':>5}{'keys/s':>8}{'frames/s':>9}{'offered/s':>10}{'deliv/s':>9}"
    f"{'p50 ms':>8}{'p99 ms':>9}{'max ms':>9}{'missing':>8}{'ack99':>8}{'lag99':>7}"
    f"{'srv cpu':>8}{'cli cpu':>8}{'machine':>8}{'load':>12}  text"
)
LEGEND = """\
N typists in all, split evenly over docs documents, + 1 watcher per document. Latency: keystroke
-> frame at each other client of its document, over every expected delivery (a missing one counts
as infinite). offered/s = keystrokes x N/docs receivers; deliv/s = deliveries before typing
stopped. ack99: p99 of frame -> stored ack (Jointly) or echo (y-websocket), ms. lag99: p99
lateness of the typing clock, ms (large: the client processes did not get the CPU in time). cpu:
cores used while typing by the server process, by all client processes, by the whole machine
(the rest is other processes); load: 1-minute load average. text: each watcher's document holds
every keystroke typed in it. Client processes ran at nice +{nice}, every server at normal priority,
so the clients do not starve the server under test (--client-nice 0: all equal, as before)."""


def legend(client_nice: int) -> str:
    """What the table's columns mean, for a run whose client processes had ``client_nice``."""
    return LEGEND.format(nice=client_nice)


def name(clients: int, docs: int) -> str:
    """A case in the verdicts: its N, and its documents when there are more than one."""
    return f"N={clients}" if docs == 1 else f"N={clients} in {docs} documents"


def row(r: Result) -> str:
    """One line of the table."""
    text = {None: "?", True: "ok", False: "WRONG"}[r.state_ok]
    return (
        f"{r.transport:<12}{r.clients:>4}{r.docs:>5}{r.typed / r.seconds:>8.1f}"
        f"{r.frames / r.seconds:>9.1f}"
        f"{r.expected / r.seconds:>10.0f}{r.on_time / r.seconds:>9.0f}{r.p_ms(0.5):>8.1f}"
        f"{r.p_ms(0.99):>9.1f}{max(r.latencies_s, default=0) * 1000:>9.1f}"
        f"{r.expected - len(r.latencies_s):>8}{quantile_ms(r.acks_s, 0.99):>8.1f}"
        f"{quantile_ms(r.lags_s, 0.99):>7.1f}{r.cpu[0]:>8.2f}{r.cpu[1]:>8.2f}{r.cpu[2]:>8.2f}"
        f"{r.load[0]:>6.1f}-{r.load[1]:<5.1f}  {text}"
    )


def verdicts(results: list[Result]) -> list[str]:
    """The ratios to both peers and each target, per number of clients and documents."""
    by, lines = {(r.transport, r.clients, r.docs): r for r in results}, []
    for n, docs in sorted({(r.clients, r.docs) for r in results}):
        ws, poll, yws, durable = (by.get((t, n, docs)) for t in TRANSPORTS)
        checks = [
            (ratio(ws, yws), "Jointly-WebSocket p99 / y-websocket p99", TARGET_RATIO, ""),
            (ratio(ws, durable), "Jointly-WebSocket p99 / durable y-websocket p99", None, ""),
            (ratio(poll, durable), "Jointly-long-polling p99 / durable y-websocket p99", None, ""),
            (ws and ws.p_ms(0.99), "WebSocket p99", TARGET_WEBSOCKET_MS, " ms"),
            (poll and poll.p_ms(0.99), "long-polling p99", TARGET_POLLING_MS, " ms"),
        ]
        lines += [
            f"{name(n, docs)}: {what} = {value:.2f}{unit}"
            + (
                f" (target <= {target:g}{unit}: {'met' if value <= target else 'MISSED'})"
                if target is not None
                else ""
            )
            for value, what, target, unit in checks
            if value
        ]
    return lines


def ratio(jointly: Result | None, peer: Result | None) -> float | None:
    """Jointly's p99 over a peer's, when both ran."""
    return jointly.p_ms(0.99) / peer.p_ms(0.99) if jointly and peer else None


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
