# Preventive guardrails: the deny policy every SageMaker execution role carries.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  deployers = compact([
    local.env.terraform_role_arn,
    local.env.promotion == null ? "" : local.settings.promotion_role_arn,
  ])
  mocks = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    require_network_isolation = local.env.require_network_isolation
    # Cost and blast radius: the instance types env.hcl allows (default: every family known).
    allowed_instance_types  = local.env.instance_types
    allowed_keyless_actions = local.env.allowed_keyless_actions
    # Where env.hcl names organization targets, the same denies as SCPs bind every principal there.
    scp_target_ids = local.env.scp_target_ids
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//guardrails"
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

inputs = merge(local.optional_inputs, {
  approved_subnet_ids         = dependency.network.outputs.private_subnet_ids
  approved_security_group_ids = sort(distinct(concat([dependency.network.outputs.sagemaker_security_group_id], values(dependency.network.outputs.team_security_group_ids))))
  allow_serverless_inference  = local.env.endpoint_shape == "serverless"
  # The deployers (Terraform, promotion): they alone make a serverless model without a VPC and
  # write lifecycle configurations; with the enforcer, they alone write the control tags.
  deployer_arns           = local.deployers
  control_tag_writer_arns = concat(local.deployers, ["arn:aws:iam::${local.env.account_id}:role/${local.settings.prefix}-sagemaker-enforcer"])
  # The environment's keys, not any key.
  volume_kms_key_arns = [dependency.kms.outputs.key_arns["volumes"]]
  output_kms_key_arns = [dependency.kms.outputs.key_arns["data"], dependency.kms.outputs.key_arns["models"]]
})
