# The environment contract: what every tool reads from SSM under /<name_prefix>/<environment>/.
# Last in the chain, so a new output anywhere is published in one place (the table: README.md).
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  mocks    = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//params"
}

dependency "kms" {
  config_path                             = "../kms"
  mock_outputs                            = local.mocks.kms
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

dependency "network" {
  config_path                             = "../network"
  mock_outputs                            = local.mocks.network
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

dependency "enforcer" {
  config_path                             = "../enforcer"
  mock_outputs                            = local.mocks.enforcer
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

dependency "buckets" {
  config_path                             = "../buckets"
  mock_outputs                            = local.mocks.buckets
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

dependency "guardrails" {
  config_path                             = "../guardrails"
  mock_outputs                            = local.mocks.guardrails
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

dependency "notebook" {
  config_path                             = "../notebook"
  mock_outputs                            = local.mocks.notebook
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

dependency "pipelines" {
  config_path                             = "../pipelines"
  mock_outputs                            = local.mocks.pipelines
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

dependency "endpoint" {
  config_path                             = "../endpoint"
  mock_outputs                            = local.mocks.endpoint
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

dependency "invoker" {
  config_path                             = "../invoker"
  mock_outputs                            = local.mocks.invoker
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

inputs = {
  kms_key_arn = dependency.kms.outputs.key_arns["params"]
  parameters = merge(
    {
      "network/vpc_id"                      = dependency.network.outputs.vpc_id
      "network/sagemaker_security_group_id" = dependency.network.outputs.sagemaker_security_group_id
      "network/s3_vpc_endpoint_id"          = dependency.network.outputs.s3_vpc_endpoint_id
      "buckets/access_log_bucket"           = dependency.buckets.outputs.access_log_bucket
      "enforcer/findings_topic_arn"         = dependency.enforcer.outputs.findings_topic_arn
    },
    {
      "endpoints/${local.settings.endpoint.name}/endpoint_name"         = dependency.endpoint.outputs.endpoint_name
      "endpoints/${local.settings.endpoint.name}/execution_role_arn"    = dependency.endpoint.outputs.execution_role_arn
      "endpoints/${local.settings.endpoint.name}/invoker_function_name" = dependency.invoker.outputs.function_name
      "endpoints/${local.settings.endpoint.name}/invoker_url"           = dependency.invoker.outputs.function_url
    },
    { for purpose, arn in dependency.kms.outputs.key_arns : "kms/${purpose}/key_arn" => arn },
    { for team, name in dependency.buckets.outputs.data_buckets : "teams/${team}/data_bucket" => name },
    { for team, name in dependency.buckets.outputs.model_buckets : "teams/${team}/model_bucket" => name },
    { for team, id in dependency.network.outputs.team_security_group_ids : "teams/${team}/security_group_id" => id },
    # Promotion target (modules/promotion names its role and group from name_prefix alone).
    local.env.promotion == null ? {} : {
      "promotion/model_bucket"        = dependency.buckets.outputs.model_buckets[local.settings.endpoint.team]
      "promotion/kms_key_arn"         = dependency.kms.outputs.key_arns["models"]
      "promotion/model_package_group" = "${local.settings.prefix}-models"
      "promotion/role_arn"            = local.settings.promotion_role_arn
    },
    { for team, arn in dependency.notebook.outputs.execution_role_arns : "teams/${team}/execution_role_arn" => arn },
    { for team, name in dependency.notebook.outputs.notebook_names : "teams/${team}/notebook" => name },
    { for team, arn in dependency.notebook.outputs.notebook_user_policy_arns : "teams/${team}/notebook_user_policy_arn" => arn },
    { for team, prefix in dependency.notebook.outputs.work_name_prefixes : "teams/${team}/work_name_prefix" => prefix },
    # SageMaker Pipelines (modules/pipelines): the role a team's pipelines run as, and where they register.
    { for team, arn in dependency.pipelines.outputs.execution_role_arns : "teams/${team}/pipeline_execution_role_arn" => arn },
    { for team, name in dependency.pipelines.outputs.model_package_group_names : "teams/${team}/model_package_group" => name },
    { "guardrails/boundary_policy_arn" = dependency.guardrails.outputs.boundary_policy_arn },
    # Studio (modules/studio names each team's domain, profile and people's policy from name_prefix
    # alone: no dependency, so the contract stands where env.hcl turns Studio off and the unit is skipped).
    !local.settings.studio.enabled ? {} : merge(
      { for team in local.env.teams : "teams/${team}/studio_domain_name" => "${local.settings.prefix}-${team}-studio" },
      { for team in local.env.teams : "teams/${team}/studio_user_profile" => "${team}-studio" },
      { for team in local.env.teams : "teams/${team}/studio_user_policy_arn" => "arn:aws:iam::${local.env.account_id}:policy/${local.settings.prefix}-${team}-studio-user" },
    ),
  )
  string_lists = {
    "network/private_subnet_ids" = dependency.network.outputs.private_subnet_ids
    "guardrails/policy_arns"     = dependency.guardrails.outputs.policy_arns
  }
}
