variable "name_prefix" {
  description = "Prefix of every name this module creates."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "package_path" {
  description = "The enforcer's Lambda zip, built by `python tools/package_lambda.py lambda/enforcer --out <path>`."
  type        = string
  nullable    = false

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "var.package_path must be the path of a .zip built by tools/package_lambda.py."
  }
}

variable "approved_subnet_ids" {
  description = "Subnets SageMaker work may run in (the private subnets). Empty: any subnet, but a VPC is still required."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for s in var.approved_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "var.approved_subnet_ids must hold subnet IDs (subnet-...)."
  }
}

variable "approved_security_group_ids" {
  description = "Security groups SageMaker work may use. Empty: any."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for s in var.approved_security_group_ids : can(regex("^sg-[0-9a-f]+$", s))])
    error_message = "var.approved_security_group_ids must hold security group IDs (sg-...)."
  }
}

variable "enforcement_mode" {
  description = "enforce: stop and delete what violates the rules. audit: decide and report only, change nothing."
  type        = string
  default     = "enforce"
  nullable    = false

  validation {
    condition     = contains(["enforce", "audit"], var.enforcement_mode)
    error_message = "var.enforcement_mode must be enforce or audit."
  }
}

variable "require_kms" {
  description = "Require a KMS key on job volumes and outputs and on notebooks."
  type        = bool
  default     = true
  nullable    = false
}

variable "require_inter_container_encryption" {
  description = "Require inter-container traffic encryption on training and tuning jobs."
  type        = bool
  default     = true
  nullable    = false
}

variable "allow_serverless_inference" {
  description = "Exempt models tagged smenv:inference=serverless from the VPC rule (serverless endpoints cannot attach to a VPC). Off unless the environment serves serverless."
  type        = bool
  default     = false
  nullable    = false
}

variable "vpc_id" {
  description = "The VPC the enforcer Lambda runs in (it reaches SageMaker and SNS through the interface endpoints)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "var.vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "lambda_subnet_ids" {
  description = "Private subnets for the enforcer Lambda's network interfaces."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.lambda_subnet_ids) > 0 && alltrue([for s in var.lambda_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "var.lambda_subnet_ids must hold at least one subnet ID (subnet-...)."
  }
}

variable "endpoint_security_group_id" {
  description = "Security group of the interface endpoints: the Lambda may send HTTPS to it and nowhere else."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.endpoint_security_group_id))
    error_message = "var.endpoint_security_group_id must be a security group ID (sg-...)."
  }
}

variable "notifications_kms_key_arn" {
  description = "KMS key (the notifications key) for the findings and alarm topics and the dead-letter queue."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.notifications_kms_key_arn))
    error_message = "var.notifications_kms_key_arn must be a KMS key ARN."
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

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for (and capping) the enforcer."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.reserved_concurrency >= 1 && var.reserved_concurrency <= 1000 && floor(var.reserved_concurrency) == var.reserved_concurrency
    error_message = "var.reserved_concurrency must be a whole number from 1 to 1000."
  }
}

variable "alarm_email_endpoints" {
  description = "Addresses subscribed (by email) to the enforcer's alarm topic. Empty: subscribe your own."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.alarm_email_endpoints : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "var.alarm_email_endpoints must be email addresses."
  }
}

variable "approved_lifecycle_config_names" {
  description = "Notebook lifecycle configurations the environment's notebooks may use (the notebook module names them <name_prefix>-<team>). A notebook with another, or another lifecycle configuration, is a finding (their scripts run as root). Empty: any."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for n in var.approved_lifecycle_config_names : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", n))])
    error_message = "var.approved_lifecycle_config_names must hold SageMaker names (letters, digits and hyphens, at most 63)."
  }
}

variable "approved_studio_lifecycle_config_names" {
  description = "Studio lifecycle configurations an app may start with (names). An app started with another is deleted. Empty: any."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for n in var.approved_studio_lifecycle_config_names : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", n))])
    error_message = "var.approved_studio_lifecycle_config_names must hold SageMaker names (letters, digits and hyphens, at most 63)."
  }
}

variable "terraform_role_arns" {
  description = "IAM roles Terraform applies the environment with: a notebook lifecycle configuration they create or update is the environment's own (CloudTrail names the caller). Empty: every create or update of one is reported."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for r in var.terraform_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", r))])
    error_message = "var.terraform_role_arns must hold IAM role ARNs (arn:aws:iam::<account>:role/<name>), not session ARNs."
  }
}

variable "team_security_groups" {
  description = "Each team's execution role ARN (modules/notebook: <name_prefix>-<team>-sagemaker) => the security groups work running as it may use (its team's, modules/network team_security_group_ids). Work running as a role named here in any other group is a finding, answered as every VPC violation of its kind (a job is stopped, a model deleted): another team's group admits that team's members. A role not named (the platform's endpoint model role, promotion's) is not checked. Empty: no check."
  type        = map(list(string))
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for role in keys(var.team_security_groups) : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", role))])
    error_message = "var.team_security_groups must be keyed by IAM role ARNs (arn:aws:iam::<account>:role/<name>), not session ARNs."
  }

  validation {
    condition     = alltrue([for groups in values(var.team_security_groups) : length(groups) > 0 && alltrue([for g in groups : can(regex("^sg-[0-9a-f]{8,17}$", g))])])
    error_message = "var.team_security_groups must map each role to at least one security group ID (sg- and 8 to 17 hex digits)."
  }
}

variable "approved_kms_key_arns" {
  description = "The environment's KMS keys (its volumes, data and models keys), by key ARN: a job, notebook, endpoint configuration or domain naming any other key (the AWS managed aws/sagemaker one, another account's, or any alias, which cannot be resolved safely) is a finding, answered as a missing key. A key id of one of these is accepted. Empty: any key, as long as there is one."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.approved_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", arn))])
    error_message = "var.approved_kms_key_arns must hold KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>), not aliases."
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
