# Per team, the role SageMaker Pipelines runs the team's pipelines with, and the model package group
# they register models in. Pipelines creates every step's job with this role (the pipeline execution
# role, passed to CreatePipeline; each step's RoleArn is this role too): the guardrail policies
# attached to it judge each CreateProcessingJob, CreateTrainingJob and CreateModelPackage a step makes,
# exactly as they judge a notebook's.
#
# Job names. With custom job prefixing (the step's arguments keep ProcessingJobName/TrainingJobName)
# Pipelines names the job <that name>-<execution id>-<token>-<attempt>; without it,
# pipelines-<execution id>-<step>-<token>, which names no team (SageMaker Developer Guide, "Pipelines
# steps", custom prefixing). The team's pipelines name their jobs from <name_prefix>-<team>-
# (examples/pipelines does): this role works under that prefix only, as the team's notebook role does.
#
# Tags. A step's arguments are its create request, Tags included: creates must carry team=<team>
# (aws:RequestTag/team), reads and stops need it on the job (aws:ResourceTag/team). A model package in
# a group takes no tags of its own (CreateModelPackage): registering is scoped by the team's group.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  region        = data.aws_region.current.name
  sagemaker_arn = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}"

  # work_prefix: what the team's step jobs are named from (SageMaker's ARNs are lower-case; var.teams
  # checks that no team's prefix covers another's).
  teams = {
    for team in var.teams : team => {
      role        = "${var.name_prefix}-${team}-pipeline"
      work_prefix = lower("${var.name_prefix}-${team}-")
      group       = "${var.name_prefix}-${team}-models"
    }
  }

  # What the steps make: Processing and Training steps, Model steps (CreateModel).
  step_kinds   = ["processing-job", "training-job", "model"]
  step_creates = ["sagemaker:CreateModel", "sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob"]
  log_groups   = ["ProcessingJobs", "TrainingJobs"]
  logs_arn     = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker"
}

# --- The role: SageMaker (Pipelines and the jobs it starts) of this account only -------------------

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# One document per concern, composed below.

# The steps' work: created under the team's name and tag, followed and stopped by both; models
# registered into the team's group only, never approved by the pipeline itself (by default). The
# guardrail policies attached beside this one deny every create outside the VPC, unencrypted or
# otherwise unsafe.
data "aws_iam_policy_document" "sagemaker" {
  for_each = local.teams

  statement {
    sid       = "CreateStepWorkUnderTheTeamsNameAndTag"
    actions   = local.step_creates
    resources = [for kind in local.step_kinds : "${local.sagemaker_arn}:${kind}/${each.value.work_prefix}*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/team"
      values   = [each.key]
    }
  }
  # Tags sent with a create are authorised as sagemaker:AddTags too; this role tags only so, never after.
  statement {
    sid       = "TagStepWorkAsItIsCreated"
    actions   = ["sagemaker:AddTags"]
    resources = [for kind in local.step_kinds : "${local.sagemaker_arn}:${kind}/${each.value.work_prefix}*"]
    condition {
      test     = "StringEquals"
      variable = "sagemaker:TaggingAction"
      values   = [for action in local.step_creates : trimprefix(action, "sagemaker:")]
    }
    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:RequestTag/team"
      values   = [each.key]
    }
  }
  # Pipelines follows each step's job and stops it when the execution is stopped.
  statement {
    sid = "FollowAndStopStepWork"
    actions = [
      "sagemaker:DescribeModel", "sagemaker:DescribeProcessingJob", "sagemaker:DescribeTrainingJob",
      "sagemaker:ListTags", "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob",
    ]
    resources = [for kind in local.step_kinds : "${local.sagemaker_arn}:${kind}/${each.value.work_prefix}*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/team"
      values   = [each.key]
    }
  }
  statement {
    sid       = "RegisterIntoTheTeamsModelGroup"
    actions   = ["sagemaker:CreateModelPackage"]
    resources = ["${local.sagemaker_arn}:model-package-group/${lower(each.value.group)}", "${local.sagemaker_arn}:model-package/${lower(each.value.group)}/*"]
    condition {
      test     = "StringEquals"
      variable = "sagemaker:ModelApprovalStatus"
      values   = var.registered_approval_statuses
    }
  }
  statement {
    sid       = "ReadTheTeamsModelGroup"
    actions   = ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup"]
    resources = ["${local.sagemaker_arn}:model-package-group/${lower(each.value.group)}", "${local.sagemaker_arn}:model-package/${lower(each.value.group)}/*"]
  }
  statement {
    sid       = "PassOnlyItselfToSageMaker"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${each.value.role}"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }
}

# SageMaker writes a step job's logs with this role, to streams named after the job (<job>/algo-1-...).
# CreateLogStream acts on the group; writing a stream is by its name: the team's names only. The
# team's people read the logs with the notebook role.
data "aws_iam_policy_document" "logs" {
  for_each = local.teams

  statement {
    sid       = "CreateStreamsInSageMakersJobGroups"
    actions   = ["logs:CreateLogStream"]
    resources = flatten([for group in local.log_groups : ["${local.logs_arn}/${group}", "${local.logs_arn}/${group}:*"]])
  }
  statement {
    sid       = "WriteOwnStepLogStreams"
    actions   = ["logs:PutLogEvents"]
    resources = [for group in local.log_groups : "${local.logs_arn}/${group}:log-stream:${each.value.work_prefix}*"]
  }
}

# The team's buckets (a pipeline reads and writes; it never deletes) and keys, no control tags nor
# another team's group, image pulls, network interfaces, job metrics and listings
# (modules/_team_job_access, as the team's notebook role).
module "job_access" {
  source   = "../_team_job_access"
  for_each = local.teams

  bucket_names          = compact([lookup(var.data_buckets, each.key, ""), lookup(var.model_buckets, each.key, "")])
  object_actions        = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
  kms_key_arns          = var.kms_key_arns
  subnet_ids            = var.subnet_ids
  security_group_id     = lookup(var.team_security_group_ids, each.key, "sg-0")
  job_image_registries  = var.job_image_registries
  job_metric_namespaces = [for group in local.log_groups : "/aws/sagemaker/${group}"]
}

data "aws_iam_policy_document" "pipeline" {
  for_each = local.teams

  source_policy_documents = concat(
    [for concern in [data.aws_iam_policy_document.sagemaker, data.aws_iam_policy_document.logs] : concern[each.key].json],
    [module.job_access[each.key].json],
  )
}

resource "aws_iam_role" "pipeline" {
  for_each = local.teams

  name               = each.value.role
  description        = "SageMaker Pipelines execution role of team ${each.key}: its pipelines and the step jobs they start"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = contains(keys(var.team_security_group_ids), each.key)
      error_message = "var.team_security_group_ids has no security group for team ${each.key}: every team in var.teams needs its own (modules/network team_security_group_ids)."
    }
    precondition {
      condition     = contains(keys(var.data_buckets), each.key) && contains(keys(var.model_buckets), each.key)
      error_message = "var.data_buckets and var.model_buckets must name a bucket for team ${each.key} (modules/buckets data_buckets, model_buckets)."
    }
    precondition {
      condition     = module.job_access[each.key].registries_known
      error_message = "var.job_image_registries: modules/_image_registries knows no AWS-owned SageMaker registries for ${local.region}; name the registries (or repositories) jobs may pull from."
    }
  }
}

resource "aws_iam_role_policy" "pipeline" {
  for_each = local.teams

  name   = "pipeline-${each.key}"
  role   = aws_iam_role.pipeline[each.key].name
  policy = data.aws_iam_policy_document.pipeline[each.key].json
}

resource "aws_iam_role_policy_attachment" "guardrails" {
  for_each = { for pair in setproduct(keys(local.teams), range(length(var.guardrail_policy_arns))) : "${pair[0]}/${pair[1]}" => { team = pair[0], arn = var.guardrail_policy_arns[pair[1]] } }

  role       = aws_iam_role.pipeline[each.value.team].name
  policy_arn = each.value.arn
}

# --- Where the team's pipelines register their models ----------------------------------------------

resource "aws_sagemaker_model_package_group" "team" {
  for_each = local.teams

  model_package_group_name        = each.value.group
  model_package_group_description = "Models registered by team ${each.key}'s pipelines"
  tags                            = merge(var.tags, { team = each.key })
}
