variable "name_prefix" {
  description = "Prefix of every name this module creates; also the prefix of every bucket the S3 endpoint lets through."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "teams" {
  description = "Teams whose notebooks and jobs get a security group of their own, <name_prefix>-<team>-sagemaker, that no other team's group can reach (output team_security_group_ids). Empty: only the shared group the platform's models run in."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for t in var.teams : can(regex("^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$", t))]) && length(distinct(var.teams)) == length(var.teams)
    error_message = "var.teams must list distinct teams of 1-16 lower-case letters, digits and hyphens."
  }
}

variable "vpc_cidr" {
  description = "The VPC's IPv4 CIDR block (private range). Subnets are carved from it with subnet_newbits."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && can(regex("^[0-9.]+/(1[6-9]|2[0-8])$", var.vpc_cidr))
    error_message = "var.vpc_cidr must be a valid IPv4 CIDR block from /16 to /28, e.g. 10.20.0.0/16."
  }
  validation {
    # try(..., true): an unparsable CIDR would fail cidrsubnet() with a confusing function error, or
    # (with false) this rule's message too; the first rule alone names that mistake.
    condition     = try(cidrsubnet(var.vpc_cidr, 0, 0) == var.vpc_cidr, true)
    error_message = "var.vpc_cidr must be a network address (no host bits set), e.g. 10.20.0.0/16 rather than 10.20.1.0/16."
  }
}

variable "azs" {
  description = "Availability zones for the private subnets, one subnet each: at least two, for SageMaker and the endpoints."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.azs) >= 2 && length(distinct(var.azs)) == length(var.azs)
    error_message = "var.azs must list at least two different availability zones."
  }
  validation {
    condition     = alltrue([for az in var.azs : can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$", az))])
    error_message = "var.azs must hold availability zone names such as eu-west-1a."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each private subnet (/16 + 4 = /20 subnets)."
  type        = number
  default     = 4
  nullable    = false

  validation {
    condition     = var.subnet_newbits >= 1 && var.subnet_newbits <= 12 && floor(var.subnet_newbits) == var.subnet_newbits
    error_message = "var.subnet_newbits must be a whole number from 1 to 12."
  }
}

variable "interface_endpoints" {
  description = "Services reached through interface endpoints with private DNS. `notebook` is the SageMaker notebook service; the rest are com.amazonaws.<region>.<name>. sns carries the enforcer's findings."
  type        = list(string)
  default     = ["sagemaker.api", "sagemaker.runtime", "notebook", "sts", "logs", "monitoring", "kms", "ssm", "ecr.api", "ecr.dkr", "events", "sns"]
  nullable    = false

  validation {
    condition     = alltrue([for s in var.interface_endpoints : can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", s))]) && length(distinct(var.interface_endpoints)) == length(var.interface_endpoints)
    error_message = "var.interface_endpoints must be distinct service names such as sagemaker.api or ecr.dkr."
  }
}

variable "studio_endpoints" {
  description = "Add the interface endpoints SageMaker Studio in VpcOnly mode needs beyond var.interface_endpoints (modules/studio): the Studio service (aws.sagemaker.<region>.studio), sagemaker.featurestore-runtime and sagemaker.metrics; the DNS Firewall then also answers the domains' home file system names (*.efs.<region>.amazonaws.com)."
  type        = bool
  default     = false
  nullable    = false
}

variable "extra_s3_bucket_arns" {
  description = "Buckets beyond <name_prefix>-* that the S3 gateway endpoint lets this VPC reach (bucket ARNs, no objects)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.extra_s3_bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))])
    error_message = "var.extra_s3_bucket_arns must be S3 bucket ARNs (arn:aws:s3:::name), without wildcards or object paths."
  }
}

variable "enable_nat_gateway" {
  description = "Opt in to internet egress: a public subnet, an internet gateway and one NAT gateway. Off: the VPC has no route out."
  type        = bool
  default     = false
  nullable    = false
}

variable "flow_logs_kms_key_arn" {
  description = "KMS key (the logs key) that encrypts the VPC flow-log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.flow_logs_kms_key_arn))
    error_message = "var.flow_logs_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "flow_logs_retention_days" {
  description = "Days CloudWatch keeps the flow logs (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "var.flow_logs_retention_days must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "organization_id" {
  description = "The AWS Organizations organization (o-...) whose principals and resources the endpoints admit, instead of this account alone (aws:PrincipalOrgID, aws:ResourceOrgID). null: this account only."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", coalesce(var.organization_id, "o-0000000000")))
    error_message = "var.organization_id must be an AWS Organizations id: o- and 10 to 32 lower-case letters or digits."
  }
}

variable "image_registry_accounts" {
  description = "AWS-owned ECR registries (12-digit account ids) the ECR endpoints admit besides this account's (or the organization's) own. null: the region's AWS-owned SageMaker registries (modules/_image_registries)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.image_registry_accounts == null || alltrue([for a in coalesce(var.image_registry_accounts, []) : can(regex("^[0-9]{12}$", a))])
    error_message = "var.image_registry_accounts must hold 12-digit AWS account ids."
  }
}

variable "dns_firewall" {
  description = <<-EOT
    Route 53 Resolver DNS Firewall on the VPC: names of the AWS services the environment reaches
    (derived from its endpoints) and the VPC's own names are answered; every other name gets
    `mode`: "block" (NODATA, the default) or "alert" (answered and logged, for a rollout).
    extra_domains: more names to answer (wildcards as *.example.com). mutation_protection: nobody
    may remove the firewall from the VPC (a destroy of this module included, until an apply turns
    it off). enabled = false: none.
  EOT
  type = object({
    enabled             = optional(bool, true)
    mode                = optional(string, "block")
    extra_domains       = optional(list(string), [])
    mutation_protection = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["block", "alert"], var.dns_firewall.mode)
    error_message = "var.dns_firewall.mode must be block or alert."
  }
  validation {
    condition     = alltrue([for d in var.dns_firewall.extra_domains : can(regex("^(\\*\\.)?([a-z0-9-]+\\.)+[a-z0-9-]+\\.?$", d))])
    error_message = "var.dns_firewall.extra_domains must hold domain names such as example.com or *.example.com."
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
