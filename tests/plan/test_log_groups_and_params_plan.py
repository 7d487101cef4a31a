"""modules/log_groups and modules/params: SageMaker's logs encrypted and kept; the contract published."""

from __future__ import annotations

KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


def test_sagemakers_log_groups_are_encrypted_and_kept_a_year(planner_for):
    plan = planner_for("log_groups").plan(kms_key_arn=KEY, endpoint_names=["smenv-test-churn"])
    groups = {r["values"]["name"]: r["values"] for r in plan.managed("aws_cloudwatch_log_group")}
    assert sorted(groups) == [
        "/aws/sagemaker/Endpoints/smenv-test-churn",
        "/aws/sagemaker/NotebookInstances",
        "/aws/sagemaker/ProcessingJobs",
        "/aws/sagemaker/TrainingJobs",
        "/aws/sagemaker/TransformJobs",
        "/aws/sagemaker/studio",
    ]
    for group in groups.values():
        assert group["kms_key_id"] == KEY
        assert group["retention_in_days"] >= 365


def test_the_contract_is_published_under_the_environment_prefix(planner_for):
    plan = planner_for("params").plan(
        kms_key_arn=KEY,
        parameter_prefix="/smenv/test",
        parameters={"network/vpc_id": "vpc-1", "teams/fraud/data_bucket": "smenv-test-data-fraud"},
        string_lists={"network/private_subnet_ids": ["subnet-1", "subnet-2"]},
    )
    params = {r["values"]["name"]: r["values"] for r in plan.managed("aws_ssm_parameter")}
    assert params["/smenv/test/network/vpc_id"]["value"] == "vpc-1"
    subnets = params["/smenv/test/network/private_subnet_ids"]
    assert (subnets["type"], subnets["value"]) == ("SecureString", "subnet-1,subnet-2")
    assert {(p["type"], p["key_id"]) for p in params.values()} == {("SecureString", KEY)}
