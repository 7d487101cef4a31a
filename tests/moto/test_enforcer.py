"""The enforcer against AWS behaviour (in-process moto): what it stops, deletes, reports and leaves alone.

moto 5.2.5 does not implement StopTrainingJob, StopTransformJob or StopHyperParameterTuningJob,
creates jobs already Completed, and drops ProcessingResources and ShadowProductionVariants. These
emulator gaps are filled in test infrastructure (src/smenv/live/emulator_patches/, applied by
enforcer_world.world()); the enforcer's code is the code Lambda runs.
"""

from __future__ import annotations

import json
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from unittest.mock import patch

import pytest
from botocore.exceptions import ClientError
from enforcer_world import (
    ACCOUNT,
    APPROVED,
    CALLER,
    ROGUE_SECURITY_GROUP,
    ROGUE_SUBNET,
    SECURITY_GROUP,
    SUBNETS,
    UNSET,
    World,
    cloudtrail_event,
    enforcer_env,
    finish,
    handler,
    state_change_event,
    vanish,
    world,
)

TRAINING, PROCESSING, TUNING, TRANSFORM = (
    "training-job",
    "processing-job",
    "hyper-parameter-tuning-job",
    "transform-job",
)
MODEL, NOTEBOOK = "model", "notebook-instance"


@pytest.fixture
def aws():
    with world() as w:
        yield w


def throttled(operation: str):
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, operation)


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def after_first(aws: World, operation: str, then) -> None:
    """Run `then()` once, right after the enforcer's first `operation` call (a SageMaker API name) answers."""

    def hook(**_):
        aws.sagemaker.meta.events.unregister(f"after-call.sagemaker.{operation}", hook)
        then()

    aws.sagemaker.meta.events.register(f"after-call.sagemaker.{operation}", hook)


# --- jobs ---------------------------------------------------------------------------------------


def test_a_compliant_training_job_is_left_running_and_nothing_is_published(aws: World):
    # Given a training job in the approved VPC, encrypted, with inter-container encryption
    aws.training_job("fraud-train-ok")
    # When its state-change event arrives
    result = aws.process(state_change_event(TRAINING, "fraud-train-ok"))
    # Then it keeps running and no finding is published
    assert result["decision"] == "compliant"
    assert aws.status(TRAINING, "fraud-train-ok") == "InProgress"
    assert aws.findings() == []


@pytest.mark.parametrize(
    ("change", "rules"),
    [
        ({"vpc": UNSET}, ["vpc.required"]),
        (
            {"vpc": {"Subnets": [SUBNETS[0], ROGUE_SUBNET], "SecurityGroupIds": [SECURITY_GROUP]}},
            ["vpc.subnet_not_approved"],
        ),
        (
            {"vpc": {"Subnets": list(SUBNETS), "SecurityGroupIds": [ROGUE_SECURITY_GROUP]}},
            ["vpc.security_group_not_approved"],
        ),
        ({"volume_key": UNSET}, ["kms.volume"]),
        ({"output_key": UNSET}, ["kms.output"]),
        ({"ice": False}, ["encryption.inter_container"]),
        (
            {"vpc": UNSET, "volume_key": UNSET, "output_key": UNSET, "ice": False},
            ["vpc.required", "kms.volume", "kms.output", "encryption.inter_container"],
        ),
    ],
    ids=["no-vpc", "rogue-subnet", "rogue-sg", "no-volume-key", "no-output-key", "no-ice", "all"],
)
def test_each_violation_of_a_training_job_stops_it_with_its_rule_ids(aws: World, change, rules):
    # Given a running training job with one thing wrong
    job_arn = aws.training_job("fraud-train", **change)
    # When its state-change event arrives
    result = aws.process(state_change_event(TRAINING, "fraud-train"))
    # Then it is stopped, and the one finding names exactly the rules it broke
    assert result["decision"] == "violation"
    assert result["action"] == "stopped"
    assert result["violations"] == rules
    assert aws.status(TRAINING, "fraud-train") in ("Stopping", "Stopped")
    [published] = aws.findings()
    assert published["finding"]["resource_arn"] == job_arn
    assert published["finding"]["violations"] == rules


def test_turning_off_the_kms_and_inter_container_rules_lets_such_a_job_run(aws: World):
    # Given a job in the VPC but with neither KMS keys nor inter-container encryption
    aws.training_job("fraud-train-plain", volume_key=UNSET, output_key=UNSET, ice=False)
    # When the environment has switched both rules off
    result = aws.process(
        state_change_event(TRAINING, "fraud-train-plain"),
        REQUIRE_KMS="false",
        REQUIRE_INTER_CONTAINER_ENCRYPTION="false",
    )
    # Then it is compliant: the VPC rule alone applies
    assert result["decision"] == "compliant"
    assert aws.status(TRAINING, "fraud-train-plain") == "InProgress"


def test_empty_approved_lists_accept_any_subnet_but_still_require_a_vpc(aws: World):
    # Given no approved subnets or security groups configured
    aws.training_job("in-any-vpc", vpc={"Subnets": [ROGUE_SUBNET], "SecurityGroupIds": [ROGUE_SECURITY_GROUP]})
    aws.training_job("in-no-vpc", vpc=UNSET)
    loose = {"APPROVED_SUBNET_IDS": "", "APPROVED_SECURITY_GROUP_IDS": ""}
    # When both jobs' events arrive
    in_vpc = aws.process(state_change_event(TRAINING, "in-any-vpc"), **loose)
    outside = aws.process(state_change_event(TRAINING, "in-no-vpc"), **loose)
    # Then any VPC will do, but none at all is still a violation
    assert in_vpc["decision"] == "compliant"
    assert outside["violations"] == ["vpc.required"]
    assert aws.status(TRAINING, "in-no-vpc") in ("Stopping", "Stopped")


def test_a_processing_job_outside_the_vpc_and_unencrypted_is_stopped(aws: World):
    aws.processing_job("fraud-prep-ok")
    aws.processing_job("fraud-prep-bad", vpc=UNSET, volume_key=UNSET, output_key=UNSET)
    ok = aws.process(state_change_event(PROCESSING, "fraud-prep-ok"))
    bad = aws.process(cloudtrail_event(PROCESSING, "fraud-prep-bad"))
    assert ok["decision"] == "compliant"
    assert bad["violations"] == ["vpc.required", "kms.volume", "kms.output"]
    assert bad["action"] == "stopped"
    assert aws.status(PROCESSING, "fraud-prep-ok") == "InProgress"
    assert aws.status(PROCESSING, "fraud-prep-bad") in ("Stopping", "Stopped")


def test_a_tuning_job_is_judged_by_every_training_definition(aws: World):
    # Given a tuning job whose second training definition leaves the VPC and is unencrypted
    aws.tuning_job("fraud-tune-ok", aws.training_definition())
    aws.tuning_job(
        "fraud-tune-bad", aws.training_definition(), aws.training_definition(vpc=UNSET, key=UNSET, ice=False)
    )
    # When their events arrive
    ok = aws.process(state_change_event(TUNING, "fraud-tune-ok"))
    bad = aws.process(state_change_event(TUNING, "fraud-tune-bad"))
    # Then only the second is stopped, for what its bad definition does
    assert ok["decision"] == "compliant"
    assert bad["violations"] == ["vpc.required", "kms.volume", "kms.output", "encryption.inter_container"]
    assert aws.status(TUNING, "fraud-tune-ok") == "InProgress"
    assert aws.status(TUNING, "fraud-tune-bad") in ("Stopping", "Stopped")


def test_a_transform_job_runs_in_its_models_vpc_and_is_judged_by_it(aws: World):
    # Given one model in the VPC and one outside, each used by a transform job
    aws.model("scorer-in-vpc")
    aws.model("scorer-no-vpc", vpc=UNSET)
    aws.transform_job("score-ok", "scorer-in-vpc")
    aws.transform_job("score-bad", "scorer-no-vpc")
    # When the transform jobs' events arrive
    ok = aws.process(state_change_event(TRANSFORM, "score-ok"))
    bad = aws.process(state_change_event(TRANSFORM, "score-bad"))
    # Then the one whose model has no VPC is stopped
    assert ok["decision"] == "compliant"
    assert bad["violations"] == ["vpc.required"]
    assert aws.status(TRANSFORM, "score-bad") in ("Stopping", "Stopped")


def test_a_transform_job_whose_model_is_gone_fails_closed(aws: World):
    aws.model("short-lived")
    aws.transform_job("orphan", "short-lived")
    aws.sagemaker.delete_model(ModelName="short-lived")
    result = aws.process(state_change_event(TRANSFORM, "orphan"))
    assert result["violations"] == ["vpc.model_not_found"]
    assert aws.status(TRANSFORM, "orphan") in ("Stopping", "Stopped")


def test_a_transform_job_whose_model_was_replaced_after_it_started_is_stopped(aws: World):
    # Given a transform job started on a model without a VPC
    aws.model("swapped", vpc=UNSET)
    aws.transform_job("score-swapped", "swapped")
    # and the model then deleted and made again under its name, this time in the VPC
    time.sleep(0.002)  # SageMaker's times have milliseconds: the new model is created after the job
    aws.sagemaker.delete_model(ModelName="swapped")
    aws.model("swapped")
    # When the job's event arrives
    result = aws.process(state_change_event(TRANSFORM, "score-swapped"))
    # Then the new model does not hide the old one the job runs: it fails closed and is stopped
    assert (result["violations"], result["action"]) == (["vpc.model_replaced"], "stopped")
    assert aws.status(TRANSFORM, "score-swapped") in ("Stopping", "Stopped")
    [published] = aws.findings()
    assert "created after the job" in published["finding"]["details"][0]["message"]


def test_a_transform_job_on_a_model_older_than_it_is_judged_by_that_model(aws: World):
    aws.model("steady")
    time.sleep(0.002)
    aws.transform_job("score-steady", "steady")
    assert aws.process(state_change_event(TRANSFORM, "score-steady"))["decision"] == "compliant"


# --- instance types with local NVMe storage (no volume key possible) ----------------------------


def test_gpu_training_on_a_local_storage_type_without_a_volume_key_runs(aws: World):
    # Given a g5 training job in the VPC with an output key but no volume key (SageMaker refuses one on g5)
    aws.training_job("gpu-train", volume_key=UNSET, instance_type="ml.g5.xlarge")
    # When its event arrives, with instance_storage.json's families configured
    result = aws.process(state_change_event(TRAINING, "gpu-train"))
    # Then it is compliant and keeps running
    assert result["decision"] == "compliant"
    assert aws.status(TRAINING, "gpu-train") == "InProgress"


def test_every_job_kind_on_local_storage_types_needs_no_volume_key(aws: World):
    # Given a processing, a tuning and a transform job on local-storage types, without volume keys
    aws.processing_job("gpu-prep", volume_key=UNSET, instance_type="ml.g4dn.xlarge")
    aws.tuning_job("gpu-tune", aws.training_definition(volume_key=UNSET, instance_type="ml.p4d.24xlarge"))
    aws.model("gpu-scorer")
    aws.transform_job("gpu-score", "gpu-scorer", volume_key=UNSET, instance_type="ml.g5.2xlarge")
    # When their events arrive
    jobs = {PROCESSING: "gpu-prep", TUNING: "gpu-tune", TRANSFORM: "gpu-score"}
    decisions = {kind: aws.process(state_change_event(kind, name))["decision"] for kind, name in jobs.items()}
    # Then each is compliant
    assert decisions == dict.fromkeys(jobs, "compliant")


@pytest.mark.parametrize(
    ("change", "rules"),
    [
        ({"instance_groups": ["ml.g5.xlarge", "ml.m5.large"]}, ["kms.volume"]),
        ({"vpc": UNSET}, ["vpc.required"]),
        ({"output_key": UNSET}, ["kms.output"]),
    ],
    ids=["mixed-cluster", "no-vpc", "no-output-key"],
)
def test_a_local_storage_job_still_needs_the_vpc_the_output_key_and_local_storage_throughout(aws: World, change, rules):
    aws.training_job("gpu-bad", **{"volume_key": UNSET, "instance_type": "ml.g5.xlarge", **change})
    result = aws.process(state_change_event(TRAINING, "gpu-bad"))
    assert (result["violations"], result["action"]) == (rules, "stopped")


def test_without_instance_storage_families_configured_no_type_is_exempt(aws: World):
    aws.training_job("gpu-strict", volume_key=UNSET, instance_type="ml.g5.xlarge")
    result = aws.process(state_change_event(TRAINING, "gpu-strict"), INSTANCE_STORAGE_FAMILIES="")
    assert result["violations"] == ["kms.volume"]


def test_a_notebook_on_a_local_storage_type_still_needs_its_volume_key(aws: World):
    # (moto's CreateNotebookInstance knows an old list of types: c5d is its local-storage one)
    aws.notebook("nvme-notebook", key=UNSET, instance_type="ml.c5d.xlarge")
    result = aws.process(state_change_event(NOTEBOOK, "nvme-notebook", "InService"))
    assert (result["violations"], result["action"]) == (["kms.volume"], "stopped")


# --- audit mode, ignored events -----------------------------------------------------------------


def test_audit_mode_changes_nothing_but_still_publishes_the_finding(aws: World):
    # Given a training job outside the VPC and a model without one, in audit mode
    aws.training_job("audited-job", vpc=UNSET)
    aws.model("audited-model", vpc=UNSET)
    # When their events arrive
    job = aws.process(state_change_event(TRAINING, "audited-job"), ENFORCEMENT_MODE="audit")
    model = aws.process(cloudtrail_event(MODEL, "audited-model"), ENFORCEMENT_MODE="audit")
    # Then both keep running / existing, and both findings say what would have been done
    assert aws.status(TRAINING, "audited-job") == "InProgress"
    assert aws.sagemaker.describe_model(ModelName="audited-model")["ModelName"] == "audited-model"
    assert (job["action"], model["action"]) == ("would_stop", "would_delete")
    findings = [f["finding"] for f in aws.findings()]
    assert [(f["action"], f["mode"]) for f in findings] == [("would_stop", "audit"), ("would_delete", "audit")]


def test_a_create_call_that_failed_is_ignored_even_when_the_name_exists(aws: World):
    # Given a non-compliant running job, and a denied CreateTrainingJob event with the same name
    aws.training_job("taken-name", vpc=UNSET)
    event = cloudtrail_event(TRAINING, "taken-name", error_code="AccessDenied")
    # When the failed call's event arrives
    result = aws.process(event)
    # Then nothing happens: the call created nothing
    assert result == {"decision": "ignored", "reason": "api_call_failed"}
    assert aws.status(TRAINING, "taken-name") == "InProgress"
    assert aws.findings() == []


def test_read_only_and_unrelated_calls_are_ignored(aws: World):
    aws.training_job("listed", vpc=UNSET)
    describe = cloudtrail_event(TRAINING, "listed")
    describe["detail"].update(eventName="DescribeTrainingJob", readOnly=True)
    delete = cloudtrail_event(MODEL, "listed")
    delete["detail"]["eventName"] = "DeleteModel"
    assert aws.process(describe)["reason"] == "read_only_call"
    assert aws.process(delete)["reason"] == "unrelated_api_call"
    assert aws.status(TRAINING, "listed") == "InProgress"


@pytest.mark.parametrize("status", ["Completed", "Failed", "Stopped", "Stopping"])
def test_a_finished_job_is_ignored(aws: World, status):
    aws.training_job("done", vpc=UNSET)
    finish(TRAINING, "done", status)
    result = aws.process(state_change_event(TRAINING, "done", status))
    assert result["decision"] == "ignored"
    assert result["reason"] == "not_running"
    assert aws.findings() == []


# --- resources that vanish while the enforcer handles them --------------------------------------


def make_violator(aws: World, kind: str, name: str, **model_options) -> None:
    """A running resource of `kind` that breaks a rule (each kind the handler describes)."""
    if kind == TRAINING:
        aws.training_job(name, vpc=UNSET)
    elif kind == PROCESSING:
        aws.processing_job(name, vpc=UNSET)
    elif kind == TUNING:
        aws.tuning_job(name, aws.training_definition(vpc=UNSET))
    elif kind == TRANSFORM:
        aws.model(f"{name}-model", vpc=UNSET)
        aws.transform_job(name, f"{name}-model")
    elif kind == MODEL:
        aws.model(name, vpc=UNSET, **model_options)
    else:
        aws.notebook(name, internet="Enabled")


@pytest.mark.parametrize("kind", [TRAINING, PROCESSING, TUNING, TRANSFORM, MODEL, NOTEBOOK])
def test_a_resource_deleted_before_its_event_is_handled_is_logged_as_gone_and_left(aws: World, kind, capsys):
    # Given a violating resource that is deleted after its event was sent
    make_violator(aws, kind, "deleted-early")
    event = state_change_event(kind, "deleted-early")
    vanish(kind, "deleted-early")
    capsys.readouterr()
    # When the event is handled
    result = aws.process(event)
    # Then the handler returns normally, says "gone" at the Describe, and publishes nothing
    assert (result["decision"], result["reason"], result["gone_at"]) == ("ignored", "gone", "describe")
    [line] = [line for line in log_lines(capsys) if line["message"] == "decision"]
    assert (line["level"], line["reason"], line["resource_name"]) == ("INFO", "gone", "deleted-early")
    assert aws.findings() == []


@dataclass(frozen=True)
class Midway:
    """A resource of `kind` deleted right after the enforcer's `vanish_after` call answered."""

    kind: str
    vanish_after: str
    gone_at: str  # the enforcer's next call, which finds it gone
    answer: str  # what that call answered (actions.NOT_FOUND_FORMS), or "confirmed_by_describe"
    judged: bool = True  # the rules it broke were known by then
    env: dict = field(default_factory=dict)


MIDWAY = {
    "training-before-stop": Midway(TRAINING, "DescribeTrainingJob", "stop", "could_not_find"),
    "processing-before-stop": Midway(PROCESSING, "DescribeProcessingJob", "stop", "could_not_find"),
    "tuning-before-stop": Midway(TUNING, "DescribeHyperParameterTuningJob", "stop", "resource_not_found"),
    "transform-before-stop": Midway(TRANSFORM, "DescribeTransformJob", "stop", "could_not_find"),
    "model-before-delete": Midway(MODEL, "DescribeModel", "delete_model", "could_not_find"),
    "model-before-list-tags": Midway(
        MODEL, "DescribeModel", "list_tags", "confirmed_by_describe", False, {"ALLOW_SERVERLESS_INFERENCE": "true"}
    ),
    "notebook-before-list-tags": Midway(NOTEBOOK, "DescribeNotebookInstance", "list_tags", "confirmed_by_describe"),
    "notebook-before-add-tags": Midway(NOTEBOOK, "ListTags", "add_tags", "confirmed_by_describe"),
    "notebook-before-stop": Midway(NOTEBOOK, "AddTags", "stop", "record_not_found"),
}


@pytest.mark.parametrize("midway", MIDWAY.values(), ids=MIDWAY.keys())
def test_a_resource_deleted_while_it_is_handled_is_logged_as_gone_and_left(aws: World, capsys, midway: Midway):
    # Given a violating resource that someone deletes right after one of the enforcer's calls
    make_violator(aws, midway.kind, "deleted-midway")
    after_first(aws, midway.vanish_after, lambda: vanish(midway.kind, "deleted-midway"))
    capsys.readouterr()
    # When its event is handled
    result = aws.process(state_change_event(midway.kind, "deleted-midway"), **midway.env)
    # Then the next call finds it gone: logged (with the rules it broke, when known), nothing raised or published
    assert (result["decision"], result["reason"]) == ("ignored", "gone")
    assert (result["gone_at"], result["answer"]) == (midway.gone_at, midway.answer)
    assert bool(result.get("violations")) is midway.judged
    [line] = [line for line in log_lines(capsys) if line["message"] == "decision"]
    assert (line["reason"], line["gone_at"], line.get("violations")) == (
        "gone",
        midway.gone_at,
        result.get("violations"),
    )
    assert aws.findings() == []


def test_a_model_deleted_while_its_endpoint_configurations_are_read_is_gone(aws: World):
    # Given a model without a VPC that an endpoint configuration serves, deleted as it is looked up
    aws.model("in-use-briefly", vpc=UNSET)
    aws.endpoint_config("briefly-live", "in-use-briefly")
    after_first(aws, "DescribeEndpointConfig", lambda: vanish(MODEL, "in-use-briefly"))
    # When its event is handled, then marking it finds it gone (ListTags on its ARN)
    result = aws.process(cloudtrail_event(MODEL, "in-use-briefly"))
    assert (result["reason"], result["gone_at"]) == ("gone", "list_tags")
    assert aws.findings() == []


@pytest.mark.parametrize(
    ("final_status", "stop_answer"),
    [
        ("Completed", None),  # the emulator's own answer: "The request was rejected because ... in status Completed."
        ("Failed", None),
        ("Completed", "Training job racing is not in a stoppable state."),
    ],
    ids=["completed", "failed", "not-stoppable-wording"],
)
def test_a_job_that_finishes_while_it_is_being_stopped_is_already_finished_not_an_error(
    aws: World, final_status, stop_answer
):
    # Given a violating job that ends between the enforcer's Describe and its Stop
    aws.training_job("racing", vpc=UNSET)
    after_first(aws, "DescribeTrainingJob", lambda: finish(TRAINING, "racing", final_status))
    refused = ClientError({"Error": {"Code": "ValidationException", "Message": stop_answer}}, "StopTrainingJob")
    stop = patch.object(aws.sagemaker, "stop_training_job", side_effect=refused) if stop_answer else nullcontext()
    # When the stop is refused because the job is no longer running
    with stop:
        result = aws.process(state_change_event(TRAINING, "racing"))
    # Then the handler returns normally: the job finished before the stop, and that is reported once
    assert (result["decision"], result["action"]) == ("violation", "finished_before_stop")
    assert aws.status(TRAINING, "racing") == final_status
    [published] = aws.findings()
    assert published["finding"]["action"] == "finished_before_stop"


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        "CreateTrainingJob",
        {},
        {"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification", "detail": {}},
        {"source": "aws.sagemaker", "detail-type": "SageMaker Endpoint State Change", "detail": {}},
        {"source": "aws.sagemaker", "detail-type": "SageMaker Training Job State Change", "detail": "x"},
        {"source": "aws.sagemaker", "detail-type": "SageMaker Training Job State Change", "detail": {}},
        {"source": "aws.sagemaker", "detail-type": "AWS API Call via CloudTrail", "detail": {"eventName": 7}},
    ],
    ids=["none", "list", "string", "empty", "ec2", "endpoint", "detail-string", "no-name", "bad-event-name"],
)
def test_malformed_or_unrelated_events_are_answered_without_error_or_change(aws: World, event):
    aws.training_job("bystander", vpc=UNSET)
    result = aws.process(event)
    assert result["decision"] == "ignored"
    assert aws.status(TRAINING, "bystander") == "InProgress"


def test_an_event_from_another_account_is_ignored(aws: World):
    # Given a job with the same name in our account: the event is about someone else's job
    aws.training_job("shared-name", vpc=UNSET)
    result = aws.process(state_change_event(TRAINING, "shared-name", account="999988887777"))
    assert result["reason"] == "other_account"
    assert aws.status(TRAINING, "shared-name") == "InProgress"


# --- idempotency, AWS errors --------------------------------------------------------------------


def test_both_event_kinds_for_one_job_act_once(aws: World):
    # Given a job outside the VPC
    aws.training_job("twice", vpc=UNSET)
    # When SageMaker's state change arrives first, then CloudTrail's CreateTrainingJob, then a retry
    first = aws.process(state_change_event(TRAINING, "twice"))
    second = aws.process(cloudtrail_event(TRAINING, "twice"))
    third = aws.process(state_change_event(TRAINING, "twice"))
    # Then only the first acts; the others see Stopping/Stopped and publish nothing
    assert first["action"] == "stopped"
    assert (second["decision"], second["reason"]) == ("ignored", "not_running")
    assert (third["decision"], third["reason"]) == ("ignored", "not_running")
    assert len(aws.findings()) == 1


def test_a_stop_that_races_with_another_stop_is_a_no_op(aws: World):
    # Given a job that another invocation stops between our describe and our stop
    aws.training_job("raced", vpc=UNSET)
    real_stop = handler.actions.stop

    def someone_stops_first(sagemaker, kind, name):
        aws.sagemaker.stop_training_job(TrainingJobName=name)
        real_stop(sagemaker, kind, name)  # AWS: ValidationException, the job is Stopping

    # When the enforcer's stop meets that
    with patch.object(handler.actions, "stop", someone_stops_first):
        result = aws.process(state_change_event(TRAINING, "raced"))
    # Then it looks again, sees Stopping, and leaves it (the other invocation reported it)
    assert result["reason"] == "already_handled"
    assert aws.findings() == []


def test_throttling_on_describe_is_raised_and_nothing_changes(aws: World):
    aws.training_job("busy", vpc=UNSET)
    throttle = patch.object(aws.sagemaker, "describe_training_job", side_effect=throttled("DescribeTrainingJob"))
    with throttle, pytest.raises(ClientError) as raised:
        aws.process(state_change_event(TRAINING, "busy"))
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert aws.status(TRAINING, "busy") == "InProgress"
    assert aws.findings() == []


def test_throttling_on_stop_is_raised_and_the_retry_stops_the_job(aws: World):
    # Given a stop that is throttled once
    aws.training_job("busy-stop", vpc=UNSET)
    event = state_change_event(TRAINING, "busy-stop")
    throttle = patch.object(aws.sagemaker, "stop_training_job", side_effect=throttled("StopTrainingJob"))
    with throttle, pytest.raises(ClientError):
        aws.process(event)
    assert aws.status(TRAINING, "busy-stop") == "InProgress"
    assert aws.findings() == []
    # When Lambda retries the same event
    result = aws.process(event)
    # Then the retry stops it and publishes the one finding
    assert result["action"] == "stopped"
    assert len(aws.findings()) == 1


def test_a_finding_that_cannot_be_published_is_logged_and_raised_after_the_stop(aws: World, capsys):
    aws.training_job("no-topic-access", vpc=UNSET)
    denied = ClientError({"Error": {"Code": "AuthorizationError", "Message": "not allowed"}}, "Publish")
    with patch.object(aws.sns, "publish", side_effect=denied), pytest.raises(ClientError):
        aws.process(state_change_event(TRAINING, "no-topic-access"))
    assert aws.status(TRAINING, "no-topic-access") in ("Stopping", "Stopped")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [lost] = [line for line in lines if line["message"] == "finding_not_published"]
    assert lost["finding"]["violations"] == ["vpc.required"]


def test_without_a_topic_the_job_is_still_stopped_and_the_finding_is_only_logged(aws: World):
    aws.training_job("quiet", vpc=UNSET)
    result = aws.process(state_change_event(TRAINING, "quiet"), FINDINGS_TOPIC_ARN="")
    assert (result["action"], result["finding_published"]) == ("stopped", False)
    assert aws.findings() == []


# --- models -------------------------------------------------------------------------------------


def test_a_model_without_a_vpc_is_deleted_and_one_with_is_kept(aws: World):
    model_arn = aws.model("loose-model", vpc=UNSET)
    aws.model("vpc-model")
    bad = aws.process(cloudtrail_event(MODEL, "loose-model"))
    ok = aws.process(cloudtrail_event(MODEL, "vpc-model"))
    assert (bad["action"], bad["violations"]) == ("deleted", ["vpc.required"])
    assert ok["decision"] == "compliant"
    names = [m["ModelName"] for m in aws.sagemaker.list_models()["Models"]]
    assert names == ["vpc-model"]
    [published] = aws.findings()
    assert published["finding"]["resource_arn"] == model_arn
    # And the same event again finds nothing to do
    assert aws.process(cloudtrail_event(MODEL, "loose-model"))["reason"] == "gone"


@pytest.mark.parametrize("as_shadow", [False, True], ids=["production-variant", "shadow-variant"])
def test_a_model_an_endpoint_configuration_uses_is_reported_once_and_not_deleted(aws: World, as_shadow):
    # Given a model without a VPC that an endpoint configuration serves
    aws.model("in-use", vpc=UNSET)
    aws.model("other", vpc=APPROVED)
    for i in range(3):  # a few unrelated configurations first
        aws.endpoint_config(f"unrelated-{i}", "other")
    if as_shadow:
        aws.endpoint_config("fraud-live", "other", shadow="in-use")
    else:
        aws.endpoint_config("fraud-live", "in-use")
    # When its CreateModel event arrives, twice
    first = aws.process(cloudtrail_event(MODEL, "in-use"))
    second = aws.process(cloudtrail_event(MODEL, "in-use"))
    # Then it is kept, one finding says where it is used, and the repeat is a no-op
    assert (first["action"], first["in_use_by"]) == ("retained_in_use", "fraud-live")
    assert aws.sagemaker.describe_model(ModelName="in-use")["ModelName"] == "in-use"
    assert second["reason"] == "already_handled"
    [published] = aws.findings()
    assert published["finding"]["in_use_by"] == "fraud-live"


def test_many_endpoint_configurations_are_read_page_by_page(aws: World):
    # Given the model's configuration on the third page of ListEndpointConfigs
    aws.model("paged", vpc=UNSET)
    aws.model("other")
    for i in range(12):
        aws.endpoint_config(f"cfg-{i:02d}", "other")
    aws.endpoint_config("cfg-zz", "paged")
    pages = []
    aws.sagemaker.meta.events.register("before-call.sagemaker.ListEndpointConfigs", lambda **_: pages.append(1))
    # When its event arrives, with pages of five
    with patch.object(handler.actions, "ENDPOINT_CONFIG_PAGE_SIZE", 5):
        result = aws.process(cloudtrail_event(MODEL, "paged"))
    # Then every page is read until the configuration that uses it is found
    assert result["in_use_by"] == "cfg-zz"
    assert len(pages) == 3


@pytest.mark.parametrize(
    ("allow", "tags", "expected"),
    [
        ("true", {"smenv:inference": "serverless"}, "compliant"),
        ("false", {"smenv:inference": "serverless"}, "deleted"),
        ("true", {}, "deleted"),
        ("true", {"smenv:inference": "realtime"}, "deleted"),
    ],
    ids=["allowed-and-tagged", "not-allowed", "allowed-untagged", "allowed-other-value"],
)
def test_the_serverless_tag_exempts_a_model_from_the_vpc_rule_only_where_allowed(aws: World, allow, tags, expected):
    aws.model("serverless-scorer", vpc=UNSET, tags=tags)
    result = aws.process(cloudtrail_event(MODEL, "serverless-scorer"), ALLOW_SERVERLESS_INFERENCE=allow)
    assert (result["decision"] if expected == "compliant" else result["action"]) == expected


def test_a_serverless_tagged_model_in_an_unapproved_subnet_is_still_a_violation(aws: World):
    aws.model(
        "odd",
        vpc={"Subnets": [ROGUE_SUBNET], "SecurityGroupIds": [SECURITY_GROUP]},
        tags={"smenv:inference": "serverless"},
    )
    result = aws.process(cloudtrail_event(MODEL, "odd"), ALLOW_SERVERLESS_INFERENCE="true")
    assert result["violations"] == ["vpc.subnet_not_approved"]


# --- notebooks ----------------------------------------------------------------------------------


def test_a_notebook_with_internet_root_and_no_vpc_or_key_is_stopped_and_marked(aws: World):
    # Given a running notebook with every setting wrong, and a compliant one
    bad_arn = aws.notebook("open-notebook", subnet=UNSET, key=UNSET, internet="Enabled", root="Enabled")
    aws.notebook("closed-notebook")
    # When their state-change events arrive
    bad = aws.process(state_change_event(NOTEBOOK, "open-notebook", "InService"))
    ok = aws.process(state_change_event(NOTEBOOK, "closed-notebook", "InService"))
    # Then the open one is stopped and marked, the closed one keeps running
    assert bad["violations"] == [
        "vpc.required",
        "kms.volume",
        "notebook.direct_internet_access",
        "notebook.root_access",
    ]
    assert bad["action"] == "stopped"
    assert aws.status(NOTEBOOK, "open-notebook") in ("Stopping", "Stopped")
    assert aws.marker(bad_arn).startswith("v1:stopped:")  # a MAC only the enforcer makes (markers.py)
    assert ok["decision"] == "compliant"
    assert aws.status(NOTEBOOK, "closed-notebook") == "InService"
    # And CloudTrail's CreateNotebookInstance, arriving later, finds it handled: one finding in all
    assert aws.process(cloudtrail_event(NOTEBOOK, "open-notebook"))["reason"] == "already_handled"
    assert len(aws.findings()) == 1


def test_a_notebook_in_an_unapproved_subnet_is_stopped(aws: World):
    aws.notebook("elsewhere", subnet=ROGUE_SUBNET)
    result = aws.process(state_change_event(NOTEBOOK, "elsewhere", "InService"))
    assert result["violations"] == ["vpc.subnet_not_approved"]
    assert result["action"] == "stopped"


def test_a_stopped_notebook_with_bad_settings_is_reported_once_and_not_touched(aws: World):
    # Given a notebook someone else stopped, whose settings are wrong
    nb_arn = aws.notebook("parked", internet="Enabled")
    aws.sagemaker.stop_notebook_instance(NotebookInstanceName="parked")
    start_notebook = patch.object(aws.sagemaker, "start_notebook_instance", side_effect=AssertionError("touched"))
    # When its Stopped event arrives, twice
    with start_notebook:
        first = aws.process(state_change_event(NOTEBOOK, "parked", "Stopped"))
        second = aws.process(state_change_event(NOTEBOOK, "parked", "Stopped"))
    # Then it is reported once, stays Stopped, and is marked as reported
    assert (first["action"], first["violations"]) == ("reported", ["notebook.direct_internet_access"])
    assert second["reason"] == "already_handled"
    assert aws.status(NOTEBOOK, "parked") == "Stopped"
    assert aws.marker(nb_arn).startswith("v1:reported:")
    assert len(aws.findings()) == 1


# --- the finding, the log line, the handler entry point -----------------------------------------


def test_the_finding_says_what_who_and_what_was_done_with_filterable_attributes(aws: World):
    # Given a job created outside the VPC by a known caller
    job_arn = aws.training_job("escaped", vpc=UNSET, volume_key=UNSET)
    event = cloudtrail_event(TRAINING, "escaped")
    # When its CloudTrail event arrives
    aws.process(event)
    # Then one message carries the finding, a subject and attributes for subscription filters
    [published] = aws.findings()
    finding = published["finding"]
    assert finding["schema"] == "smenv.enforcer.finding/1"
    assert finding["resource_arn"] == job_arn
    assert finding["resource_type"] == TRAINING
    assert finding["violations"] == ["vpc.required", "kms.volume"]
    assert {d["rule"] for d in finding["details"]} == {"vpc.required", "kms.volume"}
    assert finding["caller"] == CALLER
    assert finding["action"] == "stopped"
    assert finding["mode"] == "enforce"
    assert finding["event_id"] == event["id"]
    assert finding["cloudtrail_event_id"] == event["detail"]["eventID"]
    assert finding["trigger"] == "CreateTrainingJob"
    assert finding["account"] == ACCOUNT
    assert published["subject"] == "smenv enforcer: stopped training-job escaped"
    assert published["attributes"]["resource_type"] == TRAINING
    assert published["attributes"]["action"] == "stopped"
    assert published["attributes"]["mode"] == "enforce"
    assert json.loads(published["attributes"]["rules"]) == ["vpc.required", "kms.volume"]


def test_each_decision_is_one_json_log_line_with_resource_rules_and_action(aws: World, capsys):
    aws.training_job("logged", vpc=UNSET)
    capsys.readouterr()
    aws.process(state_change_event(TRAINING, "logged"))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [decision] = [line for line in lines if line["message"] == "decision"]
    assert decision["resource_type"] == TRAINING
    assert decision["resource_arn"].endswith(":training-job/logged")
    assert decision["violations"] == ["vpc.required"]
    assert decision["action"] == "stopped"
    assert decision["level"] == "WARNING"


class Context:
    aws_request_id = "c0ffee00-0000-4000-8000-000000000001"
    invoked_function_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:smenv-local-enforcer"


def test_the_lambda_entry_point_reads_its_environment_and_uses_its_cached_clients(aws: World, monkeypatch, capsys):
    # Given the enforcer's environment variables and its clients for this container
    for key, value in enforcer_env(FINDINGS_TOPIC_ARN=aws.topic_arn).items():
        monkeypatch.setenv(key, value)
    handler.set_clients(aws.clients)
    aws.training_job("via-lambda", vpc=UNSET)
    # When Lambda invokes handler(event, context)
    result = handler.handler(state_change_event(TRAINING, "via-lambda"), Context())
    # Then it stops the job, and its log lines carry the request id
    assert result["action"] == "stopped"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(line["aws_request_id"] == Context.aws_request_id for line in lines)


def test_clients_are_made_once_per_container_with_standard_retries(aws: World, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # Lambda always sets it
    handler.set_clients(None)
    first, second = handler.get_clients(), handler.get_clients()
    assert first is second
    assert first.sagemaker.meta.config.retries["mode"] == "standard"
    assert first.sns.meta.config.retries["mode"] == "standard"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ENFORCEMENT_MODE", "banana"),
        ("REQUIRE_KMS", "maybe"),
        ("APPROVED_SUBNET_IDS", "subnet-1,not-a-subnet"),
        ("INSTANCE_STORAGE_FAMILIES", "g5,ml.g5.xlarge"),
    ],
)
def test_a_bad_configuration_is_logged_once_and_refused_without_acting(
    aws: World, monkeypatch, capsys, variable, value
):
    # Given a misconfigured enforcer and a job it would otherwise stop
    for key, v in enforcer_env(FINDINGS_TOPIC_ARN=aws.topic_arn, **{variable: value}).items():
        monkeypatch.setenv(key, v)
    handler.set_clients(aws.clients)
    aws.training_job("unjudged", vpc=UNSET)
    # When it is invoked
    with pytest.raises(handler.ConfigError):
        handler.handler(state_change_event(TRAINING, "unjudged"), Context())
    # Then it says which variable is wrong, in one error line, and changes nothing
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [error] = lines
    assert error["level"] == "ERROR"
    assert error["message"] == "configuration_invalid"
    assert any(variable in problem for problem in error["problems"])
    assert aws.status(TRAINING, "unjudged") == "InProgress"
    assert aws.findings() == []
