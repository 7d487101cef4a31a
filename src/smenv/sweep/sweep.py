"""Find the SageMaker work and alarms in an environment that Terraform does not manage; stop or delete them.

Run it BEFORE destroying an environment (`make down`, `terragrunt run --all destroy`): a training
job started from a notebook, a model or endpoint made by hand, an alarm someone added, none of
them is in Terraform's state, so a destroy leaves them running (and billing), or fails on them.

    python tools/sweep.py --env dev                    # dry run (the default): list, change nothing
    python tools/sweep.py --env dev --stop             # stop running jobs, pipeline executions and
                                                       # untagged InService notebooks
    python tools/sweep.py --env dev --delete           # delete untagged models, endpoint configs,
                                                       # endpoints, notebooks, the env's pipelines,
                                                       # and the alarms by prefix
    python tools/sweep.py --env dev --stop --delete --dry-run   # what those two would do

What it finds, in the environment's account and region:
  - training, processing, hyper-parameter tuning and transform jobs that are InProgress or Stopping;
  - models, endpoint configurations, endpoints and notebook instances without the tag
    managed-by=terraform (every resource Terraform makes here carries it: docs/CONTRACTS.md);
  - Studio apps (Terraform makes none), and spaces and user profiles without that tag, in the
    environment's domains (named <name_prefix>-<env>-*): a domain cannot be deleted while they exist (deleted apps first, then
    spaces, then profiles, each waited for, as SageMaker requires);
  - SageMaker Pipelines whose name starts with the environment's prefix (<name_prefix>-<env>-,
    as tools/pipeline.py names them; Terraform makes none), with their running executions: a
    pipeline left behind can be started again after a destroy (--delete stops its executions,
    waits for them to stop, then deletes it, as DeletePipeline requires);
  - CloudWatch alarms whose name starts with the environment's prefix (<name_prefix>-<env>-).
Anything tagged managed-by=terraform is never stopped or deleted, except a Studio app: Terraform makes
none, yet every app carries the tags of its domain and user profile (SageMaker adds them to each app
launched there), so an app's managed-by=terraform says nothing about who made it.

Credentials: --env local (and any env while SMENV_EMULATOR_URL is set) goes to the emulator with
test credentials. Other envs use the standard AWS configuration (or --profile) and assume the env's
terraform_role_arn, as Terraform does (--role-arn another role, --no-assume-role none); the account
must be the env's account_id.

Exit 0 when nothing was found or everything asked was done, 1 on an AWS failure, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError, ProfileNotFound, WaiterError

from smenv.core import cli
from smenv.core.awsutil import assume_role, client, describe_error
from smenv.core.project import Environment, UsageError, emulator_url, load_environment
from smenv.live.local_aws import emulator_session

MANAGED_TAG = ("managed-by", "terraform")

TRAINING_JOB = "training-job"
PROCESSING_JOB = "processing-job"
TUNING_JOB = "tuning-job"
TRANSFORM_JOB = "transform-job"
ENDPOINT = "endpoint"
ENDPOINT_CONFIG = "endpoint-config"
MODEL = "model"
NOTEBOOK = "notebook"
APP = "app"
SPACE = "space"
USER_PROFILE = "user-profile"
ALARM = "alarm"
PIPELINE = "pipeline"
# Table order, and the order stops and deletes run in: what uses a thing goes before it.
KINDS = (
    # Pipelines first: a running execution starts its next step's job when the step before ends,
    # so stopping a job alone may only make way for the next. Stopping the execution stops the job
    # it runs and starts no other; the jobs (listed before) are handled after, and one the
    # execution's stop already stopped is "already stopped".
    PIPELINE,
    TRAINING_JOB,
    PROCESSING_JOB,
    TUNING_JOB,
    TRANSFORM_JOB,
    ENDPOINT,
    ENDPOINT_CONFIG,
    MODEL,
    NOTEBOOK,
    APP,
    SPACE,
    USER_PROFILE,
    ALARM,
)

STOP, DELETE, STOP_DELETE = "stop", "delete", "stop+delete"
RUNNING_JOB_STATES = ("InProgress", "Stopping")
RUNNING_EXECUTION_STATES = ("Executing", "Stopping")  # PipelineExecutionStatus, API reference
NOTEBOOK_WAIT_SECONDS = 600
NOTEBOOK_WAIT_DELAY = 15
STUDIO_WAIT_DELAY = 5
PIPELINE_WAIT_DELAY = 10

# kind: (paginator, StatusEquals values or None, summaries key, name key, arn key, status key)
_LISTINGS: dict[str, tuple[str, tuple[str, ...] | None, str, str, str, str | None]] = {
    TRAINING_JOB: (
        "list_training_jobs",
        RUNNING_JOB_STATES,
        "TrainingJobSummaries",
        "TrainingJobName",
        "TrainingJobArn",
        "TrainingJobStatus",
    ),
    PROCESSING_JOB: (
        "list_processing_jobs",
        RUNNING_JOB_STATES,
        "ProcessingJobSummaries",
        "ProcessingJobName",
        "ProcessingJobArn",
        "ProcessingJobStatus",
    ),
    TUNING_JOB: (
        "list_hyper_parameter_tuning_jobs",
        RUNNING_JOB_STATES,
        "HyperParameterTuningJobSummaries",
        "HyperParameterTuningJobName",
        "HyperParameterTuningJobArn",
        "HyperParameterTuningJobStatus",
    ),
    TRANSFORM_JOB: (
        "list_transform_jobs",
        RUNNING_JOB_STATES,
        "TransformJobSummaries",
        "TransformJobName",
        "TransformJobArn",
        "TransformJobStatus",
    ),
    ENDPOINT: ("list_endpoints", None, "Endpoints", "EndpointName", "EndpointArn", "EndpointStatus"),
    ENDPOINT_CONFIG: (
        "list_endpoint_configs",
        None,
        "EndpointConfigs",
        "EndpointConfigName",
        "EndpointConfigArn",
        None,
    ),
    MODEL: ("list_models", None, "Models", "ModelName", "ModelArn", None),
    NOTEBOOK: (
        "list_notebook_instances",
        None,
        "NotebookInstances",
        "NotebookInstanceName",
        "NotebookInstanceArn",
        "NotebookInstanceStatus",
    ),
}
_STOP_CALLS = {
    TRAINING_JOB: ("stop_training_job", "TrainingJobName"),
    PROCESSING_JOB: ("stop_processing_job", "ProcessingJobName"),
    TUNING_JOB: ("stop_hyper_parameter_tuning_job", "HyperParameterTuningJobName"),
    TRANSFORM_JOB: ("stop_transform_job", "TransformJobName"),
    NOTEBOOK: ("stop_notebook_instance", "NotebookInstanceName"),
}
_DELETE_CALLS = {
    ENDPOINT: ("delete_endpoint", "EndpointName"),
    ENDPOINT_CONFIG: ("delete_endpoint_config", "EndpointConfigName"),
    MODEL: ("delete_model", "ModelName"),
    NOTEBOOK: ("delete_notebook_instance", "NotebookInstanceName"),
    PIPELINE: ("delete_pipeline", "PipelineName"),  # botocore fills its ClientRequestToken
}
# Studio's kinds live in a domain: (paginator, summaries key, describe call, ARN key, the summary
# fields that name one, which its Describe and Delete calls take). SageMaker API Reference,
# ListApps, ListSpaces, ListUserProfiles; a deleted app stays listed as Deleted for a while.
_STUDIO: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {
    APP: ("list_apps", "Apps", "describe_app", "AppArn", ("DomainId", "UserProfileName", "SpaceName", "AppType", "AppName")),
    SPACE: ("list_spaces", "Spaces", "describe_space", "SpaceArn", ("DomainId", "SpaceName")),
    USER_PROFILE: ("list_user_profiles", "UserProfiles", "describe_user_profile", "UserProfileArn", ("DomainId", "UserProfileName")),
}  # fmt: skip
_STUDIO_DELETES = {APP: "delete_app", SPACE: "delete_space", USER_PROFILE: "delete_user_profile"}
_GONE_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException", "ResourceNotFoundFault"})
_GONE_MESSAGES = ("could not find", "recordnotfound", "record not found", "does not exist")


# --- what there is (plain data) -----------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    status: str
    arn: str
    tags: Mapping[str, str] = field(default_factory=dict, compare=False)
    # What the Describe and Delete calls of a Studio kind take (DomainId, SpaceName, ...).
    key: Mapping[str, str] = field(default_factory=dict, compare=False)
    # A pipeline's running executions: (PipelineExecutionArn, PipelineExecutionStatus).
    executions: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def managed(self) -> bool:
        """Tagged managed-by=terraform, and not a Studio app, whatever its tags. Terraform makes no
        app here, but SageMaker puts the tags of an app's domain and user profile on every app
        launched in them (API reference, CreateDomain and CreateUserProfile, Tags: "also added to
        all Apps that the Domain launches", https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html;
        custom tag propagation carries domain, profile and space tags further:
        https://docs.aws.amazon.com/sagemaker/latest/dg/custom-tags.html). Every domain and profile
        Terraform makes carries managed-by=terraform (provider default tags), so every app would
        look managed, be left running, and the domain's destroy would fail on it."""
        return self.kind != APP and self.tags.get(MANAGED_TAG[0]) == MANAGED_TAG[1]


@dataclass(frozen=True)
class Step:
    """One unmanaged resource and what this run does to it (action None: nothing, see options)."""

    resource: Resource
    action: str | None
    options: tuple[tuple[str, str], ...]  # (flag, action) that would act on it
    note: str = ""


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    managed: int  # resources found with managed-by=terraform, left alone

    @property
    def actions(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.action)


@dataclass
class Outcome:
    step: Step
    result: str  # stopped, deleted, stopped+deleted, already gone, ..., or failed
    ok: bool
    error: str = ""


# --- the decision (pure) -------------------------------------------------------------------------


def remedies(resource: Resource) -> tuple[dict[str, str], str]:
    """What each flag would do to an unmanaged resource ({"stop"|"delete": action}), and a note
    when nothing can be done to it right now."""
    kind, status = resource.kind, resource.status
    if kind == PIPELINE:
        if status == "Executing":
            return {"stop": STOP, "delete": STOP_DELETE}, ""
        if status == "Stopping":
            return {"delete": STOP_DELETE}, ""  # wait for its executions to stop, then delete
        if status == "Deleting":
            return {}, "already deleting"
        return {"delete": DELETE}, ""
    if kind in _STOP_CALLS and kind != NOTEBOOK:
        if status == "InProgress":
            return {"stop": STOP}, ""
        return {}, f"already {status.lower()}"
    if kind == NOTEBOOK:
        if status == "InService":
            return {"stop": STOP, "delete": STOP_DELETE}, ""
        if status == "Stopping":
            return {"delete": STOP_DELETE}, ""  # wait for Stopped, then delete
        if status in ("Stopped", "Failed"):
            return {"delete": DELETE}, ""
        if status == "Deleting":
            return {}, "already deleting"
        return {}, f"{status}: run the sweep again once it is InService"
    if kind in (ENDPOINT, *_STUDIO) and status == "Deleting":
        return {}, "already deleting"
    if kind in _STUDIO and status in ("Pending", "Updating"):
        return {}, f"{status}: run the sweep again once it is InService"
    return {"delete": DELETE}, ""


def plan(resources: Iterable[Resource], stop: bool, delete: bool) -> Plan:
    """Which resources this run acts on: every unmanaged one a chosen flag applies to, never a
    resource tagged managed-by=terraform but a Studio app (Resource.managed). With neither flag,
    nothing is acted on (a dry run)."""
    steps: list[Step] = []
    managed = 0
    for resource in sorted(resources, key=lambda r: (KINDS.index(r.kind), r.name)):
        if resource.managed:
            managed += 1
            continue
        options, note = remedies(resource)
        action = options.get("delete") if delete else None
        if action is None and stop:
            action = options.get("stop")
        steps.append(Step(resource, action, tuple(sorted(options.items())), note))
    return Plan(tuple(steps), managed)


def action_text(step: Step, dry_run: bool, flags_given: bool) -> str:
    if step.action and dry_run:
        return f"would {step.action}"
    if step.action:
        return step.action
    if step.note:
        return f"none ({step.note})"
    hints = ", ".join(f"--{flag}: {action}" for flag, action in step.options)
    return f"{'not asked; ' if flags_given else ''}{hints}"


# --- listing --------------------------------------------------------------------------------------


def is_gone(exc: ClientError) -> bool:
    err = exc.response.get("Error", {})
    code, message = str(err.get("Code", "")), str(err.get("Message", "")).lower()
    return code in _GONE_CODES or (code == "ValidationException" and any(m in message for m in _GONE_MESSAGES))


def sagemaker_tags(sagemaker, arn: str) -> dict[str, str] | None:
    """The resource's tags, or None when it went away while we looked."""
    tags: dict[str, str] = {}
    try:
        for page in sagemaker.get_paginator("list_tags").paginate(ResourceArn=arn):
            tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
    except ClientError as exc:
        if is_gone(exc):
            return None
        raise
    return tags


def list_sagemaker(sagemaker, kind: str) -> list[Resource]:
    """Running jobs of a kind (StatusEquals per running state), or every resource of a kind, with tags."""
    paginator_name, states, key, name_key, arn_key, status_key = _LISTINGS[kind]
    paginator = sagemaker.get_paginator(paginator_name)
    queries: list[dict[str, Any]] = [{"StatusEquals": s} for s in states] if states else [{}]
    found: dict[str, Resource] = {}
    for query in queries:
        for page in paginator.paginate(**query):
            for summary in page.get(key, []):
                name = summary[name_key]
                status = str(summary.get(status_key, "-")) if status_key else "-"
                if states and status not in states:
                    continue
                tags = sagemaker_tags(sagemaker, summary[arn_key])
                if tags is not None:
                    found[name] = Resource(kind, name, status, summary[arn_key], tags)
    return list(found.values())


def pipeline_status(own: str, executions: Iterable[tuple[str, str]]) -> str:
    """Executing while an execution is, else Stopping while one is, else the pipeline's own status."""
    statuses = {status for _, status in executions}
    return next((s for s in RUNNING_EXECUTION_STATES if s in statuses), own)


def list_pipelines(sagemaker, prefix: str) -> list[Resource]:
    """The pipelines whose name starts with prefix (the environment's), with their tags, status and
    running executions: those on the first page of ListPipelineExecutions, newest first (an older
    one still running is found by the next sweep)."""
    found: list[Resource] = []
    for page in sagemaker.get_paginator("list_pipelines").paginate(PipelineNamePrefix=prefix):
        for summary in page.get("PipelineSummaries", []):
            name, arn = summary["PipelineName"], summary["PipelineArn"]
            if not name.startswith(prefix):
                continue
            try:
                own = str(sagemaker.describe_pipeline(PipelineName=name).get("PipelineStatus", "-"))
                latest = sagemaker.list_pipeline_executions(
                    PipelineName=name, SortBy="CreationTime", SortOrder="Descending"
                ).get("PipelineExecutionSummaries", [])
            except ClientError as exc:
                if is_gone(exc):
                    continue
                raise
            running = tuple(
                (e["PipelineExecutionArn"], str(e.get("PipelineExecutionStatus")))
                for e in latest
                if e.get("PipelineExecutionStatus") in RUNNING_EXECUTION_STATES
            )
            tags = sagemaker_tags(sagemaker, arn)
            if tags is not None:
                found.append(Resource(PIPELINE, name, pipeline_status(own, running), arn, tags, executions=running))
    return found


def studio_domains(sagemaker, prefix: str) -> list[str]:
    """The ids of the Studio domains whose name starts with prefix (the environment's own)."""
    return [
        d["DomainId"]
        for page in sagemaker.get_paginator("list_domains").paginate()
        for d in page.get("Domains", [])
        if d.get("DomainName", "").startswith(prefix)
    ]


def list_studio(sagemaker, kind: str, domain_ids: Iterable[str]) -> list[Resource]:
    """Every app, space or user profile of a kind in the given domains: spaces and profiles with
    their tags, apps without (no tag makes an app managed: Resource.managed, so none is asked for).
    Apps already Deleted are left out: they are gone, only still listed."""
    paginator_name, key, describe, arn_key, fields = _STUDIO[kind]
    found: list[Resource] = []
    pages = (p for d in domain_ids for p in sagemaker.get_paginator(paginator_name).paginate(DomainIdEquals=d))
    for page in pages:
        for summary in page.get(key, []):
            status = str(summary.get("Status", "-"))
            if status == "Deleted":
                continue
            names = {f: str(summary[f]) for f in fields if summary.get(f)}
            try:
                arn = getattr(sagemaker, describe)(**names)[arn_key]
            except ClientError as exc:
                if is_gone(exc):
                    continue
                raise
            tags = {} if kind == APP else sagemaker_tags(sagemaker, arn)
            if tags is not None:
                found.append(Resource(kind, "/".join(names.values()), status, arn, tags, names))
    return found


def list_alarms(cloudwatch, prefix: str) -> list[Resource]:
    """Metric and composite alarms whose name starts with prefix, with their tags."""
    found: list[Resource] = []
    pages = cloudwatch.get_paginator("describe_alarms").paginate(
        AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    for page in pages:
        for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
            if not alarm["AlarmName"].startswith(prefix):
                continue
            try:
                tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags", [])
            except ClientError as exc:
                if is_gone(exc):
                    continue
                raise
            found.append(
                Resource(
                    ALARM,
                    alarm["AlarmName"],
                    str(alarm.get("StateValue", "-")),
                    alarm["AlarmArn"],
                    {t["Key"]: t["Value"] for t in tags},
                )
            )
    return found


def inventory(
    sagemaker,
    cloudwatch,
    alarm_prefix: str,
    progress: Callable[[str], None] = lambda _: None,
    resource_prefix: str | None = None,
) -> list[Resource]:
    """Every candidate the sweep looks at, managed or not (plan() decides). Studio's kinds are
    looked for in the domains named resource_prefix* (default: alarm_prefix) only, and pipelines
    named so."""
    resources: list[Resource] = []
    prefix = resource_prefix or alarm_prefix
    domains = studio_domains(sagemaker, prefix)
    for kind in KINDS:
        progress(f"listing {kind}s")
        if kind == ALARM:
            resources.extend(list_alarms(cloudwatch, alarm_prefix))
        elif kind == PIPELINE:
            resources.extend(list_pipelines(sagemaker, prefix))
        elif kind in _STUDIO:
            resources.extend(list_studio(sagemaker, kind, domains))
        else:
            resources.extend(list_sagemaker(sagemaker, kind))
    return resources


# --- acting ---------------------------------------------------------------------------------------


def _call(sagemaker, calls: Mapping[str, tuple[str, str]], resource: Resource) -> None:
    if resource.kind in _STUDIO:
        getattr(sagemaker, _STUDIO_DELETES[resource.kind])(**resource.key)
        return
    method, param = calls[resource.kind]
    getattr(sagemaker, method)(**{param: resource.name})


def _wait_gone(sagemaker, resource: Resource, wait_seconds: int) -> bool:
    """Wait until a deleted Studio app, space or profile is Deleted or gone (what uses it must be,
    before it can go), asking every STUDIO_WAIT_DELAY seconds; False when it is not after wait_seconds."""
    describe, delay = _STUDIO[resource.kind][2], STUDIO_WAIT_DELAY
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            if getattr(sagemaker, describe)(**resource.key).get("Status") == "Deleted":
                return True
        except ClientError as exc:
            if is_gone(exc):
                return True
            raise
        if time.monotonic() + delay > deadline:
            return False
        time.sleep(delay)


def _stop_executions(sagemaker, resource: Resource) -> None:
    """StopPipelineExecution of each of the pipeline's Executing executions (one already Stopping
    is on its way); one gone or no longer running since the listing is skipped."""
    for arn, status in resource.executions:
        if status != "Executing":
            continue
        try:
            sagemaker.stop_pipeline_execution(PipelineExecutionArn=arn)  # botocore fills ClientRequestToken
        except ClientError as exc:
            if not (is_gone(exc) or exc.response.get("Error", {}).get("Code") == "ValidationException"):
                raise


def _wait_executions(sagemaker, resource: Resource, wait_seconds: int) -> tuple[str, str] | None:
    """Wait until none of the pipeline's running executions is Executing or Stopping (DeletePipeline
    refuses a pipeline with running instances), asking every PIPELINE_WAIT_DELAY seconds; the first
    still running after wait_seconds, as (arn, status), or None."""
    deadline, delay = time.monotonic() + wait_seconds, PIPELINE_WAIT_DELAY
    for arn, _ in resource.executions:
        while True:
            try:
                status = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]
            except ClientError as exc:
                if is_gone(exc):
                    break
                raise
            if status not in RUNNING_EXECUTION_STATES:
                break
            if time.monotonic() + delay > deadline:
                return arn, status
            time.sleep(delay)
    return None


def _stop(sagemaker, step: Step) -> Outcome | None:
    """Stop the resource; an Outcome only when that settles the step (done, gone or failed)."""
    try:
        if step.resource.kind == PIPELINE:
            _stop_executions(sagemaker, step.resource)
        else:
            _call(sagemaker, _STOP_CALLS, step.resource)
    except ClientError as exc:
        if is_gone(exc):
            return Outcome(step, "already gone", True)
        if exc.response.get("Error", {}).get("Code") == "ValidationException":
            # No longer running (a tuning job's child stops with it; a notebook may have stopped
            # since we listed it): nothing to stop, and a delete waits for Stopped anyway.
            return Outcome(step, "already stopped", True) if step.action == STOP else None
        return Outcome(step, "failed", False, describe_error(exc))
    return Outcome(step, "stopped", True) if step.action == STOP else None


def _delete(sagemaker, cloudwatch, step: Step, wait_seconds: int) -> Outcome:
    resource = step.resource
    try:
        if resource.kind == ALARM:
            cloudwatch.delete_alarms(AlarmNames=[resource.name])
            return Outcome(step, "deleted", True)
        if step.action == STOP_DELETE and resource.kind == NOTEBOOK:
            delay = min(NOTEBOOK_WAIT_DELAY, max(1, wait_seconds))
            sagemaker.get_waiter("notebook_instance_stopped").wait(
                NotebookInstanceName=resource.name,
                WaiterConfig={"Delay": delay, "MaxAttempts": max(1, wait_seconds // delay)},
            )
        if resource.kind == PIPELINE:
            late = _wait_executions(sagemaker, resource, wait_seconds)
            if late:
                return Outcome(
                    step,
                    "failed",
                    False,
                    f"pipeline execution {late[0]} is still {late[1]} after {wait_seconds} s: "
                    "run the sweep again with --delete",
                )
        _call(sagemaker, _DELETE_CALLS, resource)
    except WaiterError:
        return Outcome(
            step,
            "failed",
            False,
            f"notebook {resource.name} was stopped but is not Stopped after {wait_seconds} s: "
            "run the sweep again with --delete to delete it",
        )
    except ClientError as exc:
        if is_gone(exc):
            return Outcome(step, "already gone", True)
        return Outcome(step, "failed", False, describe_error(exc))
    return Outcome(step, "stopped+deleted" if step.action == STOP_DELETE else "deleted", True)


def execute(
    chosen: Plan,
    sagemaker,
    cloudwatch,
    wait_seconds: int = NOTEBOOK_WAIT_SECONDS,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Outcome]:
    """Stops first (every notebook to delete is stopped before any wait), then deletes in KINDS order."""
    outcomes: dict[int, Outcome] = {}
    steps = chosen.actions
    for index, step in enumerate(steps):
        if step.action in (STOP, STOP_DELETE) and step.resource.status != "Stopping":
            done = _stop(sagemaker, step)
            if done:
                outcomes[index] = done
                progress(f"{done.result}: {step.resource.kind} {step.resource.name}")
            elif step.action == STOP_DELETE:
                progress(f"stopping {step.resource.kind} {step.resource.name} (waiting up to {wait_seconds} s)")
    deleted_studio: list[Resource] = []  # waited for before the next Studio kind goes
    for index, step in enumerate(steps):
        if index in outcomes or step.action == STOP:
            continue
        kind = step.resource.kind
        if kind in _STUDIO and any(r.kind != kind for r in deleted_studio):
            earlier = [r for r in deleted_studio if r.kind != kind]
            progress(f"waiting for {len(earlier)} deleted Studio resource(s) to go (up to {wait_seconds} s)")
            late = [r for r in earlier if not _wait_gone(sagemaker, r, wait_seconds)]
            deleted_studio = [r for r in deleted_studio if r.kind == kind]
            if late:
                outcomes[index] = Outcome(
                    step,
                    "failed",
                    False,
                    f"{late[0].kind} {late[0].name} is still deleting after {wait_seconds} s: "
                    "run the sweep again with --delete",
                )
                progress(f"failed: {kind} {step.resource.name}")
                continue
        outcomes[index] = _delete(sagemaker, cloudwatch, step, wait_seconds)
        if kind in _STUDIO and outcomes[index].result == "deleted":
            deleted_studio.append(step.resource)
        progress(f"{outcomes[index].result}: {step.resource.kind} {step.resource.name}")
    return [outcomes[i] for i in range(len(steps))]


# --- credentials ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    session: boto3.Session
    endpoint_url: str | None
    where: str


def connect(env: Environment, profile: str | None, role_arn: str | None, assume: bool) -> Target:
    """A session in the environment's account: the emulator for local (or while SMENV_EMULATOR_URL
    is set), else the standard AWS configuration with the env's terraform role assumed."""
    rehearsal_url = os.environ.get("SMENV_EMULATOR_URL", "")
    if env.emulator or rehearsal_url:
        if profile:
            raise UsageError(f"--profile does not apply to {env.name}: it runs on the emulator")
        url = rehearsal_url or emulator_url()
        base = emulator_session(env.region)
        role = role_arn or (env.terraform_role_arn if assume else "")
        session = assume_role(base, role, f"smenv-sweep-{env.name}", url) if role else base
        return Target(session, url, f"the emulator at {url}")
    base = boto3.Session(profile_name=profile, region_name=env.region)
    role = role_arn or (env.terraform_role_arn if assume else "")
    session = assume_role(base, role, f"smenv-sweep-{env.name}") if role else base
    return Target(session, None, f"AWS{f' as {role}' if role else ''}")


def check_account(sts, env: Environment) -> None:
    account = sts.get_caller_identity()["Account"]
    if account != env.account_id:
        raise UsageError(
            f"these credentials are for account {account}, but {env.name} is account {env.account_id}: "
            "use --profile or --role-arn"
        )


# --- output ---------------------------------------------------------------------------------------


def table(rows: Sequence[Sequence[str]]) -> str:
    header = ("kind", "name", "status", "action")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(
    env: Environment,
    alarm_prefix: str,
    chosen: Plan,
    *,
    outcomes: list[Outcome] | None,
    dry_run: bool,
    flags: tuple[str, ...],
) -> dict[str, Any]:
    by_step = {id(o.step): o for o in outcomes or []}
    rows = []
    for step in chosen.steps:
        outcome = by_step.get(id(step))
        r = step.resource
        rows.append(
            {
                "kind": r.kind,
                "name": r.name,
                "status": r.status,
                "arn": r.arn,
                "action": step.action,
                "options": {flag: action for flag, action in step.options},
                "note": step.note,
                "result": outcome.result if outcome else ("would " + step.action if step.action else None),
                "error": outcome.error if outcome and not outcome.ok else None,
            }
        )
    return {
        "environment": env.name,
        "account_id": env.account_id,
        "region": env.region,
        "alarm_prefix": alarm_prefix,
        "dry_run": dry_run,
        "flags": list(flags),
        "resources": rows,
        "managed_left_alone": chosen.managed,
        "failed": sum(1 for o in outcomes or [] if not o.ok),
    }


def print_text(doc: dict[str, Any], chosen: Plan, where: str) -> None:
    env, dry_run, flags = doc["environment"], doc["dry_run"], doc["flags"]
    print(
        f"sweep of {env} (account {doc['account_id']}, {doc['region']}) on {where}; alarms named {doc['alarm_prefix']}*"
    )
    if not chosen.steps:
        print(
            "nothing to sweep: no running jobs, no pipelines, no Studio apps, no models, endpoint configs, endpoints, notebooks, "
            f"Studio spaces or user profiles without managed-by=terraform, no unmanaged alarms ({chosen.managed} managed by Terraform, left alone)"
        )
        return
    rows = []
    for row, step in zip(doc["resources"], chosen.steps, strict=True):
        if row["error"]:
            action = f"failed: {row['error']}"
        elif row["result"] and not dry_run:
            action = row["result"]
        else:
            action = action_text(step, dry_run, bool(flags))
        rows.append((row["kind"], row["name"], row["status"], action))
    print(table(rows))
    acting = len(chosen.actions)
    managed = f"{chosen.managed} managed by Terraform, left alone"
    if dry_run and not flags:
        print(f"dry run: nothing changed; --stop and --delete do what the action column says ({managed})")
    elif dry_run:
        print(f"dry run: nothing changed; without --dry-run {acting} action(s) would run ({managed})")
    elif not acting:
        print(f"nothing to do with {' '.join('--' + f for f in flags)} ({managed})")
    else:
        print(f"{acting - doc['failed']} of {acting} action(s) done ({managed})")


# --- the command ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    lines = __doc__.splitlines()
    parser = argparse.ArgumentParser(
        description="\n".join(lines[:5]),
        epilog="\n".join(lines[5:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--env", required=True, help="environment under live/ (local, dev, staging, prod)")
    parser.add_argument(
        "--stop",
        action="store_true",
        help="stop running jobs and pipeline executions, and untagged InService notebooks",
    )
    parser.add_argument(
        "--delete",
        action="store_true",
        help="delete untagged models, endpoint configs, endpoints, notebooks (stopped first), Studio apps, "
        "spaces and user profiles, the pipelines (their executions stopped first) and the alarms by prefix",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="with --stop/--delete: say what they would do, do nothing"
    )
    parser.add_argument("--alarm-prefix", help="alarm names to sweep start with this (default: <name_prefix>-<env>-)")
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    parser.add_argument("--profile", help="AWS profile for a real account (default: the standard AWS configuration)")
    role = parser.add_mutually_exclusive_group()
    role.add_argument("--role-arn", help="role to assume in the env's account (default: env.hcl's terraform_role_arn)")
    role.add_argument("--no-assume-role", action="store_true", help="use the credentials as they are")
    parser.add_argument(
        "--wait-seconds",
        type=int,
        default=NOTEBOOK_WAIT_SECONDS,
        help=f"how long --delete waits for a notebook or a pipeline's executions to stop, or a deleted Studio app or space to go (default {NOTEBOOK_WAIT_SECONDS})",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def progress(text: str) -> None:
        print(f"  {text}", file=sys.stderr, flush=True)

    def body() -> int:
        if args.wait_seconds < 1:
            raise UsageError("--wait-seconds must be at least 1")
        if args.alarm_prefix is not None and not args.alarm_prefix.strip():
            raise UsageError("--alarm-prefix must not be empty (it would match every alarm in the account)")
        env = load_environment(args.env)
        alarm_prefix = args.alarm_prefix or f"{env.resource_prefix}-"
        target = connect(env, args.profile, args.role_arn, not args.no_assume_role)
        check_account(client(target.session, "sts", target.endpoint_url), env)
        sagemaker = client(target.session, "sagemaker", target.endpoint_url)
        cloudwatch = client(target.session, "cloudwatch", target.endpoint_url)
        flags = tuple(f for f in ("stop", "delete") if getattr(args, f))
        dry_run = args.dry_run or not flags
        found = inventory(sagemaker, cloudwatch, alarm_prefix, resource_prefix=f"{env.resource_prefix}-")
        chosen = plan(found, args.stop, args.delete)
        outcomes = None if dry_run else execute(chosen, sagemaker, cloudwatch, args.wait_seconds, progress)

        doc = report(env, alarm_prefix, chosen, outcomes=outcomes, dry_run=dry_run, flags=flags)
        if args.json:
            print(json.dumps(doc, indent=2, sort_keys=True))
        else:
            print_text(doc, chosen, target.where)
        failed = [o for o in outcomes or [] if not o.ok]
        if failed:
            print(
                f"sweep: error: {len(failed)} of {len(outcomes or [])} action(s) failed; first: "
                f"{failed[0].step.resource.kind} {failed[0].step.resource.name}: {failed[0].error}",
                file=sys.stderr,
            )
            return 1
        return 0

    return cli.run("sweep", body, usage=(ProfileNotFound,), interrupted="run it again to see what is left")


if __name__ == "__main__":
    sys.exit(main())
