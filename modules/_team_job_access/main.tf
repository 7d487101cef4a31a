# What every role a team's SageMaker jobs run as holds in common (the notebook module's team role, the
# pipelines module's pipeline role): the team's own buckets and keys, never the platform's control
# tags nor another team's security group, and what SageMaker needs of the role to run the job in the
# private network: pull the job's image from the allowed registries, put its network interfaces in the
# private subnets and the team's own group (and hand them to SageMaker), publish the job's metrics in
# SageMaker's namespaces, and the listings with no resource-level permissions.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  region      = data.aws_region.current.name
  ec2_arn     = "arn:${local.partition}:ec2:${local.region}:${local.account_id}"
  subnet_arns = [for s in var.subnet_ids : "${local.ec2_arn}:subnet/${s}"]
  bucket_arns = [for b in var.bucket_names : "arn:${local.partition}:s3:::${b}"]
  # The platform's tags: the enforcer's markers (smenv:*) and managed-by.
  control_tag_keys = ["managed-by", "smenv:*"]

  # This account's repositories, and the allow-list (by registry or by repository).
  registries = var.job_image_registries != null ? var.job_image_registries : module.aws_registries.account_ids
  image_repositories = sort(distinct(concat(
    ["arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/*"],
    [for entry in local.registries : can(regex("^[0-9]{12}$", entry)) ? "arn:${local.partition}:ecr:${local.region}:${entry}:repository/*" : entry],
  )))
}

# The region's AWS-owned SageMaker image registries: the default allow-list for job images.
module "aws_registries" {
  source = "../_image_registries"
  region = local.region
}

data "aws_iam_policy_document" "this" {
  # The team's buckets and keys only.
  statement {
    sid       = "OwnBuckets"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = local.bucket_arns
  }
  statement {
    sid       = "OwnObjects"
    actions   = var.object_actions
    resources = [for arn in local.bucket_arns : "${arn}/*"]
  }
  statement {
    sid       = "OwnKeys"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
    resources = [var.kms_key_arns["data"], var.kms_key_arns["models"], var.kms_key_arns["volumes"]]
  }
  statement {
    sid       = "GrantsForSageMakerVolumes"
    actions   = ["kms:CreateGrant"]
    resources = [var.kms_key_arns["volumes"], var.kms_key_arns["models"]]
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
  # No team sets or removes the control tags, on create or after (aws:TagKeys).
  statement {
    sid       = "DenyControlTags"
    effect    = "Deny"
    actions   = ["sagemaker:*"]
    resources = ["*"]
    condition {
      test     = "ForAnyValue:StringLike"
      variable = "aws:TagKeys"
      values   = local.control_tag_keys
    }
  }
  # The team's own security group only: another team's group would admit this team's containers.
  statement {
    sid       = "DenyOtherTeamsSecurityGroups"
    effect    = "Deny"
    actions   = ["sagemaker:*"]
    resources = ["*"]
    condition {
      test     = "ForAnyValue:StringNotEquals"
      variable = "sagemaker:VpcSecurityGroupIds"
      values   = [var.security_group_id]
    }
  }
  # SageMaker pulls a job's image with the execution role: this account's repositories and the allow-list.
  statement {
    sid       = "PullJobImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = local.image_repositories
  }
  # A job's network interfaces: the private subnets and the team's own group.
  statement {
    sid       = "JobNetworkInterfacesInThePrivateSubnets"
    actions   = ["ec2:CreateNetworkInterface"]
    resources = concat(["${local.ec2_arn}:network-interface/*", "${local.ec2_arn}:security-group/${var.security_group_id}"], local.subnet_arns)
  }
  # Handing them to SageMaker and removing them: interfaces of the private subnets only (ec2:Subnet;
  # the network-interface resource sends no group key, so teams of the environment share this).
  statement {
    sid       = "JobNetworkInterfacePermissionsInThePrivateSubnets"
    actions   = ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"]
    resources = ["${local.ec2_arn}:network-interface/*"]
    condition {
      test     = "ArnEquals"
      variable = "ec2:Subnet"
      values   = local.subnet_arns
    }
  }
  # Job metrics go to SageMaker's job namespaces only (cloudwatch:namespace): not the endpoints'
  # (their alarms would be fooled) nor the platform's.
  statement {
    sid       = "SageMakerJobMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = var.job_metric_namespaces
    }
  }
  # These have no resource-level permissions (Describe*, GetAuthorizationToken).
  statement {
    sid       = "ReadOnlyListings"
    actions   = ["ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}
