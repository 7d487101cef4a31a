"""modules/kms: what a reviewer checks in the plan of the keys."""

from __future__ import annotations

import json

import pytest

ACCOUNT = "123456789012"  # the emulator's account
PURPOSES = ("data", "models", "volumes", "logs")


@pytest.fixture(scope="module")
def kms(planner_for):
    return planner_for("kms")


@pytest.fixture(scope="module")
def default_plan(kms):
    return kms.plan(name_prefix="smenv-test")


def key_policy(plan, purpose):
    return plan.policy(f'aws_kms_key.this["{purpose}"]')


def test_one_rotating_key_and_alias_per_purpose_by_default(default_plan):
    keys = {r["index"]: r["values"] for r in default_plan.managed("aws_kms_key")}
    assert sorted(keys) == sorted(PURPOSES)
    for purpose, key in keys.items():
        assert key["enable_key_rotation"] is True
        assert key["rotation_period_in_days"] == 365
        assert key["deletion_window_in_days"] == 30
        assert purpose in key["description"]
    aliases = sorted(r["values"]["name"] for r in default_plan.managed("aws_kms_alias"))
    assert aliases == sorted(f"alias/smenv-test-{p}" for p in PURPOSES)


def test_no_key_policy_names_a_wildcard_principal(default_plan):
    for purpose in PURPOSES:
        for statement in key_policy(default_plan, purpose)["Statement"]:
            principal = statement["Principal"]
            assert principal != "*"
            identifiers = [i for ids in principal.values() for i in (ids if isinstance(ids, list) else [ids])]
            assert "*" not in identifiers, statement["Sid"]


def test_key_policies_name_who_administers_and_who_uses(default_plan):
    root = f"arn:aws:iam::{ACCOUNT}:root"
    for purpose in PURPOSES:
        statements = {s["Sid"]: s for s in key_policy(default_plan, purpose)["Statement"]}
        assert statements["KeyAdministration"]["Principal"] == {"AWS": root}
        assert "kms:Decrypt" not in statements["KeyAdministration"]["Action"]
        assert statements["KeyUseThroughIam"]["Principal"] == {"AWS": root}
        grants = statements["GrantsForAwsResourcesOnly"]
        assert grants["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
        for sid in ("KeyAdministration", "KeyUseThroughIam", "GrantsForAwsResourcesOnly"):
            assert statements[sid]["Condition"]["StringEquals"] == {"kms:CallerAccount": ACCOUNT}, sid


def test_only_the_logs_key_lets_cloudwatch_logs_in_and_only_for_this_accounts_log_groups(default_plan):
    logs = {s["Sid"]: s for s in key_policy(default_plan, "logs")["Statement"]}
    statement = logs["CloudWatchLogsForThisAccountsLogGroups"]
    assert statement["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == (
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:*"
    )
    for purpose in ("data", "models", "volumes"):
        assert "Service" not in json.dumps(key_policy(default_plan, purpose))


def test_promotion_targets_may_decrypt_models_only_through_s3(kms):
    plan = kms.plan(
        name_prefix="smenv-test",
        keys={"models": {"cross_account_decrypt_account_ids": ["222222222222", "333333333333"]}},
    )
    statement = next(s for s in key_policy(plan, "models")["Statement"] if s["Sid"] == "CrossAccountDecryptThroughS3")
    assert sorted(statement["Principal"]["AWS"]) == ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:DescribeKey"]
    assert statement["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}


def test_the_contract_key_is_decrypted_through_ssm_only(kms):
    plan = kms.plan(name_prefix="smenv-test", keys={"params": {}})
    statement = next(s for s in key_policy(plan, "params")["Statement"] if s["Sid"] == "ContractReadThroughSsm")
    assert statement["Condition"]["StringEquals"] == {
        "kms:ViaService": "ssm.us-east-1.amazonaws.com",
        "kms:CallerAccount": ACCOUNT,
    }


def test_named_administrators_replace_the_account_root(kms):
    admin = f"arn:aws:iam::{ACCOUNT}:role/key-admins"
    plan = kms.plan(name_prefix="smenv-test", administrator_arns=[admin], keys={"data": {}})
    statements = {s["Sid"]: s for s in key_policy(plan, "data")["Statement"]}
    assert statements["KeyAdministration"]["Principal"] == {"AWS": admin}


def test_the_trail_key_lets_cloudtrail_encrypt_for_this_accounts_trails_only(kms):
    plan = kms.plan(name_prefix="smenv-test", keys={"trail": {}, "data": {}})
    statements = {s["Sid"]: s for s in key_policy(plan, "trail")["Statement"]}
    encrypt = statements["CloudTrailEncryptsThisAccountsTrails"]
    assert encrypt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    trails = f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"
    assert encrypt["Condition"] == {
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails},
        "ArnLike": {"aws:SourceArn": trails},
    }
    assert "CloudTrailEncryptsThisAccountsTrails" not in str(key_policy(plan, "data"))
