"""A team's pipeline contract and the example rendered from it, as the pipeline tests share them."""

from __future__ import annotations

import copy
from typing import Any

from smenv.pipelines import code
from smenv.pipelines import definition as dsl
from smenv.pipelines.contract import Contract, contract_from, scikit_learn_image

ACCOUNT, REGION, PREFIX, TEAM = "111111111111", "eu-west-1", "/smenv/dev", "fraud"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-dev-fraud-pipeline"
KEYS = {purpose: f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{purpose}-0000" for purpose in ("data", "models", "volumes")}


def contract_values(account: str = ACCOUNT, region: str = REGION, team: str = TEAM, env: str = "dev") -> dict[str, str]:
    """{parameter name after the prefix: value}, as the params unit publishes them."""
    keys = {purpose: arn.replace(ACCOUNT, account).replace(REGION, region) for purpose, arn in KEYS.items()}
    return {
        "network/private_subnet_ids": "subnet-0aaa,subnet-0bbb",
        f"teams/{team}/security_group_id": "sg-0team",
        f"teams/{team}/data_bucket": f"smenv-{env}-{team}-data",
        f"teams/{team}/model_bucket": f"smenv-{env}-{team}-models",
        f"teams/{team}/pipeline_execution_role_arn": f"arn:aws:iam::{account}:role/smenv-{env}-{team}-pipeline",
        f"teams/{team}/model_package_group": f"smenv-{env}-{team}-models",
        f"teams/{team}/work_name_prefix": f"smenv-{env}-{team}-",
        **{f"kms/{purpose}/key_arn": arn for purpose, arn in keys.items()},
    }


def contract() -> Contract:
    return contract_from(contract_values(), PREFIX, TEAM)


def rendered(template: dict[str, Any] | None = None) -> dict[str, Any]:
    """The example (or template), rendered for fraud in dev."""
    c = contract()
    known = dsl.values(
        c,
        region=REGION,
        pipeline=dsl.pipeline_name(c, "churn"),
        image=scikit_learn_image(REGION),
        code_prefix=f"s3://{c.model_bucket}/{code.key_prefix(code.bundle())}",
    )
    return dsl.render(copy.deepcopy(template or dsl.load()), known)


def step(definition: dict[str, Any], name: str) -> dict[str, Any]:
    """The step of that name (those in a condition's branches too), to change in place."""
    return next(s for s in dsl.steps(definition) if s["Name"] == name)
