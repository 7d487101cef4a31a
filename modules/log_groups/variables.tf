variable "kms_key_arn" {
  description = "KMS key (the logs key) that encrypts every log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.kms_key_arn))
    error_message = "var.kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "retention_in_days" {
  description = "Days CloudWatch keeps SageMaker's logs (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.retention_in_days)
    error_message = "var.retention_in_days must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "endpoint_names" {
  description = "SageMaker endpoints whose /aws/sagemaker/Endpoints/<name> log group is made here (encrypted, retained) before SageMaker makes it without either."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for n in var.endpoint_names : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", n))])
    error_message = "var.endpoint_names must be SageMaker endpoint names: up to 63 letters, digits and hyphens."
  }
}

variable "tags" {
  description = "Tags added to every resource this module creates that takes tags, on top of the provider's default_tags (a cost centre, say). Where the module sets a tag key of its own on a resource (Name, say), the module's value wins there."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = length(var.tags) <= 40
    error_message = "var.tags holds at most 40 tags: AWS allows 50 on a resource, and the provider's default_tags and the module's own tags need the rest."
  }
  validation {
    condition     = alltrue([for key in keys(var.tags) : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]{1,128}$", key))])
    error_message = "var.tags: each key must be 1-128 characters: letters, digits, spaces and _ . : / = + - @ only."
  }
  validation {
    condition     = alltrue([for key in keys(var.tags) : !startswith(lower(key), "aws:") && !startswith(lower(key), "smenv:") && lower(key) != "managed-by"])
    error_message = "var.tags: no key may start with aws: (AWS's own) or smenv: (the platform's markers), nor be managed-by (the provider's default tag, which tools/sweep.py and the enforcer trust)."
  }
  validation {
    condition     = alltrue([for value in values(var.tags) : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]{0,256}$", value))])
    error_message = "var.tags: each value must be at most 256 characters: letters, digits, spaces and _ . : / = + - @ only."
  }
}
