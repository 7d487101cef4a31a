"""tools/policy_lint.py: every policy in a plan is linted, findings fail the run, the allow-list stays narrow."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from smenv.checks import policy_lint
from smenv_testing import REPO

ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::smenv-data/*"}],
}
BAD_POLICY = {  # an action that does not exist
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::smenv-data/*"}],
}


def plan_with(values: dict, address: str = "module.team.aws_iam_role_policy.this", unknown: dict | None = None) -> dict:
    type_, name = address.split(".")[-2:]
    return {
        "planned_values": {
            "root_module": {
                "child_modules": [
                    {
                        "resources": [
                            {"address": address, "mode": "managed", "type": type_, "name": name, "values": values}
                        ]
                    }
                ]
            }
        },
        "resource_changes": [
            {"address": address, "mode": "managed", "change": {"actions": ["create"], "after_unknown": unknown or {}}}
        ],
        "configuration": {
            "root_module": {
                "module_calls": {
                    "team": {"module": {"resources": [{"address": f"{type_}.{name}", "expressions": {"policy": {}}}]}}
                }
            }
        },
    }


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "tools/policy_lint.py", *args], cwd=REPO, capture_output=True, text=True)


def test_a_policy_anywhere_in_the_plan_is_found_and_a_bad_action_fails_the_run(tmp_path):
    # Given a plan whose module writes a policy naming an action that does not exist
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(plan_with({"name": "x", "policy": json.dumps(BAD_POLICY)})))
    # When it is linted
    proc = run_cli(str(plan))
    # Then the table names the resource and the issue, and the run fails
    assert proc.returncode == 1, proc.stderr
    assert "module.team.aws_iam_role_policy.this" in proc.stdout
    assert "UNKNOWN_ACTION" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("policy lint: 1 finding(s), 0 allowed, in 1 policies")


def test_a_clean_policy_passes_and_a_policy_known_only_after_apply_is_named(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(plan_with({"name": "x", "policy": json.dumps(ROLE_POLICY)})))
    assert run_cli(str(plan)).returncode == 0
    deferred = plan_with({"name": "x"}, unknown={"policy": True})
    report = policy_lint.lint_plan(deferred)
    assert (report.policies, report.unknown) == ([], ["module.team.aws_iam_role_policy.this.policy"])


def test_an_allow_entry_covers_only_what_it_names():
    allowance = policy_lint.Allowance(
        "UNKNOWN_CONDITION_FOR_ACTION",
        "stale data",
        condition_key="sagemaker:VolumeKmsKeyArn",
        actions=frozenset({"sagemaker:CreateTrainingJob"}),
    )
    finding = policy_lint.Finding(
        "aws_iam_policy.x", "policy", "UNKNOWN_CONDITION_FOR_ACTION", "MEDIUM", "d",
        "sagemaker:CreateTrainingJob", "sagemaker:VolumeKmsKeyArn",
    )  # fmt: skip
    assert allowance.covers(finding)
    assert not allowance.covers(replace(finding, action="sagemaker:CreateEndpoint"))
    assert not allowance.covers(replace(finding, condition_key="sagemaker:VpcSubnets"))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('issue = "RESOURCE_STAR"\nreason = "why"', "is too wide"),
        ('issue = "UNKNOWN_CONDITION_FOR_ACTION"\ncondition_key = "s3:x"\nreason = "why"', "is too wide"),
        ('issue = "UNKNOWN_ACTION"\ncondition_key = "s3:x"\nactions = ["s3:*"]\nreason = "why"', "wildcards"),
        ('issue = "RESOURCE_STAR"\nresource_type = "aws_kms_key"\nattribute = "policy"', "lacks reason"),
    ],
)
def test_a_wide_or_unexplained_allow_entry_is_refused_in_one_line(tmp_path, entry, message):
    config = tmp_path / "lint.toml"
    config.write_text(f"[[allow]]\n{entry}\n")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(plan_with({"name": "x", "policy": json.dumps(ROLE_POLICY)})))
    proc = run_cli(str(plan), "--config", str(config))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and message in proc.stderr


def test_the_committed_allow_list_loads_and_every_module_has_example_inputs():
    allowances, inputs = policy_lint.load_config()
    assert allowances and all(a.reason for a in allowances)
    assert sorted(inputs) == policy_lint.module_names("all")
