data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  role_name  = "${var.name_prefix}-promotion"
  group_name = "${var.name_prefix}-models"

  # SageMaker ARNs carry resource names in lower case. Built here (not read from the resources) so
  # the role's policy is known at plan time and reviewed there.
  sagemaker    = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}"
  group_arn    = "${local.sagemaker}:model-package-group/${lower(local.group_name)}"
  packages_arn = "${local.sagemaker}:model-package/${lower(local.group_name)}/*"

  bucket_arn  = "arn:${local.partition}:s3:::${var.models_bucket_name}"
  objects_arn = "${local.bucket_arn}/${var.key_prefix}*"

  # The contract paths promote_model reads (src/smenv/promotion/contract.py): promotion/, network/ (the
  # new model's VpcConfig) and endpoints/<name>/ (--endpoint). GetParametersByPath is authorised
  # on the path itself, GetParameter on each parameter: both forms of each.
  contract_arns = flatten([
    for path in ["promotion", "network", "endpoints"] : [
      "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.parameter_prefix}/${path}",
      "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.parameter_prefix}/${path}/*",
    ]
  ])

  # The endpoint update: endpoints and configurations of this environment (the endpoint module names
  # them <name_prefix>-<name>, the tool's new configuration <endpoint>-<hash>-<time>), and models
  # named either way: the endpoint module's <name_prefix>-<name>-<variant>-<hash> and the tool's
  # <source group>-<version>-<hash> (src/smenv/promotion/endpoint.py model_name).
  endpoint_update = length(var.endpoint_execution_role_arns) > 0
  endpoint_arns   = ["${local.sagemaker}:endpoint/${var.name_prefix}-*"]
  config_arns     = ["${local.sagemaker}:endpoint-config/${var.name_prefix}-*"]
  model_arns = [
    for prefix in distinct(concat([var.name_prefix], [for group in var.source_model_package_group_names : lower(group)])) :
    "${local.sagemaker}:model/${prefix}-*"
  ]
  # The tags the tool puts on what it creates (src/smenv/promotion/endpoint.py TAG_PACKAGE, TAG_INFERENCE).
  tool_tag_keys = ["smenv:model-package-arn", "smenv:inference"]

  # S3 decrypts a source object in the source key's region: one kms:ViaService value per region.
  source_s3_services = distinct([for arn in var.source_kms_key_arns : "s3.${split(":", arn)[3]}.amazonaws.com"])

  # Container images (src/smenv/promotion/images.py): an image in a source account's ECR is copied into
  # <name_prefix>-promoted/<source repository> here, pinned by digest. Only with source repositories
  # to read: without one there is nothing to copy, so no ECR statement at all.
  image_copy               = length(var.source_image_repository_arns) > 0
  promoted_repository_arns = ["arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${var.name_prefix}-promoted/*"]
  # The tag the tool puts on a repository it creates (src/smenv/promotion/images.py TAG_SOURCE_REPOSITORY).
  image_tag_keys = ["smenv:source-repository"]
}

# --- The registry ------------------------------------------------------------------------------------

# Terraform owns the group; promote_model registers versions in it and never creates one.
resource "aws_sagemaker_model_package_group" "this" {
  model_package_group_name        = local.group_name
  model_package_group_description = var.model_package_group_description
  tags                            = var.tags
}

data "aws_iam_policy_document" "registry_readers" {
  count = length(var.registry_reader_account_ids) > 0 ? 1 : 0

  statement {
    sid       = "ReadTheGroup"
    actions   = ["sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"]
    resources = [local.group_arn]
    principals {
      type        = "AWS"
      identifiers = [for account in var.registry_reader_account_ids : "arn:${local.partition}:iam::${account}:root"]
    }
  }
  statement {
    sid       = "ReadItsPackages"
    actions   = ["sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"]
    resources = [local.packages_arn]
    principals {
      type        = "AWS"
      identifiers = [for account in var.registry_reader_account_ids : "arn:${local.partition}:iam::${account}:root"]
    }
  }
}

resource "aws_sagemaker_model_package_group_policy" "readers" {
  count = length(var.registry_reader_account_ids) > 0 ? 1 : 0

  model_package_group_name = aws_sagemaker_model_package_group.this.model_package_group_name
  resource_policy          = data.aws_iam_policy_document.registry_readers[0].json
}

# --- The promotion role ------------------------------------------------------------------------------

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "TrustedPrincipalsOnly"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.trusted_principal_arns
    }
  }
}

data "aws_iam_policy_document" "promotion" {
  # Copy into the model bucket, under the prefix only: CopyObject, CreateMultipartUpload,
  # UploadPartCopy and CompleteMultipartUpload are s3:PutObject; HeadObject (the check before and
  # after each copy) is s3:GetObject; a failed copy is aborted or deleted (its version, where the
  # bucket keeps versions).
  statement {
    sid       = "WritePromotedArtifacts"
    actions   = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject", "s3:PutObject"]
    resources = [local.objects_arn]
  }

  # S3 answers HeadObject of a missing key with 404 only to a caller that may list the bucket, and
  # the tool's existence check (src/smenv/promotion/copy.py head_target) fails on anything but 404. The
  # list reveals key names, not content.
  statement {
    sid       = "FindPromotedArtifacts"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]
  }

  # SSE-KMS with the models key, by S3 only (a multipart copy also decrypts its parts).
  statement {
    sid       = "ModelsKeyThroughS3"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.models_kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  # The registry: this group and its versions only.
  statement {
    sid       = "ReadTheRegistry"
    actions   = ["sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"]
    resources = [local.group_arn]
  }
  statement {
    sid       = "ReadRegisteredPackages"
    actions   = ["sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"]
    resources = [local.packages_arn]
  }
  statement {
    sid       = "RegisterPackages"
    actions   = ["sagemaker:CreateModelPackage"]
    resources = [local.packages_arn]
    condition {
      test     = "StringEquals"
      variable = "sagemaker:ModelApprovalStatus"
      values   = var.registered_approval_statuses
    }
  }

  # The environment contract: the paths the tool reads, decrypted through SSM only.
  statement {
    sid       = "ReadTheContract"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
    resources = local.contract_arns
  }
  statement {
    sid       = "ParamsKeyThroughSsm"
    actions   = ["kms:Decrypt"]
    resources = [var.params_kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }
  }

  # The source: the copies read it server-side with this role's credentials (the exact version
  # the tool checked: GetObjectVersion). The source bucket and key must grant it too.
  dynamic "statement" {
    for_each = length(var.source_model_bucket_arns) > 0 ? [1] : []
    content {
      sid       = "ReadSourceArtifacts"
      actions   = ["s3:GetObject", "s3:GetObjectVersion"]
      resources = [for arn in var.source_model_bucket_arns : "${arn}/*"]
    }
  }
  dynamic "statement" {
    for_each = length(var.source_model_bucket_arns) > 0 ? [1] : []
    content {
      sid       = "ListSourceBuckets"
      actions   = ["s3:ListBucket"]
      resources = var.source_model_bucket_arns
    }
  }
  dynamic "statement" {
    for_each = length(var.source_kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "SourceKeysThroughS3"
      actions   = ["kms:Decrypt"]
      resources = var.source_kms_key_arns
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = local.source_s3_services
      }
    }
  }

  # Custom images: read the source repositories (each one's repository policy must grant this role
  # too): the digest of a tag (DescribeImages), the manifests (BatchGetImage), a URL per blob
  # (GetDownloadUrlForLayer). Nothing else of the source.
  dynamic "statement" {
    for_each = local.image_copy ? [1] : []
    content {
      sid       = "ReadSourceImages"
      actions   = ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"]
      resources = var.source_image_repository_arns
    }
  }
  # ...and push them under <name_prefix>-promoted/ only: find the repository and the image by digest,
  # create a missing repository, skip blobs already there, upload the others, PutImage; a failed
  # run deletes the images it pushed. The copy runs on the ECR API: no registry token (no
  # ecr:GetAuthorizationToken, whose resource can only be *).
  dynamic "statement" {
    for_each = local.image_copy ? [1] : []
    content {
      sid = "PushPromotedImages"
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchDeleteImage",
        "ecr:CompleteLayerUpload",
        "ecr:CreateRepository",
        "ecr:DescribeImages",
        "ecr:DescribeRepositories",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
      ]
      resources = local.promoted_repository_arns
    }
  }
  # CreateRepository with tags is also ecr:TagResource: the tool's own key only.
  dynamic "statement" {
    for_each = local.image_copy ? [1] : []
    content {
      sid       = "TagPromotedRepositoriesOnCreate"
      actions   = ["ecr:TagResource"]
      resources = local.promoted_repository_arns
      condition {
        test     = "ForAllValues:StringEquals"
        variable = "aws:TagKeys"
        values   = local.image_tag_keys
      }
    }
  }

  # The optional endpoint update: read the endpoint, its configuration and serving model; create a
  # model and a configuration, UpdateEndpoint; on failure delete what was created.
  dynamic "statement" {
    for_each = local.endpoint_update ? [1] : []
    content {
      sid       = "ReadEndpoints"
      actions   = ["sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel"]
      resources = concat(local.endpoint_arns, local.config_arns, local.model_arns)
    }
  }
  dynamic "statement" {
    for_each = local.endpoint_update ? [1] : []
    content {
      sid       = "CreateAndRollBackModels"
      actions   = ["sagemaker:CreateModel", "sagemaker:DeleteModel"]
      resources = local.model_arns
    }
  }
  dynamic "statement" {
    for_each = local.endpoint_update ? [1] : []
    content {
      sid       = "CreateAndRollBackEndpointConfigs"
      actions   = ["sagemaker:CreateEndpointConfig", "sagemaker:DeleteEndpointConfig"]
      resources = local.config_arns
    }
  }
  dynamic "statement" {
    for_each = local.endpoint_update ? [1] : []
    content {
      sid       = "UpdateEndpoints"
      actions   = ["sagemaker:UpdateEndpoint"]
      resources = concat(local.endpoint_arns, local.config_arns)
    }
  }
  # Tags on create (CreateModel, CreateEndpointConfig with Tags): the tool's own keys only.
  dynamic "statement" {
    for_each = local.endpoint_update ? [1] : []
    content {
      sid       = "TagOnCreate"
      actions   = ["sagemaker:AddTags"]
      resources = concat(local.model_arns, local.config_arns)
      condition {
        test     = "ForAllValues:StringEquals"
        variable = "aws:TagKeys"
        values   = local.tool_tag_keys
      }
    }
  }
  dynamic "statement" {
    for_each = local.endpoint_update ? [1] : []
    content {
      sid       = "PassOnlyEndpointRolesToSageMaker"
      actions   = ["iam:PassRole"]
      resources = var.endpoint_execution_role_arns
      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["sagemaker.amazonaws.com"]
      }
    }
  }
  # An endpoint configuration with KmsKeyId: SageMaker creates grants on the volumes key for the
  # new instances, with the caller's permissions (kms:GrantIsForAWSResource: only a service may).
  dynamic "statement" {
    for_each = local.endpoint_update && length(var.endpoint_kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "VolumeKeyGrantsForSageMaker"
      actions   = ["kms:CreateGrant"]
      resources = var.endpoint_kms_key_arns
      condition {
        test     = "Bool"
        variable = "kms:GrantIsForAWSResource"
        values   = ["true"]
      }
    }
  }
  dynamic "statement" {
    for_each = local.endpoint_update && length(var.endpoint_kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "DescribeVolumeKeys"
      actions   = ["kms:DescribeKey"]
      resources = var.endpoint_kms_key_arns
    }
  }
}

resource "aws_iam_role" "promotion" {
  name                 = local.role_name
  description          = "tools/promote_model.py in this account: copy into ${var.models_bucket_name}/${var.key_prefix}, register in ${local.group_name}, update ${var.name_prefix}-* endpoints."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "promotion" {
  name   = "promote"
  role   = aws_iam_role.promotion.name
  policy = data.aws_iam_policy_document.promotion.json
}

resource "aws_iam_role_policy_attachment" "guardrails" {
  count = length(var.guardrail_policy_arns)

  role       = aws_iam_role.promotion.name
  policy_arn = var.guardrail_policy_arns[count.index]
}
