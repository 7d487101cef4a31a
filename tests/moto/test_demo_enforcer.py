"""tools/demo_enforcer.py against in-process moto: the environment contract and the enforcer function
are published here by the test, as the params and enforcer units publish them on `make up`, and the
demo shows the enforcer doing what its deployed mode promises.

moto lacks StopTrainingJob and creates jobs already Completed: emulator gaps filled in test
infrastructure (src/smenv/live/emulator_patches/), as on the emulator server `make up` starts.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from unittest.mock import patch

import boto3
import pytest
from enforcer_world import enforcer_env
from moto import mock_aws

from smenv.build import lambda_loader
from smenv.live import demo_enforcer, emulator_patches

PREFIX = "/smenv/local"
SUBNETS = "subnet-0a000000000000001,subnet-0a000000000000002"
SG = "sg-0b000000000000001"
ROLE = "arn:aws:iam::123456789012:role/smenv-local-fraud-sagemaker"
FUNCTION = "smenv-local-sagemaker-enforcer"  # modules/enforcer's function_name for local


@pytest.fixture
def session():
    emulator_patches.apply_all()
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def publish_contract(session: boto3.Session, *, without: str | None = None) -> str:
    topic_arn = session.client("sns").create_topic(Name="smenv-local-enforcer-findings")["TopicArn"]
    kms = session.client("kms")
    parameters = {
        "network/private_subnet_ids": ("StringList", SUBNETS),
        "teams/fraud/security_group_id": ("String", SG),
        "enforcer/findings_topic_arn": ("String", topic_arn),
        "teams/fraud/execution_role_arn": ("String", ROLE),
        "teams/fraud/model_bucket": ("String", "smenv-local-fraud-models"),
        "kms/volumes/key_arn": ("String", kms.create_key()["KeyMetadata"]["Arn"]),
        "kms/models/key_arn": ("String", kms.create_key()["KeyMetadata"]["Arn"]),
    }
    ssm = session.client("ssm")
    for name, (kind, value) in parameters.items():
        if name != without:
            ssm.put_parameter(Name=f"{PREFIX}/{name}", Type=kind, Value=value)
    return topic_arn


def deploy_enforcer(session: boto3.Session, topic_arn: str, mode: str = "enforce") -> dict[str, str]:
    """The enforcer function as the enforcer unit deploys it on local, in this mode; its variables."""
    variables = enforcer_env(ENFORCEMENT_MODE=mode, FINDINGS_TOPIC_ARN=topic_arn)
    trust = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    role = session.client("iam").create_role(RoleName=FUNCTION, AssumeRolePolicyDocument=json.dumps(trust))
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    session.client("lambda").create_function(
        FunctionName=FUNCTION,
        Runtime="python3.13",
        Role=role["Role"]["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": package.getvalue()},
        Environment={"Variables": variables},
    )
    return variables


def run_command(session: boto3.Session, monkeypatch, *args: str) -> int:
    """`python tools/demo_enforcer.py --env local ...` as `make up` runs it, its AWS calls on this moto."""
    monkeypatch.delenv("SMENV_EMULATOR_URL", raising=False)
    with (
        patch.object(demo_enforcer, "emulator_url", return_value=None),
        patch.object(demo_enforcer, "emulator_session", return_value=session),
    ):
        return demo_enforcer.main(["--env", "local", *args])


def training_job_statuses(session: boto3.Session) -> list[str]:
    sagemaker = session.client("sagemaker")
    return [
        sagemaker.describe_training_job(TrainingJobName=job["TrainingJobName"])["TrainingJobStatus"]
        for job in sagemaker.list_training_jobs()["TrainingJobSummaries"]
    ]


def test_in_enforce_mode_the_demo_shows_an_escaping_training_job_stopped_and_reported(session):
    # Given the local environment's contract in SSM, its findings topic, and the enforcer deployed in enforce mode
    topic_arn = publish_contract(session)
    deploy_enforcer(session, topic_arn, mode="enforce")
    said: list[str] = []
    # When the demo runs
    result = demo_enforcer.run_demo(session, "local", say=said.append)
    # Then it ran the deployed function in its mode, and says so first
    assert (result.mode, result.function_name) == ("enforce", FUNCTION)
    assert f"{FUNCTION} in enforce mode" in said[0]
    # And the job it made outside the VPC ended Stopping/Stopped, with one finding on the topic
    assert result.status_after in ("Stopping", "Stopped")
    assert result.decision["violations"] == ["vpc.required"]  # encrypted with the env's keys: only the VPC is wrong
    [finding] = result.findings
    assert finding["finding"]["resource_arn"] == result.job_arn
    assert finding["finding"]["action"] == "stopped"
    # And it said so in a few readable lines
    assert 3 <= len(said) <= 6
    assert said == result.lines
    assert "the control works" in said[-1]
    # And its temporary queue and subscription are gone
    sqs, sns = session.client("sqs"), session.client("sns")
    assert not [url for url in sqs.list_queues().get("QueueUrls", []) if "smenv-demo-findings" in url]
    assert sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"] == []


def test_the_demo_runs_the_enforcer_in_the_mode_it_is_deployed_with(session, monkeypatch):
    # Given the enforcer deployed in audit mode, and the demo's own shell saying enforce
    deploy_enforcer(session, publish_contract(session), mode="audit")
    monkeypatch.setenv("ENFORCEMENT_MODE", "enforce")
    said: list[str] = []
    # When the demo runs
    result = demo_enforcer.run_demo(session, "local", say=said.append)
    # Then the enforcer decided in the deployed mode: it would stop the job, and did not
    assert result.mode == "audit"
    assert (result.decision["mode"], result.decision["action"]) == ("audit", "would_stop")
    assert f"{FUNCTION} in audit mode" in said[0]
    # And the shell's setting is back afterwards
    assert os.environ["ENFORCEMENT_MODE"] == "enforce"


def test_the_handler_sees_exactly_the_deployed_functions_variables(session, monkeypatch):
    # Given a deployed enforcer that approves any key, and a shell that approves only another one
    deployed = deploy_enforcer(session, publish_contract(session))
    assert "APPROVED_KMS_KEY_ARNS" not in deployed
    other_key = "arn:aws:kms:us-east-1:123456789012:key/99999999-9999-9999-9999-999999999999"
    monkeypatch.setenv("APPROVED_KMS_KEY_ARNS", other_key)
    enforcer = lambda_loader.load("enforcer")
    real_handler, seen = enforcer.handler, {}

    def watching(event, context):
        seen.update(environ=dict(os.environ), function_arn=context.invoked_function_arn)
        return real_handler(event, context)

    # When the demo runs
    with patch.object(enforcer, "handler", watching):
        result = demo_enforcer.run_demo(session, "local", say=lambda _line: None)
    # Then the handler saw every deployed variable, and not the shell's key list
    assert {name: seen["environ"].get(name) for name in deployed} == deployed
    assert "APPROVED_KMS_KEY_ARNS" not in seen["environ"]
    assert result.decision["violations"] == ["vpc.required"]  # the env's own keys are not "not approved"
    # And it ran as the deployed function (its ARN), leaving the shell as it was
    assert seen["function_arn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}"
    assert os.environ["APPROVED_KMS_KEY_ARNS"] == other_key


def test_in_audit_mode_the_demo_reports_the_escaping_job_left_running_and_exits_0(session, monkeypatch, capsys):
    # Given the enforcer deployed in audit mode
    deploy_enforcer(session, publish_contract(session), mode="audit")
    # When the demo command runs
    code = run_command(session, monkeypatch)
    # Then it exits 0, and says in one line what the enforcer did and would do in enforce mode
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert re.search(r"1 finding published: smenv enforcer: would_stop training-job smenv-demo-escape-", out[-3])
    assert re.fullmatch(
        r"audit mode: the enforcer reported training job (smenv-demo-escape-\S+) escaping the VPC and left it "
        r"InProgress; in enforce mode it would stop it",
        out[-2],
    )
    # And the demo stopped its own job afterwards: nothing is left running
    assert "nothing is left running" in out[-1]
    assert training_job_statuses(session) in (["Stopping"], ["Stopped"])


def test_in_audit_mode_an_enforcer_that_stops_the_job_fails_the_demo_in_one_line(session, monkeypatch, capsys):
    # Given the enforcer deployed in audit mode, whose code nonetheless stops what it judges
    deploy_enforcer(session, publish_contract(session), mode="audit")
    enforcer = lambda_loader.load("enforcer")

    def stopping(event, _context):
        session.client("sagemaker").stop_training_job(TrainingJobName=event["detail"]["TrainingJobName"])
        return {"decision": "violation", "violations": ["vpc.required"], "action": "would_stop", "mode": "audit"}

    # When the demo command runs
    with patch.object(enforcer, "handler", stopping):
        code = run_command(session, monkeypatch)
    # Then it exits 1 with one line saying so
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1
    assert re.search(r"in audit mode the enforcer stopped training job smenv-demo-escape-\S+ \(Stopp", err[0])


def test_a_missing_enforcer_function_is_one_line_and_a_nonzero_exit_before_anything_is_made(
    session, monkeypatch, capsys
):
    # Given the contract in SSM but no enforcer function
    publish_contract(session)
    # When the demo command runs
    code = run_command(session, monkeypatch)
    # Then it exits non-zero with one line that names the function and says to run `make up`
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0
    assert err == [f"demo_enforcer: error: no enforcer function {FUNCTION} in local: run `make up ENV=local` first"]
    # And it made nothing: no training job, no queue
    assert training_job_statuses(session) == []
    assert not session.client("sqs").list_queues().get("QueueUrls")


def test_a_deployed_configuration_the_enforcer_refuses_fails_the_demo_before_anything_is_made(session):
    # Given an enforcer deployed with a mode it does not know
    deploy_enforcer(session, publish_contract(session), mode="observe")
    # When the demo runs, Then it fails naming the variable, and made nothing
    with pytest.raises(demo_enforcer.DemoFailed, match=r"refuses its own configuration: ENFORCEMENT_MODE must be"):
        demo_enforcer.run_demo(session, "local", say=lambda _line: None)
    assert training_job_statuses(session) == []
    assert not session.client("sqs").list_queues().get("QueueUrls")


def test_the_demo_leaves_the_enforcer_as_it_found_it(session, monkeypatch):
    deploy_enforcer(session, publish_contract(session))
    monkeypatch.delenv("ENFORCEMENT_MODE", raising=False)
    demo_enforcer.run_demo(session, "local", say=lambda _line: None)
    assert "ENFORCEMENT_MODE" not in os.environ
    assert lambda_loader.load("enforcer")._CLIENTS == {}


def test_a_control_that_does_nothing_fails_the_demo_in_one_line_and_leaves_nothing_running(session):
    # Given an enforcer, deployed in enforce mode, that ignores everything
    deploy_enforcer(session, publish_contract(session))
    enforcer = lambda_loader.load("enforcer")
    ignoring = patch.object(enforcer, "handler", return_value={"decision": "ignored", "reason": "broken"})
    # When the demo runs, Then it fails, saying what it saw
    failing = pytest.raises(demo_enforcer.DemoFailed, match=r"left training job smenv-demo-escape-\S+ InProgress")
    with ignoring, failing:
        demo_enforcer.run_demo(session, "local", say=lambda _line: None)
    # And its own job does not keep running, and its queue is gone
    sagemaker = session.client("sagemaker")
    [job] = sagemaker.list_training_jobs()["TrainingJobSummaries"]
    assert sagemaker.describe_training_job(TrainingJobName=job["TrainingJobName"])["TrainingJobStatus"] in (
        "Stopping",
        "Stopped",
    )
    assert not session.client("sqs").list_queues().get("QueueUrls")


def test_a_missing_contract_parameter_is_named(session):
    publish_contract(session, without="enforcer/findings_topic_arn")
    with pytest.raises(demo_enforcer.UsageError, match=r"lacks enforcer/findings_topic_arn: is local up"):
        demo_enforcer.run_demo(session, "local", say=lambda _line: None)


def test_the_command_exits_1_in_one_line_when_the_control_fails(capsys):
    failed = patch.object(demo_enforcer, "run_demo", side_effect=demo_enforcer.DemoFailed("job left InProgress"))
    with failed, patch.object(demo_enforcer, "emulator_session", return_value=None):
        code = demo_enforcer.main(["--env", "local"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == ["demo_enforcer: the control did not work: job left InProgress"]


def test_the_command_refuses_an_unknown_env_or_team_with_exit_2(capsys):
    assert demo_enforcer.main(["--env", "qa"]) == 2
    assert demo_enforcer.main(["--env", "local", "--team", "nobody"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert "unknown environment 'qa'" in err[0]
    assert "team 'nobody'" in err[1]
