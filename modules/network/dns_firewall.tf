# DNS exfiltration: a notebook or a job can send data out in the names it looks up
# (<chunk>.attacker.example), since the VPC's Amazon-provided resolver forwards any name and neither
# security groups nor flow logs see those queries (VPC User Guide, "DNS attributes" and "Flow log
# limitations"). A Route 53 Resolver DNS Firewall on the VPC answers only the names the environment
# needs: its AWS endpoints' (derived from var.interface_endpoints, var.studio_endpoints and the S3 gateway endpoint) and
# the VPC's own, and blocks (or, in "alert" mode, logs) every other name.

locals {
  # Private DNS names of each interface endpoint's service (PrivateLink: "AWS services that
  # integrate with AWS PrivateLink"); a service a.b answers as b.a.<region>.amazonaws.com.
  endpoint_domains = {
    for s in local.interface_endpoints : s => (
      s == "notebook" ? ["notebook.${local.region}.sagemaker.aws", "*.notebook.${local.region}.sagemaker.aws"] :
      s == "studio" ? ["studio.${local.region}.sagemaker.aws", "*.studio.${local.region}.sagemaker.aws"] :
      s == "ecr.dkr" ? ["dkr.ecr.${local.region}.amazonaws.com", "*.dkr.ecr.${local.region}.amazonaws.com"] :
      ["${join(".", reverse(split(".", s)))}.${local.region}.amazonaws.com"]
    )
  }
  allowed_domains = sort(distinct(concat(
    flatten(values(local.endpoint_domains)),
    # S3 through the gateway endpoint, regional and virtual-hosted names (the ECR layer bucket too).
    ["s3.${local.region}.amazonaws.com", "*.s3.${local.region}.amazonaws.com"],
    # The endpoints' own names (vpce-...<service>.<region>.vpce.amazonaws.com).
    ["*.vpce.amazonaws.com"],
    # Studio's home file systems, mounted by their names (fs-....efs.<region>.amazonaws.com, which
    # answer with the mount targets' addresses in this VPC; EFS User Guide, "Mounting with DNS names").
    var.studio_endpoints ? ["*.efs.${local.region}.amazonaws.com"] : [],
    # The VPC's own names: its instances' host names (ec2.internal in us-east-1,
    # <region>.compute.internal elsewhere) and its own reverse zone only. "*.in-addr.arpa" would
    # let a lookup reach whoever holds any delegated reverse zone on the internet.
    [local.region == "us-east-1" ? "*.ec2.internal" : "*.${local.region}.compute.internal", "*.${local.reverse_zone}"],
    var.dns_firewall.extra_domains,
  )))
  dns_firewall = var.dns_firewall.enabled

  # The VPC CIDR's whole octets, reversed: 10.20.0.0/16 -> 20.10.in-addr.arpa (a /20 widens to its /16).
  cidr_octets  = split(".", cidrhost(var.vpc_cidr, 0))
  reverse_zone = "${join(".", reverse(slice(local.cidr_octets, 0, max(1, floor(tonumber(split("/", var.vpc_cidr)[1]) / 8)))))}.in-addr.arpa"
}

# Domains as fully qualified names (a trailing dot), which is how DNS Firewall stores and returns
# them: written without it, every plan would want to put them back.
resource "aws_route53_resolver_firewall_domain_list" "allowed" {
  count = local.dns_firewall ? 1 : 0

  name    = "${var.name_prefix}-allowed"
  domains = [for d in local.allowed_domains : "${trimsuffix(d, ".")}."]
  tags    = var.tags
}

resource "aws_route53_resolver_firewall_domain_list" "everything" {
  count = local.dns_firewall ? 1 : 0

  name    = "${var.name_prefix}-everything-else"
  domains = ["*."]
  tags    = var.tags
}

resource "aws_route53_resolver_firewall_rule_group" "this" {
  count = local.dns_firewall ? 1 : 0

  name = "${var.name_prefix}-dns-firewall"
  tags = var.tags
}

resource "aws_route53_resolver_firewall_rule" "allow" {
  count = local.dns_firewall ? 1 : 0

  name                    = "allow-the-environments-names"
  action                  = "ALLOW"
  firewall_domain_list_id = aws_route53_resolver_firewall_domain_list.allowed[0].id
  firewall_rule_group_id  = aws_route53_resolver_firewall_rule_group.this[0].id
  priority                = 100
}

resource "aws_route53_resolver_firewall_rule" "everything_else" {
  count = local.dns_firewall ? 1 : 0

  name                    = var.dns_firewall.mode == "block" ? "block-everything-else" : "alert-on-everything-else"
  action                  = upper(var.dns_firewall.mode)
  block_response          = var.dns_firewall.mode == "block" ? "NODATA" : null
  firewall_domain_list_id = aws_route53_resolver_firewall_domain_list.everything[0].id
  firewall_rule_group_id  = aws_route53_resolver_firewall_rule_group.this[0].id
  priority                = 200
}

resource "aws_route53_resolver_firewall_rule_group_association" "this" {
  count = local.dns_firewall ? 1 : 0

  name                   = "${var.name_prefix}-dns-firewall"
  firewall_rule_group_id = aws_route53_resolver_firewall_rule_group.this[0].id
  vpc_id                 = aws_vpc.this.id
  priority               = 101
  # While ENABLED, nobody can remove the firewall from the VPC, a destroy included (the provider
  # does not lift it first): an environment that may be destroyed turns it off (env.hcl's
  # protect_stateful false), one that may not keeps it on.
  mutation_protection = var.dns_firewall.mutation_protection ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

# When the firewall cannot answer (an outage), queries fail closed rather than pass unfiltered.
resource "aws_route53_resolver_firewall_config" "this" {
  count = local.dns_firewall ? 1 : 0

  resource_id        = aws_vpc.this.id
  firewall_fail_open = "DISABLED"
}
