# The account's management-event trail. The enforcer's CloudTrail path (EventBridge "AWS API Call
# via CloudTrail") receives events only where a trail records management events (EventBridge User
# Guide, "Events from AWS services"; CloudTrail User Guide, "Creating a trail"): this unit makes one
# when env.hcl names no organization trail. Multi-region, KMS-encrypted, log file validation on,
# into a bucket of its own that only CloudTrail writes to.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  trail_name = "${var.name_prefix}-management-events"
  trail_arn  = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"
  bucket     = "${var.name_prefix}-cloudtrail-${local.account_id}-${local.region}"
  bucket_arn = "arn:${local.partition}:s3:::${local.bucket}"
  # Built from names, so every policy here is known at plan time.
  log_group_name = "/${var.name_prefix}/cloudtrail"
  topic_name     = "${var.name_prefix}-cloudtrail-deliveries"
  topic_arn      = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.topic_name}"
}

resource "aws_s3_bucket" "trail" {
  # checkov:skip=CKV_AWS_144: cross-region replication copies the audit log to a second region; a disaster-recovery decision each organisation makes, not a default
  bucket        = local.bucket
  force_destroy = var.force_destroy
  tags          = var.tags

  lifecycle {
    precondition {
      condition     = length(local.bucket) <= 63
      error_message = "var.name_prefix: the trail bucket name ${local.bucket} is over S3's 63 characters."
    }
  }
}

resource "aws_s3_bucket_public_access_block" "trail" {
  bucket                  = aws_s3_bucket.trail.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "trail" {
  bucket = aws_s3_bucket.trail.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "trail" {
  bucket = aws_s3_bucket.trail.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "trail" {
  bucket = aws_s3_bucket.trail.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "trail" {
  bucket = aws_s3_bucket.trail.id
  rule {
    id     = "expire-log-files"
    status = "Enabled"
    filter {}
    expiration {
      days = var.retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.trail]
}

resource "aws_s3_bucket_logging" "trail" {
  count = var.access_log_bucket == null ? 0 : 1

  bucket        = aws_s3_bucket.trail.id
  target_bucket = var.access_log_bucket
  target_prefix = "${local.bucket}/"
}

resource "aws_s3_bucket_notification" "trail" {
  bucket      = aws_s3_bucket.trail.id
  eventbridge = true
}

# CloudTrail's bucket policy, as the CloudTrail User Guide gives it ("Amazon S3 bucket policy for
# CloudTrail"), narrowed to this trail (aws:SourceArn), plus TLS only.
data "aws_iam_policy_document" "trail_bucket" {
  statement {
    sid       = "CloudTrailChecksTheBucket"
    actions   = ["s3:GetBucketAcl"]
    resources = [local.bucket_arn]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
  statement {
    sid       = "CloudTrailWritesThisAccountsLogs"
    actions   = ["s3:PutObject"]
    resources = ["${local.bucket_arn}/AWSLogs/${local.account_id}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }
  }
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]
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
  # The audit log is written by CloudTrail alone: nobody deletes or overwrites a log file.
  statement {
    sid       = "DenyChangingLogFiles"
    effect    = "Deny"
    actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:PutObjectLegalHold"]
    resources = ["${local.bucket_arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = length(var.log_administrator_arns) > 0 ? var.log_administrator_arns : ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_s3_bucket_policy" "trail" {
  bucket = aws_s3_bucket.trail.bucket
  policy = data.aws_iam_policy_document.trail_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.trail]
}

# A second copy in CloudWatch Logs, for queries and metric filters (CIS AWS Foundations 3.4).
resource "aws_cloudwatch_log_group" "trail" {
  name              = local.log_group_name
  retention_in_days = var.log_group_retention_days
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "delivery_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

data "aws_iam_policy_document" "delivery" {
  statement {
    sid       = "WriteTheTrailLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}:log-stream:*"]
  }
}

resource "aws_iam_role" "delivery" {
  name               = "${var.name_prefix}-cloudtrail-to-logs"
  assume_role_policy = data.aws_iam_policy_document.delivery_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "delivery" {
  name   = "write-trail-log-group"
  role   = aws_iam_role.delivery.name
  policy = data.aws_iam_policy_document.delivery.json
}

# The guardrails, as on every role the project creates (this one starts no SageMaker work; should a
# permission ever be added here, the guardrails already bind it).
resource "aws_iam_role_policy_attachment" "guardrails" {
  count = length(var.guardrail_policy_arns)

  role       = aws_iam_role.delivery.name
  policy_arn = var.guardrail_policy_arns[count.index]
}

# A notice per delivered log file, for a SIEM to subscribe to (encrypted with the notifications key,
# whose policy admits CloudTrail for this account's trails).
resource "aws_sns_topic" "deliveries" {
  name              = local.topic_name
  kms_master_key_id = var.notifications_kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "deliveries" {
  statement {
    sid       = "CloudTrailPublishesThisTrailsDeliveries"
    actions   = ["sns:Publish"]
    resources = [local.topic_arn]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

resource "aws_sns_topic_policy" "deliveries" {
  arn    = local.topic_arn # built from the name: the plan shows which topic the policy governs
  policy = data.aws_iam_policy_document.deliveries.json

  depends_on = [aws_sns_topic.deliveries]
}

resource "aws_cloudtrail" "this" {
  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.trail.bucket
  is_multi_region_trail         = var.multi_region
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = var.kms_key_arn
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.delivery.arn
  sns_topic_name                = aws_sns_topic.deliveries.name # a topic of this account: its name (CreateTrail takes name or ARN)
  tags                          = var.tags

  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }

  depends_on = [aws_s3_bucket_policy.trail, aws_iam_role_policy.delivery, aws_sns_topic_policy.deliveries]
}
