"""One case of a run, a transport with N typists in D documents: processes, CPU, receipts."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench.fanout.clients import PEERS
from bench.fanout.node import run_node_worker
from bench.fanout.workers import DRAIN_S, Seat, WorkerReport, WorkerSpec, run_worker


@dataclass
class Result:
    """One run's figures."""

    transport: str
    clients: int  # typists in all documents
    docs: int
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

    @property
    def receivers(self) -> int:
        """Who should receive each keystroke: the other typists of its document and its watcher."""
        return self.clients // self.docs

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


def cpu_ticks(pid: int) -> int:
    """User plus system clock ticks a process and the children it forked have used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()  # gunicorn's worker
    return int(fields[11]) + int(fields[12]) + sum(cpu_ticks(int(child)) for child in children)


def machine_ticks() -> tuple[int, int]:
    """All CPUs' (busy, total) clock ticks since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def seat(
    rooms: list[str], clients: int, accounts: list[tuple[str, str]]
) -> tuple[list[tuple[int, Seat]], list[Seat]]:
    """The typists, dealt round the rooms in turn, and one watcher per room."""
    typists = [
        (i, Seat(rooms[i % len(rooms)], accounts[i % len(accounts)])) for i in range(clients)
    ]
    return typists, [Seat(room, accounts[-1]) for room in rooms]


def run_case(spec: WorkerSpec, procs: int, server_pid: int) -> Result:
    """Run one transport with all of a case's clients (``spec``); return its figures."""
    count = max(1, min(procs, spec.clients + len(spec.watchers)))
    specs = [
        replace(spec, typists=spec.typists[w::count], watchers=spec.watchers[w::count])
        for w in range(count)
    ]
    in_node = spec.client == "node" and spec.transport not in PEERS
    target = run_node_worker if in_node else run_worker
    ctx = mp.get_context("spawn")
    ready, out, go, start = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    workers = [
        ctx.Process(target=target, args=(s, ready, go, start, out), daemon=True) for s in specs
    ]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            if problem := ready.get(timeout=120):
                raise RuntimeError(problem)
        start.value = t0 = time.monotonic() + 1.0
        go.set()
        result = Result(spec.transport, spec.clients, len(spec.watchers), spec.seconds)
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
    """Match every receipt to its keystroke; check each document's length against its typing."""
    typed: dict[int, float] = {}
    typed_in: Counter[str] = Counter()
    states: dict[str, int] = {}
    for report in reports:
        typed.update(zip(report.typed_keys, report.typed_at, strict=True))
        typed_in += report.typed_in
        states |= report.state_chars
        result.frames += report.frames
        result.acks_s += report.acks
        result.lags_s += report.lags
        result.errors += report.errors
    result.typed = len(typed)
    result.expected = len(typed) * result.receivers
    for report in reports:
        for key, at in zip(report.got_keys, report.got_at, strict=True):
            if (typed_at := typed.get(key)) is not None:
                result.latencies_s.append(at - typed_at)
                result.on_time += at <= typing_end
    if any(chars != typed_in[room] for room, chars in states.items()):
        result.state_ok = False
    elif len(states) == result.docs:
        result.state_ok = True  # otherwise a watcher did not get its document: unknown
