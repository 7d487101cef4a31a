"""Render, upsert and start a team's SageMaker pipeline that runs inside the perimeter (examples/pipelines).

    python tools/pipeline.py render --env dev --team fraud [--name churn]
    python tools/pipeline.py upsert --env dev --team fraud [--dry-run] [--json]
    python tools/pipeline.py start  --env dev --team fraud [--parameter AccuracyThreshold=0.8] [--dry-run] [--json]

Every value of the definition comes from the environment's SSM contract (private subnets, the team's
security group, the data, models and volumes keys, the team's buckets, pipeline execution role, model
package group and work name prefix); the image is the region's AWS-owned sagemaker-scikit-learn one.
Before anything is sent the rendered definition is checked: every job step runs in the environment's
private subnets and the team's own group, its volume under the volumes key and its output under the
data or models key, with traffic between containers encrypted, tagged team=<team>, its job named from
the team's prefix, as the team's pipeline role; a step that is not is refused in one line naming it
(exit 2). `upsert` uploads the step scripts (content-addressed, pipelines/code/<hash>/ in the team's
model bucket, SSE-KMS under the models key) and creates or updates <work prefix><name>; a failed
create or update removes the code this run uploaded. `start` upserts, then starts an execution.
--dry-run reads and prints what would be sent, and writes nothing.

Credentials: for an emulator environment (or while SMENV_EMULATOR_URL is set) the emulator; otherwise
the standard AWS configuration (or --profile), which must be for the environment's account and may pass
the team's pipeline role. The team buckets take writes through the environment's S3 endpoint only: run
upsert and start from inside the VPC (a notebook or Studio of the team).

Exit codes: 0 done, 1 AWS failure, 2 bad usage or input (unknown environment or team, a contract value
missing, a bad --parameter, a definition that would leave the perimeter).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ProfileNotFound

from smenv.core import cli
from smenv.core.awsutil import client
from smenv.core.project import Environment, UsageError, emulator_url, load_environment
from smenv.pipelines import PipelineFailed, code, deploy
from smenv.pipelines import definition as dsl
from smenv.pipelines.contract import Contract, read_contract, scikit_learn_image
from smenv.pipelines.requests import step_requests

PROG = "pipeline"


def build_parser() -> argparse.ArgumentParser:
    parser = cli.OneLineParser(
        prog=PROG,
        description=__doc__.splitlines()[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "command",
        choices=("render", "upsert", "start"),
        help="print the definition, upsert the pipeline, or upsert and start it",
    )
    parser.add_argument("--env", required=True, help="environment under live/ (local, dev, staging, prod)")
    parser.add_argument("--team", required=True, help="the team whose pipeline it is (env.hcl teams)")
    parser.add_argument("--name", default="churn", help="the pipeline's name after the team's prefix (default: churn)")
    parser.add_argument(
        "--definition",
        type=Path,
        default=dsl.TEMPLATE,
        help="the definition template (default: examples/pipelines/pipeline.json)",
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a pipeline parameter for the execution `start` starts (repeatable; checked by every command)",
    )
    parser.add_argument("--profile", help="AWS profile for a real account (default: the standard AWS configuration)")
    parser.add_argument("--dry-run", action="store_true", help="read and print what would be sent; write nothing")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    return parser


@dataclass
class Report:
    """What the run found and did: printed as text, or as one JSON document."""

    command: str = ""
    env: str = ""
    team: str = ""
    pipeline: str = ""
    status: str = ""
    dry_run: bool = False
    role_arn: str = ""
    pipeline_arn: str | None = None
    action: str | None = None  # create | update | unchanged
    code: list[dict[str, str]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    execution: dict[str, str] | None = None
    calls: list[dict[str, Any]] | None = None
    definition: dict[str, Any] | None = None

    def document(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def text(self) -> str:
        if self.command == "render":
            return json.dumps(self.definition, indent=2)
        lines = [
            f"pipeline {self.pipeline} ({self.env}, team {self.team}): {self.status}",
            f"  runs as  {self.role_arn}",
        ]
        lines += [f"  code     {o['uri']} ({o['action']})" for o in self.code]
        lines += [
            f"  step     {s['name']} ({s['type']}){' job ' + s['job_prefix'] if 'job_prefix' in s else ''}"
            for s in self.steps
        ]
        for call in self.calls or []:
            target = call.get("PipelineName") or f"s3://{call.get('Bucket')}/{call.get('Key')}"
            lines.append(f"  would    {call['operation']} {target}")
        if self.execution:
            lines.append(f"execution {self.execution['arn']}: {self.execution['status']}")
        return "\n".join(lines)


def parse_parameters(raw: list[str]) -> dict[str, str]:
    """{NAME: VALUE} of the --parameter flags; UsageError for one without NAME=."""
    found: dict[str, str] = {}
    for item in raw:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--parameter {item!r}: expected NAME=VALUE")
        found[name.strip()] = value
    return found


def connect(env: Environment, profile: str | None) -> tuple[boto3.Session, str | None]:
    """(session, endpoint URL): the env's account on the emulator for an emulator environment or while
    SMENV_EMULATOR_URL is set, else the standard AWS configuration (or --profile)."""
    url = os.environ.get("SMENV_EMULATOR_URL", "")
    if env.emulator or url:
        if profile:
            raise UsageError(f"--profile does not apply to {env.name} here: it runs on the emulator")
        from smenv.live.live import (
            environment_session,  # the env's account on the emulator (role assumed for rehearsals)
        )

        url = url or emulator_url()
        return environment_session(env, url), url
    return boto3.Session(profile_name=profile, region_name=env.region), None


def rendered(
    template: dict[str, Any], contract: Contract, env: Environment, name: str, key_prefix: str
) -> tuple[str, dict[str, Any]]:
    """(pipeline name, definition) for this team, checked against the perimeter (DefinitionError otherwise)."""
    pipeline = dsl.pipeline_name(contract, name)
    known = dsl.values(
        contract,
        region=env.region,
        pipeline=pipeline,
        image=scikit_learn_image(env.region),
        code_prefix=f"s3://{contract.model_bucket}/{key_prefix}",
    )
    definition = dsl.render(template, known)
    problems = dsl.check(definition, contract)
    if problems:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise dsl.DefinitionError(f"{problems[0]}{more}")
    return pipeline, definition


def describe_steps(definition: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for step in dsl.steps(definition):
        row = {"name": step["Name"], "type": step["Type"]}
        if step["Type"] in dsl.JOB_STEPS:
            row["job_prefix"] = (step.get("Arguments") or {}).get(dsl.JOB_STEPS[step["Type"]])
        rows.append(row)
    return rows


def run(args: argparse.Namespace, report: Report, say: Callable[[str], None]) -> None:
    env = load_environment(args.env)
    if args.team not in env.teams:
        raise UsageError(f"team {args.team!r} is not in live/{env.name}/env.hcl (teams: {', '.join(env.teams)})")
    report.command, report.env, report.team = args.command, env.name, args.team
    report.dry_run = args.dry_run or args.command == "render"
    overrides = parse_parameters(args.parameter)
    template = dsl.load(args.definition)
    dsl.parameters(template, overrides)  # a bad --parameter fails before any AWS call
    objects = code.bundle()
    key_prefix = code.key_prefix(objects)

    session, url = connect(env, args.profile)
    sm, s3, ssm, sts = (client(session, name, url) for name in ("sagemaker", "s3", "ssm", "sts"))
    account = sts.get_caller_identity()["Account"]
    if account != env.account_id:
        raise UsageError(
            f"the credentials are for account {account}, but live/{env.name}/env.hcl says {env.account_id}"
        )
    contract = read_contract(ssm, env.parameter_prefix, args.team)
    pipeline, definition = rendered(template, contract, env, args.name, key_prefix)
    step_requests(definition, account=env.account_id, region=env.region, overrides=overrides)  # every key judgeable now
    report.pipeline, report.role_arn, report.steps = pipeline, contract.role_arn, describe_steps(definition)
    if args.command == "render":
        report.status, report.definition = "rendered", definition
        return

    plan = deploy.plan(
        sm, s3, contract=contract, pipeline=pipeline, definition=definition, objects=objects, key_prefix=key_prefix
    )
    report.action, report.pipeline_arn = plan.action, plan.arn
    report.code = [
        {"uri": f"s3://{contract.model_bucket}/{u.key}", "action": "present" if u.present else "upload"}
        for u in plan.uploads
    ]
    if report.dry_run:
        report.status, report.calls = "dry-run", plan.calls()
        if args.command == "start":
            report.calls.append(
                {"operation": "StartPipelineExecution", "PipelineName": pipeline, "PipelineParameters": overrides}
            )
        return
    report.pipeline_arn = deploy.apply(sm, s3, plan, say)
    report.status = {"create": "created", "update": "updated", "unchanged": "unchanged"}[plan.action]
    if args.command == "start":
        report.execution = deploy.start(sm, pipeline, overrides)
        report.status += ", started"


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    report = Report()
    say = cli.progress(args.json)

    return cli.run_reporting(
        PROG,
        lambda: run(args, report, say),
        report,
        as_json=args.json,
        usage=(ProfileNotFound, *cli.CREDENTIALS),
        failed=(PipelineFailed,),
    )


if __name__ == "__main__":
    sys.exit(main())
