variable "name_prefix" {
  description = "Prefix of every name this module creates: each team's domain <name_prefix>-<team>-studio, the lifecycle configurations <name_prefix>-studio-<app>, each team's policy <name_prefix>-<team>-studio-user."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "teams" {
  description = "Teams that get a Studio domain of their own (<name_prefix>-<team>-studio, its default settings the team's role and group), a user profile (<team>-studio) and a private space (<team>-private) each."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.teams) > 0 && alltrue([for t in var.teams : can(regex("^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$", t))])
    error_message = "var.teams must list teams of 1-16 lower-case letters, digits and hyphens (each is a name part of its profile and space)."
  }

  validation {
    condition     = alltrue(flatten([for a in var.teams : [for b in var.teams : a == b || !startswith(b, "${a}-")]]))
    error_message = "var.teams: a team name must not be another's followed by \"-\" (fraud and fraud-eu): a team's spaces and apps are named <team>-*, which would cover the other team's."
  }
}

variable "app_network_access_type" {
  description = "The domain's network access. VpcOnly only: every app's traffic goes through the VPC (its endpoints, its DNS Firewall); PublicInternetOnly, AWS's default, gives each app internet access through SageMaker's own network."
  type        = string
  default     = "VpcOnly"
  nullable    = false

  validation {
    condition     = var.app_network_access_type == "VpcOnly"
    error_message = "var.app_network_access_type must be VpcOnly: PublicInternetOnly gives every Studio app internet access outside the VPC."
  }
}

variable "vpc_id" {
  description = "The VPC (modules/network output vpc_id)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "var.vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "subnet_ids" {
  description = "The private subnets the domain's apps run in (modules/network output private_subnet_ids)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "var.subnet_ids must hold at least one subnet ID (subnet-...)."
  }
}

variable "team_security_group_ids" {
  description = "Security group by team (modules/network team_security_group_ids): each team's apps run in its own, which admits no other team."
  type        = map(string)
  nullable    = false

  validation {
    condition     = alltrue([for id in values(var.team_security_group_ids) : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "var.team_security_group_ids must map teams to security group IDs (sg-...)."
  }
}

variable "execution_role_arns" {
  description = "SageMaker execution role by team (modules/notebook output execution_role_arns, <name_prefix>-<team>-sagemaker, the guardrails attached): each team's profile and apps run as its own."
  type        = map(string)
  nullable    = false

  validation {
    condition     = alltrue([for arn in values(var.execution_role_arns) : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "var.execution_role_arns must map teams to IAM role ARNs (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "kms_key_arns" {
  description = "KMS key ARN by purpose (modules/kms output key_arns): volumes encrypts the domain's home file system and its apps' volumes."
  type        = map(string)
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", lookup(var.kms_key_arns, "volumes", "")))
    error_message = "var.kms_key_arns must hold the volumes key, by key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "idle_minutes" {
  description = "Shut a JupyterLab or Code Editor app down after this many idle minutes (the domain's app lifecycle management; AWS accepts 60 to 525600). A user may shorten it in a space, never lengthen it. 0 disables idle shutdown."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = floor(var.idle_minutes) == var.idle_minutes && (var.idle_minutes == 0 || (var.idle_minutes >= 60 && var.idle_minutes <= 525600))
    error_message = "var.idle_minutes must be a whole number of minutes: 0 (no idle shutdown) or from 60 to 525600, the bounds SageMaker accepts."
  }
}

variable "instance_type" {
  description = "Instance type the teams' spaces and apps start on by default (the guardrails' instance_types list still bounds what a user may choose)."
  type        = string
  default     = "ml.t3.medium"
  nullable    = false

  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_type))
    error_message = "var.instance_type must be a SageMaker instance type such as ml.t3.medium."
  }
}

variable "retain_home_file_system" {
  description = "On destroy, keep the domain's home file system (EFS: every user's files) instead of deleting it (retention_policy). Set from env.hcl's protect_stateful; a throwaway environment sets false."
  type        = bool
  default     = true
  nullable    = false
}

variable "parameter_prefix" {
  description = "The environment contract's SSM path (/<name_prefix>/<environment>), written into each app's settings by the lifecycle configuration. null: none written."
  type        = string
  default     = null

  validation {
    condition     = var.parameter_prefix == null || can(regex("^/[a-z0-9][a-z0-9/_-]*[a-z0-9]$", coalesce(var.parameter_prefix, "/x")))
    error_message = "var.parameter_prefix must be an SSM path such as /smenv/dev, without a trailing slash."
  }
}

variable "presigned_url_vpc_endpoint_ids" {
  description = "By service, the interface endpoints a person's call and browser come through to open Studio (modules/network interface_endpoint_ids: sagemaker.api and studio). Each team's Studio user policy allows CreatePresignedDomainUrl through these only (or from var.allowed_console_cidrs)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for id in values(var.presigned_url_vpc_endpoint_ids) : can(regex("^vpce-[0-9a-f]{8,17}$", id))])
    error_message = "var.presigned_url_vpc_endpoint_ids must map service names to VPC endpoint ids (vpce-...)."
  }
}

variable "allowed_console_cidrs" {
  description = "Networks (IPv4 CIDRs: the office's egress, a VPN's) from which a person may open the team's Studio without a VPC endpoint. Empty: through the endpoints only."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.allowed_console_cidrs : can(cidrnetmask(c)) && can(regex("^[0-9.]+/[0-9]+$", c))])
    error_message = "var.allowed_console_cidrs must hold IPv4 CIDR blocks such as 203.0.113.0/24."
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
