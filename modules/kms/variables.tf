variable "name_prefix" {
  description = "Prefix of every name this module creates (aliases: alias/<name_prefix>-<purpose>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "keys" {
  description = <<-EOT
    One customer-managed key per purpose. Known purposes and what each allows beyond IAM:
    data, models, volumes (used through IAM by this account's roles and by AWS services on their
    behalf), logs (also CloudWatch Logs, for this account's log groups), notifications (also
    EventBridge and CloudWatch, for this account's SNS topics and SQS queues), lambda (Lambda
    environment variables), params (the SSM environment contract; decrypted through SSM only),
    trail (CloudTrail log files: CloudTrail encrypts for this account's trails only). Per key: extra principals that may use it (user_arns), and accounts
    that may decrypt through S3 (cross_account_decrypt_account_ids: model promotion targets).
  EOT
  type = map(object({
    description                       = optional(string, "")
    user_arns                         = optional(list(string), [])
    cross_account_decrypt_account_ids = optional(list(string), [])
  }))
  default = {
    data    = {}
    models  = {}
    volumes = {}
    logs    = {}
  }
  nullable = false

  validation {
    condition     = length(var.keys) > 0
    error_message = "var.keys must name at least one purpose."
  }
  validation {
    condition     = alltrue([for purpose in keys(var.keys) : contains(["data", "models", "volumes", "logs", "notifications", "lambda", "params", "trail"], purpose)])
    error_message = "var.keys holds an unknown KMS purpose: each must be one of data, models, volumes, logs, notifications, lambda, params, trail."
  }
  validation {
    condition = alltrue(flatten([for key in values(var.keys) : [
      for arn in key.user_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$", arn))
    ]]))
    error_message = "var.keys[*].user_arns must be IAM role or user ARNs (no wildcards)."
  }
  validation {
    condition = alltrue(flatten([for key in values(var.keys) : [
      for account in key.cross_account_decrypt_account_ids : can(regex("^[0-9]{12}$", account))
    ]]))
    error_message = "var.keys[*].cross_account_decrypt_account_ids must be 12-digit AWS account IDs."
  }
}

variable "administrator_arns" {
  description = "IAM principals that administer the keys (not use them). Empty: the account root, which delegates to IAM policies."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/[A-Za-z0-9+=,.@_/-]+|user/[A-Za-z0-9+=,.@_/-]+)$", arn))])
    error_message = "var.administrator_arns must be IAM role, user or account-root ARNs (no wildcards)."
  }
}

variable "deletion_window_in_days" {
  description = "Days a key waits in PendingDeletion before it is deleted (30 in prod)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30 && floor(var.deletion_window_in_days) == var.deletion_window_in_days
    error_message = "var.deletion_window_in_days must be a whole number of days from 7 to 30."
  }
}

variable "rotation_period_in_days" {
  description = "Days between automatic rotations of each key's material (rotation is always on)."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560
    error_message = "var.rotation_period_in_days must be from 90 to 2560."
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
