"""Jointly server processes: a demo instance seeded, served on a free loopback port, stopped.

The environment of a server is this process's minus the developer's ``WIKI_*`` settings,
plus the caller's; :func:`seed_demo` migrates and seeds its database with the ``flask``
commands. A :class:`Server` is one process on one port, started (and restarted on the same
port after a :meth:`Server.kill`) until it answers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FLASK = (str(BIN / "flask"), "--app", "wiki")
START_TIMEOUT_S = 60.0  # two app builds (flask serve, then gunicorn's worker) on a busy machine
FLASK_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 10.0
# The demo signs every person in many times a session; the real limit is tested in tests/wiki.
# The demo's passwords are hashed at seed time; cheap hashing keeps each sign-in fast.
FAST_HASHING = {"WIKI_ARGON2_TIME_COST": "1", "WIKI_ARGON2_MEMORY_KIB": "1024"}
SIGN_IN_FREELY = {"WIKI_LOGIN_RATE_LIMIT": "10000 per minute", **FAST_HASHING}


class ServerError(RuntimeError):
    """A ``flask`` command failed, or a server exited or did not answer."""


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(instance: Path, settings: Mapping[str, str] = SIGN_IN_FREELY) -> dict[str, str]:
    """This process's environment without the developer's ``WIKI_*`` settings, for ``instance``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKI_")}
    env.update(settings, WIKI_INSTANCE_PATH=str(instance))
    return env


def run_flask(env: Mapping[str, str], *args: str, stdin: str = "") -> None:
    """Run a ``flask --app wiki`` command to completion; raise with its output if it fails."""
    done = subprocess.run(
        [*FLASK, *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=FLASK_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise ServerError(
            f"`flask --app wiki {' '.join(args)}` failed ({done.returncode}):\n"
            f"{done.stdout}\n{done.stderr}"
        )


def parse_accounts(path: Path) -> dict[str, str]:
    """Emails and passwords, in file order, from lines ``role email password   (Name, Org)``."""
    accounts = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 3 and "@" in parts[1]:
            accounts[parts[1]] = parts[2]
    if not accounts:
        raise ServerError(f"no accounts in {path}; the seed's format may have changed")
    return accounts


def seed_demo(env: Mapping[str, str]) -> dict[str, str]:
    """Migrate and seed the demo into ``env``'s instance and database; its accounts."""
    run_flask(env, "init-db")
    run_flask(env, "seed-demo")
    return parse_accounts(Path(env["WIKI_INSTANCE_PATH"]) / "demo-accounts.txt")


def create_document(
    env: Mapping[str, str],
    slug: str,
    text: str,
    *,
    owner: str,
    visibility: str,
    title: str = "",
    kind: str = "page",
    shares: tuple[str, ...] = (),
) -> str:
    """Add a document with ``text`` through ``flask create-doc``, as an operator would; its slug.

    ``shares`` are ``ORG_NAME:view|comment|edit``. A running server finds it at once.
    """
    grants = [option for share in shares for option in ("--share", share)]
    options = ("--title", title or slug, "--kind", kind, "--org", owner)
    run_flask(env, "create-doc", slug, *options, "--visibility", visibility, *grants, stdin=text)
    return slug


def flask_command(port: int, server: str | None = None) -> list[str]:
    """The command of ``make run``'s server (gunicorn with one gevent worker, unless
    ``WIKI_SERVER`` says otherwise); ``server`` picks ``gevent`` or ``threading``."""
    chosen = ("--server", server) if server else ()
    return [*FLASK, "serve", "--host", "127.0.0.1", "--port", str(port), *chosen]


def gunicorn_command(port: int, *options: str) -> list[str]:
    """The command of one gunicorn process serving ``wsgi:app`` with ``options``."""
    return [str(BIN / "gunicorn"), *options, f"--bind=127.0.0.1:{port}", "wsgi:app"]


def stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """Terminate ``process``, killing it (and its group, if it leads one) if it is too slow."""
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        kill_group(process)
        process.wait(timeout=STOP_TIMEOUT_S)


def kill_group(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """SIGKILL ``process`` and, when it leads a process group, every process in it.

    gunicorn's master leads its worker: killing the master alone would leave the worker
    serving on the port.
    """
    try:
        leads = os.getpgid(process.pid) == process.pid
    except ProcessLookupError:
        return
    if leads:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()


@dataclass
class Server:
    """One server process on a fixed port, its output appended to ``log``."""

    command: list[str]
    env: dict[str, str]
    port: int
    log: Path
    start_timeout_s: float = START_TIMEOUT_S
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        """Start the process and wait until it answers; raise with its output if it cannot."""
        with self.log.open("ab") as out:
            # A group of its own, so that a kill reaches a gunicorn worker too.
            self.process = subprocess.Popen(
                self.command,
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"server on {self.port} exited with {self.process.returncode}:\n"
                    f"{self.log_tail()}"
                )
            if self.answers():
                return self
            time.sleep(0.1)
        raise ServerError(f"server on {self.port} did not answer:\n{self.log_tail()}")

    def answers(self) -> bool:
        """Whether ``GET /login`` gets an answer other than a server error."""
        try:
            with urllib.request.urlopen(f"{self.url}/login", timeout=2):
                return True
        except urllib.error.HTTPError as error:
            return error.code < 500
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine loses power."""
        assert self.process is not None
        kill_group(self.process)
        self.process.wait(timeout=STOP_TIMEOUT_S)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines the server wrote to stdout and stderr."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])
