# SageMaker's log groups, made first so they are encrypted and retained.
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//log_groups"
}

dependency "kms" {
  config_path                             = "../kms"
  mock_outputs                            = local.mocks.kms
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

inputs = {
  kms_key_arn       = dependency.kms.outputs.key_arns["logs"]
  retention_in_days = lookup(local.env, "log_retention_days", 365)
  # Made before the endpoint, so SageMaker writes into an encrypted group instead of creating one.
  endpoint_names = [for e in [lookup(local.env, "endpoint", null)] : "${local.env.name_prefix}-${local.env.environment}-${e.name}" if e != null]
}
