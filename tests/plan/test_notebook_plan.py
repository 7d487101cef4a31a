"""modules/notebook: the notebooks' security attributes and every role's guardrail, from the plan."""

from __future__ import annotations

import base64
import json

import pytest

from smenv.checks import iam_simulate
from smenv.checks.iam_simulate import Case, Request

KEYS = {
    p: f"arn:aws:kms:us-east-1:123456789012:key/{i}1111111-0000-0000-0000-000000000000"
    for i, p in enumerate(["data", "models", "volumes"])
}
GUARDRAILS = [
    f"arn:aws:iam::123456789012:policy/smenv-test-sagemaker-guardrails-{c}" for c in ("network", "encryption")
]
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


@pytest.fixture(scope="module")
def notebook(planner_for):
    return planner_for("notebook")


@pytest.fixture(scope="module")
def plan(notebook):
    return notebook.plan(**INPUTS)


def test_each_teams_notebook_is_private_unprivileged_encrypted_and_imdsv2_only(plan):
    notebooks = {r["index"]: r["values"] for r in plan.managed("aws_sagemaker_notebook_instance")}
    assert sorted(notebooks) == ["fraud", "pricing"]
    assert [notebooks[t]["subnet_id"] for t in ("fraud", "pricing")] == ["subnet-0a", "subnet-0b"]
    # Each team's notebook in its own security group
    assert [notebooks[t]["security_groups"] for t in ("fraud", "pricing")] == [["sg-0c"], ["sg-0d"]]
    for nb in notebooks.values():
        assert nb["direct_internet_access"] == "Disabled"
        assert nb["root_access"] == "Disabled"
        assert nb["kms_key_id"] == KEYS["volumes"]
        assert nb["instance_type"] == "ml.t3.medium"
        assert nb["instance_metadata_service_configuration"] == [{"minimum_instance_metadata_service_version": "2"}]


def test_every_execution_role_made_here_carries_every_guardrail_policy(plan):
    roles = {r["index"] for r in plan.managed("aws_iam_role")}
    attached = {
        (r["values"]["role"], r["values"]["policy_arn"]) for r in plan.managed("aws_iam_role_policy_attachment")
    }
    assert roles == {"fraud", "pricing"}
    assert attached == {(f"smenv-test-{t}-sagemaker", arn) for t in roles for arn in GUARDRAILS}


def test_a_team_role_reaches_its_own_buckets_only(plan):
    statements = {s["Sid"]: s for s in plan.policy('aws_iam_role_policy.team["fraud"]')["Statement"]}
    objects = statements["OwnObjects"]["Resource"]
    assert sorted(objects) == ["arn:aws:s3:::smenv-test-data-fraud/*", "arn:aws:s3:::smenv-test-model-fraud/*"]
    assert "pricing" not in str(statements)
    # itself for its jobs, and its pipeline role (modules/pipelines) for its pipelines: nothing else
    assert sorted(as_list(statements["PassTheTeamsRolesToSageMaker"]["Resource"])) == [
        "arn:aws:iam::123456789012:role/smenv-test-fraud-pipeline",
        "arn:aws:iam::123456789012:role/smenv-test-fraud-sagemaker",
    ]
    assert statements["PassTheTeamsRolesToSageMaker"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
    allows = [s for s in statements.values() if s.get("Effect", "Allow") == "Allow"]
    assert not any(a == "*" or a.endswith(":*") for s in allows for a in as_list(s["Action"]))
    # SageMaker work names each action it needs: a wildcard would reach every SageMaker resource type
    assert not any(a.startswith("sagemaker:") and "*" in a for s in allows for a in as_list(s["Action"]))


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# --- teams cannot reach each other: the fraud role, as the IAM evaluator sees it ---------------------

ARN = "arn:aws:sagemaker:us-east-1:123456789012"
LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker"
FRAUD = "arn:aws:iam::123456789012:role/smenv-test-fraud-sagemaker"
OWN_TAG = {"aws:RequestTag/team": "fraud", "aws:TagKeys": ["team"]}


def fraud_case(name: str, action: str, resource: str, context: dict | None = None) -> Case:
    return Case(name, [], Request(action, context or {}, principal=FRAUD, resource=resource))


def team_cases(policy: dict) -> list[tuple[Case, bool]]:
    """(case, allowed?) for the fraud role's own work and each way into pricing's."""
    cases = [
        (fraud_case("create its own job, tagged", "sagemaker:CreateTrainingJob", f"{ARN}:training-job/smenv-test-fraud-xgb-1", OWN_TAG), True),
        (fraud_case("tag its own job on create", "sagemaker:AddTags", f"{ARN}:training-job/smenv-test-fraud-xgb-1", OWN_TAG | {"sagemaker:TaggingAction": "CreateTrainingJob"}), True),
        (fraud_case("see its own job", "sagemaker:DescribeTrainingJob", f"{ARN}:training-job/smenv-test-fraud-xgb-1", {"aws:ResourceTag/team": "fraud"}), True),
        (fraud_case("stop its own job", "sagemaker:StopTrainingJob", f"{ARN}:training-job/smenv-test-fraud-xgb-1", {"aws:ResourceTag/team": "fraud"}), True),
        (fraud_case("transform with its own model", "sagemaker:CreateTransformJob", f"{ARN}:transform-job/smenv-test-fraud-batch", OWN_TAG | {"sagemaker:ModelArn": f"{ARN}:model/smenv-test-fraud-churn"}), True),
        (fraud_case("write its job's log stream", "logs:PutLogEvents", f"{LOGS}/TrainingJobs:log-stream:smenv-test-fraud-xgb-1/algo-1-1700000000"), True),
        (fraud_case("write its notebook's log stream", "logs:PutLogEvents", f"{LOGS}/NotebookInstances:log-stream:smenv-test-fraud/jupyter.log"), True),
        (fraud_case("publish SageMaker job metrics", "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "/aws/sagemaker/TrainingJobs"}), True),
        (fraud_case("create a job without the team tag", "sagemaker:CreateTrainingJob", f"{ARN}:training-job/smenv-test-fraud-xgb-2"), False),
        (fraud_case("create a job tagged as another team", "sagemaker:CreateTrainingJob", f"{ARN}:training-job/smenv-test-fraud-xgb-2", {"aws:RequestTag/team": "pricing", "aws:TagKeys": ["team"]}), False),
        (fraud_case("create a job under another team's name", "sagemaker:CreateTrainingJob", f"{ARN}:training-job/smenv-test-pricing-xgb-1", OWN_TAG), False),
        (fraud_case("see another team's job", "sagemaker:DescribeTrainingJob", f"{ARN}:training-job/smenv-test-pricing-xgb-1", {"aws:ResourceTag/team": "pricing"}), False),
        (fraud_case("see a job of its name tagged another team", "sagemaker:DescribeTrainingJob", f"{ARN}:training-job/smenv-test-fraud-xgb-9", {"aws:ResourceTag/team": "pricing"}), False),
        (fraud_case("stop another team's job", "sagemaker:StopTrainingJob", f"{ARN}:training-job/smenv-test-pricing-xgb-1", {"aws:ResourceTag/team": "pricing"}), False),
        (fraud_case("tag another team's model", "sagemaker:AddTags", f"{ARN}:model/smenv-test-pricing-churn", {"aws:RequestTag/owner": "x", "aws:TagKeys": ["owner"]}), False),
        (fraud_case("transform with another team's model", "sagemaker:CreateTransformJob", f"{ARN}:transform-job/smenv-test-fraud-batch", OWN_TAG | {"sagemaker:ModelArn": f"{ARN}:model/smenv-test-pricing-churn"}), False),
        (fraud_case("set the enforcer's marker on its job", "sagemaker:AddTags", f"{ARN}:training-job/smenv-test-fraud-xgb-1", {"aws:RequestTag/smenv:enforcer": "reported", "aws:TagKeys": ["smenv:enforcer"]}), False),
        (fraud_case("create a job carrying the marker", "sagemaker:CreateTrainingJob", f"{ARN}:training-job/smenv-test-fraud-xgb-3", OWN_TAG | {"aws:RequestTag/smenv:enforcer": "reported", "aws:TagKeys": ["team", "smenv:enforcer"]}), False),
        (fraud_case("remove managed-by from its model", "sagemaker:DeleteTags", f"{ARN}:model/smenv-test-fraud-churn", {"aws:TagKeys": ["managed-by"]}), False),
        (fraud_case("run a job in another team's group", "sagemaker:CreateTrainingJob", f"{ARN}:training-job/smenv-test-fraud-xgb-4", OWN_TAG | {"sagemaker:VpcSecurityGroupIds": ["sg-0d"]}), False),
        (fraud_case("read another team's job logs", "logs:GetLogEvents", f"{LOGS}/TrainingJobs:log-stream:smenv-test-pricing-xgb-1/algo-1-1700000000"), False),
        (fraud_case("write into another team's notebook log", "logs:PutLogEvents", f"{LOGS}/NotebookInstances:log-stream:smenv-test-pricing/jupyter.log"), False),
        (fraud_case("forge metrics in another namespace", "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "smenv/enforcer"}), False),
    ]  # fmt: skip
    return [(Case(c.id, [policy], c.request), allowed) for c, allowed in cases]


def test_a_team_works_under_its_own_name_and_tag_and_reaches_no_other_team(plan):
    # Given the fraud role's policy as planned
    cases = team_cases(plan.policy('aws_iam_role_policy.team["fraud"]'))
    # When the evaluator judges fraud's own work and each way into pricing's
    outcomes = iam_simulate.evaluate(c for c, _ in cases)
    # Then its own work passes and every way into another team's is denied
    wrong = [f"{o.id}: {o.result}" for (c, allowed), o in zip(cases, outcomes, strict=True) if o.allowed != allowed]
    assert wrong == []


def test_the_lifecycle_scripts_carry_the_teams_bucket_and_idle_stop(plan):
    config = plan.values('aws_sagemaker_notebook_instance_lifecycle_configuration.team["pricing"]')
    on_create = base64.b64decode(config["on_create"]).decode()
    on_start = base64.b64decode(config["on_start"]).decode()
    assert "DATA_BUCKET='smenv-test-data-pricing'" in on_create
    assert "PLACEHOLDER='<<DATA_BUCKET>>'" in on_create
    assert "IDLE_MINUTES='60'" in on_start
    assert len(config["on_create"]) < 16384 and len(config["on_start"]) < 16384


def test_jobs_pull_images_from_this_account_and_the_regions_aws_registries_only(plan):
    # Given no job_image_registries: the region's AWS-owned SageMaker registries (us-east-1 here)
    pulls = {s["Sid"]: s for s in plan.policy('aws_iam_role_policy.team["fraud"]')["Statement"]}["PullJobImages"]
    # Then the role may pull from this account and those registries, never "*"
    assert sorted(pulls["Resource"]) == [
        "arn:aws:ecr:us-east-1:123456789012:repository/*",
        "arn:aws:ecr:us-east-1:683313688378:repository/*",
        "arn:aws:ecr:us-east-1:763104351884:repository/*",
    ]


def test_a_named_allow_list_replaces_the_default_and_may_name_single_repositories(notebook):
    repository = "arn:aws:ecr:us-east-1:222222222222:repository/shared/trainer"
    plan = notebook.plan(**INPUTS, job_image_registries=["111111111111", repository])
    pulls = {s["Sid"]: s for s in plan.policy('aws_iam_role_policy.team["fraud"]')["Statement"]}["PullJobImages"]
    assert sorted(pulls["Resource"]) == sorted(
        [
            "arn:aws:ecr:us-east-1:123456789012:repository/*",
            "arn:aws:ecr:us-east-1:111111111111:repository/*",
            repository,
        ]
    )


def test_a_team_reads_the_environment_contract_and_decrypts_it_through_ssm_only(notebook):
    keys = KEYS | {"params": "arn:aws:kms:us-east-1:123456789012:key/31111111-0000-0000-0000-000000000000"}
    plan = notebook.plan(**INPUTS | {"kms_key_arns": keys}, parameter_prefix="/smenv/test")
    statements = {s["Sid"]: s for s in plan.policy('aws_iam_role_policy.team["fraud"]')["Statement"]}
    assert sorted(statements["ReadTheContract"]["Action"]) == [
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
    ]
    assert sorted(statements["ReadTheContract"]["Resource"]) == [
        "arn:aws:ssm:us-east-1:123456789012:parameter/smenv/test",
        "arn:aws:ssm:us-east-1:123456789012:parameter/smenv/test/*",
    ]
    assert statements["ContractKeyThroughSsm"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "ssm.us-east-1.amazonaws.com"}
    }


ENDPOINTS = {"notebook": "vpce-0aaaaaaaaaaaaaaaa", "sagemaker.api": "vpce-0bbbbbbbbbbbbbbbb"}


def test_people_open_their_teams_notebook_through_the_endpoints_only(notebook):
    # Given the published notebook-user policy, with the notebook and API endpoints
    plan = notebook.plan(**INPUTS, presigned_url_vpc_endpoint_ids=ENDPOINTS)
    policy = plan.values('aws_iam_policy.notebook_user["fraud"]')
    assert policy["name"] == "smenv-test-fraud-notebook-user"
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    # Then the presigned URL of the team's own notebook is allowed through those endpoints
    open_ = statements["OpenTheTeamsNotebookThroughTheEndpoints"]
    assert open_["Resource"] == "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/smenv-test-fraud"
    assert sorted(open_["Condition"]["StringEquals"]["aws:SourceVpce"]) == sorted(ENDPOINTS.values())
    # And denied from anywhere else, for any notebook, whatever else the person holds
    deny = statements["DenyOpeningNotebooksFromElsewhere"]
    assert (deny["Effect"], deny["Resource"]) == ("Deny", "*")
    assert sorted(deny["Condition"]["StringNotEqualsIfExists"]["aws:SourceVpce"]) == sorted(ENDPOINTS.values())
    assert "OpenTheTeamsNotebookFromTheConsoleNetworks" not in statements


def test_named_console_networks_open_the_notebook_too(notebook):
    plan = notebook.plan(**INPUTS, presigned_url_vpc_endpoint_ids=ENDPOINTS, allowed_console_cidrs=["203.0.113.0/24"])
    statements = {
        s["Sid"]: s for s in json.loads(plan.values('aws_iam_policy.notebook_user["pricing"]')["policy"])["Statement"]
    }
    assert statements["OpenTheTeamsNotebookFromTheConsoleNetworks"]["Condition"] == {
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}
    }
    assert statements["DenyOpeningNotebooksFromElsewhere"]["Condition"]["NotIpAddressIfExists"] == {
        "aws:SourceIp": "203.0.113.0/24"
    }


def test_credentials_carried_out_of_a_notebook_read_neither_its_logs_nor_the_contract(notebook):
    # Given the environment's logs and SSM endpoints, and the contract under /smenv/test
    endpoints = {"logs": "vpce-0cccccccccccccccc", "ssm": "vpce-0dddddddddddddddd"}
    keys = KEYS | {"params": "arn:aws:kms:us-east-1:123456789012:key/31111111-0000-0000-0000-000000000000"}
    plan = notebook.plan(
        **INPUTS | {"kms_key_arns": keys}, parameter_prefix="/smenv/test", interface_endpoint_ids=endpoints
    )
    policy = plan.policy('aws_iam_role_policy.team["fraud"]')
    stream = f"{LOGS}/TrainingJobs:log-stream:smenv-test-fraud-xgb-1/algo-1-1700000000"
    parameter = "arn:aws:ssm:us-east-1:123456789012:parameter/smenv/test/network/vpc_id"
    through = {"logs": {"aws:SourceVpce": endpoints["logs"]}, "ssm": {"aws:SourceVpce": endpoints["ssm"]}}
    cases = [
        (fraud_case("read its logs through the endpoint", "logs:GetLogEvents", stream, through["logs"]), True),
        (fraud_case("read the contract through the endpoint", "ssm:GetParameter", parameter, through["ssm"]), True),
        (fraud_case("read its logs from elsewhere", "logs:GetLogEvents", stream), False),
        (fraud_case("read the contract from elsewhere", "ssm:GetParameter", parameter), False),
        (fraud_case("write its job's logs (SageMaker, from its side)", "logs:PutLogEvents", stream), True),
    ]
    # When the evaluator judges each
    outcomes = iam_simulate.evaluate(Case(c.id, [policy], c.request) for c, _ in cases)
    # Then reads pass through the endpoints only, and SageMaker's writes are not held to them
    assert [o.allowed for o in outcomes] == [allowed for _, allowed in cases]
