"""The access matrix's own machinery, on a small made-up environment (no plan, no emulator).

A plan here is the few fields of `terraform show -json` the inventory reads; the evaluator is the
real one (@cloud-copilot/iam-simulate, through tools/iam_simulate.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from smenv.checks import iam_simulate
from smenv.checks.accessmatrix import flows as flowlib
from smenv.checks.accessmatrix.inventory import InventoryError, collect
from smenv.checks.accessmatrix.matrix import case_for, evaluate
from smenv_testing import REPO

ACCOUNT, REGION = "111111111111", "eu-west-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-dev-fraud-sagemaker"
BUCKET = "smenv-dev-data-fraud"
VPCE = "vpce-00000000000000000"


def resource(address: str, type_: str, values: dict) -> dict:
    return {"address": address, "mode": "managed", "type": type_, "name": address.split(".")[1], "values": values}


def plan(resources: list[dict], variables: dict | None = None, unknown: dict | None = None) -> dict:
    return {
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": [
            {"address": r["address"], "change": {"after_unknown": (unknown or {}).get(r["address"], {})}}
            for r in resources
        ],
        "configuration": {
            "root_module": {
                "resources": [{"address": r["address"], "expressions": {k: {} for k in r["values"]}} for r in resources]
            }
        },
        "variables": {k: {"value": v} for k, v in (variables or {}).items()},
    }


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


TRUST = document({"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"})
OWN_OBJECTS = document(
    {
        "Sid": "OwnObjects",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
)
OUTSIDE_VPCE = {
    "Sid": "DenyOutsideTheVpcEndpoint", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
    "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}, "Bool": {"aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"}},
}  # fmt: skip


def environment(bucket_statements: list[dict]) -> dict[str, dict]:
    notebook = plan(
        [
            resource('aws_iam_role.team["fraud"]', "aws_iam_role", {"name": "smenv-dev-fraud-sagemaker", "assume_role_policy": TRUST}),
            resource('aws_iam_role_policy.team["fraud"]', "aws_iam_role_policy", {"role": "smenv-dev-fraud-sagemaker", "name": "team-fraud", "policy": OWN_OBJECTS}),
        ],
        variables={"kms_key_arns": {}},
    )  # fmt: skip
    buckets = plan(
        [resource('aws_s3_bucket_policy.team["data-fraud"]', "aws_s3_bucket_policy", {"bucket": BUCKET, "policy": document(*bucket_statements)})],
        variables={"s3_vpc_endpoint_id": VPCE},
    )  # fmt: skip
    network = plan(
        [
            resource(
                "aws_vpc_endpoint.s3",
                "aws_vpc_endpoint",
                {"service_name": f"com.amazonaws.{REGION}.s3", "vpc_endpoint_type": "Gateway"},
            )
        ]
    )
    return {"notebook": notebook, "buckets": buckets, "network": network}


CATALOGUE = """
must_allow:
  - id: a team reads its data through the endpoint
    principal: "{role}"
    action: s3:GetObject
    resource: "arn:aws:s3:::{bucket}/x.csv"
    via: s3
    note: through the gateway endpoint.
must_deny:
  - id: a team reads its data from a laptop
    principal: "{role}"
    action: s3:GetObject
    resource: "arn:aws:s3:::{bucket}/x.csv"
    note: no aws:SourceVpce.
"""
VALUES = {"role": ROLE, "bucket": BUCKET}


def run(tmp_path: Path, plans: dict, catalogue: str = CATALOGUE):
    path = tmp_path / "flows.yaml"
    path.write_text(catalogue)
    inventory = collect(ACCOUNT, REGION, plans)
    return evaluate("dev", inventory, flowlib.load(path), VALUES, {}, catalogue=path)


def test_a_bucket_that_denies_outside_the_endpoint_passes_both_flows(tmp_path):
    result = run(tmp_path, environment([OUTSIDE_VPCE]))
    assert result.lines()[-1] == "access matrix dev: 2 flows, 0 wrong"


def test_a_bucket_without_its_deny_is_one_wrong_flow_naming_what_decided(tmp_path):
    # Given the bucket policy lost its VPC-endpoint deny
    result = run(
        tmp_path,
        environment(
            [
                {
                    "Sid": "Nothing",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteBucket",
                    "Resource": f"arn:aws:s3:::{BUCKET}",
                }
            ]
        ),
    )
    # Then the laptop read is the one wrong flow, on one line with what allowed it
    lines = result.lines()
    assert lines[-1] == "access matrix dev: 2 flows, 1 wrong"
    assert lines[0].startswith(
        f"WRONG a team reads its data from a laptop: {ROLE} s3:GetObject arn:aws:s3:::{BUCKET}/x.csv: expected deny, got Allowed"
    )
    assert "identity smenv-dev-fraud-sagemaker/team-fraud #OwnObjects" in lines[0]


def test_every_authenticated_request_carries_the_global_keys_aws_always_sets(tmp_path):
    inventory = collect(ACCOUNT, REGION, environment([OUTSIDE_VPCE]))
    request = flowlib.Request("x", "deny", ROLE, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/x")
    context = case_for(request, inventory).request.context
    assert context["aws:PrincipalIsAWSService"] == "false" and context["aws:ViaAWSService"] == "false"
    assert (context["aws:PrincipalArn"], context["aws:PrincipalAccount"]) == (ROLE, ACCOUNT)
    assert context["aws:SecureTransport"] == "true"
    assert "aws:SourceVpce" not in context


def test_a_policy_known_only_after_apply_is_refused_by_name():
    plans = environment([OUTSIDE_VPCE])
    plans["notebook"]["resource_changes"][1]["change"]["after_unknown"] = {"policy": True}
    inventory = collect(ACCOUNT, REGION, plans)
    assert inventory.unknown == ['notebook: aws_iam_role_policy.team["fraud"].policy']


def test_an_attachment_of_a_policy_no_unit_writes_is_refused():
    plans = environment([OUTSIDE_VPCE])
    plans["notebook"]["planned_values"]["root_module"]["resources"].append(
        resource("aws_iam_role_policy_attachment.x", "aws_iam_role_policy_attachment", {"role": "smenv-dev-fraud-sagemaker", "policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/ghost"})
    )  # fmt: skip
    plans["notebook"]["resource_changes"].append(
        {"address": "aws_iam_role_policy_attachment.x", "change": {"after_unknown": {}}}
    )
    inventory = collect(ACCOUNT, REGION, plans)
    with pytest.raises(InventoryError, match="ghost, which no unit of the environment writes"):
        inventory.identity_policies(ROLE)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "  - {id: x, principal: p, action: s3:GetObject, note: n, colour: red}",
            "must_allow[0] (id 'x'): unknown field 'colour'",
        ),
        ("  - {id: x, principal: p, action: s3:GetObject}", "must_allow[0] (id 'x'): missing field 'note'"),
        (
            "  - {id: x, principal: p, action: GetObject, note: n}",
            "must_allow[0] (id 'x'): 'GetObject' is not an IAM action",
        ),
        (
            "  - {id: x, principal: p, action: s3:GetObject, note: n, for_each: planet}",
            "must_allow[0] (id 'x'): unknown for_each 'planet'",
        ),
        (
            "  - {id: x, principal: p, action: s3:GetObject, note: n, assume: [luck]}",
            "must_allow[0] (id 'x'): unknown assumption 'luck'",
        ),
    ],
)
def test_a_malformed_catalogue_entry_is_refused_in_one_line_naming_the_file_and_entry(tmp_path, entry, message):
    path = tmp_path / "flows.yaml"
    path.write_text(f"must_allow:\n{entry}\n")
    with pytest.raises(flowlib.FlowError) as caught:
        flowlib.load(path)
    assert str(caught.value) == f"{path}: {message}" or str(caught.value).startswith(f"{path}: {message}")
    assert "\n" not in str(caught.value)


def test_a_placeholder_the_environment_cannot_fill_names_the_entry(tmp_path):
    catalogue = CATALOGUE.replace('{bucket}/x.csv"\n    via', '{nowhere}/x.csv"\n    via', 1)
    with pytest.raises(
        flowlib.FlowError,
        match=r"must_allow\[0\] \(id 'a team reads its data through the endpoint'\): the environment has no value for \{nowhere\}",
    ):
        run(tmp_path, environment([OUTSIDE_VPCE]), catalogue)


def test_the_command_refuses_a_bad_catalogue_in_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "flows.yaml"
    bad.write_text("must_allow:\n  - {id: x, principal: p, action: s3:GetObject, note: n, colour: red}\n")
    proc = subprocess.run(
        [sys.executable, "tools/access_matrix.py", "--env", "dev", "--plans", str(tmp_path), "--catalogue", str(bad)],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"access_matrix: error: {bad}: must_allow[0] (id 'x'): unknown field 'colour' (known: {', '.join(sorted(flowlib.FIELDS))})"
    ]


def test_the_catalogue_has_both_groups_and_every_flow_says_what_it_models():
    flows = flowlib.load(REPO / "access" / "flows.yaml")
    groups = {f.group for f in flows}
    assert groups == {"must_allow", "must_deny"}
    assert all(len(str(f.raw["note"]).split()) >= 3 for f in flows)


def test_a_flow_over_several_actions_names_each_actions_own_resource_type(tmp_path):
    # Given one flow over three SageMaker creates, its resource written with {kind}
    path = tmp_path / "flows.yaml"
    path.write_text(
        """
must_allow:
  - id: a team creates its work
    principal: "{role}"
    action: [sagemaker:CreateTrainingJob, sagemaker:CreateHyperParameterTuningJob, sagemaker:CreateModel]
    resource: "arn:aws:sagemaker:eu-west-1:111111111111:{kind}/smenv-dev-fraud-run-1"
    note: one resource type per action.
must_deny: []
"""
    )
    # When it is expanded
    requests = flowlib.expand(flowlib.load(path), VALUES, {}, path)
    # Then each request names a resource of its own action's type
    assert [r.resource.split(":")[-1] for r in requests] == [
        "training-job/smenv-dev-fraud-run-1",
        "hyper-parameter-tuning-job/smenv-dev-fraud-run-1",
        "model/smenv-dev-fraud-run-1",
    ]


def test_a_person_whose_boundary_is_an_environment_policy_is_capped_by_it(tmp_path):
    # Given an environment that writes a boundary denying s3:GetObject, and a person who allows everything
    plans = environment([OUTSIDE_VPCE])
    boundary = document(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "NoReads", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"},
    )
    arn = f"arn:aws:iam::{ACCOUNT}:policy/smenv-dev-boundary"
    plans["guardrails"] = plan(
        [resource("aws_iam_policy.boundary", "aws_iam_policy", {"name": "smenv-dev-boundary", "policy": boundary})]
    )
    inventory = collect(ACCOUNT, REGION, plans)
    person = f"arn:aws:iam::{ACCOUNT}:role/data-scientist"
    request = flowlib.Request(
        "read", "deny", person, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/x", assume=("caller_allows",), boundary=arn
    )
    # When the matrix builds the case, the person's own policies assumed to allow it
    case = case_for(request, inventory)
    # Then the environment's boundary caps the person, and the evaluator denies the read
    assert [b.document for b in case.boundaries] == [json.loads(boundary)]
    assert iam_simulate.evaluate([case])[0].denied


def test_a_deny_only_scp_of_the_environment_denies_its_requests_and_leaves_the_rest_allowed(tmp_path):
    # Given an environment that writes a deny-only SCP (Organizations keeps FullAWSAccess beside it)
    plans = environment([OUTSIDE_VPCE])
    scp = document({"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})
    plans["guardrails"] = plan(
        [resource("aws_organizations_policy.guardrails", "aws_organizations_policy", {"name": "g", "content": scp})]
    )
    inventory = collect(ACCOUNT, REGION, plans)
    read = flowlib.Request("read", "allow", ROLE, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/x", via="s3")
    delete = flowlib.Request("delete", "deny", ROLE, "s3:DeleteObject", f"arn:aws:s3:::{BUCKET}/x", via="s3")
    # When the matrix evaluates a read the team's role allows, and a delete the SCP denies
    outcomes = iam_simulate.evaluate([case_for(read, inventory), case_for(delete, inventory)])
    # Then the read passes and the delete is denied
    assert [o.result for o in outcomes] == [iam_simulate.ALLOWED, iam_simulate.EXPLICITLY_DENIED]
