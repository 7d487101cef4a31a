"""The enforcer's rules over plain descriptions: which rule ids a resource breaks, and what counts as running."""

from __future__ import annotations

import pytest

import lambda_loader

rules = lambda_loader.load("enforcer", "rules")

SUBNET, OTHER_SUBNET = "subnet-0a000000000000001", "subnet-0f00000000000000f"
SG, OTHER_SG = "sg-0b000000000000001", "sg-0f00000000000000f"
KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"
STRICT = rules.Policy(approved_subnets=frozenset({SUBNET}), approved_security_groups=frozenset({SG}))
VPC = {"Subnets": [SUBNET], "SecurityGroupIds": [SG]}


def training(**overrides):
    description = {
        "TrainingJobName": "t",
        "TrainingJobStatus": "InProgress",
        "VpcConfig": VPC,
        "ResourceConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": KEY},
        "OutputDataConfig": {"S3OutputPath": "s3://b/o", "KmsKeyId": KEY},
        "EnableInterContainerTrafficEncryption": True,
    }
    description.update(overrides)
    return {k: v for k, v in description.items() if v is not None}


def test_a_training_job_in_the_approved_vpc_encrypted_throughout_is_compliant():
    assert rules.evaluate("training-job", training(), STRICT).compliant


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"VpcConfig": None}, ["vpc.required"]),
        ({"VpcConfig": {}}, ["vpc.required"]),
        ({"VpcConfig": {"Subnets": [], "SecurityGroupIds": [SG]}}, ["vpc.required"]),
        ({"VpcConfig": {"Subnets": [SUBNET], "SecurityGroupIds": []}}, ["vpc.required"]),
        ({"VpcConfig": "yes"}, ["vpc.required"]),
        ({"VpcConfig": {"Subnets": [SUBNET, OTHER_SUBNET], "SecurityGroupIds": [SG]}}, ["vpc.subnet_not_approved"]),
        ({"VpcConfig": {"Subnets": [SUBNET], "SecurityGroupIds": [OTHER_SG]}}, ["vpc.security_group_not_approved"]),
        ({"ResourceConfig": {"InstanceType": "ml.m5.large"}}, ["kms.volume"]),
        ({"ResourceConfig": {"VolumeKmsKeyId": "  "}}, ["kms.volume"]),
        ({"OutputDataConfig": {"S3OutputPath": "s3://b/o"}}, ["kms.output"]),
        ({"EnableInterContainerTrafficEncryption": False}, ["encryption.inter_container"]),
        ({"EnableInterContainerTrafficEncryption": None}, ["encryption.inter_container"]),
        ({"EnableInterContainerTrafficEncryption": "true"}, ["encryption.inter_container"]),
    ],
)
def test_each_training_job_violation_has_its_rule_id(overrides, expected):
    assert rules.evaluate("training-job", training(**overrides), STRICT).rule_ids == expected


def test_rule_ids_come_in_a_stable_order_once_each_with_every_message_kept():
    description = training(
        VpcConfig={"Subnets": [OTHER_SUBNET, "subnet-0f0000000000000aa"], "SecurityGroupIds": [SG]},
        EnableInterContainerTrafficEncryption=False,
        OutputDataConfig={},
    )
    verdict = rules.evaluate("training-job", description, STRICT)
    assert verdict.rule_ids == ["vpc.subnet_not_approved", "kms.output", "encryption.inter_container"]
    assert len([v for v in verdict.violations if v.rule == "vpc.subnet_not_approved"]) == 2


def test_empty_approved_sets_accept_any_network_but_not_none():
    loose = rules.Policy()
    assert rules.evaluate(
        "training-job", training(VpcConfig={"Subnets": [OTHER_SUBNET], "SecurityGroupIds": [OTHER_SG]}), loose
    ).compliant
    assert rules.evaluate("training-job", training(VpcConfig=None), loose).rule_ids == ["vpc.required"]


def test_the_kms_and_inter_container_switches_turn_only_their_rules_off():
    relaxed = rules.Policy(require_kms=False, require_inter_container_encryption=False)
    plain = training(ResourceConfig={}, OutputDataConfig={}, EnableInterContainerTrafficEncryption=False)
    assert rules.evaluate("training-job", plain, relaxed).compliant
    assert rules.evaluate("training-job", {**plain, "VpcConfig": {}}, relaxed).rule_ids == ["vpc.required"]


def test_a_processing_job_reads_its_network_and_keys_from_its_own_fields():
    ok = {
        "NetworkConfig": {"VpcConfig": VPC},
        "ProcessingResources": {"ClusterConfig": {"VolumeKmsKeyId": KEY}},
        "ProcessingOutputConfig": {"Outputs": [], "KmsKeyId": KEY},
    }
    assert rules.evaluate("processing-job", ok, STRICT).compliant
    assert rules.evaluate("processing-job", {**ok, "ProcessingOutputConfig": {"Outputs": []}}, STRICT).rule_ids == [
        "kms.output"
    ]
    no_outputs = {k: v for k, v in ok.items() if k != "ProcessingOutputConfig"}
    assert rules.evaluate("processing-job", no_outputs, STRICT).compliant  # nothing written, nothing to encrypt
    assert rules.evaluate("processing-job", {}, STRICT).rule_ids == ["vpc.required", "kms.volume"]


def test_processing_jobs_have_no_inter_container_rule():
    ok = {"NetworkConfig": {"VpcConfig": VPC, "EnableInterContainerTrafficEncryption": False}}
    assert rules.evaluate("processing-job", ok, rules.Policy(require_kms=False)).compliant


def test_a_tuning_job_breaks_a_rule_when_any_of_its_definitions_does():
    good = {k: v for k, v in training().items() if k not in ("TrainingJobName", "TrainingJobStatus")}
    bad = {**good, "VpcConfig": None, "HyperParameterTuningResourceConfig": {"VolumeKmsKeyId": KEY}}
    bad.pop("ResourceConfig")
    assert rules.evaluate("hyper-parameter-tuning-job", {"TrainingJobDefinition": good}, STRICT).compliant
    verdict = rules.evaluate("hyper-parameter-tuning-job", {"TrainingJobDefinitions": [good, bad]}, STRICT)
    assert verdict.rule_ids == ["vpc.required"]
    assert verdict.violations[0].message.startswith("TrainingJobDefinitions[1]")
    assert rules.evaluate("hyper-parameter-tuning-job", {}, STRICT).rule_ids == ["vpc.required"]  # fails closed


def test_a_transform_job_is_judged_by_its_models_network_and_its_own_keys():
    job = {
        "ModelName": "m",
        "TransformResources": {"VolumeKmsKeyId": KEY},
        "TransformOutput": {"KmsKeyId": KEY},
    }
    assert rules.evaluate("transform-job", job, STRICT, model={"ModelName": "m", "VpcConfig": VPC}).compliant
    assert rules.evaluate("transform-job", job, STRICT, model={"ModelName": "m"}).rule_ids == ["vpc.required"]
    assert rules.evaluate("transform-job", job, STRICT, model=None).rule_ids == ["vpc.model_not_found"]
    unencrypted = {"ModelName": "m"}
    assert rules.evaluate("transform-job", unencrypted, STRICT, model={"VpcConfig": VPC}).rule_ids == [
        "kms.volume",
        "kms.output",
    ]


def test_a_transform_job_gets_no_serverless_exemption_from_its_model_tag():
    allowing = rules.Policy(allow_serverless_inference=True)
    job = {"TransformResources": {"VolumeKmsKeyId": KEY}, "TransformOutput": {"KmsKeyId": KEY}}
    assert rules.evaluate("transform-job", job, allowing, model={"ModelName": "m"}).rule_ids == ["vpc.required"]


@pytest.mark.parametrize(
    ("allow", "tags", "vpc", "expected"),
    [
        (True, {"smenv:inference": "serverless"}, None, []),
        (False, {"smenv:inference": "serverless"}, None, ["vpc.required"]),
        (True, {}, None, ["vpc.required"]),
        (True, {"smenv:inference": "Serverless"}, None, ["vpc.required"]),
        (
            True,
            {"smenv:inference": "serverless"},
            {"Subnets": [OTHER_SUBNET], "SecurityGroupIds": [SG]},
            ["vpc.subnet_not_approved"],
        ),
        (False, {}, VPC, []),
    ],
)
def test_the_serverless_tag_exempts_a_model_from_the_vpc_rule_only_where_allowed(allow, tags, vpc, expected):
    policy = rules.Policy(
        approved_subnets=STRICT.approved_subnets,
        approved_security_groups=STRICT.approved_security_groups,
        allow_serverless_inference=allow,
    )
    description = {"ModelName": "m", **({"VpcConfig": vpc} if vpc else {})}
    assert rules.evaluate("model", description, policy, tags=tags).rule_ids == expected


def test_a_notebook_needs_the_vpc_a_key_no_internet_and_no_root():
    ok = {
        "SubnetId": SUBNET,
        "SecurityGroups": [SG],
        "KmsKeyId": KEY,
        "DirectInternetAccess": "Disabled",
        "RootAccess": "Disabled",
    }
    assert rules.evaluate("notebook-instance", ok, STRICT).compliant
    # AWS defaults both access settings to Enabled when the answer leaves them out
    assert rules.evaluate("notebook-instance", {}, STRICT).rule_ids == [
        "vpc.required",
        "kms.volume",
        "notebook.direct_internet_access",
        "notebook.root_access",
    ]
    assert rules.evaluate("notebook-instance", {**ok, "SecurityGroups": [OTHER_SG]}, STRICT).rule_ids == [
        "vpc.security_group_not_approved"
    ]


@pytest.mark.parametrize(
    ("kind", "status", "running"),
    [
        ("training-job", "InProgress", True),
        ("training-job", "Stopping", False),
        ("training-job", "Stopped", False),
        ("training-job", "Completed", False),
        ("processing-job", "Failed", False),
        ("transform-job", "SomethingNew", True),  # an unknown status fails closed
        ("hyper-parameter-tuning-job", "InProgress", True),
        ("notebook-instance", "InService", True),
        ("notebook-instance", "Pending", True),
        ("notebook-instance", "Stopped", False),
        ("notebook-instance", "Updating", False),
        ("model", None, True),
    ],
)
def test_what_counts_as_running(kind, status, running):
    description = {rules.STATUS_FIELD[kind]: status} if status else {}
    assert rules.is_running(kind, description) is running


def test_an_endpoint_configuration_serves_its_production_and_shadow_models():
    description = {
        "ProductionVariants": [{"ModelName": "live"}, {"ModelName": "canary"}],
        "ShadowProductionVariants": [{"ModelName": "candidate"}, {"NoModel": 1}, "junk"],
    }
    assert rules.models_in_endpoint_config(description) == {"live", "canary", "candidate"}
    assert rules.models_in_endpoint_config({}) == set()


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown resource kind"):
        rules.evaluate("endpoint", {}, STRICT)
