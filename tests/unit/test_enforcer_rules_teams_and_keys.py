"""The enforcer's rules for teams' security groups (vpc.team_group_mismatch) and the environment's keys
(kms.key_not_approved): plain descriptions in, rule ids out."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from smenv.build import lambda_loader

rules = lambda_loader.load("enforcer", "rules")

ACCOUNT = "123456789012"
SUBNET = "subnet-0a000000000000001"
FRAUD_SG, PRICING_SG, SHARED_SG, ROGUE_SG = (
    "sg-0000000000000f001",
    "sg-0000000000000a002",
    "sg-0b000000000000001",
    "sg-0f00000000000000f",
)
FRAUD_ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-dev-fraud-sagemaker"
PRICING_ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-dev-pricing-sagemaker"
MODEL_ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-dev-churn-model"  # the platform's endpoint model role: unmapped
VOLUMES = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
DATA = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
MODELS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab"
A = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}"
# The environment as live/_envcommon/enforcer.hcl passes it: every team's group approved, each team's
# role held to its own group, the environment's volumes, data and models keys.
POLICY = rules.Policy(
    approved_subnets=frozenset({SUBNET}),
    approved_security_groups=frozenset({FRAUD_SG, PRICING_SG, SHARED_SG}),
    team_security_groups={FRAUD_ROLE: frozenset({FRAUD_SG}), PRICING_ROLE: frozenset({PRICING_SG})},
    approved_kms_keys=frozenset({VOLUMES, DATA, MODELS_KEY}),
)


def vpc(*groups: str) -> dict[str, Any]:
    return {"Subnets": [SUBNET], "SecurityGroupIds": list(groups)}


# --- vpc.team_group_mismatch: each kind that names an execution role and security groups ------------


def training(role: Any, groups: list[str]) -> dict[str, Any]:
    return {
        "RoleArn": role,
        "VpcConfig": vpc(*groups),
        "ResourceConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": VOLUMES},
        "OutputDataConfig": {"KmsKeyId": DATA},
        "EnableInterContainerTrafficEncryption": True,
    }


def model(role: Any, groups: list[str], name: str = "m") -> dict[str, Any]:
    return {"ModelName": name, "ExecutionRoleArn": role, "VpcConfig": vpc(*groups)}


def endpoint_config(model_name: str = "m") -> dict[str, Any]:
    variant = {"VariantName": "main", "ModelName": model_name, "InstanceType": "ml.m5.large"}
    return {"ProductionVariants": [variant], "KmsKeyId": VOLUMES}


def monitoring(role: Any, groups: list[str]) -> dict[str, Any]:
    return {
        "RoleArn": role,
        "MonitoringResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": VOLUMES}},
        "MonitoringOutputConfig": {"KmsKeyId": DATA},
        "NetworkConfig": {"VpcConfig": vpc(*groups)},
    }


def domain(role: Any, groups: list[str]) -> dict[str, Any]:
    return {
        "DomainId": "d-8pkyq3fsqrgl",
        "AppNetworkAccessType": "VpcOnly",
        "SubnetIds": [SUBNET],
        "DefaultUserSettings": {"ExecutionRole": role, "SecurityGroups": list(groups)},
        "KmsKeyId": VOLUMES,
    }


def judged(kind: str, role: Any, groups: list[str], policy=POLICY):
    """The verdict on a `kind` that runs as `role` in `groups`, right in every other respect."""
    if kind == "training-job":
        return rules.evaluate(kind, training(role, groups), policy)
    if kind == "processing-job":
        job = {
            "RoleArn": role,
            "NetworkConfig": {"VpcConfig": vpc(*groups)},
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": VOLUMES}},
        }
        return rules.evaluate(kind, job, policy)
    if kind == "hyper-parameter-tuning-job":
        return rules.evaluate(kind, {"TrainingJobDefinitions": [training(role, groups)]}, policy)
    if kind == "transform-job":
        job = {
            "ModelName": "m",
            "TransformResources": {"VolumeKmsKeyId": VOLUMES},
            "TransformOutput": {"KmsKeyId": DATA},
        }
        return rules.evaluate(kind, job, policy, model=model(role, groups))
    if kind == "model":
        return rules.evaluate(kind, model(role, groups), policy)
    if kind == "notebook-instance":
        notebook = {
            "RoleArn": role,
            "SubnetId": SUBNET,
            "SecurityGroups": list(groups),
            "KmsKeyId": VOLUMES,
            "DirectInternetAccess": "Disabled",
            "RootAccess": "Disabled",
            "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
        }
        return rules.evaluate(kind, notebook, policy)
    if kind == "endpoint-config":
        return rules.evaluate(kind, endpoint_config(), policy, models={"m": (model(role, groups), {})})
    if kind == "endpoint":
        return rules.evaluate(
            kind,
            {"EndpointConfigName": "c"},
            policy,
            configs={"c": endpoint_config()},
            models={"m": (model(role, groups), {})},
        )
    if kind == "monitoring-schedule":
        schedule = {"MonitoringScheduleConfig": {"MonitoringJobDefinition": monitoring(role, groups)}}
        return rules.evaluate(kind, schedule, policy)
    if kind == "monitoring-job-definition":
        schedule = {"MonitoringScheduleConfig": {"MonitoringJobDefinitionName": "dq", "MonitoringType": "DataQuality"}}
        definition = {
            "RoleArn": role,
            "JobResources": monitoring(role, groups)["MonitoringResources"],
            "DataQualityJobOutputConfig": {"KmsKeyId": DATA},
            "NetworkConfig": {"VpcConfig": vpc(*groups)},
        }
        return rules.evaluate("monitoring-schedule", schedule, policy, related=definition)
    if kind in ("compilation-job", "optimization-job"):
        return rules.evaluate(
            kind, {"RoleArn": role, "VpcConfig": vpc(*groups), "OutputConfig": {"KmsKeyId": DATA}}, policy
        )
    if kind == "labeling-job":
        job = {
            "LabelingJobArn": f"{A}:labeling-job/l",
            "RoleArn": role,
            "HumanTaskConfig": {"WorkteamArn": f"{A}:workteam/private-crowd/fraud-labelers"},
            "LabelingJobAlgorithmsConfig": {
                "LabelingJobResourceConfig": {"VpcConfig": vpc(*groups), "VolumeKmsKeyId": VOLUMES}
            },
            "OutputConfig": {"KmsKeyId": DATA},
        }
        return rules.evaluate(kind, job, policy)
    if kind == "inference-recommendations-job":
        return rules.evaluate(kind, {"RoleArn": role, "InputConfig": {"VpcConfig": vpc(*groups)}}, policy)
    if kind == "cluster":
        group = {"InstanceGroupName": "workers", "ExecutionRole": role}
        return rules.evaluate(kind, {"VpcConfig": vpc(*groups), "InstanceGroups": [group]}, policy)
    if kind == "cluster-override":
        group = {"InstanceGroupName": "workers", "ExecutionRole": role, "OverrideVpcConfig": vpc(*groups)}
        return rules.evaluate("cluster", {"VpcConfig": vpc(SHARED_SG), "InstanceGroups": [group]}, policy)
    if kind == "domain":
        return rules.evaluate(kind, domain(role, groups), policy)
    if kind == "app":
        app = {"DomainId": "d-8pkyq3fsqrgl", "ResourceSpec": {}}
        return rules.evaluate(kind, app, policy, related=domain(role, groups))
    raise AssertionError(kind)


WORK = [
    "training-job",
    "processing-job",
    "hyper-parameter-tuning-job",
    "transform-job",
    "model",
    "notebook-instance",
    "endpoint-config",
    "endpoint",
    "monitoring-schedule",
    "monitoring-job-definition",
    "compilation-job",
    "optimization-job",
    "labeling-job",
    "inference-recommendations-job",
    "cluster",
    "cluster-override",
    "domain",
    "app",
]


@pytest.mark.parametrize("kind", WORK)
def test_work_running_as_one_teams_role_in_another_teams_group_breaks_team_group_mismatch(kind):
    # Given fraud's role, in pricing's group (approved, as every team's group is)
    verdict = judged(kind, FRAUD_ROLE, [PRICING_SG])
    # Then it is a VPC violation of its own, naming the group and the role
    assert verdict.rule_ids == ["vpc.team_group_mismatch"]
    assert f"security group {PRICING_SG} is not one of role smenv-dev-fraud-sagemaker's groups" in (
        verdict.violations[0].message
    )
    # and it counts as escaping: a compilation job is stopped, an endpoint deleted, as for any VPC rule
    assert verdict.escapes


@pytest.mark.parametrize("kind", WORK)
def test_work_running_as_a_teams_role_in_its_own_group_is_compliant(kind):
    assert judged(kind, FRAUD_ROLE, [FRAUD_SG]).compliant
    assert judged(kind, PRICING_ROLE, [PRICING_SG]).compliant


@pytest.mark.parametrize("kind", WORK)
def test_a_role_outside_the_mapping_is_not_judged_by_the_team_rule(kind):
    # The platform's endpoint model role in the shared group, or in a team's: only the approved list applies
    assert judged(kind, MODEL_ROLE, [SHARED_SG]).compliant
    assert judged(kind, MODEL_ROLE, [PRICING_SG]).compliant
    assert judged(kind, None, [PRICING_SG]).compliant


@pytest.mark.parametrize("kind", ["training-job", "notebook-instance", "model", "cluster", "domain"])
def test_without_a_mapping_there_is_no_team_check(kind):
    # Given the default policy (TEAM_SECURITY_GROUPS unset): the approved groups alone, as before
    policy = replace(POLICY, team_security_groups={})
    assert judged(kind, FRAUD_ROLE, [PRICING_SG], policy).compliant


def test_each_group_outside_the_roles_own_is_named_once():
    verdict = judged("training-job", FRAUD_ROLE, [FRAUD_SG, PRICING_SG, SHARED_SG])
    assert [v.message.split()[2] for v in verdict.violations] == [PRICING_SG, SHARED_SG]


def test_a_group_approved_for_nobody_breaks_both_network_rules():
    verdict = judged("training-job", FRAUD_ROLE, [ROGUE_SG])
    assert verdict.rule_ids == ["vpc.security_group_not_approved", "vpc.team_group_mismatch"]


def test_work_outside_the_vpc_is_vpc_required_alone():
    job = {**training(FRAUD_ROLE, []), "VpcConfig": None}
    assert rules.evaluate("training-job", job, POLICY).rule_ids == ["vpc.required"]


@pytest.mark.parametrize(
    "role",
    [
        f"arn:aws:iam::{ACCOUNT}:role/SMENV-DEV-FRAUD-SAGEMAKER",  # IAM does not tell role names apart by case
        f"arn:aws:iam::{ACCOUNT}:role/service-role/smenv-dev-fraud-sagemaker",  # a name is unique whatever the path
        f"arn:aws:iam::{ACCOUNT}:role/a/b/Smenv-Dev-Fraud-SageMaker",
    ],
)
def test_a_teams_role_is_recognised_whatever_its_path_or_the_case_of_its_name(role):
    assert judged("training-job", role, [PRICING_SG]).rule_ids == ["vpc.team_group_mismatch"]


@pytest.mark.parametrize(
    "role",
    [
        "arn:aws:iam::999999999999:role/smenv-dev-fraud-sagemaker",  # another account's role of the same name
        f"arn:aws:sts::{ACCOUNT}:assumed-role/smenv-dev-fraud-sagemaker/session",  # not a role ARN
        "smenv-dev-fraud-sagemaker",
        ["not", "a", "role"],
    ],
)
def test_only_the_mapped_roles_themselves_are_held_to_their_groups(role):
    assert judged("training-job", role, [PRICING_SG]).compliant


def test_a_tuning_job_holds_each_definition_to_its_own_role():
    definitions = [training(FRAUD_ROLE, [FRAUD_SG]), training(PRICING_ROLE, [FRAUD_SG])]
    verdict = rules.evaluate("hyper-parameter-tuning-job", {"TrainingJobDefinitions": definitions}, POLICY)
    assert verdict.rule_ids == ["vpc.team_group_mismatch"]
    assert verdict.violations[0].message.startswith("TrainingJobDefinitions[1]: ")


def test_a_cluster_holds_each_instance_group_to_its_own_role_in_its_own_network():
    groups = [
        {"InstanceGroupName": "fraud", "ExecutionRole": FRAUD_ROLE, "OverrideVpcConfig": vpc(FRAUD_SG)},
        {"InstanceGroupName": "pricing", "ExecutionRole": PRICING_ROLE},  # in the cluster's VpcConfig
    ]
    verdict = rules.evaluate("cluster", {"VpcConfig": vpc(FRAUD_SG), "InstanceGroups": groups}, POLICY)
    assert verdict.rule_ids == ["vpc.team_group_mismatch"]
    assert verdict.violations[0].message.startswith("instance group pricing: ")


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"DefaultSpaceSettings": {"ExecutionRole": PRICING_ROLE, "SecurityGroups": [PRICING_SG]}}, []),
        (
            {"DefaultSpaceSettings": {"ExecutionRole": PRICING_ROLE, "SecurityGroups": [FRAUD_SG]}},
            ["DefaultSpaceSettings"],
        ),
        ({"DefaultSpaceSettings": {"ExecutionRole": PRICING_ROLE}}, ["DefaultSpaceSettings"]),  # the users' groups
        ({"DomainSettings": {"SecurityGroupIds": [PRICING_SG]}}, ["DefaultUserSettings"]),  # they connect every app
    ],
    ids=["space-own-group", "space-other-group", "space-without-groups", "domain-settings-group"],
)
def test_a_domain_holds_its_user_and_space_roles_each_to_the_groups_their_apps_run_in(settings, expected):
    description = {**domain(FRAUD_ROLE, [FRAUD_SG]), **settings}
    verdict = rules.evaluate("domain", description, POLICY)
    assert [v.message.split(":")[0] for v in verdict.violations] == expected
    assert set(verdict.rule_ids) <= {"vpc.team_group_mismatch"}


def test_a_policy_refuses_a_mapping_keyed_by_anything_but_a_role():
    with pytest.raises(ValueError, match="not an IAM role ARN"):
        rules.Policy(team_security_groups={"arn:aws:sts::123456789012:assumed-role/x/y": frozenset({FRAUD_SG})})


def test_the_role_key_is_partition_account_and_lower_case_name():
    assert rules.role_key(f"arn:aws:iam::{ACCOUNT}:role/a/b/Name") == f"aws:{ACCOUNT}:name"
    assert rules.role_key(f"arn:aws-us-gov:iam::{ACCOUNT}:role/name") == f"aws-us-gov:{ACCOUNT}:name"
    for bad in (None, "", f"arn:aws:iam::{ACCOUNT}:role/", f"arn:aws:iam::{ACCOUNT}:user/name", 7):
        assert rules.role_key(bad) is None


# --- kms.key_not_approved ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected", "says"),
    [
        (VOLUMES, [], None),
        (DATA, [], None),
        (MODELS_KEY, [], None),  # a multi-Region key
        ("11111111-2222-3333-4444-555555555555", [], None),  # the id of an approved key
        ("mrk-1234abcd12ab34cd56ef1234567890ab", [], None),
        ("alias/aws/sagemaker", ["kms.key_not_approved"], "is an alias, which cannot be resolved safely"),
        (
            f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/smenv-dev-data",
            ["kms.key_not_approved"],
            "is an alias, which cannot be resolved safely",
        ),
        ("alias/smenv-dev-data", ["kms.key_not_approved"], "is an alias"),
        (
            "arn:aws:kms:us-east-1:999999999999:key/11111111-2222-3333-4444-555555555555",  # another account's
            ["kms.key_not_approved"],
            "is not one of the environment's keys",
        ),
        (
            f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555",  # another Region's
            ["kms.key_not_approved"],
            "is not one of the environment's keys",
        ),
        ("99999999-2222-3333-4444-555555555555", ["kms.key_not_approved"], "is not one of the environment's keys"),
        ("key/11111111-2222-3333-4444-555555555555", ["kms.key_not_approved"], "is not one of the environment's"),
    ],
    ids=[
        "volumes-arn",
        "data-arn",
        "multi-region-arn",
        "approved-key-id",
        "approved-mrk-id",
        "aws-managed-alias",
        "alias-arn",
        "own-alias-name",
        "other-account",
        "other-region",
        "other-key-id",
        "junk",
    ],
)
def test_a_key_is_approved_by_arn_or_id_of_the_environments_keys_never_by_alias(key, expected, says):
    verdict = rules.evaluate(
        "training-job", {**training(FRAUD_ROLE, [FRAUD_SG]), "OutputDataConfig": {"KmsKeyId": key}}, POLICY
    )
    assert verdict.rule_ids == expected
    if says:
        message = verdict.violations[0].message
        assert message.startswith(f"OutputDataConfig.KmsKeyId {key} ")
        assert says in message
        assert not verdict.escapes  # answered as a missing key, never as an escape


def test_without_approved_keys_any_key_will_do_as_before():
    policy = replace(POLICY, approved_kms_keys=frozenset())
    job = {**training(FRAUD_ROLE, [FRAUD_SG]), "OutputDataConfig": {"KmsKeyId": "alias/aws/sagemaker"}}
    assert rules.evaluate("training-job", job, policy).compliant
    assert rules.evaluate("training-job", {**job, "OutputDataConfig": {}}, policy).rule_ids == ["kms.output"]


def test_require_kms_off_turns_the_key_rule_off_too():
    policy = replace(POLICY, require_kms=False)
    job = {**training(FRAUD_ROLE, [FRAUD_SG]), "OutputDataConfig": {"KmsKeyId": "alias/aws/sagemaker"}}
    assert rules.evaluate("training-job", job, policy).compliant


def test_a_missing_key_and_a_foreign_key_are_each_named():
    job = training(FRAUD_ROLE, [FRAUD_SG])
    job = {**job, "ResourceConfig": {"InstanceType": "ml.m5.large"}, "OutputDataConfig": {"KmsKeyId": "alias/x"}}
    assert rules.evaluate("training-job", job, POLICY).rule_ids == ["kms.volume", "kms.key_not_approved"]


ROGUE_KEY = "arn:aws:kms:us-east-1:999999999999:key/99999999-9999-9999-9999-999999999999"
# The key fields of each kind as judged() builds it, compliant: volume and output keys, or one of them.
KEY_FIELDS = {
    "training-job": 2,
    "processing-job": 1,
    "hyper-parameter-tuning-job": 2,
    "transform-job": 2,
    "notebook-instance": 1,
    "endpoint-config": 1,
    "endpoint": 1,
    "monitoring-schedule": 2,
    "monitoring-job-definition": 2,
    "compilation-job": 1,
    "optimization-job": 1,
    "labeling-job": 2,
    "domain": 1,
}


def _with_foreign_keys(evaluate):
    """rules.evaluate over descriptions (and what it reads besides) whose every key is another account's."""

    def swap(value: Any) -> Any:
        return json.loads(json.dumps(value).replace(VOLUMES, ROGUE_KEY).replace(DATA, ROGUE_KEY))

    def swapped(kind, description, policy, **related):
        return evaluate(kind, swap(description), policy, **{k: swap(v) for k, v in related.items()})

    return swapped


@pytest.mark.parametrize(("kind", "fields"), KEY_FIELDS.items())
def test_every_key_a_kind_names_is_held_to_the_environments_keys(kind, fields, monkeypatch):
    # Given a compliant resource of the kind with every key it names swapped for another account's
    monkeypatch.setattr(rules, "evaluate", _with_foreign_keys(rules.evaluate))
    verdict = judged(kind, FRAUD_ROLE, [FRAUD_SG])
    # Then each key field is one kms.key_not_approved, and nothing else is wrong
    assert verdict.rule_ids == ["kms.key_not_approved"]
    assert len(verdict.violations) == fields
    assert all(ROGUE_KEY in v.message for v in verdict.violations)


def test_a_processing_jobs_and_an_endpoint_configurations_keys_are_held_to_the_environments_keys():
    job = {
        "NetworkConfig": {"VpcConfig": vpc(FRAUD_SG)},
        "ProcessingResources": {
            "ClusterConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": "alias/aws/sagemaker"}
        },
        "ProcessingOutputConfig": {"KmsKeyId": ROGUE_KEY},
    }
    assert len(rules.evaluate("processing-job", job, POLICY).violations) == 2
    config = {
        **endpoint_config(),
        "KmsKeyId": ROGUE_KEY,
        "DataCaptureConfig": {"EnableCapture": True, "KmsKeyId": "alias/aws/sagemaker"},
    }
    models = {"m": (model(MODEL_ROLE, [SHARED_SG]), {})}
    verdict = rules.evaluate("endpoint-config", config, POLICY, models=models)
    assert verdict.rule_ids == ["kms.key_not_approved"]
    assert [v.message.split()[0] for v in verdict.violations] == ["KmsKeyId", "DataCaptureConfig.KmsKeyId"]
    assert not verdict.escapes  # an endpoint serving it is reported once, not deleted


def test_the_new_rule_ids_come_last_and_the_key_rule_does_not_escape():
    assert rules.RULES[-4:-2] == ("vpc.team_group_mismatch", "kms.key_not_approved")
    assert "vpc.team_group_mismatch" in rules.ESCAPE_RULES
    assert "kms.key_not_approved" not in rules.ESCAPE_RULES
