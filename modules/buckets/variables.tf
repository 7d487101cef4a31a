variable "name_prefix" {
  description = "Prefix of every bucket name: <name_prefix>-<kind>-<team>-<account>-<region>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "teams" {
  description = "Teams that get a data bucket and a model bucket each. Adding one is one line in env.hcl."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.teams) > 0 && length(distinct(var.teams)) == length(var.teams)
    error_message = "var.teams must list at least one team, each once."
  }
  validation {
    condition     = alltrue([for t in var.teams : can(regex("^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$", t))])
    error_message = "var.teams: each team name must be 1-16 characters of lower-case letters, digits and hyphens, starting and ending with a letter or digit (it becomes part of S3 bucket and IAM names)."
  }
}

variable "data_kms_key_arn" {
  description = "KMS key (the data key) for the teams' data buckets."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.data_kms_key_arn))
    error_message = "var.data_kms_key_arn must be a KMS key ARN."
  }
}

variable "models_kms_key_arn" {
  description = "KMS key (the models key) for the teams' model buckets."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.models_kms_key_arn))
    error_message = "var.models_kms_key_arn must be a KMS key ARN."
  }
}

variable "s3_vpc_endpoint_id" {
  description = "The environment's S3 gateway endpoint: requests that do not come through it are denied."
  type        = string

  validation {
    condition     = can(regex("^vpce-[0-9a-f]+$", var.s3_vpc_endpoint_id))
    error_message = "var.s3_vpc_endpoint_id must be a VPC endpoint ID (vpce-...)."
  }
}

variable "enforce_tls" {
  description = "Deny every request not made over TLS. Leave on; only the local emulator (plain HTTP, no condition evaluation) turns it off."
  type        = bool
  default     = true
  nullable    = false
}

variable "enforce_vpc_endpoint" {
  description = "Deny requests that do not come through the S3 VPC endpoint (with the exceptions in the README). Leave on."
  type        = bool
  default     = true
  nullable    = false
}

variable "vpc_endpoint_exempt_principal_arns" {
  description = "IAM principals (ARN patterns, * allowed after role/) exempt from the VPC-endpoint rule: Terraform's role and break-glass administrators, who manage the buckets from outside the VPC."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.vpc_endpoint_exempt_principal_arns : can(regex("^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:(root|role/.+|assumed-role/.+|user/.+)$", arn))])
    error_message = "var.vpc_endpoint_exempt_principal_arns must be IAM role, user or root ARNs of a named account."
  }
}

variable "model_reader_principal_arns" {
  description = "Principals in other accounts (ARN patterns, e.g. the promotion roles of staging and prod) that may read the model buckets, from outside the VPC. Empty: none."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.model_reader_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/*-]+$", arn))])
    error_message = "var.model_reader_principal_arns must be IAM role ARNs (or patterns) of named accounts."
  }
}

variable "serverless_model_readers" {
  description = <<-EOT
    Roles that read model data from outside the VPC endpoint: a serverless endpoint's model role
    (a serverless endpoint has no VPC, so SageMaker downloads its model from its own network with
    that role). Each may s3:GetObject under its key prefixes of its team's model bucket and do
    nothing else there from outside the endpoint. Empty: no exception.
  EOT
  type = list(object({
    principal_arn = string
    team          = string
    key_prefixes  = list(string)
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for r in var.serverless_model_readers : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", r.principal_arn))])
    error_message = "var.serverless_model_readers: each principal_arn must be one IAM role ARN (no wildcards)."
  }
  validation {
    condition     = alltrue([for r in var.serverless_model_readers : length(r.key_prefixes) > 0 && alltrue([for p in r.key_prefixes : can(regex("^[A-Za-z0-9!_.'()-][A-Za-z0-9!_.'()/-]*/$", p))])])
    error_message = "var.serverless_model_readers: each needs key_prefixes ending in / (such as promoted/), without wildcards."
  }
}

variable "promoted_prefix" {
  description = "Key prefix of the model buckets where promoted models live, the ones staging and prod endpoints load (tools/promote_model.py copies there). Only var.promoted_prefix_writer_arns may write or delete under it."
  type        = string
  default     = "promoted/"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.'()-][A-Za-z0-9!_.'()/-]*/$", var.promoted_prefix))
    error_message = "var.promoted_prefix must be a key prefix ending in / (such as promoted/), without wildcards."
  }
}

variable "promoted_prefix_writer_arns" {
  description = "The only principals (role ARNs) that may write or delete under var.promoted_prefix of the model buckets: the promotion role where models are promoted in. Empty: nobody (a team role that may write its model bucket cannot replace what an endpoint serves)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.promoted_prefix_writer_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "var.promoted_prefix_writer_arns must hold IAM role ARNs, without wildcards."
  }
}

variable "enforce_bucket_key" {
  description = "Deny uploads that ask for another encryption than SSE-KMS, or another KMS key than the bucket's (an upload that names none gets the bucket's default: its key). Leave on."
  type        = bool
  default     = true
  nullable    = false
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted object version is kept before it expires."
  type        = number
  default     = 90
  nullable    = false

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "var.noncurrent_version_expiration_days must be a whole number of days, at least 1."
  }
}

variable "abort_incomplete_multipart_days" {
  description = "Days after which an unfinished multipart upload is aborted and its parts deleted."
  type        = number
  default     = 7
  nullable    = false

  validation {
    condition     = var.abort_incomplete_multipart_days >= 1 && floor(var.abort_incomplete_multipart_days) == var.abort_incomplete_multipart_days
    error_message = "var.abort_incomplete_multipart_days must be a whole number of days, at least 1."
  }
}

variable "access_log_expiration_days" {
  description = "Days S3 server access logs are kept."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = var.access_log_expiration_days >= 90 && floor(var.access_log_expiration_days) == var.access_log_expiration_days
    error_message = "var.access_log_expiration_days must be a whole number of days, at least 90."
  }
}

variable "force_destroy" {
  description = "Let `destroy` delete buckets that still hold objects. Off: a bucket with data refuses to go."
  type        = bool
  default     = false
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
