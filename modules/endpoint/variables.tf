variable "name_prefix" {
  description = "Prefix of every name this module creates; the endpoint is <name_prefix>-<name>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "name" {
  description = "The endpoint's short name (the endpoint is <name_prefix>-<name>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,22}[a-z0-9])?$", var.name))
    error_message = "var.name must be 1-24 lower-case letters, digits and hyphens."
  }
}

variable "shape" {
  description = "provisioned: instances in the VPC, shadow variant, data capture, autoscaling. serverless: no VPC, no network isolation, no data capture, no shadow (see the README)."
  type        = string
  default     = "provisioned"
  nullable    = false

  validation {
    condition     = contains(["provisioned", "serverless"], var.shape)
    error_message = "var.shape must be provisioned or serverless."
  }
}

variable "model" {
  description = "The production model: a container image with model data in the model bucket (model_data_url), or a model package (model_package_arn)."
  type = object({
    image             = optional(string)
    model_data_url    = optional(string)
    model_package_arn = optional(string)
    environment       = optional(map(string), {})
  })
  nullable = false

  validation {
    condition     = (var.model.model_package_arn != null) != (var.model.model_data_url != null)
    error_message = "var.model needs exactly one of model_data_url (with image) or model_package_arn."
  }
  validation {
    condition     = var.model.model_package_arn != null || var.model.image != null
    error_message = "var.model.image is required with model_data_url."
  }
  validation {
    condition     = var.model.model_data_url == null || can(regex("^s3://[a-z0-9][a-z0-9.-]+/.+", var.model.model_data_url))
    error_message = "var.model.model_data_url must be an s3:// URL of an object."
  }
}

variable "shadow" {
  description = "Provisioned only: a shadow variant that receives a copy of sampling_percentage of the requests (its answers are not returned). null: none."
  type = object({
    image               = optional(string)
    model_data_url      = optional(string)
    model_package_arn   = optional(string)
    environment         = optional(map(string), {})
    sampling_percentage = optional(number, 10)
    instance_type       = optional(string)
  })
  default = null

  validation {
    condition     = var.shadow == null || try((var.shadow.model_package_arn != null) != (var.shadow.model_data_url != null), false)
    error_message = "var.shadow needs a model: exactly one of model_data_url (with image) or model_package_arn."
  }
  validation {
    condition     = var.shadow == null || try(var.shadow.sampling_percentage >= 1 && var.shadow.sampling_percentage <= 100 && floor(var.shadow.sampling_percentage) == var.shadow.sampling_percentage, false)
    error_message = "var.shadow.sampling_percentage must be a whole number from 1 to 100."
  }
}

variable "models_promoted" {
  description = "true where models reach this endpoint through tools/promote_model.py (staging, prod): Terraform makes the endpoint with var.model once, then leaves its endpoint configuration to the tool, so an apply does not roll a promoted model back. false: Terraform's configuration is always the one in service."
  type        = bool
  default     = false
  nullable    = false
}

variable "enable_network_isolation" {
  description = "The model containers make no network calls at all (they get their model data from SageMaker). Serverless cannot, and must set false."
  type        = bool
  default     = true
  nullable    = false
}

variable "instance_type" {
  description = "Provisioned: the instance type of the production variant."
  type        = string
  default     = "ml.m5.large"
  nullable    = false

  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_type))
    error_message = "var.instance_type must be a SageMaker instance type such as ml.m5.large."
  }
}

variable "autoscaling" {
  description = "Provisioned: target tracking on invocations per instance, between min_capacity and max_capacity instances."
  type = object({
    enabled                         = optional(bool, true)
    min_capacity                    = optional(number, 1)
    max_capacity                    = optional(number, 5)
    target_invocations_per_instance = optional(number, 100)
    scale_in_cooldown               = optional(number, 300)
    scale_out_cooldown              = optional(number, 60)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.autoscaling.min_capacity >= 1 && var.autoscaling.min_capacity <= var.autoscaling.max_capacity
    error_message = "var.autoscaling: min_capacity must be at least 1 and not above max_capacity."
  }
  validation {
    condition     = var.autoscaling.target_invocations_per_instance > 0 && var.autoscaling.scale_in_cooldown >= 0 && var.autoscaling.scale_out_cooldown >= 0
    error_message = "var.autoscaling: target_invocations_per_instance must be positive and the cooldowns not negative."
  }
}

variable "serverless" {
  description = "Serverless: memory per concurrent invocation (MB) and the most concurrent invocations."
  type = object({
    memory_size_in_mb = optional(number, 2048)
    max_concurrency   = optional(number, 5)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([1024, 2048, 3072, 4096, 5120, 6144], var.serverless.memory_size_in_mb)
    error_message = "var.serverless.memory_size_in_mb must be one of 1024, 2048, 3072, 4096, 5120, 6144."
  }
  validation {
    condition     = var.serverless.max_concurrency >= 1 && var.serverless.max_concurrency <= 200
    error_message = "var.serverless.max_concurrency must be from 1 to 200."
  }
}

variable "data_capture" {
  description = "Provisioned: capture requests and responses into the model bucket under <prefix>/<endpoint>/, encrypted with the models key."
  type = object({
    enabled             = optional(bool, true)
    sampling_percentage = optional(number, 100)
    prefix              = optional(string, "data-capture")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.data_capture.sampling_percentage >= 0 && var.data_capture.sampling_percentage <= 100
    error_message = "var.data_capture.sampling_percentage must be from 0 to 100."
  }
}

variable "model_bucket" {
  description = "The team's model bucket: model data is read from it and captured data written to it."
  type        = string
}

variable "models_kms_key_arn" {
  description = "KMS key (the models key) of the model bucket and the captured data."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.models_kms_key_arn))
    error_message = "var.models_kms_key_arn must be a KMS key ARN."
  }
}

variable "volumes_kms_key_arn" {
  description = "Provisioned: KMS key (the volumes key) for the instances' storage volumes."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.volumes_kms_key_arn))
    error_message = "var.volumes_kms_key_arn must be a KMS key ARN."
  }
}

variable "subnet_ids" {
  description = "Provisioned: the private subnets the model containers run in."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "var.subnet_ids must hold subnet IDs (subnet-...)."
  }
}

variable "security_group_ids" {
  description = "Provisioned: the SageMaker security group."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for s in var.security_group_ids : can(regex("^sg-[0-9a-f]+$", s))])
    error_message = "var.security_group_ids must hold security group IDs (sg-...)."
  }
}

variable "guardrail_policy_arns" {
  description = "The preventive guardrail policies (modules/guardrails policy_arns), attached to the model's execution role."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.guardrail_policy_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "var.guardrail_policy_arns must hold IAM policy ARNs (arn:aws:iam::<account>:policy/<name>)."
  }
}

variable "alarm_topic_arn" {
  description = "SNS topic the endpoint's alarms notify. null: alarms without actions."
  type        = string
  default     = null
}

variable "alarm_thresholds" {
  description = "5XX errors per 5 minutes, p99 model latency (microseconds), CPU and memory utilisation (%)."
  type = object({
    errors_5xx           = optional(number, 0)
    model_latency_p99_us = optional(number, 1000000)
    cpu_utilization      = optional(number, 80)
    memory_utilization   = optional(number, 80)
  })
  default  = {}
  nullable = false
}

variable "allowed_image_registries" {
  description = "Registry accounts (12-digit ids) the models' images may come from besides this account. null: the region's AWS-owned SageMaker registries (modules/_image_registries). The model's role may pull exactly the configured images' repositories, nothing else."
  type        = list(string)
  default     = null

  validation {
    condition     = var.allowed_image_registries == null || alltrue([for a in coalesce(var.allowed_image_registries, []) : can(regex("^[0-9]{12}$", a))])
    error_message = "var.allowed_image_registries must hold 12-digit AWS account ids."
  }
}

variable "extra_image_repository_arns" {
  description = "ECR repositories beyond the configured images' that the model's role may pull from, e.g. where tools/promote_model.py copies custom images (arn:aws:ecr:<region>:<account>:repository/<name>, a trailing /* for a namespace)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.extra_image_repository_arns : can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9][a-z0-9._/-]*(/\\*)?$", arn))])
    error_message = "var.extra_image_repository_arns must hold ECR repository ARNs (a namespace may end in /*; no other wildcard)."
  }
}

variable "model_data_prefixes" {
  description = "Key prefixes in the model bucket the model's role may read, beyond the directories of the configured model data (e.g. promoted/ where tools/promote_model.py copies models in). With shape serverless the bucket grants these, and only these, outside the VPC endpoint (modules/buckets)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for p in var.model_data_prefixes : can(regex("^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]*/$", p))])
    error_message = "var.model_data_prefixes must hold key prefixes ending in / (such as promoted/), not starting with /."
  }
}

variable "force_volume_kms_key" {
  description = "Set the volumes key on the endpoint configuration whatever the instance types. false (default): set it on types with EBS storage and leave it out on types with local NVMe instance storage, where SageMaker refuses one (their storage is encrypted by a hardware module; modules/_instance_storage). true with such a type fails the plan."
  type        = bool
  default     = false
  nullable    = false
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
