"""SageMaker jobs, models, endpoints and model packages: what the enforcer and promotion meet."""

from __future__ import annotations

from smenv.live.emulator_patches import patch
from smenv.live.emulator_patches._moto import (
    _install,
)

# --- SageMaker: what the enforcer (lambda/enforcer) meets -------------------------------------
# apply_all() may run more than once in a process (every test calls it): _install() replaces an
# attribute once and leaves an already-patched one alone.

_JOB_STATUS = {  # backend collection -> status attribute of its jobs
    "training_jobs": "training_job_status",
    "transform_jobs": "transform_job_status",
    "hyper_parameter_tuning_jobs": "hyper_parameter_tuning_job_status",
}


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
