"""modules/invoker: one endpoint, nothing else on SageMaker, behind a signed function URL."""

from __future__ import annotations

import subprocess
import sys

import pytest
from planner import REPO

from smenv.build import lambda_loader

handler = lambda_loader.load("invoke_endpoint")

ENDPOINT_ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/smenv-test-churn"
GUARDRAILS = [
    f"arn:aws:iam::123456789012:policy/smenv-test-sagemaker-guardrails-{c}"
    for c in ("network", "encryption", "workloads")
]
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
    "guardrail_policy_arns": GUARDRAILS,
}
# The function and its role's other policy: modules/_lambda_in_vpc's, called as module.function.
FUNCTION = "module.function.aws_lambda_function.this"
ROLE_POLICY = "module.function.aws_iam_role_policy.this"


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
    # The role's other policy (its environment key, logs, network, tracing) names no SageMaker action.
    other = plan.policy(ROLE_POLICY)
    assert plan.values(ROLE_POLICY)["name"] == "run-in-the-vpc"
    actions = [a for s in other["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert actions and not any(a.startswith("sagemaker:") for a in actions)


def test_requests_are_signed_capped_at_100_concurrent_and_traced(plan):
    assert plan.values("aws_lambda_function_url.this")["authorization_type"] == "AWS_IAM"
    function = plan.values(FUNCTION)
    assert function["reserved_concurrent_executions"] == 100
    assert function["tracing_config"] == [{"mode": "Active"}]
    assert function["environment"][0]["variables"]["ENDPOINT_NAME"] == "smenv-test-churn"
    assert function["vpc_config"][0]["subnet_ids"] == ["subnet-0a"]


def test_the_model_gets_sixty_seconds_and_the_function_outlasts_them(plan):
    # Given the module's defaults
    function = plan.values(FUNCTION)
    # Then the invoker waits the 60 s SageMaker gives a model
    assert function["environment"][0]["variables"]["ENDPOINT_READ_TIMEOUT_SECONDS"] == "60"
    # And the function's timeout covers the slowest request the invoker can make of it, with room for its own work
    assert function["timeout"] == 72
    assert function["timeout"] >= handler.worst_case_seconds(60) + 3
    assert plan.output("function_timeout_seconds") == 72


def test_a_shorter_read_timeout_shortens_the_function_timeout(invoker):
    # Given an invoker behind API Gateway (29 s), with the read timeout the README advises
    planner, package = invoker
    function = planner.plan(**INPUTS, package_path=package, read_timeout_seconds=19).values(FUNCTION)
    # Then the model gets 19 s and the function answers within 31 s at most
    assert function["environment"][0]["variables"]["ENDPOINT_READ_TIMEOUT_SECONDS"] == "19"
    assert function["timeout"] == 31


def test_a_function_timeout_shorter_than_the_read_timeout_needs_fails_at_plan_naming_both(invoker):
    # Given the default read timeout (60 s) and a function that may run only 30 s
    planner, package = invoker
    message = planner.plan_error(**INPUTS, package_path=package, function_timeout_seconds=30)
    # Then the plan fails, naming both variables and what the function timeout must be
    assert "var.function_timeout_seconds (30) must be at least var.read_timeout_seconds + 12 (72)" in message


def test_its_role_carries_the_guardrails_as_every_role_the_project_creates(plan):
    attached = {r["values"]["policy_arn"] for r in plan.managed("aws_iam_role_policy_attachment")}
    roles = {r["values"]["role"] for r in plan.managed("aws_iam_role_policy_attachment")}
    assert (attached, roles) == (set(GUARDRAILS), {"smenv-test-churn-invoker"})
