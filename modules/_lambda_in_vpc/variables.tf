# The inputs a person writes are validated where they write them, in the calling module's variables
# (whose messages name that module's variables); here only what a caller computes and Lambda may
# refuse at apply (the function's name) and this module's own contract: subnets (a function without
# one is outside the VPC), policy documents, a dead-letter target, tags.

variable "function_name" {
  description = "The function's name: also its role's, its security group's and (/aws/lambda/<name>) its log group's."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "var.function_name must be 1-64 letters, digits, hyphens and underscores: Lambda's and IAM's limit for the function and its role."
  }
}

variable "description" {
  description = "The function's description: what it does, for whoever lists the account's functions."
  type        = string
  nullable    = false
}

variable "security_group_description" {
  description = "The function's security group's description (EC2 replaces a group whose description changes)."
  type        = string
  nullable    = false
}

variable "egress_description" {
  description = "The description of the group's one egress rule: HTTPS to the interface endpoints' security group (which services the function reaches there)."
  type        = string
  nullable    = false
}

variable "package_path" {
  description = "The function's zip, built by tools/package_lambda.py (Terraform pins its SHA-256)."
  type        = string
  nullable    = false
}

variable "runtime" {
  description = "The function's runtime."
  type        = string
  default     = "python3.13"
  nullable    = false
}

variable "handler" {
  description = "The function's handler: <file>.<function> in the zip."
  type        = string
  default     = "handler.handler"
  nullable    = false
}

variable "timeout" {
  description = "The function's timeout, in seconds."
  type        = number
  nullable    = false
}

variable "memory_size" {
  description = "The function's memory, in MB."
  type        = number
  default     = 256
  nullable    = false
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for (and capping) the function."
  type        = number
  nullable    = false
}

variable "environment_variables" {
  description = "The function's environment (encrypted with lambda_kms_key_arn). Empty: none."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "vpc_id" {
  description = "The VPC the function runs in: the only VPC its role may put network interfaces in (ec2:Vpc)."
  type        = string
  nullable    = false
}

variable "subnet_ids" {
  description = "Private subnets for the function's network interfaces: the only subnets its role may put them in."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "var.subnet_ids must name at least one subnet: without one the function would run outside the VPC."
  }
}

variable "endpoint_security_group_id" {
  description = "Security group of the interface endpoints: the function may send HTTPS to it and nowhere else."
  type        = string
  nullable    = false
}

variable "lambda_kms_key_arn" {
  description = "KMS key that encrypts the function's environment. The role's permission to decrypt it is the caller's to grant (policy_documents), with the caller's other keys."
  type        = string
  nullable    = false
}

variable "logs_kms_key_arn" {
  description = "KMS key of the function's log group."
  type        = string
  nullable    = false
}

variable "log_retention_days" {
  description = "Days the function's logs are kept."
  type        = number
  nullable    = false
}

variable "policy_name" {
  description = "Name of the role's inline policy: the caller's policy_documents and this module's logs, network interface and unscoped statements."
  type        = string
  nullable    = false
}

variable "policy_documents" {
  description = "The caller's own permissions (aws_iam_policy_document JSON), composed first into the role's inline policy through source_policy_documents. Their Sids must differ from this module's: OwnLogs, NetworkInterfacesInThePrivateSubnets, DescribeNetworkAndTrace."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for d in var.policy_documents : can(jsondecode(d).Statement)])
    error_message = "var.policy_documents must hold IAM policy documents as JSON (an aws_iam_policy_document's json)."
  }
}

variable "guardrail_policy_arns" {
  description = "The preventive guardrail policies (modules/guardrails policy_arns), attached to the function's role: every role the project creates carries them."
  type        = list(string)
  nullable    = false
}

variable "dead_letter_target_arn" {
  description = "SQS queue or SNS topic for asynchronous invocations that failed every retry. Null: none (a function invoked synchronously answers its caller instead)."
  type        = string
  default     = null

  validation {
    condition     = var.dead_letter_target_arn == null || can(regex("^arn:aws[a-z-]*:(sqs|sns):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", var.dead_letter_target_arn))
    error_message = "var.dead_letter_target_arn must be null or an SQS queue or SNS topic ARN."
  }
}

variable "created_after" {
  description = "Ids or ARNs of the caller's resources the function must be created after, as after its own log group and policy: a policy of the caller's own, the topic or key the function uses. Empty: none."
  type        = list(string)
  default     = []
  nullable    = false
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
