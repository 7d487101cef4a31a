# Preventive guardrails: the deny policy every SageMaker execution role carries.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  deployers = compact([
    local.env.terraform_role_arn,
    lookup(local.env, "promotion", null) == null ? "" : "arn:aws:iam::${local.env.account_id}:role/${local.env.name_prefix}-${local.env.environment}-promotion",
  ])
  mocks = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
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

inputs = {
  approved_subnet_ids         = dependency.network.outputs.private_subnet_ids
  approved_security_group_ids = sort(distinct(concat([dependency.network.outputs.sagemaker_security_group_id], values(dependency.network.outputs.team_security_group_ids))))
  require_network_isolation   = lookup(local.env, "require_network_isolation", false)
  allow_serverless_inference  = lookup(local.env, "endpoint_shape", "provisioned") == "serverless"
  # The deployers (Terraform, promotion): they alone make a serverless model without a VPC and
  # write lifecycle configurations; with the enforcer, they alone write the control tags.
  deployer_arns           = local.deployers
  control_tag_writer_arns = concat(local.deployers, ["arn:aws:iam::${local.env.account_id}:role/${local.env.name_prefix}-${local.env.environment}-sagemaker-enforcer"])
  # The environment's keys, not any key.
  volume_kms_key_arns = [dependency.kms.outputs.key_arns["volumes"]]
  output_kms_key_arns = [dependency.kms.outputs.key_arns["data"], dependency.kms.outputs.key_arns["models"]]
  # Cost and blast radius: the instance types env.hcl allows (default: every family known).
  allowed_instance_types  = lookup(local.env, "instance_types", [])
  allowed_keyless_actions = lookup(local.env, "allowed_keyless_actions", [])
  # Where env.hcl names organization targets, the same denies as SCPs bind every principal there.
  scp_target_ids = lookup(local.env, "scp_target_ids", [])
}
