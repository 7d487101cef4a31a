variable "name_prefix" {
  description = "Prefix of every name this module creates; each team's pipeline role is <name_prefix>-<team>-pipeline and its model package group <name_prefix>-<team>-models."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "teams" {
  description = "Teams that get a pipeline execution role and a model package group each (the teams of modules/notebook)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.teams) > 0 && alltrue([for t in var.teams : can(regex("^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$", t))])
    error_message = "var.teams must list teams of 1-16 lower-case letters, digits and hyphens (each is a tag value and a name part)."
  }

  validation {
    condition     = alltrue(flatten([for a in var.teams : [for b in var.teams : a == b || !startswith(b, "${a}-")]]))
    error_message = "var.teams: a team name must not be another's followed by \"-\" (fraud and fraud-eu): the team's names start with <name_prefix>-<team>-, which would cover the other team's."
  }
}

variable "data_buckets" {
  description = "Data bucket by team (modules/buckets output data_buckets): a pipeline reads and writes its own team's only."
  type        = map(string)
  nullable    = false
}

variable "model_buckets" {
  description = "Model bucket by team (modules/buckets output model_buckets): a pipeline reads and writes its own team's only."
  type        = map(string)
  nullable    = false
}

variable "kms_key_arns" {
  description = "KMS key ARN by purpose (modules/kms output key_arns): data, models and volumes are used."
  type        = map(string)
  nullable    = false

  validation {
    condition     = alltrue([for p in ["data", "models", "volumes"] : contains(keys(var.kms_key_arns), p)])
    error_message = "var.kms_key_arns must hold the data, models and volumes keys."
  }

  validation {
    condition     = alltrue([for arn in values(var.kms_key_arns) : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", arn))])
    error_message = "var.kms_key_arns must map purposes to KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "subnet_ids" {
  description = "The private subnets (modules/network private_subnet_ids) a pipeline's jobs may put their network interfaces in."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "var.subnet_ids must hold at least one subnet ID (subnet-...)."
  }
}

variable "team_security_group_ids" {
  description = "Security group by team (modules/network team_security_group_ids): a team's pipeline jobs run in its own group, which admits no other team."
  type        = map(string)
  nullable    = false

  validation {
    condition     = alltrue([for id in values(var.team_security_group_ids) : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "var.team_security_group_ids must map teams to security group IDs (sg-...)."
  }
}

variable "guardrail_policy_arns" {
  description = "The preventive guardrail policies (modules/guardrails policy_arns), attached to every pipeline role: SageMaker Pipelines creates each step's job with that role, so the guardrails judge every step."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.guardrail_policy_arns) > 0 && alltrue([for arn in var.guardrail_policy_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "var.guardrail_policy_arns must hold at least one IAM policy ARN (arn:aws:iam::<account>:policy/<name>): a pipeline role without the guardrails would run work nothing judged."
  }
}

variable "job_image_registries" {
  description = <<-EOT
    Where the pipelines' jobs may pull container images from, besides this account's own ECR: 12-digit
    registry account ids (every repository there) or ECR repository ARNs. null: the region's
    AWS-owned SageMaker registries (modules/_image_registries), as for the notebooks' jobs.
  EOT
  type        = list(string)
  default     = null

  validation {
    condition     = var.job_image_registries == null || alltrue([for entry in coalesce(var.job_image_registries, []) : can(regex("^([0-9]{12}|arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9][a-z0-9._/-]*)$", entry))])
    error_message = "var.job_image_registries must hold 12-digit registry account ids or ECR repository ARNs (arn:aws:ecr:<region>:<account>:repository/<name>), no wildcards."
  }
}

variable "registered_approval_statuses" {
  description = "The approval statuses a pipeline may register a model package with (sagemaker:ModelApprovalStatus). Default: PendingManualApproval only, so a person approves what a pipeline registers; a pipeline never approves its own model."
  type        = list(string)
  default     = ["PendingManualApproval"]
  nullable    = false

  validation {
    condition     = length(var.registered_approval_statuses) > 0 && alltrue([for s in var.registered_approval_statuses : contains(["Approved", "PendingManualApproval", "Rejected"], s)])
    error_message = "var.registered_approval_statuses must list one or more of Approved, PendingManualApproval, Rejected."
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
