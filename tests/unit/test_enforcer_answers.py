"""How the enforcer reads SageMaker's answers: every way AWS says "no such resource", and what is not that."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smenv.build import lambda_loader

actions = lambda_loader.load("enforcer", "actions")

ARN = "arn:aws:sagemaker:us-east-1:123456789012"

# What a call the enforcer makes answers for a resource that is not there: (code, message, form),
# with where the answer was seen as the test id. The form's own source is in actions.NOT_FOUND_FORMS.
GONE = [
    pytest.param(
        "ResourceNotFound",
        "Amazon SageMaker can't find a tuning job called fraud-tune. Type another name.",
        "resource_not_found",
        id="aws-describe-tuning-job",
    ),
    pytest.param(
        "ResourceNotFound",
        f"Could not find hyper parameter tuning job '{ARN}:hyper-parameter-tuning-job/fraud-tune'.",
        "resource_not_found",
        id="moto-stop-tuning-job",
    ),
    pytest.param("ResourceNotFound", "", "resource_not_found", id="botocore-model-any-message"),
    pytest.param("ResourceNotFoundException", "", "resource_not_found_exception", id="aws-json-protocol-code"),
    pytest.param(
        "ValidationException", "Requested resource not found.", "requested_resource_not_found", id="aws-training-job"
    ),
    pytest.param(
        "ValidationException", f'Could not find model "{ARN}:model/fraud-model".', "could_not_find", id="aws-model"
    ),
    pytest.param(
        "ValidationException", 'Could not find model "fraud-model".', "could_not_find", id="moto-delete-model"
    ),
    pytest.param(
        "ValidationException",
        "Could not find requested job with name fraud-score",
        "could_not_find",
        id="aws-transform-job",
    ),
    pytest.param(
        "ValidationException", "Could not find requested job fraud-prep", "could_not_find", id="aws-processing-job"
    ),
    pytest.param(
        "ValidationException",
        f"Could not find training job '{ARN}:training-job/fraud-train'.",
        "could_not_find",
        id="moto-training-job",
    ),
    pytest.param(
        "ValidationException",
        f"Could not find processing job '{ARN}:processing-job/fraud-prep'.",
        "could_not_find",
        id="moto-processing-job",
    ),
    pytest.param(
        "ValidationException",
        f"Could not find transform job '{ARN}:transform-job/fraud-score'.",
        "could_not_find",
        id="moto-transform-job",
    ),
    pytest.param(
        "ValidationException",
        f"Could not find endpoint configuration '{ARN}:endpoint-config/fraud-live'.",
        "could_not_find",
        id="aws-endpoint-config",
    ),
    pytest.param("ValidationException", "RecordNotFound", "record_not_found", id="aws-moto-notebook"),
    pytest.param("ValidationException", "Record not found", "record_not_found", id="notebook-spelt-out"),
    pytest.param(
        "ValidationException",
        f"Notebook Instance {ARN}:notebook-instance/fraud-nb does not exist",
        "does_not_exist",
        id="aws-notebook-does-not-exist",
    ),
    pytest.param("ValidationException", "Cannot find notebook instance fraud-nb", "cannot_find", id="team-cannot-find"),
    pytest.param(
        "ValidationException", "Amazon SageMaker can't find a training job called t", "cannot_find", id="aws-wording"
    ),
    pytest.param(
        "ValidationException", "HyperParameterTuningJob fraud-tune not found", "not_found", id="team-tuning-not-found"
    ),
]


@pytest.mark.parametrize(("code", "message", "form"), GONE)
def test_each_way_sagemaker_says_a_resource_is_gone_is_recognised(code, message, form):
    assert actions.not_found_form(code, message) == form
    assert actions.is_not_found(ClientError({"Error": {"Code": code, "Message": message}}, "Describe"))


def test_every_not_found_form_is_sourced_and_has_an_example_above():
    assert {form.name for form in actions.NOT_FOUND_FORMS} == {case.values[2] for case in GONE}
    assert all(form.source.strip() for form in actions.NOT_FOUND_FORMS)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        # a stop that races the job's end: "already finished", never "gone"
        ("ValidationException", "The request was rejected because the training job is in status Completed."),
        ("ValidationException", "Training job fraud-train is not in a stoppable state."),
        ("ValidationException", "Status (Stopped) not in ([InService]). Unable to transition to (Stopping)"),
        ("ValidationException", "1 validation error detected: Value 'x!' at 'trainingJobName' failed to satisfy"),
        ("ValidationException", ""),  # ListTags/AddTags on a deleted ARN: only a Describe can tell
        ("ThrottlingException", "Rate exceeded"),
        ("AccessDeniedException", "User is not authorized to perform: sagemaker:DescribeModel"),
        ("NoSuchEntity", "The role cannot be found"),  # IAM's code: SageMaker never answers it
        ("ResourceInUse", "Could not find a free instance"),  # a not-found message under another code
    ],
)
def test_other_answers_are_not_taken_for_gone(code, message):
    assert actions.not_found_form(code, message) is None


@pytest.mark.parametrize(
    ("code", "message", "may_be_gone"),
    [
        ("ValidationException", "", True),  # AWS's answer to ListTags/AddTags on a deleted ARN
        ("ValidationException", "The request was rejected because the training job is in status Completed.", True),
        ("ValidationException", "RecordNotFound", True),
        ("ThrottlingException", "Rate exceeded", False),
        ("InternalFailure", "", False),
    ],
)
def test_a_validation_error_is_checked_with_a_fresh_describe_before_it_counts_as_gone(code, message, may_be_gone):
    exc = ClientError({"Error": {"Code": code, "Message": message}}, "ListTags")
    assert actions.may_mean_gone(exc) is may_be_gone


def test_an_answer_without_a_form_is_recorded_as_confirmed_by_describe():
    empty = ClientError({"Error": {"Code": "ValidationException", "Message": ""}}, "AddTags")
    record = ClientError(
        {"Error": {"Code": "ValidationException", "Message": "RecordNotFound"}}, "StopNotebookInstance"
    )
    assert actions.gone_form(empty) == "confirmed_by_describe"
    assert actions.gone_form(record) == "record_not_found"
