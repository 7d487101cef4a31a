data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  region        = data.aws_region.current.name
  function_name = "${var.name_prefix}-sagemaker-enforcer"
  sagemaker_arn = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}"

  # What the enforcer watches: the create and update calls (CloudTrail) the handler parses
  # (lambda/enforcer/events.py CALLS), and SageMaker's own state changes.
  api_calls = [
    "CreateTrainingJob", "CreateProcessingJob", "CreateHyperParameterTuningJob",
    "CreateTransformJob", "CreateModel", "CreateNotebookInstance",
    "UpdateNotebookInstance", "CreateNotebookInstanceLifecycleConfig", "UpdateNotebookInstanceLifecycleConfig",
    "CreateEndpointConfig", "CreateEndpoint", "UpdateEndpoint",
    "CreateMonitoringSchedule", "UpdateMonitoringSchedule",
    "CreateCompilationJob", "CreateOptimizationJob", "CreateLabelingJob", "CreateInferenceRecommendationsJob",
    "CreateCluster", "UpdateCluster", "CreateDomain", "UpdateDomain", "CreateApp", "CreateModelPackage",
  ]
  # Every state change SageMaker publishes for the kinds the handler judges (EventBridge
  # reference, "Amazon SageMaker AI events"): they arrive without a trail, and before CloudTrail.
  # Compilation, optimization, labeling and inference recommendations jobs, domains and apps
  # publish none: CloudTrail alone reports them.
  state_changes = [
    "SageMaker Training Job State Change", "SageMaker Processing Job State Change",
    "SageMaker HyperParameter Tuning Job State Change", "SageMaker Transform Job State Change",
    "SageMaker Notebook Instance State Change", "SageMaker Model State Change",
    "SageMaker Notebook Lifecycle Config State Change", "SageMaker Endpoint Config State Change",
    "SageMaker Endpoint State Change", "SageMaker Monitoring Schedule State Change",
    "SageMaker HyperPod Cluster State Change", "SageMaker Model Package State Change",
  ]
  # Resource kinds it may describe, tag and stop (never anything outside this account and region).
  watched = ["training-job", "processing-job", "hyper-parameter-tuning-job", "transform-job", "notebook-instance"]
  # The kinds it judges beyond those, with the Describe call the handler makes on each (actions.py),
  # and the monitoring job definitions a schedule may name.
  described = {
    "endpoint"                            = "DescribeEndpoint"
    "notebook-instance-lifecycle-config"  = "DescribeNotebookInstanceLifecycleConfig"
    "monitoring-schedule"                 = "DescribeMonitoringSchedule"
    "compilation-job"                     = "DescribeCompilationJob"
    "optimization-job"                    = "DescribeOptimizationJob"
    "labeling-job"                        = "DescribeLabelingJob"
    "inference-recommendations-job"       = "DescribeInferenceRecommendationsJob"
    "cluster"                             = "DescribeCluster"
    "domain"                              = "DescribeDomain"
    "app"                                 = "DescribeApp"
    "model-package"                       = "DescribeModelPackage"
    "data-quality-job-definition"         = "DescribeDataQualityJobDefinition"
    "model-quality-job-definition"        = "DescribeModelQualityJobDefinition"
    "model-bias-job-definition"           = "DescribeModelBiasJobDefinition"
    "model-explainability-job-definition" = "DescribeModelExplainabilityJobDefinition"
  }
  # ... the Stop call on each it stops (the jobs the guardrails cannot see, monitoring schedules) ...
  stopped = {
    "compilation-job"               = "StopCompilationJob"
    "optimization-job"              = "StopOptimizationJob"
    "labeling-job"                  = "StopLabelingJob"
    "inference-recommendations-job" = "StopInferenceRecommendationsJob"
    "monitoring-schedule"           = "StopMonitoringSchedule"
  }
  # ... and the kinds it reports once, reading and writing its marker (ListTags, AddTags).
  reported = [
    "endpoint", "endpoint-config", "notebook-instance-lifecycle-config", "compilation-job", "optimization-job",
    "labeling-job", "inference-recommendations-job", "cluster", "domain",
  ]
  markers_key_alias     = "alias/${var.name_prefix}-enforcer-markers"
  markers_key_alias_arn = "arn:${local.partition}:kms:${local.region}:${local.account_id}:${local.markers_key_alias}"

  # ARNs built from names, not read from the resources, so every policy below is known at plan
  # time: a reviewer (and tools/access_matrix.py) reads it whole in the plan, before apply.
  findings_topic_name = "${var.name_prefix}-enforcer-findings"
  alarms_topic_name   = "${var.name_prefix}-enforcer-alarms"
  queue_name          = "${var.name_prefix}-enforcer-dlq"
  findings_topic_arn  = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.findings_topic_name}"
  queue_arn           = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.queue_name}"
  role_arn            = "arn:${local.partition}:iam::${local.account_id}:role/${local.function_name}"
  rule_names          = { for key in ["api-calls", "state-changes"] : key => "${var.name_prefix}-enforcer-${key}" }
  rule_arns           = { for key, name in local.rule_names : key => "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${name}" }
}

# The instance families with local NVMe instance storage (one sourced, dated list).
module "instance_storage" {
  source = "../_instance_storage"
}

# --- Where findings and alarms go ------------------------------------------------------------------

resource "aws_sns_topic" "findings" {
  name              = local.findings_topic_name
  kms_master_key_id = var.notifications_kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic" "alarms" {
  name              = local.alarms_topic_name
  kms_master_key_id = var.notifications_kms_key_arn
  tags              = var.tags
}

# Explicit topic policies replace SNS's default one, which lets every principal of the account
# subscribe, publish, change and delete the topic whatever its IAM policies say (AWS:SourceOwner):
# a data scientist could silence the findings or subscribe their own endpoint (Amazon SNS Developer
# Guide, "Example cases for Amazon SNS access control"). Here this account's principals act only
# through their IAM policies (the account root as principal), plus the one publisher each topic has.
data "aws_iam_policy_document" "topic" {
  for_each = {
    findings = { arn = local.findings_topic_arn, service = null }
    alarms   = { arn = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.alarms_topic_name}", service = "cloudwatch.amazonaws.com" }
  }

  statement {
    sid       = "ThisAccountThroughIam"
    actions   = ["sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:Publish", "sns:SetTopicAttributes", "sns:Subscribe", "sns:DeleteTopic", "sns:AddPermission", "sns:RemovePermission"]
    resources = [each.value.arn]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
    # Said twice on purpose: the principal names the account, the condition keeps it so should
    # the principal ever be widened (and scanners read a condition-less account principal as open).
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalAccount"
      values   = [local.account_id]
    }
  }

  dynamic "statement" {
    for_each = each.value.service == null ? [] : [each.value.service]
    content {
      sid       = "CloudWatchAlarmsOfThisAccountPublish"
      actions   = ["sns:Publish"]
      resources = [each.value.arn]
      principals {
        type        = "Service"
        identifiers = [statement.value]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

resource "aws_sns_topic_policy" "findings" {
  arn    = local.findings_topic_arn
  policy = data.aws_iam_policy_document.topic["findings"].json

  depends_on = [aws_sns_topic.findings]
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.alarms_topic_name}"
  policy = data.aws_iam_policy_document.topic["alarms"].json

  depends_on = [aws_sns_topic.alarms]
}

resource "aws_sns_topic_subscription" "alarm_email" {
  for_each = toset(var.alarm_email_endpoints)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# Events that could not be delivered, or that failed every retry, wait here for a replay.
resource "aws_sqs_queue" "dead_letters" {
  name                      = local.queue_name
  kms_master_key_id         = var.notifications_kms_key_arn
  message_retention_seconds = 1209600 # 14 days, the most SQS keeps
  tags                      = var.tags
}

data "aws_iam_policy_document" "dead_letters" {
  statement {
    sid       = "EventBridgeUndeliverableEvents"
    actions   = ["sqs:SendMessage"]
    resources = [local.queue_arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = values(local.rule_arns)
    }
  }
}

resource "aws_sqs_queue_policy" "dead_letters" {
  queue_url = aws_sqs_queue.dead_letters.id
  policy    = data.aws_iam_policy_document.dead_letters.json
}

# --- The function's permissions --------------------------------------------------------------------

# The function's log group, security group, role (with the guardrails) and the function itself are
# modules/_lambda_in_vpc's, as every function in the VPC has them (module "function" below). Here are
# the enforcer's own permissions, which that module puts first in the role's policy ("enforce"),
# before its log streams, network interfaces and the unscoped Describe and X-Ray calls.
data "aws_iam_policy_document" "function" {
  statement {
    sid       = "DescribeWhatItJudges"
    actions   = ["sagemaker:DescribeTrainingJob", "sagemaker:DescribeProcessingJob", "sagemaker:DescribeHyperParameterTuningJob", "sagemaker:DescribeTransformJob", "sagemaker:DescribeNotebookInstance", "sagemaker:DescribeModel", "sagemaker:DescribeEndpointConfig", "sagemaker:ListTags"]
    resources = concat([for kind in local.watched : "${local.sagemaker_arn}:${kind}/*"], ["${local.sagemaker_arn}:model/*", "${local.sagemaker_arn}:endpoint-config/*"])
  }

  # Endpoints, lifecycle configurations, monitoring schedules (and the job definitions they name),
  # the jobs the guardrails cannot see, HyperPod clusters, Studio domains and apps, model packages:
  # each Describe on its own kind.
  statement {
    sid       = "DescribeTheOtherKindsItJudges"
    actions   = [for kind, call in local.described : "sagemaker:${call}"]
    resources = [for kind in keys(local.described) : "${local.sagemaker_arn}:${kind}/*"]
  }

  # What it reports once and leaves in place: it reads its marker there (ListTags).
  statement {
    sid       = "ReadTheMarkerOfWhatItReports"
    actions   = ["sagemaker:ListTags"]
    resources = [for kind in local.reported : "${local.sagemaker_arn}:${kind}/*"]
  }

  statement {
    sid       = "StopWhatEscapes"
    actions   = concat(["sagemaker:StopTrainingJob", "sagemaker:StopProcessingJob", "sagemaker:StopHyperParameterTuningJob", "sagemaker:StopTransformJob", "sagemaker:StopNotebookInstance"], [for kind, call in local.stopped : "sagemaker:${call}"])
    resources = concat([for kind in local.watched : "${local.sagemaker_arn}:${kind}/*"], [for kind in keys(local.stopped) : "${local.sagemaker_arn}:${kind}/*"])
  }

  statement {
    sid       = "DeleteModelsOutsideTheVpc"
    actions   = ["sagemaker:DeleteModel"]
    resources = ["${local.sagemaker_arn}:model/*"]
  }

  # The endpoint policy (lambda/enforcer/handler.py): an endpoint serving a model outside the VPC.
  statement {
    sid       = "DeleteEndpointsOutsideTheVpc"
    actions   = ["sagemaker:DeleteEndpoint"]
    resources = ["${local.sagemaker_arn}:endpoint/*"]
  }

  # A Studio app outside the rules (the user's files stay on the domain's home volume).
  statement {
    sid       = "DeleteStudioAppsOutsideTheRules"
    actions   = ["sagemaker:DeleteApp"]
    resources = ["${local.sagemaker_arn}:app/*"]
  }

  # A model package registered with a validation job, which SageMaker runs outside the VPC (a
  # versioned package's ARN is model-package/<group>/<version>: the wildcard covers it).
  statement {
    sid       = "DeleteModelPackagesWithValidationJobs"
    actions   = ["sagemaker:DeleteModelPackage"]
    resources = ["${local.sagemaker_arn}:model-package/*"]
  }

  # The enforcer marks what it stopped or reported, so a second event does not report it again.
  statement {
    sid       = "MarkWhatItHandled"
    actions   = ["sagemaker:AddTags"]
    resources = concat([for kind in local.watched : "${local.sagemaker_arn}:${kind}/*"], ["${local.sagemaker_arn}:model/*"], [for kind in local.reported : "${local.sagemaker_arn}:${kind}/*"])
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["smenv:enforcer"]
    }
  }

  # ListEndpointConfigs has no resource-level permission: it answers for this account only.
  statement {
    sid       = "FindEndpointConfigsUsingAModel"
    actions   = ["sagemaker:ListEndpointConfigs"]
    resources = ["*"]
  }

  statement {
    sid       = "PublishFindings"
    actions   = ["sns:Publish"]
    resources = [local.findings_topic_arn]
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [local.queue_arn]
  }

  statement {
    sid       = "EncryptedTopicQueueAndEnvironment"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.notifications_kms_key_arn, var.lambda_kms_key_arn]
  }
}

# --- The marker key: an HMAC only the enforcer can make ---------------------------------------------
# The enforcer tags what it stopped or reported with smenv:enforcer, and trusts that tag only when its
# value carries a MAC of the resource (ARN, CreationTime, verdict) made with this key (GenerateMac,
# VerifyMac; lambda/enforcer/markers.py). Its key policy is the one grant: only the enforcer's role
# makes and checks MACs; this account's administrators manage the key through IAM but can neither
# make a MAC nor grant that to anyone (no kms:CreateGrant). In a key policy, Resource "*" means "this key".
data "aws_iam_policy_document" "markers_key" {
  statement {
    sid = "ThisAccountAdministersThroughIam"
    actions = [
      "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:DisableKey",
      "kms:EnableKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListGrants", "kms:ListKeyPolicies",
      "kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant",
      "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
    ]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "OnlyTheEnforcerMakesAndChecksMarkers"
    actions   = ["kms:GenerateMac", "kms:VerifyMac"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.role_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:MacAlgorithm"
      values   = ["HMAC_SHA_256"]
    }
  }
}

resource "aws_kms_key" "markers" {
  # checkov:skip=CKV_AWS_7: an HMAC key cannot rotate automatically (AWS KMS API reference, EnableKeyRotation: "You cannot enable automatic rotation of asymmetric KMS keys, HMAC KMS keys"); a new key only makes the markers written before it unverifiable, which reports those resources once more
  description              = "${var.name_prefix} enforcer: the MAC of the marker on what it stopped or reported"
  customer_master_key_spec = "HMAC_256"
  key_usage                = "GENERATE_VERIFY_MAC"
  deletion_window_in_days  = 30
  policy                   = data.aws_iam_policy_document.markers_key.json
  tags                     = var.tags

  # The key policy names the role: it must exist before the key (else MalformedPolicyDocumentException).
  depends_on = [module.function.role_arn]
}

resource "aws_kms_alias" "markers" {
  name          = local.markers_key_alias
  target_key_id = aws_kms_key.markers.key_id
}

# --- The function, in the VPC -----------------------------------------------------------------------

module "function" {
  source = "../_lambda_in_vpc"

  function_name              = local.function_name
  description                = "Stops SageMaker work that escapes the secure environment, and reports it"
  security_group_description = "The enforcer Lambda: HTTPS to the interface endpoints only"
  egress_description         = "HTTPS to the interface endpoints (SageMaker, SNS)"
  package_path               = var.package_path
  timeout                    = 60
  reserved_concurrency       = var.reserved_concurrency
  vpc_id                     = var.vpc_id
  subnet_ids                 = var.lambda_subnet_ids
  endpoint_security_group_id = var.endpoint_security_group_id
  lambda_kms_key_arn         = var.lambda_kms_key_arn
  logs_kms_key_arn           = var.logs_kms_key_arn
  log_retention_days         = var.log_retention_days
  policy_name                = "enforce"
  policy_documents           = [data.aws_iam_policy_document.function.json]
  # The guardrails, as on every role the project creates: the enforcer stops and deletes, and creates
  # nothing; should a permission ever be added here, the guardrails already bind it.
  guardrail_policy_arns = var.guardrail_policy_arns
  # By the ARN built from its name, so the plan shows it.
  dead_letter_target_arn = local.queue_arn
  # The queue, the findings topic and the marker key's alias exist before the function runs.
  created_after = [aws_sqs_queue.dead_letters.arn, aws_sns_topic.findings.arn, aws_kms_alias.markers.arn]
  tags          = var.tags

  environment_variables = {
    APPROVED_SUBNET_IDS                = join(",", var.approved_subnet_ids)
    APPROVED_SECURITY_GROUP_IDS        = join(",", var.approved_security_group_ids)
    ENFORCEMENT_MODE                   = var.enforcement_mode
    FINDINGS_TOPIC_ARN                 = local.findings_topic_arn
    REQUIRE_KMS                        = tostring(var.require_kms)
    REQUIRE_INTER_CONTAINER_ENCRYPTION = tostring(var.require_inter_container_encryption)
    ALLOW_SERVERLESS_INFERENCE         = tostring(var.allow_serverless_inference)
    # Jobs on these families may go without a volume key (SageMaker refuses one there).
    INSTANCE_STORAGE_FAMILIES         = join(",", module.instance_storage.local_storage_families)
    APPROVED_LIFECYCLE_CONFIGS        = join(",", var.approved_lifecycle_config_names)
    APPROVED_STUDIO_LIFECYCLE_CONFIGS = join(",", var.approved_studio_lifecycle_config_names)
    TERRAFORM_ROLE_ARNS               = join(",", var.terraform_role_arns)
    # Each team's execution role -> its team's security groups (vpc.team_group_mismatch), as JSON.
    TEAM_SECURITY_GROUPS = jsonencode(var.team_security_groups)
    # The environment's keys: any other (aws/sagemaker, another account's, an alias) is kms.key_not_approved.
    APPROVED_KMS_KEY_ARNS = join(",", var.approved_kms_key_arns)
    # By its alias ARN, known at plan time (the key's own ARN is not, and would leave the whole
    # environment "known after apply" in the plan). Moving the alias to another key is a key
    # administrator's act, through IAM, as rewriting the key policy is.
    MARKER_KEY_ARN = local.markers_key_alias_arn
  }
}

# Where an existing deployment had them, before modules/_lambda_in_vpc: state moves, nothing is replaced.
moved {
  from = aws_cloudwatch_log_group.function
  to   = module.function.aws_cloudwatch_log_group.this
}

moved {
  from = aws_security_group.function
  to   = module.function.aws_security_group.this
}

moved {
  from = aws_vpc_security_group_egress_rule.function_endpoints
  to   = module.function.aws_vpc_security_group_egress_rule.endpoints
}

moved {
  from = aws_iam_role.function
  to   = module.function.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.function
  to   = module.function.aws_iam_role_policy.this
}

moved {
  from = aws_iam_role_policy_attachment.guardrails
  to   = module.function.aws_iam_role_policy_attachment.guardrails
}

moved {
  from = aws_lambda_function.this
  to   = module.function.aws_lambda_function.this
}

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = module.function.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600
}

# --- The triggers ----------------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "this" {
  for_each = {
    api-calls = {
      description = "SageMaker create and update calls that succeeded (CloudTrail)"
      pattern = {
        source        = ["aws.sagemaker"]
        "detail-type" = ["AWS API Call via CloudTrail"]
        detail = {
          eventSource = ["sagemaker.amazonaws.com"]
          eventName   = local.api_calls
          errorCode   = [{ exists = false }] # denied or failed calls created nothing
        }
      }
    }
    state-changes = {
      description = "SageMaker job, notebook, model, endpoint, schedule and cluster state changes (arrive before CloudTrail, and without a trail)"
      pattern = {
        source        = ["aws.sagemaker"]
        "detail-type" = local.state_changes
      }
    }
  }

  name          = local.rule_names[each.key]
  description   = each.value.description
  event_pattern = jsonencode(each.value.pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = aws_cloudwatch_event_rule.this

  rule = each.value.name
  arn  = module.function.function_arn

  retry_policy {
    maximum_retry_attempts       = 8
    maximum_event_age_in_seconds = 3600
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letters.arn
  }
}

resource "aws_lambda_permission" "events" {
  for_each = aws_cloudwatch_event_rule.this

  statement_id   = "events-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = module.function.function_name
  principal      = "events.amazonaws.com"
  source_arn     = local.rule_arns[each.key]
  source_account = local.account_id
}

# --- Alarms: the control itself failing --------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = {
    errors      = { namespace = "AWS/Lambda", metric = "Errors", dimensions = { FunctionName = local.function_name }, text = "the enforcer failed on an event (it is retried, then dead-lettered)" }
    throttles   = { namespace = "AWS/Lambda", metric = "Throttles", dimensions = { FunctionName = local.function_name }, text = "the enforcer was throttled: raise its reserved concurrency" }
    dead-letter = { namespace = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", dimensions = { QueueName = aws_sqs_queue.dead_letters.name }, text = "events wait in the dead-letter queue: they were never enforced" }
  }

  alarm_name          = "${var.name_prefix}-enforcer-${each.key}"
  alarm_description   = "SageMaker enforcer: ${each.value.text}"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.key == "dead-letter" ? "Maximum" : "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}
