variable "parameter_prefix" {
  description = "Where the environment contract lives: /<name_prefix>/<environment>."
  type        = string

  validation {
    condition     = can(regex("^(/[a-zA-Z0-9_.-]+)+$", var.parameter_prefix))
    error_message = "var.parameter_prefix must be an SSM path such as /smenv/dev (no trailing slash)."
  }
}

variable "parameters" {
  description = "The contract: parameter name under the prefix (e.g. network/vpc_id) => value. Lists go in string_lists."
  type        = map(string)

  validation {
    condition     = alltrue([for name in keys(var.parameters) : can(regex("^[a-zA-Z0-9_.-]+(/[a-zA-Z0-9_.-]+)*$", name))])
    error_message = "var.parameters: each name must be a relative SSM path such as network/vpc_id."
  }
}

variable "string_lists" {
  description = "Parameters whose value is a list, published comma-separated."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = alltrue([for name, values in var.string_lists : can(regex("^[a-zA-Z0-9_.-]+(/[a-zA-Z0-9_.-]+)*$", name)) && alltrue([for v in values : !strcontains(v, ",")])])
    error_message = "var.string_lists: each name must be a relative SSM path and no value may contain a comma."
  }
}

variable "kms_key_arn" {
  description = "KMS key (the params key) the parameters are encrypted with; readers decrypt through SSM."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.kms_key_arn))
    error_message = "var.kms_key_arn must be a KMS key ARN."
  }
}
