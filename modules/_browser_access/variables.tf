variable "subject" {
  description = "What the allow statements open, in their Sids: Open<subject>ThroughTheEndpoints, Open<subject>FromTheConsoleNetworks (e.g. TheTeamsNotebook)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9]+$", var.subject))
    error_message = "var.subject must be letters and digits only (it is part of a statement id)."
  }
}

variable "open_actions" {
  description = "The calls that open the team's own session (e.g. sagemaker:CreatePresignedNotebookInstanceUrl)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.open_actions) > 0 && alltrue([for a in var.open_actions : can(regex("^sagemaker:[A-Za-z]+$", a))])
    error_message = "var.open_actions must name SageMaker actions such as sagemaker:CreatePresignedDomainUrl."
  }
}

variable "resources" {
  description = "The team's own sessions: the ARNs open_actions may act on."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.resources) > 0 && alltrue([for r in var.resources : startswith(r, "arn:")])
    error_message = "var.resources must hold ARNs."
  }
}

variable "deny_actions" {
  description = "Every browser session the deny covers outside the endpoints and console networks."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.deny_actions) > 0
    error_message = "var.deny_actions must name at least one action."
  }
}

variable "deny_sid" {
  description = "The deny statement's id."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9]+$", var.deny_sid))
    error_message = "var.deny_sid must be letters and digits only."
  }
}

variable "vpc_endpoint_ids" {
  description = "The interface endpoints a person's call and browser come through (vpce-...). Empty: none."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.vpc_endpoint_ids : can(regex("^vpce-[0-9a-f]{8,17}$", id))])
    error_message = "var.vpc_endpoint_ids must hold VPC endpoint ids (vpce-...)."
  }
}

variable "console_cidrs" {
  description = "Networks (IPv4 CIDRs) from which a person may open the session without an endpoint. Empty: none."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.console_cidrs : can(cidrnetmask(c))])
    error_message = "var.console_cidrs must hold IPv4 CIDR blocks such as 203.0.113.0/24."
  }
}
