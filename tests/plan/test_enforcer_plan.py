"""modules/enforcer: the control's wiring, as a reviewer reads it in the plan (the rest, known only
after apply, is read from the applied function in tests/emulator/test_live_local.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from planner import REPO

KEY = "arn:aws:kms:us-east-1:123456789012:key/{}-0000-0000-0000-000000000000"
INPUTS = {
    "name_prefix": "smenv-test",
    "approved_subnet_ids": ["subnet-0a", "subnet-0b"],
    "approved_security_group_ids": ["sg-0c"],
    "vpc_id": "vpc-0d",
    "lambda_subnet_ids": ["subnet-0a", "subnet-0b"],
    "endpoint_security_group_id": "sg-0e",
    "notifications_kms_key_arn": KEY.format("11111111"),
    "lambda_kms_key_arn": KEY.format("22222222"),
    "logs_kms_key_arn": KEY.format("33333333"),
}


@pytest.fixture(scope="module")
def plan(planner_for, tmp_path_factory):
    package = tmp_path_factory.mktemp("package") / "enforcer.zip"
    subprocess.run(
        [sys.executable, "tools/package_lambda.py", "lambda/enforcer", "--out", str(package)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return planner_for("enforcer").plan(**INPUTS, package_path=str(package))


def test_eventbridge_sends_successful_create_calls_and_state_changes_only(plan):
    rules = {r["index"]: json.loads(r["values"]["event_pattern"]) for r in plan.managed("aws_cloudwatch_event_rule")}
    calls = rules["api-calls"]
    assert calls["detail"]["errorCode"] == [{"exists": False}], "failed or denied calls created nothing"
    assert sorted(calls["detail"]["eventName"]) == sorted(
        ["CreateTrainingJob", "CreateProcessingJob", "CreateHyperParameterTuningJob",
         "CreateTransformJob", "CreateModel", "CreateNotebookInstance"]
    )  # fmt: skip
    assert "SageMaker Training Job State Change" in rules["state-changes"]["detail-type"]
    targets = plan.managed("aws_cloudwatch_event_target")
    assert len(targets) == 2
    assert all(t["values"]["retry_policy"][0]["maximum_retry_attempts"] > 0 for t in targets)


def test_the_function_is_traced_capped_encrypted_in_the_vpc_and_dead_letters(plan):
    function = plan.values("aws_lambda_function.this")
    assert function["runtime"] == "python3.13"
    assert function["tracing_config"] == [{"mode": "Active"}]
    assert function["reserved_concurrent_executions"] == 10
    assert function["kms_key_arn"] == KEY.format("22222222")
    assert function["vpc_config"][0]["subnet_ids"] == ["subnet-0a", "subnet-0b"]
    # The role's policy names topic, queue and log group by ARNs built from their names: known at plan
    statements = {s["Sid"]: s for s in plan.policy("aws_iam_role_policy.function")["Statement"]}
    assert (
        statements["PublishFindings"]["Resource"] == "arn:aws:sns:us-east-1:123456789012:smenv-test-enforcer-findings"
    )
    assert statements["DeadLetters"]["Resource"] == "arn:aws:sqs:us-east-1:123456789012:smenv-test-enforcer-dlq"
    assert statements["NetworkInterfacesInThePrivateSubnets"]["Condition"] == {
        "ArnEquals": {"ec2:Vpc": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0d"}
    }
    assert plan.config_expression("aws_lambda_function.this", "dead_letter_config")
    assert plan.values("aws_sqs_queue.dead_letters")["kms_master_key_id"] == KEY.format("11111111")
    log_group = plan.values("aws_cloudwatch_log_group.function")
    assert (log_group["kms_key_id"], log_group["retention_in_days"]) == (KEY.format("33333333"), 365)


def test_the_state_change_rule_delivers_every_kind_the_handler_parses(plan):
    # Given the detail-types lambda/enforcer/events.py turns into a judgement
    events_py = (REPO / "lambda" / "enforcer" / "events.py").read_text()
    parsed = set(re.findall(r'^\s+"(SageMaker [A-Za-z ]+ State Change)":', events_py, re.M))
    assert "SageMaker Model State Change" in parsed
    # Then the rule delivers each of them (a CreateModel outside the VPC is judged without a trail too)
    rules = {r["index"]: json.loads(r["values"]["event_pattern"]) for r in plan.managed("aws_cloudwatch_event_rule")}
    assert set(rules["state-changes"]["detail-type"]) == parsed


def test_the_function_knows_the_local_storage_families_from_the_one_list(plan):
    families = json.loads((REPO / "modules/_instance_storage/instance_storage.json").read_text())[
        "local_storage_families"
    ]
    variables = plan.values("aws_lambda_function.this")["environment"][0]["variables"]
    assert sorted(variables["INSTANCE_STORAGE_FAMILIES"].split(",")) == sorted(families)


def test_eventbridge_may_invoke_and_dead_letter_from_its_own_rules_only(plan):
    rule_arns = {
        f"arn:aws:events:us-east-1:123456789012:rule/smenv-test-enforcer-{k}" for k in ("api-calls", "state-changes")
    }
    assert {r["values"]["source_arn"] for r in plan.managed("aws_lambda_permission")} == rule_arns
    queue = plan.policy("aws_sqs_queue_policy.dead_letters")["Statement"][0]
    assert set(queue["Condition"]["ArnEquals"]["aws:SourceArn"]) == rule_arns


def test_the_topics_replace_snss_default_policy_that_lets_every_principal_of_the_account_in(plan):
    for topic in ("findings", "alarms"):
        statements = {s["Sid"]: s for s in plan.policy(f"aws_sns_topic_policy.{topic}")["Statement"]}
        # This account's principals through their IAM policies only (no AWS:SourceOwner grant to all)
        assert statements["ThisAccountThroughIam"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
        assert "Condition" not in statements["ThisAccountThroughIam"]
        assert all(s["Principal"] != {"AWS": "*"} and s["Principal"] != "*" for s in statements.values())
    alarms = {s["Sid"]: s for s in plan.policy("aws_sns_topic_policy.alarms")["Statement"]}
    assert alarms["CloudWatchAlarmsOfThisAccountPublish"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"}
    }


def test_findings_and_alarms_go_to_encrypted_topics(plan):
    for topic in ("findings", "alarms"):
        assert plan.values(f"aws_sns_topic.{topic}")["kms_master_key_id"] == KEY.format("11111111")
    alarms = {r["index"]: r["values"] for r in plan.managed("aws_cloudwatch_metric_alarm")}
    assert sorted(alarms) == ["dead-letter", "errors", "throttles"]
    assert alarms["dead-letter"]["metric_name"] == "ApproximateNumberOfMessagesVisible"


def test_a_bad_mode_fails_at_plan_naming_the_variable(planner_for):
    message = planner_for("enforcer").plan_error(**INPUTS, package_path="enforcer.tar", enforcement_mode="warn")
    assert "var.enforcement_mode must be enforce or audit" in message
    assert "var.package_path must be the path of a .zip" in message
