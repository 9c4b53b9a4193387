"""``make run-cluster``: Jointly as a cluster on one machine, in the foreground until Ctrl+C.

Two processes (gunicorn, one gevent worker each) share a PostgreSQL database and Redis,
and an nginx in front of them serves one port with sticky routing and WebSocket
proxying, from a configuration written to the run folder (deploy/nginx/cluster.conf.in).
The database is created when it is missing, migrated, and seeded with the demo once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URI = "postgresql+psycopg://postgres@127.0.0.1:5432/jointly"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_INSTANCE = REPO / "instance" / "cluster"
NGINX_TEMPLATE = DEPLOY / "nginx" / "cluster.conf.in"
NGINX_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0


class ClusterError(Exception):
    """The cluster cannot start; the message says what to do."""


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="where nginx listens")
    parser.add_argument("--port", type=int, default=5000, help="nginx's port")
    parser.add_argument(
        "--backends", default="5001,5002", help="comma-separated ports of the Jointly processes"
    )
    return parser.parse_args(argv)


def cluster_env() -> dict[str, str]:
    """The processes' settings: the developer's WIKI_* win over the cluster's defaults."""
    env = dict(os.environ)
    env.setdefault("WIKI_INSTANCE_PATH", str(DEFAULT_INSTANCE))
    env.setdefault("WIKI_SQLALCHEMY_DATABASE_URI", DEFAULT_DATABASE_URI)
    env.setdefault("WIKI_REDIS_URL", DEFAULT_REDIS_URL)
    # Login attempts are counted once for the whole cluster, not once per process.
    env.setdefault("WIKI_RATELIMIT_STORAGE_URI", env["WIKI_REDIS_URL"])
    env.setdefault("WIKI_TRUSTED_PROXIES", "1")  # nginx, and nobody else
    return env


def ensure_database(uri: str) -> None:
    """Create the PostgreSQL database of ``uri`` when it does not exist yet."""
    url = make_url(uri)
    if url.get_backend_name() != "postgresql" or not url.database:
        return
    maintenance = url.set(drivername="postgresql", database="postgres")
    try:
        connection = psycopg.connect(libpq_url(maintenance), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        raise ClusterError(
            f"PostgreSQL does not answer at {where} ({error.__class__.__name__}); start it, "
            "or point WIKI_SQLALCHEMY_DATABASE_URI at one"
        ) from error
    with connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)
        ).fetchone()
        if found is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
            print(f"Created database {url.database}.", flush=True)


def libpq_url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def nginx_binary() -> str:
    found = shutil.which("nginx", path=NGINX_SEARCH_PATH)
    if found is None:
        raise ClusterError("nginx is not installed: apt-get install nginx (make run-cluster does)")
    return found


def write_nginx_config(run_dir: Path, host: str, port: int, backends: list[int]) -> Path:
    """nginx's configuration for this cluster, written to ``run_dir``."""
    run_dir.mkdir(parents=True, exist_ok=True)
    # As root, nginx hands its workers to `nobody`, who may not reach the run folder.
    user = "user root;" if os.geteuid() == 0 else ""
    servers = "\n".join(f"        server 127.0.0.1:{backend};" for backend in backends)
    text = NGINX_TEMPLATE.read_text()
    for name, value in {
        "@USER@": user,
        "@RUN_DIR@": str(run_dir),
        "@DEPLOY_DIR@": str(DEPLOY),
        "@SERVERS@": servers,
        "@HOST@": host,
        "@PORT@": str(port),
    }.items():
        text = text.replace(name, value)
    path = run_dir / "nginx.conf"
    path.write_text(text)
    return path


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "wiki", *args], cwd=REPO, env=env, check=True)


def start_backend(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    config = DEPLOY / "gunicorn.conf.py"
    command = [str(BIN / "gunicorn"), f"--config={config}", f"--bind=127.0.0.1:{port}", "wsgi:app"]
    return subprocess.Popen(command, cwd=REPO, env=env, process_group=0)


def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until the process on ``port`` answers /-/readyz with 200."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    url = f"http://127.0.0.1:{port}/-/readyz"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClusterError(f"the process on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as error:
            last = error.read().decode(errors="replace")
        except OSError as error:
            last = str(error)
        time.sleep(0.2)
    raise ClusterError(f"the process on port {port} was not ready in time: {last}")


def supervise(processes: list[subprocess.Popen[bytes]]) -> int:
    """Wait until Ctrl+C, SIGTERM or one process exiting; then stop them all."""
    status = 0
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.2)
        status = 1
        print("A process of the cluster exited; stopping the others.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    stop(processes)
    return status


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Terminate every process still running; kill those that outlast the grace period.

    SIGTERM: gunicorn finishes its requests (its quick stop, on SIGINT, ends its gevent
    worker with a traceback) and nginx stops at once.
    """
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run(options: argparse.Namespace) -> int:
    # The servers run in process groups of their own, so the terminal's Ctrl+C reaches this
    # script alone, which stops them in order; a shell that ignores SIGINT must not stop that.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    env = cluster_env()
    backends = [int(port) for port in options.backends.split(",")]
    ensure_database(env["WIKI_SQLALCHEMY_DATABASE_URI"])
    flask(env, "init-db")
    flask(env, "seed-demo", "--if-empty")
    nginx = nginx_binary()
    run_dir = Path(env["WIKI_INSTANCE_PATH"]) / "nginx"
    config = write_nginx_config(run_dir, options.host, options.port, backends)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for port in backends:
            processes.append(start_backend(env, port))
        for port, process in zip(backends, processes, strict=True):
            wait_ready(port, process)
        command = [nginx, "-p", str(run_dir), "-c", str(config), "-e", "stderr"]
        processes.append(subprocess.Popen(command, process_group=0))
    except BaseException:
        stop(processes)
        raise
    ports = ", ".join(str(port) for port in backends)
    print(
        f"Jointly is serving on http://{options.host}:{options.port}/ through nginx, "
        f"from processes on ports {ports} (press Ctrl+C to stop all of them)",
        flush=True,
    )
    return supervise(processes)


def main(argv: Sequence[str]) -> int:
    try:
        return run(arguments(argv))
    except ClusterError as error:
        print(f"run-cluster: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"run-cluster: {' '.join(error.cmd[1:])} failed", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
