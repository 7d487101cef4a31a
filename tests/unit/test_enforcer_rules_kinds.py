"""The enforcer's rules for what it judges beyond training, processing, tuning and transform jobs,
models and notebooks' first settings: plain descriptions in, rule ids out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from smenv.build import lambda_loader

rules = lambda_loader.load("enforcer", "rules")

SUBNET, OTHER_SUBNET = "subnet-0a000000000000001", "subnet-0f00000000000000f"
SG, OTHER_SG = "sg-0b000000000000001", "sg-0f00000000000000f"
KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"
VPC = {"Subnets": [SUBNET], "SecurityGroupIds": [SG]}
STRICT = rules.Policy(approved_subnets=frozenset({SUBNET}), approved_security_groups=frozenset({SG}))
A = "arn:aws:sagemaker:us-east-1:123456789012"
TERRAFORM = "arn:aws:iam::123456789012:role/smenv-dev-terraform"
POLICY = rules.Policy(
    approved_subnets=frozenset({SUBNET}),
    approved_security_groups=frozenset({SG}),
    local_storage_families=frozenset({"g5"}),
    approved_lifecycle_configs=frozenset({"smenv-dev-fraud"}),
    approved_studio_lifecycle_configs=frozenset({"smenv-dev-studio"}),
    terraform_roles=frozenset({TERRAFORM}),
)


# --- the tables ----------------------------------------------------------------------------------


def test_every_rule_id_and_every_kind_is_in_the_modules_tables():
    doc = rules.__doc__
    for rule in rules.RULES:
        assert f"| {rule} |" in doc, rule
    kinds_table = doc[doc.index("| kind |") :]
    for kind in rules.KINDS:
        assert re.search(rf"(\| |, ){re.escape(kind)}( \(|,| \|)", kinds_table), kind


def test_rule_ids_of_the_first_version_keep_their_order_and_spelling():
    assert rules.RULES[:9] == (
        "vpc.required",
        "vpc.model_not_found",
        "vpc.subnet_not_approved",
        "vpc.security_group_not_approved",
        "kms.volume",
        "kms.output",
        "encryption.inter_container",
        "notebook.direct_internet_access",
        "notebook.root_access",
    )


@pytest.mark.parametrize(
    ("kind", "status", "phase"),
    [
        ("compilation-job", "INPROGRESS", "running"),
        ("compilation-job", "STOPPING", "ended"),
        ("compilation-job", "COMPLETED", "ended"),
        ("optimization-job", "STARTING", "running"),
        ("labeling-job", "Initializing", "running"),
        ("labeling-job", "Stopped", "ended"),
        ("inference-recommendations-job", "PENDING", "running"),
        ("inference-recommendations-job", "DELETED", "ended"),
        ("monitoring-schedule", "Scheduled", "running"),
        ("monitoring-schedule", "Pending", "running"),
        ("monitoring-schedule", "Stopped", "ended"),
        ("monitoring-schedule", "Failed", "ended"),
        ("monitoring-schedule", "Something", "running"),  # an unknown status fails closed
        ("notebook-instance", "InService", "running"),
        ("notebook-instance", "Stopped", "resting"),
        ("notebook-instance", "Updating", "resting"),
        ("notebook-instance", "Stopping", "ended"),
        ("endpoint", "Creating", "running"),
        ("endpoint", "UpdateRollbackFailed", "running"),
        ("endpoint", "Deleting", "ended"),
        ("endpoint", "SomethingNew", "running"),  # an unknown status fails closed
        ("cluster", "SystemUpdating", "running"),
        ("cluster", "Failed", "ended"),
        ("domain", "Update_Failed", "running"),
        ("domain", "Delete_Failed", "ended"),
        ("app", "Pending", "running"),
        ("app", "Deleted", "ended"),
        ("model-package", "InProgress", "running"),  # its validation jobs run
        ("model-package", "Completed", "running"),  # registered: it exists, so it counts
        ("model-package", "Failed", "running"),  # still registered
        ("model-package", "Deleting", "ended"),
        ("endpoint-config", None, "running"),
        ("notebook-instance-lifecycle-config", None, "running"),
    ],
)
def test_what_runs_rests_or_has_ended(kind, status, phase):
    description = {rules.STATUS_FIELD[kind]: status} if status else {}
    assert rules.phase(kind, description) == phase


def test_only_the_network_rules_mean_the_work_escapes():
    assert rules.Verdict((rules.Violation("vpc.model_replaced", "m"),)).escapes
    assert rules.Verdict((rules.Violation("labeling.external_workforce", "w"),)).escapes
    assert rules.Verdict((rules.Violation("studio.public_internet", "d"),)).escapes
    assert rules.Verdict((rules.Violation("endpoint.ssm_access", "s"),)).escapes
    assert rules.Verdict((rules.Violation("model_package.validation", "v"),)).escapes
    assert not rules.Verdict((rules.Violation("kms.output", "k"), rules.Violation("notebook.imds_v1", "i"))).escapes


# --- transform jobs: the model as it was when the job started ---------------------------------------------

JOB = {"ModelName": "m", "TransformResources": {"VolumeKmsKeyId": KEY}, "TransformOutput": {"KmsKeyId": KEY}}
STARTED = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("model_time", "expected"),
    [
        (STARTED - timedelta(days=3), []),
        (STARTED, []),
        (STARTED + timedelta(milliseconds=1), ["vpc.model_replaced"]),
        ((STARTED + timedelta(hours=1)).astimezone(timezone(timedelta(hours=2))), ["vpc.model_replaced"]),
        ((STARTED + timedelta(hours=1)).timestamp(), ["vpc.model_replaced"]),  # the JSON API's epoch seconds
        ("2025-03-04T10:00:00Z", ["vpc.model_replaced"]),
        ("2025-03-04T08:00:00+00:00", []),
        (None, []),  # unknown: AWS always answers both
        ("yesterday", []),
    ],
)
def test_a_model_created_after_the_transform_job_is_not_the_one_it_runs(model_time, expected):
    # Given a transform job and the model of its name, in the VPC, with a creation time
    model = {"ModelName": "m", "VpcConfig": VPC, **({"CreationTime": model_time} if model_time is not None else {})}
    # When it is judged, then a model newer than the job fails closed
    verdict = rules.evaluate("transform-job", {**JOB, "CreationTime": STARTED}, STRICT, model=model)
    assert verdict.rule_ids == expected


def test_a_replaced_model_is_not_judged_by_its_own_vpc():
    model = {"ModelName": "m", "CreationTime": STARTED + timedelta(minutes=5)}  # no VPC either
    verdict = rules.evaluate("transform-job", {**JOB, "CreationTime": STARTED}, STRICT, model=model)
    assert verdict.rule_ids == ["vpc.model_replaced"]
    assert "created after the job" in verdict.violations[0].message


# --- notebooks -----------------------------------------------------------------------------------------

NOTEBOOK = {
    "SubnetId": SUBNET,
    "SecurityGroups": [SG],
    "KmsKeyId": KEY,
    "DirectInternetAccess": "Disabled",
    "RootAccess": "Disabled",
    "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
    "NotebookInstanceLifecycleConfigName": "smenv-dev-fraud",
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, []),
        (
            {"InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "1"}},
            ["notebook.imds_v1"],
        ),
        ({"InstanceMetadataServiceConfiguration": {}}, ["notebook.imds_v1"]),
        ({"InstanceMetadataServiceConfiguration": "2"}, ["notebook.imds_v1"]),
        ({"NotebookInstanceLifecycleConfigName": "fetch-and-run"}, ["notebook.lifecycle_config_not_approved"]),
        ({"NotebookInstanceLifecycleConfigName": None}, []),  # no scripts at all
        ({"RootAccess": "Enabled"}, ["notebook.root_access"]),
    ],
)
def test_a_notebook_after_an_update_is_judged_on_every_setting(change, expected):
    notebook = {k: v for k, v in {**NOTEBOOK, **change}.items() if v is not None}
    assert rules.evaluate("notebook-instance", notebook, POLICY).rule_ids == expected


def test_without_approved_lifecycle_configs_any_is_accepted():
    notebook = {**NOTEBOOK, "NotebookInstanceLifecycleConfigName": "fetch-and-run"}
    assert rules.evaluate("notebook-instance", notebook, STRICT).compliant


# --- notebook lifecycle configurations ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "written", "by", "expected"),
    [
        ("smenv-dev-fraud", False, None, []),  # a state change: its name alone
        ("smenv-dev-fraud", True, TERRAFORM, []),
        (
            "smenv-dev-fraud",
            True,
            "arn:aws:iam::123456789012:role/data-scientist",
            ["notebook.lifecycle_config_unmanaged"],
        ),
        ("smenv-dev-fraud", True, None, ["notebook.lifecycle_config_unmanaged"]),  # a caller it cannot read
        ("fetch-and-run", False, None, ["notebook.lifecycle_config_not_approved"]),
        ("fetch-and-run", True, TERRAFORM, ["notebook.lifecycle_config_not_approved"]),
    ],
)
def test_a_lifecycle_config_is_judged_by_its_name_and_who_wrote_it(name, written, by, expected):
    description = {"NotebookInstanceLifecycleConfigName": name}
    verdict = rules.evaluate("notebook-instance-lifecycle-config", description, POLICY, written=written, written_by=by)
    assert verdict.rule_ids == expected


def test_without_terraform_roles_every_create_or_update_is_reported():
    verdict = rules.evaluate("notebook-instance-lifecycle-config", {}, STRICT, written=True, written_by=TERRAFORM)
    assert verdict.rule_ids == ["notebook.lifecycle_config_unmanaged"]


# --- endpoint configurations and endpoints ----------------------------------------------------------------

IN_VPC = ({"ModelName": "in-vpc", "VpcConfig": VPC}, {})
LOOSE = ({"ModelName": "loose"}, {})
SERVERLESS = ({"ModelName": "sls"}, {"smenv:inference": "serverless"})
MODELS = {"in-vpc": IN_VPC, "loose": LOOSE, "sls": SERVERLESS}
ON_INSTANCES = {"VariantName": "main", "InstanceType": "ml.m5.large"}


def config(*variants, shadows=(), **fields):
    return {"ProductionVariants": list(variants), "ShadowProductionVariants": list(shadows), "KmsKeyId": KEY, **fields}


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (config({**ON_INSTANCES, "ModelName": "in-vpc"}), []),
        (config({**ON_INSTANCES, "ModelName": "loose"}), ["vpc.required"]),
        (
            config({**ON_INSTANCES, "ModelName": "in-vpc"}, shadows=[{**ON_INSTANCES, "ModelName": "loose"}]),
            ["vpc.required"],
        ),
        (config({**ON_INSTANCES, "ModelName": "gone"}), ["vpc.model_not_found"]),
        (config({**ON_INSTANCES, "ModelName": 7}), ["vpc.model_not_found"]),
        (config(), ["vpc.required"]),  # nothing to verify
        (config({**ON_INSTANCES, "ModelName": "in-vpc"}, KmsKeyId=None), ["kms.volume"]),
        (config({"VariantName": "gpu", "InstanceType": "ml.g5.xlarge", "ModelName": "in-vpc"}, KmsKeyId=None), []),
        (
            config(
                {"VariantName": "sls", "ServerlessConfig": {"MemorySizeInMB": 2048}, "ModelName": "in-vpc"},
                KmsKeyId=None,
            ),
            [],
        ),
        (config({**ON_INSTANCES, "ModelName": "in-vpc"}, DataCaptureConfig={"EnableCapture": True}), ["kms.output"]),
        (config({**ON_INSTANCES, "ModelName": "in-vpc"}, DataCaptureConfig={"EnableCapture": False}), []),
        (config({**ON_INSTANCES, "ModelName": "in-vpc", "EnableSSMAccess": True}), ["endpoint.ssm_access"]),
        (
            config(
                {**ON_INSTANCES, "ModelName": "in-vpc"},
                shadows=[{**ON_INSTANCES, "ModelName": "in-vpc", "EnableSSMAccess": True}],
            ),
            ["endpoint.ssm_access"],
        ),
        (config({**ON_INSTANCES, "ModelName": "in-vpc", "EnableSSMAccess": False}), []),
    ],
    ids=[
        "in-vpc",
        "outside",
        "shadow-outside",
        "model-gone",
        "model-name-junk",
        "no-variant",
        "no-volume-key",
        "local-storage-type",
        "serverless-variant",
        "capture-without-key",
        "capture-off",
        "ssm-shell",
        "shadow-ssm-shell",
        "ssm-off",
    ],
)
def test_an_endpoint_config_is_judged_by_every_model_it_serves_and_its_keys(description, expected):
    assert rules.evaluate("endpoint-config", description, POLICY, models=MODELS).rule_ids == expected


@pytest.mark.parametrize(
    ("serverless_variant", "allowed", "expected"),
    [
        (True, True, []),
        (False, True, ["vpc.required"]),  # a serverless model on instances runs outside the VPC
        (True, False, ["vpc.required"]),
    ],
)
def test_a_serverless_model_is_exempt_only_on_a_serverless_variant_where_allowed(serverless_variant, allowed, expected):
    variant = {"VariantName": "v", "ModelName": "sls"}
    variant.update({"ServerlessConfig": {"MemorySizeInMB": 2048}} if serverless_variant else ON_INSTANCES)
    policy = rules.Policy(allow_serverless_inference=allowed)
    assert rules.evaluate("endpoint-config", config(variant), policy, models=MODELS).rule_ids == expected


def test_an_endpoint_is_judged_by_its_current_and_its_pending_configuration():
    good = config({**ON_INSTANCES, "ModelName": "in-vpc"})
    bad = config({**ON_INSTANCES, "ModelName": "loose"})
    endpoint = {"EndpointConfigName": "good", "PendingDeploymentSummary": {"EndpointConfigName": "bad"}}
    configs = {"good": good, "bad": bad}
    verdict = rules.evaluate("endpoint", endpoint, POLICY, configs=configs, models=MODELS)
    assert verdict.rule_ids == ["vpc.required"]
    assert verdict.violations[0].message.startswith("endpoint configuration bad: variant main, model loose")
    assert rules.evaluate("endpoint", {"EndpointConfigName": "good"}, POLICY, configs=configs, models=MODELS).compliant


@pytest.mark.parametrize(
    ("endpoint", "configs"),
    [({"EndpointConfigName": "gone"}, {}), ({}, {}), ({"EndpointConfigName": ["x"]}, {})],
)
def test_an_endpoint_whose_configuration_cannot_be_read_fails_closed(endpoint, configs):
    verdict = rules.evaluate("endpoint", endpoint, POLICY, configs=configs, models=MODELS)
    assert verdict.rule_ids == ["vpc.endpoint_config_not_found"]
    assert verdict.escapes


# --- monitoring schedules -----------------------------------------------------------------------------

INLINE = {
    "MonitoringResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": KEY}},
    "MonitoringOutputConfig": {"KmsKeyId": KEY},
    "NetworkConfig": {"VpcConfig": VPC},
}


def schedule(job=None, **config):
    body = {"MonitoringJobDefinition": job} if job is not None else {}
    return {"MonitoringScheduleConfig": {**body, **config}}


@pytest.mark.parametrize(
    ("job", "expected"),
    [
        (INLINE, []),
        ({**INLINE, "NetworkConfig": {}}, ["vpc.required"]),
        (
            {**INLINE, "NetworkConfig": {"VpcConfig": {"Subnets": [OTHER_SUBNET], "SecurityGroupIds": [SG]}}},
            ["vpc.subnet_not_approved"],
        ),
        ({**INLINE, "MonitoringOutputConfig": {}}, ["kms.output"]),
        ({**INLINE, "MonitoringResources": {"ClusterConfig": {"InstanceType": "ml.m5.large"}}}, ["kms.volume"]),
        ({**INLINE, "MonitoringResources": {"ClusterConfig": {"InstanceType": "ml.g5.xlarge"}}}, []),
    ],
    ids=["in-vpc", "no-vpc", "rogue-subnet", "no-output-key", "no-volume-key", "local-storage"],
)
def test_a_monitoring_schedule_with_its_own_job_is_judged_by_it(job, expected):
    assert rules.evaluate("monitoring-schedule", schedule(job), POLICY).rule_ids == expected


@pytest.mark.parametrize("monitoring_type", sorted(rules.MONITORING_DEFINITIONS))
def test_a_monitoring_schedule_naming_a_job_definition_is_judged_by_it(monitoring_type):
    description = schedule(MonitoringJobDefinitionName="dq", MonitoringType=monitoring_type)
    output_field = rules.MONITORING_DEFINITIONS[monitoring_type][1]
    definition = {
        "JobResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": KEY}},
        output_field: {"KmsKeyId": KEY},
        "NetworkConfig": {"VpcConfig": VPC},
    }
    assert rules.monitoring_definition_name(description) == (monitoring_type, "dq")
    assert rules.evaluate("monitoring-schedule", description, POLICY, related=definition).compliant
    no_output = {k: v for k, v in definition.items() if k != output_field}
    assert rules.evaluate("monitoring-schedule", description, POLICY, related=no_output).rule_ids == ["kms.output"]
    assert rules.evaluate("monitoring-schedule", description, POLICY, related=None).rule_ids == [
        "vpc.job_definition_not_found"
    ]


def test_a_monitoring_schedule_with_nothing_to_verify_fails_closed():
    assert rules.evaluate("monitoring-schedule", {}, POLICY).rule_ids == ["vpc.required"]
    unknown_type = schedule(MonitoringJobDefinitionName="x", MonitoringType="Future")
    assert rules.evaluate("monitoring-schedule", unknown_type, POLICY).rule_ids == ["vpc.required"]


# --- the jobs the guardrails cannot see -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["compilation-job", "optimization-job"])
def test_a_compilation_or_optimization_job_needs_its_vpc_and_output_key(kind):
    ok = {"VpcConfig": VPC, "OutputConfig": {"KmsKeyId": KEY}}
    assert rules.evaluate(kind, ok, POLICY).compliant
    assert rules.evaluate(kind, {"OutputConfig": {}}, POLICY).rule_ids == ["vpc.required", "kms.output"]


def test_an_inference_recommendations_job_needs_the_vpc_for_the_endpoints_it_makes():
    assert rules.evaluate("inference-recommendations-job", {"InputConfig": {"VpcConfig": VPC}}, POLICY).compliant
    verdict = rules.evaluate("inference-recommendations-job", {"InputConfig": {"ModelName": "m"}}, POLICY)
    assert verdict.rule_ids == ["vpc.required"]


PRIVATE = f"{A}:workteam/private-crowd/fraud-labelers"
LABELING = {
    "LabelingJobArn": f"{A}:labeling-job/l",
    "HumanTaskConfig": {"WorkteamArn": PRIVATE},
    "OutputConfig": {"KmsKeyId": KEY},
}


@pytest.mark.parametrize(
    ("workteam", "expected"),
    [
        (PRIVATE, []),
        ("arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default", ["labeling.external_workforce"]),
        ("arn:aws:sagemaker:us-east-1:111111111111:workteam/vendor-crowd/acme", ["labeling.external_workforce"]),
        ("arn:aws:sagemaker:us-east-1:999999999999:workteam/private-crowd/theirs", ["labeling.external_workforce"]),
        (None, ["labeling.external_workforce"]),
    ],
    ids=["private-own-account", "public-crowd", "vendor", "private-other-account", "none"],
)
def test_a_labeling_job_shows_its_data_to_a_private_team_of_its_own_account_only(workteam, expected):
    job = {**LABELING, "HumanTaskConfig": {"WorkteamArn": workteam}}
    assert rules.evaluate("labeling-job", job, POLICY).rule_ids == expected


def test_automated_labeling_needs_the_vpc_and_a_volume_key():
    automated = {
        "LabelingJobAlgorithmsConfig": {"LabelingJobResourceConfig": {"VpcConfig": VPC, "VolumeKmsKeyId": KEY}}
    }
    assert rules.evaluate("labeling-job", {**LABELING, **automated}, POLICY).compliant
    bare = {"LabelingJobAlgorithmsConfig": {"LabelingJobAlgorithmSpecificationArn": "x"}}
    assert rules.evaluate("labeling-job", {**LABELING, **bare}, POLICY).rule_ids == ["vpc.required", "kms.volume"]


# --- HyperPod clusters, Studio domains and apps -------------------------------------------------------------


def test_a_cluster_and_each_instance_groups_override_need_the_approved_vpc():
    group = {"InstanceGroupName": "workers"}
    assert rules.evaluate("cluster", {"VpcConfig": VPC, "InstanceGroups": [group]}, POLICY).compliant
    assert rules.evaluate("cluster", {"InstanceGroups": [group]}, POLICY).rule_ids == ["vpc.required"]
    override = {**group, "OverrideVpcConfig": {"Subnets": [OTHER_SUBNET], "SecurityGroupIds": [SG]}}
    verdict = rules.evaluate("cluster", {"VpcConfig": VPC, "InstanceGroups": [override, "junk"]}, POLICY)
    assert verdict.rule_ids == ["vpc.subnet_not_approved"]
    assert verdict.violations[0].message.startswith("instance group workers")


DOMAIN = {
    "DomainId": "d-8pkyq3fsqrgl",
    "AppNetworkAccessType": "VpcOnly",
    "SubnetIds": [SUBNET],
    "DefaultUserSettings": {"SecurityGroups": [SG]},
    "KmsKeyId": KEY,
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, []),
        ({"AppNetworkAccessType": None}, ["studio.public_internet"]),  # AWS's default
        ({"AppNetworkAccessType": "PublicInternetOnly"}, ["studio.public_internet"]),
        ({"SubnetIds": [OTHER_SUBNET]}, ["vpc.subnet_not_approved"]),
        ({"DefaultSpaceSettings": {"SecurityGroups": [OTHER_SG]}}, ["vpc.security_group_not_approved"]),
        ({"DomainSettings": {"SecurityGroupIds": [OTHER_SG]}}, ["vpc.security_group_not_approved"]),
        ({"DefaultUserSettings": {}}, ["vpc.required"]),
        ({"KmsKeyId": None}, ["kms.volume"]),
    ],
)
def test_a_domain_is_vpc_only_in_approved_subnets_and_groups_with_its_key(change, expected):
    domain = {k: v for k, v in {**DOMAIN, **change}.items() if v is not None}
    assert rules.evaluate("domain", domain, POLICY).rule_ids == expected


STUDIO_LCC = f"{A}:studio-lifecycle-config/smenv-dev-studio"


@pytest.mark.parametrize(
    ("spec", "domain", "expected"),
    [
        ({"LifecycleConfigArn": STUDIO_LCC}, DOMAIN, []),
        ({}, DOMAIN, []),
        (
            {"LifecycleConfigArn": f"{A}:studio-lifecycle-config/fetch-and-run"},
            DOMAIN,
            ["studio.lifecycle_config_not_approved"],
        ),
        ({"LifecycleConfigArn": "smenv-dev-studio"}, DOMAIN, ["studio.lifecycle_config_not_approved"]),  # not an ARN
        ({}, {**DOMAIN, "AppNetworkAccessType": "PublicInternetOnly"}, ["studio.public_internet"]),
        ({}, {**DOMAIN, "KmsKeyId": None}, []),  # the domain's key is the domain's finding, not the app's
        ({}, None, ["vpc.domain_not_found"]),
    ],
)
def test_a_studio_app_is_judged_by_its_lifecycle_config_and_its_domains_network(spec, domain, expected):
    app = {"DomainId": "d-8pkyq3fsqrgl", "ResourceSpec": spec}
    assert rules.evaluate("app", app, POLICY, related=domain).rule_ids == expected


def test_a_studio_app_is_named_by_a_key_of_its_four_parts():
    key = rules.app_key("d-8pkyq3fsqrgl", "JupyterLab", "default", user_profile="alice")
    assert key == "d-8pkyq3fsqrgl/user-profile/alice/JupyterLab/default"
    assert rules.app_parameters(key) == {
        "DomainId": "d-8pkyq3fsqrgl",
        "UserProfileName": "alice",
        "AppType": "JupyterLab",
        "AppName": "default",
    }
    space = rules.app_key("d-8pkyq3fsqrgl", "CodeEditor", "default", space="shared")
    assert rules.app_parameters(space)["SpaceName"] == "shared"
    for bad in [("x-1", "JupyterLab", "default"), ("d-1", "Jupyter/Lab", "default"), ("d-1", "JupyterLab", None)]:
        assert rules.app_key(*bad, user_profile="alice") is None
    with pytest.raises(ValueError, match="not an app key"):
        rules.app_parameters("fraud-live")
