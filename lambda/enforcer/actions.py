"""What the enforcer asks of AWS: describe, stop, delete, tag, publish, and make or check its marker's
MAC (KMS GenerateMac, VerifyMac). Clients come in as arguments; each call per kind is in the tables
_DESCRIBE, _STOP and _DELETE (modules/enforcer's role allows exactly those, and the plan test checks it).

A resource that no longer exists is an answer, not an error: describe() answers None, and a later
call about it that fails because it vanished (confirmed by a fresh Describe) raises Gone, which the
handler logs and leaves. SageMaker says "no such resource" in several ways (NOT_FOUND_FORMS, read
by the pure not_found_form()). Every other AWS error is raised as it is, after botocore's standard
retries, so that Lambda retries the event and the dead-letter queue keeps it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

if __package__:
    from . import markers, rules
else:  # Lambda loads handler.py as a top-level module, with this directory as the code root
    import markers
    import rules

FINDING_SCHEMA = "smenv.enforcer.finding/1"

# kind -> (Describe* method, its name parameter); an app's parameters come from its key (rules.app_parameters).
_DESCRIBE = {
    rules.TRAINING_JOB: ("describe_training_job", "TrainingJobName"),
    rules.PROCESSING_JOB: ("describe_processing_job", "ProcessingJobName"),
    rules.TUNING_JOB: ("describe_hyper_parameter_tuning_job", "HyperParameterTuningJobName"),
    rules.TRANSFORM_JOB: ("describe_transform_job", "TransformJobName"),
    rules.COMPILATION_JOB: ("describe_compilation_job", "CompilationJobName"),
    rules.OPTIMIZATION_JOB: ("describe_optimization_job", "OptimizationJobName"),
    rules.LABELING_JOB: ("describe_labeling_job", "LabelingJobName"),
    rules.RECOMMENDATIONS_JOB: ("describe_inference_recommendations_job", "JobName"),
    rules.MODEL: ("describe_model", "ModelName"),
    rules.NOTEBOOK: ("describe_notebook_instance", "NotebookInstanceName"),
    rules.LIFECYCLE_CONFIG: ("describe_notebook_instance_lifecycle_config", "NotebookInstanceLifecycleConfigName"),
    rules.ENDPOINT_CONFIG: ("describe_endpoint_config", "EndpointConfigName"),
    rules.ENDPOINT: ("describe_endpoint", "EndpointName"),
    rules.MONITORING_SCHEDULE: ("describe_monitoring_schedule", "MonitoringScheduleName"),
    rules.CLUSTER: ("describe_cluster", "ClusterName"),
    rules.DOMAIN: ("describe_domain", "DomainId"),
    rules.APP: ("describe_app", None),
    rules.MODEL_PACKAGE: ("describe_model_package", "ModelPackageName"),  # by its ARN (events.py)
}
_STOP = {
    rules.TRAINING_JOB: ("stop_training_job", "TrainingJobName"),
    rules.PROCESSING_JOB: ("stop_processing_job", "ProcessingJobName"),
    rules.TUNING_JOB: ("stop_hyper_parameter_tuning_job", "HyperParameterTuningJobName"),
    rules.TRANSFORM_JOB: ("stop_transform_job", "TransformJobName"),
    rules.COMPILATION_JOB: ("stop_compilation_job", "CompilationJobName"),
    rules.OPTIMIZATION_JOB: ("stop_optimization_job", "OptimizationJobName"),
    rules.LABELING_JOB: ("stop_labeling_job", "LabelingJobName"),
    rules.RECOMMENDATIONS_JOB: ("stop_inference_recommendations_job", "JobName"),
    rules.MONITORING_SCHEDULE: ("stop_monitoring_schedule", "MonitoringScheduleName"),
    rules.NOTEBOOK: ("stop_notebook_instance", "NotebookInstanceName"),
}
_DELETE = {
    rules.MODEL: ("delete_model", "ModelName"),
    rules.ENDPOINT: ("delete_endpoint", "EndpointName"),
    rules.APP: ("delete_app", None),
    rules.MODEL_PACKAGE: ("delete_model_package", "ModelPackageName"),
}
ENDPOINT_CONFIG_PAGE_SIZE = 100


@dataclass(frozen=True)
class NotFoundForm:
    """One way SageMaker answers "no such resource": an error code, and for a ValidationException
    a message pattern (matched case-insensitively). `source` says where the form is documented."""

    name: str
    code: str
    message: re.Pattern[str] | None
    source: str


def _form(name: str, code: str, message: str | None, source: str) -> NotFoundForm:
    return NotFoundForm(name, code, re.compile(message, re.IGNORECASE) if message else None, source)


_VALIDATION = "ValidationException"
# The first form that matches names the answer. The message forms are all ValidationExceptions:
# a ValidationException saying anything else (a stop racing a job's end: "The request was rejected
# because the training job is in status Completed.", "... is not in a stoppable state") is no form.
NOT_FOUND_FORMS: tuple[NotFoundForm, ...] = (
    _form(
        "resource_not_found",
        "ResourceNotFound",
        None,
        "botocore's SageMaker model: the error shape of Describe/Stop Training, Processing, "
        'HyperParameterTuning and Transform jobs (AWS: "Amazon SageMaker can\'t find a tuning job called x")',
    ),
    _form("resource_not_found_exception", "ResourceNotFoundException", None, "the usual AWS JSON-protocol code"),
    _form(
        "requested_resource_not_found",
        _VALIDATION,
        r"\brequested resource not found\b",
        "AWS DescribeTrainingJob (aws/aws-sdk#165; the ACK SageMaker controller's TrainingJob 404)",
    ),
    _form(
        "could_not_find",
        _VALIDATION,
        r"\bcould not find\b",
        'AWS: Could not find model "arn" (Describe/DeleteModel), Could not find requested job (with name) '
        "(Processing, Transform), Could not find endpoint configuration; moto: Could not find training job ...",
    ),
    _form(
        "record_not_found",
        _VALIDATION,
        r"\brecord ?not ?found\b",
        "AWS and moto: RecordNotFound (Describe/StopNotebookInstance; the ACK controller's NotebookInstance 404)",
    ),
    _form(
        "does_not_exist",
        _VALIDATION,
        r"\bdoes not exist\b",
        "AWS: Notebook Instance <arn> does not exist (DataBiosphere/terra-workspace-manager#1416)",
    ),
    _form(
        "cannot_find",
        _VALIDATION,
        r"\b(cannot|can't|can not) find\b",
        "the team's list of SageMaker answers (Cannot find ...); AWS's own wording is \"can't find\"",
    ),
    _form(
        "not_found",
        _VALIDATION,
        r"\bnot found\b",
        "the team's list (HyperParameterTuningJob ... not found); moto: Model package ... not found",
    ),
)
# What ListTags/AddTags answer on the ARN of a deleted resource: a ValidationException whose message
# AWS does not document (aws/amazon-sagemaker-feedback#108 shows it empty). Such an answer is taken
# for "gone" only once a fresh Describe confirms it.
_CONFIRM_BY_DESCRIBE = frozenset({_VALIDATION})


@dataclass(frozen=True)
class Clients:
    sagemaker: Any
    sns: Any
    kms: Any = None  # for the marker's MAC (markers.py); None: no marker is written or trusted


class Gone(Exception):
    """The resource vanished while the enforcer handled it. `step` is the call that found it gone
    ("stop", "list_tags", "add_tags", "delete_model", "delete_endpoint", "delete_app",
    "delete_model_package"), `form` the NOT_FOUND_FORMS name of the answer
    ("confirmed_by_describe" when only the fresh Describe said so)."""

    def __init__(self, step: str, form: str):
        super().__init__(f"gone at {step} ({form})")
        self.step = step
        self.form = form


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def error_message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "") or "")


def not_found_form(code: str, message: str) -> str | None:
    """The name of the NOT_FOUND_FORMS entry an AWS error (code, message) matches, or None."""
    for form in NOT_FOUND_FORMS:
        if code == form.code and (form.message is None or form.message.search(message)):
            return form.name
    return None


def is_not_found(exc: ClientError) -> bool:
    return not_found_form(error_code(exc), error_message(exc)) is not None


def is_validation_error(exc: ClientError) -> bool:
    return error_code(exc) == _VALIDATION and not is_not_found(exc)


def gone_form(exc: ClientError) -> str:
    """What Gone.form records for an answer: its NOT_FOUND_FORMS name, else "confirmed_by_describe"
    (the answer did not say so, a fresh Describe did)."""
    return not_found_form(error_code(exc), error_message(exc)) or "confirmed_by_describe"


def may_mean_gone(exc: ClientError) -> bool:
    """A not-found form, or an answer that a deleted resource gives without saying so."""
    return is_not_found(exc) or error_code(exc) in _CONFIRM_BY_DESCRIBE


def _parameters(param: str | None, name: str) -> dict[str, str]:
    """A call's parameters naming one resource: {param: name}, or an app's four (rules.app_parameters)."""
    return rules.app_parameters(name) if param is None else {param: name}


def describe_or_gone(sagemaker, kind: str, name: str) -> dict[str, Any]:
    """The resource's current description; Gone (step "describe") when it does not exist (any more)."""
    method, param = _DESCRIBE[kind]
    try:
        answer = getattr(sagemaker, method)(**_parameters(param, name))
    except ClientError as exc:
        form = not_found_form(error_code(exc), error_message(exc))
        if form:
            raise Gone("describe", form) from exc
        raise
    answer.pop("ResponseMetadata", None)
    return answer


def describe(sagemaker, kind: str, name: str) -> dict[str, Any] | None:
    """The resource's current description, or None when it does not exist (any more)."""
    try:
        return describe_or_gone(sagemaker, kind, name)
    except Gone:
        return None


def stop(sagemaker, kind: str, name: str) -> None:
    method, param = _STOP[kind]
    getattr(sagemaker, method)(**_parameters(param, name))


@contextmanager
def vanishing(sagemaker, kind: str, name: str, step: str) -> Iterator[None]:
    """Run AWS calls about one resource; when one fails in a way that may mean the resource is gone
    and a fresh Describe confirms it, raise Gone(step). Any other failure is raised as it is."""
    try:
        yield
    except ClientError as exc:
        if may_mean_gone(exc) and describe(sagemaker, kind, name) is None:
            raise Gone(step, gone_form(exc)) from exc
        raise


def delete(sagemaker, kind: str, name: str) -> None:
    """Delete a model, endpoint, Studio app or model package. Gone (step "delete_<kind>") when it was
    already deleted. A refusal that is no not-found answer (an endpoint still Creating, ...) is raised as it is."""
    method, param = _DELETE[kind]
    with vanishing(sagemaker, kind, name, method):
        getattr(sagemaker, method)(**_parameters(param, name))


def delete_model(sagemaker, name: str) -> None:
    """Delete the model. Gone (step "delete_model") when it was already deleted."""
    delete(sagemaker, rules.MODEL, name)


def describe_job_definition(sagemaker, monitoring_type: str, name: str) -> dict[str, Any] | None:
    """A monitoring job definition (rules.MONITORING_DEFINITIONS), or None when it does not exist."""
    method = rules.MONITORING_DEFINITIONS[monitoring_type][0]
    try:
        answer = getattr(sagemaker, method)(JobDefinitionName=name)
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    answer.pop("ResponseMetadata", None)
    return answer


def generate_mac(kms, key_arn: str, message: bytes) -> bytes:
    """The HMAC of a marker message (AWS KMS GenerateMac, HMAC_SHA_256, the enforcer's HMAC key)."""
    return bytes(kms.generate_mac(KeyId=key_arn, Message=message, MacAlgorithm=markers.MAC_ALGORITHM)["Mac"])


def verify_mac(kms, key_arn: str, message: bytes, mac: bytes) -> bool:
    """True when KMS made this MAC over this message with the key. A MAC that does not verify is
    KMSInvalidMacException (AWS KMS API reference, VerifyMac): False. Any other error is raised."""
    try:
        answer = kms.verify_mac(KeyId=key_arn, Message=message, MacAlgorithm=markers.MAC_ALGORITHM, Mac=mac)
    except ClientError as exc:
        if error_code(exc) == "KMSInvalidMacException":
            return False
        raise
    return answer.get("MacValid") is True


def list_tags(sagemaker, arn: str) -> dict[str, str]:
    tags: list[Any] = []
    for page in sagemaker.get_paginator("list_tags").paginate(ResourceArn=arn):
        tags.extend(page.get("Tags", []))
    return rules.tags_to_dict(tags)


def mark(sagemaker, arn: str, value: str) -> None:
    """Tag a resource the enforcer stopped or reported and left in place (rules.MARKER_TAG_KEY; the
    value is markers.value(), a MAC only the enforcer can make)."""
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": rules.MARKER_TAG_KEY, "Value": value}])


def endpoint_config_using(sagemaker, model_name: str) -> str | None:
    """The first endpoint configuration that serves the model (production or shadow variant)."""
    pages = sagemaker.get_paginator("list_endpoint_configs").paginate(
        PaginationConfig={"PageSize": ENDPOINT_CONFIG_PAGE_SIZE}
    )
    for page in pages:
        for summary in page.get("EndpointConfigs", []):
            config_name = summary.get("EndpointConfigName")
            try:
                description = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
            except ClientError as exc:
                if is_not_found(exc):  # deleted while we looked
                    continue
                raise
            if model_name in rules.models_in_endpoint_config(description):
                return config_name
    return None


def subject(finding: Mapping[str, Any]) -> str:
    """SNS subjects: ASCII, one line, at most 100 characters."""
    text = f"smenv enforcer: {finding['action']} {finding['resource_type']} {finding['resource_name']}"
    return text.encode("ascii", "replace").decode()[:100]


def message_attributes(finding: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """For subscription filter policies: by type, action, mode, and any of the rule ids."""
    return {
        "resource_type": {"DataType": "String", "StringValue": finding["resource_type"]},
        "action": {"DataType": "String", "StringValue": finding["action"]},
        "mode": {"DataType": "String", "StringValue": finding["mode"]},
        "rules": {"DataType": "String.Array", "StringValue": json.dumps(finding["violations"])},
    }


def publish(sns, topic_arn: str, finding: Mapping[str, Any]) -> str:
    answer = sns.publish(
        TopicArn=topic_arn,
        Subject=subject(finding),
        Message=json.dumps(finding, sort_keys=True),
        MessageAttributes=message_attributes(finding),
    )
    return str(answer.get("MessageId", ""))
