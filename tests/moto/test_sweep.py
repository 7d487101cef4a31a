"""tools/sweep.py: what Terraform does not manage is found, and stopped or deleted only when asked.

In-process moto (mock_aws) with src/smenv/live/emulator_patches/ applied: there, as in AWS, jobs start
InProgress and stay so until stopped. One end-to-end run goes through the command line against
the test emulator (a moto server started with tools/local_aws.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from smenv.live import emulator_patches
from smenv.sweep import sweep
from smenv_testing import REPO

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/smenv-local-fraud-sagemaker"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1"
MANAGED = [
    {"Key": "project", "Value": "smenv"},
    {"Key": "environment", "Value": "local"},
    {"Key": "managed-by", "Value": "terraform"},
]
JOB = {
    "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
    "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
    "StoppingCondition": {"MaxRuntimeInSeconds": 60},
}


@dataclass
class World:
    sagemaker: object
    cloudwatch: object

    # --- making things, as a notebook user (untagged) or Terraform (tagged) would ---------------

    def training_job(self, name: str, *, managed: bool = False) -> None:
        self.sagemaker.create_training_job(TrainingJobName=name, Tags=MANAGED if managed else [], **JOB)

    def processing_job(self, name: str) -> None:
        self.sagemaker.create_processing_job(
            ProcessingJobName=name,
            RoleArn=ROLE,
            AppSpecification={"ImageUri": IMAGE},
            ProcessingResources={
                "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 10}
            },
        )

    def tuning_job(self, name: str) -> None:
        self.sagemaker.create_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=name,
            HyperParameterTuningJobConfig={
                "Strategy": "Bayesian",
                "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
            },
            TrainingJobDefinition=JOB,
        )

    def model(self, name: str, *, managed: bool = False) -> None:
        self.sagemaker.create_model(
            ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE}, Tags=MANAGED if managed else []
        )

    def transform_job(self, name: str, model: str) -> None:
        self.sagemaker.create_transform_job(
            TransformJobName=name,
            ModelName=model,
            TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/in"}}},
            TransformOutput={"S3OutputPath": "s3://bucket/out"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )

    def endpoint(self, name: str, model: str, *, managed: bool = False) -> None:
        tags = MANAGED if managed else []
        self.sagemaker.create_endpoint_config(
            EndpointConfigName=f"{name}-config",
            ProductionVariants=[
                {"VariantName": "main", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
            ],
            Tags=tags,
        )
        self.sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config", Tags=tags)

    def notebook(self, name: str, *, managed: bool = False, stopped: bool = False) -> None:
        self.sagemaker.create_notebook_instance(
            NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE, Tags=MANAGED if managed else []
        )
        if stopped:
            self.sagemaker.stop_notebook_instance(NotebookInstanceName=name)

    def alarm(self, name: str, *, managed: bool = False) -> None:
        self.cloudwatch.put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/SageMaker",
            MetricName="Invocation5XXErrors",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            Tags=MANAGED if managed else [],
        )

    def pipeline(self, name: str, *, executing: bool = False, managed: bool = False) -> str | None:
        """A pipeline as tools/pipeline.py makes one (tagged team=...), and an execution of it running."""
        tags = [{"Key": "team", "Value": "fraud"}, *(MANAGED if managed else [])]
        self.sagemaker.create_pipeline(PipelineName=name, PipelineDefinition='{"Steps": []}', RoleArn=ROLE, Tags=tags)
        return self.sagemaker.start_pipeline_execution(PipelineName=name)["PipelineExecutionArn"] if executing else None

    def pipelines(self) -> dict[str, list[str]]:
        """Pipeline name -> the statuses of its executions."""
        sm = self.sagemaker
        return {
            p["PipelineName"]: [
                e["PipelineExecutionStatus"]
                for e in sm.list_pipeline_executions(PipelineName=p["PipelineName"])["PipelineExecutionSummaries"]
            ]
            for page in sm.get_paginator("list_pipelines").paginate()
            for p in page["PipelineSummaries"]
        }

    # --- what is there now --------------------------------------------------------------------------

    def everything(self) -> dict[tuple[str, str], str]:
        """(kind, name) -> status of every job, model, config, endpoint, notebook and alarm."""
        sm = self.sagemaker
        found: dict[tuple[str, str], str] = {}
        for kind, (paginator, _, key, name_key, _, status_key) in sweep._LISTINGS.items():
            for page in sm.get_paginator(paginator).paginate():
                for item in page[key]:
                    found[(kind, item[name_key])] = item.get(status_key, "-") if status_key else "-"
        for page in self.cloudwatch.get_paginator("describe_alarms").paginate():
            for alarm in page["MetricAlarms"]:
                found[("alarm", alarm["AlarmName"])] = "exists"
        return found


@pytest.fixture
def aws(monkeypatch):
    emulator_patches.apply_all()
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        # The command line reaches this in-process moto instead of the emulator or AWS.
        monkeypatch.setattr(sweep, "connect", lambda *_args: sweep.Target(session, None, "moto"))
        yield World(session.client("sagemaker"), session.client("cloudwatch"))


def a_mixed_environment(aws: World) -> None:
    """What an environment looks like after a while: Terraform's resources (tagged), and a
    notebook user's jobs, models, endpoints and notebooks (untagged), some running, some done."""
    aws.training_job("nb-train")  # running, started from a notebook
    aws.training_job("tf-train", managed=True)  # running, but tagged as Terraform's
    aws.training_job("done-train")
    aws.sagemaker.stop_training_job(TrainingJobName="done-train")
    aws.sagemaker.describe_training_job(TrainingJobName="done-train")  # Stopping -> Stopped: finished
    aws.processing_job("nb-process")
    aws.tuning_job("nb-tune")
    aws.model("nb-model")
    aws.transform_job("nb-transform", "nb-model")
    aws.model("tf-model", managed=True)
    aws.endpoint("tf-endpoint", "tf-model", managed=True)
    aws.model("hand-model")
    aws.endpoint("hand-endpoint", "hand-model")
    aws.notebook("tf-notebook", managed=True)
    aws.notebook("scratch")  # InService
    aws.notebook("old", stopped=True)
    aws.alarm("smenv-local-enforcer-errors", managed=True)
    aws.alarm("smenv-local-hand-made")
    aws.alarm("smenv-localx-other-env")  # another prefix that merely starts alike
    aws.alarm("team-alarm")


UNMANAGED = {
    ("training-job", "nb-train"),
    ("processing-job", "nb-process"),
    ("tuning-job", "nb-tune"),
    ("transform-job", "nb-transform"),
    ("endpoint", "hand-endpoint"),
    ("endpoint-config", "hand-endpoint-config"),
    ("model", "hand-model"),
    ("model", "nb-model"),
    ("notebook", "old"),
    ("notebook", "scratch"),
    ("alarm", "smenv-local-hand-made"),
}
RUNNING_JOBS = {k for k in UNMANAGED if k[0].endswith("-job")}
TO_DELETE = UNMANAGED - RUNNING_JOBS
MANAGED_OR_OUTSIDE = {
    ("training-job", "tf-train"),
    ("training-job", "done-train"),
    ("model", "tf-model"),
    ("endpoint-config", "tf-endpoint-config"),
    ("endpoint", "tf-endpoint"),
    ("notebook", "tf-notebook"),
    ("alarm", "smenv-local-enforcer-errors"),
    ("alarm", "smenv-localx-other-env"),
    ("alarm", "team-alarm"),
}


def table_rows(out: str) -> dict[tuple[str, str], list[str]]:
    """The rows of the text table: (kind, name) -> [status, action]."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("kind "))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.strip() or line.startswith(("dry run", "nothing")) or (" of " in line and "action(s)" in line):
            break
        kind, name, status, action = line.split(None, 3)
        rows[(kind, name)] = [status, action]
    return rows


def sweep_json(capsys, *args: str) -> tuple[int, dict]:
    code = sweep.main(["--env", "local", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


# --- Studio: apps, then spaces, then profiles ---------------------------------------------------------


def a_studio_domain_after_a_while(aws: World) -> str:
    """Terraform's domain, a team's profile and private space (tagged); a user's apps, a space the
    user made and a profile made by hand (untagged)."""
    sm = aws.sagemaker
    domain = sm.create_domain(
        DomainName="smenv-local-studio",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
        Tags=MANAGED,
    )["DomainArn"].rsplit("/", 1)[1]
    sm.create_user_profile(DomainId=domain, UserProfileName="fraud-studio", Tags=MANAGED)
    private = {"SpaceSharingSettings": {"SharingType": "Private"}}
    owner = {"OwnerUserProfileName": "fraud-studio"}
    sm.create_space(DomainId=domain, SpaceName="fraud-private", OwnershipSettings=owner, Tags=MANAGED, **private)
    sm.create_space(DomainId=domain, SpaceName="fraud-scratch", OwnershipSettings=owner, **private)
    sm.create_user_profile(DomainId=domain, UserProfileName="bob")
    for space in ("fraud-private", "fraud-scratch"):
        sm.create_app(DomainId=domain, SpaceName=space, AppType="JupyterLab", AppName="default")
    return domain


def studio_left(aws: World, domain: str) -> dict[str, list[str]]:
    sm = aws.sagemaker
    return {
        "apps": [f"{a.get('SpaceName') or a.get('UserProfileName')}/{a['AppName']}" for a in sm.list_apps(DomainIdEquals=domain)["Apps"] if a["Status"] != "Deleted"],
        "spaces": sorted(s["SpaceName"] for s in sm.list_spaces(DomainIdEquals=domain)["Spaces"]),
        "profiles": sorted(p["UserProfileName"] for p in sm.list_user_profiles(DomainIdEquals=domain)["UserProfiles"]),
    }  # fmt: skip


def test_a_dry_run_lists_every_studio_app_and_the_untagged_spaces_and_profiles(aws, capsys):
    # Given a Studio domain where users ran apps and made a space and a profile
    domain = a_studio_domain_after_a_while(aws)
    before = studio_left(aws, domain)
    # When the sweep runs with no flag
    code = sweep.main(["--env", "local"])
    rows = table_rows(capsys.readouterr().out)
    # Then it lists both apps (Terraform makes none), the user's space and the hand-made profile
    assert code == 0
    assert rows == {
        ("app", f"{domain}/fraud-private/JupyterLab/default"): ["InService", "--delete: delete"],
        ("app", f"{domain}/fraud-scratch/JupyterLab/default"): ["InService", "--delete: delete"],
        ("space", f"{domain}/fraud-scratch"): ["InService", "--delete: delete"],
        ("user-profile", f"{domain}/bob"): ["InService", "--delete: delete"],
    }
    assert studio_left(aws, domain) == before


def test_studio_domains_of_other_environments_are_left_alone(aws, capsys):
    # Given another environment's domain (smenv-dev-*) where a user runs an app
    other = aws.sagemaker.create_domain(
        DomainName="smenv-dev-fraud-studio",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
    )["DomainId"]
    aws.sagemaker.create_user_profile(DomainId=other, UserProfileName="alice")
    aws.sagemaker.create_app(DomainId=other, UserProfileName="alice", AppType="JupyterLab", AppName="default")
    # When the sweep of local deletes
    code = sweep.main(["--env", "local", "--delete"])
    capsys.readouterr()
    # Then nothing in the other environment's domain was touched
    assert code == 0
    assert studio_left(aws, other) == {"apps": ["alice/default"], "spaces": [], "profiles": ["alice"]}


def test_delete_removes_the_apps_first_then_the_untagged_spaces_and_profiles_and_keeps_terraforms(
    aws, capsys, monkeypatch
):
    # Given the domain, and a sweep that asks again at once whether a deleted app is gone
    domain = a_studio_domain_after_a_while(aws)
    monkeypatch.setattr(sweep, "STUDIO_WAIT_DELAY", 0)
    # When the sweep runs with --delete
    code = sweep.main(["--env", "local", "--delete"])
    out = capsys.readouterr().out
    # Then no app is left, the user's space and the hand-made profile are gone, Terraform's stay
    assert code == 0, out
    assert studio_left(aws, domain) == {"apps": [], "spaces": ["fraud-private"], "profiles": ["fraud-studio"]}
    assert "4 of 4 action(s) done" in out


def test_an_app_carrying_managed_by_terraform_is_still_listed_and_deleted_and_the_tagged_owners_kept(
    aws, capsys, monkeypatch
):
    # Given Terraform's domain, profile and space (tagged managed-by=terraform), and a user's apps in
    # the profile and the space that carry the tag too (inherited, as AWS does, and given again)
    sm = aws.sagemaker
    domain = sm.create_domain(
        DomainName="smenv-local-studio",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
        Tags=MANAGED,
    )["DomainId"]
    sm.create_user_profile(DomainId=domain, UserProfileName="fraud-studio", Tags=MANAGED)
    sm.create_space(
        DomainId=domain,
        SpaceName="fraud-private",
        OwnershipSettings={"OwnerUserProfileName": "fraud-studio"},
        SpaceSharingSettings={"SharingType": "Private"},
        Tags=MANAGED,
    )
    for owner in ({"UserProfileName": "fraud-studio"}, {"SpaceName": "fraud-private"}):
        sm.create_app(DomainId=domain, **owner, AppType="JupyterLab", AppName="default", Tags=MANAGED)
    monkeypatch.setattr(sweep, "STUDIO_WAIT_DELAY", 0)
    # When the sweep runs as a dry run, then with --delete
    dry_code, dry = sweep_json(capsys)
    code, done = sweep_json(capsys, "--delete")
    # Then both apps were listed and deleted; the tagged profile and space were left alone
    apps = {f"{domain}/fraud-studio/JupyterLab/default", f"{domain}/fraud-private/JupyterLab/default"}
    assert (dry_code, code) == (0, 0)
    assert {(r["kind"], r["name"]) for r in dry["resources"]} == {("app", a) for a in apps}
    assert {r["name"]: r["result"] for r in done["resources"]} == dict.fromkeys(apps, "deleted")
    assert (dry["managed_left_alone"], done["managed_left_alone"]) == (2, 2)
    assert {a["Status"] for a in sm.list_apps(DomainIdEquals=domain)["Apps"]} <= {"Deleting", "Deleted"}
    assert studio_left(aws, domain)["spaces"] == ["fraud-private"]
    assert studio_left(aws, domain)["profiles"] == ["fraud-studio"]


def test_a_space_whose_app_is_still_deleting_is_not_deleted_and_the_sweep_says_so(aws, capsys, monkeypatch):
    # Given an app that never finishes deleting
    domain = a_studio_domain_after_a_while(aws)
    monkeypatch.setattr(sweep, "STUDIO_WAIT_DELAY", 0)
    monkeypatch.setattr(sweep, "_wait_gone", lambda *_args: False)
    # When the sweep deletes
    code = sweep.main(["--env", "local", "--delete", "--wait-seconds", "1"])
    captured = capsys.readouterr()
    # Then the space and the profile are left, and the failure names the app in one line
    assert code == 1
    assert studio_left(aws, domain)["spaces"] == ["fraud-private", "fraud-scratch"]
    assert "is still deleting after 1 s: run the sweep again with --delete" in captured.err


# --- pipelines: the environment's, by name ------------------------------------------------------------


def pipelines_of_two_environments(aws: World) -> None:
    """local's team pipelines (one running), dev's running one, one whose name merely starts alike,
    and one of another prefix altogether."""
    aws.pipeline("smenv-local-fraud-train", executing=True)
    aws.pipeline("smenv-local-fraud-score")
    aws.pipeline("smenv-dev-fraud-train", executing=True)
    aws.pipeline("smenv-localx-fraud-train", executing=True)
    aws.pipeline("team-flow")


LOCAL_PIPELINES = {("pipeline", "smenv-local-fraud-train"), ("pipeline", "smenv-local-fraud-score")}
OTHER_PIPELINES = {"smenv-dev-fraud-train": ["Executing"], "smenv-localx-fraud-train": ["Executing"], "team-flow": []}


def test_a_dry_run_lists_only_the_pipelines_named_for_the_environment_and_changes_nothing(aws, capsys):
    # Given pipelines of local, of dev, of a look-alike prefix and of none
    pipelines_of_two_environments(aws)
    before = aws.pipelines()
    # When the sweep of local runs with no flag
    code = sweep.main(["--env", "local"])
    rows = table_rows(capsys.readouterr().out)
    # Then it lists local's two, the running one Executing, each with what the flags would do
    assert code == 0
    assert rows == {
        ("pipeline", "smenv-local-fraud-train"): ["Executing", "--delete: stop+delete, --stop: stop"],
        ("pipeline", "smenv-local-fraud-score"): ["Active", "--delete: delete"],
    }
    # And nothing changed
    assert aws.pipelines() == before


def test_a_dry_run_of_both_flags_touches_no_pipeline(aws, capsys):
    pipelines_of_two_environments(aws)
    before = aws.pipelines()
    code = sweep.main(["--env", "local", "--stop", "--delete", "--dry-run"])
    rows = table_rows(capsys.readouterr().out)
    assert code == 0
    assert rows[("pipeline", "smenv-local-fraud-train")][1] == "would stop+delete"
    assert aws.pipelines() == before


def test_stop_stops_the_running_executions_of_the_environments_pipelines_and_keeps_the_pipelines(aws, capsys):
    # Given the pipelines of two environments, each with an execution running
    pipelines_of_two_environments(aws)
    # When the sweep of local stops
    code = sweep.main(["--env", "local", "--stop"])
    out = capsys.readouterr().out
    # Then local's execution is stopping, every pipeline is still there, the others' still run
    assert code == 0, out
    after = aws.pipelines()
    assert after["smenv-local-fraud-train"] in (["Stopping"], ["Stopped"])
    assert {name: after[name] for name in OTHER_PIPELINES} == OTHER_PIPELINES
    assert "smenv-local-fraud-score" in after
    assert table_rows(out)[("pipeline", "smenv-local-fraud-train")][1] == "stopped"


def test_delete_stops_the_executions_then_deletes_only_the_environments_pipelines(aws, capsys, monkeypatch):
    # Given the pipelines of two environments, and a sweep that asks again at once whether an
    # execution has stopped (the emulator, as AWS, refuses to delete a pipeline while one runs)
    pipelines_of_two_environments(aws)
    monkeypatch.setattr(sweep, "PIPELINE_WAIT_DELAY", 0)
    # When the sweep of local deletes
    code = sweep.main(["--env", "local", "--delete"])
    out = capsys.readouterr().out
    # Then local's pipelines are gone, the running one stopped first, and the others are untouched
    assert code == 0, out
    assert aws.pipelines() == OTHER_PIPELINES
    rows = table_rows(out)
    assert rows[("pipeline", "smenv-local-fraud-train")][1] == "stopped+deleted"
    assert rows[("pipeline", "smenv-local-fraud-score")][1] == "deleted"


def test_a_pipeline_whose_execution_is_still_stopping_is_not_deleted_and_the_sweep_says_so(aws, capsys):
    # Given local's pipeline whose execution was stopped but has not ended (never asked again)
    arn = aws.pipeline("smenv-local-fraud-train", executing=True)
    aws.sagemaker.stop_pipeline_execution(PipelineExecutionArn=arn)
    # When the sweep deletes, waiting one second
    code = sweep.main(["--env", "local", "--delete", "--wait-seconds", "1"])
    captured = capsys.readouterr()
    # Then it is listed Stopping, is still there, and the one-line failure says to run it again
    assert code == 1
    assert table_rows(captured.out)[("pipeline", "smenv-local-fraud-train")][0] == "Stopping"
    assert "smenv-local-fraud-train" in aws.pipelines()
    assert f"pipeline execution {arn} is still Stopping after 1 s: run the sweep again with --delete" in captured.err


def test_a_pipeline_deleted_since_the_listing_is_already_gone(aws):
    # Given a plan to delete a pipeline that no longer exists
    arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/smenv-local-gone"
    chosen = sweep.plan([sweep.Resource("pipeline", "smenv-local-gone", "Active", arn)], stop=False, delete=True)
    # When it is carried out, Then the pipeline is "already gone", which is not a failure
    [outcome] = sweep.execute(chosen, aws.sagemaker, aws.cloudwatch)
    assert (outcome.result, outcome.ok) == ("already gone", True)


def test_a_pipeline_tagged_managed_by_terraform_is_left_alone(aws, capsys):
    aws.pipeline("smenv-local-platform", executing=True, managed=True)
    code, doc = sweep_json(capsys, "--stop", "--delete")
    assert (code, doc["resources"], doc["managed_left_alone"]) == (0, [], 1)
    assert aws.pipelines() == {"smenv-local-platform": ["Executing"]}


@pytest.mark.parametrize(
    ("own", "executions", "status"),
    [
        ("Active", [], "Active"),
        ("Active", [("a", "Stopping"), ("b", "Executing")], "Executing"),
        ("Active", [("a", "Stopping")], "Stopping"),
        ("Deleting", [], "Deleting"),
    ],
)
def test_a_pipeline_is_executing_while_an_execution_is_else_stopping_else_its_own_status(own, executions, status):
    assert sweep.pipeline_status(own, executions) == status


def test_a_stopping_pipeline_is_deleted_once_stopped_and_a_deleting_one_is_left_to_go():
    stopping = sweep.Resource("pipeline", "p", "Stopping", "arn:p", executions=(("arn:e", "Stopping"),))
    deleting = sweep.Resource("pipeline", "q", "Deleting", "arn:q")
    assert sweep.remedies(stopping) == ({"delete": sweep.STOP_DELETE}, "")
    assert sweep.remedies(deleting) == ({}, "already deleting")


# --- the dry run -----------------------------------------------------------------------------------


def test_a_dry_run_lists_exactly_the_unmanaged_and_running_resources_and_changes_nothing(aws, capsys):
    # Given an environment with Terraform's resources and a notebook user's
    a_mixed_environment(aws)
    before = aws.everything()
    # When the sweep runs with no flag
    code = sweep.main(["--env", "local"])
    out = capsys.readouterr().out
    # Then the table lists the unmanaged resources and the running jobs, and nothing else
    assert code == 0
    rows = table_rows(out)
    assert set(rows) == UNMANAGED
    # And each row says which flag would act on it
    assert rows[("training-job", "nb-train")] == ["InProgress", "--stop: stop"]
    assert rows[("model", "hand-model")] == ["-", "--delete: delete"]
    assert rows[("notebook", "scratch")] == ["InService", "--delete: stop+delete, --stop: stop"]
    assert rows[("notebook", "old")] == ["Stopped", "--delete: delete"]
    assert "dry run: nothing changed" in out
    assert "6 managed by Terraform, left alone" in out
    # And nothing changed
    assert aws.everything() == before


def test_a_dry_run_of_both_flags_says_what_would_be_done_and_changes_nothing(aws, capsys):
    a_mixed_environment(aws)
    before = aws.everything()
    code = sweep.main(["--env", "local", "--stop", "--delete", "--dry-run"])
    rows = table_rows(capsys.readouterr().out)
    assert code == 0
    assert rows[("training-job", "nb-train")][1] == "would stop"
    assert rows[("notebook", "scratch")][1] == "would stop+delete"
    assert rows[("alarm", "smenv-local-hand-made")][1] == "would delete"
    assert aws.everything() == before


# --- acting ----------------------------------------------------------------------------------------


def test_stop_stops_the_running_unmanaged_jobs_and_notebooks_and_nothing_else(aws, capsys):
    # Given the mixed environment
    a_mixed_environment(aws)
    before = aws.everything()
    # When the sweep runs with --stop
    code = sweep.main(["--env", "local", "--stop"])
    out = capsys.readouterr().out
    # Then every running unmanaged job was stopped, and the InService untagged notebook
    assert code == 0
    after = aws.everything()
    for key in RUNNING_JOBS:
        assert after[key] in ("Stopping", "Stopped"), key
    assert after[("notebook", "scratch")] == "Stopped"
    assert table_rows(out)[("training-job", "nb-train")][1] == "stopped"
    # And Terraform's running job, its notebook, and everything else are as they were
    unchanged = set(before) - RUNNING_JOBS - {("notebook", "scratch")}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert after[("training-job", "tf-train")] == "InProgress"
    assert after[("notebook", "tf-notebook")] == "InService"
    assert "5 of 5 action(s) done" in out


def test_delete_deletes_the_untagged_resources_and_the_alarms_by_prefix_and_nothing_else(aws, capsys):
    # Given the mixed environment
    a_mixed_environment(aws)
    before = aws.everything()
    # When the sweep runs with --delete
    code = sweep.main(["--env", "local", "--delete"])
    out = capsys.readouterr().out
    # Then the untagged models, configs, endpoints and notebooks are gone, the running one
    # stopped first, and the hand-made alarm under the environment's prefix
    assert code == 0, out
    after = aws.everything()
    assert not TO_DELETE & set(after)
    assert table_rows(out)[("notebook", "scratch")][1] == "stopped+deleted"
    # And everything tagged, outside the prefix, or a job (--stop's business) is as it was
    kept = set(before) - TO_DELETE
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}
    assert set(after) >= MANAGED_OR_OUTSIDE
    assert after[("training-job", "nb-train")] == "InProgress"


def test_both_flags_never_touch_a_resource_tagged_managed_by_terraform(aws, capsys):
    a_mixed_environment(aws)
    before = aws.everything()
    code, doc = sweep_json(capsys, "--stop", "--delete")
    assert code == 0
    after = aws.everything()
    managed = {k for k in MANAGED_OR_OUTSIDE if k != ("training-job", "done-train")}
    assert {k: after[k] for k in managed} == {k: before[k] for k in managed}
    assert {(r["kind"], r["name"]) for r in doc["resources"]} == UNMANAGED
    assert all(r["error"] is None for r in doc["resources"])


def test_a_second_sweep_after_stop_and_delete_finds_only_jobs_still_stopping(aws, capsys):
    a_mixed_environment(aws)
    sweep.main(["--env", "local", "--stop", "--delete"])
    capsys.readouterr()
    code, doc = sweep_json(capsys)
    assert code == 0
    assert all(r["kind"].endswith("-job") and r["status"] == "Stopping" for r in doc["resources"])
    assert all(r["options"] == {} and r["note"] == "already stopping" for r in doc["resources"])


# --- alarms ----------------------------------------------------------------------------------------


def test_alarms_are_found_by_the_environments_prefix_only(aws, capsys):
    # Given alarms under the prefix (one Terraform's), under a look-alike prefix, and elsewhere
    a_mixed_environment(aws)
    # When the sweep looks with the default prefix, and with --alarm-prefix
    _, default = sweep_json(capsys)
    _, other = sweep_json(capsys, "--alarm-prefix", "team-")
    # Then only the untagged alarm named <name_prefix>-<env>-... is listed by default
    assert [r["name"] for r in default["resources"] if r["kind"] == "alarm"] == ["smenv-local-hand-made"]
    assert default["alarm_prefix"] == "smenv-local-"
    # And --alarm-prefix chooses another prefix
    assert [r["name"] for r in other["resources"] if r["kind"] == "alarm"] == ["team-alarm"]


def test_delete_with_another_alarm_prefix_deletes_only_those_alarms(aws, capsys):
    a_mixed_environment(aws)
    code, _ = sweep_json(capsys, "--delete", "--alarm-prefix", "team-")
    alarms = {name for kind, name in aws.everything() if kind == "alarm"}
    assert code == 0
    assert alarms == {"smenv-local-enforcer-errors", "smenv-local-hand-made", "smenv-localx-other-env"}


# --- output and errors -----------------------------------------------------------------------------


def test_json_output_has_one_entry_per_resource_with_what_was_done(aws, capsys):
    a_mixed_environment(aws)
    code, doc = sweep_json(capsys, "--delete")
    assert code == 0
    assert set(doc) == {
        "environment",
        "account_id",
        "region",
        "alarm_prefix",
        "dry_run",
        "flags",
        "resources",
        "managed_left_alone",
        "failed",
    }
    assert (doc["environment"], doc["account_id"], doc["region"]) == ("local", "123456789012", REGION)
    assert (doc["dry_run"], doc["flags"], doc["failed"], doc["managed_left_alone"]) == (False, ["delete"], 0, 6)
    [model] = [r for r in doc["resources"] if r["name"] == "hand-model"]
    assert model == {
        "kind": "model",
        "name": "hand-model",
        "status": "-",
        "arn": "arn:aws:sagemaker:us-east-1:123456789012:model/hand-model",
        "action": "delete",
        "options": {"delete": "delete"},
        "note": "",
        "result": "deleted",
        "error": None,
    }
    [job] = [r for r in doc["resources"] if r["name"] == "nb-train"]
    assert (job["action"], job["result"], job["options"]) == (None, None, {"stop": "stop"})


def test_with_nothing_to_sweep_it_says_so_and_exits_0(aws, capsys):
    # Given only Terraform's resources
    aws.model("tf-model", managed=True)
    aws.alarm("smenv-local-enforcer-errors", managed=True)
    # When the sweep runs, even with both flags
    code = sweep.main(["--env", "local", "--stop", "--delete"])
    out = capsys.readouterr().out
    # Then it says there is nothing to sweep
    assert code == 0
    assert "nothing to sweep" in out
    assert "2 managed by Terraform, left alone" in out


def test_an_unknown_environment_is_refused_in_one_line_with_exit_2(capsys):
    code = sweep.main(["--env", "qa"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("sweep: error: unknown environment 'qa'")


def test_credentials_for_another_account_are_refused_before_anything_is_listed(aws, capsys):
    # Given in-process moto answers as account 123456789012, and dev is 111111111111
    aws.model("hand-model")
    code = sweep.main(["--env", "dev", "--delete"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "account 123456789012, but dev is account 111111111111" in err
    assert ("model", "hand-model") in aws.everything()


def test_an_aws_failure_ends_in_one_line_and_exit_1(aws, capsys, monkeypatch):
    def denied(*_args, **_kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "DescribeAlarms")

    monkeypatch.setattr(sweep, "list_alarms", denied)
    code = sweep.main(["--env", "local"])
    err = capsys.readouterr().err
    assert code == 1
    assert err == "sweep: error: DescribeAlarms: AccessDenied: not allowed\n"


def test_an_action_that_fails_is_reported_and_the_rest_still_runs(aws, capsys, monkeypatch):
    # Given two untagged models, one of which AWS refuses to delete
    aws.model("a-model")
    aws.model("b-model")
    original = sweep._call

    def call(sagemaker, calls, resource):
        if calls is sweep._DELETE_CALLS and resource.name == "a-model":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DeleteModel")
        return original(sagemaker, calls, resource)

    monkeypatch.setattr(sweep, "_call", call)
    # When the sweep deletes
    code = sweep.main(["--env", "local", "--delete"])
    captured = capsys.readouterr()
    # Then the other model is deleted, the failure is in the table, and the exit is 1 with one line
    assert code == 1
    assert ("model", "b-model") not in aws.everything()
    assert ("model", "a-model") in aws.everything()
    assert "failed: DeleteModel: AccessDenied: no" in captured.out
    assert captured.err.splitlines()[-1].startswith("sweep: error: 1 of 2 action(s) failed; first: model a-model")


# --- credentials -----------------------------------------------------------------------------------


def test_a_real_environment_is_reached_through_its_terraform_role_by_default(monkeypatch):
    # Given AWS credentials (in-process moto) and no emulator
    monkeypatch.delenv("SMENV_EMULATOR_URL", raising=False)
    dev = sweep.load_environment("dev")
    with mock_aws():
        # When the sweep connects to dev, as Terraform does, or with the credentials as they are
        assumed = sweep.connect(dev, None, None, True)
        plain = sweep.connect(dev, None, None, False)
        # Then the first is dev's terraform role in dev's account, and the account check passes it
        who = assumed.session.client("sts").get_caller_identity()
        assert who["Arn"].startswith("arn:aws:sts::111111111111:assumed-role/smenv-terraform/")
        sweep.check_account(assumed.session.client("sts"), dev)
        # And the second is refused: those credentials are another account's
        with pytest.raises(sweep.UsageError, match="account 123456789012, but dev is account 111111111111"):
            sweep.check_account(plain.session.client("sts"), dev)
    assert (assumed.endpoint_url, assumed.where) == (None, "AWS as arn:aws:iam::111111111111:role/smenv-terraform")


def test_local_goes_to_the_emulator_and_refuses_a_profile(monkeypatch):
    monkeypatch.delenv("SMENV_EMULATOR_URL", raising=False)
    monkeypatch.setenv("SMENV_EMULATOR_PORT", "4619")
    local = sweep.load_environment("local")
    target = sweep.connect(local, None, None, True)
    assert target.endpoint_url == "http://127.0.0.1:4619"
    assert target.session.get_credentials().access_key == "testing"
    with pytest.raises(sweep.UsageError, match="--profile does not apply to local"):
        sweep.connect(local, "prod-admin", None, True)


# --- the decision alone ----------------------------------------------------------------------------


@pytest.mark.parametrize("stop", [False, True])
@pytest.mark.parametrize("delete", [False, True])
def test_the_plan_never_acts_on_a_resource_tagged_managed_by_terraform(stop, delete):
    tagged = {"managed-by": "terraform"}
    resources = [
        sweep.Resource(kind, f"{kind}-x", status, f"arn:{kind}", tagged)
        for kind, status in [
            ("training-job", "InProgress"),
            ("notebook", "InService"),
            ("model", "-"),
            ("endpoint", "InService"),
            ("alarm", "OK"),
            ("pipeline", "Executing"),
        ]
    ]
    chosen = sweep.plan(resources, stop=stop, delete=delete)
    assert chosen.steps == ()
    assert chosen.managed == len(resources)


def test_the_plan_deletes_a_studio_app_even_when_it_is_tagged_managed_by_terraform():
    # Given a Studio app carrying managed-by=terraform (its domain's and profile's tags), and a
    # space and a profile tagged so
    tagged = {"managed-by": "terraform"}
    app = sweep.Resource("app", "d-1/alice/JupyterLab/default", "InService", "arn:app", tagged)
    owners = [
        sweep.Resource("space", "d-1/alice-private", "InService", "arn:space", tagged),
        sweep.Resource("user-profile", "d-1/alice", "InService", "arn:profile", tagged),
    ]
    # When the plan of --delete is made
    chosen = sweep.plan([app, *owners], stop=False, delete=True)
    # Then the app is deleted, and only the space and the profile count as Terraform's
    assert [(s.resource, s.action) for s in chosen.steps] == [(app, "delete")]
    assert chosen.managed == 2
    assert not app.managed


def test_the_plan_waits_for_a_pending_notebook_and_leaves_a_stopping_job_alone():
    chosen = sweep.plan(
        [
            sweep.Resource("notebook", "new", "Pending", "arn:n"),
            sweep.Resource("training-job", "ending", "Stopping", "arn:t"),
        ],
        stop=True,
        delete=True,
    )
    assert [(s.resource.name, s.action) for s in chosen.steps] == [("ending", None), ("new", None)]
    assert chosen.steps[1].note == "Pending: run the sweep again once it is InService"


# --- end to end, through the command line and the emulator ----------------------------------------


@pytest.mark.emulator
def test_the_command_sweeps_a_rehearsed_environment_on_the_emulator(emulator, emulator_env):
    # Given, on the emulator, dev rehearsed in its own account (its terraform role assumed there,
    # apart from live/local's account, which other tests share) with an untagged model, a tagged
    # model and a running untagged training job
    suffix = uuid.uuid4().hex[:8]
    base = boto3.Session("testing", "testing", region_name="eu-west-1")
    creds = base.client("sts", endpoint_url=emulator.url).assume_role(
        RoleArn="arn:aws:iam::111111111111:role/smenv-terraform", RoleSessionName="test"
    )["Credentials"]
    dev = boto3.Session(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], region_name="eu-west-1")
    world = World(
        dev.client("sagemaker", endpoint_url=emulator.url), dev.client("cloudwatch", endpoint_url=emulator.url)
    )
    world.model(f"hand-{suffix}")
    world.model(f"tf-{suffix}", managed=True)
    world.training_job(f"nb-{suffix}")
    world.alarm(f"smenv-dev-hand-{suffix}")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "tools/sweep.py", "--env", "dev", "--json", *args],
            cwd=REPO,
            env=emulator_env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    # When the sweep runs as a dry run, then with --stop --delete
    dry = run()
    done = run("--stop", "--delete")
    # Then the dry run listed the three unmanaged ones and changed nothing; the real run acted on them
    assert dry.returncode == 0, dry.stderr
    listed = {(r["kind"], r["name"]) for r in json.loads(dry.stdout)["resources"]}
    mine = {("model", f"hand-{suffix}"), ("training-job", f"nb-{suffix}"), ("alarm", f"smenv-dev-hand-{suffix}")}
    assert mine <= listed
    assert ("model", f"tf-{suffix}") not in listed
    assert done.returncode == 0, done.stderr
    results = {(r["kind"], r["name"]): r["result"] for r in json.loads(done.stdout)["resources"]}
    assert results[("model", f"hand-{suffix}")] == "deleted"
    assert results[("training-job", f"nb-{suffix}")] == "stopped"
    assert results[("alarm", f"smenv-dev-hand-{suffix}")] == "deleted"
    after = world.everything()
    assert ("model", f"hand-{suffix}") not in after
    assert ("model", f"tf-{suffix}") in after
    assert after[("training-job", f"nb-{suffix}")] in ("Stopping", "Stopped")


@pytest.mark.emulator
def test_the_command_dry_runs_local_on_the_emulator_and_changes_nothing(emulator, emulator_env):
    # Given an untagged model in the emulator's own account, where live/local lives
    name = f"hand-{uuid.uuid4().hex[:8]}"
    local = boto3.Session("testing", "testing", region_name=REGION)
    world = World(
        local.client("sagemaker", endpoint_url=emulator.url), local.client("cloudwatch", endpoint_url=emulator.url)
    )
    world.model(name)
    # When the sweep of local runs as a dry run, in text
    done = subprocess.run(
        [sys.executable, "tools/sweep.py", "--env", "local"],
        cwd=REPO,
        env=emulator_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then the model is in its table, to be deleted by --delete, and still exists
    assert done.returncode == 0, done.stderr
    assert f"on the emulator at {emulator.url}" in done.stdout
    assert table_rows(done.stdout)[("model", name)] == ["-", "--delete: delete"]
    assert ("model", name) in world.everything()


@pytest.mark.emulator
def test_the_command_sweeps_the_environments_pipelines_on_the_emulator(emulator, emulator_env):
    # Given, in dev's account on the emulator, a running pipeline named for dev and one for staging
    suffix = uuid.uuid4().hex[:8]
    base = boto3.Session("testing", "testing", region_name="eu-west-1")
    creds = base.client("sts", endpoint_url=emulator.url).assume_role(
        RoleArn="arn:aws:iam::111111111111:role/smenv-terraform", RoleSessionName="test"
    )["Credentials"]
    dev = boto3.Session(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], region_name="eu-west-1")
    world = World(
        dev.client("sagemaker", endpoint_url=emulator.url), dev.client("cloudwatch", endpoint_url=emulator.url)
    )
    mine, theirs = f"smenv-dev-fraud-{suffix}", f"smenv-staging-fraud-{suffix}"
    world.pipeline(mine, executing=True)
    world.pipeline(theirs, executing=True)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "tools/sweep.py", "--env", "dev", "--json", *args],
            cwd=REPO,
            env=emulator_env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    # When the sweep of dev runs as a dry run, then with --delete
    dry = run()
    after_dry = world.pipelines()
    done = run("--delete")
    # Then the dry run listed dev's pipeline only, Executing, and changed nothing
    assert dry.returncode == 0, dry.stderr
    listed = {r["name"]: r["status"] for r in json.loads(dry.stdout)["resources"] if r["kind"] == "pipeline"}
    assert listed.get(mine) == "Executing"
    assert theirs not in listed
    assert (after_dry[mine], after_dry[theirs]) == (["Executing"], ["Executing"])
    # And --delete stopped its execution and deleted it, and left staging's running
    assert done.returncode == 0, done.stderr
    results = {r["name"]: r["result"] for r in json.loads(done.stdout)["resources"]}
    assert results[mine] == "stopped+deleted"
    after = world.pipelines()
    assert mine not in after
    assert after[theirs] == ["Executing"]
