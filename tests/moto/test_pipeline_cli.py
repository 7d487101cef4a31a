"""tools/pipeline.py against the suite's emulator (moto server, tests/conftest.py), as a team runs it in
`local`: the contract seeded in SSM, the team's buckets (versioned) and keys made, then upsert, start,
a second upsert, and a create that fails after the code went up.

moto runs none of the pipeline's steps: what is shown here is what the tool sends and leaves behind.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import boto3
import pytest

from helpers.pipelines import contract_values
from smenv.core.project import EMULATOR_ACCOUNT_ID, EMULATOR_CREDENTIALS
from smenv.pipelines import definition as dsl
from smenv.pipelines import pipeline
from smenv_testing import REPO

ENV, TEAM, REGION, PREFIX = "local", "fraud", "us-east-1", "/smenv/local"


class World:
    """The local environment's contract for fraud, with its own buckets for this test."""

    def __init__(self, url: str):
        session = boto3.Session(**_credentials(), region_name=REGION)
        self.sm, self.s3, self.ssm, kms = (
            session.client(s, endpoint_url=url) for s in ("sagemaker", "s3", "ssm", "kms")
        )
        run = uuid.uuid4().hex[:8]
        self.name = f"churn-{run}"
        values = contract_values(account=EMULATOR_ACCOUNT_ID, region=REGION, env=ENV)
        values |= {
            f"kms/{p}/key_arn": kms.create_key(Description=p)["KeyMetadata"]["Arn"]
            for p in ("data", "models", "volumes")
        }
        for kind in ("data", "model"):
            bucket = f"smenv-local-fraud-{kind}-{run}"
            self.s3.create_bucket(Bucket=bucket)
            self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            values[f"teams/{TEAM}/{kind}_bucket"] = bucket
        self.values = values
        self.model_bucket = values[f"teams/{TEAM}/model_bucket"]
        self.group = values[f"teams/{TEAM}/model_package_group"]
        for name, value in values.items():
            self.ssm.put_parameter(Name=f"{PREFIX}/{name}", Value=value, Type="SecureString", Overwrite=True)
        if not self.sm.list_model_package_groups(NameContains=self.group)["ModelPackageGroupSummaryList"]:
            self.sm.create_model_package_group(ModelPackageGroupName=self.group)

    @property
    def pipeline(self) -> str:
        return f"smenv-local-fraud-{self.name}"

    def code_versions(self) -> list[dict]:
        answer = self.s3.list_object_versions(Bucket=self.model_bucket, Prefix="pipelines/code/")
        return answer.get("Versions", []) + answer.get("DeleteMarkers", [])


def _credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


@pytest.fixture
def world(emulator) -> World:
    return World(emulator.url)


def cli(emulator_env, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "tools/pipeline.py", *argv],
        cwd=REPO,
        env=emulator_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def team_cli(world: World, emulator_env, command: str, *argv: str) -> subprocess.CompletedProcess:
    """tools/pipeline.py <command> for fraud's pipeline of this test in local."""
    return cli(emulator_env, command, "--env", ENV, "--team", TEAM, "--name", world.name, *argv)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_upsert_creates_the_pipeline_as_the_pipeline_role_with_its_code_under_the_models_key(world, emulator_env):
    # When fraud upserts its pipeline in local
    proc = team_cli(world, emulator_env, "upsert", "--json")
    # Then it is created, named under the team's prefix, as the pipeline role, tagged team=fraud
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["status"], report["action"], report["pipeline"]) == ("created", "create", world.pipeline)
    described = world.sm.describe_pipeline(PipelineName=world.pipeline)
    assert described["RoleArn"] == world.values[f"teams/{TEAM}/pipeline_execution_role_arn"]
    tags = world.sm.list_tags(ResourceArn=described["PipelineArn"])["Tags"]
    assert {"Key": "team", "Value": TEAM} in tags
    # and its definition is the checked one, its steps in the contract's subnets and group
    definition = json.loads(described["PipelineDefinition"])
    train = next(s for s in dsl.steps(definition) if s["Name"] == "Train")
    assert train["Arguments"]["VpcConfig"] == {
        "Subnets": ["subnet-0aaa", "subnet-0bbb"],
        "SecurityGroupIds": ["sg-0team"],
    }
    # and the step scripts are in the model bucket, content-addressed, under the models key
    keys = sorted(o["uri"].removeprefix(f"s3://{world.model_bucket}/") for o in report["code"])
    assert [k.rsplit("/", 1)[1] for k in keys] == ["evaluate.py", "preprocess.py", "sourcedir.tar.gz", "train.py"]
    for key in keys:
        head = world.s3.head_object(Bucket=world.model_bucket, Key=key)
        assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", world.values["kms/models/key_arn"])
    assert f"s3://{world.model_bucket}/{keys[2]}" in described["PipelineDefinition"]


def test_a_second_upsert_updates_and_a_third_changes_nothing(world, emulator_env, tmp_path):
    first = team_cli(world, emulator_env, "upsert")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == f"pipeline {world.pipeline} (local, team fraud): created"
    # Given the definition changed (a stricter default threshold)
    template = dsl.load()
    template["Parameters"][1]["DefaultValue"] = 0.9
    changed = tmp_path / "pipeline.json"
    changed.write_text(json.dumps(template))
    # When it is upserted again, Then the pipeline is updated, and the code, already there, is not uploaded again
    proc = team_cli(
        world,
        emulator_env,
        "upsert",
        "--definition",
        str(changed),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["status"], report["action"]) == ("updated", "update")
    assert {o["action"] for o in report["code"]} == {"present"}
    described = json.loads(world.sm.describe_pipeline(PipelineName=world.pipeline)["PipelineDefinition"])
    assert described["Parameters"][1]["DefaultValue"] == 0.9
    # And once more, the same: nothing to do
    again = json.loads(
        team_cli(
            world,
            emulator_env,
            "upsert",
            "--definition",
            str(changed),
            "--json",
        ).stdout
    )
    assert again["status"] == "unchanged"


def test_start_upserts_then_starts_an_execution_with_the_parameters_given(world, emulator_env):
    proc = team_cli(
        world,
        emulator_env,
        "start",
        "--parameter",
        "AccuracyThreshold=0.8",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["status"] == "created, started"
    arn = report["execution"]["arn"]
    parameters = world.sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)["PipelineParameters"]
    assert parameters == [{"Name": "AccuracyThreshold", "Value": "0.8"}]


def test_a_dry_run_reads_and_sends_nothing(world, emulator_env):
    proc = team_cli(world, emulator_env, "start", "--dry-run", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [c["operation"] for c in report["calls"]] == [*["PutObject"] * 4, "CreatePipeline", "StartPipelineExecution"]
    assert world.code_versions() == []
    assert not world.sm.list_pipelines(PipelineNamePrefix=world.pipeline)["PipelineSummaries"]


def test_a_failing_create_removes_the_code_it_uploaded(world, emulator, monkeypatch, capsys):
    # Given another run creates the same pipeline between this run's reads and its create (CreatePipeline fails)
    monkeypatch.setenv("SMENV_EMULATOR_URL", emulator.url)
    for name, value in EMULATOR_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    connect = pipeline.connect

    def racing(env, profile):
        session, url = connect(env, profile)

        def first(**kwargs):
            world.sm.create_pipeline(
                PipelineName=world.pipeline,
                PipelineDefinition='{"Steps": []}',
                RoleArn="arn:aws:iam::123456789012:role/x",
            )

        session.events.register("before-call.sagemaker.CreatePipeline", first)
        return session, url

    monkeypatch.setattr(pipeline, "connect", racing)
    # When fraud upserts
    code = pipeline.main(["upsert", "--env", ENV, "--team", TEAM, "--name", world.name])
    _, err = capsys.readouterr()
    # Then it fails in one line, and no code object (no version, no delete marker) is left
    assert code == 1
    assert one_line(err).startswith("pipeline: error: CreatePipeline: ValidationException")
    assert "removed the 4 code object(s) this run uploaded" in err
    assert world.code_versions() == []


def test_a_contract_without_the_teams_pipeline_values_is_one_line(world, emulator_env):
    # Given the contract has no pipeline role for fraud (the params unit not yet applied)
    world.ssm.delete_parameter(Name=f"{PREFIX}/teams/{TEAM}/pipeline_execution_role_arn")
    proc = team_cli(world, emulator_env, "upsert")
    assert proc.returncode == 2
    assert one_line(proc.stderr) == (
        f"pipeline: error: the environment contract lacks {PREFIX}/teams/{TEAM}/pipeline_execution_role_arn: "
        "is the params unit applied?"
    )
