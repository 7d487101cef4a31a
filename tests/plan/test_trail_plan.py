"""modules/trail: the management-event trail the enforcer's CloudTrail path needs, from the plan."""

from __future__ import annotations

import pytest

GUARDRAILS = [
    f"arn:aws:iam::123456789012:policy/smenv-test-sagemaker-guardrails-{c}"
    for c in ("network", "encryption", "workloads")
]
KEY = "arn:aws:kms:us-east-1:123456789012:key/{}-0000-0000-0000-000000000000"
INPUTS = {
    "name_prefix": "smenv-test",
    "kms_key_arn": KEY.format("11111111"),
    "logs_kms_key_arn": KEY.format("22222222"),
    "guardrail_policy_arns": GUARDRAILS,
    "notifications_kms_key_arn": KEY.format("33333333"),
    "access_log_bucket": "smenv-test-access-logs-123456789012-us-east-1",
}
TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/smenv-test-management-events"
BUCKET = "smenv-test-cloudtrail-123456789012-us-east-1"


@pytest.fixture(scope="module")
def trail(planner_for):
    return planner_for("trail")


@pytest.fixture(scope="module")
def plan(trail):
    return trail.plan(**INPUTS)


def test_one_multi_region_management_trail_encrypted_and_validated(plan):
    trail = plan.values("aws_cloudtrail.this")
    assert trail["name"] == "smenv-test-management-events"
    assert trail["is_multi_region_trail"] is True
    assert trail["include_global_service_events"] is True
    assert trail["enable_log_file_validation"] is True
    assert trail["kms_key_id"] == KEY.format("11111111")
    selector = trail["event_selector"][0]
    assert (selector["read_write_type"], selector["include_management_events"]) == ("All", True)
    assert not selector["exclude_management_event_sources"], "no management event source left out"


def test_the_bucket_takes_this_trails_files_only_and_nobody_deletes_them(plan):
    statements = {s["Sid"]: s for s in plan.policy("aws_s3_bucket_policy.trail")["Statement"]}
    write = statements["CloudTrailWritesThisAccountsLogs"]
    assert write["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert write["Resource"] == f"arn:aws:s3:::{BUCKET}/AWSLogs/123456789012/*"
    assert write["Condition"]["StringEquals"]["aws:SourceArn"] == TRAIL_ARN
    assert statements["CloudTrailChecksTheBucket"]["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    delete = statements["DenyChangingLogFiles"]
    assert delete["Effect"] == "Deny" and "s3:DeleteObject" in delete["Action"]
    assert delete["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:root"}}
    sse = plan.values("aws_s3_bucket_server_side_encryption_configuration.trail")["rule"][0]
    assert sse["apply_server_side_encryption_by_default"][0] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": KEY.format("11111111"),
    }
    assert plan.values("aws_s3_bucket_logging.trail[0]")["target_bucket"] == INPUTS["access_log_bucket"]


def test_a_copy_goes_to_an_encrypted_log_group_through_a_role_only_this_trail_assumes(plan):
    assert plan.values("aws_cloudwatch_log_group.trail")["kms_key_id"] == KEY.format("22222222")
    trust = plan.policy("aws_iam_role.delivery", "assume_role_policy")["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    write = plan.policy("aws_iam_role_policy.delivery")["Statement"][0]
    assert write["Resource"] == "arn:aws:logs:us-east-1:123456789012:log-group:/smenv-test/cloudtrail:log-stream:*"


def test_delivery_notices_go_to_an_encrypted_topic_only_this_trail_publishes_to(plan):
    assert plan.values("aws_sns_topic.deliveries")["kms_master_key_id"] == KEY.format("33333333")
    publish = plan.policy("aws_sns_topic_policy.deliveries")["Statement"][0]
    assert publish["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert publish["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}


def test_its_role_carries_the_guardrails_as_every_role_the_project_creates(plan):
    attached = {r["values"]["policy_arn"] for r in plan.managed("aws_iam_role_policy_attachment")}
    roles = {r["values"]["role"] for r in plan.managed("aws_iam_role_policy_attachment")}
    assert (attached, roles) == (set(GUARDRAILS), {"smenv-test-cloudtrail-to-logs"})
