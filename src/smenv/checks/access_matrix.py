"""The access matrix: who may do what in one environment, proven over the policies it writes.

    python tools/access_matrix.py --env dev                 # plan live/dev on the emulator, then evaluate
    python tools/access_matrix.py --env dev --plans DIR     # evaluate plans already made (DIR/<unit>.json)
    python tools/access_matrix.py --env dev --verbose       # every flow, not only the wrong ones

The emulator evaluates no policy, so this is where a claim about access is proven: every flow of
access/flows.yaml (must-allow: what the workload needs; must-deny: what must never pass) is
evaluated with the IAM evaluator (@cloud-copilot/iam-simulate) over every policy the environment's
plan writes: identity and trust policies, boundaries, bucket, key, queue and function policies,
VPC endpoint policies and the SCP where one is written. Nothing touches an AWS account.

A wrong flow prints one line (principal, action, resource, expected, got, the statements that
decided); the last line is `access matrix <env>: N flows, M wrong`. Exit 0 when nothing is wrong,
1 when a flow is wrong, 2 on bad input (an unknown environment, a malformed catalogue entry, a
policy the plan does not show).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from smenv.checks.accessmatrix.flows import FlowError
from smenv.checks.accessmatrix.flows import load as load_catalogue
from smenv.checks.accessmatrix.inventory import InventoryError
from smenv.checks.accessmatrix.matrix import CATALOGUE, run
from smenv.checks.iam_simulate import SimulatorError
from smenv.core import cli
from smenv.core.project import REPO, UsageError, load_environment

PLANS = REPO / "build" / "plans"


def read_plans(directory: Path) -> dict[str, dict]:
    plans = {}
    for path in sorted(directory.glob("*.json")):
        try:
            plans[path.stem] = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the plan {path}: {exc}") from None
    if not plans:
        raise UsageError(f"no plan JSON in {directory}: make them with `python tools/live.py plan ENV --plan-json DIR`")
    return plans


def plan_environment(env_name: str) -> Path:
    """Plan live/<env> on the emulator (starting it when needed) into build/plans/<env>/."""
    from smenv.live import live  # the emulator and Terragrunt: only when no plans are given

    target = PLANS / env_name
    for stale in target.glob("*.json"):
        stale.unlink()
    code = live.execute("plan", env_name, parallelism=3, keep_emulator=True, plan_json_dir=target)
    if code not in (0, 2):
        raise UsageError(f"planning live/{env_name} failed (exit {code}): see the lines above")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, help="environment under live/ (local, dev, staging, prod)")
    parser.add_argument("--plans", type=Path, help="directory of the env's plan JSON (<unit>.json); default: plan now")
    parser.add_argument(
        "--catalogue", type=Path, default=CATALOGUE, help="the flow catalogue (default: access/flows.yaml)"
    )
    parser.add_argument("--verbose", action="store_true", help="print every flow and the statements that decided it")
    args = parser.parse_args(argv)

    def body() -> int:
        load_environment(args.env)
        load_catalogue(args.catalogue)  # a malformed entry is reported before anything is planned
        plans = read_plans(args.plans if args.plans else plan_environment(args.env))
        result = run(args.env, plans, args.catalogue)
        for line in result.lines(verbose=args.verbose):
            print(line)
        return 1 if result.wrong else 0

    return cli.run("access_matrix", body, usage=(FlowError, InventoryError, SimulatorError))


if __name__ == "__main__":
    sys.exit(main())
