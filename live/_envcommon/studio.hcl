# SageMaker Studio in VpcOnly mode: the domain, a profile and a private space per team, in the
# teams' roles and groups (modules/studio). env.hcl's `studio` block: enabled, idle_minutes,
# instance_type, retain_home_file_system (default: protect_stateful).
locals {
  env    = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks  = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
  studio = merge({ enabled = true, idle_minutes = 60, instance_type = "ml.t3.medium", retain_home_file_system = local.env.protect_stateful }, lookup(local.env, "studio", {}))
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

inputs = {
  teams                   = local.env.teams
  vpc_id                  = dependency.network.outputs.vpc_id
  subnet_ids              = dependency.network.outputs.private_subnet_ids
  team_security_group_ids = dependency.network.outputs.team_security_group_ids
  execution_role_arns     = dependency.notebook.outputs.execution_role_arns
  kms_key_arns            = dependency.kms.outputs.key_arns
  idle_minutes            = local.studio.idle_minutes
  instance_type           = local.studio.instance_type
  # The users' files outlive a destroy where env.hcl says so (by default where it is protected).
  retain_home_file_system = local.studio.retain_home_file_system
  # People open Studio through the Studio and SageMaker API endpoints, or from these networks.
  presigned_url_vpc_endpoint_ids = { for s in ["studio", "sagemaker.api"] : s => dependency.network.outputs.interface_endpoint_ids[s] }
  allowed_console_cidrs          = lookup(local.env, "allowed_console_cidrs", [])
}
