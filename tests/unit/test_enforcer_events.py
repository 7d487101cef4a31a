"""What the enforcer reads from an EventBridge event, and from its environment variables."""

from __future__ import annotations

import copy
import json

import pytest

from smenv.build import lambda_loader
from smenv_testing import REPO

events = lambda_loader.load("enforcer", "events")
config = lambda_loader.load("enforcer", "config")

ACCOUNT, REGION = "123456789012", "us-east-1"
CALLER = "arn:aws:sts::123456789012:assumed-role/data-scientist/alice"

CREATE_TRAINING_JOB = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "AWS API Call via CloudTrail",
    "source": "aws.sagemaker",
    "account": ACCOUNT,
    "time": "2025-01-01T12:00:01Z",
    "region": REGION,
    "resources": [],
    "detail": {
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "arn": CALLER, "accountId": ACCOUNT},
        "eventSource": "sagemaker.amazonaws.com",
        "eventName": "CreateTrainingJob",
        "awsRegion": REGION,
        "requestParameters": {"trainingJobName": "fraud-train-1", "vpcConfig": {"subnets": ["subnet-1"]}},
        "responseElements": {"trainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/fraud-train-1"},
        "eventID": "d2e9c8a0-0000-4000-8000-000000000000",
        "readOnly": False,
        "eventType": "AwsApiCall",
    },
}

TRAINING_STATE_CHANGE = {
    "version": "0",
    "id": "844e2571-85d4-695f-b930-0153b71dcb42",
    "detail-type": "SageMaker Training Job State Change",
    "source": "aws.sagemaker",
    "account": ACCOUNT,
    "time": "2025-01-01T12:00:00Z",
    "region": REGION,
    "resources": [f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/fraud-train-1"],
    "detail": {
        "TrainingJobName": "fraud-train-1",
        "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/fraud-train-1",
        "TrainingJobStatus": "InProgress",
        "SecondaryStatus": "Starting",
    },
}


def test_a_create_training_job_call_names_the_job_and_the_caller():
    target = events.parse_event(CREATE_TRAINING_JOB)
    assert target == events.Target(
        kind="training-job",
        name="fraud-train-1",
        trigger="CreateTrainingJob",
        source="cloudtrail",
        event_id="6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        cloudtrail_event_id="d2e9c8a0-0000-4000-8000-000000000000",
        caller=CALLER,
        account=ACCOUNT,
        region=REGION,
        time="2025-01-01T12:00:01Z",
        caller_principal=CALLER,  # no sessionContext: the identity's own ARN
    )


@pytest.mark.parametrize(
    ("event_name", "key", "kind"),
    [
        ("CreateProcessingJob", "processingJobName", "processing-job"),
        ("CreateHyperParameterTuningJob", "hyperParameterTuningJobName", "hyper-parameter-tuning-job"),
        ("CreateTransformJob", "transformJobName", "transform-job"),
        ("CreateModel", "modelName", "model"),
        ("CreateNotebookInstance", "notebookInstanceName", "notebook-instance"),
    ],
)
def test_every_create_call_names_its_resource(event_name, key, kind):
    event = copy.deepcopy(CREATE_TRAINING_JOB)
    event["detail"].update(eventName=event_name, requestParameters={key: "thing-1"}, responseElements=None)
    target = events.parse_event(event)
    assert (target.kind, target.name) == (kind, "thing-1")


def test_the_name_comes_from_the_response_arn_when_the_request_lacks_it():
    event = copy.deepcopy(CREATE_TRAINING_JOB)
    event["detail"]["requestParameters"] = None
    assert events.parse_event(event).name == "fraud-train-1"


def test_a_failed_call_is_ignored_whatever_else_it_says():
    event = copy.deepcopy(CREATE_TRAINING_JOB)
    event["detail"]["errorCode"] = "AccessDenied"
    assert events.parse_event(event) == events.Ignored("api_call_failed", "errorCode AccessDenied")


def test_read_only_and_other_calls_are_ignored():
    read = copy.deepcopy(CREATE_TRAINING_JOB)
    read["detail"].update(eventName="DescribeTrainingJob", readOnly=True)
    other = copy.deepcopy(CREATE_TRAINING_JOB)
    other["detail"]["eventName"] = "StopTrainingJob"
    foreign = copy.deepcopy(CREATE_TRAINING_JOB)
    foreign["detail"]["eventSource"] = "s3.amazonaws.com"
    assert events.parse_event(read).reason == "read_only_call"
    assert events.parse_event(other).reason == "unrelated_api_call"
    assert events.parse_event(foreign).reason == "unrelated_api_call"


@pytest.mark.parametrize(
    ("detail_type", "prefix", "kind"),
    [
        ("SageMaker Training Job State Change", "TrainingJob", "training-job"),
        ("SageMaker Processing Job State Change", "ProcessingJob", "processing-job"),
        ("SageMaker HyperParameter Tuning Job State Change", "HyperParameterTuningJob", "hyper-parameter-tuning-job"),
        ("SageMaker Transform Job State Change", "TransformJob", "transform-job"),
        ("SageMaker Notebook Instance State Change", "NotebookInstance", "notebook-instance"),
        ("SageMaker Model State Change", "Model", "model"),
    ],
)
def test_every_state_change_names_its_resource(detail_type, prefix, kind):
    event = {
        "source": "aws.sagemaker",
        "detail-type": detail_type,
        "id": "e1",
        "account": ACCOUNT,
        "region": REGION,
        "detail": {f"{prefix}Name": "thing-1"},
    }
    target = events.parse_event(event)
    assert (target.kind, target.name, target.source, target.caller) == (kind, "thing-1", "state-change", None)


def test_a_state_change_without_a_usable_name_falls_back_to_the_resource_arn():
    event = copy.deepcopy(TRAINING_STATE_CHANGE)
    event["detail"]["TrainingJobName"] = "not a valid name!"
    del event["detail"]["TrainingJobArn"]
    assert events.parse_event(event).name == "fraud-train-1"
    # an ARN of another kind of resource is not taken for it
    event["resources"] = [f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/fraud-train-1"]
    assert events.parse_event(event).reason == "no_resource_name"


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (None, "not_an_object"),
        ([TRAINING_STATE_CHANGE], "not_an_object"),
        ({}, "unrelated_source"),
        ({**TRAINING_STATE_CHANGE, "source": "aws.ec2"}, "unrelated_source"),
        ({**TRAINING_STATE_CHANGE, "detail-type": 5}, "malformed_event"),
        ({**TRAINING_STATE_CHANGE, "detail": None}, "malformed_event"),
        ({**TRAINING_STATE_CHANGE, "detail-type": "SageMaker Feature Group State Change"}, "unrelated_detail_type"),
        ({**TRAINING_STATE_CHANGE, "detail-type": "SageMaker Endpoint State Change"}, "no_resource_name"),
        ({**TRAINING_STATE_CHANGE, "detail": {"TrainingJobName": "x" * 64}, "resources": []}, "no_resource_name"),
        ({**TRAINING_STATE_CHANGE, "detail": {"TrainingJobName": "-leading"}, "resources": "x"}, "no_resource_name"),
    ],
)
def test_malformed_and_unrelated_events_are_ignored_with_a_reason(event, reason):
    assert events.parse_event(event).reason == reason


def test_envelope_fields_of_the_wrong_shape_are_dropped_not_trusted():
    event = {**TRAINING_STATE_CHANGE, "account": "12345", "region": ["us-east-1"], "id": "x" * 10_000}
    target = events.parse_event(event)
    assert (target.account, target.region) == (None, None)
    assert len(target.event_id) == 128


# --- configuration --------------------------------------------------------------------------------


def test_the_defaults_are_secure():
    loaded = config.load_config({})
    assert loaded.mode == "enforce"
    assert loaded.enforcing
    assert loaded.policy.require_kms
    assert loaded.policy.require_inter_container_encryption
    assert not loaded.policy.allow_serverless_inference
    assert loaded.policy.local_storage_families == frozenset()  # no instance type is exempt from kms.volume
    assert loaded.findings_topic_arn is None
    assert loaded.marker_key_arn is None  # no marker is trusted
    assert loaded.policy.terraform_roles == frozenset()  # every lifecycle configuration written is reported
    assert loaded.policy.team_security_groups == {}  # no team check, as before
    assert loaded.policy.approved_kms_keys == frozenset()  # any key, as long as there is one


def test_the_local_storage_families_are_read_from_instance_storage_families():
    # Given the list every environment's enforcer gets (modules/_instance_storage/instance_storage.json)
    path = REPO / "modules" / "_instance_storage" / "instance_storage.json"
    families = json.loads(path.read_text())["local_storage_families"]
    # When it is set as Terraform sets it, comma-separated
    loaded = config.load_config({"INSTANCE_STORAGE_FAMILIES": ",".join(families)})
    # Then every family is known, hyphenated ones included, and stray spaces and commas do not matter
    assert loaded.policy.local_storage_families == frozenset(families)
    assert config.load_config({"INSTANCE_STORAGE_FAMILIES": " g5 ,, p6-b200,"}).policy.local_storage_families == {
        "g5",
        "p6-b200",
    }


def test_lists_and_switches_are_read_leniently_where_meaning_is_clear():
    loaded = config.load_config(
        {
            "APPROVED_SUBNET_IDS": " subnet-0a000000000000001 ,, subnet-0a000000000000002,",
            "APPROVED_SECURITY_GROUP_IDS": "sg-0b000000000000001",
            "ENFORCEMENT_MODE": " Audit ",
            "REQUIRE_KMS": "FALSE",
            "ALLOW_SERVERLESS_INFERENCE": "True",
            "FINDINGS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:smenv-local-enforcer-findings",
        }
    )
    assert loaded.policy.approved_subnets == {"subnet-0a000000000000001", "subnet-0a000000000000002"}
    assert loaded.mode == "audit"
    assert not loaded.enforcing
    assert not loaded.policy.require_kms
    assert loaded.policy.allow_serverless_inference


def test_every_bad_value_is_named_at_once():
    with pytest.raises(config.ConfigError) as raised:
        config.load_config(
            {
                "ENFORCEMENT_MODE": "banana",
                "REQUIRE_KMS": "yes please",
                "APPROVED_SUBNET_IDS": "subnet-0a000000000000001,vpc-123",
                "APPROVED_SECURITY_GROUP_IDS": "default",
                "FINDINGS_TOPIC_ARN": "my-topic",
                "INSTANCE_STORAGE_FAMILIES": "g5,ml.g5.xlarge",
            }
        )
    problems = " | ".join(raised.value.problems)
    for variable in (
        "ENFORCEMENT_MODE",
        "REQUIRE_KMS",
        "APPROVED_SUBNET_IDS",
        "APPROVED_SECURITY_GROUP_IDS",
        "FINDINGS_TOPIC_ARN",
        "INSTANCE_STORAGE_FAMILIES",
    ):
        assert variable in problems
    assert "'banana'" in problems


@pytest.mark.parametrize("value", ["ml.g5.xlarge", "G5", "g5 p4d", "5g", "g5;p4d", "g_5", "-g5"])
def test_an_instance_family_that_is_not_one_is_a_configuration_error(value):
    with pytest.raises(config.ConfigError) as raised:
        config.load_config({"INSTANCE_STORAGE_FAMILIES": f"g4dn,{value}"})
    [problem] = raised.value.problems
    assert problem.startswith("INSTANCE_STORAGE_FAMILIES has 1 malformed instance family")


def test_the_lists_and_the_marker_key_of_the_new_rules_are_read():
    role = "arn:aws:iam::123456789012:role/smenv-dev-terraform"
    key = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    loaded = config.load_config(
        {
            "APPROVED_LIFECYCLE_CONFIGS": "smenv-dev-fraud, smenv-dev-risk",
            "APPROVED_STUDIO_LIFECYCLE_CONFIGS": "smenv-dev-studio",
            "TERRAFORM_ROLE_ARNS": f"{role},arn:aws:iam::123456789012:role/ci/deployer",
            "MARKER_KEY_ARN": f" {key} ",
        }
    )
    assert loaded.policy.approved_lifecycle_configs == {"smenv-dev-fraud", "smenv-dev-risk"}
    assert loaded.policy.approved_studio_lifecycle_configs == {"smenv-dev-studio"}
    assert loaded.policy.terraform_roles == {role, "arn:aws:iam::123456789012:role/ci/deployer"}
    assert loaded.marker_key_arn == key
    alias = "arn:aws:kms:us-east-1:123456789012:alias/smenv-dev-enforcer-markers"  # what modules/enforcer passes
    assert config.load_config({"MARKER_KEY_ARN": alias}).marker_key_arn == alias


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("APPROVED_LIFECYCLE_CONFIGS", "smenv-dev-fraud,not a name"),
        ("APPROVED_STUDIO_LIFECYCLE_CONFIGS", "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/x"),
        ("TERRAFORM_ROLE_ARNS", "arn:aws:sts::123456789012:assumed-role/terraform/session"),
        ("MARKER_KEY_ARN", "alias/smenv-dev-enforcer-markers"),  # a name: which account's, which region's?
        ("MARKER_KEY_ARN", "arn:aws:kms:us-east-1:123456789012:key"),
    ],
)
def test_a_wrong_list_entry_or_marker_key_is_a_configuration_error(variable, value):
    with pytest.raises(config.ConfigError) as raised:
        config.load_config({variable: value})
    [problem] = raised.value.problems
    assert problem.startswith(variable)


FRAUD_ROLE = "arn:aws:iam::123456789012:role/smenv-dev-fraud-sagemaker"
PRICING_ROLE = "arn:aws:iam::123456789012:role/smenv-dev-pricing-sagemaker"


def test_the_teams_groups_and_the_environments_keys_are_read():
    # Given the variables as modules/enforcer sets them (jsonencode of the map; the key ARNs joined)
    keys = [f"arn:aws:kms:us-east-1:123456789012:key/{n}1111111-2222-3333-4444-555555555555" for n in (1, 2, 3)]
    groups = {FRAUD_ROLE: ["sg-0000000000000f001"], PRICING_ROLE: ["sg-0000000000000a002", "sg-0000000000000a003"]}
    loaded = config.load_config({"TEAM_SECURITY_GROUPS": json.dumps(groups), "APPROVED_KMS_KEY_ARNS": ",".join(keys)})
    # Then each role is held to its own groups, and the keys are the environment's
    assert loaded.policy.role_groups(FRAUD_ROLE) == {"sg-0000000000000f001"}
    assert loaded.policy.role_groups(PRICING_ROLE) == {"sg-0000000000000a002", "sg-0000000000000a003"}
    assert loaded.policy.role_groups("arn:aws:iam::123456789012:role/smenv-dev-churn-model") is None
    assert loaded.policy.approved_kms_keys == frozenset(keys)
    # and an empty map, as Terraform encodes one, is no check at all
    assert config.load_config({"TEAM_SECURITY_GROUPS": "{}"}).policy.team_security_groups == {}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TEAM_SECURITY_GROUPS", "smenv-dev-fraud-sagemaker=sg-0000000000000f001"),  # not JSON
        ("TEAM_SECURITY_GROUPS", '["sg-0000000000000f001"]'),  # not an object
        ("TEAM_SECURITY_GROUPS", '{"arn:aws:sts::123456789012:assumed-role/fraud/alice": ["sg-0000000000000f001"]}'),
        ("TEAM_SECURITY_GROUPS", '{"arn:aws:iam::123456789012:role/": ["sg-0000000000000f001"]}'),
        ("TEAM_SECURITY_GROUPS", f'{{"{FRAUD_ROLE}": []}}'),  # a role that may use no group: a mistake
        ("TEAM_SECURITY_GROUPS", f'{{"{FRAUD_ROLE}": "sg-0000000000000f001"}}'),
        ("TEAM_SECURITY_GROUPS", f'{{"{FRAUD_ROLE}": ["default"]}}'),
        ("APPROVED_KMS_KEY_ARNS", "arn:aws:kms:us-east-1:123456789012:alias/smenv-dev-data"),  # aliases move
        ("APPROVED_KMS_KEY_ARNS", "11111111-2222-3333-4444-555555555555"),  # a bare id: whose, where?
    ],
)
def test_a_wrong_team_mapping_or_key_list_is_a_configuration_error(variable, value):
    with pytest.raises(config.ConfigError) as raised:
        config.load_config({variable: value})
    [problem] = raised.value.problems
    assert problem.startswith(variable)
