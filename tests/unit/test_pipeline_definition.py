"""src/smenv/pipelines/definition.py: the example rendered from the contract, and the check that refuses a
definition leaving the perimeter, naming the step, before anything is sent."""

from __future__ import annotations

import json

import pytest

from helpers.pipelines import KEYS, ROLE, contract, rendered, step
from smenv.core.project import UsageError
from smenv.pipelines import definition as dsl
from smenv.pipelines.contract import contract_from

JOB_STEPS = ("Preprocess", "Train", "Evaluate")


def test_the_example_renders_every_placeholder_from_the_contract_and_passes_the_check():
    # Given the example and fraud's contract in dev, When it is rendered
    definition = rendered()
    text = json.dumps(definition)
    # Then no placeholder is left, the lists stay lists, and the check finds nothing
    assert "${" not in text
    assert step(definition, "Train")["Arguments"]["VpcConfig"]["Subnets"] == ["subnet-0aaa", "subnet-0bbb"]
    assert dsl.check(definition, contract()) == []


def test_every_job_step_runs_as_the_pipeline_role_under_the_teams_prefix_with_the_envs_keys():
    definition = rendered()
    names = {"Preprocess": "ProcessingJobName", "Train": "TrainingJobName", "Evaluate": "ProcessingJobName"}
    for name, field in names.items():
        arguments = step(definition, name)["Arguments"]
        assert arguments["RoleArn"] == ROLE
        assert arguments[field] == f"smenv-dev-fraud-{name.lower()}"
        assert {"Key": "team", "Value": "fraud"} in arguments["Tags"]
    assert step(definition, "Train")["Arguments"]["ResourceConfig"]["VolumeKmsKeyId"] == KEYS["volumes"]
    assert step(definition, "Train")["Arguments"]["OutputDataConfig"]["KmsKeyId"] == KEYS["models"]
    assert step(definition, "Preprocess")["Arguments"]["ProcessingOutputConfig"]["KmsKeyId"] == KEYS["data"]


def test_the_condition_compares_the_training_jobs_final_metric_not_a_property_file():
    # The Pipelines service would read a property file from outside the VPC (examples/pipelines/README.md)
    definition = rendered()
    condition = step(definition, "CheckAccuracy")["Arguments"]["Conditions"][0]
    assert condition["LeftValue"] == {"Get": "Steps.Train.FinalMetricDataList['validation:accuracy'].Value"}
    assert condition["RightValue"] == {"Get": "Parameters.AccuracyThreshold"}
    metrics = step(definition, "Train")["Arguments"]["AlgorithmSpecification"]["MetricDefinitions"]
    assert [m["Name"] for m in metrics] == ["validation:accuracy"]
    assert "JsonGet" not in json.dumps(definition) and "PropertyFiles" not in json.dumps(definition)
    register = step(definition, "Register")["Arguments"]
    assert register["ModelApprovalStatus"] == "PendingManualApproval"
    assert register["ModelMetrics"]["ModelQuality"]["Statistics"]["ContentType"] == "application/json"


def drop_vpc(s):
    if s["Type"] == "Processing":
        del s["Arguments"]["NetworkConfig"]["VpcConfig"]
    else:
        del s["Arguments"]["VpcConfig"]


def set_vpc(s, key, value):
    vpc = s["Arguments"]["NetworkConfig"]["VpcConfig"] if s["Type"] == "Processing" else s["Arguments"]["VpcConfig"]
    vpc[key] = value


def cluster(s):
    a = s["Arguments"]
    return a["ProcessingResources"]["ClusterConfig"] if s["Type"] == "Processing" else a["ResourceConfig"]


def output(s):
    a = s["Arguments"]
    return a["ProcessingOutputConfig"] if s["Type"] == "Processing" else a["OutputDataConfig"]


def no_encryption(s):
    a = s["Arguments"]
    (a["NetworkConfig"] if s["Type"] == "Processing" else a)["EnableInterContainerTrafficEncryption"] = False


def job_name(s, value):
    s["Arguments"]["ProcessingJobName" if s["Type"] == "Processing" else "TrainingJobName"] = value


BREAKS = {
    "has no VpcConfig": drop_vpc,
    "runs in subnets ['subnet-0other']": lambda s: set_vpc(s, "Subnets", ["subnet-0other"]),
    "runs in security groups ['sg-0other']": lambda s: set_vpc(s, "SecurityGroupIds", ["sg-0other"]),
    "encrypts its volume with None": lambda s: cluster(s).pop("VolumeKmsKeyId"),
    "encrypts its volume with 'arn:aws:kms:eu-west-1:111111111111:key/data-0000'": lambda s: cluster(s).update(
        VolumeKmsKeyId=KEYS["data"]
    ),
    "encrypts its output with None": lambda s: output(s).pop("KmsKeyId"),
    "does not encrypt traffic between its containers": no_encryption,
    "is not tagged team=fraud": lambda s: s["Arguments"].update(Tags=[{"Key": "team", "Value": "pricing"}]),
    "sets the platform's own tags smenv:marker": lambda s: s["Arguments"]["Tags"].append(
        {"Key": "smenv:marker", "Value": "x"}
    ),
    "names its job 'smenv-dev-pricing-x'": lambda s: job_name(s, "smenv-dev-pricing-x"),
    "names its job None": lambda s: job_name(s, None),
    "runs as 'arn:aws:iam::111111111111:role/other'": lambda s: s["Arguments"].update(
        RoleArn="arn:aws:iam::111111111111:role/other"
    ),
}


@pytest.mark.parametrize("name", JOB_STEPS)
@pytest.mark.parametrize("problem", BREAKS)
def test_a_job_step_missing_a_control_is_refused_naming_the_step(name, problem):
    # Given the rendered example with one control taken out of one job step
    definition = rendered()
    BREAKS[problem](step(definition, name))
    # When it is checked, Then exactly that step is named, with what is wrong
    problems = dsl.check(definition, contract())
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"step {name} {problem}")


def test_a_volume_key_may_be_absent_on_a_local_nvme_instance_type():
    # SageMaker refuses a volume key on local-storage types (modules/_instance_storage)
    definition = rendered()
    cluster(step(definition, "Train")).update(InstanceType="ml.g5.xlarge")
    cluster(step(definition, "Train")).pop("VolumeKmsKeyId")
    assert dsl.check(definition, contract()) == []


def test_a_register_step_into_another_group_or_with_tags_of_its_own_is_refused():
    # CreateModelPackage refuses Tags with a group: a package takes its group's tags
    definition = rendered()
    step(definition, "Register")["Arguments"].update(
        ModelPackageGroupName="smenv-dev-pricing-models", Tags=[{"Key": "team", "Value": "fraud"}]
    )
    assert dsl.check(definition, contract()) == [
        "step Register registers into 'smenv-dev-pricing-models', not the team's group smenv-dev-fraud-models",
        "step Register sets Tags: a model package in a group takes the group's tags, and AWS refuses them",
    ]


def test_a_register_step_that_asks_sagemaker_to_run_a_validation_job_is_refused():
    # Given a RegisterModel step with a ValidationSpecification: SageMaker would run its batch
    # transform jobs itself, with no VPC, and no IAM condition key shows them
    definition = rendered()
    step(definition, "Register")["Arguments"]["ValidationSpecification"] = {
        "ValidationRole": "arn:aws:iam::111111111111:role/smenv-dev-fraud-pipeline",
        "ValidationProfiles": [{"ProfileName": "p", "TransformJobDefinition": {}}],
    }
    # When it is checked, then it is refused in one line naming the step and the field
    [problem] = dsl.check(definition, contract())
    assert problem.startswith("step Register sets ValidationSpecification: a RegisterModel step sends only ")
    assert problem.endswith("(a ValidationSpecification would run transform jobs outside the VPC)")


def test_a_property_file_read_is_refused_naming_the_condition_step():
    definition = rendered()
    step(definition, "CheckAccuracy")["Arguments"]["Conditions"][0]["LeftValue"] = {
        "Std:JsonGet": {"PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"}, "Path": "accuracy"}
    }
    [problem] = dsl.check(definition, contract())
    assert problem.startswith("step CheckAccuracy reads a property file (Std:JsonGet)")


def test_a_step_type_it_does_not_know_and_a_name_used_twice_are_refused():
    definition = rendered()
    definition["Steps"].append({"Name": "Train", "Type": "Transform", "Arguments": {}})
    problems = dsl.check(definition, contract())
    assert problems[0] == "step Train is named twice"
    assert problems[1].startswith("step Train is a Transform step, which this tool does not judge")


def test_an_unknown_placeholder_or_a_list_inside_a_string_is_a_definition_error():
    with pytest.raises(dsl.DefinitionError, match=r"names \$\{nope\}"):
        rendered({"Steps": [{"Name": "A", "Type": "Fail", "Arguments": {"ErrorMessage": "${nope}"}}]})
    with pytest.raises(dsl.DefinitionError, match="a list"):
        rendered({"Steps": [{"Name": "A", "Type": "Fail", "Arguments": {"ErrorMessage": "in ${subnets}"}}]})


def test_a_contract_missing_values_names_every_missing_parameter():
    with pytest.raises(UsageError) as missing:
        contract_from({"network/private_subnet_ids": "subnet-0aaa"}, "/smenv/dev", "fraud")
    message = str(missing.value)
    assert "\n" not in message
    assert "/smenv/dev/teams/fraud/pipeline_execution_role_arn" in message
    assert "/smenv/dev/kms/volumes/key_arn" in message
    assert "network/private_subnet_ids" not in message


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"Nope": "1"}, "--parameter Nope: the pipeline has no such parameter"),
        ({"AccuracyThreshold": "high"}, "--parameter AccuracyThreshold=high: not a Float"),
    ],
)
def test_an_override_of_no_parameter_or_of_the_wrong_type_is_a_usage_error(overrides, error):
    with pytest.raises(UsageError, match=error):
        dsl.parameters(dsl.load(), overrides)


def test_an_override_replaces_the_default_as_its_type():
    found = dsl.parameters(rendered(), {"AccuracyThreshold": "0.9"})
    assert found == {"InputData": "s3://smenv-dev-fraud-data/datasets/churn/", "AccuracyThreshold": 0.9}
