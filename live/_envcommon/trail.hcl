# The management-event trail the enforcer's CloudTrail path needs; skipped where env.hcl names an
# organization trail (organization_trail_arn) that already records this account.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  mocks    = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    force_destroy = local.env.buckets_force_destroy
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//trail"
}

prevent_destroy = local.env.protect_stateful

# Terragrunt 1.x's `exclude` (the `skip` attribute is gone): no run of any command here when the
# organization's trail already records this account.
exclude {
  if      = local.env.organization_trail_arn != null
  actions = ["all"]
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

inputs = merge(local.optional_inputs, {
  guardrail_policy_arns     = dependency.guardrails.outputs.policy_arns
  kms_key_arn               = dependency.kms.outputs.key_arns["trail"]
  logs_kms_key_arn          = dependency.kms.outputs.key_arns["logs"]
  notifications_kms_key_arn = dependency.kms.outputs.key_arns["notifications"]
  access_log_bucket         = dependency.buckets.outputs.access_log_bucket
})
