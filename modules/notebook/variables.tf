variable "name_prefix" {
  description = "Prefix of every name this module creates; each team's notebook and role is <name_prefix>-<team>."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "teams" {
  description = "Teams that get a notebook instance and an execution role each."
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
  description = "Data bucket by team (modules/buckets output data_buckets)."
  type        = map(string)
  nullable    = false
}

variable "model_buckets" {
  description = "Model bucket by team (modules/buckets output model_buckets)."
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
}

variable "subnet_ids" {
  description = "Private subnets; team i's notebook goes into subnet i modulo their number."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "var.subnet_ids must hold at least one subnet ID (subnet-...)."
  }
}

variable "team_security_group_ids" {
  description = "Security group by team (modules/network team_security_group_ids): each team's notebook and jobs run in its own, which admits no other team."
  type        = map(string)
  nullable    = false

  validation {
    condition     = alltrue([for id in values(var.team_security_group_ids) : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "var.team_security_group_ids must map teams to security group IDs (sg-...)."
  }
}

variable "guardrail_policy_arns" {
  description = "The preventive guardrail policies (modules/guardrails policy_arns), attached to every execution role made here."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.guardrail_policy_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "var.guardrail_policy_arns must hold IAM policy ARNs (arn:aws:iam::<account>:policy/<name>)."
  }
}

variable "instance_type" {
  description = "Notebook instance type."
  type        = string
  default     = "ml.t3.medium"
  nullable    = false

  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_type))
    error_message = "var.instance_type must be a SageMaker instance type such as ml.t3.medium."
  }
}

variable "platform_identifier" {
  description = "Notebook platform (Amazon Linux and JupyterLab versions)."
  type        = string
  default     = "notebook-al2-v3"
  nullable    = false

  validation {
    condition     = can(regex("^notebook-al[0-9]+-v[0-9]+$", var.platform_identifier))
    error_message = "var.platform_identifier must look like notebook-al2-v3."
  }
}

variable "volume_size_in_gb" {
  description = "Size of each notebook's encrypted storage volume."
  type        = number
  default     = 20
  nullable    = false

  validation {
    condition     = var.volume_size_in_gb >= 5 && var.volume_size_in_gb <= 16384
    error_message = "var.volume_size_in_gb must be from 5 to 16384."
  }
}

variable "idle_minutes" {
  description = "Stop a notebook after this many idle minutes (Jupyter's sessions and terminals). 0 disables the auto-stop."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = floor(var.idle_minutes) == var.idle_minutes && (var.idle_minutes == 0 || var.idle_minutes >= 5)
    error_message = "var.idle_minutes must be a whole number of minutes: 0 (no auto-stop) or at least 5, never below 0."
  }
}

variable "notebooks_prefix" {
  description = "Prefix in the team's data bucket holding the notebooks copied in at creation (\"\" = the whole bucket)."
  type        = string
  default     = "notebooks/"
  nullable    = false

  validation {
    condition     = !startswith(var.notebooks_prefix, "/")
    error_message = "var.notebooks_prefix must not start with /."
  }
}

variable "bucket_placeholder" {
  description = "Text in the notebooks replaced by the team's data bucket name at creation."
  type        = string
  default     = "<<DATA_BUCKET>>"
  nullable    = false

  validation {
    condition     = length(var.bucket_placeholder) > 0 && !can(regex("[\"\\\\\\n]", var.bucket_placeholder))
    error_message = "var.bucket_placeholder must be non-empty, without quotes, backslashes or newlines."
  }
}

variable "job_image_registries" {
  description = <<-EOT
    Where the teams' jobs may pull container images from, besides this account's own ECR: 12-digit
    registry account ids (every repository there) or ECR repository ARNs. null: the region's
    AWS-owned SageMaker registries (Deep Learning Containers and SageMaker framework images,
    modules/_image_registries). Never "*": a role that may pull any image may run any code.
  EOT
  type        = list(string)
  default     = null

  validation {
    condition     = var.job_image_registries == null || alltrue([for entry in coalesce(var.job_image_registries, []) : can(regex("^([0-9]{12}|arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9][a-z0-9._/-]*)$", entry))])
    error_message = "var.job_image_registries must hold 12-digit registry account ids or ECR repository ARNs (arn:aws:ecr:<region>:<account>:repository/<name>), no wildcards."
  }
}

variable "parameter_prefix" {
  description = "The environment contract's SSM path (/<name_prefix>/<environment>): the teams may read it, never write it. null: no contract access."
  type        = string
  default     = null

  validation {
    condition     = var.parameter_prefix == null || can(regex("^/[a-z0-9][a-z0-9/_-]*[a-z0-9]$", coalesce(var.parameter_prefix, "/x")))
    error_message = "var.parameter_prefix must be an SSM path such as /smenv/dev, without a trailing slash."
  }
}

variable "presigned_url_vpc_endpoint_ids" {
  description = "By service, the interface endpoints a person's console calls and browser come through to open a notebook (modules/network interface_endpoint_ids: notebook and sagemaker.api). The published notebook-user policy allows CreatePresignedNotebookInstanceUrl through these only (or from var.allowed_console_cidrs)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for id in values(var.presigned_url_vpc_endpoint_ids) : can(regex("^vpce-[0-9a-f]{8,17}$", id))])
    error_message = "var.presigned_url_vpc_endpoint_ids must map service names to VPC endpoint ids (vpce-...)."
  }
}

variable "allowed_console_cidrs" {
  description = "Networks (IPv4 CIDRs: the office's egress, a VPN's) from which a person may open a team's notebook without a VPC endpoint. Empty: through the endpoints only."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.allowed_console_cidrs : can(cidrnetmask(c)) && can(regex("^[0-9.]+/[0-9]+$", c))])
    error_message = "var.allowed_console_cidrs must hold IPv4 CIDR blocks such as 203.0.113.0/24."
  }
}

variable "interface_endpoint_ids" {
  description = "The environment's interface endpoints by service (modules/network interface_endpoint_ids). A team reads its logs (logs) and the contract (ssm) through them only, so credentials carried out of a notebook read nothing from elsewhere. Empty: no such condition."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for id in values(var.interface_endpoint_ids) : can(regex("^vpce-[0-9a-f]{8,17}$", id))])
    error_message = "var.interface_endpoint_ids must map service names to VPC endpoint ids (vpce-...)."
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
