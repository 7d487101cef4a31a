# The private VPC: subnets, endpoints, security groups, flow logs.
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
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

inputs = {
  vpc_cidr              = local.env.vpc_cidr
  azs                   = local.env.azs
  teams                 = local.env.teams # one security group per team, none admitting another team
  enable_nat_gateway    = lookup(local.env, "enable_nat_gateway", false)
  flow_logs_kms_key_arn = dependency.kms.outputs.key_arns["logs"]
  # The endpoints admit this account's (or the organization's) principals and resources only.
  organization_id         = lookup(local.env, "organization_id", null)
  image_registry_accounts = lookup(local.env, "image_registries", null)
  # Mutation protection where the environment is protected: elsewhere a destroy must remove the firewall.
  # The endpoints VpcOnly Studio needs, where env.hcl turns Studio on (live/_envcommon/studio.hcl).
  studio_endpoints = lookup(lookup(local.env, "studio", {}), "enabled", true)
  dns_firewall     = { mode = lookup(local.env, "dns_firewall_mode", "block"), mutation_protection = local.env.protect_stateful }
}
