"""modules/enforcer: the control's wiring, as a reviewer reads it in the plan (the rest, known only
after apply, is read from the applied function in tests/emulator/test_live_local.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from planner import REPO

from smenv.build import lambda_loader

actions = lambda_loader.load("enforcer", "actions")
events = lambda_loader.load("enforcer", "events")
enforcer_config = lambda_loader.load("enforcer", "config")
rules = lambda_loader.load("enforcer", "rules")

KEY = "arn:aws:kms:us-east-1:123456789012:key/{}-0000-0000-0000-000000000000"
GUARDRAILS = [
    f"arn:aws:iam::123456789012:policy/smenv-test-sagemaker-guardrails-{c}"
    for c in ("network", "encryption", "workloads")
]
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
    "guardrail_policy_arns": GUARDRAILS,
}
NEW_INPUTS = {
    "approved_lifecycle_config_names": ["smenv-test-fraud", "smenv-test-risk"],
    "approved_studio_lifecycle_config_names": ["smenv-test-studio"],
    "terraform_role_arns": ["arn:aws:iam::123456789012:role/smenv-test-terraform"],
}
# Each team's execution role held to its team's group, and the environment's keys (live/_envcommon/enforcer.hcl).
FRAUD_ROLE = "arn:aws:iam::123456789012:role/smenv-test-fraud-sagemaker"
PRICING_ROLE = "arn:aws:iam::123456789012:role/smenv-test-pricing-sagemaker"
TEAM_INPUTS = {
    "team_security_groups": {FRAUD_ROLE: ["sg-0f000000000000001"], PRICING_ROLE: ["sg-0a000000000000002"]},
    "approved_kms_key_arns": [KEY.format(n) for n in ("44444444", "55555555", "66666666")],
}
SAGEMAKER = "arn:aws:sagemaker:us-east-1:123456789012"
ROLE = "arn:aws:iam::123456789012:role/smenv-test-sagemaker-enforcer"
# The function, its role's policy and its log group: modules/_lambda_in_vpc's, called as module.function.
FUNCTION = "module.function.aws_lambda_function.this"
ROLE_POLICY = "module.function.aws_iam_role_policy.this"
LOG_GROUP = "module.function.aws_cloudwatch_log_group.this"


@pytest.fixture(scope="module")
def plan(planner_for, tmp_path_factory):
    package = tmp_path_factory.mktemp("package") / "enforcer.zip"
    subprocess.run(
        [sys.executable, "tools/package_lambda.py", "lambda/enforcer", "--out", str(package)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return planner_for("enforcer").plan(**INPUTS, **NEW_INPUTS, **TEAM_INPUTS, package_path=str(package))


def test_eventbridge_sends_successful_create_calls_and_state_changes_only(plan):
    rules = {r["index"]: json.loads(r["values"]["event_pattern"]) for r in plan.managed("aws_cloudwatch_event_rule")}
    calls = rules["api-calls"]
    assert calls["detail"]["errorCode"] == [{"exists": False}], "failed or denied calls created nothing"
    assert sorted(calls["detail"]["eventName"]) == sorted(
        ["CreateTrainingJob", "CreateProcessingJob", "CreateHyperParameterTuningJob",
         "CreateTransformJob", "CreateModel", "CreateNotebookInstance",
         "UpdateNotebookInstance", "CreateNotebookInstanceLifecycleConfig", "UpdateNotebookInstanceLifecycleConfig",
         "CreateEndpointConfig", "CreateEndpoint", "UpdateEndpoint",
         "CreateMonitoringSchedule", "UpdateMonitoringSchedule",
         "CreateCompilationJob", "CreateOptimizationJob", "CreateLabelingJob", "CreateInferenceRecommendationsJob",
         "CreateCluster", "UpdateCluster", "CreateDomain", "UpdateDomain", "CreateApp", "CreateModelPackage"]
    )  # fmt: skip
    assert "SageMaker Training Job State Change" in rules["state-changes"]["detail-type"]
    targets = plan.managed("aws_cloudwatch_event_target")
    assert len(targets) == 2
    assert all(t["values"]["retry_policy"][0]["maximum_retry_attempts"] > 0 for t in targets)


def test_the_function_is_traced_capped_encrypted_in_the_vpc_and_dead_letters(plan):
    function = plan.values(FUNCTION)
    assert function["runtime"] == "python3.13"
    assert function["tracing_config"] == [{"mode": "Active"}]
    assert function["reserved_concurrent_executions"] == 10
    assert function["kms_key_arn"] == KEY.format("22222222")
    assert function["vpc_config"][0]["subnet_ids"] == ["subnet-0a", "subnet-0b"]
    # The role's policy names topic, queue and log group by ARNs built from their names: known at plan
    statements = {s["Sid"]: s for s in plan.policy(ROLE_POLICY)["Statement"]}
    assert (
        statements["PublishFindings"]["Resource"] == "arn:aws:sns:us-east-1:123456789012:smenv-test-enforcer-findings"
    )
    assert statements["DeadLetters"]["Resource"] == "arn:aws:sqs:us-east-1:123456789012:smenv-test-enforcer-dlq"
    assert statements["NetworkInterfacesInThePrivateSubnets"]["Condition"] == {
        "ArnEquals": {"ec2:Vpc": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0d"}
    }
    # Failed asynchronous invocations go to the queue, named by the ARN built from its name: known at plan
    assert function["dead_letter_config"] == [
        {"target_arn": "arn:aws:sqs:us-east-1:123456789012:smenv-test-enforcer-dlq"}
    ]
    assert plan.values("aws_sqs_queue.dead_letters")["kms_master_key_id"] == KEY.format("11111111")
    log_group = plan.values(LOG_GROUP)
    assert (log_group["kms_key_id"], log_group["retention_in_days"]) == (KEY.format("33333333"), 365)


def test_the_api_call_rule_delivers_every_call_the_handler_parses_and_no_other(plan):
    # Given the CloudTrail calls lambda/enforcer/events.py turns into a judgement
    parsed = set(events.CALLS)
    assert {"UpdateNotebookInstance", "UpdateEndpoint", "CreateApp", "UpdateDomain"} <= parsed
    # Then the rule delivers exactly those (a call it delivered but did not parse would be paid for and ignored)
    rules = {r["index"]: json.loads(r["values"]["event_pattern"]) for r in plan.managed("aws_cloudwatch_event_rule")}
    assert set(rules["api-calls"]["detail"]["eventName"]) == parsed


def test_the_state_change_rule_delivers_every_kind_the_handler_parses(plan):
    # Given the detail-types lambda/enforcer/events.py turns into a judgement
    events_py = (REPO / "lambda" / "enforcer" / "events.py").read_text()
    parsed = set(re.findall(r'^\s+"(SageMaker [A-Za-z ]+ State Change)":', events_py, re.M))
    assert "SageMaker Model State Change" in parsed
    assert {"SageMaker Endpoint State Change", "SageMaker HyperPod Cluster State Change"} <= parsed
    assert "SageMaker Model Package State Change" in parsed  # a package with a validation job, without a trail
    # Then the rule delivers each of them (a CreateModel outside the VPC is judged without a trail too)
    rules = {r["index"]: json.loads(r["values"]["event_pattern"]) for r in plan.managed("aws_cloudwatch_event_rule")}
    assert set(rules["state-changes"]["detail-type"]) == parsed


def test_the_function_knows_the_local_storage_families_from_the_one_list(plan):
    families = json.loads((REPO / "modules/_instance_storage/instance_storage.json").read_text())[
        "local_storage_families"
    ]
    variables = function_variables(plan)
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
        assert statements["ThisAccountThroughIam"]["Condition"] == {
            "StringEquals": {"aws:PrincipalAccount": "123456789012"}
        }
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


def function_variables(plan) -> dict:
    """The function's environment as planned (every variable is known at plan time)."""
    return plan.values(FUNCTION)["environment"][0]["variables"]


def _iam_actions(method: str) -> str:
    """boto3's snake_case operation as its IAM action: describe_endpoint -> sagemaker:DescribeEndpoint."""
    return "sagemaker:" + "".join(part.capitalize() for part in method.split("_"))


def _allowed(statement: dict, key: str) -> set[str]:
    value = statement[key]
    return {value} if isinstance(value, str) else set(value)


def test_the_role_may_make_every_call_the_handler_makes_on_the_new_kinds(plan):
    # Given the SageMaker calls lambda/enforcer/actions.py makes (Describe, Stop, Delete, the job
    # definitions a monitoring schedule names), each on the kind it is about
    calls = {(kind, _iam_actions(method)) for kind, (method, _) in actions._DESCRIBE.items()}
    calls |= {(kind, _iam_actions(method)) for kind, (method, _) in actions._STOP.items()}
    calls |= {(kind, _iam_actions(method)) for kind, (method, _) in actions._DELETE.items()}
    calls |= {
        (method.removeprefix("describe_").replace("_", "-"), _iam_actions(method))
        for method, _ in rules.MONITORING_DEFINITIONS.values()
    }
    calls |= {(kind, "sagemaker:ListTags") for kind in ("model", "notebook-instance", *NEW_REPORTED)}
    calls |= {(kind, "sagemaker:AddTags") for kind in ("model", "notebook-instance", *NEW_REPORTED)}
    statements = plan.policy(ROLE_POLICY)["Statement"]
    # Then one statement allows each call on <this account and region's kind>/*
    for kind, action in sorted(calls):
        resource = f"{SAGEMAKER}:{kind}/*"
        assert any(action in _allowed(s, "Action") and resource in _allowed(s, "Resource") for s in statements), (kind, action)  # fmt: skip


NEW_REPORTED = [
    "endpoint", "endpoint-config", "notebook-instance-lifecycle-config", "compilation-job", "optimization-job",
    "labeling-job", "inference-recommendations-job", "cluster", "domain",
]  # fmt: skip


def test_the_new_statements_allow_only_their_calls_on_this_accounts_resources(plan):
    statements = {s["Sid"]: s for s in plan.policy(ROLE_POLICY)["Statement"]}
    describe = statements["DescribeTheOtherKindsItJudges"]
    assert all(a.startswith("sagemaker:Describe") for a in _allowed(describe, "Action"))
    assert _allowed(statements["ReadTheMarkerOfWhatItReports"], "Action") == {"sagemaker:ListTags"}
    assert _allowed(statements["ReadTheMarkerOfWhatItReports"], "Resource") == {f"{SAGEMAKER}:{k}/*" for k in NEW_REPORTED}  # fmt: skip
    assert _allowed(statements["DeleteEndpointsOutsideTheVpc"], "Action") == {"sagemaker:DeleteEndpoint"}
    assert _allowed(statements["DeleteEndpointsOutsideTheVpc"], "Resource") == {f"{SAGEMAKER}:endpoint/*"}
    assert _allowed(statements["DeleteStudioAppsOutsideTheRules"], "Action") == {"sagemaker:DeleteApp"}
    assert _allowed(statements["DeleteStudioAppsOutsideTheRules"], "Resource") == {f"{SAGEMAKER}:app/*"}
    packages = statements["DeleteModelPackagesWithValidationJobs"]
    assert _allowed(packages, "Action") == {"sagemaker:DeleteModelPackage"}
    assert _allowed(packages, "Resource") == {f"{SAGEMAKER}:model-package/*"}  # <group>/<version> included
    stop = _allowed(statements["StopWhatEscapes"], "Action")
    assert {"sagemaker:StopMonitoringSchedule", "sagemaker:StopLabelingJob", "sagemaker:StopCompilationJob"} <= stop
    # AddTags still writes the marker tag alone, now on the new kinds it reports too
    mark = statements["MarkWhatItHandled"]
    assert mark["Condition"] == {"ForAllValues:StringEquals": {"aws:TagKeys": "smenv:enforcer"}}
    assert {f"{SAGEMAKER}:{k}/*" for k in NEW_REPORTED} <= _allowed(mark, "Resource")
    # Every SageMaker resource is of this account and region; no new statement is on "*"
    for statement in statements.values():
        for resource in _allowed(statement, "Resource"):
            assert (
                resource == "*" or not resource.startswith("arn:aws:sagemaker") or resource.startswith(f"{SAGEMAKER}:")
            )
    assert sorted(sid for sid, s in statements.items() if s["Resource"] == "*") == [
        "DescribeNetworkAndTrace",
        "FindEndpointConfigsUsingAModel",
    ]
    # No kms:GenerateMac in the role's policy: the key policy is the one grant
    assert not any("kms:GenerateMac" in _allowed(s, "Action") for s in statements.values())


def test_the_marker_key_is_an_hmac_key_only_the_enforcer_makes_and_checks_macs_with(plan):
    key = plan.values("aws_kms_key.markers")
    assert (key["customer_master_key_spec"], key["key_usage"]) == ("HMAC_256", "GENERATE_VERIFY_MAC")
    assert plan.values("aws_kms_alias.markers")["name"] == "alias/smenv-test-enforcer-markers"
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    assert set(statements) == {"ThisAccountAdministersThroughIam", "OnlyTheEnforcerMakesAndChecksMarkers"}
    enforcer = statements["OnlyTheEnforcerMakesAndChecksMarkers"]
    assert enforcer["Principal"] == {"AWS": ROLE}  # built from the name: known at plan time
    assert _allowed(enforcer, "Action") == {"kms:GenerateMac", "kms:VerifyMac"}
    assert enforcer["Condition"] == {"StringEquals": {"kms:MacAlgorithm": "HMAC_SHA_256"}}
    admin = statements["ThisAccountAdministersThroughIam"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert admin["Condition"] == {"StringEquals": {"kms:CallerAccount": "123456789012"}}
    # Administrators manage it through IAM, but no IAM policy or grant can let anyone else make a MAC
    forbidden = {"kms:GenerateMac", "kms:VerifyMac", "kms:CreateGrant", "kms:*"}
    assert not _allowed(admin, "Action") & forbidden
    assert not any("*" in a for a in _allowed(admin, "Action"))
    # and the function names it by its alias's ARN, built from names: its whole environment stays known at plan
    alias_arn = "arn:aws:kms:us-east-1:123456789012:alias/smenv-test-enforcer-markers"
    assert function_variables(plan)["MARKER_KEY_ARN"] == alias_arn
    assert "aws_kms_key.markers" in json.dumps(plan.config_expression("aws_kms_alias.markers", "target_key_id"))


def test_the_function_knows_the_approved_lifecycle_configs_and_terraforms_roles(plan):
    variables = function_variables(plan)
    assert variables["APPROVED_LIFECYCLE_CONFIGS"] == "smenv-test-fraud,smenv-test-risk"
    assert variables["APPROVED_STUDIO_LIFECYCLE_CONFIGS"] == "smenv-test-studio"
    assert variables["TERRAFORM_ROLE_ARNS"] == "arn:aws:iam::123456789012:role/smenv-test-terraform"


def test_its_role_carries_the_guardrails_as_every_role_the_project_creates(plan):
    attached = {r["values"]["policy_arn"] for r in plan.managed("aws_iam_role_policy_attachment")}
    roles = {r["values"]["role"] for r in plan.managed("aws_iam_role_policy_attachment")}
    assert (attached, roles) == (set(GUARDRAILS), {"smenv-test-sagemaker-enforcer"})


def test_the_function_holds_each_teams_role_to_its_group_and_knows_the_environments_keys(plan):
    variables = function_variables(plan)
    # The map as JSON (config.py reads it whole), the keys comma-separated as every other list
    assert json.loads(variables["TEAM_SECURITY_GROUPS"]) == {
        FRAUD_ROLE: ["sg-0f000000000000001"],
        PRICING_ROLE: ["sg-0a000000000000002"],
    }
    assert variables["APPROVED_KMS_KEY_ARNS"].split(",") == TEAM_INPUTS["approved_kms_key_arns"]
    # and the function, reading them as it reads its environment, accepts them
    loaded = enforcer_config.load_config({k: variables[k] for k in ("TEAM_SECURITY_GROUPS", "APPROVED_KMS_KEY_ARNS")})
    assert loaded.policy.role_groups(FRAUD_ROLE) == {"sg-0f000000000000001"}
    assert loaded.policy.approved_kms_keys == frozenset(TEAM_INPUTS["approved_kms_key_arns"])


def test_without_a_team_map_or_keys_the_function_checks_neither(planner_for, plan):
    # Given the module's defaults (INPUTS alone): an empty map, an empty list
    defaults = planner_for("enforcer").plan(**INPUTS, package_path=_package_of(plan))
    variables = function_variables(defaults)
    assert (variables["TEAM_SECURITY_GROUPS"], variables["APPROVED_KMS_KEY_ARNS"]) == ("{}", "")


def _package_of(plan) -> str:
    return plan.values(FUNCTION)["filename"]
