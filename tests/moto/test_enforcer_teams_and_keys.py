"""The enforcer against AWS behaviour (in-process moto), in an environment with teams: work running as
one team's execution role inside another team's security group (vpc.team_group_mismatch), and keys
that are not the environment's (kms.key_not_approved).

The world is configured as live/_envcommon/enforcer.hcl configures an environment (teams_env): every
team's security group approved, each team's role held to its own group, the environment's key alone.
"""

from __future__ import annotations

import json

import pytest
from enforcer_world import (
    KEY,
    MODEL_ROLE,
    PRICING_ROLE,
    PRICING_SECURITY_GROUP,
    ROLE,
    SECURITY_GROUP,
    SUBNETS,
    UNSET,
    World,
    cloudtrail_event,
    enforcer_env,
    handler,
    state_change_event,
    teams_env,
    world,
)

TRAINING, NOTEBOOK, MODEL, COMPILATION = "training-job", "notebook-instance", "model", "compilation-job"
ENDPOINT, ENDPOINT_CONFIG = "endpoint", "endpoint-config"
FRAUD_VPC = {"Subnets": list(SUBNETS), "SecurityGroupIds": [SECURITY_GROUP]}
PRICING_VPC = {"Subnets": list(SUBNETS), "SecurityGroupIds": [PRICING_SECURITY_GROUP]}
KEY_ID = KEY.rsplit("/", 1)[1]
FOREIGN_KEY = "arn:aws:kms:us-east-1:999999999999:key/99999999-9999-9999-9999-999999999999"


@pytest.fixture
def aws():
    with world() as w:
        yield w


def process(aws: World, event: dict, **overrides: str) -> dict:
    """The decision in an environment with teams, wired as live/_envcommon/enforcer.hcl wires it."""
    return aws.process(event, **teams_env(**overrides))


# --- vpc.team_group_mismatch --------------------------------------------------------------------------


def test_a_job_running_as_one_teams_role_in_another_teams_group_is_stopped(aws: World):
    # Given a training job that runs as fraud's role inside pricing's group (approved: every team's is)
    job_arn = aws.training_job("fraud-in-pricing", vpc=PRICING_VPC, role=ROLE)
    # When its state-change event arrives
    result = process(aws, state_change_event(TRAINING, "fraud-in-pricing"))
    # Then it is stopped, and the finding names the group and the role
    assert (result["decision"], result["action"]) == ("violation", "stopped")
    assert result["violations"] == ["vpc.team_group_mismatch"]
    assert aws.status(TRAINING, "fraud-in-pricing") in ("Stopping", "Stopped")
    [published] = aws.findings()
    finding = published["finding"]
    assert (finding["resource_arn"], finding["violations"]) == (job_arn, ["vpc.team_group_mismatch"])
    assert finding["details"] == [
        {
            "rule": "vpc.team_group_mismatch",
            "message": f"security group {PRICING_SECURITY_GROUP} is not one of role smenv-local-fraud-sagemaker's groups",
        }
    ]
    # And its CreateTrainingJob call, arriving later, finds it stopped: one finding in all
    assert process(aws, cloudtrail_event(TRAINING, "fraud-in-pricing"))["reason"] == "not_running"
    assert aws.findings() == []


@pytest.mark.parametrize(
    ("role", "vpc"),
    [(ROLE, FRAUD_VPC), (PRICING_ROLE, PRICING_VPC), (MODEL_ROLE, PRICING_VPC)],
    ids=["fraud-in-its-own", "pricing-in-its-own", "unmapped-role"],
)
def test_a_job_in_its_own_teams_group_or_of_a_role_outside_the_teams_runs(aws: World, role, vpc):
    # Given a job as each team's role in its own group, and one as a role no team owns
    aws.training_job("in-place", vpc=vpc, role=role)
    # When its create call arrives
    result = process(aws, cloudtrail_event(TRAINING, "in-place"))
    # Then it keeps running, and nothing is published
    assert result["decision"] == "compliant"
    assert aws.status(TRAINING, "in-place") == "InProgress"
    assert aws.findings() == []


def test_without_the_team_map_the_same_job_runs_as_before(aws: World):
    aws.training_job("fraud-in-pricing", vpc=PRICING_VPC, role=ROLE)
    result = process(aws, state_change_event(TRAINING, "fraud-in-pricing"), TEAM_SECURITY_GROUPS="")
    assert result["decision"] == "compliant"


def test_a_notebook_of_one_team_in_another_teams_group_is_stopped(aws: World):
    aws.notebook("pricing-in-fraud", role=PRICING_ROLE, groups=(PRICING_SECURITY_GROUP, SECURITY_GROUP))
    result = process(aws, state_change_event(NOTEBOOK, "pricing-in-fraud", "InService"))
    assert (result["action"], result["violations"]) == ("stopped", ["vpc.team_group_mismatch"])
    assert aws.status(NOTEBOOK, "pricing-in-fraud") in ("Stopping", "Stopped")


def test_a_model_of_one_team_in_another_teams_group_is_deleted_and_an_endpoint_serving_it_too(aws: World):
    # Given a model as fraud's role in pricing's group, served by an endpoint, and the platform's model
    aws.model("fraud-in-pricing", vpc=PRICING_VPC, role=ROLE)
    aws.model("platform", vpc=FRAUD_VPC, role=MODEL_ROLE)
    aws.endpoint_config("cfg", "fraud-in-pricing")
    aws.endpoint("fraud-live", "cfg")
    aws.model("loose-model", vpc=PRICING_VPC, role=ROLE)
    # When their events arrive
    endpoint = process(aws, state_change_event(ENDPOINT, "fraud-live", "InService"))
    served = process(aws, cloudtrail_event(MODEL, "fraud-in-pricing"))
    unserved = process(aws, cloudtrail_event(MODEL, "loose-model"))
    platform = process(aws, cloudtrail_event(MODEL, "platform"))
    # Then the endpoint is deleted as for any model outside the network, the model it served is kept
    # (its configuration still names it) and reported, the other deleted; the platform's role is not judged
    assert (endpoint["action"], endpoint["violations"]) == ("deleted", ["vpc.team_group_mismatch"])
    assert not aws.exists(ENDPOINT, "fraud-live")
    assert (served["action"], served["violations"]) == ("retained_in_use", ["vpc.team_group_mismatch"])
    assert (unserved["action"], unserved["violations"]) == ("deleted", ["vpc.team_group_mismatch"])
    assert not aws.exists(MODEL, "loose-model")
    assert platform["decision"] == "compliant"


def test_a_compilation_job_in_another_teams_group_is_stopped_as_an_escape(aws: World):
    aws.compilation_job("neo-fraud-in-pricing", vpc=PRICING_VPC, role=ROLE)
    result = process(aws, cloudtrail_event(COMPILATION, "neo-fraud-in-pricing"))
    assert (result["action"], result["violations"]) == ("stopped", ["vpc.team_group_mismatch"])
    assert not aws.exists(COMPILATION, "neo-fraud-in-pricing")


# --- kms.key_not_approved -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("alias/aws/sagemaker", "is an alias, which cannot be resolved safely"),
        (f"arn:aws:kms:us-east-1:{KEY.split(':')[4]}:alias/smenv-local-data", "is an alias"),
        (FOREIGN_KEY, "is not one of the environment's keys"),
    ],
    ids=["aws-managed-alias", "own-alias-arn", "another-accounts-key"],
)
def test_a_job_encrypted_with_a_key_that_is_not_the_environments_is_stopped(aws: World, key, says):
    # Given a job whose volume is encrypted with a key other than the environment's
    aws.training_job("odd-key", volume_key=key)
    # When its state-change event arrives
    result = process(aws, state_change_event(TRAINING, "odd-key"))
    # Then it is stopped, as a job without a volume key is, and the finding says why the key is refused
    assert (result["action"], result["violations"]) == ("stopped", ["kms.key_not_approved"])
    [published] = aws.findings()
    [detail] = published["finding"]["details"]
    assert detail["message"].startswith(f"ResourceConfig.VolumeKmsKeyId {key} ")
    assert says in detail["message"]


def test_a_job_naming_the_environments_key_by_arn_or_id_runs(aws: World):
    aws.training_job("by-arn", volume_key=KEY, output_key=KEY)
    aws.training_job("by-id", volume_key=KEY_ID, output_key=KEY_ID)
    assert process(aws, state_change_event(TRAINING, "by-arn"))["decision"] == "compliant"
    assert process(aws, state_change_event(TRAINING, "by-id"))["decision"] == "compliant"
    # and without the list, any key is accepted, as before
    aws.training_job("managed-key", volume_key="alias/aws/sagemaker")
    result = process(aws, state_change_event(TRAINING, "managed-key"), APPROVED_KMS_KEY_ARNS="")
    assert result["decision"] == "compliant"


def test_a_compilation_job_with_a_foreign_key_is_reported_once_and_left_running_as_a_missing_key_is(aws: World):
    job_arn = aws.compilation_job("neo-foreign-key", key=FOREIGN_KEY)
    first = process(aws, cloudtrail_event(COMPILATION, "neo-foreign-key"))
    second = process(aws, cloudtrail_event(COMPILATION, "neo-foreign-key"))
    assert (first["action"], first["violations"]) == ("reported", ["kms.key_not_approved"])
    assert second["reason"] == "already_handled"
    assert aws.exists(COMPILATION, "neo-foreign-key")
    assert aws.marker(job_arn).startswith("v1:reported:")


def test_an_endpoint_whose_configuration_names_a_foreign_key_is_reported_not_deleted(aws: World):
    aws.model("platform", vpc=FRAUD_VPC, role=MODEL_ROLE)
    aws.endpoint_config("cfg", "platform", key="alias/aws/sagemaker")
    aws.endpoint("churn", "cfg")
    result = process(aws, state_change_event(ENDPOINT, "churn", "InService"))
    assert (result["action"], result["violations"]) == ("reported", ["kms.key_not_approved"])
    assert aws.exists(ENDPOINT, "churn") and aws.exists(ENDPOINT_CONFIG, "cfg")


# --- the Lambda entry point, configured as Terraform configures it ---------------------------------------


class Context:
    aws_request_id = "c0ffee00-0000-4000-8000-000000000002"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:smenv-local-enforcer"


def test_the_lambda_reads_the_team_map_and_the_keys_from_its_environment(aws: World, monkeypatch):
    # Given the function's environment as modules/enforcer sets it (TEAM_SECURITY_GROUPS is jsonencode'd)
    team_map = json.dumps({ROLE: [SECURITY_GROUP], PRICING_ROLE: [PRICING_SECURITY_GROUP]}, separators=(",", ":"))
    env = enforcer_env(
        FINDINGS_TOPIC_ARN=aws.topic_arn,
        APPROVED_SECURITY_GROUP_IDS=f"{PRICING_SECURITY_GROUP},{SECURITY_GROUP}",
        TEAM_SECURITY_GROUPS=team_map,
        APPROVED_KMS_KEY_ARNS=KEY,
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    handler.set_clients(aws.clients)
    aws.training_job("pricing-in-fraud", vpc=FRAUD_VPC, role=PRICING_ROLE, output_key="alias/aws/sagemaker")
    # When Lambda invokes it
    result = handler.handler(state_change_event(TRAINING, "pricing-in-fraud"), Context())
    # Then both rules are applied, and the job is stopped
    assert result["violations"] == ["vpc.team_group_mismatch", "kms.key_not_approved"]
    assert result["action"] == "stopped"


def test_the_worlds_defaults_are_compliant_in_an_environment_with_teams(aws: World):
    # The builders default to fraud's role, group and key: every other enforcer test holds with teams too
    aws.training_job("defaults")
    assert process(aws, state_change_event(TRAINING, "defaults"))["decision"] == "compliant"
    aws.training_job("no-vpc", vpc=UNSET)
    assert process(aws, state_change_event(TRAINING, "no-vpc"))["violations"] == ["vpc.required"]
