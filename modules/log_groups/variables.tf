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

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.retention_in_days)
    error_message = "var.retention_in_days must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "endpoint_names" {
  description = "SageMaker endpoints whose /aws/sagemaker/Endpoints/<name> log group is made here (encrypted, retained) before SageMaker makes it without either."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.endpoint_names : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", n))])
    error_message = "var.endpoint_names must be SageMaker endpoint names: up to 63 letters, digits and hyphens."
  }
}
