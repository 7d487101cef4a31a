variable "name_prefix" {
  description = "Prefix of every name this module creates (the trail <name_prefix>-management-events, its bucket <name_prefix>-cloudtrail-<account>-<region>)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "kms_key_arn" {
  description = "The KMS key that encrypts the log files (modules/kms purpose trail: its policy lets CloudTrail encrypt for this account's trails)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.kms_key_arn))
    error_message = "var.kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "logs_kms_key_arn" {
  description = "The logs key (modules/kms purpose logs) of the trail's CloudWatch Logs copy."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.logs_kms_key_arn))
    error_message = "var.logs_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "notifications_kms_key_arn" {
  description = "The notifications key (modules/kms purpose notifications) of the delivery topic; its policy admits CloudTrail for this account's trails."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.notifications_kms_key_arn))
    error_message = "var.notifications_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "log_group_retention_days" {
  description = "Days the CloudWatch Logs copy keeps events (one of CloudWatch's retention values)."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_group_retention_days)
    error_message = "var.log_group_retention_days must be one of CloudWatch Logs' retention values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "multi_region" {
  description = "Record management events in every region (a job started in another region is still seen). Leave on."
  type        = bool
  default     = true
  nullable    = false
}

variable "retention_days" {
  description = "Days a log file is kept in the bucket."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = var.retention_days >= 90 && floor(var.retention_days) == var.retention_days
    error_message = "var.retention_days must be a whole number of at least 90 days."
  }
}

variable "access_log_bucket" {
  description = "The environment's S3 access-log bucket (modules/buckets), which logs requests to the trail bucket. null: none."
  type        = string
  default     = null
}

variable "log_administrator_arns" {
  description = "Principals (ARN patterns) that may delete log files; nobody else can. Empty: the account root only."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.log_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)$", arn))])
    error_message = "var.log_administrator_arns must hold IAM principal ARNs (root, role/..., user/...)."
  }
}

variable "force_destroy" {
  description = "Let a destroy empty the trail bucket (the local emulator). Leave false where logs matter."
  type        = bool
  default     = false
  nullable    = false
}

variable "guardrail_policy_arns" {
  description = "The preventive guardrail policies (modules/guardrails policy_arns), attached to the CloudTrail delivery role: every role the project creates carries them."
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
