"""A serverless endpoint reads its model from outside the VPC: the one exception, proven by the evaluator.

No environment runs serverless today (prod may switch with endpoint_shape), so the environments'
matrices never meet these flows; here the catalogue's serverless flows (access/flows.yaml, `when:
{endpoint_shape: serverless}`) are evaluated over the three modules planned the way a serverless
environment plans them.
"""

from __future__ import annotations

import pytest

from smenv.checks.accessmatrix import flows as flowlib
from smenv.checks.accessmatrix.inventory import collect
from smenv.checks.accessmatrix.matrix import CATALOGUE, evaluate

ACCOUNT, REGION = "123456789012", "us-east-1"
VPCE = "vpce-0123456789abcdef0"
KEY = "arn:aws:kms:us-east-1:123456789012:key/{}1111111-0000-0000-0000-000000000000"
KEYS = {p: KEY.format(i) for i, p in enumerate(["data", "models", "volumes"])}
SUFFIX = f"{ACCOUNT}-{REGION}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-test-churn-model"
MODEL_KEY = "promoted/churn/v1/model.tar.gz"


@pytest.fixture(scope="module")
def inventory(planner_for):
    buckets = planner_for("buckets").plan(
        name_prefix="smenv-test", teams=["fraud", "pricing"], data_kms_key_arn=KEYS["data"],
        models_kms_key_arn=KEYS["models"], s3_vpc_endpoint_id=VPCE,
        serverless_model_readers=[{"principal_arn": ROLE, "team": "fraud", "key_prefixes": ["promoted/churn/v1/", "promoted/"]}],
    )  # fmt: skip
    endpoint = planner_for("endpoint").plan(
        name_prefix="smenv-test", name="churn", shape="serverless", enable_network_isolation=False,
        model={"image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/churn:1", "model_data_url": f"s3://smenv-test-model-fraud-{SUFFIX}/{MODEL_KEY}"},
        model_data_prefixes=["promoted/"], model_bucket=f"smenv-test-model-fraud-{SUFFIX}",
        models_kms_key_arn=KEYS["models"], volumes_kms_key_arn=KEYS["volumes"], subnet_ids=[], security_group_ids=[],
        guardrail_policy_arns=[],
    )  # fmt: skip
    notebook = planner_for("notebook").plan(
        name_prefix="smenv-test", teams=["fraud", "pricing"], kms_key_arns=KEYS, subnet_ids=["subnet-0a"],
        team_security_group_ids={"fraud": "sg-0c", "pricing": "sg-0d"}, guardrail_policy_arns=[],
        data_buckets={t: f"smenv-test-data-{t}-{SUFFIX}" for t in ("fraud", "pricing")},
        model_buckets={t: f"smenv-test-model-{t}-{SUFFIX}" for t in ("fraud", "pricing")},
    )  # fmt: skip
    plans = {"buckets": buckets.raw, "endpoint": endpoint.raw, "notebook": notebook.raw}
    return collect(ACCOUNT, REGION, plans)


def test_the_serverless_flows_of_the_catalogue_get_their_verdicts(inventory):
    # Given the catalogue's flows that only a serverless environment meets
    serverless = [f for f in flowlib.load(CATALOGUE) if (f.raw.get("when") or {}).get("endpoint_shape") == "serverless"]
    assert len(serverless) >= 3
    values = {
        "teams": ["fraud", "pricing"], "account": ACCOUNT, "region": REGION, "endpoint_role": ROLE,
        "endpoint_team": "fraud", "model_key": MODEL_KEY,
        "model_bucket": {t: f"smenv-test-model-{t}-{SUFFIX}" for t in ("fraud", "pricing")},
        "team_role": {t: f"arn:aws:iam::{ACCOUNT}:role/smenv-test-{t}-sagemaker" for t in ("fraud", "pricing")},
        "work_prefix": {t: f"smenv-test-{t}-" for t in ("fraud", "pricing")},
    }  # fmt: skip
    settings = {"endpoint_shape": "serverless", "enforce_vpc_endpoint": True}
    # When they are evaluated over the planned policies
    result = evaluate("serverless", inventory, serverless, values, settings, catalogue=CATALOGUE)
    # Then the model's role reads its model from outside the VPC, and nothing (and nobody) else does
    assert result.wrong == [], "\n".join(result.lines())
    assert {v.request.expect for v in result.verdicts} == {"allow", "deny"}
