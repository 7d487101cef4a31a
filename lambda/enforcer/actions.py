"""What the enforcer asks of AWS: describe, stop, delete, tag, publish. Clients come in as arguments.

A resource that no longer exists is an answer (None / False), not an error. Every other AWS
error is raised as it is, after botocore's standard retries, so that Lambda retries the event
and the dead-letter queue keeps it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

if __package__:
    from . import rules
else:  # Lambda loads handler.py as a top-level module, with this directory as the code root
    import rules

FINDING_SCHEMA = "smenv.enforcer.finding/1"

_DESCRIBE = {
    rules.TRAINING_JOB: ("describe_training_job", "TrainingJobName"),
    rules.PROCESSING_JOB: ("describe_processing_job", "ProcessingJobName"),
    rules.TUNING_JOB: ("describe_hyper_parameter_tuning_job", "HyperParameterTuningJobName"),
    rules.TRANSFORM_JOB: ("describe_transform_job", "TransformJobName"),
    rules.MODEL: ("describe_model", "ModelName"),
    rules.NOTEBOOK: ("describe_notebook_instance", "NotebookInstanceName"),
}
_STOP = {
    rules.TRAINING_JOB: ("stop_training_job", "TrainingJobName"),
    rules.PROCESSING_JOB: ("stop_processing_job", "ProcessingJobName"),
    rules.TUNING_JOB: ("stop_hyper_parameter_tuning_job", "HyperParameterTuningJobName"),
    rules.TRANSFORM_JOB: ("stop_transform_job", "TransformJobName"),
    rules.NOTEBOOK: ("stop_notebook_instance", "NotebookInstanceName"),
}
ENDPOINT_CONFIG_PAGE_SIZE = 100
_NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException", "NoSuchEntity"})
_NOT_FOUND_MESSAGES = ("could not find", "recordnotfound", "record not found", "does not exist")


@dataclass(frozen=True)
class Clients:
    sagemaker: Any
    sns: Any


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_not_found(exc: ClientError) -> bool:
    """SageMaker says "gone" in several ways: ResourceNotFound, or a ValidationException
    whose message is "Could not find ..." (jobs, models) or "RecordNotFound" (notebooks)."""
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", "")).lower()
    if code in _NOT_FOUND_CODES:
        return True
    return code == "ValidationException" and any(text in message for text in _NOT_FOUND_MESSAGES)


def is_validation_error(exc: ClientError) -> bool:
    return error_code(exc) == "ValidationException" and not is_not_found(exc)


def describe(sagemaker, kind: str, name: str) -> dict[str, Any] | None:
    """The resource's current description, or None when it does not exist (any more)."""
    method, param = _DESCRIBE[kind]
    try:
        answer = getattr(sagemaker, method)(**{param: name})
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    answer.pop("ResponseMetadata", None)
    return answer


def stop(sagemaker, kind: str, name: str) -> None:
    method, param = _STOP[kind]
    getattr(sagemaker, method)(**{param: name})


def delete_model(sagemaker, name: str) -> bool:
    """True when this call deleted the model, False when it was already gone."""
    try:
        sagemaker.delete_model(ModelName=name)
    except ClientError as exc:
        if is_not_found(exc):
            return False
        raise
    return True


def list_tags(sagemaker, arn: str) -> dict[str, str]:
    tags: list[Any] = []
    for page in sagemaker.get_paginator("list_tags").paginate(ResourceArn=arn):
        tags.extend(page.get("Tags", []))
    return rules.tags_to_dict(tags)


def mark(sagemaker, arn: str, value: str) -> None:
    """Tag a resource the enforcer stopped or reported and left in place (see rules.MARKER_TAG_KEY)."""
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
