# One locked-down notebook instance per team, its execution role carrying the guardrails.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  mocks    = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    instance_type = local.env.notebook_instance_type
    idle_minutes  = local.env.notebook_idle_minutes
    # Registries job images may come from besides the account's own (default: AWS-owned SageMaker ones).
    job_image_registries  = local.env.image_registries
    allowed_console_cidrs = local.env.allowed_console_cidrs
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//notebook"
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
  # Each team in its own group, which admits no other team.
  team_security_group_ids = dependency.network.outputs.team_security_group_ids
  guardrail_policy_arns   = dependency.guardrails.outputs.policy_arns
  # People open notebooks through the notebook and SageMaker API endpoints, or from env.hcl's
  # allowed_console_cidrs; the Studio endpoint counts as inside too (the policy denies every browser
  # session elsewhere, and a person of the team holds the Studio policy beside it: live/_envcommon/studio.hcl).
  interface_endpoint_ids = dependency.network.outputs.interface_endpoint_ids
  presigned_url_vpc_endpoint_ids = {
    for s, id in dependency.network.outputs.interface_endpoint_ids : s => id if contains(["notebook", "sagemaker.api", "studio"], s)
  }
})
