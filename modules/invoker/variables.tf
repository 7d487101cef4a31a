variable "name_prefix" {
  description = "Prefix of every name this module creates; the function is <name_prefix>-<endpoint short name>-invoker."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "endpoint_name" {
  description = "The one SageMaker endpoint this function may invoke."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.endpoint_name))
    error_message = "var.endpoint_name must be a SageMaker endpoint name."
  }
}

variable "endpoint_arn" {
  description = "ARN of that endpoint: the only resource the function's role may invoke."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:endpoint/[a-z0-9-]+$", var.endpoint_arn))
    error_message = "var.endpoint_arn must be a SageMaker endpoint ARN (arn:aws:sagemaker:<region>:<account>:endpoint/<name>)."
  }
}

variable "package_path" {
  description = "The invoker's Lambda zip, built by `python tools/package_lambda.py lambda/invoke_endpoint --out <path>`."
  type        = string
  nullable    = false

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "var.package_path must be the path of a .zip built by tools/package_lambda.py."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for (and capping) the invoker: the most requests the endpoint sees at once from it."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.reserved_concurrency >= 1 && var.reserved_concurrency <= 1000 && floor(var.reserved_concurrency) == var.reserved_concurrency
    error_message = "var.reserved_concurrency must be a whole number from 1 to 1000."
  }
}

variable "read_timeout_seconds" {
  description = "Seconds the invoker waits for the model's answer (ENDPOINT_READ_TIMEOUT_SECONDS) before it answers 502; a request that timed out is never sent again. At most 60, the time SageMaker real-time inference gives a model. Behind API Gateway (29 s by default), at most the integration timeout minus 10: see the README."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.read_timeout_seconds >= 1 && var.read_timeout_seconds <= 60 && floor(var.read_timeout_seconds) == var.read_timeout_seconds
    error_message = "var.read_timeout_seconds must be a whole number from 1 to 60 (a SageMaker model must answer within 60 s)."
  }
}

variable "function_timeout_seconds" {
  description = "The Lambda function's timeout. Null (the default): read_timeout_seconds + 12, the least that fits one attempt of 2 s to connect and read_timeout_seconds to read, up to 7 s of refused or unconnected attempts before it, and 3 s for the function's own work."
  type        = number
  default     = null

  validation {
    condition     = var.function_timeout_seconds == null ? true : var.function_timeout_seconds >= 1 && var.function_timeout_seconds <= 900 && floor(var.function_timeout_seconds) == var.function_timeout_seconds
    error_message = "var.function_timeout_seconds must be null or a whole number from 1 to 900 (Lambda's limit)."
  }
}

variable "allowed_content_types" {
  description = "Content types the invoker passes on; anything else is refused (415)."
  type        = list(string)
  default     = ["application/json", "text/csv"]
  nullable    = false

  validation {
    condition     = length(var.allowed_content_types) > 0 && alltrue([for t in var.allowed_content_types : can(regex("^[a-z]+/[a-z0-9.+-]+$", t))])
    error_message = "var.allowed_content_types must list MIME types such as application/json."
  }
}

variable "max_body_bytes" {
  description = "Largest request body passed on (bytes, after base64 decoding); larger is refused (413). At most 6 MiB, the endpoint's own limit."
  type        = number
  default     = 1048576
  nullable    = false

  validation {
    condition     = var.max_body_bytes >= 1 && var.max_body_bytes <= 6291456
    error_message = "var.max_body_bytes must be from 1 to 6291456 (6 MiB)."
  }
}

variable "vpc_id" {
  description = "The VPC the function runs in (it reaches SageMaker Runtime through the interface endpoint)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "var.vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the function's network interfaces."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "var.subnet_ids must hold at least one subnet ID (subnet-...)."
  }
}

variable "endpoint_security_group_id" {
  description = "Security group of the interface endpoints: the function may send HTTPS to it and nowhere else."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.endpoint_security_group_id))
    error_message = "var.endpoint_security_group_id must be a security group ID (sg-...)."
  }
}

variable "lambda_kms_key_arn" {
  description = "KMS key (the lambda key) that encrypts the function's environment variables."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.lambda_kms_key_arn))
    error_message = "var.lambda_kms_key_arn must be a KMS key ARN."
  }
}

variable "logs_kms_key_arn" {
  description = "KMS key (the logs key) for the function's log group."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.logs_kms_key_arn))
    error_message = "var.logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_days" {
  description = "Days the function's logs are kept (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "var.log_retention_days must be one of CloudWatch Logs' values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "guardrail_policy_arns" {
  description = "The preventive guardrail policies (modules/guardrails policy_arns), attached to the function's role: every role the project creates carries them."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.guardrail_policy_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "var.guardrail_policy_arns must hold IAM policy ARNs (arn:aws:iam::<account>:policy/<name>)."
  }
}

variable "tags" {
  description = "Tags added to every resource this module creates that takes tags, on top of the provider's default_tags (a cost centre, say). Where the module sets a tag key of its own on a resource (Name, say), the module's value wins there."
  type        = map(string)
  default     = {}
  nullable    = false

  # One block for the four rules: the same declaration repeats in every module (Terraform cannot share
  # one), and each refusal names all four. Keys are compared in lower case, as IAM compares the tag
  # keys in its condition keys (aws:RequestTag/SMENV:inference matches smenv:inference).
  validation {
    condition = length(var.tags) <= 40 && alltrue([
      for key, value in var.tags : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]{1,128}$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]{0,256}$", value))
      && !startswith(lower(key), "aws:") && !startswith(lower(key), "smenv:") && !contains(["managed-by", "team"], lower(key))
    ])
    error_message = "var.tags: at most 40 tags (AWS allows 50 on a resource; default_tags and the module's own need the rest); each key 1-128 and each value at most 256 characters of letters, digits, spaces and _ . : / = + - @; no key aws:* (AWS's own), smenv:* (the platform's markers), managed-by (the default tag tools/sweep.py trusts) or team (the tag team access is granted by), in any case."
  }
}
