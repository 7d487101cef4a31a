data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  # Account and region make the names globally unique; the front stays the seeds' <prefix>-data-<team>.
  suffix = "${local.account_id}-${data.aws_region.current.name}"

  team_buckets = merge(
    { for t in var.teams : "data-${t}" => { team = t, kind = "data", kms_key_arn = var.data_kms_key_arn } },
    { for t in var.teams : "model-${t}" => { team = t, kind = "model", kms_key_arn = var.models_kms_key_arn } },
  )
  names    = { for k, _ in local.team_buckets : k => "${var.name_prefix}-${k}-${local.suffix}" }
  log_name = "${var.name_prefix}-access-logs-${local.suffix}"

  reader_accounts = distinct([for arn in var.model_reader_principal_arns : split(":", arn)[4]])

  # Serverless model readers by bucket: they are exempt from the VPC-endpoint deny, and held instead
  # to s3:GetObject under their prefixes by two denies of their own.
  outside_principals = {
    for k, b in local.team_buckets : k => concat(
      var.vpc_endpoint_exempt_principal_arns,
      b.kind == "model" ? var.model_reader_principal_arns : [],
      [for r in var.serverless_model_readers : r.principal_arn if b.kind == "model" && r.team == b.team],
    )
  }
  serverless_readers = {
    for k, b in local.team_buckets : k => [for r in var.serverless_model_readers : r if b.kind == "model" && r.team == b.team]
  }
}

# --- The teams' data and model buckets --------------------------------------------------------------

resource "aws_s3_bucket" "team" {
  # checkov:skip=CKV_AWS_144: cross-region replication copies regulated data to a second region; a disaster-recovery decision each organisation makes, not a default
  for_each = local.team_buckets

  bucket        = local.names[each.key]
  force_destroy = var.force_destroy
  tags          = var.tags

  lifecycle {
    precondition {
      condition     = length(local.names[each.key]) <= 63
      error_message = "var.teams: the bucket name ${local.names[each.key]} is ${length(local.names[each.key])} characters, over S3's 63: shorten the team name \"${each.value.team}\" (or var.name_prefix)."
    }
  }
}

resource "aws_s3_bucket_public_access_block" "team" {
  for_each = local.team_buckets

  bucket                  = aws_s3_bucket.team[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "team" {
  for_each = local.team_buckets

  bucket = aws_s3_bucket.team[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "team" {
  for_each = local.team_buckets

  bucket = aws_s3_bucket.team[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "team" {
  for_each = local.team_buckets

  bucket = aws_s3_bucket.team[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = each.value.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "team" {
  for_each = local.team_buckets

  bucket = aws_s3_bucket.team[each.key].id
  rule {
    id     = "expire-noncurrent-and-abort-uploads"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.team]
}

resource "aws_s3_bucket_logging" "team" {
  for_each = local.team_buckets

  bucket        = aws_s3_bucket.team[each.key].id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "${aws_s3_bucket.team[each.key].id}/"

  # S3 checks that the logging service may write to the target before it accepts this.
  depends_on = [aws_s3_bucket_policy.access_logs]
}

# Object events go to the account's default EventBridge bus: audit and data-lineage rules can
# subscribe without touching the bucket (nothing is sent anywhere until a rule asks).
resource "aws_s3_bucket_notification" "team" {
  for_each = local.team_buckets

  bucket      = aws_s3_bucket.team[each.key].id
  eventbridge = true
}

data "aws_iam_policy_document" "team" {
  for_each = local.team_buckets

  dynamic "statement" {
    for_each = var.enforce_tls ? [1] : []
    content {
      sid       = "DenyInsecureTransport"
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = ["arn:${local.partition}:s3:::${local.names[each.key]}", "arn:${local.partition}:s3:::${local.names[each.key]}/*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "Bool"
        variable = "aws:SecureTransport"
        values   = ["false"]
      }
    }
  }

  # Only through this environment's S3 endpoint, except: AWS services acting for a caller
  # (aws:PrincipalIsAWSService / aws:ViaAWSService), the exempt administrators, and (model
  # buckets) the promotion targets' readers.
  dynamic "statement" {
    for_each = var.enforce_vpc_endpoint ? [1] : []
    content {
      sid       = "DenyOutsideTheVpcEndpoint"
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = ["arn:${local.partition}:s3:::${local.names[each.key]}", "arn:${local.partition}:s3:::${local.names[each.key]}/*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "StringNotEquals"
        variable = "aws:SourceVpce"
        values   = [var.s3_vpc_endpoint_id]
      }
      condition {
        test     = "Bool"
        variable = "aws:PrincipalIsAWSService"
        values   = ["false"]
      }
      condition {
        test     = "Bool"
        variable = "aws:ViaAWSService"
        values   = ["false"]
      }
      dynamic "condition" {
        for_each = length(local.outside_principals[each.key]) > 0 ? [1] : []
        content {
          test     = "ArnNotLike"
          variable = "aws:PrincipalArn"
          values   = local.outside_principals[each.key]
        }
      }
    }
  }

  # A serverless model's role, from outside the endpoint: s3:GetObject under its prefixes, nothing else.
  dynamic "statement" {
    for_each = var.enforce_vpc_endpoint ? local.serverless_readers[each.key] : []
    content {
      sid         = "DenyServerlessModelRole${statement.key}AnythingButGetObject"
      effect      = "Deny"
      not_actions = ["s3:GetObject"]
      resources   = ["arn:${local.partition}:s3:::${local.names[each.key]}", "arn:${local.partition}:s3:::${local.names[each.key]}/*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "StringNotEquals"
        variable = "aws:SourceVpce"
        values   = [var.s3_vpc_endpoint_id]
      }
      condition {
        test     = "ArnEquals"
        variable = "aws:PrincipalArn"
        values   = [statement.value.principal_arn]
      }
    }
  }
  dynamic "statement" {
    for_each = var.enforce_vpc_endpoint ? local.serverless_readers[each.key] : []
    content {
      sid           = "DenyServerlessModelRole${statement.key}OutsideItsModels"
      effect        = "Deny"
      actions       = ["s3:GetObject"]
      not_resources = [for prefix in statement.value.key_prefixes : "arn:${local.partition}:s3:::${local.names[each.key]}/${prefix}*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "StringNotEquals"
        variable = "aws:SourceVpce"
        values   = [var.s3_vpc_endpoint_id]
      }
      condition {
        test     = "ArnEquals"
        variable = "aws:PrincipalArn"
        values   = [statement.value.principal_arn]
      }
    }
  }

  # What an endpoint loads from promoted/ is written by the promotion role alone: a team role may
  # write its model bucket, but never replace (or delete) a promoted model.
  dynamic "statement" {
    for_each = each.value.kind == "model" ? [1] : []
    content {
      sid       = "DenyChangingPromotedModelsButByPromotion"
      effect    = "Deny"
      actions   = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectTagging", "s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:RestoreObject"]
      resources = ["arn:${local.partition}:s3:::${local.names[each.key]}/${var.promoted_prefix}*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      dynamic "condition" {
        for_each = length(var.promoted_prefix_writer_arns) > 0 ? [1] : []
        content {
          test     = "ArnNotEquals"
          variable = "aws:PrincipalArn"
          values   = var.promoted_prefix_writer_arns
        }
      }
    }
  }

  # Objects are encrypted under this bucket's key: an upload may name no encryption (the bucket's
  # default applies: SSE-KMS with its key), but never SSE-S3, SSE-C or another KMS key.
  # CopyObject and CreateMultipartUpload are authorised as s3:PutObject, with the same headers;
  # UploadPart and UploadPartCopy are too, but carry no SSE-KMS header (S3 API reference), which is
  # why "no header" must pass: a multipart upload's parts take the encryption of its creation.
  dynamic "statement" {
    for_each = var.enforce_bucket_key ? [1] : []
    content {
      sid       = "DenyUploadsNotUnderKms"
      effect    = "Deny"
      actions   = ["s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${local.names[each.key]}/*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "Null"
        variable = "s3:x-amz-server-side-encryption"
        values   = ["false"]
      }
      condition {
        test     = "StringNotEquals"
        variable = "s3:x-amz-server-side-encryption"
        values   = ["aws:kms", "aws:kms:dsse"]
      }
    }
  }
  # SSE-KMS named without a key id means the AWS managed aws/s3 key, not the bucket's (S3 API
  # reference, PutObject, x-amz-server-side-encryption-aws-kms-key-id): such an upload must name
  # the bucket's key, or no encryption at all (then the bucket's default, its key, applies).
  dynamic "statement" {
    for_each = var.enforce_bucket_key ? [1] : []
    content {
      sid       = "DenyUploadsUnderTheAwsManagedKey"
      effect    = "Deny"
      actions   = ["s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${local.names[each.key]}/*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "StringEquals"
        variable = "s3:x-amz-server-side-encryption"
        values   = ["aws:kms", "aws:kms:dsse"]
      }
      condition {
        test     = "Null"
        variable = "s3:x-amz-server-side-encryption-aws-kms-key-id"
        values   = ["true"]
      }
    }
  }
  dynamic "statement" {
    for_each = var.enforce_bucket_key ? [1] : []
    content {
      sid       = "DenyUploadsUnderCustomerKeys"
      effect    = "Deny"
      actions   = ["s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${local.names[each.key]}/*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "Null"
        variable = "s3:x-amz-server-side-encryption-customer-algorithm"
        values   = ["false"]
      }
    }
  }
  dynamic "statement" {
    for_each = var.enforce_bucket_key ? [1] : []
    content {
      sid       = "DenyUploadsUnderAnotherKey"
      effect    = "Deny"
      actions   = ["s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${local.names[each.key]}/*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "Null"
        variable = "s3:x-amz-server-side-encryption-aws-kms-key-id"
        values   = ["false"]
      }
      # The key is named by ARN (the condition key's type in the Service Authorization Reference).
      condition {
        test     = "ArnNotEquals"
        variable = "s3:x-amz-server-side-encryption-aws-kms-key-id"
        values   = [each.value.kms_key_arn]
      }
    }
  }

  dynamic "statement" {
    for_each = each.value.kind == "model" && length(var.model_reader_principal_arns) > 0 ? [1] : []
    content {
      sid       = "PromotionTargetsReadModels"
      actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectTagging", "s3:ListBucket"]
      resources = ["arn:${local.partition}:s3:::${local.names[each.key]}", "arn:${local.partition}:s3:::${local.names[each.key]}/*"]
      principals {
        type        = "AWS"
        identifiers = [for account in local.reader_accounts : "arn:${local.partition}:iam::${account}:root"]
      }
      condition {
        test     = "ArnLike"
        variable = "aws:PrincipalArn"
        values   = var.model_reader_principal_arns
      }
    }
  }
}

resource "aws_s3_bucket_policy" "team" {
  # S3 refuses an empty policy: a bucket gets one when any statement applies to it.
  for_each = { for k, b in local.team_buckets : k => b if var.enforce_tls || var.enforce_vpc_endpoint || var.enforce_bucket_key || (b.kind == "model" && length(var.model_reader_principal_arns) > 0) }

  bucket = aws_s3_bucket.team[each.key].bucket # the name: known at plan time, so the plan shows which bucket each policy governs
  policy = data.aws_iam_policy_document.team[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.team]
}

# --- One access-log bucket per environment ----------------------------------------------------------

resource "aws_s3_bucket" "access_logs" {
  # checkov:skip=CKV_AWS_145: S3 server access logging delivers only to buckets encrypted with SSE-S3 (AES256); SSE-KMS is not supported for the target bucket
  # checkov:skip=CKV_AWS_18: this is the access-log bucket; logging it into itself would loop
  # checkov:skip=CKV_AWS_144: cross-region replication copies regulated data to a second region; a disaster-recovery decision each organisation makes, not a default
  bucket        = local.log_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = var.access_log_expiration_days
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.access_logs]
}

resource "aws_s3_bucket_notification" "access_logs" {
  bucket      = aws_s3_bucket.access_logs.id
  eventbridge = true
}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "S3ServerAccessLogDelivery"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${local.log_name}/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:s3:::${var.name_prefix}-*"]
    }
  }

  dynamic "statement" {
    for_each = var.enforce_tls ? [1] : []
    content {
      sid       = "DenyInsecureTransport"
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = ["arn:${local.partition}:s3:::${local.log_name}", "arn:${local.partition}:s3:::${local.log_name}/*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "Bool"
        variable = "aws:SecureTransport"
        values   = ["false"]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.bucket
  policy = data.aws_iam_policy_document.access_logs.json

  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}
