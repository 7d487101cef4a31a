"""modules/network: a private VPC a reviewer can sign off from its plan."""

from __future__ import annotations

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
    egress = {r["name"]: r["values"] for r in plan.managed("aws_vpc_security_group_egress_rule")}
    assert sorted(egress) == ["sagemaker_endpoints", "sagemaker_s3", "sagemaker_self"]
    assert all(rule.get("cidr_ipv4") is None and rule.get("cidr_ipv6") is None for rule in egress.values())
    assert egress["sagemaker_endpoints"]["from_port"] == egress["sagemaker_s3"]["from_port"] == 443
    # The references to the groups and the S3 prefix list are only known after apply: read the configuration.
    assert plan.config_expression("aws_vpc_security_group_egress_rule.sagemaker_s3", "prefix_list_id") == {
        "references": ["aws_vpc_endpoint.s3.prefix_list_id", "aws_vpc_endpoint.s3"]
    }
    ingress = plan.config_expression(
        "aws_vpc_security_group_ingress_rule.sagemaker_self", "referenced_security_group_id"
    )
    assert ingress["references"][0] == "aws_security_group.sagemaker.id"


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
    message = network.plan_error(**INPUTS | {"vpc_cidr": "10.20.300.0/16", "azs": ["us-east-1a"]})
    assert "var.vpc_cidr must be a valid IPv4 CIDR block" in message
    assert "var.azs must list at least two different availability zones" in message
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


def test_bad_perimeter_inputs_fail_at_plan_naming_the_variable(network):
    message = network.plan_error(
        **INPUTS, organization_id="org-123", dns_firewall={"mode": "allow", "extra_domains": ["http://x"]}
    )
    assert "var.organization_id must be an AWS Organizations id" in message
    assert "var.dns_firewall.mode must be block or alert" in message
    assert "var.dns_firewall.extra_domains must hold domain names" in message
