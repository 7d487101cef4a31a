"""Run Terragrunt over a whole environment on the local AWS emulator, and say what it made.

    python tools/live.py up   [ENV]   # start the emulator if needed, run --all apply, print a table
    python tools/live.py plan [ENV]   # run --all plan; exit 0 no changes, 2 changes, 1 failure
    python tools/live.py down [ENV]   # run --all destroy; for local, stop the emulator too

ENV defaults to local. Any other environment (dev, staging, prod) is *rehearsed*: its own
env.hcl, its own account (assumed through its terraform_role_arn, as in the real account),
but every call goes to the emulator. Real accounts are driven with Terragrunt directly (README).
The full Terragrunt output goes to .smenv/logs/<env>-<action>.log.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from smenv.core import cli
from smenv.core.awsutil import client
from smenv.core.project import (
    EMULATOR_CREDENTIALS,
    REPO,
    STATE_DIR,
    Environment,
    UsageError,
    emulator_port,
    load_environment,
    terraform_cli,
)
from smenv.live.local_aws import EmulatorError, emulator_session, start, stop
from smenv.live.state_bucket import ensure_state_bucket, session_for

LOGS = STATE_DIR / "logs"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ACTIONS = {"up": "apply", "plan": "plan", "down": "destroy"}
# Credentials a user's shell may hold for a real account: never handed to an emulator run.
SCRUBBED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE")


@dataclass(frozen=True)
class UnitResult:
    unit: str
    resources: int | None
    seconds: float | None


def units(env: Environment) -> list[str]:
    return sorted(p.parent.name for p in env.path.glob("*/terragrunt.hcl"))


def emulator_env(env: Environment, url: str, run_dir: Path, port: int) -> dict[str, str]:
    child = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    child.update(EMULATOR_CREDENTIALS)
    child.update(
        AWS_REGION=env.region,
        AWS_DEFAULT_REGION=env.region,
        AWS_EC2_METADATA_DISABLED="true",
        SMENV_EMULATOR_URL=url,
        SMENV_RUN_DIR=str(run_dir),
        SMENV_TG_DOWNLOAD_DIR=str(download_dir(env, port)),
    )
    return child


def environment_session(env: Environment, url: str) -> boto3.Session:
    """The env's account on the emulator: the base account, or the env's role assumed there."""
    return session_for(env, emulator_session(env.region), url)


def download_dir(env: Environment, port: int) -> Path:
    """Where Terragrunt keeps this run's working copies: one per environment, emulator port and engine.

    Apart from live/<env>/*/.terragrunt-cache, so a rehearsal never leaves an emulator backend
    where a real `terragrunt apply` in live/<env> would find it (and vice versa). Apart per engine
    too: OpenTofu refuses a working copy Terraform initialised ("Backend initialization required"),
    and Terragrunt does not re-run init for it, so SMENV_ENGINE=tofu after a Terraform run failed.
    """
    return STATE_DIR / "terragrunt" / f"{env.name}-{port}-{Path(terraform_cli()).name}"


PLAN_FILE = "smenv.tfplan"
_BACKEND_KEY = re.compile(r'key\s*=\s*"live/[^/]+/([^/]+)/terraform\.tfstate"')


def export_plan_json(work_dir: Path, out_dir: Path, child_env: dict[str, str]) -> list[Path]:
    """`terraform show -json` of every unit's saved plan, as <out_dir>/<unit>.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for plan in sorted(work_dir.rglob(PLAN_FILE)):
        backend = (plan.parent / "backend.generated.tf").read_text()
        found = _BACKEND_KEY.search(backend)
        if found is None:
            raise UsageError(f"{plan.parent / 'backend.generated.tf'} names no live/<env>/<unit> state key")
        unit = found.group(1)
        shown = subprocess.run(
            [terraform_cli(), "show", "-json", PLAN_FILE],
            cwd=plan.parent,
            env=child_env,
            capture_output=True,
            text=True,
            check=False,
        )
        if shown.returncode != 0:
            raise UsageError(f"terraform show -json failed for {unit}: {shown.stderr.strip().splitlines()[-1:]}")
        target = out_dir / f"{unit}.json"
        target.write_text(shown.stdout)
        written.append(target)
    return written


def terragrunt_command(action: str, env: Environment, parallelism: int, extra: tuple[str, ...] = ()) -> list[str]:
    """`terragrunt run --all <action>` over the environment (Terragrunt 1.x forms).

    A plan gets -detailed-exitcode: under `run --all`, Terragrunt (since v0.89.4) returns the
    aggregate, 2 when any unit has changes and none failed (Terragrunt docs, `--all` flag).
    """
    terragrunt = shutil.which("terragrunt")
    if not terragrunt:
        raise UsageError("terragrunt is not on PATH: run `make bootstrap` (or use the Makefile targets)")
    return [
        terragrunt,
        "run",
        "--all",
        "--non-interactive",
        "--no-color",
        "--working-dir",
        str(env.path),
        "--parallelism",
        str(parallelism),
        "--",
        action,
        *(["-detailed-exitcode"] if action == "plan" else []),
        *extra,
    ]


def unit_seconds(run_dir: Path, unit: str) -> float | None:
    try:
        started = float((run_dir / f"{unit}.start").read_text())
        ended = float((run_dir / f"{unit}.end").read_text())
    except (OSError, ValueError):
        return None
    return ended - started


def count_resources(s3, env: Environment, unit: str) -> int | None:
    """Managed resource instances in the unit's state (what `terraform state list` would count)."""
    key = f"live/{env.name}/{unit}/terraform.tfstate"
    try:
        state = json.loads(s3.get_object(Bucket=env.state_bucket, Key=key)["Body"].read())
    except (ClientError, ValueError):
        return None
    return sum(len(r.get("instances", [])) for r in state.get("resources", []) if r.get("mode") == "managed")


def buckets_to_empty(bucket_names: list[str], env: Environment) -> list[str]:
    """The env's own buckets (`<name_prefix>-<env>-*`) but its Terraform state bucket, sorted."""
    prefix = f"{env.resource_prefix}-"
    return sorted(b for b in bucket_names if b.startswith(prefix) and b != env.state_bucket)


def empty_buckets(session: boto3.Session, url: str | None, names: list[str]) -> int:
    """Stop each bucket's server access logging, then delete every object version and delete marker
    in it (on the emulator); returns how many were deleted.

    A rehearsal's buckets fill as it runs (server access logs, flow logs, the trail): without this,
    `down` stops at the first non-empty bucket with BucketNotEmpty wherever force_destroy is off,
    as it is in every env but local (S3 API Reference, DeleteBucket: "All objects (including all
    object versions and delete markers) in the bucket must be deleted before the bucket itself").
    Logging goes off first, or the destroy's own requests write new logs into the emptied log bucket.
    """
    s3 = session.resource("s3", endpoint_url=url)
    for name in names:
        s3.meta.client.put_bucket_logging(Bucket=name, BucketLoggingStatus={})
    deleted = 0
    for name in names:
        for batch in s3.Bucket(name).object_versions.delete():
            deleted += len(batch.get("Deleted", []))
    return deleted


def watch_units(run_dir: Path, names: list[str], stop_event: threading.Event, started: float) -> None:
    """Say each unit as it finishes, so a long apply shows progress."""
    reported: set[str] = set()
    while True:
        finished = stop_event.wait(0.5)
        for unit in names:
            if unit not in reported and (run_dir / f"{unit}.end").exists():
                reported.add(unit)
                took = unit_seconds(run_dir, unit)
                took_text = f"{took:.1f} s" if took is not None else "?"
                print(f"  [{time.monotonic() - started:6.1f} s] {unit} done ({took_text})", flush=True)
        if finished:
            return


def run_terragrunt(cmd: list[str], child_env: dict[str, str], log_path: Path, run_dir: Path, names: list[str]) -> int:
    LOGS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    done = threading.Event()
    watcher = threading.Thread(target=watch_units, args=(run_dir, names, done, started), daemon=True)
    watcher.start()
    with log_path.open("w") as log:
        proc = subprocess.run(cmd, cwd=REPO, env=child_env, stdout=log, stderr=subprocess.STDOUT, check=False)
    done.set()
    watcher.join()
    return proc.returncode


def print_table(results: list[UnitResult], action: str, wall: float) -> None:
    width = max([len("unit"), *(len(r.unit) for r in results)])
    print(f"\n{'unit':<{width}}  {'resources':>9}  {'seconds':>7}")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 7}")
    for r in results:
        res = "-" if r.resources is None else str(r.resources)
        sec = "-" if r.seconds is None else f"{r.seconds:.1f}"
        print(f"{r.unit:<{width}}  {res:>9}  {sec:>7}")
    total = sum(r.resources or 0 for r in results)
    print(f"{'total':<{width}}  {total:>9}  {wall:>7.1f}   ({action}, wall clock)")


# Terragrunt 1.x writes each line of the engine's output as `<time> <LEVEL> [<unit path>] <engine>: <text>`.
_ENGINE_LINE = re.compile(r"^\S+\s+[A-Z]+\s+\[(?P<unit>[^\]]+)\]\s+(?:terraform|tofu):\s?(?P<text>.*)$")


def engine_lines(log_text: str) -> list[tuple[str, str]]:
    """(unit, text) for every line the engine printed, colour removed; unit is the unit's folder name."""
    found = []
    for line in ANSI.sub("", log_text).splitlines():
        if match := _ENGINE_LINE.match(line):
            found.append((Path(match.group("unit")).name, match.group("text")))
    return found


def units_with_changes(log_text: str) -> list[str]:
    """The units whose plan would change resources (the engine prints `Plan: N to add, ...` for those)."""
    return sorted({unit for unit, text in engine_lines(log_text) if text.lstrip().startswith("Plan: ")})


def terraform_errors(path: Path, most: int = 5) -> list[str]:
    """The distinct `Error:` lines the engine wrote into the log, each with its unit (what a user needs,
    not 25 lines of noise)."""
    seen: list[str] = []
    with contextlib.suppress(OSError):
        for unit, line in engine_lines(path.read_text(errors="replace")):
            text = line.strip(" │╷╵")
            if text.startswith("Error: ") and f"{unit}: {text}" not in seen:
                seen.append(f"{unit}: {text}")
    return seen[:most]


def tail(path: Path, lines: int = 25) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def demo_enforcer(env: Environment, port: int) -> int:
    """After `up` on the emulator, show the enforcer stopping a job that escapes the VPC (~1 s)."""
    print(flush=True)
    demo = subprocess.run(
        [sys.executable, str(REPO / "tools" / "demo_enforcer.py"), "--env", env.name],
        env={**os.environ, "SMENV_EMULATOR_PORT": str(port)},
        check=False,
    )
    if demo.returncode != 0:
        print("live: error: the environment is up but the enforcer demo failed (above)", file=sys.stderr)
    return demo.returncode


def execute(
    command: str, env_name: str, parallelism: int, keep_emulator: bool, plan_json_dir: Path | None = None
) -> int:
    env = load_environment(env_name)
    action = ACTIONS[command]
    port = emulator_port()
    running, started_now = start(port)
    if started_now:
        print(f"started the emulator at {running.url} (pid {running.pid})")
    session = environment_session(env, running.url)
    s3 = client(session, "s3", running.url)
    ensure_state_bucket(s3, env.state_bucket, env.region, enforce_tls=False)

    if command == "down":
        rehearsal_buckets = buckets_to_empty(
            [b["Name"] for page in s3.get_paginator("list_buckets").paginate() for b in page.get("Buckets", [])], env
        )
        emptied = empty_buckets(session, running.url, rehearsal_buckets)
        print(f"emptied {len(rehearsal_buckets)} bucket(s) on the emulator ({emptied} object versions) so they destroy")

    names = units(env)
    log_path = LOGS / f"{env.name}-{action}.log"
    with tempfile.TemporaryDirectory(prefix="smenv-run-") as tmp:
        run_dir = Path(tmp)
        child_env = emulator_env(env, running.url, run_dir, port)
        where = "the emulator" if env.emulator else f"the emulator (rehearsing {env.name}, account {env.account_id})"
        print(f"terragrunt run --all {action}: {len(names)} units of live/{env.name} on {where}; log: {log_path}")
        if plan_json_dir is not None:
            for stale in download_dir(env, port).rglob(PLAN_FILE):
                stale.unlink()
        cmd = terragrunt_command(action, env, parallelism, (f"-out={PLAN_FILE}",) if plan_json_dir else ())
        began = time.monotonic()
        code = run_terragrunt(cmd, child_env, log_path, run_dir, names)
        wall = time.monotonic() - began
        plan_ok = action == "plan" and code in (0, 2)
        if plan_ok and plan_json_dir is not None:
            exported = export_plan_json(download_dir(env, port), plan_json_dir, child_env)
            print(f"plan JSON of {len(exported)} units in {plan_json_dir}")
        results = [
            UnitResult(unit, count_resources(s3, env, unit) if action != "plan" else None, unit_seconds(run_dir, unit))
            for unit in names
        ]

    if plan_ok:
        changed = units_with_changes(log_path.read_text(errors="replace"))
        said = f"changes in {', '.join(changed) or 'some units'}" if code == 2 else "no changes"
        print(f"plan: {said} ({len(names)} units, {wall:.1f} s)")
        return code
    if code == 0 and action != "plan":
        print_table(results, action, wall)
    if code != 0:
        errors = terraform_errors(log_path)
        print("\n".join(f"  {e}" for e in errors) if errors else tail(log_path), file=sys.stderr)
        print(f"live: error: terragrunt run --all {action} failed (exit {code}); full log: {log_path}", file=sys.stderr)
        return 1
    if command == "up" and env.emulator:
        return demo_enforcer(env, port)
    if command == "down" and env.emulator and not keep_emulator:
        stopped = stop(port)
        if stopped:
            print(f"stopped the emulator (pid {stopped.pid})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=sorted(ACTIONS))
    parser.add_argument("env", nargs="?", default="local", help="environment under live/ (default: local)")
    parser.add_argument("--parallelism", type=int, default=int(os.environ.get("SMENV_PARALLELISM", "3")))
    parser.add_argument("--keep-emulator", action="store_true", help="with down: leave the emulator running")
    parser.add_argument(
        "--plan-json", type=Path, metavar="DIR", help="with plan: write each unit's plan as DIR/<unit>.json"
    )
    args = parser.parse_args(argv)

    def body() -> int:
        if args.parallelism < 1:
            raise UsageError("--parallelism must be at least 1")
        if args.plan_json and args.command != "plan":
            raise UsageError("--plan-json goes with plan only")
        return execute(args.command, args.env, args.parallelism, args.keep_emulator, args.plan_json)

    return cli.run(
        "live",
        body,
        failed=(EmulatorError,),
        interrupted="state is kept in the state bucket, run the same command again",
    )


if __name__ == "__main__":
    sys.exit(main())
