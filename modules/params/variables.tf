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
  nullable    = false

  validation {
    condition     = alltrue([for name in keys(var.parameters) : can(regex("^[a-zA-Z0-9_.-]+(/[a-zA-Z0-9_.-]+)*$", name))])
    error_message = "var.parameters: each name must be a relative SSM path such as network/vpc_id."
  }
}

variable "string_lists" {
  description = "Parameters whose value is a list, published comma-separated."
  type        = map(list(string))
  default     = {}
  nullable    = false

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
