"""What a team's pipeline needs from the environment contract (README "The environment contract").

Read with GetParametersByPath under network/, kms/ and teams/<team>/ (promotion.contract.read_paths);
every missing value is named in one UsageError.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from smenv.core.project import REPO, UsageError
from smenv.promotion.contract import read_paths

REGISTRIES = REPO / "modules" / "_image_registries" / "aws_registries.json"
# The AWS-owned scikit-learn image the example's steps run in (SageMaker framework registry).
SCIKIT_LEARN = "sagemaker-scikit-learn:1.2-1-cpu-py3"
KEY_PURPOSES = ("data", "models", "volumes")


@dataclass(frozen=True)
class Contract:
    """A team's pipeline values in one environment (strings as published; subnets split)."""

    prefix: str  # /<name_prefix>/<environment>
    team: str
    subnets: tuple[str, ...]
    security_group: str
    data_bucket: str
    model_bucket: str
    role_arn: str  # teams/<team>/pipeline_execution_role_arn
    model_package_group: str
    work_prefix: str  # <name_prefix>-<env>-<team>-
    keys: Mapping[str, str]  # {"data" | "models" | "volumes": key ARN}


def parameter_names(team: str) -> dict[str, str]:
    """{field: contract parameter name after the prefix}."""
    names = {
        "subnets": "network/private_subnet_ids",
        "security_group": f"teams/{team}/security_group_id",
        "data_bucket": f"teams/{team}/data_bucket",
        "model_bucket": f"teams/{team}/model_bucket",
        "role_arn": f"teams/{team}/pipeline_execution_role_arn",
        "model_package_group": f"teams/{team}/model_package_group",
        "work_prefix": f"teams/{team}/work_name_prefix",
    }
    return names | {f"key_{purpose}": f"kms/{purpose}/key_arn" for purpose in KEY_PURPOSES}


def contract_from(values: Mapping[str, str], prefix: str, team: str) -> Contract:
    """The team's contract from {parameter name after the prefix: value}; UsageError naming what is missing."""
    names = parameter_names(team)
    found = {field: (values.get(name) or "").strip() for field, name in names.items()}
    missing = [f"{prefix}/{names[field]}" for field, value in found.items() if not value]
    if missing:
        raise UsageError(f"the environment contract lacks {', '.join(missing)}: is the params unit applied?")
    return Contract(
        prefix=prefix,
        team=team,
        subnets=tuple(s.strip() for s in found["subnets"].split(",") if s.strip()),
        security_group=found["security_group"],
        data_bucket=found["data_bucket"],
        model_bucket=found["model_bucket"],
        role_arn=found["role_arn"],
        model_package_group=found["model_package_group"],
        work_prefix=found["work_prefix"],
        keys={purpose: found[f"key_{purpose}"] for purpose in KEY_PURPOSES},
    )


def read_contract(ssm, prefix: str, team: str) -> Contract:
    """SSM GetParametersByPath (decrypted, paginated) of the three paths the pipeline reads."""
    return contract_from(read_paths(ssm, prefix, ["network", "kms", f"teams/{team}"]), prefix, team)


def scikit_learn_image(region: str) -> str:
    """The region's AWS-owned sagemaker-scikit-learn image URI (modules/_image_registries)."""
    account = (json.loads(REGISTRIES.read_text())["regions"].get(region) or {}).get("sagemaker_framework_images")
    if not account:
        raise UsageError(f"{REGISTRIES.relative_to(REPO)} knows no SageMaker framework registry for {region}")
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{SCIKIT_LEARN}"
