"""Gaps in moto 5.2.5 that Terraform (and the enforcer Lambda) run into, each filled as narrowly as possible.

A patch here makes the emulator answer a call it does not implement (or answers wrongly); it never
changes what the modules or the Lambda code ask for. Each has a test in
tests/moto/test_emulator_patches.py (in-process moto; apply_all() is also what tools/emulator.py
runs before the server starts).

Each patch is registered with the gap it fills, `@patch(gap=..., effect=...)`: README.md's "Emulator
gaps" table is generated from those, one row per gap in the order the patches are declared, so it
cannot drift (tests/unit/test_emulator_gap_table.py checks it):

    python tools/emulator_patches.py            # print the table
    python tools/emulator_patches.py --write    # write it into README.md between the markers
    python tools/emulator_patches.py --check    # exit 1 (one line) when README.md's table is stale

Importing this module patches nothing: apply_all() does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- BEGIN_EMULATOR_GAPS -->", "<!-- END_EMULATOR_GAPS -->"


@dataclass(frozen=True)
class Gap:
    """A patch's row in README.md's "Emulator gaps" table: what moto lacks, and what that breaks here.

    filled_by is the row's last cell where the patch's name alone would not say it (a row several
    patches share, a note); None gives the patch's name in backticks.
    """

    gap: str
    effect: str
    filled_by: str | None = None


PATCHES: list[Callable[[], None]] = []
GAPS: dict[str, Gap] = {}  # patch name -> the gap it fills


def patch(*, gap: str, effect: str, filled_by: str | None = None) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated function as a patch, with its row of README.md's gap table (markdown)."""

    def register(func: Callable[[], None]) -> Callable[[], None]:
        PATCHES.append(func)
        GAPS[func.__name__] = Gap(gap, effect, filled_by)
        return func

    return register


_APPLIED: set[str] = set()


def apply_all() -> None:
    """Apply every patch, once per process (tests call this in many places)."""
    for func in PATCHES:
        if func.__name__ not in _APPLIED:
            func()
            _APPLIED.add(func.__name__)


@patch(
    gap="`GetKeyRotationStatus` has no `RotationPeriodInDays`",
    effect="every plan shows `rotation_period_in_days 0 -> 365`",
)
def kms_rotation_period() -> None:
    """GetKeyRotationStatus lacks RotationPeriodInDays: Terraform would plan `0 -> 365` on every run."""
    import json

    from moto.kms.responses import KmsResponse

    enable, status = KmsResponse.enable_key_rotation, KmsResponse.get_key_rotation_status

    def key_of(response: KmsResponse):
        backend = response.kms_backend
        return backend.keys[backend.get_key_id(response._get_param("KeyId"))]

    def enable_key_rotation(self: KmsResponse) -> str:
        result = enable(self)
        key_of(self).rotation_period_in_days = self._get_param("RotationPeriodInDays") or 365
        return result

    def get_key_rotation_status(self: KmsResponse) -> str:
        answer = json.loads(status(self))
        if answer.get("KeyRotationEnabled"):
            answer["RotationPeriodInDays"] = getattr(key_of(self), "rotation_period_in_days", 365)
        return json.dumps(answer)

    KmsResponse.enable_key_rotation = enable_key_rotation
    KmsResponse.get_key_rotation_status = get_key_rotation_status


@patch(
    gap="a rule naming a security group or prefix list loses its `Description`; `ModifySecurityGroupRules` "
    "wants ports for protocol `-1`",
    effect="a description change planned every run, and failing to apply",
)
def security_group_rule_descriptions() -> None:
    """A rule that names a security group or prefix list loses its Description in
    DescribeSecurityGroupRules, and ModifySecurityGroupRules insists on ports for protocol -1:
    Terraform then plans a description change on every run and fails to apply it."""
    from moto.ec2.models.security_groups import SecurityGroupBackend, SecurityGroupRule

    init = SecurityGroupRule.__init__
    modify = SecurityGroupBackend.modify_security_group_rules

    def __init__(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        prefix_list = kwargs.get("prefix_list_id", args[7] if len(args) > 7 else None)
        self._peer_description = (self.source_group or {}).get("Description") or (prefix_list or {}).get("Description")

    def description(self) -> str | None:
        return self.ip_range.get("Description") or getattr(self, "_peer_description", None)

    def modify_security_group_rules(self, group_id: str, rules: dict) -> None:
        for rule in rules.values():
            if str(rule.get("IpProtocol")) in ("-1", "all") and rule.get("FromPort") is None:
                rule["FromPort"] = rule["ToPort"] = -1
        modify(self, group_id, rules)

    SecurityGroupRule.__init__ = __init__
    SecurityGroupRule.description = property(description)
    SecurityGroupBackend.modify_security_group_rules = modify_security_group_rules


@patch(
    gap="`GetFunction` never returns `DeadLetterConfig`",
    effect="the enforcer's dead-letter queue planned again every run",
)
def lambda_dead_letter_config() -> None:
    """CreateFunction drops DeadLetterConfig and GetFunction never returns it: Terraform would
    plan to add the function's dead-letter queue on every run."""
    from moto.awslambda.models import LambdaFunction

    init, configuration, update = (
        LambdaFunction.__init__,
        LambdaFunction.get_configuration,
        LambdaFunction.update_configuration,
    )

    def __init__(self, account_id, spec, *args, **kwargs) -> None:
        init(self, account_id, spec, *args, **kwargs)
        self.dead_letter_config = spec.get("DeadLetterConfig") or None

    def get_configuration(self, *args, **kwargs):
        config = configuration(self, *args, **kwargs)
        if getattr(self, "dead_letter_config", None):
            config["DeadLetterConfig"] = self.dead_letter_config
        return config

    def update_configuration(self, config_updates):
        if "DeadLetterConfig" in config_updates:
            self.dead_letter_config = config_updates["DeadLetterConfig"] or None
        return update(self, config_updates)

    LambdaFunction.__init__ = __init__
    LambdaFunction.get_configuration = get_configuration
    LambdaFunction.update_configuration = update_configuration


@patch(
    gap="`GetBucketNotificationConfiguration` drops `EventBridgeConfiguration`",
    effect="EventBridge notifications planned again on every bucket",
)
def s3_eventbridge_notifications() -> None:
    """GetBucketNotificationConfiguration drops EventBridgeConfiguration: Terraform would plan to
    turn EventBridge notifications on for every bucket on every run."""
    from moto.core.common_types import TYPE_RESPONSE
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification

    def get_bucket_notification(self: S3Response) -> TYPE_RESPONSE:
        config = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if not config or config.event_bridge is None or config.topic or config.queue or config.cloud_function:
            return original(self)
        from moto.core.responses import ActionResult

        self.data["Action"] = "GetBucketNotificationConfiguration"
        return self.serialized(ActionResult({"EventBridgeConfiguration": {}}))

    S3Response.get_bucket_notification = get_bucket_notification


# --- SageMaker: what the enforcer (lambda/enforcer) meets -------------------------------------
# apply_all() may run more than once in a process (every test calls it): _install() replaces an
# attribute once and leaves an already-patched one alone.

_JOB_STATUS = {  # backend collection -> status attribute of its jobs
    "training_jobs": "training_job_status",
    "transform_jobs": "transform_job_status",
    "hyper_parameter_tuning_jobs": "hyper_parameter_tuning_job_status",
}


def _install(owner: object, name: str, make: Callable) -> None:
    """Wrap owner.name with make(current), once per patch: two patches may wrap the same method."""
    current = getattr(owner, name, None)
    applied = getattr(current, "_smenv_patches", frozenset())
    if make.__qualname__ in applied:
        return
    replacement = make(current)
    replacement._smenv_patches = applied | {make.__qualname__}
    setattr(owner, name, replacement)


@patch(
    gap="SageMaker jobs are created `Completed`",
    effect="nothing is ever running for the enforcer to stop",
)
def sagemaker_jobs_start_in_progress() -> None:
    """moto creates training, processing, tuning and transform jobs already Completed; AWS creates
    them InProgress. Without this no running job exists to watch, stop or enforce on. Here they
    stay InProgress until stopped (the emulator runs nothing)."""
    from moto.sagemaker import models

    starts = {
        models.FakeTrainingJob: {"training_job_status": "InProgress", "secondary_status": "Starting"},
        models.FakeProcessingJob: {"processing_job_status": "InProgress"},
        models.FakeTransformJob: {"transform_job_status": "InProgress"},
        models.HyperParameterTuningJob: {"hyper_parameter_tuning_job_status": "InProgress"},
    }
    ends = ("training_end_time", "processing_end_time", "transform_end_time", "hyper_parameter_tuning_end_time")
    for cls, status in starts.items():

        def make(init, status=status):
            def __init__(self, *args, **kwargs):
                init(self, *args, **kwargs)
                for key, value in status.items():
                    setattr(self, key, value)
                for key in ends:  # a running job has not ended; None is left out of the answer
                    if hasattr(self, key):
                        setattr(self, key, None)

            return __init__

        _install(cls, "__init__", make)
    # The tuning job's own Describe lists every field, None included: leave out what is None.
    _install(
        models.HyperParameterTuningJob,
        "describe",
        lambda describe: lambda self: {k: v for k, v in describe(self).items() if v is not None},
    )


def _stop_job(collection: str, param: str, noun: str, arn_kind: str, missing_code: str = "ValidationException"):
    """A Stop*Job response: InProgress -> Stopping (AWS moves it to Stopped a little later; here
    the next Describe does, see _stopping_becomes_stopped). Another state is a ValidationException."""

    def make(_missing):
        def stop(self):
            from moto.core.responses import EmptyResult
            from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
            from moto.sagemaker.utils import arn_formatter

            name = self._get_param(param)
            backend = self.sagemaker_backend
            job = getattr(backend, collection).get(name)
            if job is None:
                arn = arn_formatter(arn_kind, name, backend.account_id, backend.region_name)
                message = f"Could not find {noun} '{arn}'."
                raise ResourceNotFound(message) if missing_code == "ResourceNotFound" else ValidationError(message)
            status_attr = _JOB_STATUS[collection]
            status = getattr(job, status_attr)
            if status != "InProgress":
                raise ValidationError(f"The request was rejected because the {noun} is in status {status}.")
            setattr(job, status_attr, "Stopping")
            if hasattr(job, "secondary_status"):
                job.secondary_status = "Stopping"
            return EmptyResult()

        return stop

    return make


def _stopping_becomes_stopped(describe_name: str, collection: str) -> None:
    """Wrap the backend's Describe: the answer that first shows Stopping moves the job to Stopped."""
    from moto.core.utils import utcnow
    from moto.sagemaker.models import SageMakerModelBackend

    status_attr = _JOB_STATUS[collection]
    end_attr = {"training_jobs": "training_end_time", "transform_jobs": "transform_end_time"}.get(
        collection, "hyper_parameter_tuning_end_time"
    )

    def make(describe):
        def wrapped(self, *args, **kwargs):
            answer = describe(self, *args, **kwargs)
            name = args[0] if args else next(iter(kwargs.values()), None)
            job = getattr(self, collection).get(name)
            if job is not None and getattr(job, status_attr) == "Stopping":
                setattr(job, status_attr, "Stopped")
                if hasattr(job, "secondary_status"):
                    job.secondary_status = "Stopped"
                setattr(job, end_attr, utcnow())
            return answer

        return wrapped

    _install(SageMakerModelBackend, describe_name, make)


# The one row the three Stop*Job patches below share in README.md's table.
_STOP_JOBS_GAP = {
    "gap": "no `StopTrainingJob`, `StopTransformJob`, `StopHyperParameterTuningJob`",
    "effect": "the enforcer cannot stop those jobs",
    "filled_by": "`sagemaker_stop_*`",
}


@patch(**_STOP_JOBS_GAP)
def sagemaker_stop_training_job() -> None:
    """moto has no StopTrainingJob (NotImplementedError): the enforcer could not stop a training job."""
    from moto.sagemaker.responses import SageMakerResponse

    _install(
        SageMakerResponse,
        "stop_training_job",
        _stop_job("training_jobs", "TrainingJobName", "training job", "training-job"),
    )
    _stopping_becomes_stopped("describe_training_job", "training_jobs")


@patch(**_STOP_JOBS_GAP)
def sagemaker_stop_transform_job() -> None:
    """moto has no StopTransformJob (NotImplementedError): the enforcer could not stop a transform job."""
    from moto.sagemaker.responses import SageMakerResponse

    _install(
        SageMakerResponse,
        "stop_transform_job",
        _stop_job("transform_jobs", "TransformJobName", "transform job", "transform-job"),
    )
    _stopping_becomes_stopped("describe_transform_job", "transform_jobs")


@patch(**_STOP_JOBS_GAP)
def sagemaker_stop_hyper_parameter_tuning_job() -> None:
    """moto has no StopHyperParameterTuningJob (NotImplementedError): a tuning job could not be stopped."""
    from moto.sagemaker.responses import SageMakerResponse

    _install(
        SageMakerResponse,
        "stop_hyper_parameter_tuning_job",
        _stop_job(
            "hyper_parameter_tuning_jobs",
            "HyperParameterTuningJobName",
            "hyper parameter tuning job",
            "hyper-parameter-tuning-job",
            missing_code="ResourceNotFound",
        ),
    )
    _stopping_becomes_stopped("describe_hyper_parameter_tuning_job", "hyper_parameter_tuning_jobs")


@patch(
    gap="`CreateProcessingJob` drops `ProcessingResources`",
    effect="every processing job looks unencrypted",
)
def sagemaker_processing_job_resources() -> None:
    """moto's CreateProcessingJob drops ProcessingResources, so DescribeProcessingJob never shows the
    volume's KMS key (ClusterConfig.VolumeKmsKeyId) and every processing job looks unencrypted."""
    from moto.sagemaker.responses import SageMakerResponse

    def make(create):
        def create_processing_job(self):
            result = create(self)
            job = self.sagemaker_backend.processing_jobs.get(self._get_param("ProcessingJobName"))
            if job is not None:
                job.processing_resources = self._get_param("ProcessingResources")
            return result

        return create_processing_job

    _install(SageMakerResponse, "create_processing_job", make)


@patch(
    gap="`CreateEndpointConfig` drops `ShadowProductionVariants`",
    effect="a shadow-only model looks unused (and the shadow variant vanishes)",
)
def sagemaker_endpoint_config_shadow_variants() -> None:
    """moto's CreateEndpointConfig drops ShadowProductionVariants, so DescribeEndpointConfig never
    shows a model served only as a shadow (the enforcer must not delete such a model)."""
    from moto.sagemaker.responses import SageMakerResponse

    def make(create):
        def create_endpoint_config(self):
            result = create(self)
            config = self.sagemaker_backend.endpoint_configs.get(self._get_param("EndpointConfigName"))
            shadows = self._get_param("ShadowProductionVariants")
            if config is not None and shadows:
                config.shadow_production_variants = shadows
            return result

        return create_endpoint_config

    _install(SageMakerResponse, "create_endpoint_config", make)


@patch(
    gap="a transform or tuning job created without tags has no tag list: `ListTags`, `AddTags` on it fail (500)",
    effect="`tools/sweep.py` cannot tell such a job is not Terraform's",
)
def sagemaker_tags_of_untagged_jobs() -> None:
    """moto keeps Tags=None for a transform or tuning job created without tags, and ListTags,
    AddTags or DeleteTags on it fail with an internal error (AWS answers an empty list). tools/sweep.py
    reads every running job's tags to leave Terraform's alone."""
    from moto.sagemaker.models import SageMakerModelBackend

    def make(lookup):
        def _get_resource_from_arn(self, arn: str):
            resource = lookup(self, arn)
            if resource is not None and getattr(resource, "tags", []) is None:
                resource.tags = []
            return resource

        return _get_resource_from_arn

    _install(SageMakerModelBackend, "_get_resource_from_arn", make)


@patch(
    gap="no `UpdateEndpoint`",
    effect="`tools/promote_model.py --endpoint` cannot move an endpoint to a new configuration",
)
def sagemaker_update_endpoint() -> None:
    """moto has no UpdateEndpoint (NotImplementedError): tools/promote_model.py could not move an
    endpoint to a new configuration. Here the endpoint takes the configuration's variants at once and
    stays InService (AWS goes Updating -> InService after a blue/green deployment); an unknown
    endpoint or configuration is the ValidationException AWS answers."""
    from moto.sagemaker.responses import SageMakerResponse

    def make(_missing):
        def update_endpoint(self):
            from moto.core.responses import ActionResult
            from moto.core.utils import utcnow
            from moto.sagemaker.exceptions import ValidationError
            from moto.sagemaker.utils import arn_formatter

            backend = self.sagemaker_backend
            name = self._get_param("EndpointName")
            endpoint = backend.endpoints.get(name)
            if endpoint is None:
                arn = arn_formatter("endpoint", name, backend.account_id, backend.region_name)
                raise ValidationError(f"Could not find endpoint '{arn}'.")
            if endpoint.endpoint_status != "InService":
                raise ValidationError(f"Cannot update in-progress endpoint '{endpoint.arn}'.")
            config = backend.describe_endpoint_config(self._get_param("EndpointConfigName"))
            endpoint.endpoint_config_name = config["EndpointConfigName"]
            endpoint.production_variants = endpoint._process_production_variants(config["ProductionVariants"])
            shadows = config.get("ShadowProductionVariants")
            endpoint.shadow_production_variants = endpoint._process_production_variants(shadows) if shadows else None
            endpoint.data_capture_config = config.get("DataCaptureConfig")
            endpoint.last_modified_time = utcnow()
            endpoint.endpoint_status = "InService"
            return ActionResult({"EndpointArn": endpoint.arn})

        return update_endpoint

    _install(SageMakerResponse, "update_endpoint", make)


@patch(
    gap="`CreateNotebookInstanceLifecycleConfig` drops `Tags`; tag calls on a lifecycle configuration fail (500)",
    effect="the notebook unit cannot be applied (every resource carries the provider's default tags)",
)
def sagemaker_lifecycle_config_tags() -> None:
    """moto drops the Tags of CreateNotebookInstanceLifecycleConfig, and ListTags, AddTags or
    DeleteTags on a lifecycle configuration fail with an internal error (500): Terraform, which tags
    everything through the provider's default tags, cannot create modules/notebook's configurations.
    Here a configuration keeps its tags and answers the tag calls as AWS does."""
    from moto.sagemaker.models import SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse

    def make_lookup(lookup):
        def _get_resource_from_arn(self, arn: str):
            kind, _, name = arn.rsplit(":", 1)[-1].partition("/")
            if kind == "notebook-instance-lifecycle-config":
                config = self.notebook_instance_lifecycle_configurations.get(name)
                if config is not None:
                    if getattr(config, "tags", None) is None:
                        config.tags = []
                    return config
            return lookup(self, arn)

        return _get_resource_from_arn

    def make_create(create):
        def create_notebook_instance_lifecycle_config(self):
            result = create(self)
            name = self._get_param("NotebookInstanceLifecycleConfigName")
            config = self.sagemaker_backend.notebook_instance_lifecycle_configurations[name]
            config.tags = list(self._get_param("Tags") or [])
            return result

        return create_notebook_instance_lifecycle_config

    _install(SageMakerModelBackend, "_get_resource_from_arn", make_lookup)
    _install(SageMakerResponse, "create_notebook_instance_lifecycle_config", make_create)


@patch(
    gap="Application Auto Scaling has no tag calls (500) and drops `RegisterScalableTarget`'s `Tags`",
    effect="the endpoint's scalable target cannot be applied",
)
def application_autoscaling_tags() -> None:
    """moto's Application Auto Scaling has no TagResource, UntagResource or ListTagsForResource
    (500), and drops the Tags of RegisterScalableTarget: Terraform cannot create the endpoint's
    scalable target. Here a target keeps its tags, by ARN, and the three calls answer as AWS does."""
    import json

    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    def tags_of(response) -> dict[str, dict[str, str]]:
        backend = response.applicationautoscaling_backend
        if not hasattr(backend, "smenv_tags"):
            backend.smenv_tags = {}
        return backend.smenv_tags

    def known(response, arn: str) -> bool:
        targets = response.applicationautoscaling_backend.targets.values()
        return any(t.arn == arn for by_dimension in targets for t in by_dimension.values())

    def not_found(arn: str):
        from moto.core.exceptions import JsonRESTError

        return JsonRESTError("ResourceNotFoundException", f"No scalable target found for {arn}")

    def make_register(register):
        def register_scalable_target(self):
            result = register(self)
            arn = json.loads(result)["ScalableTargetARN"]
            if self._get_param("Tags"):
                tags_of(self).setdefault(arn, {}).update(self._get_param("Tags"))
            return result

        return register_scalable_target

    def make_tag(_missing):
        def tag_resource(self):
            arn = self._get_param("ResourceARN")
            if not known(self, arn):
                raise not_found(arn)
            tags_of(self).setdefault(arn, {}).update(self._get_param("Tags") or {})
            return "{}"

        return tag_resource

    def make_untag(_missing):
        def untag_resource(self):
            arn = self._get_param("ResourceARN")
            if not known(self, arn):
                raise not_found(arn)
            for key in self._get_param("TagKeys") or []:
                tags_of(self).get(arn, {}).pop(key, None)
            return "{}"

        return untag_resource

    def make_list(_missing):
        def list_tags_for_resource(self):
            arn = self._get_param("ResourceARN")
            if not known(self, arn):
                raise not_found(arn)
            return json.dumps({"Tags": tags_of(self).get(arn, {})})

        return list_tags_for_resource

    _install(ApplicationAutoScalingResponse, "register_scalable_target", make_register)
    _install(ApplicationAutoScalingResponse, "tag_resource", make_tag)
    _install(ApplicationAutoScalingResponse, "untag_resource", make_untag)
    _install(ApplicationAutoScalingResponse, "list_tags_for_resource", make_list)


# What CreateX accepts and DescribeX must answer, that moto drops: Terraform then plans to replace
# the resource on every run. Kept on moto's object at create, merged into the describe answer.
_KEPT_FIELDS = {
    # (create, describe, backend collection, name parameter): fields
    ("create_model", "describe_model", "_models", "ModelName"): ["EnableNetworkIsolation"],
    ("create_notebook_instance", "describe_notebook_instance", "notebook_instances", "NotebookInstanceName"): [
        "PlatformIdentifier",
        "InstanceMetadataServiceConfiguration",
    ],
}


@patch(
    gap="`DescribeModel` omits `EnableNetworkIsolation`; `DescribeNotebookInstance` omits `PlatformIdentifier` "
    "and `InstanceMetadataServiceConfiguration`",
    effect="every plan would replace the models and the notebooks",
)
def sagemaker_kept_fields() -> None:
    """moto drops a model's EnableNetworkIsolation and a notebook instance's PlatformIdentifier and
    InstanceMetadataServiceConfiguration: each plan after an apply would replace them (forces
    replacement). Here they are kept and described as AWS does."""
    from moto.core.responses import ActionResult
    from moto.sagemaker.responses import SageMakerResponse

    for (create_name, describe_name, collection, name_param), fields in _KEPT_FIELDS.items():

        def make_create(create, collection=collection, name_param=name_param, fields=fields):
            def create_resource(self):
                result = create(self)
                resource = getattr(self.sagemaker_backend, collection)[self._get_param(name_param)]
                resource.smenv_kept = {f: self._get_param(f) for f in fields if self._get_param(f) is not None}
                return result

            return create_resource

        def make_describe(describe, collection=collection, name_param=name_param):
            def describe_resource(self):
                result = describe(self)
                resource = getattr(self.sagemaker_backend, collection).get(self._get_param(name_param))
                kept = getattr(resource, "smenv_kept", {})
                return ActionResult({**result.result, **kept}) if kept else result

            return describe_resource

        make_create.__qualname__ = f"sagemaker_kept_fields.{create_name}"
        make_describe.__qualname__ = f"sagemaker_kept_fields.{describe_name}"
        _install(SageMakerResponse, create_name, make_create)
        _install(SageMakerResponse, describe_name, make_describe)


@patch(
    gap="a bucket policy's `Deny` is applied without its conditions (TLS, VPC endpoint, SSE headers)",
    effect="every object call to a bucket with the real policies is refused; `live/local` had to drop them",
    filled_by="`s3_bucket_policies_not_evaluated` (the emulator evaluates no policy; `make access` does)",
)
def s3_bucket_policies_not_evaluated() -> None:
    """moto evaluates a bucket policy's Deny statements without their conditions.

    Its IAMPolicy ignores aws:SecureTransport, aws:SourceVpce, aws:PrincipalArn and the SSE headers,
    so every conditional Deny (TLS only, VPC endpoint only, the bucket's key only) refuses all
    object I/O, although AWS would allow it. The emulator evaluates no policy at all, as the README
    says; what a policy allows is proven by the access matrix (tools/access_matrix.py).
    """
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: FakeBucket, action: str, resource: str) -> PermissionResult:
        return PermissionResult.NEUTRAL

    FakeBucket.get_permission = get_permission


@patch(
    gap="no `DeleteModelPackageGroup`",
    effect="the promotion unit cannot be destroyed",
)
def sagemaker_delete_model_package_group() -> None:
    """moto has no DeleteModelPackageGroup (500): destroying modules/promotion fails. Here an empty
    group is deleted; one that still holds model packages is refused (ConflictException), as AWS
    refuses it."""
    from moto.sagemaker.responses import SageMakerResponse

    def make(_missing):
        def delete_model_package_group(self):
            from moto.core.responses import EmptyResult
            from moto.sagemaker.exceptions import ConflictException, ValidationError

            backend, name = self.sagemaker_backend, self._get_param("ModelPackageGroupName")
            if name not in backend.model_package_groups:
                raise ValidationError(f"ModelPackageGroup {name} does not exist.")
            if any(p.model_package_group_name == name for p in backend.model_packages.values()):
                raise ConflictException(f"Model Package Group {name} contains model packages: delete them first.")
            del backend.model_package_groups[name]
            return EmptyResult()

        return delete_model_package_group

    _install(SageMakerResponse, "delete_model_package_group", make)


@patch(
    gap="no `DeleteModelPackage`",
    effect="a promoted package cannot be retired, so its group cannot go either",
)
def sagemaker_delete_model_package() -> None:
    """moto has no DeleteModelPackage (500): a promoted package cannot be retired, so its group
    (modules/promotion) can never be destroyed. Here a package is deleted by name or ARN."""
    from moto.sagemaker.responses import SageMakerResponse

    def make(_missing):
        def delete_model_package(self):
            from moto.core.responses import EmptyResult

            backend, name = self.sagemaker_backend, self._get_param("ModelPackageName")
            package = backend.describe_model_package(name)  # ValidationException when unknown, as AWS
            del backend.model_packages[package.arn]
            for alias in [k for k, v in backend.model_package_name_mapping.items() if v == package.arn]:
                del backend.model_package_name_mapping[alias]
            return EmptyResult()

        return delete_model_package

    _install(SageMakerResponse, "delete_model_package", make)


# --- ECR: what tools/promote_model.py meets when it copies a custom image between accounts ----------

# The emulator's stand-in for ECR's presigned layer URLs (S3 in AWS): a plain GET on the ECR
# endpoint itself. The path starts /ecr_<region>/ so that moto's server routes an unsigned GET to ECR.
ECR_LAYER_PATH = "/ecr_{region}/smenv-layer/{account}/{digest}"


def _ecr_layers(repository) -> dict[str, bytes]:
    """The bytes of each layer (and config blob) a moto repository holds, by digest."""
    if not hasattr(repository, "smenv_layer_bytes"):
        repository.smenv_layer_bytes = {}
    return repository.smenv_layer_bytes


def _serve_ecr_layer(request, full_url: str, headers) -> tuple[int, dict, bytes]:
    """GET <ECR endpoint>/ecr_<region>/smenv-layer/<account>/<digest>?repository=<name>: the layer."""
    from urllib.parse import parse_qs, urlsplit

    from moto.ecr.models import ecr_backends

    parts = urlsplit(full_url)
    _, service_region, _, account, digest = parts.path.split("/", 4)
    region = service_region.removeprefix("ecr_")
    repository = ecr_backends[account][region].repositories.get(parse_qs(parts.query).get("repository", [""])[0])
    data = _ecr_layers(repository).get(digest) if repository is not None else None
    if data is None:
        return 404, {"Content-Type": "text/plain"}, b"NoSuchKey"
    return 200, {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))}, data


@patch(
    gap="no `GetDownloadUrlForLayer`, and `CompleteLayerUpload` keeps only a layer's size",
    effect="a pushed image cannot be pulled, so `tools/promote_model.py` cannot copy one (the patch serves "
    "each layer at a URL on the emulator, as AWS serves a presigned one)",
)
def ecr_layer_downloads() -> None:
    """moto has no GetDownloadUrlForLayer (NotImplementedError), and CompleteLayerUpload keeps only
    a layer's size: nothing pushed can be pulled, so promote_model cannot copy an image. Here a
    completed layer keeps its bytes and GetDownloadUrlForLayer answers a URL that serves them (AWS
    answers a presigned S3 URL); a layer the repository does not hold is LayersNotFoundException,
    as in AWS."""
    from urllib.parse import quote, urlsplit

    from moto.core.exceptions import JsonRESTError
    from moto.ecr import urls
    from moto.ecr.models import ECRBackend
    from moto.ecr.responses import ECRResponse

    def make_complete(complete):
        def complete_layer_upload(self, repository_name, upload_id, layer_digests, registry_id=None):
            repository = self._get_repository(repository_name, registry_id)
            upload = repository.uploads.get(upload_id)
            data = bytes(upload.layer_parts) if upload is not None else None
            result = complete(self, repository_name, upload_id, layer_digests, registry_id=registry_id)
            if data is not None:
                _ecr_layers(repository)[result["layerDigest"]] = data
            return result

        return complete_layer_upload

    def make_download(_missing):
        def get_download_url_for_layer(self):
            from moto.core.responses import ActionResult

            name, digest = self._get_param("repositoryName"), self._get_param("layerDigest")
            repository = self.ecr_backend._get_repository(name, self._get_param("registryId"))
            if digest not in _ecr_layers(repository):
                raise JsonRESTError(
                    "LayersNotFoundException",
                    f"The specified layers {digest} could not be found in repository {name}",
                )
            base = urlsplit(self.uri)
            path = ECR_LAYER_PATH.format(region=self.region, account=repository.registry_id, digest=digest)
            url = f"{base.scheme}://{base.netloc}{path}?repository={quote(name, safe='')}"
            return ActionResult({"downloadUrl": url, "layerDigest": digest})

        return get_download_url_for_layer

    _install(ECRBackend, "complete_layer_upload", make_complete)
    _install(ECRResponse, "get_download_url_for_layer", make_download)
    route = "{0}/ecr_(?P<region>[a-z0-9-]+)/smenv-layer/(?P<account>[0-9]+)/(?P<digest>sha256:[a-f0-9]+)$"
    urls.url_paths.setdefault(route, _serve_ecr_layer)


@patch(
    gap="a `registryId` naming another account is ignored: every ECR call answers from the caller's own registry",
    effect="the target's promotion role cannot read dev's repositories",
)
def ecr_cross_account_registry() -> None:
    """moto answers every ECR call from the caller's own registry: a registryId naming another
    account is ignored, so the target's promotion role cannot read dev's repositories (AWS answers
    from that registry, as the repository policy allows; the emulator evaluates no policy). Here a
    registryId picks that account's registry."""
    from moto.ecr.models import ecr_backends
    from moto.ecr.responses import ECRResponse

    current = ECRResponse.__dict__["ecr_backend"]
    if getattr(current.fget, "_smenv_cross_account", False):
        return

    def ecr_backend(self):
        registry = self._get_param("registryId")
        account = registry if registry and registry.isdigit() and len(registry) == 12 else self.current_account
        return ecr_backends[account][self.region]

    ecr_backend._smenv_cross_account = True
    ECRResponse.ecr_backend = property(ecr_backend)


# --- Route 53 Resolver DNS Firewall: what modules/network/dns_firewall.tf makes ---------------------
# moto 5.2.5's route53resolver has no DNS Firewall operation at all (NotImplementedError, a 500).
# The patches below keep each account's firewall, per region, beside moto's route53resolver backend
# and answer in the shapes of the Route 53 Resolver API reference
# (https://docs.aws.amazon.com/Route53/latest/APIReference/API_Operations_Amazon_Route_53_Resolver.html).
# AWS applies a change asynchronously: the call answers the transitional status (UPDATING,
# DELETING) and the resource reaches COMPLETE, or is gone, a little later. Here it is there at once:
# the next Get answers COMPLETE, or ResourceNotFoundException for what was deleted.


class _DnsFirewall:
    """One account's DNS Firewall in one region: each resource as its API answer, by id."""

    def __init__(self) -> None:
        self.domain_lists: dict[str, dict] = {}  # FirewallDomainList by id
        self.domains: dict[str, list[str]] = {}  # the domains of each list, by list id
        self.rule_groups: dict[str, dict] = {}  # FirewallRuleGroup by id
        self.rules: dict[str, list[dict]] = {}  # the FirewallRules of each rule group, by group id
        self.associations: dict[str, dict] = {}  # FirewallRuleGroupAssociation by id
        self.configs: dict[str, dict] = {}  # FirewallConfig by resource (VPC) id


def _dns_firewall(response) -> _DnsFirewall:
    backend = response.route53resolver_backend
    if not hasattr(backend, "smenv_dns_firewall"):
        backend.smenv_dns_firewall = _DnsFirewall()
    return backend.smenv_dns_firewall


def _firewall_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _firewall_new(response, kind: str, prefix: str) -> tuple[str, str]:
    """A new resource's id (rslvr-<prefix>-<16 hex>, as AWS makes them) and ARN."""
    from moto.moto_api._internal import mock_random
    from moto.utilities.utils import get_partition

    backend = response.route53resolver_backend
    resource_id = f"rslvr-{prefix}-{mock_random.get_random_hex(16)}"
    region = backend.region_name
    return (
        resource_id,
        f"arn:{get_partition(region)}:route53resolver:{region}:{backend.account_id}:{kind}/{resource_id}",
    )


def _firewall_find(resources: dict[str, dict], resource_id: str | None) -> dict:
    """The resource, or the ResourceNotFoundException AWS answers for an id it does not hold."""
    from moto.route53resolver.exceptions import ResourceNotFoundException

    if resource_id not in resources:
        raise ResourceNotFoundException(f"Can't find the resource with ID '{resource_id}'.")
    return resources[resource_id]


def _firewall_by_request(resources: dict[str, dict], request_id: str | None) -> dict | None:
    """CreatorRequestId makes a create idempotent: a retried request answers what it made the first time."""
    return next((r for r in resources.values() if r.get("CreatorRequestId") == request_id), None)


def _firewall_tags(response, arn: str, tags: list[dict] | None) -> None:
    """Tag a resource being created, as TagResource would (ValidationException for bad tags)."""
    from moto.route53resolver.exceptions import TagValidationException

    backend = response.route53resolver_backend
    if tags:
        error = backend.tagger.validate_tags(tags, limit=200)
        if error:
            raise TagValidationException(error)
        backend.tagger.tag_resource(arn, tags)


def _firewall_page(response, key: str, items: list, unique: str, **scope: object) -> str:
    """One page of a List call: MaxResults items (100 unless asked), NextToken when more remain."""
    import json

    from moto.route53resolver.exceptions import InvalidNextTokenException
    from moto.utilities.paginator import Paginator

    page, token = Paginator(
        max_results=response._get_param("MaxResults"),
        max_results_default=100,
        starting_token=response._get_param("NextToken"),
        unique_attribute=unique,
        param_values_to_check=scope,
        fail_on_invalid_token=InvalidNextTokenException,
    ).paginate(items)
    return json.dumps({key: page, **({"NextToken": token} if token else {})})


def _add_operations(owner: object, patch_name: str, operations: list[Callable]) -> None:
    """Give owner each operation (named as moto dispatches it: CreateFirewallRule -> create_firewall_rule)."""
    for operation in operations:

        def make(_missing, operation=operation):
            return operation

        make.__qualname__ = f"{patch_name}.{operation.__name__}"
        _install(owner, operation.__name__, make)


def _fqdn(domain: str) -> str:
    return domain if domain.endswith(".") else f"{domain}."


@patch(
    gap="no DNS Firewall domain lists: `CreateFirewallDomainList`, `UpdateFirewallDomains`, "
    "`GetFirewallDomainList`, `ListFirewallDomains`, `ListFirewallDomainLists`, `DeleteFirewallDomainList` "
    "fail (500)",
    effect="`modules/network`'s DNS Firewall cannot be applied (the patch keeps each domain with the trailing "
    "dot AWS appends: a domain written without one is planned again every run, as against AWS)",
)
def route53resolver_firewall_domain_lists() -> None:
    """moto has no DNS Firewall domain lists: CreateFirewallDomainList, UpdateFirewallDomains,
    GetFirewallDomainList, ListFirewallDomains, ListFirewallDomainLists, DeleteFirewallDomainList all
    fail (500). Here, as AWS answers them: a list is created COMPLETE with no domains;
    UpdateFirewallDomains ADDs, REMOVEs or REPLACEs its domains and answers UPDATING, the list is
    COMPLETE again at once with its DomainCount; every domain is kept fully qualified, with the
    trailing dot AWS appends ("example.com" is listed as "example.com."; hashicorp/terraform-provider-aws
    #23543, and the provider's own tests write domains that way); ListFirewallDomains pages.
    DeleteFirewallDomainList answers DELETING and the list is gone (ResourceNotFoundException after);
    a list a rule still uses is refused (ConflictException). An unknown id is
    ResourceNotFoundException. ListFirewallDomainLists lists the account's own lists (AWS also lists
    its managed ones, which nothing here uses)."""
    import json

    from moto.route53resolver.exceptions import RRValidationException
    from moto.route53resolver.responses import Route53ResolverResponse

    def create_firewall_domain_list(self) -> str:
        firewall = _dns_firewall(self)
        request_id = self._get_param("CreatorRequestId")
        domain_list = _firewall_by_request(firewall.domain_lists, request_id)
        if domain_list is None:
            list_id, arn = _firewall_new(self, "firewall-domain-list", "fdl")
            _firewall_tags(self, arn, self._get_param("Tags"))
            now = _firewall_now()
            domain_list = firewall.domain_lists[list_id] = {
                "Id": list_id,
                "Arn": arn,
                "Name": self._get_param("Name"),
                "DomainCount": 0,
                "Status": "COMPLETE",
                "StatusMessage": "Created Firewall Domain List",
                "CreatorRequestId": request_id,
                "CreationTime": now,
                "ModificationTime": now,
            }
            firewall.domains[list_id] = []
        return json.dumps({"FirewallDomainList": domain_list})

    def update_firewall_domains(self) -> str:
        firewall = _dns_firewall(self)
        domain_list = _firewall_find(firewall.domain_lists, self._get_param("FirewallDomainListId"))
        operation = self._get_param("Operation")
        given = list(dict.fromkeys(_fqdn(d) for d in self._get_param("Domains") or []))
        current = firewall.domains[domain_list["Id"]]
        if operation == "ADD":
            domains = current + [d for d in given if d not in current]
        elif operation == "REMOVE":
            domains = [d for d in current if d not in given]
        elif operation == "REPLACE":
            domains = given
        else:
            raise RRValidationException([("operation", operation, "satisfy enum value set: [ADD, REMOVE, REPLACE]")])
        firewall.domains[domain_list["Id"]] = domains
        domain_list.update(
            DomainCount=len(domains),
            Status="COMPLETE",
            StatusMessage="Finished domain list update",
            ModificationTime=_firewall_now(),
        )
        return json.dumps(
            {
                "Id": domain_list["Id"],
                "Name": domain_list["Name"],
                "Status": "UPDATING",
                "StatusMessage": "Updating the Firewall Domain List",
            }
        )

    def get_firewall_domain_list(self) -> str:
        firewall = _dns_firewall(self)
        domain_list = _firewall_find(firewall.domain_lists, self._get_param("FirewallDomainListId"))
        return json.dumps({"FirewallDomainList": domain_list})

    def list_firewall_domains(self) -> str:
        firewall = _dns_firewall(self)
        list_id = _firewall_find(firewall.domain_lists, self._get_param("FirewallDomainListId"))["Id"]
        return _firewall_page(self, "Domains", firewall.domains[list_id], "", list_id=list_id)

    def list_firewall_domain_lists(self) -> str:
        fields = ("Id", "Arn", "Name", "CreatorRequestId")
        lists = [{f: d[f] for f in fields} for d in _dns_firewall(self).domain_lists.values()]
        return _firewall_page(self, "FirewallDomainLists", lists, "Id")

    def delete_firewall_domain_list(self) -> str:
        from moto.core.exceptions import JsonRESTError

        firewall = _dns_firewall(self)
        domain_list = _firewall_find(firewall.domain_lists, self._get_param("FirewallDomainListId"))
        in_use = [
            r for rules in firewall.rules.values() for r in rules if r["FirewallDomainListId"] == domain_list["Id"]
        ]
        if in_use:
            raise JsonRESTError(
                "ConflictException",
                f"The firewall domain list '{domain_list['Id']}' is used by a firewall rule in rule group "
                f"'{in_use[0]['FirewallRuleGroupId']}'. Delete the rule first.",
            )
        del firewall.domain_lists[domain_list["Id"]], firewall.domains[domain_list["Id"]]
        self.route53resolver_backend.tagger.delete_all_tags_for_resource(domain_list["Arn"])
        return json.dumps(
            {
                "FirewallDomainList": {
                    **domain_list,
                    "Status": "DELETING",
                    "StatusMessage": "Deleting the Firewall Domain List",
                }
            }
        )

    _add_operations(
        Route53ResolverResponse,
        "route53resolver_firewall_domain_lists",
        [
            create_firewall_domain_list,
            update_firewall_domains,
            get_firewall_domain_list,
            list_firewall_domains,
            list_firewall_domain_lists,
            delete_firewall_domain_list,
        ],
    )


# The fields of a FirewallRule that CreateFirewallRule and UpdateFirewallRule take as given.
_FIREWALL_RULE_FIELDS = (
    "Name",
    "Priority",
    "Action",
    "BlockResponse",
    "BlockOverrideDomain",
    "BlockOverrideDnsType",
    "BlockOverrideTtl",
    "FirewallDomainRedirectionAction",
    "Qtype",
    "DnsThreatProtection",
    "ConfidenceThreshold",
)


def _firewall_rule_group(response) -> dict:
    return _firewall_find(_dns_firewall(response).rule_groups, response._get_param("FirewallRuleGroupId"))


@patch(
    gap="no DNS Firewall rule groups: `CreateFirewallRuleGroup`, `GetFirewallRuleGroup`, "
    "`ListFirewallRuleGroups`, `DeleteFirewallRuleGroup` fail (500)",
    effect="the network unit's rule group cannot be applied",
)
def route53resolver_firewall_rule_groups() -> None:
    """moto has no DNS Firewall rule groups: CreateFirewallRuleGroup, GetFirewallRuleGroup,
    ListFirewallRuleGroups and DeleteFirewallRuleGroup fail (500). Here, as AWS answers them: a rule
    group is created COMPLETE, NOT_SHARED, owned by the caller, and counts its rules (RuleCount).
    DeleteFirewallRuleGroup answers DELETING and the group is gone (ResourceNotFoundException
    after); a group still associated with a VPC is refused (ConflictException). An unknown id is
    ResourceNotFoundException."""
    import json

    from moto.core.exceptions import JsonRESTError
    from moto.route53resolver.responses import Route53ResolverResponse

    def create_firewall_rule_group(self) -> str:
        firewall = _dns_firewall(self)
        request_id = self._get_param("CreatorRequestId")
        group = _firewall_by_request(firewall.rule_groups, request_id)
        if group is None:
            group_id, arn = _firewall_new(self, "firewall-rule-group", "frg")
            _firewall_tags(self, arn, self._get_param("Tags"))
            now = _firewall_now()
            group = firewall.rule_groups[group_id] = {
                "Id": group_id,
                "Arn": arn,
                "Name": self._get_param("Name"),
                "RuleCount": 0,
                "Status": "COMPLETE",
                "StatusMessage": "Created Firewall Rule Group",
                "OwnerId": self.route53resolver_backend.account_id,
                "CreatorRequestId": request_id,
                "ShareStatus": "NOT_SHARED",
                "CreationTime": now,
                "ModificationTime": now,
            }
            firewall.rules[group_id] = []
        return json.dumps({"FirewallRuleGroup": group})

    def get_firewall_rule_group(self) -> str:
        return json.dumps({"FirewallRuleGroup": _firewall_rule_group(self)})

    def list_firewall_rule_groups(self) -> str:
        fields = ("Id", "Arn", "Name", "OwnerId", "CreatorRequestId", "ShareStatus")
        groups = [{f: g[f] for f in fields} for g in _dns_firewall(self).rule_groups.values()]
        return _firewall_page(self, "FirewallRuleGroups", groups, "Id")

    def delete_firewall_rule_group(self) -> str:
        firewall, group = _dns_firewall(self), _firewall_rule_group(self)
        associated = [a for a in firewall.associations.values() if a["FirewallRuleGroupId"] == group["Id"]]
        if associated:
            raise JsonRESTError(
                "ConflictException",
                f"The firewall rule group '{group['Id']}' is associated with VPC '{associated[0]['VpcId']}'. "
                "Disassociate it first.",
            )
        del firewall.rule_groups[group["Id"]], firewall.rules[group["Id"]]
        self.route53resolver_backend.tagger.delete_all_tags_for_resource(group["Arn"])
        return json.dumps(
            {"FirewallRuleGroup": {**group, "Status": "DELETING", "StatusMessage": "Deleting the Firewall Rule Group"}}
        )

    _add_operations(
        Route53ResolverResponse,
        "route53resolver_firewall_rule_groups",
        [create_firewall_rule_group, get_firewall_rule_group, list_firewall_rule_groups, delete_firewall_rule_group],
    )


@patch(
    gap="no DNS Firewall rules: `CreateFirewallRule`, `ListFirewallRules`, `UpdateFirewallRule`, "
    "`DeleteFirewallRule` fail (500)",
    effect="the allow and block rules cannot be applied",
)
def route53resolver_firewall_rules() -> None:
    """moto has no DNS Firewall rules: CreateFirewallRule, ListFirewallRules, UpdateFirewallRule and
    DeleteFirewallRule fail (500). Here, as AWS answers them: a rule names its rule group and domain
    list (an unknown one is ResourceNotFoundException), takes FirewallDomainRedirectionAction
    INSPECT_REDIRECTION_DOMAIN unless told, and a BLOCK rule needs a BlockResponse
    (ValidationException); ListFirewallRules lists a group's rules by priority (optionally only one
    Priority or Action), and pages; a rule is updated or deleted by its group and domain list (and
    Qtype), and a rule that is not there is ResourceNotFoundException."""
    import json

    from moto.core.exceptions import JsonRESTError
    from moto.route53resolver.exceptions import ResourceNotFoundException
    from moto.route53resolver.responses import Route53ResolverResponse

    def rule_of(self) -> dict:
        group, list_id, qtype = (
            _firewall_rule_group(self),
            self._get_param("FirewallDomainListId"),
            self._get_param("Qtype"),
        )
        for rule in _dns_firewall(self).rules[group["Id"]]:
            if rule["FirewallDomainListId"] == list_id and (qtype is None or rule.get("Qtype") == qtype):
                return rule
        raise ResourceNotFoundException(
            f"Can't find the firewall rule for domain list '{list_id}' in rule group '{group['Id']}'."
        )

    def check_block_response(rule: dict) -> None:
        if rule.get("Action") == "BLOCK" and not rule.get("BlockResponse"):
            raise JsonRESTError("ValidationException", "BlockResponse is required when the rule's Action is BLOCK.")

    def counted(self, group: dict) -> None:
        group.update(RuleCount=len(_dns_firewall(self).rules[group["Id"]]), ModificationTime=_firewall_now())

    def create_firewall_rule(self) -> str:
        firewall, group = _dns_firewall(self), _firewall_rule_group(self)
        rules = firewall.rules[group["Id"]]
        request_id = self._get_param("CreatorRequestId")
        rule = next((r for r in rules if r["CreatorRequestId"] == request_id), None)
        if rule is None:
            list_id = _firewall_find(firewall.domain_lists, self._get_param("FirewallDomainListId"))["Id"]
            now = _firewall_now()
            rule = {
                "FirewallRuleGroupId": group["Id"],
                "FirewallDomainListId": list_id,
                "FirewallDomainRedirectionAction": "INSPECT_REDIRECTION_DOMAIN",
                **{f: self._get_param(f) for f in _FIREWALL_RULE_FIELDS if self._get_param(f) is not None},
                "CreatorRequestId": request_id,
                "CreationTime": now,
                "ModificationTime": now,
            }
            check_block_response(rule)
            rules.append(rule)
            counted(self, group)
        return json.dumps({"FirewallRule": rule})

    def list_firewall_rules(self) -> str:
        group = _firewall_rule_group(self)
        priority, action = self._get_param("Priority"), self._get_param("Action")
        rules = sorted(
            (
                r
                for r in _dns_firewall(self).rules[group["Id"]]
                if priority in (None, r.get("Priority")) and action in (None, r.get("Action"))
            ),
            key=lambda r: r.get("Priority", 0),
        )
        return _firewall_page(
            self, "FirewallRules", rules, "CreatorRequestId", group=group["Id"], priority=priority, action=action
        )

    def update_firewall_rule(self) -> str:
        rule = rule_of(self)
        changed = {**rule, **{f: self._get_param(f) for f in _FIREWALL_RULE_FIELDS if self._get_param(f) is not None}}
        check_block_response(changed)
        rule.update(changed, ModificationTime=_firewall_now())
        return json.dumps({"FirewallRule": rule})

    def delete_firewall_rule(self) -> str:
        group, rule = _firewall_rule_group(self), rule_of(self)
        _dns_firewall(self).rules[group["Id"]].remove(rule)
        counted(self, group)
        return json.dumps({"FirewallRule": rule})

    _add_operations(
        Route53ResolverResponse,
        "route53resolver_firewall_rules",
        [create_firewall_rule, list_firewall_rules, update_firewall_rule, delete_firewall_rule],
    )


@patch(
    gap="no rule group associations: `AssociateFirewallRuleGroup`, `GetFirewallRuleGroupAssociation`, "
    "`UpdateFirewallRuleGroupAssociation`, `ListFirewallRuleGroupAssociations`, "
    "`DisassociateFirewallRuleGroup` fail (500)",
    effect="the firewall cannot be put on the VPC (the patch, as AWS, refuses to disassociate one under "
    "mutation protection)",
)
def route53resolver_firewall_rule_group_associations() -> None:
    """moto cannot associate a DNS Firewall rule group with a VPC: AssociateFirewallRuleGroup,
    GetFirewallRuleGroupAssociation, UpdateFirewallRuleGroupAssociation, ListFirewallRuleGroupAssociations
    and DisassociateFirewallRuleGroup all fail (500). Here, as AWS answers them: Associate answers
    UPDATING and the association is COMPLETE at once (MutationProtection DISABLED unless asked); an
    unknown rule group or VPC is ResourceNotFoundException, the same group twice on a VPC or a
    priority the VPC already uses is ConflictException; Update answers UPDATING with the new name,
    priority or mutation protection. Disassociate answers DELETING and the association is gone
    (ResourceNotFoundException after), but one under mutation protection is refused with AWS's
    ValidationException ("[RSLVR-02307] ... under mutation protection", hashicorp/terraform-provider-aws
    #21278): the protection must be turned off first."""
    import json

    from moto.core.exceptions import JsonRESTError
    from moto.route53resolver.exceptions import ResourceNotFoundException
    from moto.route53resolver.responses import Route53ResolverResponse

    def association_of(self) -> dict:
        association_id = self._get_param("FirewallRuleGroupAssociationId")
        return _firewall_find(_dns_firewall(self).associations, association_id)

    def check_priority(self, vpc_id: str, priority: int, association_id: str | None = None) -> None:
        for other in _dns_firewall(self).associations.values():
            if other["VpcId"] == vpc_id and other["Priority"] == priority and other["Id"] != association_id:
                raise JsonRESTError(
                    "ConflictException",
                    f"The priority {priority} is already used by firewall rule group association '{other['Id']}' "
                    f"on VPC '{vpc_id}'.",
                )

    def associate_firewall_rule_group(self) -> str:
        firewall = _dns_firewall(self)
        request_id = self._get_param("CreatorRequestId")
        association = _firewall_by_request(firewall.associations, request_id)
        if association is None:
            group = _firewall_find(firewall.rule_groups, self._get_param("FirewallRuleGroupId"))
            vpc_id, priority = self._get_param("VpcId"), self._get_param("Priority")
            if vpc_id not in self.route53resolver_backend.ec2_backend.vpcs:
                raise ResourceNotFoundException(f"The VPC '{vpc_id}' does not exist.")
            if any(
                a["VpcId"] == vpc_id and a["FirewallRuleGroupId"] == group["Id"] for a in firewall.associations.values()
            ):
                raise JsonRESTError(
                    "ConflictException",
                    f"The firewall rule group '{group['Id']}' is already associated with VPC '{vpc_id}'.",
                )
            check_priority(self, vpc_id, priority)
            association_id, arn = _firewall_new(self, "firewall-rule-group-association", "frgassoc")
            _firewall_tags(self, arn, self._get_param("Tags"))
            now = _firewall_now()
            association = firewall.associations[association_id] = {
                "Id": association_id,
                "Arn": arn,
                "FirewallRuleGroupId": group["Id"],
                "VpcId": vpc_id,
                "Name": self._get_param("Name"),
                "Priority": priority,
                "MutationProtection": self._get_param("MutationProtection") or "DISABLED",
                "Status": "COMPLETE",
                "StatusMessage": "Finished rule group association update",
                "CreatorRequestId": request_id,
                "CreationTime": now,
                "ModificationTime": now,
            }
            return json.dumps(
                {
                    "FirewallRuleGroupAssociation": {
                        **association,
                        "Status": "UPDATING",
                        "StatusMessage": "Creating Firewall Rule Group Association",
                    }
                }
            )
        return json.dumps({"FirewallRuleGroupAssociation": association})

    def get_firewall_rule_group_association(self) -> str:
        return json.dumps({"FirewallRuleGroupAssociation": association_of(self)})

    def update_firewall_rule_group_association(self) -> str:
        association = association_of(self)
        changes = {f: self._get_param(f) for f in ("Name", "Priority", "MutationProtection")}
        changes = {f: v for f, v in changes.items() if v is not None}
        if "Priority" in changes:
            check_priority(self, association["VpcId"], changes["Priority"], association["Id"])
        association.update(changes, ModificationTime=_firewall_now())
        return json.dumps(
            {
                "FirewallRuleGroupAssociation": {
                    **association,
                    "Status": "UPDATING",
                    "StatusMessage": "Updating the Firewall Rule Group Association Attributes",
                }
            }
        )

    def disassociate_firewall_rule_group(self) -> str:
        association = association_of(self)
        if association["MutationProtection"] == "ENABLED":
            raise JsonRESTError(
                "ValidationException",
                "[RSLVR-02307] The DNS Firewall rule group association is under mutation protection. "
                "Remove the mutation protection and try again.",
            )
        del _dns_firewall(self).associations[association["Id"]]
        self.route53resolver_backend.tagger.delete_all_tags_for_resource(association["Arn"])
        return json.dumps(
            {
                "FirewallRuleGroupAssociation": {
                    **association,
                    "Status": "DELETING",
                    "StatusMessage": "Deleting the Firewall Rule Group Association",
                }
            }
        )

    def list_firewall_rule_group_associations(self) -> str:
        wanted = {f: self._get_param(f) for f in ("FirewallRuleGroupId", "VpcId", "Priority", "Status")}
        wanted = {f: v for f, v in wanted.items() if v is not None}
        associations = [
            a for a in _dns_firewall(self).associations.values() if all(a.get(f) == v for f, v in wanted.items())
        ]
        return _firewall_page(self, "FirewallRuleGroupAssociations", associations, "Id", **wanted)

    _add_operations(
        Route53ResolverResponse,
        "route53resolver_firewall_rule_group_associations",
        [
            associate_firewall_rule_group,
            get_firewall_rule_group_association,
            update_firewall_rule_group_association,
            disassociate_firewall_rule_group,
            list_firewall_rule_group_associations,
        ],
    )


@patch(
    gap="no `GetFirewallConfig`, `UpdateFirewallConfig`, `ListFirewallConfigs` (500)",
    effect="the VPC's fail-closed setting cannot be applied",
)
def route53resolver_firewall_config() -> None:
    """moto has no DNS Firewall configuration: GetFirewallConfig, UpdateFirewallConfig and
    ListFirewallConfigs fail (500). Here, as AWS answers them: every VPC of the account has a
    configuration (id rslvr-fc-..., FirewallFailOpen DISABLED until changed), made when first read
    or updated; UpdateFirewallConfig sets FirewallFailOpen (ENABLED, DISABLED or
    USE_LOCAL_RESOURCE_SETTING, else ValidationException); an unknown VPC is ResourceNotFoundException.
    ListFirewallConfigs lists those configurations, and pages."""
    import json

    from moto.route53resolver.exceptions import ResourceNotFoundException, RRValidationException
    from moto.route53resolver.responses import Route53ResolverResponse

    def config_of(self) -> dict:
        from moto.moto_api._internal import mock_random

        backend, resource_id = self.route53resolver_backend, self._get_param("ResourceId")
        if resource_id not in backend.ec2_backend.vpcs:
            raise ResourceNotFoundException(f"The VPC '{resource_id}' does not exist.")
        configs = _dns_firewall(self).configs
        if resource_id not in configs:
            configs[resource_id] = {
                "Id": f"rslvr-fc-{mock_random.get_random_hex(16)}",
                "ResourceId": resource_id,
                "OwnerId": backend.account_id,
                "FirewallFailOpen": "DISABLED",
            }
        return configs[resource_id]

    def get_firewall_config(self) -> str:
        return json.dumps({"FirewallConfig": config_of(self)})

    def update_firewall_config(self) -> str:
        fail_open = self._get_param("FirewallFailOpen")
        if fail_open not in ("ENABLED", "DISABLED", "USE_LOCAL_RESOURCE_SETTING"):
            allowed = "satisfy enum value set: [ENABLED, DISABLED, USE_LOCAL_RESOURCE_SETTING]"
            raise RRValidationException([("firewallFailOpen", fail_open, allowed)])
        config = config_of(self)
        config["FirewallFailOpen"] = fail_open
        return json.dumps({"FirewallConfig": config})

    def list_firewall_configs(self) -> str:
        return _firewall_page(self, "FirewallConfigs", list(_dns_firewall(self).configs.values()), "Id")

    _add_operations(
        Route53ResolverResponse,
        "route53resolver_firewall_config",
        [get_firewall_config, update_firewall_config, list_firewall_configs],
    )


@patch(
    gap="route53resolver's tag calls know only resolver endpoints and rules: on a firewall domain list, rule "
    "group or association they answer `ResourceNotFoundException`",
    effect="the provider's default tags on them can be neither read nor changed",
)
def route53resolver_firewall_tags() -> None:
    """moto's route53resolver TagResource, UntagResource and ListTagsForResource know only resolver
    endpoints and rules: on a DNS Firewall domain list, rule group or rule group association they
    answer ResourceNotFoundException, so the provider's default tags can be neither read nor changed.
    Here those ARNs are known too (while the resource exists), and the calls answer as AWS does."""
    from moto.route53resolver.models import Route53ResolverBackend

    def make(matched_arn):
        def _matched_arn(self, resource_arn: str) -> None:
            firewall = getattr(self, "smenv_dns_firewall", None)
            if firewall is not None:
                for resources in (firewall.domain_lists, firewall.rule_groups, firewall.associations):
                    if any(r["Arn"] == resource_arn for r in resources.values()):
                        return
            matched_arn(self, resource_arn)

        return _matched_arn

    _install(Route53ResolverBackend, "_matched_arn", make)


# --- SageMaker: the kinds the enforcer judges beyond jobs, models and notebooks ---------------------
# moto 5.2.5 has no monitoring schedules, optimization, labeling or inference recommendations jobs,
# Studio apps, StopCompilationJob, or the Update calls of notebooks, lifecycle configurations,
# HyperPod clusters and domains (NotImplementedError, a 500). The patch below keeps what it adds
# beside moto's SageMaker backend, each resource as its Describe* answer (API reference shapes),
# with its tags. A job is created running and stays so until stopped (the emulator runs nothing);
# a stop answers Stopping and the next Describe shows Stopped, as _stopping_becomes_stopped does.


class _SageMakerResource:
    """One resource the patch keeps: its Describe* answer and its tags (ListTags, AddTags)."""

    def __init__(self, answer: dict, tags: list | None) -> None:
        self.answer = answer
        self.tags = list(tags or [])


_SAGEMAKER_KINDS = {
    # kind (the ARN's resource type): (name parameter, status field, running, stopping, stopped)
    "monitoring-schedule": (
        "MonitoringScheduleName",
        "MonitoringScheduleStatus",
        ("Pending", "Scheduled"),
        "Stopped",
        "Stopped",
    ),
    "optimization-job": (
        "OptimizationJobName",
        "OptimizationJobStatus",
        ("INPROGRESS", "STARTING"),
        "STOPPING",
        "STOPPED",
    ),
    "labeling-job": ("LabelingJobName", "LabelingJobStatus", ("InProgress", "Initializing"), "Stopping", "Stopped"),
    "inference-recommendations-job": ("JobName", "Status", ("IN_PROGRESS", "PENDING"), "STOPPING", "STOPPED"),
}


def _sagemaker_kept(response) -> dict[str, dict[str, _SageMakerResource]]:
    backend = response.sagemaker_backend
    if not hasattr(backend, "smenv_resources"):
        backend.smenv_resources = {kind: {} for kind in (*_SAGEMAKER_KINDS, "app")}
    return backend.smenv_resources


def _sagemaker_arn(response, kind: str, name: str) -> str:
    from moto.sagemaker.utils import arn_formatter

    backend = response.sagemaker_backend
    return arn_formatter(kind, name, backend.account_id, backend.region_name)


def _sagemaker_find(response, kind: str, name: str | None) -> _SageMakerResource:
    """The resource, or the ResourceNotFound AWS answers for a name it does not hold."""
    from moto.sagemaker.exceptions import ResourceNotFound

    resource = _sagemaker_kept(response)[kind].get(name or "")
    if resource is None:
        raise ResourceNotFound(
            f"Could not find {kind.replace('-', ' ')} '{_sagemaker_arn(response, kind, name or '')}'."
        )
    return resource


def _sagemaker_create(response, kind: str, answer: dict) -> dict:
    """Keep a new resource (ResourceInUse when its name is taken) and answer {<Arn field>: arn}."""
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ResourceInUseException

    param, status_field, running, _, _ = _SAGEMAKER_KINDS[kind]
    name = response._get_param(param)
    kept = _sagemaker_kept(response)[kind]
    if name in kept:
        raise ResourceInUseException(f"Resource Already Exists: {kind} with name {name} already exists.")
    arn_field = "MonitoringScheduleArn" if kind == "monitoring-schedule" else param.replace("Name", "Arn")
    now = utcnow()
    answer = {
        param: name,
        arn_field: _sagemaker_arn(response, kind, name),
        status_field: running[-1],
        "CreationTime": now,
        "LastModifiedTime": now,
        **answer,
    }
    kept[name] = _SageMakerResource({k: v for k, v in answer.items() if v is not None}, response._get_param("Tags"))
    return {arn_field: answer[arn_field]}


def _sagemaker_describe(response, kind: str) -> dict:
    param, status_field, _, stopping, stopped = _SAGEMAKER_KINDS[kind]
    resource = _sagemaker_find(response, kind, response._get_param(param))
    answer = dict(resource.answer)
    if resource.answer[status_field] == stopping:  # the first answer after a stop shows it stopping
        resource.answer[status_field] = stopped
    return answer


def _sagemaker_stop(response, kind: str) -> None:
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ValidationError

    param, status_field, running, stopping, _ = _SAGEMAKER_KINDS[kind]
    resource = _sagemaker_find(response, kind, response._get_param(param))
    status = resource.answer[status_field]
    if status not in running:
        raise ValidationError(f"The request was rejected because the {kind.replace('-', ' ')} is in status {status}.")
    resource.answer.update({status_field: stopping, "LastModifiedTime": utcnow()})


@patch(
    gap="no monitoring schedules: `Create/Describe/Update/Stop/Start/DeleteMonitoringSchedule` fail (500)",
    effect="the enforcer cannot judge or stop a schedule outside the VPC",
)
def sagemaker_monitoring_schedules() -> None:
    """moto has no monitoring schedules: CreateMonitoringSchedule, DescribeMonitoringSchedule,
    UpdateMonitoringSchedule, StopMonitoringSchedule, StartMonitoringSchedule, DeleteMonitoringSchedule
    fail (500). The enforcer describes a schedule and stops one outside the rules. Here a schedule is
    created Scheduled; a stop makes it Stopped, a start Scheduled again."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.sagemaker.responses import SageMakerResponse

    def create_monitoring_schedule(self):
        config = self._get_param("MonitoringScheduleConfig") or {}
        inline = config.get("MonitoringJobDefinition") or {}
        endpoint = next(
            (i.get("EndpointInput", {}).get("EndpointName") for i in inline.get("MonitoringInputs", [])), None
        )
        answer = {
            "MonitoringScheduleConfig": config,
            "MonitoringType": config.get("MonitoringType", "DataQuality"),
            "EndpointName": endpoint,
        }
        return ActionResult(_sagemaker_create(self, "monitoring-schedule", answer))

    def describe_monitoring_schedule(self):
        return ActionResult(_sagemaker_describe(self, "monitoring-schedule"))

    def update_monitoring_schedule(self):
        resource = _sagemaker_find(self, "monitoring-schedule", self._get_param("MonitoringScheduleName"))
        resource.answer.update(
            MonitoringScheduleConfig=self._get_param("MonitoringScheduleConfig"), LastModifiedTime=utcnow()
        )
        return ActionResult({"MonitoringScheduleArn": resource.answer["MonitoringScheduleArn"]})

    def stop_monitoring_schedule(self):
        _sagemaker_stop(self, "monitoring-schedule")
        return EmptyResult()

    def start_monitoring_schedule(self):
        resource = _sagemaker_find(self, "monitoring-schedule", self._get_param("MonitoringScheduleName"))
        resource.answer.update(MonitoringScheduleStatus="Scheduled", LastModifiedTime=utcnow())
        return EmptyResult()

    def delete_monitoring_schedule(self):
        name = self._get_param("MonitoringScheduleName")
        _sagemaker_find(self, "monitoring-schedule", name)
        del _sagemaker_kept(self)["monitoring-schedule"][name]
        return EmptyResult()

    _add_operations(
        SageMakerResponse,
        "sagemaker_monitoring_schedules",
        [
            create_monitoring_schedule,
            describe_monitoring_schedule,
            update_monitoring_schedule,
            stop_monitoring_schedule,
            start_monitoring_schedule,
            delete_monitoring_schedule,
        ],
    )


@patch(
    gap="no optimization, labeling or inference recommendations jobs (Create/Describe/Stop each, 500), no "
    "`StopCompilationJob`, and compilation jobs created `COMPLETED`",
    effect="the jobs the guardrails cannot see cannot be judged or stopped",
)
def sagemaker_unguarded_jobs() -> None:
    """moto has no optimization, labeling or inference recommendations jobs (Create/Describe/Stop each
    fail, 500), no StopCompilationJob, and creates compilation jobs already COMPLETED: these jobs send
    no condition key the guardrails could deny on, so the enforcer judges them and stops those
    outside the VPC. Here each is created running (INPROGRESS, InProgress, IN_PROGRESS) until stopped."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.sagemaker import models
    from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    def create_optimization_job(self):
        fields = (
            "RoleArn",
            "ModelSource",
            "DeploymentInstanceType",
            "OptimizationConfigs",
            "OutputConfig",
            "StoppingCondition",
            "VpcConfig",
            "MaxInstanceCount",
        )
        return ActionResult(_sagemaker_create(self, "optimization-job", {f: self._get_param(f) for f in fields}))

    def create_labeling_job(self):
        fields = (
            "LabelAttributeName",
            "InputConfig",
            "OutputConfig",
            "RoleArn",
            "LabelCategoryConfigS3Uri",
            "StoppingConditions",
            "LabelingJobAlgorithmsConfig",
            "HumanTaskConfig",
        )
        answer = {f: self._get_param(f) for f in fields}
        answer["LabelCounters"] = {
            "TotalLabeled": 0,
            "HumanLabeled": 0,
            "MachineLabeled": 0,
            "FailedNonRetryableError": 0,
            "Unlabeled": 0,
        }
        return ActionResult(_sagemaker_create(self, "labeling-job", answer))

    def create_inference_recommendations_job(self):
        fields = ("JobType", "RoleArn", "InputConfig", "JobDescription", "StoppingConditions", "OutputConfig")
        return ActionResult(
            _sagemaker_create(self, "inference-recommendations-job", {f: self._get_param(f) for f in fields})
        )

    def describe_optimization_job(self):
        return ActionResult(_sagemaker_describe(self, "optimization-job"))

    def describe_labeling_job(self):
        return ActionResult(_sagemaker_describe(self, "labeling-job"))

    def describe_inference_recommendations_job(self):
        return ActionResult(_sagemaker_describe(self, "inference-recommendations-job"))

    def stop_optimization_job(self):
        _sagemaker_stop(self, "optimization-job")
        return EmptyResult()

    def stop_labeling_job(self):
        _sagemaker_stop(self, "labeling-job")
        return EmptyResult()

    def stop_inference_recommendations_job(self):
        _sagemaker_stop(self, "inference-recommendations-job")
        return EmptyResult()

    def stop_compilation_job(self):
        name = self._get_param("CompilationJobName")
        job = self.sagemaker_backend.compilation_jobs.get(name)
        if job is None:
            raise ResourceNotFound(f"Could not find compilation job '{name}'.")
        if job.compilation_job_status not in ("INPROGRESS", "STARTING"):
            raise ValidationError(
                f"The request was rejected because the compilation job is in status {job.compilation_job_status}."
            )
        job.compilation_job_status = "STOPPING"
        return EmptyResult()

    def make_compilation_init(init):
        def __init__(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self.compilation_job_status = "INPROGRESS"
            self.compilation_end_time = None

        return __init__

    def make_compilation_describe(describe):
        def wrapped(self):
            answer = {k: v for k, v in describe(self).items() if v is not None}
            if self.compilation_job_status == "STOPPING":
                self.compilation_job_status = "STOPPED"
            return answer

        return wrapped

    _add_operations(
        SageMakerResponse,
        "sagemaker_unguarded_jobs",
        [
            create_optimization_job,
            create_labeling_job,
            create_inference_recommendations_job,
            describe_optimization_job,
            describe_labeling_job,
            describe_inference_recommendations_job,
            stop_optimization_job,
            stop_labeling_job,
            stop_inference_recommendations_job,
            stop_compilation_job,
        ],
    )
    _install(models.CompilationJob, "__init__", make_compilation_init)
    _install(models.CompilationJob, "describe", make_compilation_describe)


@patch(
    gap="no Studio apps: `CreateApp`, `DescribeApp`, `DeleteApp` fail (500)",
    effect="an app outside the rules cannot be judged or deleted",
)
def sagemaker_studio_apps() -> None:
    """moto has no Studio apps: CreateApp, DescribeApp, DeleteApp fail (500). The enforcer deletes an
    app outside the rules. Here an app is created InService in an existing domain (ResourceNotFound
    otherwise), with the tags of its domain, then of its user profile or space, then the request's
    on top (a later one wins a key), as AWS adds a domain's and a profile's tags to every app
    launched in them (API reference, CreateDomain and CreateUserProfile, Tags; custom tag
    propagation, https://docs.aws.amazon.com/sagemaker/latest/dg/custom-tags.html); DeleteApp
    answers Deleting and the next DescribeApp shows Deleted, as AWS keeps a deleted app visible for
    a while."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    def app_key(self) -> tuple[str, str, str, str]:
        owner = self._get_param("UserProfileName") or self._get_param("SpaceName") or ""
        return (self._get_param("DomainId"), owner, self._get_param("AppType"), self._get_param("AppName"))

    def inherited_tags(self, key: tuple[str, str, str, str]) -> list[dict]:
        """The domain's tags, then the profile's (or the space's, where the domain enables custom tag
        propagation), then the request's: one {Key, Value} per key, a later one winning. System tags (aws:*) of the domain
        and the profile or space are not passed on, as the custom tag propagation page says."""
        domain = self.sagemaker_backend.domains[key[0]]
        owner_kind = "user-profile" if self._get_param("UserProfileName") else "space"
        owner = _studio_kept(self)[owner_kind].get((key[0], key[1]))
        # A profile's tags always reach its apps; a space's only with the domain's custom tag propagation.
        if owner_kind == "space" and getattr(domain, "smenv_tag_propagation", None) != "ENABLED":
            owner = None
        inherited = [*(domain.tags or []), *(owner.tags if owner else [])]
        merged = {t["Key"]: t.get("Value", "") for t in inherited if not t["Key"].startswith("aws:")}
        merged.update({t["Key"]: t.get("Value", "") for t in self._get_param("Tags") or []})
        return [{"Key": k, "Value": v} for k, v in merged.items()]

    def create_app(self):
        key = app_key(self)
        if key[0] not in self.sagemaker_backend.domains:
            raise ResourceNotFound(f"Domain '{key[0]}' does not exist.")
        apps = _sagemaker_kept(self)["app"]
        if "|".join(key) in apps and apps["|".join(key)].answer["Status"] not in ("Deleted", "Failed"):
            raise ResourceInUseException(f"App {key[3]} already exists.")
        arn = _sagemaker_arn(self, "app", f"{key[0]}/{key[1]}/{key[2].lower()}/{key[3]}")
        owner = {"UserProfileName": key[1]} if self._get_param("UserProfileName") else {"SpaceName": key[1]}
        answer = {
            "AppArn": arn,
            "AppType": key[2],
            "AppName": key[3],
            "DomainId": key[0],
            **owner,
            "Status": "InService",
            "CreationTime": utcnow(),
            "ResourceSpec": self._get_param("ResourceSpec"),
        }
        apps["|".join(key)] = _SageMakerResource(
            {k: v for k, v in answer.items() if v is not None}, inherited_tags(self, key)
        )
        return ActionResult({"AppArn": arn})

    def find_app(self) -> _SageMakerResource:
        resource = _sagemaker_kept(self)["app"].get("|".join(str(p) for p in app_key(self)))
        if resource is None:
            raise ResourceNotFound(f"App {self._get_param('AppName')} does not exist.")
        return resource

    def describe_app(self):
        resource = find_app(self)
        answer = dict(resource.answer)
        if answer["Status"] == "Deleting":  # the first answer after a delete shows it deleting
            resource.answer["Status"] = "Deleted"
        return ActionResult(answer)

    def delete_app(self):
        resource = find_app(self)
        if resource.answer["Status"] not in ("InService", "Pending", "Failed"):
            raise ValidationError(f"App {resource.answer['AppName']} is in status {resource.answer['Status']}.")
        resource.answer["Status"] = "Deleting"
        return EmptyResult()

    _add_operations(SageMakerResponse, "sagemaker_studio_apps", [create_app, describe_app, delete_app])


@patch(
    gap="no `UpdateNotebookInstance`, `UpdateNotebookInstanceLifecycleConfig`, `UpdateCluster`, `UpdateDomain` (500)",
    effect="the changes the enforcer watches for cannot be made",
)
def sagemaker_update_calls() -> None:
    """moto has no UpdateNotebookInstance, UpdateNotebookInstanceLifecycleConfig, UpdateCluster or
    UpdateDomain (500): the changes the enforcer is there to catch cannot be made. Here each changes
    what its API reference says it changes (a notebook only while Stopped, as AWS requires)."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    def update_notebook_instance(self):
        notebook = self.sagemaker_backend.get_notebook_instance(self._get_param("NotebookInstanceName"))
        if notebook.status != "Stopped":
            raise ValidationError(
                f"Status ({notebook.status}) not in ([Stopped]). Unable to transition to (Updating) for Notebook Instance ({notebook.arn})"
            )
        for param, attribute in (
            ("InstanceType", "instance_type"),
            ("RoleArn", "role_arn"),
            ("LifecycleConfigName", "lifecycle_config_name"),
            ("RootAccess", "root_access"),
            ("VolumeSizeInGB", "volume_size_in_gb"),
        ):
            if self._get_param(param) is not None:
                setattr(notebook, attribute, self._get_param(param))
        if self._get_param("DisassociateLifecycleConfig"):
            notebook.lifecycle_config_name = None
        imds = self._get_param("InstanceMetadataServiceConfiguration")
        if imds is not None:
            notebook.smenv_kept = {**getattr(notebook, "smenv_kept", {}), "InstanceMetadataServiceConfiguration": imds}
        notebook.last_modified_time = utcnow()
        return EmptyResult()

    def update_notebook_instance_lifecycle_config(self):
        name = self._get_param("NotebookInstanceLifecycleConfigName")
        config = self.sagemaker_backend.notebook_instance_lifecycle_configurations.get(name)
        if config is None:
            raise ValidationError(
                f"Unable to describe Notebook Instance Lifecycle Config '{name}'. (Details: Notebook Instance Lifecycle Config does not exist.)"
            )
        for param, attribute in (("OnCreate", "on_create"), ("OnStart", "on_start")):
            if self._get_param(param) is not None:
                setattr(config, attribute, self._get_param(param))
        config.last_modified_time = utcnow()
        return EmptyResult()

    def update_cluster(self):
        name = self._get_param("ClusterName")
        cluster = self.sagemaker_backend.clusters.get(name.rsplit("/", 1)[-1] if name.startswith("arn:") else name)
        if cluster is None:
            raise ValidationError(f"Could not find cluster '{name}'.")
        groups = []
        for group in self._get_param("InstanceGroups") or []:
            count = group.pop("InstanceCount", 0)
            groups.append({**group, "CurrentCount": count, "TargetCount": count})
        cluster.instance_groups = groups or cluster.instance_groups
        return ActionResult({"ClusterArn": cluster.arn})

    def update_domain(self):
        domain = self.sagemaker_backend.domains.get(self._get_param("DomainId"))
        if domain is None:
            raise ValidationError(f"Could not find domain '{self._get_param('DomainId')}'.")
        for param, attribute in (
            ("DefaultUserSettings", "default_user_settings"),
            ("AppNetworkAccessType", "app_network_access_type"),
            ("SubnetIds", "subnet_ids"),
            ("DefaultSpaceSettings", "default_space_settings"),
        ):
            if self._get_param(param) is not None:
                setattr(domain, attribute, self._get_param(param))
        settings = self._get_param("DomainSettingsForUpdate")
        if settings and "SecurityGroupIds" in settings:
            domain.domain_settings = {
                **(domain.domain_settings or {}),
                "SecurityGroupIds": settings["SecurityGroupIds"],
            }
        domain.last_modified_time = utcnow()
        return ActionResult({"DomainArn": domain.arn})

    _add_operations(
        SageMakerResponse,
        "sagemaker_update_calls",
        [update_notebook_instance, update_notebook_instance_lifecycle_config, update_cluster, update_domain],
    )


@patch(
    gap="`ListTags`, `AddTags` know none of the kinds above (500; an app's four-part ARN crashes the lookup)",
    effect="the enforcer's marker cannot be read or written on them",
)
def sagemaker_tags_of_enforcer_kinds() -> None:
    """moto's ListTags and AddTags know none of the kinds the patches above add (a 500 on the
    lookup; an app's ARN, with its four parts, crashes it): the enforcer reads and writes its marker
    tag on them. Here their ARNs are known (while the resource exists), and the calls answer as AWS does."""
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend

    def make_lookup(lookup):
        def _get_resource_from_arn(self, arn: str):
            kind, _, rest = arn.rsplit(":", 1)[-1].partition("/")
            kept = getattr(self, "smenv_resources", {})
            if kind == "app":
                found = [r for r in kept.get("app", {}).values() if r.answer["AppArn"] == arn]
                if found:
                    return found[0]
                raise ValidationError(f"Could not find app {rest}")
            if kind in _SAGEMAKER_KINDS:
                resource = kept.get(kind, {}).get(rest)
                if resource is None:
                    raise ValidationError(f"Could not find {kind} with name {rest}")
                return resource
            return lookup(self, arn)

        return _get_resource_from_arn

    _install(SageMakerModelBackend, "_get_resource_from_arn", make_lookup)
    _install(SageMakerModelBackend, "_get_resource_from_arn", make_lookup)


# --- SageMaker Studio: what modules/studio applies -----------------------------------------------
# moto 5.2.5 answers CreateDomain and DescribeDomain only: no user profiles, spaces or Studio
# lifecycle configurations (a 500 each), a missing domain is a ValidationException where AWS answers
# ResourceNotFound (the provider's wait for a deleted domain fails on it), and the tag calls crash on
# a profile's or a space's three-part ARN. The patches below keep profiles, spaces and lifecycle
# configurations beside moto's backend (backend.smenv_studio), each as its Describe* answer with its
# tags; a profile or space is created InService in an existing domain and is gone once deleted.


def _studio_kept(response_or_backend) -> dict[str, dict]:
    backend = getattr(response_or_backend, "sagemaker_backend", response_or_backend)
    if not hasattr(backend, "smenv_studio"):
        backend.smenv_studio = {"user-profile": {}, "space": {}, "studio-lifecycle-config": {}}
    return backend.smenv_studio


def _studio_domain(response, domain_id: str | None):
    """The domain a profile or space belongs to, or the ResourceNotFound AWS answers."""
    from moto.sagemaker.exceptions import ResourceNotFound

    domain = response.sagemaker_backend.domains.get(domain_id or "")
    if domain is None:
        raise ResourceNotFound(f"Domain '{domain_id}' does not exist.")
    return domain


def _studio_member_create(response, kind: str, name_param: str, answer: dict) -> str:
    """Keep a new profile or space of an existing domain (ResourceInUse when the name is taken)."""
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ResourceInUseException

    domain_id = response._get_param("DomainId")
    _studio_domain(response, domain_id)
    name = response._get_param(name_param)
    kept = _studio_kept(response)[kind]
    if (domain_id, name) in kept:
        raise ResourceInUseException(f"Resource Already Exists: {kind} with name {name} already exists.")
    arn = _sagemaker_arn(response, kind, f"{domain_id}/{name}")
    now = utcnow()
    arn_field = "UserProfileArn" if kind == "user-profile" else "SpaceArn"
    full = {
        "DomainId": domain_id,
        arn_field: arn,
        name_param: name,
        "HomeEfsFileSystemUid": "200001",
        "Status": "InService",
        "CreationTime": now,
        "LastModifiedTime": now,
        **answer,
    }
    kept[(domain_id, name)] = _SageMakerResource(
        {k: v for k, v in full.items() if v is not None}, response._get_param("Tags")
    )
    return arn


def _studio_member(response, kind: str, name_param: str) -> _SageMakerResource:
    from moto.sagemaker.exceptions import ResourceNotFound

    key = (response._get_param("DomainId"), response._get_param(name_param))
    resource = _studio_kept(response)[kind].get(key)
    if resource is None:
        noun = "User profile" if kind == "user-profile" else "Space"
        raise ResourceNotFound(f"{noun} '{_sagemaker_arn(response, kind, '/'.join(map(str, key)))}' does not exist.")
    return resource


@patch(
    gap="no Studio user profiles: `Create/Describe/Update/DeleteUserProfile` fail (500)",
    effect="`modules/studio` cannot make a team's profile",
)
def sagemaker_studio_user_profiles() -> None:
    """moto has no Studio user profiles: CreateUserProfile, DescribeUserProfile, UpdateUserProfile,
    DeleteUserProfile fail (500). modules/studio makes one per team. Here a profile is created
    InService in an existing domain (ResourceNotFound otherwise; ResourceInUse for a name taken),
    keeps its UserSettings (UpdateUserProfile replaces them), and is gone once deleted
    (ResourceNotFound after, which the provider's wait looks for)."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.sagemaker.responses import SageMakerResponse

    def create_user_profile(self):
        answer = {
            "UserSettings": self._get_param("UserSettings"),
            "SingleSignOnUserIdentifier": self._get_param("SingleSignOnUserIdentifier"),
            "SingleSignOnUserValue": self._get_param("SingleSignOnUserValue"),
        }
        return ActionResult({"UserProfileArn": _studio_member_create(self, "user-profile", "UserProfileName", answer)})

    def describe_user_profile(self):
        return ActionResult(dict(_studio_member(self, "user-profile", "UserProfileName").answer))

    def update_user_profile(self):
        resource = _studio_member(self, "user-profile", "UserProfileName")
        if self._get_param("UserSettings") is not None:
            resource.answer["UserSettings"] = self._get_param("UserSettings")
        resource.answer["LastModifiedTime"] = utcnow()
        return ActionResult({"UserProfileArn": resource.answer["UserProfileArn"]})

    def delete_user_profile(self):
        _studio_member(self, "user-profile", "UserProfileName")
        del _studio_kept(self)["user-profile"][(self._get_param("DomainId"), self._get_param("UserProfileName"))]
        return EmptyResult()

    _add_operations(
        SageMakerResponse,
        "sagemaker_studio_user_profiles",
        [create_user_profile, describe_user_profile, update_user_profile, delete_user_profile],
    )


@patch(
    gap="no Studio spaces: `Create/Describe/Update/DeleteSpace` fail (500)",
    effect="a team's private space cannot be made",
)
def sagemaker_studio_spaces() -> None:
    """moto has no Studio spaces: CreateSpace, DescribeSpace, UpdateSpace, DeleteSpace fail (500).
    modules/studio makes a private space per team. Here a space is created InService in an existing
    domain, owned by one of its profiles when OwnershipSettings names one (ResourceNotFound for a
    missing domain or owner), keeps its settings (UpdateSpace replaces SpaceSettings and the display
    name, as the API reference says), and is gone once deleted."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ResourceNotFound
    from moto.sagemaker.responses import SageMakerResponse

    def create_space(self):
        domain_id = self._get_param("DomainId")
        owner = (self._get_param("OwnershipSettings") or {}).get("OwnerUserProfileName")
        if owner is not None and (domain_id, owner) not in _studio_kept(self)["user-profile"]:
            raise ResourceNotFound(f"User profile '{owner}' does not exist in domain '{domain_id}'.")
        name = self._get_param("SpaceName")
        answer = {
            "SpaceSettings": self._get_param("SpaceSettings"),
            "OwnershipSettings": self._get_param("OwnershipSettings"),
            "SpaceSharingSettings": self._get_param("SpaceSharingSettings"),
            "SpaceDisplayName": self._get_param("SpaceDisplayName"),
            "Url": f"https://{domain_id}.studio.{self.region}.sagemaker.aws/jupyterlab/default/spaces/{name}",
        }
        return ActionResult({"SpaceArn": _studio_member_create(self, "space", "SpaceName", answer)})

    def describe_space(self):
        return ActionResult(dict(_studio_member(self, "space", "SpaceName").answer))

    def update_space(self):
        resource = _studio_member(self, "space", "SpaceName")
        for param in ("SpaceSettings", "SpaceDisplayName"):
            if self._get_param(param) is not None:
                resource.answer[param] = self._get_param(param)
        resource.answer["LastModifiedTime"] = utcnow()
        return ActionResult({"SpaceArn": resource.answer["SpaceArn"]})

    def delete_space(self):
        _studio_member(self, "space", "SpaceName")
        del _studio_kept(self)["space"][(self._get_param("DomainId"), self._get_param("SpaceName"))]
        return EmptyResult()

    _add_operations(
        SageMakerResponse, "sagemaker_studio_spaces", [create_space, describe_space, update_space, delete_space]
    )


@patch(
    gap="no Studio lifecycle configurations: `Create/Describe/DeleteStudioLifecycleConfig` fail (500)",
    effect="the domain's app scripts cannot be made",
)
def sagemaker_studio_lifecycle_configs() -> None:
    """moto has no Studio lifecycle configurations: CreateStudioLifecycleConfig,
    DescribeStudioLifecycleConfig, DeleteStudioLifecycleConfig fail (500). modules/studio makes the
    domain's JupyterLab and Code Editor ones. Here one keeps its content and app type as given
    (the provider reads the content back), a name taken is ResourceInUse, a missing one
    ResourceNotFound ("... does not exist", which the provider's delete looks for)."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound
    from moto.sagemaker.responses import SageMakerResponse

    def find(self) -> _SageMakerResource:
        name = self._get_param("StudioLifecycleConfigName")
        resource = _studio_kept(self)["studio-lifecycle-config"].get(name)
        if resource is None:
            arn = _sagemaker_arn(self, "studio-lifecycle-config", name or "")
            raise ResourceNotFound(f"Studio lifecycle config '{arn}' does not exist.")
        return resource

    def create_studio_lifecycle_config(self):
        name = self._get_param("StudioLifecycleConfigName")
        kept = _studio_kept(self)["studio-lifecycle-config"]
        if name in kept:
            raise ResourceInUseException(f"Studio lifecycle config {name} already exists.")
        arn = _sagemaker_arn(self, "studio-lifecycle-config", name)
        now = utcnow()
        answer = {
            "StudioLifecycleConfigArn": arn,
            "StudioLifecycleConfigName": name,
            "CreationTime": now,
            "LastModifiedTime": now,
            "StudioLifecycleConfigContent": self._get_param("StudioLifecycleConfigContent"),
            "StudioLifecycleConfigAppType": self._get_param("StudioLifecycleConfigAppType"),
        }
        kept[name] = _SageMakerResource(answer, self._get_param("Tags"))
        return ActionResult({"StudioLifecycleConfigArn": arn})

    def describe_studio_lifecycle_config(self):
        return ActionResult(dict(find(self).answer))

    def delete_studio_lifecycle_config(self):
        find(self)
        del _studio_kept(self)["studio-lifecycle-config"][self._get_param("StudioLifecycleConfigName")]
        return EmptyResult()

    _add_operations(
        SageMakerResponse,
        "sagemaker_studio_lifecycle_configs",
        [create_studio_lifecycle_config, describe_studio_lifecycle_config, delete_studio_lifecycle_config],
    )


@patch(
    gap="`CreateDomain` answers no `DomainId`, and drops `TagPropagation`",
    effect="the provider waits on `DescribeDomain` of an empty id until it gives up (the studio unit cannot be "
    "applied), and every plan sets `tag_propagation` again",
)
def sagemaker_domain_answers() -> None:
    """moto's CreateDomain answers DomainArn and Url without the DomainId the API reference lists
    (the provider reads it, and waits on DescribeDomain of an empty id until it gives up), and
    drops TagPropagation, which DescribeDomain never shows (every plan sets it again). Here the
    create answers the id (the last part of the ARN) and the domain keeps its TagPropagation."""
    from moto.core.responses import ActionResult
    from moto.sagemaker.responses import SageMakerResponse

    def make_create(create_domain):
        def wrapped(self):
            answer = dict(create_domain(self).result)
            answer.setdefault("DomainId", str(answer.get("DomainArn", "")).rsplit("/", 1)[-1])
            domain = self.sagemaker_backend.domains.get(answer["DomainId"])
            if domain is not None and self._get_param("TagPropagation"):
                domain.smenv_tag_propagation = self._get_param("TagPropagation")
            return ActionResult(answer)

        return wrapped

    def make_describe(describe_domain):
        def wrapped(self):
            answer = dict(describe_domain(self).result)
            domain = self.sagemaker_backend.domains.get(self._get_param("DomainId"))
            if getattr(domain, "smenv_tag_propagation", None):
                answer["TagPropagation"] = domain.smenv_tag_propagation
            return ActionResult(answer)

        return wrapped

    _install(SageMakerResponse, "create_domain", make_create)
    _install(SageMakerResponse, "describe_domain", make_describe)


@patch(
    gap="a missing domain is a `ValidationException` where AWS answers `ResourceNotFound`",
    effect="the provider's wait for a deleted domain fails, so the studio unit cannot be destroyed",
)
def sagemaker_domain_not_found() -> None:
    """moto answers DescribeDomain and DeleteDomain of a missing domain with a ValidationException;
    AWS answers ResourceNotFound, which is what the provider's wait for a deleted domain looks for
    (on moto the destroy of a domain fails). Here a missing domain is ResourceNotFound."""
    from moto.sagemaker.exceptions import ResourceNotFound
    from moto.sagemaker.models import SageMakerModelBackend

    def make(method):
        def wrapped(self, domain_id, *args, **kwargs):
            if domain_id not in self.domains:
                raise ResourceNotFound(f"Domain '{domain_id}' does not exist.")
            return method(self, domain_id, *args, **kwargs)

        return wrapped

    _install(SageMakerModelBackend, "describe_domain", make)
    _install(SageMakerModelBackend, "delete_domain", make)


@patch(
    gap="tag calls crash on a profile's or space's ARN and know no Studio lifecycle configuration (500)",
    effect="the provider's default tags on them can be neither read nor written",
)
def sagemaker_tags_of_studio_kinds() -> None:
    """ListTags, AddTags and DeleteTags know no Studio user profile, space or lifecycle configuration
    (a profile's or space's ARN, <kind>/<domain>/<name>, crashes the lookup: 500): the provider reads
    and writes its default tags on each. Here their ARNs are known while the resource exists."""
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend

    arn_fields = {
        "user-profile": "UserProfileArn",
        "space": "SpaceArn",
        "studio-lifecycle-config": "StudioLifecycleConfigArn",
    }

    def make_lookup(lookup):
        def _get_resource_from_arn(self, arn: str):
            kind, _, rest = arn.rsplit(":", 1)[-1].partition("/")
            if kind in arn_fields:
                found = [r for r in _studio_kept(self)[kind].values() if r.answer[arn_fields[kind]] == arn]
                if found:
                    return found[0]
                raise ValidationError(f"Could not find {kind} with name {rest}")
            return lookup(self, arn)

        return _get_resource_from_arn

    _install(SageMakerModelBackend, "_get_resource_from_arn", make_lookup)


@patch(
    gap="no `ListUserProfiles`, `ListSpaces`, `ListApps` (500)",
    effect="`tools/sweep.py` cannot find what users made in Studio",
)
def sagemaker_studio_listings() -> None:
    """moto has no ListUserProfiles, ListSpaces or ListApps (500): tools/sweep.py lists what users
    made in Studio. Here each lists what the patches above keep, filtered by DomainIdEquals (and
    UserProfileNameEquals / SpaceNameEquals for apps) as the API reference says, in one page: the
    summaries' shapes of the API reference (no ARN: the caller describes one for it)."""
    from moto.core.responses import ActionResult
    from moto.sagemaker.responses import SageMakerResponse

    summary_fields = {
        "user-profile": ("DomainId", "UserProfileName", "Status", "CreationTime", "LastModifiedTime"),
        "space": ("DomainId", "SpaceName", "Status", "CreationTime", "LastModifiedTime", "SpaceDisplayName"),
    }

    def members(self, kind: str) -> list[dict]:
        domain = self._get_param("DomainIdEquals")
        found = [r.answer for r in _studio_kept(self)[kind].values()]
        found = [a for a in found if domain in (None, a["DomainId"])]
        return [{k: a[k] for k in summary_fields[kind] if k in a} for a in found]

    def list_user_profiles(self):
        return ActionResult({"UserProfiles": members(self, "user-profile")})

    def list_spaces(self):
        return ActionResult({"Spaces": members(self, "space")})

    def list_apps(self):
        wanted = {
            "DomainId": self._get_param("DomainIdEquals"),
            "UserProfileName": self._get_param("UserProfileNameEquals"),
            "SpaceName": self._get_param("SpaceNameEquals"),
        }
        apps = [
            {k: v for k, v in r.answer.items() if k != "AppArn"}
            for r in _sagemaker_kept(self)["app"].values()
            if all(value is None or r.answer.get(field) == value for field, value in wanted.items())
        ]
        return ActionResult({"Apps": apps})

    _add_operations(SageMakerResponse, "sagemaker_studio_listings", [list_user_profiles, list_spaces, list_apps])


# --- SageMaker Pipelines: what tools/pipeline.py meets ----------------------------------------------


@patch(
    gap="a missing pipeline is a `ValidationException` to `DescribePipeline`, `UpdatePipeline`, "
    "`DeletePipeline`, `StartPipelineExecution`, where AWS answers `ResourceNotFound`",
    effect="`tools/pipeline.py upsert` cannot tell a pipeline to create from one to update",
)
def sagemaker_pipeline_not_found() -> None:
    """moto answers DescribePipeline, UpdatePipeline, DeletePipeline and StartPipelineExecution of a
    missing pipeline with a ValidationException; AWS answers ResourceNotFound (API reference, each
    call's Errors), which is how tools/pipeline.py tells a pipeline to create from one to update.
    Here a missing pipeline is ResourceNotFound."""
    from moto.sagemaker.exceptions import ResourceNotFound
    from moto.sagemaker.models import SageMakerModelBackend

    def make(method):
        def wrapped(self, pipeline_name, *args, **kwargs):
            if pipeline_name not in self.pipelines:
                raise ResourceNotFound(f"Pipeline '{pipeline_name}' does not exist.")
            return method(self, pipeline_name, *args, **kwargs)

        return wrapped

    for name in ("describe_pipeline", "update_pipeline", "delete_pipeline", "start_pipeline_execution"):
        _install(SageMakerModelBackend, name, make)


@patch(
    gap="a pipeline execution starts `Succeeded`, there is no `StopPipelineExecution` (500), and "
    "`DeletePipeline` deletes a pipeline with an execution running, which AWS refuses",
    effect="`tools/sweep.py` finds no running execution, cannot stop one, and is not held to stopping them "
    "before the delete",
)
def sagemaker_pipeline_executions() -> None:
    """moto starts a pipeline execution already Succeeded, has no StopPipelineExecution (500), and
    deletes a pipeline while it runs. AWS starts one Executing; StopPipelineExecution moves it to
    Stopping, then Stopped; DeletePipeline deletes a pipeline only "if there are no running
    instances" (API reference). tools/sweep.py stops a pipeline's executions, waits, then deletes it.
    Here an execution starts Executing and stays so until stopped (the emulator runs no step); a stop
    of an Executing one moves it to Stopping (the next DescribePipelineExecution to Stopped), of
    another is a ValidationException, of a missing one ResourceNotFound; DeletePipeline of a pipeline
    with an Executing or Stopping execution is a ConflictException."""
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.sagemaker import models
    from moto.sagemaker.exceptions import ConflictException, ResourceNotFound, ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    def make_init(init):
        def __init__(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self.pipeline_execution_status = "Executing"

        return __init__

    def find(backend, arn: str):
        for pipeline in backend.pipelines.values():
            if arn in pipeline.pipeline_executions:
                return pipeline.pipeline_executions[arn]
        raise ResourceNotFound(f"Pipeline execution '{arn}' does not exist.")

    def stop_pipeline_execution(self):
        arn = self._get_param("PipelineExecutionArn")
        execution = find(self.sagemaker_backend, arn)
        if execution.pipeline_execution_status != "Executing":
            raise ValidationError(
                f"Pipeline execution '{arn}' is in status {execution.pipeline_execution_status}: only an Executing one can be stopped."
            )
        execution.pipeline_execution_status = "Stopping"
        execution.last_modified_time = utcnow()
        return ActionResult({"PipelineExecutionArn": arn})

    def make_describe(describe):
        def describe_pipeline_execution(self, pipeline_execution_arn, *args, **kwargs):
            answer = describe(self, pipeline_execution_arn, *args, **kwargs)
            execution = find(self, pipeline_execution_arn)
            if execution.pipeline_execution_status == "Stopping":
                execution.pipeline_execution_status = "Stopped"
            return answer

        return describe_pipeline_execution

    def make_delete(delete):
        def delete_pipeline(self, pipeline_name, *args, **kwargs):
            pipeline = self.pipelines.get(pipeline_name)
            running = [
                e for e in (pipeline.pipeline_executions.values() if pipeline else [])
                if e.pipeline_execution_status in ("Executing", "Stopping")
            ]  # fmt: skip
            if running:
                raise ConflictException(
                    f"Pipeline '{pipeline_name}' has {len(running)} running execution(s): stop them before deleting it."
                )
            return delete(self, pipeline_name, *args, **kwargs)

        return delete_pipeline

    _install(models.FakePipelineExecution, "__init__", make_init)
    _add_operations(SageMakerResponse, "sagemaker_pipeline_executions", [stop_pipeline_execution])
    _install(models.SageMakerModelBackend, "describe_pipeline_execution", make_describe)
    _install(models.SageMakerModelBackend, "delete_pipeline", make_delete)


# --- README.md's "Emulator gaps" table, from the registrations above ---------------------------------


def gap_table() -> str:
    """The markdown table (no trailing newline): a header, then one row per gap, in the order the
    patches are declared; a row several patches share appears once."""
    rows = ["| gap | effect | filled by |", "| --- | --- | --- |"]
    for func in PATCHES:
        gap = GAPS[func.__name__]
        row = f"| {gap.gap} | {gap.effect} | {gap.filled_by or f'`{func.__name__}`'} |"
        if row not in rows:
            rows.append(row)
    return "\n".join(rows)


def with_gap_table(readme: str) -> str:
    """readme with gap_table() between the BEGIN and END markers; ValueError when either is missing."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return f"{readme[:start]}\n{gap_table()}\n{readme[end:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print README.md's emulator gap table, or write or check it there.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the table into README.md")
    mode.add_argument("--check", action="store_true", help="exit 1 when README.md's table is stale")
    args = parser.parse_args(argv)
    if not (args.write or args.check):
        print(gap_table())
        return 0
    try:
        readme = README.read_text()
        wanted = with_gap_table(readme)
    except OSError as error:
        print(f"emulator_patches: error: cannot read {README}: {error.strerror}", file=sys.stderr)
        return 1
    except ValueError:
        print(f"emulator_patches: error: README.md lacks the {BEGIN} ... {END} markers", file=sys.stderr)
        return 1
    rows = len(gap_table().splitlines()) - 2
    if args.check:
        if wanted != readme:
            print(
                "emulator_patches: error: README.md's emulator gap table is stale: "
                "run `python tools/emulator_patches.py --write`",
                file=sys.stderr,
            )
            return 1
        print(f"README.md lists all {rows} emulator gaps ({len(PATCHES)} patches)")
        return 0
    README.write_text(wanted)
    print(f"wrote {rows} emulator gaps ({len(PATCHES)} patches) into README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
