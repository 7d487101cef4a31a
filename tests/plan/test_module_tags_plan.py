"""A caller's tags (var.tags) on everything a module plans that takes tags, on top of the default tags.

Three modules stand for the rest (tests/unit/test_module_tags.py reads every module's code): kms
(one kind of resource), buckets (buckets beside their many untaggable settings) and network (tags
merged under the module's own Name and Purpose, the security group rules, NAT and DNS Firewall).
"""

from __future__ import annotations

import pytest

ACCOUNT = "123456789012"  # the emulator's account
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
CALLER_TAGS = {"CostCentre": "x"}
DEFAULT_TAGS = {"project": "smenv", "environment": "test", "managed-by": "terraform"}  # src/smenv/live/module_plan.py
INPUTS = {
    "kms": {"name_prefix": "smenv-test"},
    "buckets": {
        "name_prefix": "smenv-test",
        "teams": ["fraud", "pricing"],
        "data_kms_key_arn": KEY,
        "models_kms_key_arn": KEY,
        "s3_vpc_endpoint_id": "vpce-0123456789abcdef0",
        "vpc_endpoint_exempt_principal_arns": [f"arn:aws:iam::{ACCOUNT}:role/smenv-terraform"],
    },
    "network": {
        "name_prefix": "smenv-test",
        "vpc_cidr": "10.20.0.0/16",
        "azs": ["us-east-1a", "us-east-1b"],
        "flow_logs_kms_key_arn": KEY,
        "teams": ["fraud"],
        "enable_nat_gateway": True,
    },
}


@pytest.fixture(scope="module")
def tagged_plan(planner_for):
    """tagged_plan(module) -> the module's plan with tags = CALLER_TAGS (plus Name, for network), planned once."""
    made = {}

    def get(module):
        if module not in made:
            # network: a caller's Name too, which the module's own Name must override where it sets one
            extra = {"Name": "from-the-caller"} if module == "network" else {}
            made[module] = planner_for(module).plan(**INPUTS[module], tags=CALLER_TAGS | extra)
        return made[module]

    return get


def taggable(plan):
    """The planned managed resources whose type takes tags (a `tags` attribute in the plan)."""
    return [r for r in plan.managed() if "tags" in r["values"]]


@pytest.mark.parametrize("module", sorted(INPUTS))
def test_every_planned_resource_that_takes_tags_carries_the_callers(module, tagged_plan):
    # Given the module planned with tags = {CostCentre = "x"}
    plan = tagged_plan(module)
    resources = taggable(plan)
    assert resources, f"modules/{module} planned nothing that takes tags"
    # Then every resource that takes tags carries it
    missing = [r["address"] for r in resources if (r["values"]["tags"] or {}).get("CostCentre") != "x"]
    assert not missing, f"without CostCentre = x: {missing}"
    # And, where the plan knows them, its tags_all hold it beside the provider's default tags
    for r in resources:
        tags_all = r["values"].get("tags_all")
        if tags_all is not None:
            assert tags_all.items() >= (CALLER_TAGS | DEFAULT_TAGS).items(), r["address"]


def test_the_modules_own_keys_win_over_the_callers(tagged_plan):
    # Given network planned with a caller's Name beside CostCentre
    plan = tagged_plan("network")
    # Then what the module names keeps the module's Name and gets the caller's other tags
    assert plan.values("aws_vpc.this")["tags"] == {"CostCentre": "x", "Name": "smenv-test-vpc"}
    team_group = plan.values('aws_security_group.sagemaker["team-fraud"]')["tags"]
    assert team_group["Name"] == "smenv-test-fraud-sagemaker"
    assert team_group["Purpose"] == "SageMaker notebooks and jobs of team fraud"
    assert plan.values("aws_nat_gateway.this[0]")["tags"]["Name"] == "smenv-test-nat"
    # And what it does not name carries the caller's Name
    assert plan.values("aws_iam_role.flow_logs")["tags"] == {"CostCentre": "x", "Name": "from-the-caller"}
