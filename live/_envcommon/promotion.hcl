# The target side of tools/promote_model.py: the model package group and the role the tool assumes.
# Only in environments whose env.hcl has a `promotion` block (staging, prod, and local to rehearse).
locals {
  settings  = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env       = local.settings.env
  mocks     = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
  promotion = local.settings.promotion

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    source_model_bucket_arns         = local.promotion.source_model_bucket_arns
    source_kms_key_arns              = local.promotion.source_kms_key_arns
    source_model_package_group_names = local.promotion.source_model_package_group_names
    source_image_repository_arns     = local.promotion.source_image_repository_arns
    registered_approval_statuses     = local.promotion.registered_approval_statuses
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//promotion"
}

dependency "kms" {
  config_path                             = "../kms"
  mock_outputs                            = local.mocks.kms
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

dependency "endpoint" {
  config_path                             = "../endpoint"
  mock_outputs                            = local.mocks.endpoint
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

inputs = merge(local.optional_inputs, {
  trusted_principal_arns       = local.promotion.trusted_principal_arns
  models_bucket_name           = dependency.buckets.outputs.model_buckets[local.settings.endpoint.team]
  models_kms_key_arn           = dependency.kms.outputs.key_arns["models"]
  params_kms_key_arn           = dependency.kms.outputs.key_arns["params"]
  endpoint_execution_role_arns = [dependency.endpoint.outputs.execution_role_arn]
  endpoint_kms_key_arns        = [dependency.kms.outputs.key_arns["volumes"], dependency.kms.outputs.key_arns["models"]]
  guardrail_policy_arns        = dependency.guardrails.outputs.policy_arns
})
