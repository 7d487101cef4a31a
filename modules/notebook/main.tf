data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  region        = data.aws_region.current.name
  sagemaker_arn = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}"
  lifecycle_dir = "${path.module}/lifecycle"
  # work_prefix: what the team's job, model and log stream names start with (a team name is never
  # another's followed by "-": var.teams checks it, so no prefix covers another team's).
  teams = { for i, team in var.teams : team => { index = i, name = "${var.name_prefix}-${team}", work_prefix = lower("${var.name_prefix}-${team}-") } }

  work_kinds = ["training-job", "processing-job", "hyper-parameter-tuning-job", "model"]
  log_groups = ["NotebookInstances", "TrainingJobs", "ProcessingJobs", "TransformJobs", "studio"]
  logs_arn   = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker"
  # Group-level actions name the group ARN (with or without :*); streams by the team's names.
  log_group_arns = flatten([for group in local.log_groups : ["${local.logs_arn}/${group}", "${local.logs_arn}/${group}:*"]])
  own_log_streams = { for team, t in local.teams : team => concat(
    [for group in local.log_groups : "${local.logs_arn}/${group}:log-stream:${t.work_prefix}*" if !contains(["NotebookInstances", "studio"], group)],
    ["${local.logs_arn}/NotebookInstances:log-stream:${t.name}/*"],
    # Studio's apps (modules/studio): <domain id>/<the team's space or profile>/<app type>/<app name>,
    # and the team's spaces and profiles are named <team>-*.
    ["${local.logs_arn}/studio:log-stream:d-*/${team}-*"],
  ) }
  # Every way into a browser session on SageMaker: notebooks, Studio, MLflow, partner apps, and
  # remote sessions into Studio spaces (each of them downloads to wherever the browser is).
  browser_sessions = [
    "sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:CreatePresignedDomainUrl",
    "sagemaker:CreatePresignedMlflowTrackingServerUrl", "sagemaker:CreatePresignedMlflowAppUrl",
    "sagemaker:CreatePartnerAppPresignedUrl", "sagemaker:StartSession",
  ]
  # SageMaker publishes job metrics in these namespaces with the execution role.
  job_metric_namespaces = ["/aws/sagemaker/TrainingJobs", "/aws/sagemaker/ProcessingJobs", "/aws/sagemaker/TransformJobs"]

  contract_arn = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${coalesce(var.parameter_prefix, "/-")}"

  lifecycle_vars = {
    for team, t in local.teams : team => {
      data_bucket        = var.data_buckets[team]
      notebooks_prefix   = var.notebooks_prefix
      bucket_placeholder = var.bucket_placeholder
      idle_minutes       = var.idle_minutes
      notebook_user      = "ec2-user"
      notebook_dir       = "/home/ec2-user/SageMaker"
      region             = local.region
      autostop_py_gz_b64 = base64gzip(file("${local.lifecycle_dir}/autostop.py"))
    }
  }
}

# The team's buckets (the notebook's role may delete in them) and keys, no control tags nor another
# team's group, and what SageMaker needs of the role to run a team's job in the private network
# (modules/_team_job_access, shared with the pipeline roles).
module "job_access" {
  source   = "../_team_job_access"
  for_each = local.teams

  bucket_names          = [var.data_buckets[each.key], var.model_buckets[each.key]]
  object_actions        = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
  kms_key_arns          = var.kms_key_arns
  subnet_ids            = var.subnet_ids
  security_group_id     = lookup(var.team_security_group_ids, each.key, "sg-0")
  job_image_registries  = var.job_image_registries
  job_metric_namespaces = local.job_metric_namespaces
}

# --- Each team's execution role: its own buckets and keys, jobs only under the guardrails --------

data "aws_iam_policy_document" "trust" {
  statement {
    # sts:SetSourceIdentity: Studio (modules/studio, execution_role_identity_config USER_PROFILE_NAME)
    # sets the person's profile name as the session's source identity, which the trust must allow
    # (SageMaker Developer Guide, "Monitor user resource access from Amazon SageMaker Studio").
    actions = ["sts:AssumeRole", "sts:SetSourceIdentity"]
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

# One document per concern, composed below. A team's SageMaker work, logs and network interfaces
# are its own: names start with <name_prefix>-<team>- (SageMaker's ARNs are lower-case), creates
# carry the tag team=<team>, and reads, stops and tags need both, so no team reaches another's.

# Creating jobs and models is allowed here; the guardrail policies attached beside this one deny
# every create that is outside the VPC, unencrypted or otherwise unsafe.
data "aws_iam_policy_document" "team_sagemaker" {
  for_each = local.teams

  statement {
    sid       = "CreateWorkUnderTheTeamsNameAndTag"
    actions   = ["sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateModel", "sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob"]
    resources = [for kind in local.work_kinds : "${local.sagemaker_arn}:${kind}/${each.value.work_prefix}*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/team"
      values   = [each.key]
    }
  }
  # A transform job runs a model: the team's own only (sagemaker:ModelArn).
  statement {
    sid       = "TransformWithTheTeamsModels"
    actions   = ["sagemaker:CreateTransformJob"]
    resources = ["${local.sagemaker_arn}:transform-job/${each.value.work_prefix}*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/team"
      values   = [each.key]
    }
    condition {
      test     = "ArnLike"
      variable = "sagemaker:ModelArn"
      values   = ["${local.sagemaker_arn}:model/${each.value.work_prefix}*"]
    }
  }
  # Tags on create need sagemaker:AddTags too; the team tag, when sent, names this team.
  statement {
    sid       = "TagTheTeamsWork"
    actions   = ["sagemaker:AddTags"]
    resources = [for kind in concat(local.work_kinds, ["transform-job", "pipeline"]) : "${local.sagemaker_arn}:${kind}/${each.value.work_prefix}*"]
    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:RequestTag/team"
      values   = [each.key]
    }
  }
  statement {
    sid = "SeeAndStopTheTeamsWork"
    actions = [
      "sagemaker:DescribeHyperParameterTuningJob", "sagemaker:DescribeModel", "sagemaker:DescribeProcessingJob",
      "sagemaker:DescribeTrainingJob", "sagemaker:DescribeTransformJob", "sagemaker:ListTags",
      "sagemaker:StopHyperParameterTuningJob", "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob",
      "sagemaker:StopTransformJob",
    ]
    resources = [for kind in concat(local.work_kinds, ["transform-job"]) : "${local.sagemaker_arn}:${kind}/${each.value.work_prefix}*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/team"
      values   = [each.key]
    }
  }
  # The team's SageMaker pipelines (modules/pipelines runs them as the team's pipeline role, under
  # the guardrails): made with the team tag, under the team's names, as its jobs are.
  statement {
    sid       = "CreateTheTeamsPipelines"
    actions   = ["sagemaker:CreatePipeline"]
    resources = ["${local.sagemaker_arn}:pipeline/${each.value.work_prefix}*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/team"
      values   = [each.key]
    }
  }
  statement {
    sid = "RunTheTeamsPipelines"
    actions = [
      "sagemaker:DeletePipeline", "sagemaker:DescribePipeline", "sagemaker:DescribePipelineDefinitionForExecution",
      "sagemaker:DescribePipelineExecution", "sagemaker:ListPipelineExecutions", "sagemaker:ListPipelineExecutionSteps",
      "sagemaker:ListPipelineParametersForExecution", "sagemaker:RetryPipelineExecution", "sagemaker:StartPipelineExecution",
      "sagemaker:StopPipelineExecution", "sagemaker:UpdatePipeline",
    ]
    resources = ["${local.sagemaker_arn}:pipeline/${each.value.work_prefix}*", "${local.sagemaker_arn}:pipeline/${each.value.work_prefix}*/execution/*"]
  }
  # What the team's pipelines registered (modules/pipelines names the group <prefix>-<team>-models):
  # seen, never approved (a person's UpdateModelPackage).
  statement {
    sid       = "SeeTheTeamsRegisteredModels"
    actions   = ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"]
    resources = ["${local.sagemaker_arn}:model-package-group/${lower(each.value.name)}-models", "${local.sagemaker_arn}:model-package/${lower(each.value.name)}-models/*"]
  }
  # tools/pipeline.py takes back the code versions it uploaded for a pipeline it then failed to make
  # (a versioned bucket keeps a deleted object's versions unless the version itself is deleted).
  statement {
    sid       = "RemoveItsOwnPipelineCodeVersions"
    actions   = ["s3:DeleteObjectVersion"]
    resources = ["arn:${local.partition}:s3:::${var.model_buckets[each.key]}/pipelines/code/*"]
  }
  statement {
    sid       = "StopItsOwnNotebook"
    actions   = ["sagemaker:StopNotebookInstance"]
    resources = ["${local.sagemaker_arn}:notebook-instance/${lower(each.value.name)}"]
  }
  statement {
    sid       = "PassTheTeamsRolesToSageMaker"
    actions   = ["iam:PassRole"]
    resources = [for role in ["sagemaker", "pipeline"] : "arn:${local.partition}:iam::${local.account_id}:role/${each.value.name}-${role}"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }
}

# SageMaker writes a job's logs with its execution role, to streams named after the job
# (<job>/algo-1-..., <notebook>/jupyter.log): the team's streams only. CreateLogStream and
# DescribeLogStreams act on the group (CloudWatch Logs has no stream-level control for them);
# writing and reading a stream is by its name.
data "aws_iam_policy_document" "team_logs" {
  for_each = local.teams

  # SageMaker writes with the role from its own side of the network: writing is not conditioned.
  statement {
    sid       = "CreateStreamsInSageMakersGroups"
    actions   = ["logs:CreateLogStream"]
    resources = local.log_group_arns
  }
  statement {
    sid       = "WriteOwnLogStreams"
    actions   = ["logs:PutLogEvents"]
    resources = local.own_log_streams[each.key]
  }
  # Reading is the team's, from the notebook: through the environment's logs endpoint only, so
  # credentials carried out of the notebook cannot read the team's streams from elsewhere.
  # (A group ARN with :* also matches every stream in it: the group-level and stream-level actions
  # stay in separate statements.)
  dynamic "statement" {
    for_each = { ListStreamsThroughTheEndpoint = ["logs:DescribeLogStreams"], ReadOwnLogStreamsThroughTheEndpoint = ["logs:GetLogEvents"] }
    content {
      sid       = statement.key
      actions   = statement.value
      resources = statement.key == "ListStreamsThroughTheEndpoint" ? local.log_group_arns : local.own_log_streams[each.key]
      dynamic "condition" {
        for_each = contains(keys(var.interface_endpoint_ids), "logs") ? [1] : []
        content {
          test     = "StringEquals"
          variable = "aws:SourceVpce"
          values   = [var.interface_endpoint_ids["logs"]]
        }
      }
    }
  }
}

data "aws_iam_policy_document" "team_runtime" {
  for_each = local.teams

  # The environment contract (subnets, group, keys a job needs), read-only, decrypted by SSM.
  dynamic "statement" {
    for_each = var.parameter_prefix == null ? [] : [1]
    content {
      sid       = "ReadTheContract"
      actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
      resources = [local.contract_arn, "${local.contract_arn}/*"]
      # From the notebook and the jobs in the VPC, through the SSM endpoint.
      dynamic "condition" {
        for_each = contains(keys(var.interface_endpoint_ids), "ssm") ? [1] : []
        content {
          test     = "StringEquals"
          variable = "aws:SourceVpce"
          values   = [var.interface_endpoint_ids["ssm"]]
        }
      }
    }
  }
  dynamic "statement" {
    for_each = var.parameter_prefix == null || !contains(keys(var.kms_key_arns), "params") ? [] : [1]
    content {
      sid       = "ContractKeyThroughSsm"
      actions   = ["kms:Decrypt"]
      resources = [var.kms_key_arns["params"]]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.amazonaws.com"]
      }
    }
  }
  # The team's SageMaker listings (no resource-level permissions).
  statement {
    sid       = "SageMakerListings"
    actions   = ["sagemaker:ListEndpointConfigs", "sagemaker:ListModelPackageGroups", "sagemaker:ListModels", "sagemaker:ListPipelines", "sagemaker:ListProcessingJobs", "sagemaker:ListTrainingJobs", "sagemaker:ListTransformJobs"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "team" {
  for_each = local.teams

  source_policy_documents = concat(
    [for concern in [data.aws_iam_policy_document.team_sagemaker, data.aws_iam_policy_document.team_logs, data.aws_iam_policy_document.team_runtime] : concern[each.key].json],
    [module.job_access[each.key].json],
  )
}

resource "aws_iam_role" "team" {
  for_each = local.teams

  name               = "${each.value.name}-sagemaker"
  description        = "SageMaker execution role of team ${each.key}: its notebook and the jobs it starts"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = contains(keys(var.team_security_group_ids), each.key)
      error_message = "var.team_security_group_ids has no security group for team ${each.key}: every team in var.teams needs its own (modules/network team_security_group_ids)."
    }
    precondition {
      condition     = module.job_access[each.key].registries_known
      error_message = "var.job_image_registries: modules/_image_registries knows no AWS-owned SageMaker registries for ${local.region}; name the registries (or repositories) jobs may pull from."
    }
  }
}

resource "aws_iam_role_policy" "team" {
  for_each = local.teams

  name   = "team-${each.key}"
  role   = aws_iam_role.team[each.key].name
  policy = data.aws_iam_policy_document.team[each.key].json
}

resource "aws_iam_role_policy_attachment" "guardrails" {
  for_each = { for pair in setproduct(keys(local.teams), range(length(var.guardrail_policy_arns))) : "${pair[0]}/${pair[1]}" => { team = pair[0], arn = var.guardrail_policy_arns[pair[1]] } }

  role       = aws_iam_role.team[each.value.team].name
  policy_arn = each.value.arn
}

# --- The policy people attach to open their team's notebook ------------------------------------
#
# Jupyter's download button moves anything the notebook can read to the browser's machine. The
# presigned URL that opens a notebook is therefore granted only through the environment's VPC
# endpoints (a person on the VPN or Direct Connect) or from the named console networks (SageMaker
# Developer Guide, "Connect to a notebook instance through a VPC interface endpoint": aws:SourceVpce
# on CreatePresignedNotebookInstanceUrl). The Deny also holds against a broader Allow the person has
# elsewhere (AmazonSageMakerFullAccess, say). Published in the contract: teams/<team>/notebook_user_policy_arn.

# The team's notebook through the endpoints (or the console networks) only, and no browser session
# on SageMaker from anywhere else (modules/_browser_access).
module "notebook_browser_access" {
  source   = "../_browser_access"
  for_each = local.teams

  subject          = "TheTeamsNotebook"
  open_actions     = ["sagemaker:CreatePresignedNotebookInstanceUrl"]
  resources        = ["${local.sagemaker_arn}:notebook-instance/${lower(each.value.name)}"]
  deny_actions     = local.browser_sessions
  deny_sid         = "DenyOpeningNotebooksFromElsewhere"
  vpc_endpoint_ids = values(var.presigned_url_vpc_endpoint_ids)
  console_cidrs    = var.allowed_console_cidrs
}

data "aws_iam_policy_document" "notebook_user" {
  for_each = local.teams

  source_policy_documents = [module.notebook_browser_access[each.key].json]

  statement {
    sid       = "SeeStartAndStopTheTeamsNotebook"
    actions   = ["sagemaker:DescribeNotebookInstance", "sagemaker:StartNotebookInstance", "sagemaker:StopNotebookInstance"]
    resources = ["${local.sagemaker_arn}:notebook-instance/${lower(each.value.name)}"]
  }
  statement {
    sid       = "ListNotebooks"
    actions   = ["sagemaker:ListNotebookInstances"]
    resources = ["*"]
  }
  # A person of this team who may pass the team's role puts its work in the team's group only:
  # another team's group admits that team's notebook and jobs.
  statement {
    sid       = "DenyOtherTeamsSecurityGroups"
    effect    = "Deny"
    actions   = ["sagemaker:*"]
    resources = ["*"]
    condition {
      test     = "ForAnyValue:StringNotEquals"
      variable = "sagemaker:VpcSecurityGroupIds"
      values   = [var.team_security_group_ids[each.key]]
    }
  }
}

resource "aws_iam_policy" "notebook_user" {
  for_each = local.teams

  name        = "${each.value.name}-notebook-user"
  description = "Attach to the people of team ${each.key}: open, start and stop its notebook, through the environment's endpoints (or the console networks) only."
  policy      = data.aws_iam_policy_document.notebook_user[each.key].json
  tags        = var.tags
}

# --- Each team's notebook ------------------------------------------------------------------------

resource "aws_sagemaker_notebook_instance_lifecycle_configuration" "team" {
  for_each = local.teams

  name      = each.value.name
  on_create = base64encode(templatefile("${local.lifecycle_dir}/on-create.sh", local.lifecycle_vars[each.key]))
  on_start  = base64encode(templatefile("${local.lifecycle_dir}/on-start.sh", local.lifecycle_vars[each.key]))
  tags      = var.tags
}

resource "aws_sagemaker_notebook_instance" "team" {
  for_each = local.teams

  name                   = each.value.name
  role_arn               = aws_iam_role.team[each.key].arn
  instance_type          = var.instance_type
  platform_identifier    = var.platform_identifier
  volume_size            = var.volume_size_in_gb
  subnet_id              = var.subnet_ids[each.value.index % length(var.subnet_ids)]
  security_groups        = [var.team_security_group_ids[each.key]]
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
  kms_key_id             = var.kms_key_arns["volumes"]
  lifecycle_config_name  = aws_sagemaker_notebook_instance_lifecycle_configuration.team[each.key].name
  tags                   = var.tags

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }

  depends_on = [aws_iam_role_policy.team, aws_iam_role_policy_attachment.guardrails]
}
