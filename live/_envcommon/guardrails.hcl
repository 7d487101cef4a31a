# Preventive guardrails: the deny policy every SageMaker execution role carries.
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks = read_terragrunt_config("${dirname(find_in_parent_folders())}/live/_envcommon/mocks.hcl").locals
}

terraform {
  source = "${dirname(find_in_parent_folders())}/modules//guardrails"
}

dependency "network" {
  config_path                             = "../network"
  mock_outputs                            = local.mocks.network
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

inputs = {
  approved_subnet_ids         = dependency.network.outputs.private_subnet_ids
  approved_security_group_ids = [dependency.network.outputs.sagemaker_security_group_id]
  require_network_isolation   = lookup(local.env, "require_network_isolation", false)
  allow_serverless_inference  = lookup(local.env, "endpoint_shape", "provisioned") == "serverless"
}
