"""src/smenv/pipelines/requests.py: each step as the IAM requests SageMaker Pipelines makes with the
pipeline role, with the condition keys AWS sends (what the access tests evaluate)."""

from __future__ import annotations

import pytest

from helpers.pipelines import ACCOUNT, KEYS, REGION, ROLE, rendered, step
from smenv.core.project import UsageError
from smenv.pipelines.definition import DefinitionError
from smenv.pipelines.requests import StepRequest, step_requests

ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"


def by(requests: list[StepRequest], name: str, action: str) -> StepRequest:
    [found] = [r for r in requests if r.step == name and r.action == action]
    return found


def test_each_job_step_is_a_create_an_add_tags_and_a_pass_role_in_step_order():
    # Given the rendered example, When its requests are built
    requests = step_requests(rendered(), account=ACCOUNT, region=REGION)
    # Then the job steps and the register step, in order, each with what its create implies
    assert [(r.step, r.action) for r in requests] == [
        ("Preprocess", "sagemaker:CreateProcessingJob"),
        ("Preprocess", "sagemaker:AddTags"),
        ("Preprocess", "iam:PassRole"),
        ("Train", "sagemaker:CreateTrainingJob"),
        ("Train", "sagemaker:AddTags"),
        ("Train", "iam:PassRole"),
        ("Evaluate", "sagemaker:CreateProcessingJob"),
        ("Evaluate", "sagemaker:AddTags"),
        ("Evaluate", "iam:PassRole"),
        ("Register", "sagemaker:CreateModelPackage"),
    ]


def test_a_training_job_sends_the_network_key_encryption_instance_and_tag_keys():
    requests = step_requests(rendered(), account=ACCOUNT, region=REGION)
    train = by(requests, "Train", "sagemaker:CreateTrainingJob")
    assert train.resource.startswith(f"{ARN}:training-job/smenv-dev-fraud-train-")
    assert train.context == {
        "sagemaker:VpcSubnets": ["subnet-0aaa", "subnet-0bbb"],
        "sagemaker:VpcSecurityGroupIds": ["sg-0team"],
        "sagemaker:VolumeKmsKeyArn": KEYS["volumes"],
        "sagemaker:OutputKmsKeyArn": KEYS["models"],
        "sagemaker:InterContainerTrafficEncryption": "true",
        "sagemaker:InstanceTypes": ["ml.m5.xlarge"],
        "sagemaker:MaxRuntimeInSeconds": "3600",
        "aws:RequestTag/team": "fraud",
        "aws:TagKeys": ["team"],
    }


def test_a_processing_job_reads_its_keys_from_network_config_and_cluster_config():
    definition = rendered()
    step(definition, "Preprocess")["Arguments"]["NetworkConfig"]["EnableNetworkIsolation"] = True
    context = by(
        step_requests(definition, account=ACCOUNT, region=REGION), "Preprocess", "sagemaker:CreateProcessingJob"
    ).context
    assert context["sagemaker:OutputKmsKeyArn"] == KEYS["data"]
    assert context["sagemaker:NetworkIsolation"] == "true"
    assert context["sagemaker:VpcSecurityGroupIds"] == ["sg-0team"]


def test_add_tags_names_the_create_and_pass_role_names_the_role_and_the_service():
    requests = step_requests(rendered(), account=ACCOUNT, region=REGION)
    tagging = by(requests, "Evaluate", "sagemaker:AddTags")
    assert tagging.context == {
        "aws:RequestTag/team": "fraud",
        "aws:TagKeys": ["team"],
        "sagemaker:TaggingAction": "CreateProcessingJob",
    }
    assert tagging.resource == by(requests, "Evaluate", "sagemaker:CreateProcessingJob").resource
    passing = by(requests, "Evaluate", "iam:PassRole")
    assert (passing.resource, passing.context) == (ROLE, {"iam:PassedToService": "sagemaker.amazonaws.com"})


def test_the_model_package_is_created_pending_approval_in_the_teams_group():
    register = by(step_requests(rendered(), account=ACCOUNT, region=REGION), "Register", "sagemaker:CreateModelPackage")
    assert register.resource == f"{ARN}:model-package/smenv-dev-fraud-models/1"
    assert register.context == {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}


def test_a_key_the_request_does_not_set_is_not_sent():
    definition = rendered()
    del step(definition, "Train")["Arguments"]["StoppingCondition"]
    del step(definition, "Train")["Arguments"]["Tags"]
    requests = step_requests(definition, account=ACCOUNT, region=REGION)
    context = by(requests, "Train", "sagemaker:CreateTrainingJob").context
    assert "sagemaker:MaxRuntimeInSeconds" not in context and "aws:TagKeys" not in context
    assert not [r for r in requests if r.step == "Train" and r.action == "sagemaker:AddTags"]


def test_a_parameter_takes_its_default_or_the_override():
    definition = rendered()
    definition["Parameters"].append({"Name": "Instance", "Type": "String", "DefaultValue": "ml.m5.large"})
    step(definition, "Train")["Arguments"]["ResourceConfig"]["InstanceType"] = {"Get": "Parameters.Instance"}
    default = by(step_requests(definition, account=ACCOUNT, region=REGION), "Train", "sagemaker:CreateTrainingJob")
    chosen = by(
        step_requests(definition, account=ACCOUNT, region=REGION, overrides={"Instance": "ml.c5.xlarge"}),
        "Train",
        "sagemaker:CreateTrainingJob",
    )
    assert default.context["sagemaker:InstanceTypes"] == ["ml.m5.large"]
    assert chosen.context["sagemaker:InstanceTypes"] == ["ml.c5.xlarge"]


def test_a_key_known_only_while_the_pipeline_runs_cannot_be_judged():
    definition = rendered()
    step(definition, "Train")["Arguments"]["OutputDataConfig"]["KmsKeyId"] = {"Get": "Steps.Preprocess.Something"}
    with pytest.raises(
        DefinitionError, match="step Train: sagemaker:OutputKmsKeyArn is known only while the pipeline runs"
    ):
        step_requests(definition, account=ACCOUNT, region=REGION)


def test_an_override_of_no_parameter_is_refused():
    with pytest.raises(UsageError, match="no such parameter"):
        step_requests(rendered(), account=ACCOUNT, region=REGION, overrides={"Nope": "1"})
