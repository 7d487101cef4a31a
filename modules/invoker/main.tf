data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  # <name_prefix>-<endpoint short name>-invoker: an endpoint named from the same prefix is not prefixed twice.
  function_name = "${var.name_prefix}-${trimprefix(var.endpoint_name, "${var.name_prefix}-")}-invoker"
  # Built from names, not read from the resources, so the role's policy is known at plan time.
  log_group_name = "/aws/lambda/${local.function_name}"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  vpc_arn        = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc/${var.vpc_id}"
}

resource "aws_cloudwatch_log_group" "function" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn
}

resource "aws_security_group" "function" {
  name        = local.function_name
  description = "The endpoint invoker: HTTPS to the interface endpoints only"
  vpc_id      = var.vpc_id
  tags        = { Name = local.function_name }
}

resource "aws_vpc_security_group_egress_rule" "function_endpoints" {
  security_group_id            = aws_security_group.function.id
  description                  = "HTTPS to the SageMaker Runtime interface endpoint"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = var.endpoint_security_group_id
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

# The seed's invoker had SageMaker full access; this one may call one endpoint and nothing else.
# A policy of its own, so a reviewer reads it whole (and in the plan, before apply).
data "aws_iam_policy_document" "invoke" {
  statement {
    sid       = "InvokeTheOneEndpoint"
    actions   = ["sagemaker:InvokeEndpoint"]
    resources = [var.endpoint_arn]
  }
}

data "aws_iam_policy_document" "function" {
  statement {
    sid       = "DecryptItsEnvironment"
    actions   = ["kms:Decrypt"]
    resources = [var.lambda_kms_key_arn]
  }

  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  # Security groups of this VPC: the function's own group id is known only after apply.
  statement {
    sid       = "NetworkInterfacesInThePrivateSubnets"
    actions   = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
    resources = concat(["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*", "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*"], [for s in var.subnet_ids : "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/${s}"])
    condition {
      test     = "ArnEquals"
      variable = "ec2:Vpc"
      values   = [local.vpc_arn]
    }
  }

  # EC2 Describe* and X-Ray have no resource-level permissions.
  statement {
    sid       = "DescribeNetworkAndTrace"
    actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "function" {
  name               = local.function_name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "invoke" {
  name   = "invoke-one-endpoint"
  role   = aws_iam_role.function.name
  policy = data.aws_iam_policy_document.invoke.json
}

resource "aws_iam_role_policy" "function" {
  name   = "run-in-the-vpc"
  role   = aws_iam_role.function.name
  policy = data.aws_iam_policy_document.function.json
}

# The guardrails, as on every role the project creates (this one starts no SageMaker work; should a
# permission ever be added here, the guardrails already bind it).
resource "aws_iam_role_policy_attachment" "guardrails" {
  count = length(var.guardrail_policy_arns)

  role       = aws_iam_role.function.name
  policy_arn = var.guardrail_policy_arns[count.index]
}

locals {
  # What a request may take besides read_timeout_seconds (lambda/invoke_endpoint/handler.py):
  # 2 s to connect, up to 7 s of attempts refused or never sent before the one that reaches the
  # model (2 x 2 s connect timeouts, 1 s + 2 s backoff), and 3 s for the function's own work.
  timeout_overhead_seconds = 12
  function_timeout_seconds = coalesce(var.function_timeout_seconds, var.read_timeout_seconds + local.timeout_overhead_seconds)
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_272: no signing profile in this design; the zip is built deterministically from the reviewed repository and Terraform pins its SHA-256
  # checkov:skip=CKV_AWS_116: invoked synchronously through its function URL; a failed request is answered with an error, so nothing is queued for a replay
  function_name                  = local.function_name
  description                    = "Validates requests and invokes ${var.endpoint_name}, and nothing else"
  role                           = aws_iam_role.function.arn
  runtime                        = "python3.13"
  handler                        = "handler.handler"
  filename                       = var.package_path
  source_code_hash               = filebase64sha256(var.package_path)
  timeout                        = local.function_timeout_seconds
  memory_size                    = 256
  reserved_concurrent_executions = var.reserved_concurrency
  kms_key_arn                    = var.lambda_kms_key_arn

  environment {
    variables = {
      ENDPOINT_NAME                 = var.endpoint_name
      ALLOWED_CONTENT_TYPES         = join(",", var.allowed_content_types)
      MAX_BODY_BYTES                = tostring(var.max_body_bytes)
      ENDPOINT_READ_TIMEOUT_SECONDS = tostring(var.read_timeout_seconds)
    }
  }

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.function.id]
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.function, aws_iam_role_policy.invoke]

  lifecycle {
    precondition {
      condition     = local.function_timeout_seconds >= var.read_timeout_seconds + local.timeout_overhead_seconds
      error_message = "var.function_timeout_seconds (${local.function_timeout_seconds}) must be at least var.read_timeout_seconds + ${local.timeout_overhead_seconds} (${var.read_timeout_seconds + local.timeout_overhead_seconds}): the function must outlast a model that takes the whole read timeout. Lower var.read_timeout_seconds, or leave var.function_timeout_seconds null."
    }
  }
}

# Callers sign their requests (SigV4) and need lambda:InvokeFunctionUrl on this function.
resource "aws_lambda_function_url" "this" {
  function_name      = aws_lambda_function.this.function_name
  authorization_type = "AWS_IAM"
}
