"""modules/buckets: per-team buckets a reviewer can sign off from the plan."""

from __future__ import annotations

import pytest

DATA_KEY = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-0000-0000-0000-000000000001"
MODELS_KEY = "arn:aws:kms:us-east-1:123456789012:key/bbbbbbbb-0000-0000-0000-000000000002"
VPCE = "vpce-0123456789abcdef0"
TERRAFORM_ROLE = "arn:aws:iam::123456789012:role/smenv-terraform"
READER = "arn:aws:iam::222222222222:role/smenv-staging-promotion"
INPUTS = {
    "name_prefix": "smenv-test",
    "teams": ["fraud", "pricing"],
    "data_kms_key_arn": DATA_KEY,
    "models_kms_key_arn": MODELS_KEY,
    "s3_vpc_endpoint_id": VPCE,
    "vpc_endpoint_exempt_principal_arns": [TERRAFORM_ROLE],
}
SUFFIX = "123456789012-us-east-1"


@pytest.fixture(scope="module")
def buckets(planner_for):
    return planner_for("buckets")


@pytest.fixture(scope="module")
def plan(buckets):
    return buckets.plan(**INPUTS, model_reader_principal_arns=[READER])


def by_index(plan, type_):
    return {r["index"]: r["values"] for r in plan.managed(type_) if r["name"] == "team"}


def test_each_team_has_a_data_and_a_model_bucket_named_by_the_scheme(plan):
    names = {r["values"]["bucket"] for r in plan.managed("aws_s3_bucket")}
    assert names == {
        f"smenv-test-data-fraud-{SUFFIX}", f"smenv-test-model-fraud-{SUFFIX}",
        f"smenv-test-data-pricing-{SUFFIX}", f"smenv-test-model-pricing-{SUFFIX}",
        f"smenv-test-access-logs-{SUFFIX}",
    }  # fmt: skip
    assert all(len(name) <= 63 for name in names)


def test_every_team_bucket_is_encrypted_with_its_own_purposes_key_and_bucket_keys(plan):
    for index, config in by_index(plan, "aws_s3_bucket_server_side_encryption_configuration").items():
        rule = config["rule"][0]
        default = rule["apply_server_side_encryption_by_default"][0]
        assert default["sse_algorithm"] == "aws:kms"
        assert default["kms_master_key_id"] == (DATA_KEY if index.startswith("data-") else MODELS_KEY), index
        assert rule["bucket_key_enabled"] is True


def test_public_access_is_blocked_four_ways_and_acls_are_off(plan):
    blocks = by_index(plan, "aws_s3_bucket_public_access_block")
    assert len(blocks) == 4
    for block in [*blocks.values(), plan.values("aws_s3_bucket_public_access_block.access_logs")]:
        assert all(
            block[flag] is True
            for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        )
    for control in [*by_index(plan, "aws_s3_bucket_ownership_controls").values()]:
        assert control["rule"][0]["object_ownership"] == "BucketOwnerEnforced"


def test_versions_and_uploads_expire_and_access_is_logged(plan):
    for versioning in by_index(plan, "aws_s3_bucket_versioning").values():
        assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    for lifecycle in by_index(plan, "aws_s3_bucket_lifecycle_configuration").values():
        rule = lifecycle["rule"][0]
        assert rule["noncurrent_version_expiration"][0]["noncurrent_days"] == 90
        assert rule["abort_incomplete_multipart_upload"][0]["days_after_initiation"] == 7
    assert len(by_index(plan, "aws_s3_bucket_logging")) == 4
    target = plan.config_expression("aws_s3_bucket_logging.team", "target_bucket")
    assert target["references"][0] == "aws_s3_bucket.access_logs.id"


def test_the_bucket_policy_denies_plain_http_and_requests_outside_the_vpc_endpoint(plan):
    for index in ("data-fraud", "model-pricing"):
        statements = {s["Sid"]: s for s in plan.policy(f'aws_s3_bucket_policy.team["{index}"]')["Statement"]}
        tls = statements["DenyInsecureTransport"]
        assert (tls["Effect"], tls["Principal"], tls["Action"]) == ("Deny", "*", "s3:*")
        assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        vpce = statements["DenyOutsideTheVpcEndpoint"]
        assert vpce["Effect"] == "Deny"
        assert vpce["Condition"]["StringNotEquals"] == {"aws:SourceVpce": VPCE}
        assert vpce["Condition"]["Bool"] == {"aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"}
        exempt = vpce["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
        assert TERRAFORM_ROLE in (exempt if isinstance(exempt, list) else [exempt])


def test_only_model_buckets_let_the_promotion_targets_read_and_only_those_roles(plan):
    model = {s["Sid"]: s for s in plan.policy('aws_s3_bucket_policy.team["model-fraud"]')["Statement"]}
    read = model["PromotionTargetsReadModels"]
    assert read["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    assert read["Condition"] == {"ArnLike": {"aws:PrincipalArn": READER}}
    assert not any(a.startswith(("s3:Put", "s3:Delete")) for a in read["Action"])
    data = {s["Sid"] for s in plan.policy('aws_s3_bucket_policy.team["data-fraud"]')["Statement"]}
    assert "PromotionTargetsReadModels" not in data


def test_the_access_log_bucket_takes_only_the_logging_service_from_this_account(plan):
    statements = {s["Sid"]: s for s in plan.policy("aws_s3_bucket_policy.access_logs")["Statement"]}
    delivery = statements["S3ServerAccessLogDelivery"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    sse = plan.values("aws_s3_bucket_server_side_encryption_configuration.access_logs")["rule"][0]
    assert sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"


def test_uploads_must_stay_under_the_buckets_own_key(plan):
    for index, key in (("data-fraud", DATA_KEY), ("model-pricing", MODELS_KEY)):
        statements = {s["Sid"]: s for s in plan.policy(f'aws_s3_bucket_policy.team["{index}"]')["Statement"]}
        # SSE-S3 (or anything but SSE-KMS) asked for is refused; no header at all gets the default, the key
        sse = statements["DenyUploadsNotUnderKms"]
        assert (sse["Effect"], sse["Action"]) == ("Deny", "s3:PutObject")
        assert sse["Condition"] == {
            "Null": {"s3:x-amz-server-side-encryption": "false"},
            "StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "aws:kms:dsse"]},
        }
        other = statements["DenyUploadsUnderAnotherKey"]
        assert other["Condition"] == {
            "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"},
            "ArnNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key},
        }
        # SSE-KMS without a key id would be the AWS managed aws/s3 key
        managed = statements["DenyUploadsUnderTheAwsManagedKey"]
        assert managed["Condition"] == {
            "StringEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "aws:kms:dsse"]},
            "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "true"},
        }


def test_only_the_promotion_role_changes_what_endpoints_load_from_promoted(buckets):
    role = "arn:aws:iam::123456789012:role/smenv-test-promotion"
    plan = buckets.plan(**INPUTS, promoted_prefix_writer_arns=[role])
    model = {s["Sid"]: s for s in plan.policy('aws_s3_bucket_policy.team["model-fraud"]')["Statement"]}
    deny = model["DenyChangingPromotedModelsButByPromotion"]
    assert deny["Resource"] == f"arn:aws:s3:::smenv-test-model-fraud-{SUFFIX}/promoted/*"
    assert {"s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"} <= set(deny["Action"])
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": role}}
    data = {s["Sid"] for s in plan.policy('aws_s3_bucket_policy.team["data-fraud"]')["Statement"]}
    assert "DenyChangingPromotedModelsButByPromotion" not in data
    # Without a promotion role nobody writes there (a dev endpoint reads its own prefixes)
    nobody = {
        s["Sid"]: s for s in buckets.plan(**INPUTS).policy('aws_s3_bucket_policy.team["model-pricing"]')["Statement"]
    }
    assert "Condition" not in nobody["DenyChangingPromotedModelsButByPromotion"]


def test_uploads_under_a_customer_provided_key_are_refused(plan):
    statements = {s["Sid"]: s for s in plan.policy('aws_s3_bucket_policy.team["data-pricing"]')["Statement"]}
    assert statements["DenyUploadsUnderCustomerKeys"]["Condition"] == {
        "Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}
    }


def test_a_serverless_models_role_reads_its_prefixes_from_outside_the_endpoint_and_nothing_more(buckets):
    # Given the serverless endpoint's model role, reading its models under promoted/ in team fraud's bucket
    role = "arn:aws:iam::123456789012:role/smenv-test-churn-model"
    plan = buckets.plan(
        **INPUTS, serverless_model_readers=[{"principal_arn": role, "team": "fraud", "key_prefixes": ["promoted/"]}]
    )
    model = {s["Sid"]: s for s in plan.policy('aws_s3_bucket_policy.team["model-fraud"]')["Statement"]}
    # Then the general VPC-endpoint deny exempts that role...
    assert role in model["DenyOutsideTheVpcEndpoint"]["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    # ...and two denies of its own hold it, outside the endpoint, to s3:GetObject under promoted/
    anything_else = model["DenyServerlessModelRole0AnythingButGetObject"]
    assert anything_else["NotAction"] == "s3:GetObject"
    assert anything_else["Condition"]["ArnEquals"] == {"aws:PrincipalArn": role}
    outside = model["DenyServerlessModelRole0OutsideItsModels"]
    assert (outside["Action"], outside["NotResource"]) == (
        "s3:GetObject",
        f"arn:aws:s3:::smenv-test-model-fraud-{SUFFIX}/promoted/*",
    )
    assert outside["Condition"]["StringNotEquals"] == {"aws:SourceVpce": VPCE}
    # And no other bucket knows the role
    for index in ("data-fraud", "model-pricing", "data-pricing"):
        assert role not in str(plan.policy(f'aws_s3_bucket_policy.team["{index}"]'))


def test_the_switches_turn_the_conditional_denies_off_and_nothing_else(buckets):
    plan = buckets.plan(**INPUTS, enforce_tls=False, enforce_vpc_endpoint=False, enforce_bucket_key=False)
    assert plan.managed("aws_s3_bucket_policy") == [] or all(
        r["name"] == "access_logs" for r in plan.managed("aws_s3_bucket_policy")
    )
    assert len(plan.managed("aws_s3_bucket_server_side_encryption_configuration")) == 5
    assert len(plan.managed("aws_s3_bucket_public_access_block")) == 5


def test_a_bucket_name_over_s3s_63_characters_fails_at_plan_naming_the_team(buckets):
    too_long = buckets.plan_error(**INPUTS | {"name_prefix": "smenv-staging-longname", "teams": ["abcdefghijklmnop"]})
    assert "var.teams: the bucket name smenv-staging-longname-model-abcdefghijklmnop" in too_long
    assert "over S3's 63: shorten the team name" in too_long
