# The least-privilege HTTPS front of the endpoint: a Lambda function URL (AWS_IAM) in the VPC.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  mocks    = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
  root     = dirname(find_in_parent_folders("root.hcl"))
  package  = "${local.root}/.smenv/build/invoke_endpoint.zip"

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    reserved_concurrency = local.env.invoker_reserved_concurrency
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//invoker"

  # The zip Terraform uploads, rebuilt (deterministically, only when its sources changed) first.
  before_hook "package_lambda" {
    commands = ["plan", "apply", "destroy", "validate"]
    execute  = ["python", "${local.root}/tools/package_lambda.py", "${local.root}/lambda/invoke_endpoint", "--out", local.package]
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

dependency "endpoint" {
  config_path                             = "../endpoint"
  mock_outputs                            = local.mocks.endpoint
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

dependency "guardrails" {
  config_path                             = "../guardrails"
  mock_outputs                            = local.mocks.guardrails
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

inputs = merge(local.optional_inputs, {
  guardrail_policy_arns      = dependency.guardrails.outputs.policy_arns
  endpoint_name              = dependency.endpoint.outputs.endpoint_name
  endpoint_arn               = dependency.endpoint.outputs.endpoint_arn
  package_path               = local.package
  vpc_id                     = dependency.network.outputs.vpc_id
  subnet_ids                 = dependency.network.outputs.private_subnet_ids
  endpoint_security_group_id = dependency.network.outputs.endpoint_security_group_id
  lambda_kms_key_arn         = dependency.kms.outputs.key_arns["lambda"]
  logs_kms_key_arn           = dependency.kms.outputs.key_arns["logs"]
})
