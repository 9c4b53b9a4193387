"""The command line: ``python -m bench.fanout --help``; every case, then the report."""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

import bench.fanout
from bench.fanout.case import Result, run_case, seat
from bench.fanout.clients import CLIENTS, PEERS, TRANSPORTS
from bench.fanout.report import HEADER, describe_machine, legend, name, row, verdicts
from bench.fanout.servers import SERVERS, JointlyServer, YwsServer
from bench.fanout.workers import WorkerSpec


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fanout",
        description=(bench.fanout.__doc__ or "").split("\n", 1)[0],
    )
    parser.add_argument(
        "--clients", default="1,10,50", help="comma-separated N, typists in all (default 1,10,50)"
    )
    parser.add_argument(
        "--docs",
        type=int,
        metavar="D",
        default=1,
        help="documents the N typists are split evenly over, each with a watcher (default 1)",
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="typing time per run")
    parser.add_argument(
        "--transports",
        default=",".join(TRANSPORTS),
        help="comma-separated, of websocket, polling, yws, yws-durable (default all)",
    )
    parser.add_argument("--procs", type=int, default=4, help="client processes (default 4)")
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default=SERVERS[0],
        help="how Jointly is served (default: as `make run`, `flask serve`)",
    )
    parser.add_argument(
        "--stock-client",
        action="store_true",
        help="python-socketio's own thread-per-message dispatch",
    )
    parser.add_argument(
        "--client",
        choices=CLIENTS,
        default=CLIENTS[0],
        help="Jointly's clients: socket.io-client in node, as browsers run it (default), or "
        "python-socketio (heavier: over long-polling it measures the clients)",
    )
    parser.add_argument(
        "--client-nice",
        type=int,
        metavar="K",
        default=10,
        help="niceness added to the client processes, not the servers (default 10; 0: none)",
    )
    args = parser.parse_args(argv)
    args.clients = [int(n) for n in args.clients.split(",")]
    if args.docs < 1:
        parser.error(f"--docs {args.docs}: give 1 or more documents")
    if uneven := [n for n in args.clients if n % args.docs]:
        parser.error(
            f"--clients {','.join(map(str, uneven))}: each N must be a multiple of --docs "
            f"{args.docs}, as each document gets N/D typists"
        )
    if not 0 <= args.client_nice <= 19:
        parser.error(f"--client-nice {args.client_nice}: give 0 (none) to 19 (the lowest priority)")
    args.transports = args.transports.split(",")
    if unknown := set(args.transports) - set(TRANSPORTS):
        parser.error(f"unknown transports {sorted(unknown)}; choose from {TRANSPORTS}")
    return args


def run_all(args: argparse.Namespace, tmp: Path) -> list[Result]:
    """Every transport with every N, each on a freshly started server."""
    jointly = JointlyServer(tmp, args.server) if set(args.transports) - set(PEERS) else None
    accounts = jointly.accounts if jointly else [("", "")]
    results: list[Result] = []
    print(HEADER, flush=True)
    for transport in args.transports:
        for n in args.clients:
            server = peer(transport, tmp / f"{transport}-{n}.log") or jointly
            assert server is not None
            results.append(run_one(args, transport, n, server, accounts))
            print(row(results[-1]), flush=True)
            if isinstance(server, JointlyServer) and results[-1].errors:
                print(server.complaints(), flush=True)
    return results


def run_one(
    args: argparse.Namespace,
    transport: str,
    n: int,
    server: JointlyServer | YwsServer,
    accounts: list[tuple[str, str]],
) -> Result:
    """One transport with N typists in fresh documents, on the server started for it alone."""
    rooms = [f"fanout-{transport}-{n}"]
    if args.docs > 1:
        rooms = [f"{rooms[0]}-{d}" for d in range(1, args.docs + 1)]
    for room in rooms:
        server.create(room)
    server.start()
    try:
        typists, watchers = seat(rooms, n, accounts)
        inline = not args.stock_client
        spec = WorkerSpec(
            transport,
            server.url,
            typists,
            watchers,
            n,
            args.seconds,
            inline,
            args.client_nice,
            args.client,
        )
        return run_case(spec, args.procs, server.pid)
    except Exception:
        if isinstance(server, JointlyServer):
            print(server.log.read_text()[-3000:])
        raise
    finally:
        server.stop()


def peer(transport: str, log: Path) -> YwsServer | None:
    """The y-websocket server a peer transport measures; None for Jointly's transports."""
    if transport not in PEERS:
        return None
    return YwsServer(log if transport == "yws-durable" else None)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(describe_machine(), flush=True)
    print(f"Jointly server: {args.server}; its clients: {args.client}", flush=True)
    with tempfile.TemporaryDirectory(prefix="jointly-fanout-") as tmp:
        results = run_all(args, Path(tmp))
    print(legend(args.client_nice))
    for result in results:
        case = f"{result.transport} {name(result.clients, result.docs)}"
        for error, times in Counter(result.errors).most_common(3):
            print(f"{case}: error ({times}x): {error}")
    print("\n" + "\n".join(verdicts(results)))


if __name__ == "__main__":
    main()
