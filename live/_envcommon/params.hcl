# The environment contract: what every tool reads from SSM under /<name_prefix>/<environment>/.
# Last in the chain, so a new output anywhere is published in one place (docs/CONTRACTS.md).
locals {
  mocks = read_terragrunt_config("${dirname(find_in_parent_folders())}/live/_envcommon/mocks.hcl").locals
}

terraform {
  source = "${dirname(find_in_parent_folders())}/modules//params"
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
    { for purpose, arn in dependency.kms.outputs.key_arns : "kms/${purpose}/key_arn" => arn },
    { for team, name in dependency.buckets.outputs.data_buckets : "teams/${team}/data_bucket" => name },
    { for team, name in dependency.buckets.outputs.model_buckets : "teams/${team}/model_bucket" => name },
  )
  string_lists = {
    "network/private_subnet_ids" = dependency.network.outputs.private_subnet_ids
  }
}
