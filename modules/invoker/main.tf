locals {
  # <name_prefix>-<endpoint short name>-invoker: an endpoint named from the same prefix is not prefixed twice.
  function_name = "${var.name_prefix}-${trimprefix(var.endpoint_name, "${var.name_prefix}-")}-invoker"
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

# The invoker's part of the role's other policy ("run-in-the-vpc"): modules/_lambda_in_vpc adds its
# log streams, its network interfaces in the private subnets, and the EC2 Describe and X-Ray calls.
data "aws_iam_policy_document" "function" {
  statement {
    sid       = "DecryptItsEnvironment"
    actions   = ["kms:Decrypt"]
    resources = [var.lambda_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "invoke" {
  name   = "invoke-one-endpoint"
  role   = module.function.role_name
  policy = data.aws_iam_policy_document.invoke.json
}

locals {
  # What a request may take besides read_timeout_seconds (lambda/invoke_endpoint/handler.py):
  # 2 s to connect, up to 7 s of attempts refused or never sent before the one that reaches the
  # model (2 x 2 s connect timeouts, 1 s + 2 s backoff), and 3 s for the function's own work.
  timeout_overhead_seconds = 12
  function_timeout_seconds = coalesce(var.function_timeout_seconds, var.read_timeout_seconds + local.timeout_overhead_seconds)
}

# The function's log group, security group, role (with the guardrails) and the function itself, as
# every function in the VPC has them.
module "function" {
  source = "../_lambda_in_vpc"

  function_name              = local.function_name
  description                = "Validates requests and invokes ${var.endpoint_name}, and nothing else"
  security_group_description = "The endpoint invoker: HTTPS to the interface endpoints only"
  egress_description         = "HTTPS to the SageMaker Runtime interface endpoint"
  package_path               = var.package_path
  timeout                    = local.function_timeout_seconds
  reserved_concurrency       = var.reserved_concurrency
  vpc_id                     = var.vpc_id
  subnet_ids                 = var.subnet_ids
  endpoint_security_group_id = var.endpoint_security_group_id
  lambda_kms_key_arn         = var.lambda_kms_key_arn
  logs_kms_key_arn           = var.logs_kms_key_arn
  log_retention_days         = var.log_retention_days
  policy_name                = "run-in-the-vpc"
  policy_documents           = [data.aws_iam_policy_document.function.json]
  # The guardrails, as on every role the project creates (this one starts no SageMaker work; should
  # a permission ever be added here, the guardrails already bind it).
  guardrail_policy_arns = var.guardrail_policy_arns
  # No dead-letter queue: invoked synchronously through its function URL, a failed request is
  # answered with an error, so nothing is queued for a replay.
  dead_letter_target_arn = null
  # It may invoke the endpoint from its first request on.
  created_after = [aws_iam_role_policy.invoke.id]
  tags          = var.tags

  environment_variables = {
    ENDPOINT_NAME                 = var.endpoint_name
    ALLOWED_CONTENT_TYPES         = join(",", var.allowed_content_types)
    MAX_BODY_BYTES                = tostring(var.max_body_bytes)
    ENDPOINT_READ_TIMEOUT_SECONDS = tostring(var.read_timeout_seconds)
  }
}

# Where an existing deployment had them, before modules/_lambda_in_vpc: state moves, nothing is replaced.
moved {
  from = aws_cloudwatch_log_group.function
  to   = module.function.aws_cloudwatch_log_group.this
}

moved {
  from = aws_security_group.function
  to   = module.function.aws_security_group.this
}

moved {
  from = aws_vpc_security_group_egress_rule.function_endpoints
  to   = module.function.aws_vpc_security_group_egress_rule.endpoints
}

moved {
  from = aws_iam_role.function
  to   = module.function.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.function
  to   = module.function.aws_iam_role_policy.this
}

moved {
  from = aws_iam_role_policy_attachment.guardrails
  to   = module.function.aws_iam_role_policy_attachment.guardrails
}

moved {
  from = aws_lambda_function.this
  to   = module.function.aws_lambda_function.this
}

# Callers sign their requests (SigV4) and need lambda:InvokeFunctionUrl on this function.
resource "aws_lambda_function_url" "this" {
  function_name      = module.function.function_name
  authorization_type = "AWS_IAM"

  lifecycle {
    # The function must outlast the model: checked on the invoker's own resource in front of the
    # function (modules/_lambda_in_vpc takes any timeout Lambda does).
    precondition {
      condition     = local.function_timeout_seconds >= var.read_timeout_seconds + local.timeout_overhead_seconds
      error_message = "var.function_timeout_seconds (${local.function_timeout_seconds}) must be at least var.read_timeout_seconds + ${local.timeout_overhead_seconds} (${var.read_timeout_seconds + local.timeout_overhead_seconds}): the function must outlast a model that takes the whole read timeout. Lower var.read_timeout_seconds, or leave var.function_timeout_seconds null."
    }
  }
}
