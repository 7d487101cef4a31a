# The enforcer: EventBridge + Lambda that stops SageMaker work escaping the VPC, with findings.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  mocks    = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
  root     = dirname(find_in_parent_folders("root.hcl"))
  package  = "${local.root}/.smenv/build/enforcer.zip"

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    enforcement_mode = local.env.enforcement_mode
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//enforcer"

  # The zip Terraform uploads, rebuilt (deterministically, only when its sources changed) first.
  before_hook "package_lambda" {
    commands = ["plan", "apply", "destroy", "validate"]
    execute  = ["python", "${local.root}/tools/package_lambda.py", "${local.root}/lambda/enforcer", "--out", local.package]
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

dependency "guardrails" {
  config_path                             = "../guardrails"
  mock_outputs                            = local.mocks.guardrails
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

inputs = merge(local.optional_inputs, {
  package_path                = local.package
  approved_subnet_ids         = dependency.network.outputs.private_subnet_ids
  approved_security_group_ids = sort(distinct(concat([dependency.network.outputs.sagemaker_security_group_id], values(dependency.network.outputs.team_security_group_ids))))
  vpc_id                      = dependency.network.outputs.vpc_id
  lambda_subnet_ids           = dependency.network.outputs.private_subnet_ids
  endpoint_security_group_id  = dependency.network.outputs.endpoint_security_group_id
  notifications_kms_key_arn   = dependency.kms.outputs.key_arns["notifications"]
  lambda_kms_key_arn          = dependency.kms.outputs.key_arns["lambda"]
  logs_kms_key_arn            = dependency.kms.outputs.key_arns["logs"]
  allow_serverless_inference  = local.env.endpoint_shape == "serverless"
  guardrail_policy_arns       = dependency.guardrails.outputs.policy_arns
  # The notebooks' own lifecycle configurations (modules/notebook names them <prefix>-<team>), and
  # Terraform, whose lifecycle-configuration changes are the reviewed ones.
  approved_lifecycle_config_names = [for team in local.env.teams : "${local.settings.prefix}-${team}"]
  terraform_role_arns             = compact([local.env.terraform_role_arn])
  # Studio apps start with the domain's own scripts only (modules/studio names them <prefix>-studio-<app>).
  approved_studio_lifecycle_config_names = [for app in ["jupyterlab", "code-editor"] : "${local.settings.prefix}-studio-${app}"]
  # Each team's execution role (modules/notebook: <prefix>-<team>-sagemaker) and pipeline role
  # (modules/pipelines: <prefix>-<team>-pipeline) may use its team's group only; the platform's roles
  # (the endpoint's model role, promotion) are not in the map.
  team_security_groups = merge([
    for team in local.env.teams : {
      for role in ["sagemaker", "pipeline"] :
      "arn:aws:iam::${local.env.account_id}:role/${local.settings.prefix}-${team}-${role}" => [dependency.network.outputs.team_security_group_ids[team]]
    }
  ]...)
  # The environment's keys, as the guardrails name them (volume_kms_key_arns, output_kms_key_arns).
  approved_kms_key_arns = [for purpose in ["volumes", "data", "models"] : dependency.kms.outputs.key_arns[purpose]]
})
