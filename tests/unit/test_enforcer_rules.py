"""The enforcer's rules over plain descriptions: which rule ids a resource breaks, and what counts as running."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from smenv.build import lambda_loader
from smenv_testing import REPO

rules = lambda_loader.load("enforcer", "rules")

SUBNET, OTHER_SUBNET = "subnet-0a000000000000001", "subnet-0f00000000000000f"
SG, OTHER_SG = "sg-0b000000000000001", "sg-0f00000000000000f"
KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"
STRICT = rules.Policy(approved_subnets=frozenset({SUBNET}), approved_security_groups=frozenset({SG}))
VPC = {"Subnets": [SUBNET], "SecurityGroupIds": [SG]}
# The families every environment sets as INSTANCE_STORAGE_FAMILIES (the one list, kept by modules/).
INSTANCE_STORAGE = json.loads((REPO / "modules" / "_instance_storage" / "instance_storage.json").read_text())
LOCAL_STORAGE = replace(STRICT, local_storage_families=frozenset(INSTANCE_STORAGE["local_storage_families"]))


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


# --- instance types with local NVMe storage --------------------------------------------------------


def test_a_g5_training_job_without_a_volume_key_is_compliant():
    # Given a g5 training job in the VPC, output encrypted, no volume key (SageMaker refuses one on g5)
    job = training(ResourceConfig={"InstanceType": "ml.g5.xlarge", "InstanceCount": 1})
    # When the local-storage families are configured, then it is compliant
    assert rules.evaluate("training-job", job, LOCAL_STORAGE).compliant
    # and without them (no INSTANCE_STORAGE_FAMILIES) the key is still required
    assert rules.evaluate("training-job", job, STRICT).rule_ids == ["kms.volume"]


def test_a_heterogeneous_cluster_mixing_g5_and_m5_without_a_key_breaks_kms_volume():
    groups = [
        {"InstanceGroupName": "gpu", "InstanceType": "ml.g5.12xlarge", "InstanceCount": 2},
        {"InstanceGroupName": "cpu", "InstanceType": "ml.m5.4xlarge", "InstanceCount": 1},
    ]
    job = training(ResourceConfig={"InstanceGroups": groups})
    assert rules.evaluate("training-job", job, LOCAL_STORAGE).rule_ids == ["kms.volume"]
    # All groups on local-storage types: compliant
    groups[1]["InstanceType"] = "ml.p4d.24xlarge"
    assert rules.evaluate("training-job", job, LOCAL_STORAGE).compliant


def test_a_g5_job_without_a_vpc_still_breaks_vpc_required():
    job = training(VpcConfig=None, ResourceConfig={"InstanceType": "ml.g5.xlarge"})
    assert rules.evaluate("training-job", job, LOCAL_STORAGE).rule_ids == ["vpc.required"]


def test_a_g5_job_still_needs_its_output_key():
    job = training(ResourceConfig={"InstanceType": "ml.g5.xlarge"}, OutputDataConfig={"S3OutputPath": "s3://b/o"})
    assert rules.evaluate("training-job", job, LOCAL_STORAGE).rule_ids == ["kms.output"]


def test_a_notebook_on_a_g4dn_type_without_a_key_breaks_kms_volume():
    notebook = {
        "InstanceType": "ml.g4dn.xlarge",
        "SubnetId": SUBNET,
        "SecurityGroups": [SG],
        "DirectInternetAccess": "Disabled",
        "RootAccess": "Disabled",
        "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
    }
    assert rules.evaluate("notebook-instance", notebook, LOCAL_STORAGE).rule_ids == ["kms.volume"]


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        ({}, ["kms.volume"]),  # no instance type found: fails closed
        ({"InstanceType": "g5.xlarge"}, ["kms.volume"]),
        ({"InstanceType": "ml.G5.xlarge"}, ["kms.volume"]),
        ({"InstanceType": "ml.g5"}, ["kms.volume"]),
        ({"InstanceType": ["ml.g5.xlarge"]}, ["kms.volume"]),
        ({"InstanceType": None}, ["kms.volume"]),
        ({"InstanceGroups": []}, ["kms.volume"]),
        ({"InstanceGroups": "ml.g5.xlarge"}, ["kms.volume"]),
        ({"InstanceGroups": [{"InstanceType": "ml.g5.xlarge"}, {"InstanceCount": 1}]}, ["kms.volume"]),
        ({"InstanceGroups": [{"InstanceType": "ml.g5.xlarge"}, "junk"]}, ["kms.volume"]),
        ({"InstanceType": "ml.g5.xlarge", "InstanceGroups": [{"InstanceType": "ml.t3.medium"}]}, ["kms.volume"]),
        ({"InstanceType": "ml.g5.xlarge", "InstanceGroups": []}, []),
        ({"InstanceType": "ml.p6-b200.48xlarge"}, []),  # families may hold hyphens
        ({"InstanceType": "ml.m5.large"}, ["kms.volume"]),
    ],
)
def test_a_missing_volume_key_is_compliant_only_when_every_instance_type_is_known_local_storage(resources, expected):
    job = training(ResourceConfig=resources)
    assert rules.evaluate("training-job", job, LOCAL_STORAGE).rule_ids == expected


def definition(**resources):
    """A tuning job's training definition, right in all but its volume key, with these resource fields."""
    return {
        "VpcConfig": VPC,
        "OutputDataConfig": {"KmsKeyId": KEY},
        "EnableInterContainerTrafficEncryption": True,
        **resources,
    }


@pytest.mark.parametrize(
    ("kind", "job"),
    [
        (
            "processing-job",
            {
                "NetworkConfig": {"VpcConfig": VPC},
                "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.g4dn.xlarge"}},
            },
        ),
        (
            "transform-job",
            {"TransformResources": {"InstanceType": "ml.g5.2xlarge"}, "TransformOutput": {"KmsKeyId": KEY}},
        ),
        (
            "hyper-parameter-tuning-job",
            {"TrainingJobDefinition": definition(ResourceConfig={"InstanceType": "ml.g5.xlarge"})},
        ),
        (
            "hyper-parameter-tuning-job",
            {
                "TrainingJobDefinition": definition(
                    ResourceConfig={"InstanceGroups": [{"InstanceType": "ml.p5.48xlarge"}]}
                )
            },
        ),
        (
            "hyper-parameter-tuning-job",
            {"TrainingJobDefinition": definition(HyperParameterTuningResourceConfig={"InstanceType": "ml.g5.xlarge"})},
        ),
        (
            "hyper-parameter-tuning-job",
            {
                "TrainingJobDefinitions": [
                    definition(
                        HyperParameterTuningResourceConfig={"InstanceConfigs": [{"InstanceType": "ml.g6.xlarge"}]}
                    )
                ]
            },
        ),
    ],
    ids=["processing", "transform", "tuning", "tuning-groups", "tuning-resource-config", "tuning-instance-configs"],
)
def test_every_job_kind_reads_its_instance_types_where_its_api_keeps_them(kind, job):
    # Given a job of each kind, right in all but its volume key, on local-storage types
    model = {"ModelName": "m", "VpcConfig": VPC}  # a transform job's network is its model's
    # Then it is compliant where local storage is configured, and needs the key where it is not
    assert rules.evaluate(kind, job, LOCAL_STORAGE, model=model).compliant
    assert rules.evaluate(kind, job, STRICT, model=model).rule_ids == ["kms.volume"]


def test_each_tuning_definition_is_judged_by_its_own_instance_types():
    gpu = definition(ResourceConfig={"InstanceType": "ml.g5.xlarge"})
    cpu = definition(ResourceConfig={"InstanceType": "ml.m5.xlarge"})
    verdict = rules.evaluate("hyper-parameter-tuning-job", {"TrainingJobDefinitions": [gpu, cpu]}, LOCAL_STORAGE)
    assert verdict.rule_ids == ["kms.volume"]
    assert verdict.violations[0].message.startswith("TrainingJobDefinitions[1]")


@pytest.mark.parametrize(
    ("instance_type", "family"),
    [
        ("ml.g5.xlarge", "g5"),
        ("ml.p4d.24xlarge", "p4d"),
        ("ml.p6-b200.48xlarge", "p6-b200"),
        ("ml.c7i-flex.large", "c7i-flex"),
        ("ml.g5", None),
        ("g5.xlarge", None),
        ("", None),
        (None, None),
        (5, None),
    ],
)
def test_the_family_of_an_instance_type(instance_type, family):
    assert rules.instance_family(instance_type) == family


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


def test_a_notebook_needs_the_vpc_a_key_no_internet_no_root_and_imdsv2():
    ok = {
        "SubnetId": SUBNET,
        "SecurityGroups": [SG],
        "KmsKeyId": KEY,
        "DirectInternetAccess": "Disabled",
        "RootAccess": "Disabled",
        "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
    }
    assert rules.evaluate("notebook-instance", ok, STRICT).compliant
    # AWS defaults both access settings to Enabled, and IMDS to version 1, when the answer leaves them out
    assert rules.evaluate("notebook-instance", {}, STRICT).rule_ids == [
        "vpc.required",
        "kms.volume",
        "notebook.direct_internet_access",
        "notebook.root_access",
        "notebook.imds_v1",
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
        rules.evaluate("feature-group", {}, STRICT)
