"""Before an environment's pipelines unit is destroyed: the model versions its pipelines registered.

A team's pipelines register model versions into the team's model package group
(<prefix>-<env>-<team>-models, modules/pipelines). The versions are not in Terraform's state, and
SageMaker is expected to refuse deleting a group that still holds them, which would stop the destroy
half-way. The pipelines unit runs this before its destroy (live/_envcommon/pipelines.hcl):

    python tools/model_package_leftovers.py --env dev                     # say what is registered; exit 1 if any
    python tools/model_package_leftovers.py --env dev --delete-versions   # delete the versions first
    python tools/model_package_leftovers.py --env dev --delete-versions --dry-run

Where env.hcl's protect_stateful is on, the hook does not pass --delete-versions: registered models
are kept, and the command names the group in one line with how to proceed. Exit 0 when nothing is
registered (or all was deleted), 1 when versions are kept or on an AWS failure, 2 on bad usage.
Credentials as tools/sweep.py takes them (the emulator for local).
"""

from __future__ import annotations

import argparse
import sys

from botocore.exceptions import ClientError, ProfileNotFound

from smenv.core import cli
from smenv.core.awsutil import client
from smenv.core.project import load_environment
from smenv.sweep.sweep import check_account, connect, is_gone

PROG = "model_package_leftovers"


def group_names(resource_prefix: str, teams: tuple[str, ...]) -> list[str]:
    """Each team's model package group, as modules/pipelines names it."""
    return [f"{resource_prefix}-{team}-models" for team in teams]


def registered(sagemaker, groups: list[str]) -> dict[str, list[str]]:
    """{group: [model package ARN, ...]} of the groups that hold versions (a missing group holds none)."""
    found: dict[str, list[str]] = {}
    for group in groups:
        try:
            pages = sagemaker.get_paginator("list_model_packages").paginate(ModelPackageGroupName=group)
            arns = [p["ModelPackageArn"] for page in pages for p in page["ModelPackageSummaryList"]]
        except ClientError as exc:
            if is_gone(exc):
                continue
            raise
        if arns:
            found[group] = arns
    return found


def refusal(found: dict[str, list[str]]) -> str | None:
    """One line when versions are kept (the destroy cannot delete their groups), else None."""
    if not found:
        return None
    group, arns = next(iter(found.items()))
    more = f" (and {len(found) - 1} more group(s))" if len(found) > 1 else ""
    return (
        f"the model package group {group}{more} holds {len(arns)} version(s) the team's pipelines registered, "
        f"first {arns[0]}: keep what you need elsewhere, delete them (aws sagemaker delete-model-package "
        "--model-package-name <arn>, or this command with --delete-versions), then run the destroy again"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, help="environment under live/ (local, dev, staging, prod)")
    parser.add_argument("--delete-versions", action="store_true", help="delete the registered versions")
    parser.add_argument("--dry-run", action="store_true", help="say what is registered, delete nothing")
    args = parser.parse_args(argv)

    def body() -> int:
        env = load_environment(args.env)
        target = connect(env, None, None, True)
        check_account(client(target.session, "sts", target.endpoint_url), env)
        sagemaker = client(target.session, "sagemaker", target.endpoint_url)
        found = registered(sagemaker, group_names(env.resource_prefix, env.teams))
        count = sum(len(arns) for arns in found.values())
        if not found:
            print(f"{PROG}: no model versions registered in {env.name}'s team groups")
            return 0
        if not args.delete_versions:
            print(f"{PROG}: error: {refusal(found)}", file=sys.stderr)
            return 1
        if args.dry_run:
            print(f"{PROG}: would delete {count} model version(s) from {', '.join(found)}")
            return 0
        for arn in (arn for arns in found.values() for arn in arns):
            sagemaker.delete_model_package(ModelPackageName=arn)
        print(f"{PROG}: deleted {count} model version(s) from {', '.join(found)}")
        return 0

    return cli.run(PROG, body, usage=(ProfileNotFound,))


if __name__ == "__main__":
    sys.exit(main())
