"""tools/demo_enforcer.py against in-process moto: the environment contract is published here by the
test (the Terraform that publishes it comes later), and the demo shows the control working.

moto lacks StopTrainingJob and creates jobs already Completed: emulator gaps filled in test
infrastructure (tools/emulator_patches.py), as on the emulator server `make up` starts.
"""

from __future__ import annotations

import os
from unittest.mock import patch

import boto3
import pytest
from moto import mock_aws

import demo_enforcer
import emulator_patches
import lambda_loader

PREFIX = "/smenv/local"
SUBNETS = "subnet-0a000000000000001,subnet-0a000000000000002"
SG = "sg-0b000000000000001"
ROLE = "arn:aws:iam::123456789012:role/smenv-local-fraud-sagemaker"


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


def test_the_demo_shows_an_escaping_training_job_stopped_and_reported(session):
    # Given the local environment's contract in SSM and its findings topic
    topic_arn = publish_contract(session)
    said: list[str] = []
    # When the demo runs
    result = demo_enforcer.run_demo(session, "local", say=said.append)
    # Then the job it made outside the VPC ended Stopping/Stopped, with one finding on the topic
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


def test_the_demo_leaves_the_enforcer_as_it_found_it(session, monkeypatch):
    publish_contract(session)
    monkeypatch.delenv("ENFORCEMENT_MODE", raising=False)
    demo_enforcer.run_demo(session, "local", say=lambda _line: None)
    assert "ENFORCEMENT_MODE" not in os.environ
    assert lambda_loader.load("enforcer")._CLIENTS == {}


def test_a_control_that_does_nothing_fails_the_demo_in_one_line_and_leaves_nothing_running(session):
    # Given an enforcer that ignores everything
    publish_contract(session)
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
