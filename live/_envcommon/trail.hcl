# The management-event trail the enforcer's CloudTrail path needs; skipped where env.hcl names an
# organization trail (organization_trail_arn) that already records this account.
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//trail"
}

prevent_destroy = local.env.protect_stateful

# Terragrunt 1.x's `exclude` (the `skip` attribute is gone): no run of any command here when the
# organization's trail already records this account.
exclude {
  if      = lookup(local.env, "organization_trail_arn", null) != null
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

inputs = {
  guardrail_policy_arns     = dependency.guardrails.outputs.policy_arns
  kms_key_arn               = dependency.kms.outputs.key_arns["trail"]
  logs_kms_key_arn          = dependency.kms.outputs.key_arns["logs"]
  notifications_kms_key_arn = dependency.kms.outputs.key_arns["notifications"]
  access_log_bucket         = dependency.buckets.outputs.access_log_bucket
  force_destroy             = lookup(local.env, "buckets_force_destroy", false)
}
