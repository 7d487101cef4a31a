"""SageMaker: the kinds the enforcer judges beyond jobs, models and notebooks."""

from __future__ import annotations

from smenv.live.emulator_patches import patch
from smenv.live.emulator_patches._moto import (
    _SAGEMAKER_KINDS,
    _add_operations,
    _install,
    _sagemaker_arn,
    _sagemaker_kept,
    _SageMakerResource,
    _studio_kept,
)

# --- SageMaker: the kinds the enforcer judges beyond jobs, models and notebooks ---------------------
# moto 5.2.5 has no monitoring schedules, optimization, labeling or inference recommendations jobs,
# Studio apps, StopCompilationJob, or the Update calls of notebooks, lifecycle configurations,
# HyperPod clusters and domains (NotImplementedError, a 500). The patch below keeps what it adds
# beside moto's SageMaker backend, each resource as its Describe* answer (API reference shapes),
# with its tags. A job is created running and stays so until stopped (the emulator runs nothing);
# a stop answers Stopping and the next Describe shows Stopped, as _stopping_becomes_stopped does.


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
