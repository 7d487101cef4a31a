# The private VPC: subnets, endpoints, security groups, flow logs.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  mocks    = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    enable_nat_gateway = local.env.enable_nat_gateway
    # The endpoints admit this account's (or the organization's) principals and resources only.
    organization_id         = local.env.organization_id
    image_registry_accounts = local.env.image_registries
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//network"

  # SageMaker Studio leaves its NFS security groups (and a retained home file system) in the VPC,
  # outside Terraform's state: the VPC's destroy would fail half-way on them. Remove them first, or
  # stop in one line naming the file system that holds the users' files (tools/studio_leftovers.py).
  before_hook "studio_leftovers" {
    commands = ["destroy"]
    execute  = ["python3", "${dirname(find_in_parent_folders("root.hcl"))}/tools/studio_leftovers.py", "--env", local.env.environment]
  }
}

dependency "kms" {
  config_path                             = "../kms"
  mock_outputs                            = local.mocks.kms
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

inputs = merge(local.optional_inputs, {
  vpc_cidr              = local.env.vpc_cidr
  azs                   = local.env.azs
  teams                 = local.env.teams # one security group per team, none admitting another team
  flow_logs_kms_key_arn = dependency.kms.outputs.key_arns["logs"]
  # The endpoints VpcOnly Studio needs, where env.hcl turns Studio on (live/_envcommon/studio.hcl).
  studio_endpoints = local.settings.studio.enabled
  # Mutation protection where the environment is protected: elsewhere a destroy must remove the firewall.
  # The mode is env.hcl's dns_firewall_mode, or (null) the module's own default.
  dns_firewall = { mode = local.env.dns_firewall_mode, mutation_protection = local.env.protect_stateful }
})
