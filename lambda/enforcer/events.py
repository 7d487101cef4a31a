"""Which SageMaker resource an EventBridge event is about, or why the event is none of our business.

Two kinds of event name a resource:

- CloudTrail API calls ("AWS API Call via CloudTrail"): the Create* and Update* calls of CALLS.
  They carry the caller's identity; failed calls (errorCode) and read-only calls are ignored.
  CloudTrail writes SageMaker's request parameters and response elements in camelCase (AWS
  CloudTrail User Guide, "CloudTrail record contents"; SageMaker Developer Guide, "Logging Amazon
  SageMaker AI API calls using AWS CloudTrail"): the name comes from requestParameters, else from
  the ARN in responseElements (CreateDomain's only name for the domain: domainArn). The API's
  PascalCase is accepted too.
- SageMaker's own state-change events (EventBridge reference, "Amazon SageMaker AI events"), which
  arrive sooner and need no trail: STATE_CHANGES. Their detail is the resource's Describe* answer:
  <Resource>Name, <Resource>Arn, <Resource>Status.

Three kinds are named by more than a name: a HyperPod cluster's ARN holds its id, not its name, so
the enforcer names a cluster by its ARN when the event gives no name (DescribeCluster takes either);
a Studio app is named by a key of its four parts (rules.app_key), from CreateApp's request (its
ARN lower-cases the app type and does not say whether the owner is a user profile or a space); a
model package is named by its ARN (responseElements.modelPackageArn), the one name a versioned
package has in CreateModelPackage's event: its name is <group>/<version> (the ARN's resource part,
model-package/<group>/<version>) and the request names only the group. DescribeModelPackage and
DeleteModelPackage take the ARN (API reference: ModelPackageName, "The name or Amazon Resource Name
(ARN) of the model package").

The event only says which resource; the decision is made from the resource's description.
parse_event never raises: anything unexpected is an Ignored with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

if __package__:
    from . import rules
else:  # Lambda loads handler.py as a top-level module, with this directory as the code root
    import rules

CLOUDTRAIL = "AWS API Call via CloudTrail"
SAGEMAKER_SOURCE = "aws.sagemaker"
SAGEMAKER_EVENT_SOURCE = "sagemaker.amazonaws.com"

# eventName -> (kind, requestParameters key of the name (None: none), responseElements key of the ARN)
CALLS: dict[str, tuple[str, str | None, str]] = {
    "CreateTrainingJob": (rules.TRAINING_JOB, "trainingJobName", "trainingJobArn"),
    "CreateProcessingJob": (rules.PROCESSING_JOB, "processingJobName", "processingJobArn"),
    "CreateHyperParameterTuningJob": (
        rules.TUNING_JOB,
        "hyperParameterTuningJobName",
        "hyperParameterTuningJobArn",
    ),
    "CreateTransformJob": (rules.TRANSFORM_JOB, "transformJobName", "transformJobArn"),
    "CreateModel": (rules.MODEL, "modelName", "modelArn"),
    "CreateNotebookInstance": (rules.NOTEBOOK, "notebookInstanceName", "notebookInstanceArn"),
    "UpdateNotebookInstance": (rules.NOTEBOOK, "notebookInstanceName", "notebookInstanceArn"),
    "CreateNotebookInstanceLifecycleConfig": (
        rules.LIFECYCLE_CONFIG,
        "notebookInstanceLifecycleConfigName",
        "notebookInstanceLifecycleConfigArn",
    ),
    "UpdateNotebookInstanceLifecycleConfig": (
        rules.LIFECYCLE_CONFIG,
        "notebookInstanceLifecycleConfigName",
        "notebookInstanceLifecycleConfigArn",
    ),
    "CreateEndpointConfig": (rules.ENDPOINT_CONFIG, "endpointConfigName", "endpointConfigArn"),
    "CreateEndpoint": (rules.ENDPOINT, "endpointName", "endpointArn"),
    "UpdateEndpoint": (rules.ENDPOINT, "endpointName", "endpointArn"),
    "CreateMonitoringSchedule": (rules.MONITORING_SCHEDULE, "monitoringScheduleName", "monitoringScheduleArn"),
    "UpdateMonitoringSchedule": (rules.MONITORING_SCHEDULE, "monitoringScheduleName", "monitoringScheduleArn"),
    "CreateCompilationJob": (rules.COMPILATION_JOB, "compilationJobName", "compilationJobArn"),
    "CreateOptimizationJob": (rules.OPTIMIZATION_JOB, "optimizationJobName", "optimizationJobArn"),
    "CreateLabelingJob": (rules.LABELING_JOB, "labelingJobName", "labelingJobArn"),
    "CreateInferenceRecommendationsJob": (rules.RECOMMENDATIONS_JOB, "jobName", "jobArn"),
    "CreateCluster": (rules.CLUSTER, "clusterName", "clusterArn"),
    "UpdateCluster": (rules.CLUSTER, "clusterName", "clusterArn"),
    "CreateDomain": (rules.DOMAIN, None, "domainArn"),
    "UpdateDomain": (rules.DOMAIN, "domainId", "domainArn"),
    "CreateApp": (rules.APP, None, "appArn"),
    # UpdateModelPackage cannot add a ValidationSpecification (API reference: none of its fields).
    "CreateModelPackage": (rules.MODEL_PACKAGE, None, "modelPackageArn"),
}

# detail-type -> (kind, detail key of the name, detail key of the ARN)
STATE_CHANGES: dict[str, tuple[str, str, str]] = {
    "SageMaker Training Job State Change": (rules.TRAINING_JOB, "TrainingJobName", "TrainingJobArn"),
    "SageMaker Processing Job State Change": (rules.PROCESSING_JOB, "ProcessingJobName", "ProcessingJobArn"),
    "SageMaker HyperParameter Tuning Job State Change": (
        rules.TUNING_JOB,
        "HyperParameterTuningJobName",
        "HyperParameterTuningJobArn",
    ),
    "SageMaker Transform Job State Change": (rules.TRANSFORM_JOB, "TransformJobName", "TransformJobArn"),
    "SageMaker Notebook Instance State Change": (rules.NOTEBOOK, "NotebookInstanceName", "NotebookInstanceArn"),
    "SageMaker Model State Change": (rules.MODEL, "ModelName", "ModelArn"),
    "SageMaker Notebook Lifecycle Config State Change": (
        rules.LIFECYCLE_CONFIG,
        "NotebookInstanceLifecycleConfigName",
        "NotebookInstanceLifecycleConfigArn",
    ),
    "SageMaker Endpoint Config State Change": (rules.ENDPOINT_CONFIG, "EndpointConfigName", "EndpointConfigArn"),
    "SageMaker Endpoint State Change": (rules.ENDPOINT, "EndpointName", "EndpointArn"),
    "SageMaker Monitoring Schedule State Change": (
        rules.MONITORING_SCHEDULE,
        "MonitoringScheduleName",
        "MonitoringScheduleArn",
    ),
    "SageMaker HyperPod Cluster State Change": (rules.CLUSTER, "ClusterName", "ClusterArn"),
    # Named by its ARN, as from CloudTrail (a versioned package's name is <group>/<version>); it
    # arrives without a trail (SageMaker Developer Guide, "Get event notifications for ModelLifeCycle").
    "SageMaker Model Package State Change": (rules.MODEL_PACKAGE, "ModelPackageArn", "ModelPackageArn"),
}

# SageMaker names: letters, digits and single-or-repeated hyphens inside, at most 63 characters.
NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:(?P<region>[a-z0-9-]{1,32}):(?P<account>\d{12}):"
    r"(?P<kind>[a-z][a-z-]{0,40})/(?P<name>[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})$"
)
# A model package's ARN: model-package/<name> (unversioned) or model-package/<group>/<version>.
MODEL_PACKAGE_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]{1,32}:\d{12}:model-package/"
    r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}(/\d{1,9})?$"
)
ACCOUNT = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_MAX_TEXT = 512


@dataclass(frozen=True)
class Target:
    """The resource an event is about, and what the event says about who and when. `name` is what
    the Describe* call takes: a name, a cluster's or a model package's ARN, or an app's key (see the
    module doc)."""

    kind: str
    name: str
    trigger: str  # the CloudTrail eventName, or the state-change detail-type
    source: str  # "cloudtrail" or "state-change"
    event_id: str | None = None
    cloudtrail_event_id: str | None = None
    caller: str | None = None
    account: str | None = None
    region: str | None = None
    time: str | None = None
    # The IAM principal behind the call (an assumed role's role ARN, from CloudTrail's userIdentity).
    caller_principal: str | None = None
    # The person behind a role session, where the session carries a source identity: in Studio
    # (execution_role_identity_config USER_PROFILE_NAME) the user profile's name.
    source_identity: str | None = None

    @property
    def written(self) -> bool:
        """The event is the call that created or updated the resource (every call of CALLS is one)."""
        return self.source == "cloudtrail"


@dataclass(frozen=True)
class Ignored:
    reason: str  # a stable slug: not_an_object, unrelated_source, api_call_failed, ...
    detail: str = ""


def _text(value: Any, limit: int = _MAX_TEXT) -> str | None:
    """A string field, cut to a sane length for logs and findings; anything else is None."""
    return value[:limit] if isinstance(value, str) and value else None


def _parse_arn(value: Any, kind: str) -> str | None:
    """The name a SageMaker ARN of this kind holds, or None. A cluster is named by its whole ARN:
    the ARN holds its id, and DescribeCluster takes an ARN (API reference: DescribeCluster); so is
    a model package (its name may hold a slash: <group>/<version>)."""
    if not isinstance(value, str) or len(value) > 300:
        return None
    if kind == rules.MODEL_PACKAGE:
        return value if MODEL_PACKAGE_ARN.match(value) else None
    match = ARN.match(value)
    if not match or match["kind"] != kind:
        return None
    return value if kind == rules.CLUSTER else match["name"]


def _name(candidate: Any, arns: list[Any], kind: str) -> str | None:
    """The resource name: the event's name field when valid, else the name in a matching ARN.
    For a cluster the name field may itself be an ARN (UpdateCluster's ClusterName takes either)."""
    if isinstance(candidate, str) and NAME.match(candidate):
        return candidate
    for arn in [candidate, *arns] if kind == rules.CLUSTER else arns:
        name = _parse_arn(arn, kind)
        if name:
            return name
    return None


def _envelope(event: Mapping[str, Any]) -> dict[str, str | None]:
    account, region = _text(event.get("account"), 12), _text(event.get("region"), 32)
    return {
        "event_id": _text(event.get("id"), 128),
        "account": account if account and ACCOUNT.match(account) else None,
        "region": region if region and REGION.match(region) else None,
        "time": _text(event.get("time"), 64),
    }


def _camel(params: Mapping[str, Any], key: str) -> Any:
    """A request parameter as CloudTrail writes it (camelCase), or as the API spells it."""
    return params.get(key, params.get(key[0].upper() + key[1:]))


def caller_principal(identity: Any) -> str | None:
    """The IAM principal behind a call: for an assumed role, the role (sessionContext.sessionIssuer.arn,
    which CloudTrail writes, not the caller); otherwise the identity's own ARN."""
    if not isinstance(identity, Mapping):
        return None
    context = identity.get("sessionContext")
    issuer = context.get("sessionIssuer") if isinstance(context, Mapping) else None
    if identity.get("type") == "AssumedRole" and isinstance(issuer, Mapping):
        return _text(issuer.get("arn"))
    return _text(identity.get("arn"))


def source_identity(identity: Any) -> str | None:
    """The source identity of the session that made a call (CloudTrail's
    userIdentity.sessionContext.sourceIdentity; IAM User Guide, "Monitor and control actions taken
    with assumed roles"); SageMaker Studio sets the user profile's name there when the domain's
    ExecutionRoleIdentityConfig is USER_PROFILE_NAME. None when the session carries none."""
    context = identity.get("sessionContext") if isinstance(identity, Mapping) else None
    return _text(context.get("sourceIdentity"), 128) if isinstance(context, Mapping) else None


def _app_name(params: Mapping[str, Any]) -> str | None:
    return rules.app_key(
        _camel(params, "domainId"),
        _camel(params, "appType"),
        _camel(params, "appName"),
        user_profile=_camel(params, "userProfileName"),
        space=_camel(params, "spaceName"),
    )


def _parse_cloudtrail(event: Mapping[str, Any], detail: Mapping[str, Any]) -> Target | Ignored:
    if "errorCode" in detail:
        return Ignored("api_call_failed", f"errorCode {_text(detail.get('errorCode'), 80)}")
    if detail.get("readOnly") is True:
        return Ignored("read_only_call")
    if detail.get("eventSource") != SAGEMAKER_EVENT_SOURCE:
        return Ignored("unrelated_api_call", "eventSource is not sagemaker.amazonaws.com")
    event_name = detail.get("eventName")
    if not isinstance(event_name, str) or event_name not in CALLS:
        return Ignored("unrelated_api_call", f"eventName {_text(event_name, 80)}")
    kind, name_key, arn_key = CALLS[event_name]
    params = detail.get("requestParameters")
    params = params if isinstance(params, Mapping) else {}
    response = detail.get("responseElements")
    response = response if isinstance(response, Mapping) else {}
    if kind == rules.APP:
        name = _app_name(params)
    else:
        candidate = _camel(params, name_key) if name_key else None
        name = _name(candidate, [_camel(response, arn_key)], kind)
    if name is None:
        return Ignored("no_resource_name", f"{event_name} without a valid {name_key or arn_key}")
    identity = detail.get("userIdentity")
    return Target(
        kind=kind,
        name=name,
        trigger=event_name,
        source="cloudtrail",
        cloudtrail_event_id=_text(detail.get("eventID"), 128),
        caller=_text(identity.get("arn")) if isinstance(identity, Mapping) else None,
        caller_principal=caller_principal(identity),
        source_identity=source_identity(identity),
        **_envelope(event),
    )


def _parse_state_change(event: Mapping[str, Any], detail: Mapping[str, Any], detail_type: str) -> Target | Ignored:
    kind, name_key, arn_key = STATE_CHANGES[detail_type]
    resources = event.get("resources")
    arns = [detail.get(arn_key), *(resources[:5] if isinstance(resources, list) else [])]
    name = _name(detail.get(name_key), arns, kind)
    if name is None:
        return Ignored("no_resource_name", f"{detail_type} without a valid {name_key}")
    return Target(kind=kind, name=name, trigger=detail_type, source="state-change", **_envelope(event))


def parse_event(event: Any) -> Target | Ignored:
    if not isinstance(event, Mapping):
        return Ignored("not_an_object", f"event is a {type(event).__name__}")
    if event.get("source") != SAGEMAKER_SOURCE:
        return Ignored("unrelated_source", f"source {_text(event.get('source'), 80)!r}")
    detail_type = event.get("detail-type")
    detail = event.get("detail")
    if not isinstance(detail_type, str):
        return Ignored("malformed_event", "detail-type is missing or not a string")
    if not isinstance(detail, Mapping):
        return Ignored("malformed_event", "detail is missing or not an object")
    if detail_type == CLOUDTRAIL:
        return _parse_cloudtrail(event, detail)
    if detail_type in STATE_CHANGES:
        return _parse_state_change(event, detail, detail_type)
    return Ignored("unrelated_detail_type", _text(detail_type, 80) or "")
