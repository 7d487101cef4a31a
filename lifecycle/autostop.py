"""Stop this SageMaker notebook instance once Jupyter has been idle for N minutes.

    autostop.py --idle-minutes 60 --region eu-west-1 [--dry-run]

on-start.sh installs it with a cron entry that runs it every 5 minutes as root, with the
JupyterSystemEnv python (it has boto3). Idle means: no kernel is busy (or starting), and every
kernel's and terminal's last activity is more than N minutes old; with no sessions and no
terminals at all, the instance must also have been up (/proc/uptime) for more than N minutes.
Anything it cannot read (Jupyter not answering, an answer of an unexpected shape) counts as not
idle: the script never stops an instance it is unsure about. An open browser tab does not keep
the instance running; activity does.

When idle, it calls sagemaker:StopNotebookInstance on this instance (its name from
/opt/ml/metadata/resource-metadata.json). Each run prints one JSON line; an error prints one
line on stderr and exits 1. Runs on Python 3.8 and later, standard library plus boto3.
"""
# ruff: noqa: UP017 - datetime.UTC is Python 3.11+; this script also runs on the instance's 3.8+

from __future__ import annotations

import argparse
import json
import re
import ssl
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple
from urllib.parse import urlsplit

SESSIONS_URL = "https://localhost:8443/api/sessions"
TERMINALS_URL = "https://localhost:8443/api/terminals"
METADATA_FILE = "/opt/ml/metadata/resource-metadata.json"
UPTIME_FILE = "/proc/uptime"
# Kernel states that mean work is going on; "idle" and "dead" do not.
ACTIVE_STATES = frozenset({"busy", "starting", "restarting", "autorestarting"})
# The notebook server's certificate is self-signed: trusted without verification here only.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(\.\d+)?(Z|z|[+-]\d{2}:?\d{2})?$")


class Decision(NamedTuple):
    idle: bool
    reason: str


def parse_time(value: Any) -> datetime | None:
    """Jupyter's ISO 8601 timestamps ("2024-05-01T12:00:00.123456Z") as aware UTC datetimes."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value.strip())
    if not match:
        return None
    base, fraction, zone = match.groups()
    # Python 3.8's fromisoformat takes exactly 3 or 6 fraction digits and no "Z".
    digits = (fraction or ".0")[1:7].ljust(6, "0")
    if zone in (None, "Z", "z"):
        zone = "+00:00"
    elif ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    try:
        parsed = datetime.fromisoformat(f"{base.replace(' ', 'T')}.{digits}{zone}")
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc)


def _load(answer: Any) -> Any:
    if isinstance(answer, (bytes, str)):  # a tuple, not bytes | str: Python 3.8
        return json.loads(answer)
    return answer


def decide(
    sessions: Any,
    now: datetime,
    idle_minutes: int,
    uptime_seconds: float | None,
    terminals: Any = (),
) -> Decision:
    """Is the instance idle? sessions and terminals: Jupyter's answers, as JSON text or parsed."""
    if idle_minutes <= 0:
        return Decision(False, "auto-stop is disabled")
    limit = timedelta(minutes=idle_minutes)
    try:
        sessions, terminals = _load(sessions), _load(terminals)
    except ValueError:
        return Decision(False, "a Jupyter answer is not JSON")
    if not isinstance(sessions, list):
        return Decision(False, "the sessions answer is not a list")
    if not isinstance(terminals, (list, tuple)):
        return Decision(False, "the terminals answer is not a list")

    for session in sessions:
        kernel = session.get("kernel", {}) if isinstance(session, dict) else {}
        if kernel is None:  # a session whose kernel is gone: nothing runs there
            continue
        if not isinstance(kernel, dict):
            return Decision(False, "a session has an unreadable kernel")
        name = str(kernel.get("name") or kernel.get("id") or "?")
        state = kernel.get("execution_state")
        if not isinstance(state, str):
            return Decision(False, f"kernel {name} has no execution state")
        if state in ACTIVE_STATES:
            return Decision(False, f"kernel {name} is {state}")
        last = parse_time(kernel.get("last_activity"))
        if last is None:
            return Decision(False, f"kernel {name} has no readable last_activity")
        if now - last < limit:
            return Decision(False, f"kernel {name} was active {_minutes(now - last)} min ago")

    for terminal in terminals:
        last = parse_time(terminal.get("last_activity")) if isinstance(terminal, dict) else None
        if last is None:
            return Decision(False, "a terminal has no readable last_activity")
        if now - last < limit:
            return Decision(False, f"terminal {terminal.get('name', '?')} was active {_minutes(now - last)} min ago")

    if not sessions and not terminals:
        if uptime_seconds is None:
            return Decision(False, "no sessions, and the uptime is unknown")
        if uptime_seconds < limit.total_seconds():
            return Decision(False, f"no sessions, up for {int(uptime_seconds // 60)} min only")
        return Decision(True, f"no sessions, up for {int(uptime_seconds // 60)} min")
    return Decision(True, f"no kernel or terminal activity for {idle_minutes} min")


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def ssl_context_for(url: str) -> ssl.SSLContext | None:
    """No verification for the local notebook server's self-signed certificate; full checks elsewhere."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return None
    context = ssl.create_default_context()
    if parts.hostname in LOCAL_HOSTS:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def fetch(url: str, timeout: float = 10, missing_ok: bool = False) -> str:
    """GET url (no proxy) and return its body; "[]" for a 404 when missing_ok."""
    handlers: list[Any] = [urllib.request.ProxyHandler({})]
    context = ssl_context_for(url)
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    try:
        with urllib.request.build_opener(*handlers).open(url, timeout=timeout) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        if missing_ok and exc.code == 404:  # terminals disabled on this server
            return "[]"
        raise


def read_uptime(path: str) -> float | None:
    try:
        with open(path) as handle:
            return float(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def read_instance_name(path: str) -> str:
    with open(path) as handle:
        name = json.load(handle).get("ResourceName")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{path} has no ResourceName")
    return name


def sagemaker_client(region: str | None):
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=5, read_timeout=15)
    return boto3.client("sagemaker", region_name=region, config=config)


def stop_instance(sagemaker: Any, name: str) -> None:
    """The one change this script makes: StopNotebookInstance on this instance."""
    sagemaker.stop_notebook_instance(NotebookInstanceName=name)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle-minutes", type=int, required=True, help="N: stop after N idle minutes (0: never)")
    parser.add_argument("--region", help="the instance's region (default: boto3's)")
    parser.add_argument("--dry-run", action="store_true", help="decide and print, but stop nothing")
    parser.add_argument("--sessions-url", default=SESSIONS_URL, help=f"Jupyter sessions API (default {SESSIONS_URL})")
    parser.add_argument(
        "--terminals-url", default=TERMINALS_URL, help=f"Jupyter terminals API, '' to skip (default {TERMINALS_URL})"
    )
    parser.add_argument("--metadata-file", default=METADATA_FILE, help=f"instance metadata (default {METADATA_FILE})")
    parser.add_argument("--uptime-file", default=UPTIME_FILE, help=f"uptime source (default {UPTIME_FILE})")
    args = parser.parse_args(argv)
    if args.idle_minutes < 0:
        parser.error("--idle-minutes must be 0 or more")
    return args


def main(argv: list[str] | None = None, sagemaker: Any = None, now: datetime | None = None) -> int:
    args = parse_args(argv)
    now = now or datetime.now(timezone.utc)
    report: dict[str, Any] = {"time": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "idle_minutes": args.idle_minutes}
    try:
        if args.idle_minutes == 0:
            decision = decide([], now, 0, None)
        else:
            sessions = fetch(args.sessions_url)
            terminals = fetch(args.terminals_url, missing_ok=True) if args.terminals_url else "[]"
            decision = decide(sessions, now, args.idle_minutes, read_uptime(args.uptime_file), terminals)
        report.update(idle=decision.idle, reason=decision.reason, action="none")
        if decision.idle:
            name = read_instance_name(args.metadata_file)
            report["instance"] = name
            if args.dry_run:
                report["action"] = "would_stop"
            else:
                stop_instance(sagemaker or sagemaker_client(args.region), name)
                report["action"] = "stopped"
    except Exception as exc:  # one line for cron's log, never a traceback
        print(f"autostop: error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
