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
  nullable    = false

  validation {
    condition     = alltrue([for id in var.approved_subnet_ids : can(regex("^subnet-([0-9a-f]{8}|[0-9a-f]{17})$", id))])
    error_message = "var.approved_subnet_ids must hold subnet IDs (subnet- and 8 or 17 hex digits), no wildcards."
  }
}

variable "approved_security_group_ids" {
  description = "The only security groups SageMaker jobs, models and notebooks may use (modules/network's SageMaker group). Required while the vpc rule is on."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for id in var.approved_security_group_ids : can(regex("^sg-([0-9a-f]{8}|[0-9a-f]{17})$", id))])
    error_message = "var.approved_security_group_ids must hold security group IDs (sg- and 8 or 17 hex digits), no wildcards."
  }
}

variable "disabled_rules" {
  description = <<-EOT
    Rules to switch off; every rule is on unless named here. Known rules: vpc (subnets and security
    groups given and approved; Studio domains VpcOnly), volume_kms_key and output_kms_key (a key
    given, and one of the environment's), inter_container_traffic_encryption, notebook_root_access,
    notebook_direct_internet_access, notebook_imdsv2, notebook_lifecycle_configs (the approved ones
    only, written by the deployers only), remote_debug, instance_types (the allow-list), studio
    (approved lifecycle configurations, images made by the deployers, no remote access to spaces),
    keyless_actions (work that sends no usable key), control_tags (managed-by and smenv:* by their
    writers only). Network isolation is opt-in instead: see var.require_network_isolation.
  EOT
  type        = set(string)
  default     = []
  nullable    = false

  validation {
    condition = alltrue([for rule in var.disabled_rules : contains([
      "vpc", "volume_kms_key", "output_kms_key", "inter_container_traffic_encryption",
      "notebook_root_access", "notebook_direct_internet_access", "notebook_imdsv2",
      "notebook_lifecycle_configs", "remote_debug", "instance_types", "studio", "keyless_actions", "control_tags",
    ], rule)])
    error_message = "var.disabled_rules holds an unknown rule name: each must be one of vpc, volume_kms_key, output_kms_key, inter_container_traffic_encryption, notebook_root_access, notebook_direct_internet_access, notebook_imdsv2, notebook_lifecycle_configs, remote_debug, instance_types, studio, keyless_actions, control_tags (network isolation is var.require_network_isolation)."
  }
}

variable "require_network_isolation" {
  description = "Also deny training, processing and tuning jobs, monitoring job definitions and models without network isolation. Off by default: common framework containers need the network for distributed training and for fetching packages."
  type        = bool
  default     = false
  nullable    = false
}

variable "allow_serverless_inference" {
  description = "Exempt CreateModel requests tagged smenv:inference=serverless, made by one of var.deployer_arns, from the rules that require a VPC (serverless inference cannot attach to one). Only those rules, only CreateModel."
  type        = bool
  default     = false
  nullable    = false
}

variable "scp_target_ids" {
  description = "OUs, accounts or the organization root to attach the same statements to as a service control policy. Empty: no SCP. Needs to run in the organization's management (or delegated administrator) account."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.scp_target_ids : can(regex("^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|[0-9]{12}|r-[0-9a-z]{4,32})$", id))])
    error_message = "var.scp_target_ids must hold OU IDs (ou-...), 12-digit account IDs or a root ID (r-...)."
  }
}

variable "volume_kms_key_arns" {
  description = "The only KMS keys SageMaker work may encrypt its volumes with (the environment's volumes key): a request naming another key (the AWS managed aws/sagemaker one, say) is denied. Required while the volume_kms_key rule is on."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.volume_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", arn))])
    error_message = "var.volume_kms_key_arns must hold KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>), not aliases."
  }
}

variable "output_kms_key_arns" {
  description = "The only KMS keys SageMaker work may encrypt its output with (the environment's data and models keys). Required while the output_kms_key rule is on."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.output_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", arn))])
    error_message = "var.output_kms_key_arns must hold KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>), not aliases."
  }
}

variable "deployer_arns" {
  description = "The principals that deploy the environment (role ARN patterns: Terraform's role, the promotion role). They alone make serverless models without a VPC (with var.allow_serverless_inference) and write notebook and Studio lifecycle configurations (whose scripts run as root). A team tagging its own model gets no exemption."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.deployer_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/*-]+$", arn))])
    error_message = "var.deployer_arns must hold IAM role ARNs (or patterns) of named accounts."
  }
}

variable "control_tag_writer_arns" {
  description = "The principals (role ARN patterns) that may set or remove the control tags (managed-by, smenv:*): the deployers and the enforcer. Nobody else may, on create or after (aws:TagKeys): the enforcer spares what Terraform manages and trusts its own marker."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.control_tag_writer_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/*-]+$", arn))])
    error_message = "var.control_tag_writer_arns must hold IAM role ARNs (or patterns) of named accounts."
  }
}

variable "approved_notebook_lifecycle_config_arns" {
  description = "Notebook lifecycle configurations (ARN patterns) a notebook may run; their scripts run as root at start. Empty: the environment's own, notebook-instance-lifecycle-config/<name_prefix>-*."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.approved_notebook_lifecycle_config_arns : can(regex("^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:notebook-instance-lifecycle-config/.+$", arn))])
    error_message = "var.approved_notebook_lifecycle_config_arns must hold notebook lifecycle configuration ARNs (or patterns)."
  }
}

variable "approved_studio_lifecycle_config_arns" {
  description = "Studio lifecycle configurations (ARN patterns) an app, space, user profile or domain may name; their scripts run in every app. Empty: the environment's own, studio-lifecycle-config/<name_prefix>-*."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.approved_studio_lifecycle_config_arns : can(regex("^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:studio-lifecycle-config/[A-Za-z0-9*-]+$", arn))])
    error_message = "var.approved_studio_lifecycle_config_arns must hold Studio lifecycle configuration ARNs (arn:aws:sagemaker:<region>:<account>:studio-lifecycle-config/<name>, * allowed in the name)."
  }
}

variable "allowed_instance_types" {
  description = "The instance types SageMaker work may use, as patterns (ml.m5.*, ml.g5.2xlarge): cost and blast radius. Empty: every family known on modules/_instance_storage's date (a family newer than that is refused until named)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for t in var.allowed_instance_types : can(regex("^ml\\.[a-z0-9-]+\\.([a-z0-9]+|\\*)$", t))])
    error_message = "var.allowed_instance_types must hold instance types or family patterns such as ml.m5.xlarge or ml.g5.*."
  }
}

variable "allowed_keyless_actions" {
  description = "Actions that send no condition key the rules could test (compilation, optimization, labeling, inference-recommendation jobs, ...: the README lists each and why), which are denied unless named here."
  type        = set(string)
  default     = []
  nullable    = false

  validation {
    condition = alltrue([for a in var.allowed_keyless_actions : contains([
      "sagemaker:CreateAIBenchmarkJob", "sagemaker:CreateAIRecommendationJob", "sagemaker:CreateCompilationJob",
      "sagemaker:CreateEdgePackagingJob", "sagemaker:CreateFlowDefinition", "sagemaker:CreateInferenceExperiment",
      "sagemaker:CreateInferenceRecommendationsJob", "sagemaker:CreateLabelingJob", "sagemaker:CreateMlflowApp",
      "sagemaker:CreateMlflowTrackingServer", "sagemaker:CreateOptimizationJob", "sagemaker:CreatePartnerApp",
      "sagemaker:UpdateInferenceComponent",
    ], a)])
    error_message = "var.allowed_keyless_actions holds an unknown action: each must be one of the actions modules/guardrails/README.md lists under \"Work that sends no usable key\" (sagemaker:CreateCompilationJob, ...)."
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
