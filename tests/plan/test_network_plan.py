"""modules/network: a private VPC a reviewer can sign off from its plan."""

from __future__ import annotations

import json
import uuid

import pytest

KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
INPUTS = {
    "name_prefix": "smenv-test",
    "vpc_cidr": "10.20.0.0/16",
    "azs": ["us-east-1a", "us-east-1b"],
    "flow_logs_kms_key_arn": KEY,
}
DEFAULT_ENDPOINTS = [
    "sagemaker.api", "sagemaker.runtime", "notebook", "sts", "logs", "monitoring",
    "kms", "ssm", "ecr.api", "ecr.dkr", "events", "sns",
]  # fmt: skip


@pytest.fixture(scope="module")
def network(planner_for):
    return planner_for("network")


@pytest.fixture(scope="module")
def plan(network):
    return network.plan(**INPUTS)


def test_private_subnets_one_per_az_and_no_way_out(plan):
    subnets = {r["index"]: r["values"] for r in plan.managed("aws_subnet")}
    assert sorted(subnets) == ["us-east-1a", "us-east-1b"]
    assert {s["cidr_block"] for s in subnets.values()} == {"10.20.0.0/20", "10.20.16.0/20"}
    assert not any(s["map_public_ip_on_launch"] for s in subnets.values())
    # no internet gateway, no NAT, no route to 0.0.0.0/0
    for absent in ("aws_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_route"):
        assert plan.managed(absent) == [], absent
    assert plan.values("aws_route_table.private").get("route") in ([], None)


def test_the_default_security_group_is_stripped_of_every_rule(plan):
    default = plan.values("aws_default_security_group.this")
    assert default.get("ingress") in ([], None)
    assert default.get("egress") in ([], None)


def test_interface_endpoints_have_private_dns_for_every_service_sagemaker_needs(plan):
    endpoints = {r["index"]: r["values"] for r in plan.managed("aws_vpc_endpoint") if r["name"] == "interface"}
    assert sorted(endpoints) == sorted(DEFAULT_ENDPOINTS)
    assert endpoints["notebook"]["service_name"] == "aws.sagemaker.us-east-1.notebook"
    assert endpoints["sagemaker.api"]["service_name"] == "com.amazonaws.us-east-1.sagemaker.api"
    for endpoint in endpoints.values():
        assert endpoint["vpc_endpoint_type"] == "Interface"
        assert endpoint["private_dns_enabled"] is True


def test_studio_endpoints_add_the_studio_feature_store_and_metrics_services_and_their_names(network):
    # Given the network of an environment that runs Studio in VpcOnly mode
    plan = network.plan(**INPUTS, studio_endpoints=True)
    # Then the Studio service and the two SageMaker runtimes Studio users reach get endpoints
    endpoints = {r["index"]: r["values"] for r in plan.managed("aws_vpc_endpoint") if r["name"] == "interface"}
    assert sorted(endpoints) == sorted(
        [*DEFAULT_ENDPOINTS, "studio", "sagemaker.featurestore-runtime", "sagemaker.metrics"]
    )
    assert endpoints["studio"]["service_name"] == "aws.sagemaker.us-east-1.studio"
    assert endpoints["sagemaker.metrics"]["service_name"] == "com.amazonaws.us-east-1.sagemaker.metrics"
    # And the DNS Firewall answers their names (and still nothing else)
    allowed = set(plan.output("dns_firewall_allowed_domains"))
    assert {"studio.us-east-1.sagemaker.aws", "*.studio.us-east-1.sagemaker.aws"} <= allowed
    # And the names of the domains' home file systems, which Studio mounts by name
    assert "*.efs.us-east-1.amazonaws.com" in allowed
    assert {
        "featurestore-runtime.sagemaker.us-east-1.amazonaws.com",
        "metrics.sagemaker.us-east-1.amazonaws.com",
    } <= allowed


def test_the_endpoint_security_group_allows_https_from_the_vpc_only(plan):
    rules = plan.managed("aws_vpc_security_group_ingress_rule")
    endpoint_rules = [r["values"] for r in rules if r["name"] == "endpoints_https"]
    assert len(endpoint_rules) == 1
    rule = endpoint_rules[0]
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"], rule["cidr_ipv4"]) == (
        "tcp",
        443,
        443,
        "10.20.0.0/16",
    )
    assert plan.managed("aws_vpc_security_group_egress_rule") and not any(
        r["name"].startswith("endpoints") for r in plan.managed("aws_vpc_security_group_egress_rule")
    )


def test_sagemaker_traffic_stays_between_its_containers_the_endpoints_and_s3(plan):
    # Given no teams, when planned, then the shared group alone, with its four rules
    egress = {(r["name"], r["index"]): r["values"] for r in plan.managed("aws_vpc_security_group_egress_rule")}
    assert sorted(egress) == [("sagemaker_endpoints", "platform"), ("sagemaker_s3", "platform"), ("sagemaker_self", "platform")]  # fmt: skip
    assert all(rule.get("cidr_ipv4") is None and rule.get("cidr_ipv6") is None for rule in egress.values())
    assert (
        egress["sagemaker_endpoints", "platform"]["from_port"] == egress["sagemaker_s3", "platform"]["from_port"] == 443
    )
    # The references to the groups and the S3 prefix list are only known after apply: read the configuration.
    assert plan.config_expression("aws_vpc_security_group_egress_rule.sagemaker_s3", "prefix_list_id") == {
        "references": ["aws_vpc_endpoint.s3.prefix_list_id", "aws_vpc_endpoint.s3"]
    }
    assert references_of(plan, "aws_vpc_security_group_ingress_rule.sagemaker_self") == {
        "for_each": ["aws_security_group.sagemaker"],
        "security_group_id": ["each.value.id", "each.value"],
        "referenced_security_group_id": ["each.value.id", "each.value"],
    }
    assert plan.values('aws_security_group.sagemaker["platform"]')["name"] == "smenv-test-sagemaker"
    assert plan.output("team_security_group_ids") == {}


# --- One security group per team -------------------------------------------------------------------

TEAMS = ["fraud", "pricing"]
GROUPS = ["platform", "team-fraud", "team-pricing"]


@pytest.fixture(scope="module")
def team_plan(network):
    return network.plan(**INPUTS, teams=TEAMS)


def references_of(plan, address: str) -> dict[str, list[str]]:
    """What a resource's for_each and its group attributes refer to, as written in the configuration."""
    module = plan.raw["configuration"]["root_module"]
    resource = next(r for r in module["resources"] if r["address"] == address)
    found = {"for_each": resource["for_each_expression"]["references"]}
    for attribute in ("security_group_id", "referenced_security_group_id", "prefix_list_id"):
        if attribute in resource["expressions"]:
            found[attribute] = resource["expressions"][attribute].get("references")
    return found


def test_each_team_gets_a_security_group_of_its_own_beside_the_platforms(team_plan):
    # Given two teams, when planned
    groups = {r["index"]: r["values"] for r in team_plan.managed("aws_security_group") if r["name"] == "sagemaker"}
    # Then one group per team, named for it, and the shared one the platform's models run in
    assert sorted(groups) == GROUPS
    assert groups["team-fraud"]["name"] == groups["team-fraud"]["tags"]["Name"] == "smenv-test-fraud-sagemaker"
    assert groups["team-pricing"]["name"] == "smenv-test-pricing-sagemaker"
    assert groups["platform"]["name"] == "smenv-test-sagemaker"
    assert groups["platform"]["tags"]["Purpose"] == "SageMaker models the platform deploys"
    assert groups["team-fraud"]["tags"]["Purpose"] == "SageMaker notebooks and jobs of team fraud"
    # And the teams' groups are published by team (their ids are known after apply)
    change = team_plan.raw["output_changes"]["team_security_group_ids"]["after_unknown"]
    assert change == {"fraud": True, "pricing": True}


def test_no_group_admits_or_reaches_another_teams_group_or_the_platforms(team_plan):
    # Given two teams, when planned, then every workload group has exactly one ingress rule...
    ingress = [r for r in team_plan.managed("aws_vpc_security_group_ingress_rule") if r["name"] != "endpoints_https"]
    assert sorted((r["name"], r["index"]) for r in ingress) == [("sagemaker_self", g) for g in GROUPS]
    assert all(r["values"]["cidr_ipv4"] is None and r["values"]["prefix_list_id"] is None for r in ingress)
    # ...and one egress rule to a group other than the endpoints', and each names its own group only:
    # one rule per group (for_each over the groups), from the group it belongs to (each.value). No
    # rule names a team's group, the shared one or a CIDR, so no team reaches another's notebooks or jobs.
    for address in (
        "aws_vpc_security_group_ingress_rule.sagemaker_self",
        "aws_vpc_security_group_egress_rule.sagemaker_self",
    ):
        assert references_of(team_plan, address) == {
            "for_each": ["aws_security_group.sagemaker"],
            "security_group_id": ["each.value.id", "each.value"],
            "referenced_security_group_id": ["each.value.id", "each.value"],
        }, address
    for rule in team_plan.managed("aws_vpc_security_group_egress_rule"):
        assert rule["name"] in ("sagemaker_self", "sagemaker_endpoints", "sagemaker_s3"), rule["address"]


def test_every_workload_group_reaches_the_interface_endpoints_and_s3_on_443(team_plan):
    # Given two teams, when planned
    egress = {(r["name"], r["index"]): r["values"] for r in team_plan.managed("aws_vpc_security_group_egress_rule")}
    # Then every group, the teams' and the platform's, may reach the endpoints and S3 over HTTPS
    for group in GROUPS:
        for name in ("sagemaker_endpoints", "sagemaker_s3"):
            rule = egress[name, group]
            assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 443, 443), (name, group)
            assert rule["cidr_ipv4"] is None and rule["cidr_ipv6"] is None, (name, group)
    assert references_of(team_plan, "aws_vpc_security_group_egress_rule.sagemaker_endpoints") == {
        "for_each": ["aws_security_group.sagemaker"],
        "security_group_id": ["each.value.id", "each.value"],
        "referenced_security_group_id": ["aws_security_group.endpoints.id", "aws_security_group.endpoints"],
    }
    assert references_of(team_plan, "aws_vpc_security_group_egress_rule.sagemaker_s3") == {
        "for_each": ["aws_security_group.sagemaker"],
        "security_group_id": ["each.value.id", "each.value"],
        "prefix_list_id": ["aws_vpc_endpoint.s3.prefix_list_id", "aws_vpc_endpoint.s3"],
    }
    # And the endpoints let them in: HTTPS from the whole VPC, whatever group the caller is in
    endpoints = team_plan.values("aws_vpc_security_group_ingress_rule.endpoints_https")
    assert (endpoints["from_port"], endpoints["to_port"], endpoints["cidr_ipv4"]) == (443, 443, "10.20.0.0/16")
    assert references_of(team_plan, "aws_vpc_endpoint.interface") == {"for_each": ["local.endpoint_service_names"]}
    assert team_plan.config_expression("aws_vpc_endpoint.interface", "security_group_ids")["references"][0] == (
        "aws_security_group.endpoints.id"
    )


def test_the_shared_group_and_its_rules_move_to_the_platforms_key_rather_than_being_replaced(network, tmp_path):
    # Given the state of an environment from before there was one group per team
    provider = 'provider["registry.terraform.io/hashicorp/aws"]'
    group, vpc = "sg-0123456789abcdef0", "vpc-0123456789abcdef0"
    endpoints, prefix_list = "sg-0fedcba9876543210", "pl-63a5400a"

    def rule(name: str, protocol: str, port: int | None, **to: str) -> dict:
        return {
            "id": f"sgr-{name}", "arn": f"arn:aws:ec2:us-east-1:123456789012:security-group-rule/sgr-{name}",
            "security_group_id": group, "security_group_rule_id": f"sgr-{name}", "ip_protocol": protocol,
            "from_port": port, "to_port": port, "description": None, "cidr_ipv4": None, "cidr_ipv6": None,
            "prefix_list_id": None, "referenced_security_group_id": None, "tags": None, "tags_all": {},
        } | to  # fmt: skip

    # What the rules refer to, as they stand (their ids are known: nothing forces the rules anew)
    around = [
        ("aws_vpc", "this", {
            "id": vpc, "cidr_block": "10.20.0.0/16", "enable_dns_support": True, "enable_dns_hostnames": True,
            "instance_tenancy": "default", "tags": {"Name": "smenv-test-vpc"}, "tags_all": {"Name": "smenv-test-vpc"},
        }),
        ("aws_security_group", "endpoints", {
            "id": endpoints, "name": "smenv-test-endpoints", "name_prefix": "", "vpc_id": vpc,
            "description": "Interface endpoints: HTTPS from inside the VPC only", "ingress": [], "egress": [],
            "revoke_rules_on_delete": False, "tags": {"Name": "smenv-test-endpoints"},
            "tags_all": {"Name": "smenv-test-endpoints"},
        }),
        ("aws_vpc_endpoint", "s3", {
            "id": "vpce-0123456789abcdef0", "vpc_id": vpc, "service_name": "com.amazonaws.us-east-1.s3",
            "vpc_endpoint_type": "Gateway", "prefix_list_id": prefix_list, "route_table_ids": [],
            "tags": {"Name": "smenv-test-s3"}, "tags_all": {"Name": "smenv-test-s3"},
        }),
    ]  # fmt: skip
    old = [
        ("aws_security_group", "sagemaker", {
            "id": group, "arn": f"arn:aws:ec2:us-east-1:123456789012:security-group/{group}",
            "name": "smenv-test-sagemaker", "name_prefix": "", "vpc_id": vpc, "owner_id": "123456789012",
            "description": "SageMaker jobs, notebooks and models: each other, the endpoints and S3 only",
            "ingress": [], "egress": [], "revoke_rules_on_delete": False, "timeouts": None,
            "tags": {"Name": "smenv-test-sagemaker"}, "tags_all": {"Name": "smenv-test-sagemaker"},
        }),
        ("aws_vpc_security_group_ingress_rule", "sagemaker_self", rule("a", "-1", None, referenced_security_group_id=group)),
        ("aws_vpc_security_group_egress_rule", "sagemaker_self", rule("b", "-1", None, referenced_security_group_id=group)),
        ("aws_vpc_security_group_egress_rule", "sagemaker_endpoints", rule("c", "tcp", 443, referenced_security_group_id=endpoints)),
        ("aws_vpc_security_group_egress_rule", "sagemaker_s3", rule("d", "tcp", 443, prefix_list_id=prefix_list)),
    ]  # fmt: skip
    state = {
        "version": 4,
        "terraform_version": "1.6.0",
        "serial": 1,
        "lineage": "00000000-0000-0000-0000-000000000000",
        "outputs": {},
        "resources": [
            {"mode": "managed", "type": type_, "name": name, "provider": provider,
             "instances": [{"schema_version": 1 if type_ == "aws_security_group" else 0, "attributes": attributes}]}
            for type_, name, attributes in around + old
        ],
    }  # fmt: skip
    state_file = tmp_path / "before.tfstate"
    state_file.write_text(json.dumps(state))
    var_file = f"inputs-{uuid.uuid4().hex[:8]}.tfvars.json"
    (network.dir / var_file).write_text(json.dumps(INPUTS | {"teams": TEAMS}))
    # When planned with teams (not refreshed: the ids exist only in this state)
    try:
        raw = network.tf.plan(output=True, refresh=False, state=str(state_file), tf_var_file=var_file)._raw
    finally:
        (network.dir / var_file).unlink()
    changes = {c["address"]: c for c in raw["resource_changes"]}
    # Then each old address is the platform's instance now, kept (tags at most change), and nothing is
    # planned at the old addresses
    for type_, name, _ in old:
        moved = changes[f'{type_}.{name}["platform"]']
        assert moved.get("previous_address") == f"{type_}.{name}", moved["address"]
        assert moved["change"]["actions"] in (["no-op"], ["update"]), moved["address"]
        assert f"{type_}.{name}" not in changes
    platform = changes['aws_security_group.sagemaker["platform"]']["change"]
    assert platform["before"]["id"] == platform["after"]["id"] == group
    # And the teams' groups are new
    assert changes['aws_security_group.sagemaker["team-fraud"]']["change"]["actions"] == ["create"]


def test_the_s3_gateway_endpoint_lets_through_only_this_environments_buckets(plan):
    s3 = plan.values("aws_vpc_endpoint.s3")
    assert s3["vpc_endpoint_type"] == "Gateway"
    policy = plan.policy("aws_vpc_endpoint.s3")
    own = next(s for s in policy["Statement"] if s["Sid"] == "ThisEnvironmentsBuckets")
    assert sorted(own["Resource"]) == ["arn:aws:s3:::smenv-test-*", "arn:aws:s3:::smenv-test-*/*"]
    # Who calls and who owns the bucket: a look-alike <name_prefix>-* bucket of another account is out
    assert own["Condition"] == {
        "StringEquals": {"aws:PrincipalAccount": "123456789012", "aws:ResourceAccount": "123456789012"}
    }
    assert own["Principal"] == "*"
    # Data-plane calls only: no bucket policy, ACL or encryption change passes through the endpoint
    assert "s3:*" not in own["Action"] and not any(
        a.startswith(("s3:PutBucket", "s3:DeleteBucket")) for a in own["Action"]
    )
    assert {"s3:GetObject*", "s3:PutObject*", "s3:ListBucket*"} <= set(own["Action"])
    ecr = next(s for s in policy["Statement"] if s["Sid"] == "EcrImageLayers")
    assert ecr["Action"] == "s3:GetObject"
    assert ecr["Resource"] == "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"
    assert ecr["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}


def test_flow_logs_record_all_traffic_into_an_encrypted_year_long_log_group(plan):
    flow = plan.values("aws_flow_log.this")
    assert flow["traffic_type"] == "ALL"
    assert flow["log_destination_type"] == "cloud-watch-logs"
    group = plan.values("aws_cloudwatch_log_group.flow_logs")
    assert group["kms_key_id"] == KEY
    assert group["retention_in_days"] >= 365
    trust = plan.policy("aws_iam_role.flow_logs", "assume_role_policy")["Statement"][0]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}


def test_nat_is_opt_in_and_adds_exactly_one_way_out(network):
    plan = network.plan(**INPUTS, enable_nat_gateway=True)
    assert len(plan.managed("aws_internet_gateway")) == 1
    assert len(plan.managed("aws_nat_gateway")) == 1
    routes = {r["name"]: r["values"] for r in plan.managed("aws_route")}
    assert routes["private_nat"]["destination_cidr_block"] == "0.0.0.0/0"


def test_bad_network_inputs_fail_at_plan_naming_the_variable_and_the_rule(network):
    # An unparsable CIDR meets both vpc_cidr rules: only the first (that it is not a CIDR) may speak
    message = network.plan_error(**INPUTS | {"vpc_cidr": "10.20.300.0/16"})
    assert "var.vpc_cidr must be a valid IPv4 CIDR block" in message
    assert "Error in function call" not in message, "an unparsable CIDR is one mistake, said once"
    assert "must be a network address" not in message, "an unparsable CIDR is one mistake, said once"
    small = network.plan_error(**INPUTS | {"vpc_cidr": "10.20.0.0/26"})
    assert "var.vpc_cidr is too small for its subnets: /26 plus var.subnet_newbits (4)" in small
    crowded = network.plan_error(**INPUTS | {"subnet_newbits": 1, "azs": ["us-east-1a", "us-east-1b", "us-east-1c"]})
    assert "holds 2 subnets, fewer than the 3 needed" in crowded


def endpoint_policy(plan, service: str) -> dict[str, dict]:
    return {s["Sid"]: s for s in plan.policy(f'aws_vpc_endpoint.interface["{service}"]')["Statement"]}


def test_every_interface_endpoint_admits_this_accounts_principals_on_its_resources_only(plan):
    for service in DEFAULT_ENDPOINTS:
        statements = endpoint_policy(plan, service)
        own = statements["ThisAccountsPrincipalsOnThisAccountsResources"]
        assert own["Condition"] == {
            "StringEquals": {"aws:PrincipalAccount": "123456789012", "aws:ResourceAccount": "123456789012"}
        }, service
        assert statements["AwsServicePrincipals"]["Condition"] == {"Bool": {"aws:PrincipalIsAWSService": "true"}}
        # Each endpoint's policy names its own service's calls only
        prefix = {"notebook": "sagemaker", "monitoring": "cloudwatch"}.get(service, service.split(".")[0])
        assert own["Action"] == f"{prefix}:*", service
        # The one named exception: ECR serving AWS-owned images (the region's SageMaker registries)
        expected = {"ThisAccountsPrincipalsOnThisAccountsResources", "AwsServicePrincipals"}
        if service.startswith("ecr."):
            expected.add("ThisAccountsPrincipalsPullAwsOwnedImages")
            pull = statements["ThisAccountsPrincipalsPullAwsOwnedImages"]
            assert sorted(pull["Resource"]) == [
                f"arn:aws:ecr:us-east-1:{a}:repository/*" for a in ("683313688378", "763104351884")
            ]
            assert not any(
                a.startswith(("ecr:Put", "ecr:Upload", "ecr:Initiate", "ecr:Complete")) for a in pull["Action"]
            )
        assert set(statements) == expected, service


def test_with_an_organization_the_endpoints_admit_its_principals_and_resources(network):
    plan = network.plan(**INPUTS, organization_id="o-abcdefghij")
    own = endpoint_policy(plan, "sts")["ThisAccountsPrincipalsOnThisAccountsResources"]
    assert own["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij", "aws:ResourceOrgID": "o-abcdefghij"}
    }


def test_the_dns_firewall_answers_the_environments_names_and_blocks_the_rest(plan):
    allowed = set(plan.output("dns_firewall_allowed_domains"))
    # Written as DNS Firewall returns them, fully qualified: a second plan finds nothing to change
    assert set(plan.values("aws_route53_resolver_firewall_domain_list.allowed[0]")["domains"]) == {
        f"{d}." for d in allowed
    }
    # Derived from the endpoint list: every interface endpoint's private name, S3, the VPC's own names
    assert {"api.sagemaker.us-east-1.amazonaws.com", "runtime.sagemaker.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com",
            "api.ecr.us-east-1.amazonaws.com", "*.dkr.ecr.us-east-1.amazonaws.com", "*.notebook.us-east-1.sagemaker.aws",
            "s3.us-east-1.amazonaws.com", "*.s3.us-east-1.amazonaws.com", "*.ec2.internal"} <= allowed  # fmt: skip
    assert not any(d in ("*", "*.com", "*.amazonaws.com") for d in allowed), "nothing broader than the services"
    # The VPC's own reverse zone only: any other would reach whoever holds it on the internet
    assert "*.20.10.in-addr.arpa" in allowed
    assert not any(d.endswith("in-addr.arpa") and d != "*.20.10.in-addr.arpa" for d in allowed)
    assert not any(d.endswith("compute.internal") for d in allowed), "us-east-1's names are ec2.internal"
    assert plan.values("aws_route53_resolver_firewall_domain_list.everything[0]")["domains"] == ["*."]
    rules = {r["name"]: r["values"] for r in plan.managed("aws_route53_resolver_firewall_rule")}
    assert (rules["allow"]["action"], rules["allow"]["priority"]) == ("ALLOW", 100)
    assert (rules["everything_else"]["action"], rules["everything_else"]["block_response"]) == ("BLOCK", "NODATA")
    assert rules["everything_else"]["priority"] > rules["allow"]["priority"]
    association = plan.values("aws_route53_resolver_firewall_rule_group_association.this[0]")
    assert association["mutation_protection"] == "ENABLED", "on unless the caller turns it off"
    assert plan.values("aws_route53_resolver_firewall_config.this[0]")["firewall_fail_open"] == "DISABLED"


def test_alert_mode_answers_every_name_and_logs_the_strangers(network):
    plan = network.plan(**INPUTS, dns_firewall={"mode": "alert", "extra_domains": ["pypi.example.org"]})
    rules = {r["name"]: r["values"] for r in plan.managed("aws_route53_resolver_firewall_rule")}
    assert (rules["everything_else"]["action"], rules["everything_else"]["block_response"]) == ("ALERT", None)
    assert "pypi.example.org" in plan.output("dns_firewall_allowed_domains")
