variable "region" {
  description = "The AWS region whose AWS-owned SageMaker registries to name, e.g. eu-west-1."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.region))
    error_message = "var.region must be an AWS region name such as eu-west-1."
  }
}
