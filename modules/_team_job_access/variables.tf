variable "bucket_names" {
  description = "The team's own buckets (modules/buckets data_buckets and model_buckets): the only ones the role lists and reaches objects in."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.bucket_names) > 0 && alltrue([for b in var.bucket_names : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", b))])
    error_message = "var.bucket_names must hold at least one S3 bucket name."
  }
}

variable "object_actions" {
  description = "What the role may do to the objects of its team's buckets (e.g. s3:GetObject, s3:PutObject; s3:DeleteObject only where the role should delete)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.object_actions) > 0 && alltrue([for a in var.object_actions : can(regex("^s3:[A-Za-z]+$", a))])
    error_message = "var.object_actions must name S3 actions such as s3:GetObject, no wildcards."
  }
}

variable "kms_key_arns" {
  description = "KMS key ARN by purpose (modules/kms key_arns): the data, models and volumes keys are the team's to use."
  type        = map(string)
  nullable    = false

  validation {
    condition     = alltrue([for p in ["data", "models", "volumes"] : contains(keys(var.kms_key_arns), p)])
    error_message = "var.kms_key_arns must hold the data, models and volumes keys."
  }
}

variable "subnet_ids" {
  description = "The private subnets (modules/network private_subnet_ids) a job's network interfaces may be in."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "var.subnet_ids must hold at least one subnet ID (subnet-...)."
  }
}

variable "security_group_id" {
  description = "The team's own security group (modules/network team_security_group_ids): the only group a job's interfaces may join."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.security_group_id))
    error_message = "var.security_group_id must be a security group ID (sg-...)."
  }
}

variable "job_image_registries" {
  description = <<-EOT
    Where jobs may pull container images from, besides this account's own ECR: 12-digit registry
    account ids (every repository there) or ECR repository ARNs. null: the region's AWS-owned
    SageMaker registries (modules/_image_registries). Never "*": a role that may pull any image may
    run any code.
  EOT
  type        = list(string)
  default     = null

  validation {
    condition     = var.job_image_registries == null || alltrue([for entry in coalesce(var.job_image_registries, []) : can(regex("^([0-9]{12}|arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9][a-z0-9._/-]*)$", entry))])
    error_message = "var.job_image_registries must hold 12-digit registry account ids or ECR repository ARNs (arn:aws:ecr:<region>:<account>:repository/<name>), no wildcards."
  }
}

variable "job_metric_namespaces" {
  description = "The CloudWatch namespaces SageMaker publishes the jobs' metrics in with the execution role (e.g. /aws/sagemaker/TrainingJobs)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.job_metric_namespaces) > 0 && alltrue([for n in var.job_metric_namespaces : can(regex("^/aws/sagemaker/[A-Za-z]+$", n))])
    error_message = "var.job_metric_namespaces must name SageMaker's job namespaces, such as /aws/sagemaker/TrainingJobs."
  }
}
