"""modules/_lambda_in_vpc: the enforcer's and the invoker's functions get the same scaffolding (log
group, security group, trust, role statements, function settings), the caller's tags reach every
resource that takes them, and an existing deployment's state moves into the module (moved blocks)
with nothing created or destroyed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2.utils import SerializationOptions
from planner import REPO

from smenv.core.project import terraform_cli
from smenv.live.module_plan import PROVIDER, emulator_services

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{{}}-0000-0000-0000-000000000000"
GUARDRAILS = [f"arn:aws:iam::{ACCOUNT}:policy/smenv-test-sagemaker-guardrails-{c}" for c in ("network", "encryption")]
TAGS = {"cost-centre": "ml-platform", "owner": "platform team"}
DEFAULT_TAGS = {"project": "smenv", "environment": "test", "managed-by": "terraform"}  # src/smenv/live/module_plan.py
NETWORK = {"vpc_id": "vpc-0d", "endpoint_security_group_id": "sg-0e"}
SUBNETS = ["subnet-0a", "subnet-0b"]
KEYS = {"lambda_kms_key_arn": KEY.format("22222222"), "logs_kms_key_arn": KEY.format("33333333")}
INPUTS = {
    "enforcer": {
        "name_prefix": "smenv-test",
        "approved_subnet_ids": SUBNETS,
        "approved_security_group_ids": ["sg-0c"],
        "lambda_subnet_ids": SUBNETS,
        "notifications_kms_key_arn": KEY.format("11111111"),
        **NETWORK,
        **KEYS,
    },
    "invoker": {
        "name_prefix": "smenv-test",
        "endpoint_name": "smenv-test-churn",
        "endpoint_arn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/smenv-test-churn",
        "subnet_ids": SUBNETS,
        **NETWORK,
        **KEYS,
    },
}
FUNCTION_NAMES = {"enforcer": "smenv-test-sagemaker-enforcer", "invoker": "smenv-test-churn-invoker"}
PACKAGES = {"enforcer": "enforcer", "invoker": "invoke_endpoint"}
MODULE = "module.function"
# The role's statements the module adds after the caller's own.
SHARED_SIDS = ["OwnLogs", "NetworkInterfacesInThePrivateSubnets", "DescribeNetworkAndTrace"]
# Where the scaffolding was in both modules before modules/_lambda_in_vpc, and where it is now.
MOVES = {
    "aws_cloudwatch_log_group.function": "module.function.aws_cloudwatch_log_group.this",
    "aws_security_group.function": "module.function.aws_security_group.this",
    "aws_vpc_security_group_egress_rule.function_endpoints": "module.function.aws_vpc_security_group_egress_rule.endpoints",
    "aws_iam_role.function": "module.function.aws_iam_role.this",
    "aws_iam_role_policy.function": "module.function.aws_iam_role_policy.this",
    "aws_iam_role_policy_attachment.guardrails": "module.function.aws_iam_role_policy_attachment.guardrails",
    "aws_lambda_function.this": "module.function.aws_lambda_function.this",
}  # fmt: skip


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("lambda-in-vpc-packages")
    made = {}
    for module, source in PACKAGES.items():
        made[module] = str(out / f"{source}.zip")
        subprocess.run(
            [sys.executable, "tools/package_lambda.py", f"lambda/{source}", "--out", made[module]],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
    return made


@pytest.fixture(scope="module")
def plans(planner_for, packages):
    """Each caller planned with the same network, keys and guardrails, and the same tags."""
    return {
        module: planner_for(module).plan(
            **inputs, package_path=packages[module], guardrail_policy_arns=GUARDRAILS, tags=TAGS
        )
        for module, inputs in INPUTS.items()
    }


def _statements(plan) -> list[dict[str, Any]]:
    return plan.policy(f"{MODULE}.aws_iam_role_policy.this")["Statement"]


def _as_set(value: str | list[str]) -> set[str]:
    return {value} if isinstance(value, str) else set(value)


def _neutral(value: Any, module: str) -> Any:
    """A planned value with the caller's function name replaced, so that both callers' compare."""
    return json.loads(json.dumps(value).replace(FUNCTION_NAMES[module], "<function>"))


def test_both_roles_get_the_same_log_network_interface_and_unscoped_statements_after_their_own(plans):
    shared = {}
    for module, plan in plans.items():
        statements = _statements(plan)
        sids = [s.get("Sid") for s in statements]
        # The caller's own statements first, then the module's, each once
        assert sids[-len(SHARED_SIDS) :] == SHARED_SIDS, (module, sids)
        assert len(sids) == len(set(sids)), (module, sids)
        shared[module] = {s["Sid"]: _neutral(s, module) for s in statements if s["Sid"] in SHARED_SIDS}
    # Then the two roles' VPC-ENI, log and unscoped statements are the same (the drift is gone)
    assert shared["enforcer"] == shared["invoker"]
    statements = shared["enforcer"]
    interfaces = statements["NetworkInterfacesInThePrivateSubnets"]
    assert _as_set(interfaces["Action"]) == {
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    }
    assert interfaces["Condition"] == {"ArnEquals": {"ec2:Vpc": f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/vpc-0d"}}
    assert {f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/{s}" for s in SUBNETS} <= _as_set(interfaces["Resource"])
    # Only the Describe calls Lambda makes with the execution role (AWSLambdaVPCAccessExecutionRole's):
    # ec2:DescribeVpcs and DescribeSecurityGroups are checked on whoever configures the function
    unscoped = statements["DescribeNetworkAndTrace"]
    assert _as_set(unscoped["Action"]) == {
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
    }
    assert unscoped["Resource"] == "*"
    assert statements["OwnLogs"]["Resource"] == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/<function>:*"


def test_both_functions_get_the_same_log_group_security_group_trust_and_settings(plans):
    seen = {}
    for module, plan in plans.items():
        name = FUNCTION_NAMES[module]
        function = plan.values(f"{MODULE}.aws_lambda_function.this")
        log_group = plan.values(f"{MODULE}.aws_cloudwatch_log_group.this")
        group = plan.values(f"{MODULE}.aws_security_group.this")
        [egress] = plan.managed("aws_vpc_security_group_egress_rule")
        seen[module] = _neutral(
            {
                "trust": json.loads(plan.values(f"{MODULE}.aws_iam_role.this")["assume_role_policy"]),
                "log_group": {k: log_group[k] for k in ("name", "kms_key_id", "retention_in_days")},
                "security_group": {k: group[k] for k in ("name", "vpc_id")},
                "egress": {
                    k: egress["values"][k]
                    for k in ("ip_protocol", "from_port", "to_port", "referenced_security_group_id", "cidr_ipv4")
                },
                "function": {
                    k: function[k]
                    for k in ("runtime", "handler", "memory_size", "kms_key_arn", "tracing_config", "function_name")
                },
                "subnets": function["vpc_config"][0]["subnet_ids"],
                "role": plan.values(f"{MODULE}.aws_iam_role.this")["name"],
                "guardrails": sorted(
                    (r["values"]["role"], r["values"]["policy_arn"])
                    for r in plan.managed("aws_iam_role_policy_attachment")
                ),
            },
            module,
        )
        assert name in json.dumps(function)
        # No inline rules: the one egress rule (above) is HTTPS to the interface endpoints' group
        assert group.get("ingress") in (None, []) and group.get("egress") in (None, [])
    assert seen["enforcer"] == seen["invoker"]
    same = seen["enforcer"]
    assert same["trust"]["Statement"] == [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ]
    assert same["log_group"] == {
        "name": "/aws/lambda/<function>",
        "kms_key_id": KEYS["logs_kms_key_arn"],
        "retention_in_days": 365,
    }
    assert same["egress"] == {
        "ip_protocol": "tcp",
        "from_port": 443,
        "to_port": 443,
        "referenced_security_group_id": "sg-0e",
        "cidr_ipv4": None,
    }
    assert same["function"] | {"subnets": same["subnets"]} == {
        "runtime": "python3.13",
        "handler": "handler.handler",
        "memory_size": 256,
        "kms_key_arn": KEYS["lambda_kms_key_arn"],
        "tracing_config": [{"mode": "Active"}],
        "function_name": "<function>",
        "subnets": SUBNETS,
    }
    assert same["guardrails"] == sorted(["<function>", arn] for arn in GUARDRAILS)


def test_the_callers_tags_reach_every_resource_that_takes_tags_beside_the_default_tags(plans):
    expected = {
        "enforcer": {
            "aws_sns_topic", "aws_sqs_queue", "aws_kms_key", "aws_cloudwatch_event_rule",
            "aws_cloudwatch_metric_alarm", "aws_cloudwatch_log_group", "aws_security_group",
            "aws_vpc_security_group_egress_rule", "aws_iam_role", "aws_lambda_function",
        },
        "invoker": {
            "aws_cloudwatch_log_group", "aws_security_group", "aws_vpc_security_group_egress_rule",
            "aws_iam_role", "aws_lambda_function",
        },
    }  # fmt: skip
    for module, plan in plans.items():
        taggable = [r for r in plan.managed() if "tags" in r["values"]]
        # Every resource that takes tags carries the caller's (the security group its Name too)
        for resource in taggable:
            assert TAGS.items() <= (resource["values"]["tags"] or {}).items(), resource["address"]
            if "tags_all" in resource["values"]:
                assert (TAGS | DEFAULT_TAGS).items() <= resource["values"]["tags_all"].items(), resource["address"]
        assert {r["type"] for r in taggable} == expected[module]
        group = plan.values(f"{MODULE}.aws_security_group.this")
        assert group["tags"] == TAGS | {"Name": FUNCTION_NAMES[module]}


# --- The moved blocks --------------------------------------------------------------------------------


def _moved_blocks(module: str) -> dict[str, str]:
    text = (REPO / "modules" / module / "main.tf").read_text()
    parsed = hcl2.loads(text, serialization_options=SerializationOptions(strip_string_quotes=True))
    bare = lambda ref: ref.removeprefix("${").removesuffix("}")  # noqa: E731  (hcl2 keeps references as ${...})
    return {bare(block["from"]): bare(block["to"]) for block in parsed.get("moved", [])}


@pytest.mark.parametrize("module", sorted(INPUTS))
def test_a_moved_block_takes_every_resource_of_the_scaffolding_from_where_it_was(module, plans):
    # Given the addresses the scaffolding had in the module before modules/_lambda_in_vpc
    moved = _moved_blocks(module)
    assert moved == MOVES
    # Then every resource the module now plans under module.function comes from one of them
    planned = {r["address"].split("[", 1)[0] for r in plans[module].managed() if r["address"].startswith(MODULE)}
    assert planned == set(MOVES.values())


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run([terraform_cli(), *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"terraform {' '.join(args[:2])}: {proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


NETWORK_ON_THE_EMULATOR = """
resource "aws_vpc" "this" {
  cidr_block = "10.42.0.0/16"
}

resource "aws_subnet" "this" {
  vpc_id     = aws_vpc.this.id
  cidr_block = "10.42.1.0/24"
}

resource "aws_security_group" "endpoints" {
  name   = "smenv-moved-invoker-endpoints"
  vpc_id = aws_vpc.this.id
}

resource "aws_kms_key" "this" {
  description = "smenv-moved-invoker"
}

resource "aws_iam_policy" "guardrails" {
  name   = "smenv-moved-invoker-guardrails"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "sagemaker:CreateApp", Resource = "*" }] })
}
"""


def test_an_existing_deployments_state_moves_into_the_module_with_nothing_replaced(
    packages, emulator, emulator_env, tmp_path_factory
):
    # Given the invoker applied on the emulator (its function and what the function depends on), and
    # its state moved back to the addresses the scaffolding had before modules/_lambda_in_vpc (the
    # invoker's: the enforcer has the same moved blocks, checked above, and its apply costs minutes)
    work = tmp_path_factory.mktemp("moved-invoker")
    for name in ("invoker", "_lambda_in_vpc"):
        shutil.copytree(REPO / "modules" / name, work / name, ignore=shutil.ignore_patterns(".terraform*"))
    root = work / "root"
    root.mkdir()
    endpoints = "\n".join(f'    {service} = "{emulator.url}"' for service in emulator_services())
    (root / "provider.tf").write_text(PROVIDER.format(endpoints=endpoints))
    (root / "network.tf").write_text(NETWORK_ON_THE_EMULATOR)
    invoker = {
        "source": "../invoker",
        "name_prefix": "smenv-moved",
        "endpoint_name": "smenv-moved-churn",
        "endpoint_arn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/smenv-moved-churn",
        "package_path": packages["invoker"],
        "vpc_id": "${aws_vpc.this.id}",
        "endpoint_security_group_id": "${aws_security_group.endpoints.id}",
        "subnet_ids": ["${aws_subnet.this.id}"],
        "lambda_kms_key_arn": "${aws_kms_key.this.arn}",
        "logs_kms_key_arn": "${aws_kms_key.this.arn}",
        "guardrail_policy_arns": ["${aws_iam_policy.guardrails.arn}"],
    }
    (root / "main.tf.json").write_text(json.dumps({"module": {"m": invoker}}))
    _run(["init", "-input=false", "-no-color"], root, emulator_env)
    try:
        _run(["apply", "-auto-approve", "-input=false", "-no-color", "-target=module.m.module.function"], root, emulator_env)  # fmt: skip
        state = json.loads(_run(["state", "pull"], root, emulator_env))
        for resource in state["resources"]:
            address = f"{resource.get('module', '')}.{resource['type']}.{resource['name']}".removeprefix("module.m.")
            if resource["mode"] == "managed" and address in MOVES.values():
                old = next(old for old, new in MOVES.items() if new == address)
                resource["module"], resource["name"] = "module.m", old.split(".")[1]
        state["serial"] += 1
        (root / "before.tfstate").write_text(json.dumps(state))
        _run(["state", "push", "before.tfstate"], root, emulator_env)
        in_state = _run(["state", "list"], root, emulator_env).split()
        assert {a.split("[", 1)[0].removeprefix("module.m.") for a in in_state} >= set(MOVES)
        assert not [a for a in in_state if a.startswith("module.m.module.function.aws_")]

        # When the module is planned on that state
        # (targeting the function's module, and the old addresses: Terraform moves only targeted instances)
        targets = [f"-target=module.m.{address}" for address in ("module.function", *MOVES)]
        _run(["plan", "-input=false", "-no-color", *targets, "-out=moved.tfplan"], root, emulator_env)
        plan = json.loads(_run(["show", "-json", "moved.tfplan"], root, emulator_env))

        # Then each resource moves from its old address and is neither created, destroyed nor changed
        old_address = {new: old for old, new in MOVES.items()}
        changes = {
            c["address"]: c
            for c in plan["resource_changes"]
            if c["mode"] == "managed" and c["address"].startswith("module.m.module.function.")
        }
        assert {a.split("[", 1)[0].removeprefix("module.m.") for a in changes} == set(MOVES.values())
        for address, change in changes.items():
            unindexed = address.split("[", 1)[0]
            index = address[len(unindexed) :]
            assert (
                change.get("previous_address") == f"module.m.{old_address[unindexed.removeprefix('module.m.')]}{index}"
            )
            assert change["change"]["actions"] == ["no-op"], (address, change["change"]["actions"])
        assert {c["change"]["actions"][0] for c in plan["resource_changes"]} <= {"no-op", "read"}
    finally:
        subprocess.run(
            [terraform_cli(), "destroy", "-auto-approve", "-input=false", "-no-color"],
            cwd=root,
            env=emulator_env,
            capture_output=True,
            check=False,
        )
