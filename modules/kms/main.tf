data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  region       = data.aws_region.current.name
  account_root = "arn:${local.partition}:iam::${local.account_id}:root"
  admins       = length(var.administrator_arns) > 0 ? var.administrator_arns : [local.account_root]

  use_actions = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
  # Only key-scoped List actions: ListAliases, ListKeys and ListRetirableGrants are account-wide and
  # send no kms:CallerAccount, so a key policy never granted them anyway.
  admin_actions = [
    "kms:CancelKeyDeletion", "kms:Create*", "kms:Delete*", "kms:Describe*", "kms:Disable*", "kms:Enable*",
    "kms:Get*", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListResourceTags",
    "kms:Put*", "kms:Revoke*", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource",
    "kms:UntagResource", "kms:Update*",
  ]
}

# In a key policy, Resource "*" means "this key". Every statement whose principals are of this
# account also requires kms:CallerAccount to be this account, as AWS's own key policies do.
data "aws_iam_policy_document" "key" {
  for_each = var.keys

  statement {
    sid       = "KeyAdministration"
    actions   = local.admin_actions
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = local.admins
    }
    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account_id]
    }
  }

  # This account's IAM policies decide which of its roles use the key; the roles this project
  # creates are granted only their own team's keys.
  statement {
    sid       = "KeyUseThroughIam"
    actions   = local.use_actions
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account_id]
    }
  }

  # SageMaker, EBS and S3 act on a caller's behalf through grants, only for AWS resources.
  statement {
    sid       = "GrantsForAwsResourcesOnly"
    actions   = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account_id]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.user_arns) > 0 ? [each.value.user_arns] : []
    content {
      sid       = "KeyUsers"
      actions   = local.use_actions
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = statement.value
      }
      condition {
        test     = "StringEquals"
        variable = "kms:CallerAccount"
        values   = [local.account_id]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "logs" ? [1] : []
    content {
      # No kms:Describe*: DescribeKey carries no encryption context, so the condition never matched it.
      sid       = "CloudWatchLogsForThisAccountsLogGroups"
      actions   = ["kms:Decrypt*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["logs.${local.region}.amazonaws.com"]
      }
      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
      }
    }
  }

  # The contract is read by this account's principals through SSM, never directly.
  dynamic "statement" {
    for_each = each.key == "params" ? [1] : []
    content {
      sid       = "ContractReadThroughSsm"
      actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = [local.account_root]
      }
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "kms:CallerAccount"
        values   = [local.account_id]
      }
    }
  }

  # CloudTrail's delivery notices (modules/trail) go to a topic under this key.
  dynamic "statement" {
    for_each = each.key == "notifications" ? [1] : []
    content {
      sid       = "CloudTrailPublishesForThisAccountsTrails"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["cloudtrail.amazonaws.com"]
      }
      condition {
        test     = "ArnLike"
        variable = "aws:SourceArn"
        values   = ["arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "notifications" ? [1] : []
    content {
      sid       = "EventsAndAlarmsPublishForThisAccount"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }

  # CloudTrail encrypts this account's trails' log files (AWS CloudTrail User Guide, "Configure AWS
  # KMS key policies for CloudTrail"): the encryption context names the trail, and aws:SourceArn
  # this account's trails, against the confused deputy. Readers decrypt through IAM (above).
  dynamic "statement" {
    for_each = each.key == "trail" ? [1] : []
    content {
      sid       = "CloudTrailEncryptsThisAccountsTrails"
      actions   = ["kms:GenerateDataKey*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["cloudtrail.amazonaws.com"]
      }
      condition {
        test     = "StringLike"
        variable = "kms:EncryptionContext:aws:cloudtrail:arn"
        values   = ["arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"]
      }
      condition {
        test     = "ArnLike"
        variable = "aws:SourceArn"
        values   = ["arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"]
      }
    }
  }
  dynamic "statement" {
    for_each = each.key == "trail" ? [1] : []
    content {
      sid       = "CloudTrailDescribesTheKey"
      actions   = ["kms:DescribeKey"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["cloudtrail.amazonaws.com"]
      }
      condition {
        test     = "ArnLike"
        variable = "aws:SourceArn"
        values   = ["arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"]
      }
    }
  }

  # Model promotion: the target accounts' promotion roles read artifacts through S3 only.
  dynamic "statement" {
    for_each = length(each.value.cross_account_decrypt_account_ids) > 0 ? [each.value.cross_account_decrypt_account_ids] : []
    content {
      sid       = "CrossAccountDecryptThroughS3"
      actions   = ["kms:Decrypt", "kms:DescribeKey"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = [for account in statement.value : "arn:${local.partition}:iam::${account}:root"]
      }
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  for_each = var.keys

  description             = coalesce(each.value.description, "${var.name_prefix}: ${each.key}")
  deletion_window_in_days = var.deletion_window_in_days
  enable_key_rotation     = true
  rotation_period_in_days = var.rotation_period_in_days
  policy                  = data.aws_iam_policy_document.key[each.key].json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  for_each = var.keys

  name          = "alias/${var.name_prefix}-${each.key}"
  target_key_id = aws_kms_key.this[each.key].key_id
}
