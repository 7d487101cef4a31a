# Per team, the role SageMaker Pipelines runs the team's pipelines with (the guardrails attached, so
# every step's job is judged as a notebook's is) and the model package group they register into
# (modules/pipelines). examples/pipelines and tools/pipeline.py use them through the contract.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  mocks    = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    # The registries the notebooks' jobs may pull from (default: the region's AWS-owned ones).
    job_image_registries = local.env.image_registries
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//pipelines"

  # The versions the teams' pipelines registered hold the groups: deleted first, or (protect_stateful)
  # the destroy stops in one line saying which group holds what.
  before_hook "model_package_leftovers" {
    commands = ["destroy"]
    execute  = concat(["python3", "${dirname(find_in_parent_folders("root.hcl"))}/tools/model_package_leftovers.py", "--env", local.env.environment], local.env.protect_stateful ? [] : ["--delete-versions"])
  }
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

inputs = merge(local.optional_inputs, {
  teams         = local.env.teams
  data_buckets  = dependency.buckets.outputs.data_buckets
  model_buckets = dependency.buckets.outputs.model_buckets
  kms_key_arns  = dependency.kms.outputs.key_arns
  subnet_ids    = dependency.network.outputs.private_subnet_ids
  # Each team's steps in its own group, which admits no other team.
  team_security_group_ids = dependency.network.outputs.team_security_group_ids
  guardrail_policy_arns   = dependency.guardrails.outputs.policy_arns
})
