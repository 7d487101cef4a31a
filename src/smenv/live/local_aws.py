"""The local AWS emulator (moto server on 127.0.0.1): start, stop, status.

    python tools/local_aws.py start [--port N]   # idempotent; waits until healthy; creates the state bucket
    python tools/local_aws.py status             # exit 0 running, 3 not running
    python tools/local_aws.py stop               # stops only the emulator this checkout started

The port comes from --port, else SMENV_EMULATOR_PORT, else 4566. Each port has its own record
in .smenv/ (emulator-<port>.json: pid and port; emulator-<port>.log), so the test suite's
emulator and a `make up` one can run side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3

from smenv.core import cli
from smenv.core.awsutil import client
from smenv.core.project import (
    EMULATOR_CREDENTIALS,
    REPO,
    STATE_DIR,
    UsageError,
    emulator_port,
    emulator_url,
    load_environment,
)
from smenv.live.state_bucket import ensure_state_bucket

LAUNCHER = REPO / "tools" / "emulator.py"
NOT_RUNNING = 3


class EmulatorError(Exception):
    """The emulator could not be started or stopped: one line for the user."""


@dataclass(frozen=True)
class Running:
    pid: int
    port: int

    @property
    def url(self) -> str:
        return emulator_url(self.port)


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"{emulator_url(port)}/moto-api/config", timeout=2) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError):
        return False


def is_ours(pid: int) -> bool:
    """True when pid is an emulator launched from this checkout (not a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return str(LAUNCHER).encode() in cmdline


def record_path(port: int) -> Path:
    return STATE_DIR / f"emulator-{port}.json"


def log_path(port: int) -> Path:
    return STATE_DIR / f"emulator-{port}.log"


def read_record(port: int) -> Running | None:
    try:
        data = json.loads(record_path(port).read_text())
        return Running(pid=int(data["pid"]), port=int(data["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def status(port: int) -> Running | None:
    record = read_record(port)
    if record and is_ours(record.pid) and healthy(record.port):
        return record
    return None


def start(port: int, wait_seconds: float = 60) -> tuple[Running, bool]:
    """Start the emulator unless this checkout's is already up. Returns (emulator, started_now)."""
    current = status(port)
    if current:
        return current, False
    record = record_path(port)
    stale = read_record(port)
    if stale and is_ours(stale.pid):
        _terminate(stale.pid)  # ours but not answering: replace it
    record.unlink(missing_ok=True)
    if port_in_use(port):
        raise EmulatorError(
            f"port {port} is in use by another program; free it or choose another port "
            f"(SMENV_EMULATOR_PORT=<port> or --port)"
        )
    STATE_DIR.mkdir(exist_ok=True)
    log = log_path(port).open("ab")
    proc = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "--port", str(port)],
        cwd=REPO / "tools",
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    record.write_text(json.dumps({"pid": proc.pid, "port": port}) + "\n")
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            record.unlink(missing_ok=True)
            raise EmulatorError(f"the emulator exited at start (code {proc.returncode}); see {log_path(port)}")
        if healthy(port):
            return Running(pid=proc.pid, port=port), True
        time.sleep(0.2)
    _terminate(proc.pid)
    record.unlink(missing_ok=True)
    raise EmulatorError(f"the emulator did not answer on port {port} within {wait_seconds:.0f} s; see {log_path(port)}")


def _terminate(pid: int, timeout: float = 10) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_ours(pid):
            return
        _reap(pid)
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> None:
    """Collect the exit status when the emulator is our own child (tests start it in-process)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def stop(port: int) -> Running | None:
    """Stop this checkout's emulator on port. Another program on the port is never touched."""
    record = read_record(port)
    record_path(port).unlink(missing_ok=True)
    if record and is_ours(record.pid):
        _terminate(record.pid)
        return record
    return None


def emulator_session(region: str) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=region,
    )


def create_local_state_bucket(running: Running) -> str:
    env = load_environment("local")
    s3 = client(emulator_session(env.region), "s3", running.url)
    ensure_state_bucket(s3, env.state_bucket, env.region, enforce_tls=False)
    return env.state_bucket


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("start", "start the emulator (no-op when it runs)"),
        ("stop", "stop the emulator this checkout started"),
        ("status", "exit 0 when running, 3 when not"),
    ):
        sub.add_parser(name, help=text).add_argument(
            "--port", type=int, help="port on 127.0.0.1 (default: SMENV_EMULATOR_PORT, else 4566)"
        )
    args = parser.parse_args(argv)

    def body() -> int:
        port = args.port or emulator_port()
        if not 1024 <= port <= 65535:
            raise UsageError(f"--port must be from 1024 to 65535, got {port}")
        if args.command == "start":
            running, started = start(port)
            bucket = create_local_state_bucket(running)
            verb = "started" if started else "already running"
            print(f"emulator {verb} at {running.url} (pid {running.pid}); state bucket s3://{bucket}")
        elif args.command == "stop":
            stopped = stop(port)
            print(f"emulator stopped (pid {stopped.pid})" if stopped else "emulator was not running")
        else:
            current = status(port)
            if not current:
                print(f"emulator not running on port {port}")
                return NOT_RUNNING
            print(f"emulator running at {current.url} (pid {current.pid})")
        return 0

    return cli.run("local_aws", body, failed=(EmulatorError,))


if __name__ == "__main__":
    sys.exit(main())
