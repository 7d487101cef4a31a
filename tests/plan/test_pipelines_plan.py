"""modules/pipelines: each team's pipeline execution role, under the guardrails, and its model group."""

from __future__ import annotations

import pytest

from smenv.checks import iam_simulate
from smenv.checks.iam_simulate import Case, Request

ACCOUNT = "123456789012"
ARN = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}"
KEYS = {
    p: f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{i}1111111-0000-0000-0000-000000000000"
    for i, p in enumerate(["data", "models", "volumes"])
}
GUARDRAILS = [f"arn:aws:iam::{ACCOUNT}:policy/smenv-test-sagemaker-guardrails-{c}" for c in ("network", "encryption")]
INPUTS = {
    "name_prefix": "smenv-test",
    "teams": ["fraud", "pricing"],
    "data_buckets": {"fraud": "smenv-test-data-fraud", "pricing": "smenv-test-data-pricing"},
    "model_buckets": {"fraud": "smenv-test-model-fraud", "pricing": "smenv-test-model-pricing"},
    "kms_key_arns": KEYS,
    "subnet_ids": ["subnet-0a", "subnet-0b"],
    "team_security_group_ids": {"fraud": "sg-0c", "pricing": "sg-0d"},
    "guardrail_policy_arns": GUARDRAILS,
}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-test-fraud-pipeline"
TEAM = {"aws:RequestTag/team": "fraud", "aws:TagKeys": ["team"]}


@pytest.fixture(scope="module")
def pipelines(planner_for):
    return planner_for("pipelines")


@pytest.fixture(scope="module")
def plan(pipelines):
    return pipelines.plan(**INPUTS)


def test_each_team_gets_a_pipeline_role_of_sagemaker_in_this_account_carrying_every_guardrail(plan):
    roles = {r["index"]: r["values"] for r in plan.managed("aws_iam_role")}
    assert {team: role["name"] for team, role in roles.items()} == {
        "fraud": "smenv-test-fraud-pipeline",
        "pricing": "smenv-test-pricing-pipeline",
    }
    trust = roles["fraud"]["assume_role_policy"]
    assert '"sagemaker.amazonaws.com"' in trust and f'"aws:SourceAccount":"{ACCOUNT}"' in trust.replace(" ", "")
    attached = {
        (r["values"]["role"], r["values"]["policy_arn"]) for r in plan.managed("aws_iam_role_policy_attachment")
    }
    assert attached == {(f"smenv-test-{t}-pipeline", arn) for t in ("fraud", "pricing") for arn in GUARDRAILS}


def test_each_team_registers_into_its_own_model_package_group(plan):
    groups = {g["index"]: g["values"] for g in plan.managed("aws_sagemaker_model_package_group")}
    assert {t: (g["model_package_group_name"], g["tags"]) for t, g in groups.items()} == {
        "fraud": ("smenv-test-fraud-models", {"team": "fraud"}),
        "pricing": ("smenv-test-pricing-models", {"team": "pricing"}),
    }


def judge(policy: dict, cases: list[tuple[str, str, str, dict, bool]]) -> list[str]:
    built = [
        Case(name, [policy], Request(action, ctx, principal=ROLE, resource=res)) for name, action, res, ctx, _ in cases
    ]
    outcomes = iam_simulate.evaluate(built)
    return [f"{o.id}: {o.result}" for o, case in zip(outcomes, cases, strict=True) if o.allowed != case[-1]]


def test_a_pipeline_role_makes_its_teams_step_work_and_registers_for_a_person_to_approve(plan):
    # Given fraud's pipeline role policy as planned
    policy = plan.policy('aws_iam_role_policy.pipeline["fraud"]')
    job = f"{ARN}:training-job/smenv-test-fraud-train-0exampleexec-a1b2c3d4e5-0"
    group = f"{ARN}:model-package/smenv-test-fraud-models/1"
    cases = [
        ("train under the team's name and tag", "sagemaker:CreateTrainingJob", job, TEAM | {"sagemaker:VpcSecurityGroupIds": ["sg-0c"]}, True),
        ("tag it as it is created", "sagemaker:AddTags", job, TEAM | {"sagemaker:TaggingAction": "CreateTrainingJob"}, True),
        ("process under the team's name", "sagemaker:CreateProcessingJob", f"{ARN}:processing-job/smenv-test-fraud-prep-x", TEAM, True),
        ("register for approval", "sagemaker:CreateModelPackage", group, {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}, True),
        ("pass itself to its steps", "iam:PassRole", ROLE, {"iam:PassedToService": "sagemaker.amazonaws.com"}, True),
        ("read its team's data", "s3:GetObject", "arn:aws:s3:::smenv-test-data-fraud/train.csv", {}, True),
        ("approve its own model", "sagemaker:CreateModelPackage", group, {"sagemaker:ModelApprovalStatus": "Approved"}, False),
        ("register into pricing's group", "sagemaker:CreateModelPackage", f"{ARN}:model-package/smenv-test-pricing-models/1", {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}, False),
        ("train under pricing's name", "sagemaker:CreateTrainingJob", f"{ARN}:training-job/smenv-test-pricing-train-x", {"aws:RequestTag/team": "pricing", "aws:TagKeys": ["team"]}, False),
        ("train without the team tag", "sagemaker:CreateTrainingJob", job, {}, False),
        ("train in pricing's group", "sagemaker:CreateTrainingJob", job, TEAM | {"sagemaker:VpcSecurityGroupIds": ["sg-0d"]}, False),
        ("set a control tag", "sagemaker:CreateTrainingJob", job, TEAM | {"aws:TagKeys": ["team", "managed-by"]}, False),
        ("pass the team's notebook role", "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/smenv-test-fraud-sagemaker", {"iam:PassedToService": "sagemaker.amazonaws.com"}, False),
        ("delete its team's data", "s3:DeleteObject", "arn:aws:s3:::smenv-test-data-fraud/train.csv", {}, False),
        ("read pricing's data", "s3:GetObject", "arn:aws:s3:::smenv-test-data-pricing/train.csv", {}, False),
        ("start a notebook", "sagemaker:CreateNotebookInstance", f"{ARN}:notebook-instance/smenv-test-fraud-x", TEAM, False),
    ]  # fmt: skip
    # When the evaluator judges each, then the team's step work passes and nothing else does
    assert judge(policy, cases) == []


# --- bad input: one line naming the variable, nothing planned ---------------------------------------


def test_a_team_without_its_security_group_fails_at_plan_naming_the_variable(pipelines):
    message = pipelines.plan_error(**INPUTS | {"team_security_group_ids": {"fraud": "sg-0c"}})
    assert "var.team_security_group_ids has no security group for team pricing" in message
