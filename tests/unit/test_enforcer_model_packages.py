"""The enforcer on model packages registered with a validation job: the rule (model_package.validation),
how CreateModelPackage's event names a package (by its ARN: a versioned package's name holds a
slash), and what it does about one in enforce and in audit mode (plain fakes for the clients)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from smenv.build import lambda_loader
from smenv_testing import REPO

handler = lambda_loader.load("enforcer")
actions = lambda_loader.load("enforcer", "actions")
config_module = lambda_loader.load("enforcer", "config")
events = lambda_loader.load("enforcer", "events")
rules = lambda_loader.load("enforcer", "rules")

ACCOUNT, REGION = "123456789012", "eu-west-1"
PACKAGE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/fraud-scorer/3"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:smenv-dev-enforcer-findings"
VALIDATION = {
    "ValidationRole": f"arn:aws:iam::{ACCOUNT}:role/smenv-dev-fraud-sagemaker",
    "ValidationProfiles": [
        {
            "ProfileName": "holdout",
            "TransformJobDefinition": {
                "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://d/h/"}}},
                "TransformOutput": {"S3OutputPath": "s3://d/validation/"},
                "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
            },
        }
    ],
}
PACKAGE = {
    "ModelPackageGroupName": "fraud-scorer",
    "ModelPackageVersion": 3,
    "ModelPackageArn": PACKAGE_ARN,
    "ModelPackageStatus": "Completed",
    "ModelApprovalStatus": "PendingManualApproval",
    "InferenceSpecification": {"Containers": [{"Image": "img"}], "SupportedContentTypes": ["text/csv"]},
}
STRICT = rules.Policy(approved_subnets=frozenset({"subnet-0a"}), approved_security_groups=frozenset({"sg-0b"}))


# --- the rule --------------------------------------------------------------------------------------


def test_a_package_registered_with_a_validation_job_runs_it_outside_the_vpc():
    # Given a package whose description carries a ValidationSpecification
    verdict = rules.evaluate("model-package", {**PACKAGE, "ValidationSpecification": VALIDATION}, STRICT)
    # Then it breaks model_package.validation, an escape, naming the profile
    assert verdict.rule_ids == ["model_package.validation"]
    assert verdict.escapes
    assert "holdout" in verdict.violations[0].message
    assert "outside the VPC" in verdict.violations[0].message


@pytest.mark.parametrize(
    "validation",
    [{}, {"ValidationRole": "r"}, {"ValidationProfiles": "junk"}, "junk"],
    ids=["empty", "no-profiles", "malformed-profiles", "not-an-object"],
)
def test_any_validation_specification_fails_closed_whatever_its_shape(validation):
    verdict = rules.evaluate("model-package", {**PACKAGE, "ValidationSpecification": validation}, STRICT)
    assert verdict.rule_ids == ["model_package.validation"]


def test_a_package_without_a_validation_specification_is_compliant():
    assert rules.evaluate("model-package", PACKAGE, STRICT).compliant
    assert rules.evaluate("model-package", {**PACKAGE, "ValidationSpecification": None}, STRICT).compliant


def test_a_package_is_deleted_by_its_arn_as_it_is_described():
    assert rules.KINDS["model-package"].response == rules.DELETE
    assert rules.ARN_FIELD["model-package"] == "ModelPackageArn"
    assert actions._DESCRIBE["model-package"] == ("describe_model_package", "ModelPackageName")
    assert actions._DELETE["model-package"] == ("delete_model_package", "ModelPackageName")
    assert rules.RULES[-1] == "model_package.validation"  # new rule ids go at the end


# --- the event -------------------------------------------------------------------------------------

CREATE_MODEL_PACKAGE = json.loads((REPO / "tests" / "events" / "cloudtrail" / "CreateModelPackage.json").read_text())


def test_create_model_package_names_the_package_by_the_arn_in_its_response():
    # Given CloudTrail's CreateModelPackage into a group (camelCase: modelPackageGroupName; modelPackageArn)
    assert CREATE_MODEL_PACKAGE["detail"]["requestParameters"]["modelPackageGroupName"] == "fraud-scorer"
    # When it is parsed
    target = events.parse_event(CREATE_MODEL_PACKAGE)
    # Then the package is named by its whole ARN, version included, with the caller and the call
    assert (target.kind, target.name, target.trigger) == ("model-package", PACKAGE_ARN, "CreateModelPackage")
    assert target.caller_principal == f"arn:aws:iam::{ACCOUNT}:role/data-scientist"
    assert target.written


@pytest.mark.parametrize(
    ("arn", "named"),
    [
        (PACKAGE_ARN, True),
        (f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/fraud-scorer", True),  # unversioned
        (f"arn:aws-us-gov:sagemaker:us-gov-west-1:{ACCOUNT}:model-package/fraud-scorer/12", True),
        (f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/fraud-scorer/3/4", False),
        (f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/fraud-scorer/v3", False),
        (f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/fraud-scorer", False),
        (f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/fraud-scorer", False),
        ("fraud-scorer/3", False),  # the request never carries the version: no ARN, no name
    ],
)
def test_only_a_model_package_arn_names_a_package(arn, named):
    event = copy.deepcopy(CREATE_MODEL_PACKAGE)
    event["detail"]["responseElements"] = {"modelPackageArn": arn}
    target = events.parse_event(event)
    if named:
        assert target.name == arn
    else:
        assert target.reason == "no_resource_name"


def test_update_model_package_is_not_watched_it_cannot_add_validation():
    # UpdateModelPackage's request has no ValidationSpecification (botocore's SageMaker model)
    assert "UpdateModelPackage" not in events.CALLS
    event = copy.deepcopy(CREATE_MODEL_PACKAGE)
    event["detail"]["eventName"] = "UpdateModelPackage"
    assert events.parse_event(event).reason == "unrelated_api_call"


# --- the decision, enforce and audit ---------------------------------------------------------------


class FakeSageMaker:
    """DescribeModelPackage and DeleteModelPackage of one package, as SageMaker answers them."""

    class meta:  # as boto3 clients spell it
        region_name = REGION

    def __init__(self, package: dict[str, Any]):
        self.package: dict[str, Any] | None = package
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def describe_model_package(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("describe_model_package", kwargs))
        if self.package is None or kwargs["ModelPackageName"] != self.package["ModelPackageArn"]:
            raise _client_error("ValidationException", f"Model package {kwargs['ModelPackageName']} not found")
        return copy.deepcopy(self.package)

    def delete_model_package(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("delete_model_package", kwargs))
        if self.package is None:
            raise _client_error("ValidationException", f"Model package {kwargs['ModelPackageName']} not found")
        self.package = None
        return {}


class FakeSns:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, **kwargs: Any) -> dict[str, str]:
        self.published.append(json.loads(kwargs["Message"]))
        return {"MessageId": "m-1"}


def _client_error(code: str, message: str):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message}}, "Call")


def decide(package: dict[str, Any], mode: str) -> tuple[dict[str, Any], FakeSageMaker, FakeSns]:
    sagemaker, sns = FakeSageMaker(package), FakeSns()
    config = config_module.load_config({"ENFORCEMENT_MODE": mode, "FINDINGS_TOPIC_ARN": TOPIC})
    clients = actions.Clients(sagemaker=sagemaker, sns=sns)
    result = handler.process(CREATE_MODEL_PACKAGE, config, clients, account=ACCOUNT, region=REGION)
    return result, sagemaker, sns


def test_in_enforce_mode_a_package_with_a_validation_job_is_deleted_and_reported():
    # Given a package registered with a validation job, and its CreateModelPackage call
    result, sagemaker, sns = decide({**PACKAGE, "ValidationSpecification": VALIDATION}, "enforce")
    # Then it is described and deleted by its ARN, and one finding names the call and the caller
    assert (result["decision"], result["action"], result["violations"]) == (
        "violation",
        "deleted",
        ["model_package.validation"],
    )
    assert sagemaker.calls[-1] == ("delete_model_package", {"ModelPackageName": PACKAGE_ARN})
    [finding] = sns.published
    assert (finding["resource_type"], finding["resource_arn"], finding["mode"]) == (
        "model-package",
        PACKAGE_ARN,
        "enforce",
    )
    assert finding["caller"] == "arn:aws:sts::123456789012:assumed-role/data-scientist/alice"
    assert finding["trigger"] == "CreateModelPackage"


def test_in_audit_mode_the_same_finding_is_published_and_the_package_kept():
    result, sagemaker, sns = decide({**PACKAGE, "ValidationSpecification": VALIDATION}, "audit")
    assert (result["action"], result["mode"]) == ("would_delete", "audit")
    assert [name for name, _ in sagemaker.calls] == ["describe_model_package"]
    assert sagemaker.package is not None
    assert [f["action"] for f in sns.published] == ["would_delete"]


def test_a_package_without_a_validation_job_is_left_registered_without_a_finding():
    result, sagemaker, sns = decide(PACKAGE, "enforce")
    assert result["decision"] == "compliant"
    assert sagemaker.package is not None and sns.published == []


def test_a_package_already_deleting_or_deleted_is_left_alone():
    deleting, _, sns = decide(
        {**PACKAGE, "ValidationSpecification": VALIDATION, "ModelPackageStatus": "Deleting"}, "enforce"
    )
    gone_sagemaker = FakeSageMaker(PACKAGE)
    gone_sagemaker.package = None
    config = config_module.load_config({"FINDINGS_TOPIC_ARN": TOPIC})
    gone = handler.process(
        CREATE_MODEL_PACKAGE, config, actions.Clients(gone_sagemaker, FakeSns()), account=ACCOUNT, region=REGION
    )
    assert (deleting["reason"], gone["reason"], gone["gone_at"]) == ("not_running", "gone", "describe")
    assert sns.published == []


def test_a_package_deleted_between_its_describe_and_its_delete_is_gone_not_an_error():
    # Given a package someone else deletes right after the enforcer read it
    sagemaker, sns = FakeSageMaker({**PACKAGE, "ValidationSpecification": VALIDATION}), FakeSns()
    describe = sagemaker.describe_model_package

    def describe_then_vanish(**kwargs: Any) -> dict[str, Any]:
        answer = describe(**kwargs)
        sagemaker.package = None
        return answer

    sagemaker.describe_model_package = describe_then_vanish  # type: ignore[method-assign]
    config = config_module.load_config({"FINDINGS_TOPIC_ARN": TOPIC})
    result = handler.process(
        CREATE_MODEL_PACKAGE, config, actions.Clients(sagemaker, sns), account=ACCOUNT, region=REGION
    )
    # Then the delete's not-found answer, confirmed by a fresh Describe, is "gone", with no finding
    assert (result["reason"], result["gone_at"], result["violations"]) == (
        "gone",
        "delete_model_package",
        ["model_package.validation"],
    )
    assert sns.published == []
