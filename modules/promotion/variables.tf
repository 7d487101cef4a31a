variable "name_prefix" {
  description = "Prefix of every name this module creates (<name_prefix>-promotion, <name_prefix>-models) and of the endpoints, endpoint configurations and models the role may update."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "var.name_prefix must be 3-24 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

# --- Who may promote ---------------------------------------------------------------------------------

variable "trusted_principal_arns" {
  description = "The IAM roles and users (exact ARNs, any account) that may assume the promotion role: the operators' or the pipeline's identities that run tools/promote_model.py."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.trusted_principal_arns) > 0
    error_message = "var.trusted_principal_arns must name at least one role or user: nobody could assume the promotion role."
  }
  validation {
    condition     = alltrue([for arn in var.trusted_principal_arns : can(regex("^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$", arn))])
    error_message = "var.trusted_principal_arns must be IAM role or user ARNs (arn:aws:iam::<12 digits>:role/<name> or :user/<name>), without wildcards."
  }
}

# --- The registry ------------------------------------------------------------------------------------

variable "model_package_group_description" {
  description = "Description of the model package group <name_prefix>-models that promoted packages are registered in."
  type        = string
  default     = "Models promoted into this environment by tools/promote_model.py"
  nullable    = false

  validation {
    condition     = length(var.model_package_group_description) > 0 && length(var.model_package_group_description) <= 1024
    error_message = "var.model_package_group_description must be 1-1024 characters."
  }
}

variable "registry_reader_account_ids" {
  description = "Accounts whose principals may read the model package group (DescribeModelPackageGroup, ListModelPackages, DescribeModelPackage) through its resource policy. Empty: no resource policy."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for account in var.registry_reader_account_ids : can(regex("^[0-9]{12}$", account))])
    error_message = "var.registry_reader_account_ids must be 12-digit AWS account IDs."
  }
}

variable "registered_approval_statuses" {
  description = "Approval statuses the role may register a package with (condition sagemaker:ModelApprovalStatus on CreateModelPackage). [\"PendingManualApproval\"] in prod keeps approval with a reviewer."
  type        = list(string)
  default     = ["Approved", "PendingManualApproval"]
  nullable    = false

  validation {
    condition     = length(var.registered_approval_statuses) > 0 && alltrue([for s in var.registered_approval_statuses : contains(["Approved", "PendingManualApproval"], s)])
    error_message = "var.registered_approval_statuses must be one or both of Approved and PendingManualApproval."
  }
}

# --- Where the artifacts land ------------------------------------------------------------------------

variable "models_bucket_name" {
  description = "The target model bucket (promotion/model_bucket in the contract) the artifacts are copied into."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.models_bucket_name))
    error_message = "var.models_bucket_name must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)."
  }
}

variable "key_prefix" {
  description = "Key prefix the role may write under (src/smenv/promotion/plan.py writes promoted/<group>/<version>/<hash>/...)."
  type        = string
  default     = "promoted/"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.'()-]+(/[A-Za-z0-9!_.'()-]+)*/$", var.key_prefix))
    error_message = "var.key_prefix must be a relative key prefix ending in / (e.g. promoted/), without wildcards."
  }
}

variable "models_kms_key_arn" {
  description = "The target's models key (promotion/kms_key_arn in the contract) the copies are encrypted with (SSE-KMS), as a key ARN."
  type        = string

  validation {
    condition     = can(regex("^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[a-f0-9]{32}|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$", var.models_kms_key_arn))
    error_message = "var.models_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias."
  }
}

# --- The contract ------------------------------------------------------------------------------------

variable "parameter_prefix" {
  description = "Where the environment contract lives: /<name_prefix>/<environment>. The role reads promotion/, network/ and endpoints/ under it."
  type        = string

  validation {
    condition     = can(regex("^(/[a-zA-Z0-9_.-]+)+$", var.parameter_prefix))
    error_message = "var.parameter_prefix must be an SSM path such as /smenv/staging (no trailing slash)."
  }
}

variable "params_kms_key_arn" {
  description = "The params key the contract is encrypted with; the role decrypts it through SSM only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[a-f0-9]{32}|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$", var.params_kms_key_arn))
    error_message = "var.params_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias."
  }
}

# --- The source (dev) --------------------------------------------------------------------------------

variable "source_model_bucket_arns" {
  description = "Model buckets in the source accounts the artifacts are copied from (server-side: the role reads them). Their bucket policies must grant this role read (modules/buckets model_reader_principal_arns). Empty: no statement."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.source_model_bucket_arns : can(regex("^arn:aws(-cn|-us-gov)?:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))])
    error_message = "var.source_model_bucket_arns must be S3 bucket ARNs (arn:aws:s3:::<bucket>), without keys or wildcards."
  }
}

variable "source_kms_key_arns" {
  description = "The source accounts' models keys the artifacts are encrypted with; the role decrypts through S3 only. Their key policies must allow this account (modules/kms cross_account_decrypt_account_ids). Empty: no statement."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.source_kms_key_arns : can(regex("^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[a-f0-9]{32}|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$", arn))])
    error_message = "var.source_kms_key_arns must be KMS key ARNs (arn:aws:kms:<region>:<account>:key/<key id>), not aliases."
  }
}

variable "source_model_package_group_names" {
  description = "Model package groups in the source accounts that packages are promoted from. promote_model names the model it deploys <source group>-<version>-<hash>, so the endpoint update may create, describe and delete models named <group>-* too (beside <name_prefix>-*)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for group in var.source_model_package_group_names : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", group))])
    error_message = "var.source_model_package_group_names must be SageMaker model package group names."
  }
}

variable "source_image_repository_arns" {
  description = "ECR repositories in the source accounts whose images promote_model copies into <name_prefix>-promoted/<repository> here (the role reads them: DescribeImages, BatchGetImage, GetDownloadUrlForLayer). Each repository's policy must grant this role the same. Empty: no image is copied (no ECR statement); a package whose image is in the source account is refused."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.source_image_repository_arns : can(regex("^arn:aws(-cn|-us-gov)?:ecr:[a-z0-9-]+:[0-9]{12}:repository/(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$", arn))])
    error_message = "var.source_image_repository_arns must be ECR repository ARNs (arn:aws:ecr:<region>:<12 digits>:repository/<name>), without wildcards."
  }
}

# --- The optional endpoint update --------------------------------------------------------------------

variable "endpoint_execution_role_arns" {
  description = "Execution roles of the endpoints promote_model may update (modules/endpoint role_arn): the new model runs as the serving one does, so the role passes exactly these to SageMaker. Empty: no endpoint update (no endpoint statements)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.endpoint_execution_role_arns : can(regex("^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", arn))])
    error_message = "var.endpoint_execution_role_arns must be IAM role ARNs (arn:aws:iam::<12 digits>:role/<name>), without wildcards."
  }
}

variable "endpoint_kms_key_arns" {
  description = "Keys the endpoint configurations encrypt the instances' volumes with (KmsKeyId: the volumes key). UpdateEndpoint creates grants on them for the new instances. Empty: none."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.endpoint_kms_key_arns : can(regex("^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[a-f0-9]{32}|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$", arn))])
    error_message = "var.endpoint_kms_key_arns must be KMS key ARNs (arn:aws:kms:<region>:<account>:key/<key id>), not aliases."
  }
}

variable "guardrail_policy_arns" {
  description = "The SageMaker guardrail policies (modules/guardrails policy_arns), attached to the role: the models it creates are held to the environment's rules. Empty: none attached."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for arn in var.guardrail_policy_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "var.guardrail_policy_arns must hold IAM policy ARNs (arn:aws:iam::<account>:policy/<name>)."
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
