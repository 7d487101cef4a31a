# SageMaker Studio in VpcOnly mode: the domain, a profile and a private space per team, in the
# teams' roles and groups (modules/studio). env.hcl's `studio` block: enabled, idle_minutes,
# instance_type, retain_home_file_system (default: protect_stateful; settings.hcl).
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  mocks    = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
  studio   = local.settings.studio

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    idle_minutes  = local.studio.idle_minutes
    instance_type = local.studio.instance_type
    # People open Studio from these networks too (beside the endpoints: presigned_url_vpc_endpoint_ids).
    allowed_console_cidrs = local.env.allowed_console_cidrs
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//studio"
}

# studio = { enabled = false } in env.hcl: no domain (network then leaves out Studio's endpoints).
exclude {
  if      = !local.studio.enabled
  actions = ["all"]
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

dependency "notebook" {
  config_path                             = "../notebook"
  mock_outputs                            = local.mocks.notebook
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

inputs = merge(local.optional_inputs, {
  teams                   = local.env.teams
  vpc_id                  = dependency.network.outputs.vpc_id
  subnet_ids              = dependency.network.outputs.private_subnet_ids
  team_security_group_ids = dependency.network.outputs.team_security_group_ids
  execution_role_arns     = dependency.notebook.outputs.execution_role_arns
  kms_key_arns            = dependency.kms.outputs.key_arns
  # The users' files outlive a destroy where env.hcl says so (by default where it is protected).
  retain_home_file_system = local.studio.retain_home_file_system
  # People open Studio through the Studio and SageMaker API endpoints (or env.hcl's allowed_console_cidrs).
  presigned_url_vpc_endpoint_ids = { for s in ["studio", "sagemaker.api"] : s => dependency.network.outputs.interface_endpoint_ids[s] }
})
