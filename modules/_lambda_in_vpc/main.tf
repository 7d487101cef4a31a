# What every function the project runs in the VPC holds in common (the enforcer, the invoker): its
# own KMS-encrypted log group, its own security group with HTTPS to the interface endpoints and
# nowhere else, a role only Lambda of this account assumes, carrying the guardrails, and the
# function itself: in the private subnets, environment encrypted, X-Ray active, its concurrency
# reserved. The role's one inline policy is the caller's own documents and this module's: its log
# streams, its network interfaces in the private subnets, and the calls with no resource-level
# permission.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  ec2_arn    = "arn:${local.partition}:ec2:${local.region}:${local.account_id}"
  # Built from names, not read from the resources, so the role's policy is known at plan time.
  log_group_name = "/aws/lambda/${var.function_name}"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  vpc_arn        = "${local.ec2_arn}:vpc/${var.vpc_id}"
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}

resource "aws_security_group" "this" {
  name        = var.function_name
  description = var.security_group_description
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = var.function_name })
}

resource "aws_vpc_security_group_egress_rule" "endpoints" {
  security_group_id            = aws_security_group.this.id
  description                  = var.egress_description
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = var.endpoint_security_group_id
  # null, not {}, when there are none: this resource plans {} over an existing rule's null as a change.
  tags = length(var.tags) > 0 ? var.tags : null
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# Its own log streams (the log group is this module's: the role creates none).
data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }
}

# Lambda's network interfaces in the private subnets, with security groups of this VPC (the
# function's own group's id is known only after apply; ec2:Vpc keeps the policy reviewable in the plan).
data "aws_iam_policy_document" "network_interfaces" {
  statement {
    sid       = "NetworkInterfacesInThePrivateSubnets"
    actions   = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
    resources = concat(["${local.ec2_arn}:network-interface/*", "${local.ec2_arn}:security-group/*"], [for s in var.subnet_ids : "${local.ec2_arn}:subnet/${s}"])
    condition {
      test     = "ArnEquals"
      variable = "ec2:Vpc"
      values   = [local.vpc_arn]
    }
  }
}

# The calls with no resource-level permission, in one statement so that every "*" is read in one
# place: the EC2 Describe calls Lambda makes with the role to manage those interfaces
# (AWSLambdaVPCAccessExecutionRole's: not ec2:DescribeVpcs nor DescribeSecurityGroups, which
# CreateFunction checks on whoever configures the function), and X-Ray's, for active tracing.
data "aws_iam_policy_document" "unscoped" {
  statement {
    sid       = "DescribeNetworkAndTrace"
    actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    resources = ["*"]
  }
}

# The role's one inline policy: the caller's statements first, then this module's.
data "aws_iam_policy_document" "this" {
  source_policy_documents = concat(var.policy_documents, [
    data.aws_iam_policy_document.logs.json,
    data.aws_iam_policy_document.network_interfaces.json,
    data.aws_iam_policy_document.unscoped.json,
  ])
}

resource "aws_iam_role" "this" {
  name               = var.function_name
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = var.policy_name
  role   = aws_iam_role.this.name
  policy = data.aws_iam_policy_document.this.json
}

# The guardrails, as on every role the project creates: should a permission that starts SageMaker
# work ever be added to a function's role, the guardrails already bind it.
resource "aws_iam_role_policy_attachment" "guardrails" {
  count = length(var.guardrail_policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = var.guardrail_policy_arns[count.index]
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_272: no signing profile in this design; the zip is built deterministically from the reviewed repository and Terraform pins its SHA-256
  # checkov:skip=CKV_AWS_116: the dead-letter target is the caller's choice; the enforcer passes its queue, the invoker is invoked synchronously through its function URL and answers a failed request with an error, so nothing is queued for a replay
  function_name                  = var.function_name
  description                    = var.description
  role                           = aws_iam_role.this.arn
  runtime                        = var.runtime
  handler                        = var.handler
  filename                       = var.package_path
  source_code_hash               = filebase64sha256(var.package_path)
  timeout                        = var.timeout
  memory_size                    = var.memory_size
  reserved_concurrent_executions = var.reserved_concurrency
  kms_key_arn                    = var.lambda_kms_key_arn
  tags                           = var.tags

  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [var.environment_variables] : []
    content {
      variables = environment.value
    }
  }

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.this.id]
  }

  tracing_config {
    mode = "Active"
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter_target_arn == null ? [] : [var.dead_letter_target_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  # Its log group and permissions first (the first invocation logs, and may act), then whatever
  # else the caller names (a policy of its own, the topic it publishes to).
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this, var.created_after]
}
