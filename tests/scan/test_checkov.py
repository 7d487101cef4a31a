"""checkov, as CI runs it: zero failed checks on the modules and on every environment's plan.

Every skip is inline, on the resource, with a reason (and the README's table lists them).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from checkov_runner import REPO, Scan, checkov, scan_modules, scan_plan

from smenv.checks import skips as skips_tool

pytestmark = pytest.mark.slow


def test_the_modules_have_no_failed_checks(tool_env):
    scan = scan_modules(tool_env)
    assert scan.passed > 100
    assert scan.failed == []


# Checks the issues name for these modules: each must pass on its module, never be skipped.
REQUIRED_CHECKS = {
    "notebook": {"CKV_AWS_122", "CKV_AWS_187", "CKV_AWS_306", "CKV_AWS_307", "CKV_AWS_371", "CKV2_AWS_68"},
    "endpoint": {"CKV_AWS_98", "CKV_AWS_370"},
}


@pytest.mark.parametrize(("module", "checks"), sorted(REQUIRED_CHECKS.items()))
def test_the_checks_named_for_a_module_pass_there_and_are_not_skipped(module, checks, tool_env):
    scan = checkov(["-d", f"modules/{module}", "--framework", "terraform"], tool_env, quiet=False)
    assert checks - scan.passed_ids == set()
    assert checks & scan.skipped_ids == set()


def test_every_inline_skip_names_a_check_and_gives_a_reason_a_reviewer_can_read():
    skips = skips_tool.find_skips()
    assert skips, "expected the documented skips"
    assert skips_tool.unreasoned(skips) == []
    # The boundary's Allow * (a ceiling that grants nothing) trips every wildcard-IAM check there is:
    # one decision, skipped on its two blocks only. Everything else stays within the seed's seven.
    boundary = [s for s in skips if s.module == "guardrails" and s.resource.endswith(".boundary")]
    assert all("boundary" in s.reason for s in boundary)
    assert len({s.check for s in skips if s not in boundary}) <= 7, "more distinct skipped checks than the seed's seven"


def test_a_skip_without_a_reason_is_caught(tmp_path):
    module = tmp_path / "modules" / "demo"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  # checkov:skip=CKV_AWS_18\n  bucket = "b"\n}\n'
        'resource "aws_s3_bucket" "c" {\n  # checkov:skip=CKV_AWS_21: too short\n  bucket = "c"\n}\n'
    )
    found = skips_tool.find_skips(tmp_path)
    assert [(s.check, s.resource) for s in skips_tool.unreasoned(found)] == [
        ("CKV_AWS_18", "aws_s3_bucket.b"),
        ("CKV_AWS_21", "aws_s3_bucket.c"),
    ]


def test_the_docs_skip_table_is_the_inline_skips():
    proc = subprocess.run([sys.executable, "tools/skips.py", "--check"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module", params=["local", "dev", "staging", "prod"])
def environment_plan(request, environment_plans):
    """Each environment planned whole through Terragrunt (once per session: tests/conftest.py)."""
    return request.param, environment_plans(request.param)


def test_every_environments_plan_has_no_failed_checks(environment_plan, tool_env):
    env, plans = environment_plan
    units = sorted(p.parent.name for p in (REPO / "live" / env).glob("*/terragrunt.hcl"))
    assert sorted(p.stem for p in plans.glob("*.json")) == units
    total = Scan()
    for plan in sorted(plans.glob("*.json")):
        scan = scan_plan(plan, tool_env)
        total.passed += scan.passed
        total.skipped += scan.skipped
        total.failed += [f"{plan.stem}: {f}" for f in scan.failed]
    assert total.passed > 50
    assert total.failed == [], f"{env}: {total.failed}"


def bucket_policy_statements(plans) -> dict[str, set[str]]:
    plan = json.loads((plans / "buckets.json").read_text())
    return {
        change["address"]: {s["Sid"] for s in json.loads(change["change"]["after"]["policy"])["Statement"]}
        for change in plan["resource_changes"]
        if change["type"] == "aws_s3_bucket_policy" and change["name"] == "team"
    }


def test_every_environment_keeps_the_bucket_denies_the_emulator_included(environment_plan):
    _env, plans = environment_plan
    policies = bucket_policy_statements(plans)
    assert len(policies) == 2 * len(json.loads((plans / "buckets.json").read_text())["variables"]["teams"]["value"])
    for address, sids in policies.items():
        assert {
            "DenyInsecureTransport",
            "DenyOutsideTheVpcEndpoint",
            "DenyUploadsNotUnderKms",
            "DenyUploadsUnderAnotherKey",
        } <= sids, address
