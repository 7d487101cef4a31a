"""The target environment's SSM contract (docs/CONTRACTS.md), read with GetParametersByPath.

Only the paths a run needs are read: promotion/ (unless every value was given on the command
line), network/ (an endpoint update of a provisioned endpoint), endpoints/<name>/ (--endpoint).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from smenv.core.awsutil import Client
from smenv.core.project import UsageError
from smenv.promotion.arns import check_bucket, check_kms_key_arn

BUCKET, KMS_KEY, GROUP, ROLE = (
    "promotion/model_bucket",
    "promotion/kms_key_arn",
    "promotion/model_package_group",
    "promotion/role_arn",
)
SUBNETS, SECURITY_GROUP = "network/private_subnet_ids", "network/sagemaker_security_group_id"


def read_paths(ssm: Client, prefix: str, paths: Iterable[str]) -> dict[str, str]:
    """{name after the prefix: value} for every parameter under prefix/<path>/ (decrypted)."""
    values: dict[str, str] = {}
    paginator = ssm.get_paginator("get_parameters_by_path")
    for path in paths:
        for page in paginator.paginate(Path=f"{prefix}/{path}", Recursive=True, WithDecryption=True):
            for parameter in page["Parameters"]:
                values[parameter["Name"].removeprefix(f"{prefix}/")] = parameter["Value"]
    return values


def require(values: dict[str, str], prefix: str, name: str) -> str:
    value = values.get(name, "").strip()
    if not value:
        raise UsageError(f"SSM parameter {prefix}/{name} is missing in the target account (the environment contract)")
    return value


@dataclass(frozen=True)
class Target:
    bucket: str
    kms_key_arn: str
    model_package_group: str
    role_arn: str | None  # documentation for operators: the role promote_model is meant to run as


def resolve_target(
    ssm: Client, prefix: str, bucket: str | None, kms_key_arn: str | None, group: str | None
) -> tuple[Target, list[str]]:
    """The target's bucket, key and group: flags first, the contract for the rest. Returns which
    came from SSM (names, for the output)."""
    values: dict[str, str] = {}
    if not (bucket and kms_key_arn and group):
        values = read_paths(ssm, prefix, ["promotion"])
    from_ssm = [name for name, given in ((BUCKET, bucket), (KMS_KEY, kms_key_arn), (GROUP, group)) if not given]
    target = Target(
        bucket=check_bucket(bucket or require(values, prefix, BUCKET), "target bucket"),
        kms_key_arn=check_kms_key_arn(kms_key_arn or require(values, prefix, KMS_KEY), "target KMS key"),
        model_package_group=group or require(values, prefix, GROUP),
        role_arn=values.get(ROLE),
    )
    return target, [f"{prefix}/{name}" for name in from_ssm]


def network(ssm: Client, prefix: str) -> dict[str, list[str]]:
    """The VpcConfig a model in this environment runs with."""
    values = read_paths(ssm, prefix, ["network"])
    subnets = [s.strip() for s in require(values, prefix, SUBNETS).split(",") if s.strip()]
    return {"Subnets": subnets, "SecurityGroupIds": [require(values, prefix, SECURITY_GROUP)]}


def endpoint_name(ssm: Client, prefix: str, name: str) -> tuple[str, str]:
    """(endpoint name, where it came from): endpoints/<name>/endpoint_name when the contract has
    it, else the name as given."""
    values = read_paths(ssm, prefix, [f"endpoints/{name}"])
    published = values.get(f"endpoints/{name}/endpoint_name", "").strip()
    if published:
        return published, f"{prefix}/endpoints/{name}/endpoint_name"
    return name, "--endpoint"
