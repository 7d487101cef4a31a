data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Subnet i of the VPC: private subnets first, then (only with NAT) one public subnet.
  private_cidrs = { for i, az in var.azs : az => cidrsubnet(var.vpc_cidr, var.subnet_newbits, i) }
  public_cidr   = cidrsubnet(var.vpc_cidr, var.subnet_newbits, length(var.azs))

  # A data source that reads a resource being created waits for apply: policies name what they
  # grant from these locals instead, so the plan shows every policy whole.
  flow_log_group_name = "/${var.name_prefix}/vpc-flow-logs"

  # var.tags on the security group rules, or none: the provider tells an empty map from none on
  # these (unlike the other resources here), so {} would be a change to every rule made before.
  security_group_rule_tags = length(var.tags) > 0 ? var.tags : null

  # Who the endpoints admit: this account's principals on this account's resources, or the
  # organization's (aws:PrincipalOrgID / aws:ResourceOrgID) where var.organization_id is given.
  perimeter_principal     = var.organization_id == null ? { variable = "aws:PrincipalAccount", values = [local.account_id] } : { variable = "aws:PrincipalOrgID", values = [var.organization_id] }
  perimeter_resource      = var.organization_id == null ? { variable = "aws:ResourceAccount", values = [local.account_id] } : { variable = "aws:ResourceOrgID", values = [var.organization_id] }
  image_registry_accounts = var.image_registry_accounts != null ? var.image_registry_accounts : module.aws_registries.account_ids

  # Studio in VpcOnly mode reaches SageMaker through these as well (SageMaker Developer Guide,
  # "Connect Studio in a VPC to external resources" and "Connect to Studio through an interface VPC
  # endpoint"): the Studio service (aws.sagemaker.<region>.studio), Feature Store's runtime and
  # SageMaker's metrics service (Experiments).
  interface_endpoints = distinct(concat(var.interface_endpoints, var.studio_endpoints ? ["studio", "sagemaker.featurestore-runtime", "sagemaker.metrics"] : []))

  # The IAM service prefix of the calls each interface endpoint carries (its policy names those only).
  endpoint_action_prefix = {
    for s in local.interface_endpoints : s => lookup({
      "sagemaker.api"                  = "sagemaker", "sagemaker.runtime" = "sagemaker", "notebook" = "sagemaker", "studio" = "sagemaker",
      "sagemaker.featurestore-runtime" = "sagemaker", "sagemaker.metrics" = "sagemaker",
      "ecr.api"                        = "ecr", "ecr.dkr" = "ecr", "monitoring" = "cloudwatch",
    }, s, split(".", s)[0])
  }

  endpoint_service_names = {
    for s in local.interface_endpoints : s => (contains(["notebook", "studio"], s) ? "aws.sagemaker.${local.region}.${s}" : "com.amazonaws.${local.region}.${s}")
  }
}

# The region's AWS-owned SageMaker image registries, which the ECR endpoints admit.
module "aws_registries" {
  source = "../_image_registries"
  region = local.region
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true # private DNS of the interface endpoints needs both
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = "${var.name_prefix}-vpc" })

  lifecycle {
    precondition {
      condition     = tonumber(split("/", var.vpc_cidr)[1]) + var.subnet_newbits <= 28
      error_message = "var.vpc_cidr is too small for its subnets: /${split("/", var.vpc_cidr)[1]} plus var.subnet_newbits (${var.subnet_newbits}) is smaller than /28, the smallest subnet AWS allows."
    }
    precondition {
      condition     = pow(2, var.subnet_newbits) >= length(var.azs) + (var.enable_nat_gateway ? 1 : 0)
      error_message = "var.vpc_cidr with var.subnet_newbits = ${var.subnet_newbits} holds ${pow(2, var.subnet_newbits)} subnets, fewer than the ${length(var.azs) + (var.enable_nat_gateway ? 1 : 0)} needed (one per AZ in var.azs, plus one public subnet with NAT)."
    }
  }
}

# The default security group keeps no rules: anything attached to it by mistake talks to nothing.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name_prefix}-default-unused" })
}

resource "aws_subnet" "private" {
  for_each = local.private_cidrs

  vpc_id                  = aws_vpc.this.id
  availability_zone       = each.key
  cidr_block              = each.value
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name_prefix}-private-${each.key}" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name_prefix}-private" })
}

resource "aws_route_table_association" "private" {
  for_each = aws_subnet.private

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}

# --- S3 through a gateway endpoint, to this environment's buckets only -------------------------

data "aws_iam_policy_document" "s3_endpoint" {
  statement {
    sid = "ThisEnvironmentsBuckets"
    # Data-plane calls only: bucket configuration (policies, ACLs, encryption) is changed from
    # outside the VPC by whoever deploys, never through the endpoint by a notebook or a job.
    actions = [
      "s3:AbortMultipartUpload", "s3:DeleteObject*", "s3:GetBucketLocation", "s3:GetObject*",
      "s3:ListBucket*", "s3:ListMultipartUploadParts", "s3:PutObject*",
    ]
    resources = concat(
      ["arn:${local.partition}:s3:::${var.name_prefix}-*", "arn:${local.partition}:s3:::${var.name_prefix}-*/*"],
      var.extra_s3_bucket_arns,
      [for arn in var.extra_s3_bucket_arns : "${arn}/*"],
    )
    # AWS requires "*" as a gateway endpoint policy's principal (written "Principal": "*"): the
    # policy limits what passes through; who may act is decided by IAM and the condition below.
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = local.perimeter_principal.variable
      values   = local.perimeter_principal.values
    }
    # A bucket named <name_prefix>-* can be created by anyone: the account (or organization) that
    # owns it decides, not its name.
    condition {
      test     = "StringEquals"
      variable = local.perimeter_resource.variable
      values   = local.perimeter_resource.values
    }
  }

  # ECR keeps image layers in an AWS-owned bucket (ECR User Guide, "Amazon ECR interface VPC
  # endpoints", minimum S3 permissions): pulls of training and inference images need it; it is
  # AWS's, so no resource-account condition, and only s3:GetObject on that one bucket.
  statement {
    sid       = "EcrImageLayers"
    actions   = ["s3:GetObject"]
    resources = ["arn:${local.partition}:s3:::prod-${local.region}-starport-layer-bucket/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = local.perimeter_principal.variable
      values   = local.perimeter_principal.values
    }
  }
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${local.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
  policy            = data.aws_iam_policy_document.s3_endpoint.json

  tags = merge(var.tags, { Name = "${var.name_prefix}-s3" })
}

# --- Interface endpoints for the AWS APIs SageMaker and its users call --------------------------

resource "aws_security_group" "endpoints" {
  name        = "${var.name_prefix}-endpoints"
  description = "Interface endpoints: HTTPS from inside the VPC only"
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = "${var.name_prefix}-endpoints" })
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_https" {
  security_group_id = aws_security_group.endpoints.id
  description       = "HTTPS from the VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.vpc_cidr
  tags              = local.security_group_rule_tags
}

# Every interface endpoint admits this account's (or organization's) principals acting on its
# resources, and nothing else: credentials of another account brought into a notebook cannot reach
# their own SNS topics, log groups, parameters or registries through the environment's endpoints
# (the data perimeter AWS describes in "Building a data perimeter on AWS"). Exceptions, each needed:
data "aws_iam_policy_document" "interface_endpoint" {
  for_each = local.endpoint_service_names

  statement {
    sid       = "ThisAccountsPrincipalsOnThisAccountsResources"
    actions   = ["${local.endpoint_action_prefix[each.key]}:*"]
    resources = ["*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = local.perimeter_principal.variable
      values   = local.perimeter_principal.values
    }
    condition {
      test     = "StringEquals"
      variable = local.perimeter_resource.variable
      values   = local.perimeter_resource.values
    }
  }

  # AWS services that call through the endpoint with their own principal (rare; the data perimeter
  # examples keep it so that services operating in the VPC keep working).
  statement {
    sid       = "AwsServicePrincipals"
    actions   = ["${local.endpoint_action_prefix[each.key]}:*"]
    resources = ["*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:PrincipalIsAWSService"
      values   = ["true"]
    }
  }

  # ECR: SageMaker pulls framework images from AWS-owned registries (Deep Learning Containers,
  # sagemaker-scikit-learn, ...) with the execution role: reads of those accounts' repositories only.
  dynamic "statement" {
    for_each = startswith(each.key, "ecr.") && length(local.image_registry_accounts) > 0 ? [1] : []
    content {
      sid       = "ThisAccountsPrincipalsPullAwsOwnedImages"
      actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      resources = [for account in local.image_registry_accounts : "arn:${local.partition}:ecr:${local.region}:${account}:repository/*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "StringEquals"
        variable = local.perimeter_principal.variable
        values   = local.perimeter_principal.values
      }
    }
  }
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.endpoint_service_names

  vpc_id              = aws_vpc.this.id
  service_name        = each.value
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [for s in aws_subnet.private : s.id]
  security_group_ids  = [aws_security_group.endpoints.id]
  policy              = data.aws_iam_policy_document.interface_endpoint[each.key].json

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}" })
}

# --- The security groups SageMaker work runs in: one per team, one for the platform ----------------
#
# Each team's notebooks and jobs run in the team's own group, the models the platform deploys
# (modules/endpoint) in the shared one. A group admits its own members only (inter-container
# traffic of distributed jobs) and reaches its members, the interface endpoints and S3: no rule
# names another group, so a job of one team cannot reach another team's notebook or jobs (nor the
# platform's models), nor they it. The interface endpoints admit the whole VPC CIDR on 443, so every
# group reaches them.
#
# Keys: "platform" for the shared group, "team-<team>" for a team's (a team may be called platform).

locals {
  workload_groups = merge(
    {
      platform = {
        name = "${var.name_prefix}-sagemaker"
        # Unchanged from when every workload shared this group: EC2 cannot change a group's
        # description, so a new one would replace the group under the models running in it. The
        # Purpose tag says what it is for now.
        description = "SageMaker jobs, notebooks and models: each other, the endpoints and S3 only"
        purpose     = "SageMaker models the platform deploys"
      }
    },
    {
      for team in var.teams : "team-${team}" => {
        name        = "${var.name_prefix}-${team}-sagemaker"
        description = "SageMaker notebooks and jobs of team ${team}: each other, the endpoints and S3 only"
        purpose     = "SageMaker notebooks and jobs of team ${team}"
      }
    },
  )
}

resource "aws_security_group" "sagemaker" {
  # checkov:skip=CKV2_AWS_5: attached outside this module, by the notebooks, jobs and models that run in it
  for_each = local.workload_groups

  name        = each.value.name
  description = each.value.description
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = each.value.name, Purpose = each.value.purpose })
}

resource "aws_vpc_security_group_ingress_rule" "sagemaker_self" {
  for_each = aws_security_group.sagemaker

  security_group_id            = each.value.id
  description                  = "Inter-container traffic of distributed jobs"
  ip_protocol                  = "-1"
  referenced_security_group_id = each.value.id
  tags                         = local.security_group_rule_tags
}

resource "aws_vpc_security_group_egress_rule" "sagemaker_self" {
  for_each = aws_security_group.sagemaker

  security_group_id            = each.value.id
  description                  = "Inter-container traffic of distributed jobs"
  ip_protocol                  = "-1"
  referenced_security_group_id = each.value.id
  tags                         = local.security_group_rule_tags
}

resource "aws_vpc_security_group_egress_rule" "sagemaker_endpoints" {
  for_each = aws_security_group.sagemaker

  security_group_id            = each.value.id
  description                  = "HTTPS to the interface endpoints"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.endpoints.id
  tags                         = local.security_group_rule_tags
}

resource "aws_vpc_security_group_egress_rule" "sagemaker_s3" {
  for_each = aws_security_group.sagemaker

  security_group_id = each.value.id
  description       = "HTTPS to S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.s3.prefix_list_id
  tags              = local.security_group_rule_tags
}

# The single shared group and its rules, from before there was one group per team, are the
# platform's now: state moves, nothing is replaced.
moved {
  from = aws_security_group.sagemaker
  to   = aws_security_group.sagemaker["platform"]
}

moved {
  from = aws_vpc_security_group_ingress_rule.sagemaker_self
  to   = aws_vpc_security_group_ingress_rule.sagemaker_self["platform"]
}

moved {
  from = aws_vpc_security_group_egress_rule.sagemaker_self
  to   = aws_vpc_security_group_egress_rule.sagemaker_self["platform"]
}

moved {
  from = aws_vpc_security_group_egress_rule.sagemaker_endpoints
  to   = aws_vpc_security_group_egress_rule.sagemaker_endpoints["platform"]
}

moved {
  from = aws_vpc_security_group_egress_rule.sagemaker_s3
  to   = aws_vpc_security_group_egress_rule.sagemaker_s3["platform"]
}

# --- Flow logs: all traffic, to an encrypted log group -------------------------------------------

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = local.flow_log_group_name
  retention_in_days = var.flow_logs_retention_days
  kms_key_id        = var.flow_logs_kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "flow_logs_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc-flow-log/*"]
    }
  }
}

data "aws_iam_policy_document" "flow_logs_write" {
  statement {
    actions = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    # Built from the name, so the policy is known at plan time (and reviewed there).
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.flow_log_group_name}:*"]
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = "${var.name_prefix}-vpc-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs.name
  policy = data.aws_iam_policy_document.flow_logs_write.json
}

resource "aws_flow_log" "this" {
  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn             = aws_iam_role.flow_logs.arn
  max_aggregation_interval = 60
  tags                     = var.tags
}

# --- Opt-in internet egress (off by default) -------------------------------------------------------

resource "aws_subnet" "public" {
  count = var.enable_nat_gateway ? 1 : 0

  vpc_id                  = aws_vpc.this.id
  availability_zone       = var.azs[0]
  cidr_block              = local.public_cidr
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name_prefix}-public-nat" })
}

resource "aws_internet_gateway" "this" {
  count  = var.enable_nat_gateway ? 1 : 0
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name_prefix}-igw" })
}

resource "aws_route_table" "public" {
  count  = var.enable_nat_gateway ? 1 : 0
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name_prefix}-public-nat" })
}

resource "aws_route" "public_internet" {
  count                  = var.enable_nat_gateway ? 1 : 0
  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count          = var.enable_nat_gateway ? 1 : 0
  subnet_id      = aws_subnet.public[0].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_eip" "nat" {
  count  = var.enable_nat_gateway ? 1 : 0
  domain = "vpc"
  tags   = merge(var.tags, { Name = "${var.name_prefix}-nat" })
}

resource "aws_nat_gateway" "this" {
  count         = var.enable_nat_gateway ? 1 : 0
  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id
  tags          = merge(var.tags, { Name = "${var.name_prefix}-nat" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route" "private_nat" {
  count                  = var.enable_nat_gateway ? 1 : 0
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[0].id
}
