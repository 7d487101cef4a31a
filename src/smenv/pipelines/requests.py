"""Each step of a pipeline definition as the requests SageMaker Pipelines makes for it with the pipeline
execution role, as IAM sees them: action, resource ARN and the condition keys AWS sends. Pure: the
access tests evaluate these against the guardrails and the pipeline role's policies.

    step_requests(definition, account="111111111111", region="eu-west-1", overrides={"AccuracyThreshold": "0.8"})
    -> [StepRequest(step="Preprocess", action="sagemaker:CreateProcessingJob", resource="arn:aws:sagemaker:...",
                    context={"sagemaker:VpcSubnets": ["subnet-..."], ...}), ...]

Keys per step (Service Authorization Reference, "Actions, resources, and condition keys for Amazon
SageMaker"); a key is in `context` only when the request sets the field behind it, as AWS sends it:

| step | action | keys (field) |
| --- | --- | --- |
| Processing | sagemaker:CreateProcessingJob | VpcSubnets, VpcSecurityGroupIds (NetworkConfig.VpcConfig), VolumeKmsKeyArn (ClusterConfig.VolumeKmsKeyId), OutputKmsKeyArn (ProcessingOutputConfig.KmsKeyId), InterContainerTrafficEncryption, NetworkIsolation (NetworkConfig), InstanceTypes, MaxRuntimeInSeconds |
| Training | sagemaker:CreateTrainingJob | VpcSubnets, VpcSecurityGroupIds (VpcConfig), VolumeKmsKeyArn (ResourceConfig), OutputKmsKeyArn (OutputDataConfig), InterContainerTrafficEncryption, NetworkIsolation, InstanceTypes (ResourceConfig or each InstanceGroup), MaxRuntimeInSeconds |
| RegisterModel | sagemaker:CreateModelPackage | ModelApprovalStatus (no tags: a package in a group takes the group's, API reference CreateModelPackage) |

Each create with Tags also sends aws:RequestTag/<key> and aws:TagKeys, and is authorised as
sagemaker:AddTags too, with sagemaker:TaggingAction = the create's name (SageMaker Developer Guide,
"Provide permissions for tagging SageMaker AI resources"); a step naming RoleArn passes it
(iam:PassRole on the role, iam:PassedToService = sagemaker.amazonaws.com). Condition and Fail steps
make no request of their own. Values are strings (lists of strings for multi-valued keys; booleans
"true"/"false"), as IAM compares them.

Resources: a job's ARN is <work prefix><step> followed by what Pipelines appends per execution (with
custom job prefixing; EXAMPLE_SUFFIX stands for it), lower-cased as SageMaker's ARNs are; a model
package's is model-package/<group>/<version> (version 1 here). A parameter takes its DefaultValue or
the override; a condition key whose value is known only while the pipeline runs is a DefinitionError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smenv.pipelines.definition import JOB_STEPS, DefinitionError, parameters, steps

ACTIONS = {
    "Processing": "sagemaker:CreateProcessingJob",
    "Training": "sagemaker:CreateTrainingJob",
    "RegisterModel": "sagemaker:CreateModelPackage",
}
KINDS = {"Processing": "processing-job", "Training": "training-job"}
EXAMPLE_SUFFIX = "-0exampleexec-a1b2c3d4e5"
_UNKNOWN = object()


@dataclass(frozen=True)
class StepRequest:
    """One request: the step it is made for, the IAM action, the resource ARN, {condition key: value}."""

    step: str
    action: str
    resource: str
    context: dict[str, str | list[str]] = field(default_factory=dict)


def step_requests(
    definition: Mapping[str, Any],
    *,
    account: str,
    region: str,
    overrides: Mapping[str, str] | None = None,
) -> list[StepRequest]:
    """Every request the definition's steps make, in step order: per job or RegisterModel step its
    create, then sagemaker:AddTags when it has Tags, then iam:PassRole when it names a RoleArn.
    UsageError for an unknown or ill-typed override; DefinitionError for a key known only at run time."""
    params = parameters(definition, overrides)
    arn = f"arn:aws:sagemaker:{region}:{account}"
    requests: list[StepRequest] = []
    for step in steps(definition):
        kind = step["Type"]
        if kind not in ACTIONS:
            continue
        arguments = step.get("Arguments") or {}
        context = _context(step, arguments, params)
        if kind == "RegisterModel":
            group = _known(step, "ModelPackageGroupName", arguments.get("ModelPackageGroupName"), params)
            resource = f"{arn}:model-package/{group.lower()}/1"
        else:
            prefix = arguments.get(JOB_STEPS[kind])
            name = (
                f"{_known(step, JOB_STEPS[kind], prefix, params)}{EXAMPLE_SUFFIX}"
                if prefix
                else f"pipelines-{step['Name']}{EXAMPLE_SUFFIX}"
            )
            resource = f"{arn}:{KINDS[kind]}/{name.lower()}"
        requests.append(StepRequest(step["Name"], ACTIONS[kind], resource, context))
        if "aws:TagKeys" in context:
            tagging = {k: v for k, v in context.items() if k.startswith("aws:RequestTag/") or k == "aws:TagKeys"}
            tagging["sagemaker:TaggingAction"] = ACTIONS[kind].split(":", 1)[1]
            requests.append(StepRequest(step["Name"], "sagemaker:AddTags", resource, tagging))
        if arguments.get("RoleArn"):
            role = _known(step, "RoleArn", arguments["RoleArn"], params)
            requests.append(
                StepRequest(step["Name"], "iam:PassRole", role, {"iam:PassedToService": "sagemaker.amazonaws.com"})
            )
    return requests


def _get(arguments: Mapping[str, Any], *path: str) -> Any:
    value: Any = arguments
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _sources(kind: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """{condition key: the request field's value (None: not in the request)}."""
    if kind == "RegisterModel":
        return {"sagemaker:ModelApprovalStatus": arguments.get("ModelApprovalStatus")}
    if kind == "Processing":
        cluster = _get(arguments, "ProcessingResources", "ClusterConfig") or {}
        network, vpc = arguments.get("NetworkConfig") or {}, _get(arguments, "NetworkConfig", "VpcConfig") or {}
        output_key = _get(arguments, "ProcessingOutputConfig", "KmsKeyId")
        types = [cluster.get("InstanceType")]
    else:
        cluster, network, vpc = arguments.get("ResourceConfig") or {}, arguments, arguments.get("VpcConfig") or {}
        output_key = _get(arguments, "OutputDataConfig", "KmsKeyId")
        types = [g.get("InstanceType") for g in cluster.get("InstanceGroups") or []] or [cluster.get("InstanceType")]
    return {
        "sagemaker:VpcSubnets": vpc.get("Subnets"),
        "sagemaker:VpcSecurityGroupIds": vpc.get("SecurityGroupIds"),
        "sagemaker:VolumeKmsKeyArn": cluster.get("VolumeKmsKeyId"),
        "sagemaker:OutputKmsKeyArn": output_key,
        "sagemaker:InterContainerTrafficEncryption": network.get("EnableInterContainerTrafficEncryption"),
        "sagemaker:NetworkIsolation": network.get("EnableNetworkIsolation"),
        "sagemaker:InstanceTypes": [t for t in types if t is not None] or None,
        "sagemaker:MaxRuntimeInSeconds": _get(arguments, "StoppingCondition", "MaxRuntimeInSeconds"),
    }


def _context(step: Mapping[str, Any], arguments: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for key, raw in _sources(step["Type"], arguments).items():
        if raw is not None:
            value = _known(step, key, raw, params)
            context[key] = [_text(v) for v in value] if isinstance(value, list) else _text(value)
    tags = [t for t in arguments.get("Tags") or [] if isinstance(t, dict)]
    for tag in tags:
        context[f"aws:RequestTag/{tag.get('Key')}"] = _text(
            _known(step, f"the tag {tag.get('Key')}", tag.get("Value"), params)
        )
    if tags:
        context["aws:TagKeys"] = [str(t.get("Key")) for t in tags]
    return context


def _known(step: Mapping[str, Any], what: str, raw: Any, params: Mapping[str, Any]) -> Any:
    value = _resolve(raw, params)
    if value is _UNKNOWN or (isinstance(value, list) and _UNKNOWN in value):
        raise DefinitionError(
            f"step {step['Name']}: {what} is known only while the pipeline runs; nothing can judge it before"
        )
    return value


def _resolve(value: Any, params: Mapping[str, Any]) -> Any:
    """A value before the run: literals, {"Get": "Parameters.X"} and Std:Join of those; _UNKNOWN otherwise."""
    if isinstance(value, dict) and set(value) == {"Get"}:
        reference = str(value["Get"])
        return (
            params.get(reference.removeprefix("Parameters."), _UNKNOWN)
            if reference.startswith("Parameters.")
            else _UNKNOWN
        )
    if isinstance(value, dict) and set(value) == {"Std:Join"}:
        parts = [_resolve(v, params) for v in value["Std:Join"].get("Values") or []]
        return _UNKNOWN if _UNKNOWN in parts else str(value["Std:Join"].get("On", "")).join(map(_text, parts))
    if isinstance(value, dict):
        return _UNKNOWN
    if isinstance(value, list):
        return [_resolve(v, params) for v in value]
    return value


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
