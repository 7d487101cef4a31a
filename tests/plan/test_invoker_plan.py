"""modules/invoker: one endpoint, nothing else on SageMaker, behind a signed function URL."""

from __future__ import annotations

import subprocess
import sys

import pytest
from planner import REPO

ENDPOINT_ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/smenv-test-churn"
KEY = "arn:aws:kms:us-east-1:123456789012:key/{}-0000-0000-0000-000000000000"
INPUTS = {
    "name_prefix": "smenv-test",
    "endpoint_name": "smenv-test-churn",
    "endpoint_arn": ENDPOINT_ARN,
    "vpc_id": "vpc-0a",
    "subnet_ids": ["subnet-0a"],
    "endpoint_security_group_id": "sg-0e",
    "lambda_kms_key_arn": KEY.format("11111111"),
    "logs_kms_key_arn": KEY.format("22222222"),
}


@pytest.fixture(scope="module")
def invoker(planner_for, tmp_path_factory):
    package = tmp_path_factory.mktemp("package") / "invoke_endpoint.zip"
    subprocess.run(
        [sys.executable, "tools/package_lambda.py", "lambda/invoke_endpoint", "--out", str(package)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    planner = planner_for("invoker")
    return planner, str(package)


@pytest.fixture(scope="module")
def plan(invoker):
    planner, package = invoker
    return planner.plan(**INPUTS, package_path=package)


def test_the_role_may_invoke_the_one_endpoint_and_nothing_else_on_sagemaker(plan):
    statements = plan.policy("aws_iam_role_policy.invoke")["Statement"]
    assert len(statements) == 1
    assert (statements[0]["Effect"], statements[0]["Action"]) == ("Allow", "sagemaker:InvokeEndpoint")
    assert statements[0]["Resource"] == ENDPOINT_ARN
    # The role's other policy (network, logs, tracing) names no SageMaker action: read from the config.
    other = plan.raw["configuration"]["root_module"]["resources"]
    document = next(r for r in other if r["address"] == "data.aws_iam_policy_document.function")
    actions = [a for s in document["expressions"]["statement"] for a in s["actions"]["constant_value"]]
    assert actions and not any(a.startswith("sagemaker:") for a in actions)


def test_requests_are_signed_capped_at_100_concurrent_and_traced(plan):
    assert plan.values("aws_lambda_function_url.this")["authorization_type"] == "AWS_IAM"
    function = plan.values("aws_lambda_function.this")
    assert function["reserved_concurrent_executions"] == 100
    assert function["tracing_config"] == [{"mode": "Active"}]
    assert function["environment"][0]["variables"]["ENDPOINT_NAME"] == "smenv-test-churn"
    assert function["vpc_config"][0]["subnet_ids"] == ["subnet-0a"]


def test_bad_invoker_inputs_fail_at_plan_naming_the_variable(invoker):
    planner, package = invoker
    message = planner.plan_error(
        **INPUTS | {"endpoint_arn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/*", "max_body_bytes": 10485760},
        package_path=package,
    )
    assert "var.endpoint_arn must be a SageMaker endpoint ARN" in message
    assert "var.max_body_bytes must be from 1 to 6291456" in message
