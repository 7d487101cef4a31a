"""Stop this SageMaker notebook instance once Jupyter has been idle for N minutes.

    autostop.py --idle-minutes 60 --region eu-west-1 [--max-busy-hours 24] [--dry-run]

What keeps it up (Jupyter's /api/sessions, /api/terminals): a busy kernel, however long its cell
has been silent (a long training cell must not be killed), until silent --max-busy-hours
(default 24; 0: no limit), when it is more likely hung; any other kernel (idle, dead, starting,
restarting, ...) or terminal active in the last N minutes, so a kernel starting for longer is
stuck and keeps nothing up; with no sessions or terminals, an uptime under N minutes; and any
answer it cannot read. When idle: sagemaker:StopNotebookInstance, SigV4-signed with the
instance role's IMDSv2 credentials (a failed stop waits for the next run). One JSON line out;
an error is one line on stderr, exit 1. Standard library only, Python 3.7+: root's cron runs it
with the OS's python3 -I -S, nothing the notebook user can write. Why: lifecycle/README.md.
"""
# ruff: noqa: UP017 - datetime.UTC is Python 3.11+; this script also runs on the instance's 3.7+

from __future__ import annotations

import argparse
import hashlib
import hmac
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
IMDS_URL = "http://169.254.169.254"
MAX_BUSY_HOURS = 24
# The notebook server's certificate is self-signed: trusted without verification here only.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(\.\d+)?(Z|z|[+-]\d{2}:?\d{2})?$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


class Decision(NamedTuple):
    idle: bool
    reason: str


class Credentials(NamedTuple):
    access_key: str
    secret_key: str
    token: str | None = None


class AwsError(Exception):
    """AWS refused a call, or the instance metadata had no credentials."""


def parse_time(value: Any) -> datetime | None:
    """Jupyter's ISO 8601 timestamps ("2024-05-01T12:00:00.123456Z") as aware UTC datetimes."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value.strip())
    if not match:
        return None
    base, fraction, zone = match.groups()
    # Python 3.7's fromisoformat takes exactly 3 or 6 fraction digits and no "Z".
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
    if isinstance(answer, (bytes, str)):  # a tuple, not bytes | str: Python 3.7
        return json.loads(answer)
    return answer


def decide(  # noqa: PLR0917 - the positional order predates max_busy_hours
    sessions: Any,
    now: datetime,
    idle_minutes: int,
    uptime_seconds: float | None,
    terminals: Any = (),
    max_busy_hours: float = MAX_BUSY_HOURS,
) -> Decision:
    """Is the instance idle? sessions and terminals: Jupyter's answers, as JSON text or parsed."""
    if idle_minutes <= 0:
        return Decision(False, "auto-stop is disabled")
    limit = timedelta(minutes=idle_minutes)
    busy_limit = max(limit, timedelta(hours=max_busy_hours)) if max_busy_hours > 0 else None
    try:
        sessions, terminals = _load(sessions), _load(terminals)
    except ValueError:
        return Decision(False, "a Jupyter answer is not JSON")
    if not isinstance(sessions, list):
        return Decision(False, "the sessions answer is not a list")
    if not isinstance(terminals, (list, tuple)):
        return Decision(False, "the terminals answer is not a list")

    ignored = []  # stuck or hung kernels, for the log
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
        last = parse_time(kernel.get("last_activity"))
        if last is None:
            return Decision(False, f"kernel {name} has no readable last_activity")
        silent = now - last
        if state == "busy":
            if busy_limit is None or silent < busy_limit:
                return Decision(False, f"kernel {name} is busy")
            ignored.append(f"kernel {name} busy but silent for {_minutes(silent)} min")
        elif silent < limit:
            was = "was" if state == "idle" else f"is {state}, was"
            return Decision(False, f"kernel {name} {was} active {_minutes(silent)} min ago")
        elif state not in ("idle", "dead"):
            ignored.append(f"kernel {name} stuck {state} for {_minutes(silent)} min")

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
    return Decision(True, "; ".join([f"no kernel or terminal activity for {idle_minutes} min", *ignored]))


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


def fetch(url: str, timeout: float = 10, missing_ok: bool = False, **request: Any) -> str:
    """The body of url, never through a proxy; "[]" for a 404 when missing_ok. request: Request's."""
    handlers: list[Any] = [urllib.request.ProxyHandler({})]
    context = ssl_context_for(url)
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    try:
        with urllib.request.build_opener(*handlers).open(
            urllib.request.Request(url, **request), timeout=timeout
        ) as answer:
            return answer.read().decode("utf-8")
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


def instance_credentials(imds_url: str = IMDS_URL) -> Credentials:
    """The instance role's credentials (the notebook's execution role), from IMDSv2."""
    ttl = {"X-aws-ec2-metadata-token-ttl-seconds": "300"}
    headers = {"X-aws-ec2-metadata-token": fetch(f"{imds_url}/latest/api/token", 5, headers=ttl, method="PUT")}
    url = f"{imds_url}/latest/meta-data/iam/security-credentials/"
    roles = fetch(url, 5, headers=headers).split()
    answer = json.loads(fetch(url + roles[0], 5, headers=headers)) if roles else None
    if not isinstance(answer, dict) or answer.get("Code") != "Success" or "SecretAccessKey" not in answer:
        raise AwsError("the instance metadata has no role credentials")
    return Credentials(answer["AccessKeyId"], answer["SecretAccessKey"], answer.get("Token"))


def sign_v4(  # noqa: PLR0917
    url: str, target: str, body: bytes, credentials: Credentials, region: str, now: datetime
) -> dict[str, str]:
    """The headers of a SageMaker JSON API call (POST body to url): AWS Signature Version 4."""
    date = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    scope = f"{date[:8]}/{region}/sagemaker/aws4_request"
    headers = {"Content-Type": "application/x-amz-json-1.1", "Host": urlsplit(url).netloc, "X-Amz-Date": date}
    headers["X-Amz-Target"] = target
    if credentials.token:
        headers["X-Amz-Security-Token"] = credentials.token
    canonical = sorted((k.lower(), " ".join(v.split())) for k, v in headers.items())
    names = ";".join(k for k, _ in canonical)
    lines = ["POST", urlsplit(url).path or "/", "", *(f"{k}:{v}" for k, v in canonical), "", names]
    request = "\n".join([*lines, hashlib.sha256(body).hexdigest()])
    text = "\n".join(["AWS4-HMAC-SHA256", date, scope, hashlib.sha256(request.encode()).hexdigest()])
    key = ("AWS4" + credentials.secret_key).encode()
    for part in (date[:8], region, "sagemaker", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, SignedHeaders={names}, Signature={signature}"
    )
    return headers


def stop_instance(name: str, region: str, credentials: Credentials, endpoint: str | None = None) -> None:
    """The one change this script makes: StopNotebookInstance on this instance."""
    url = endpoint or f"https://api.sagemaker.{region}.amazonaws.com" + (".cn" if region.startswith("cn-") else "")
    body = json.dumps({"NotebookInstanceName": name}).encode()
    headers = sign_v4(url, "SageMaker.StopNotebookInstance", body, credentials, region, datetime.now(timezone.utc))
    try:
        fetch(url, 15, data=body, headers=headers, method="POST")
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read())
        except ValueError:
            error = None
        error = error if isinstance(error, dict) else {}
        kind = str(error.get("__type", exc.code)).split("#")[-1]
        raise AwsError(
            f"StopNotebookInstance: {kind}: {error.get('message') or error.get('Message') or exc.reason}"
        ) from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, no usage: this runs from cron
        self.exit(2, f"autostop: error: {message}\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(description=__doc__.splitlines()[0])
    add, default = parser.add_argument, "default: %(default)s"
    add("--idle-minutes", type=int, required=True, help="stop after this many idle minutes (0: never)")
    add("--region", help="the instance's region (needed to stop it)")
    add("--dry-run", action="store_true", help="decide and print, but stop nothing")
    add(
        "--max-busy-hours", type=float, default=MAX_BUSY_HOURS, help="a busy kernel this long silent is hung (0: never)"
    )
    add("--sessions-url", default=SESSIONS_URL, help=default)
    add("--terminals-url", default=TERMINALS_URL, help="'' to skip; " + default)
    add("--metadata-file", default=METADATA_FILE, help=default)
    add("--uptime-file", default=UPTIME_FILE, help=default)
    add("--imds-url", default=IMDS_URL, help=default)
    add("--endpoint-url", help="default: https://api.sagemaker.<region>.amazonaws.com")
    args = parser.parse_args(argv)
    if args.idle_minutes < 0:
        parser.error("--idle-minutes must be 0 or more")
    if not 0 <= args.max_busy_hours <= 8760:  # NaN and inf too
        parser.error("--max-busy-hours must be between 0 and 8760 (a year)")
    if args.region is not None and not _REGION.match(args.region):
        parser.error(f"--region {args.region!r} is not an AWS region")
    return args


def main(argv: list[str] | None = None, now: datetime | None = None) -> int:
    args = parse_args(argv)
    now = now or datetime.now(timezone.utc)
    report: dict[str, Any] = {"time": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "idle_minutes": args.idle_minutes}
    try:
        if args.idle_minutes == 0:
            decision = decide([], now, 0, None)
        else:
            sessions = fetch(args.sessions_url)
            terminals = fetch(args.terminals_url, missing_ok=True) if args.terminals_url else "[]"
            uptime = read_uptime(args.uptime_file)
            decision = decide(sessions, now, args.idle_minutes, uptime, terminals, args.max_busy_hours)
        report.update(idle=decision.idle, reason=decision.reason, action="none")
        if decision.idle:
            name = read_instance_name(args.metadata_file)
            report["instance"] = name
            if args.dry_run:
                report["action"] = "would_stop"
            else:
                if not args.region:
                    raise ValueError("stopping needs --region")
                stop_instance(name, args.region, instance_credentials(args.imds_url), args.endpoint_url)
                report["action"] = "stopped"
    except Exception as exc:  # one line for cron's log, never a traceback
        print(f"autostop: error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
