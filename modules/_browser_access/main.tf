# A browser session on SageMaker (a notebook's presigned URL, a Studio profile's, MLflow's, a remote
# session into a space) downloads whatever the session reads to wherever the browser is. The policy
# people of a team hold opens the team's own session through the environment's interface endpoints
# (the call and, for Studio, every request of the session: SageMaker Developer Guide, "Connect to
# Studio through an interface VPC endpoint" and "Connect to a notebook instance through a VPC
# interface endpoint"), or from named console networks; it denies every browser session from
# anywhere else, whatever else the person holds.

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = length(var.vpc_endpoint_ids) > 0 ? [1] : []
    content {
      sid       = "Open${var.subject}ThroughTheEndpoints"
      actions   = var.open_actions
      resources = var.resources
      condition {
        test     = "StringEquals"
        variable = "aws:SourceVpce"
        values   = var.vpc_endpoint_ids
      }
    }
  }
  dynamic "statement" {
    for_each = length(var.console_cidrs) > 0 ? [1] : []
    content {
      sid       = "Open${var.subject}FromTheConsoleNetworks"
      actions   = var.open_actions
      resources = var.resources
      condition {
        test     = "IpAddress"
        variable = "aws:SourceIp"
        values   = var.console_cidrs
      }
    }
  }
  statement {
    sid       = var.deny_sid
    effect    = "Deny"
    actions   = var.deny_actions
    resources = ["*"]
    condition {
      test     = "StringNotEqualsIfExists"
      variable = "aws:SourceVpce"
      values   = length(var.vpc_endpoint_ids) > 0 ? var.vpc_endpoint_ids : ["none"]
    }
    dynamic "condition" {
      for_each = length(var.console_cidrs) > 0 ? [1] : []
      content {
        test     = "NotIpAddressIfExists"
        variable = "aws:SourceIp"
        values   = var.console_cidrs
      }
    }
  }
}
