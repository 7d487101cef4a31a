variable "name_prefix" {
  description = "Prefix of every name this module creates (the policy and SCP: <name_prefix>-sagemaker-guardrails)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "approved_subnet_ids" {
  description = "The only subnets SageMaker jobs, models and notebooks may run in (modules/network's private subnets). Required while the vpc rule is on."
  type        = list(string)

  validation {
    condition     = alltrue([for id in var.approved_subnet_ids : can(regex("^subnet-([0-9a-f]{8}|[0-9a-f]{17})$", id))])
    error_message = "var.approved_subnet_ids must hold subnet IDs (subnet- and 8 or 17 hex digits), no wildcards."
  }
}

variable "approved_security_group_ids" {
  description = "The only security groups SageMaker jobs, models and notebooks may use (modules/network's SageMaker group). Required while the vpc rule is on."
  type        = list(string)

  validation {
    condition     = alltrue([for id in var.approved_security_group_ids : can(regex("^sg-([0-9a-f]{8}|[0-9a-f]{17})$", id))])
    error_message = "var.approved_security_group_ids must hold security group IDs (sg- and 8 or 17 hex digits), no wildcards."
  }
}

variable "disabled_rules" {
  description = <<-EOT
    Rules to switch off; every rule is on unless named here. Known rules: vpc (subnets and security
    groups given and approved), volume_kms_key, output_kms_key, inter_container_traffic_encryption,
    notebook_root_access, notebook_direct_internet_access. Network isolation is opt-in instead: see
    var.require_network_isolation.
  EOT
  type        = set(string)
  default     = []

  validation {
    condition = alltrue([for rule in var.disabled_rules : contains([
      "vpc", "volume_kms_key", "output_kms_key", "inter_container_traffic_encryption",
      "notebook_root_access", "notebook_direct_internet_access",
    ], rule)])
    error_message = "var.disabled_rules holds an unknown rule name: each must be one of vpc, volume_kms_key, output_kms_key, inter_container_traffic_encryption, notebook_root_access, notebook_direct_internet_access (network isolation is var.require_network_isolation)."
  }
}

variable "require_network_isolation" {
  description = "Also deny training, processing and tuning jobs, monitoring job definitions and models without network isolation. Off by default: common framework containers need the network for distributed training and for fetching packages."
  type        = bool
  default     = false
}

variable "allow_serverless_inference" {
  description = "Exempt CreateModel requests tagged smenv:inference=serverless from the rules that require a VPC (serverless inference cannot attach to one). Only those rules, only CreateModel."
  type        = bool
  default     = false
}

variable "scp_target_ids" {
  description = "OUs, accounts or the organization root to attach the same statements to as a service control policy. Empty: no SCP. Needs to run in the organization's management (or delegated administrator) account."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.scp_target_ids : can(regex("^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|[0-9]{12}|r-[0-9a-z]{4,32})$", id))])
    error_message = "var.scp_target_ids must hold OU IDs (ou-...), 12-digit account IDs or a root ID (r-...)."
  }
}
