# Per team a data and a model bucket, plus the environment's access-log bucket.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  mocks    = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    enforce_tls          = local.env.buckets_enforce_tls
    enforce_vpc_endpoint = local.env.buckets_enforce_vpc_endpoint
    force_destroy        = local.env.buckets_force_destroy
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//buckets"
}

prevent_destroy = local.env.protect_stateful

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
  teams              = local.env.teams
  data_kms_key_arn   = dependency.kms.outputs.key_arns["data"]
  models_kms_key_arn = dependency.kms.outputs.key_arns["models"]
  s3_vpc_endpoint_id = dependency.network.outputs.s3_vpc_endpoint_id

  # Terraform's own role and the named administrators manage the buckets from outside the VPC.
  # Terraform, the admins and (where models are promoted in) the promotion role work from outside the VPC.
  vpc_endpoint_exempt_principal_arns = compact(concat(
    [local.env.terraform_role_arn],
    local.env.admin_principal_arns,
    local.env.promotion == null ? [] : [local.settings.promotion_role_arn],
  ))
  model_reader_principal_arns = local.env.promotion_reader_role_arns
  # Only the promotion role writes what endpoints load from promoted/ (nobody, without promotion).
  promoted_prefix_writer_arns = local.env.promotion == null ? [] : [local.settings.promotion_role_arn]
  # A serverless endpoint has no VPC: its model role reads its model (that role, those prefixes,
  # s3:GetObject only) from outside the VPC endpoint. The role's name is the endpoint module's.
  serverless_model_readers = local.env.endpoint_shape != "serverless" ? [] : [{
    principal_arn = "arn:aws:iam::${local.env.account_id}:role/${local.settings.endpoint_name}-model"
    team          = local.settings.endpoint.team
    key_prefixes  = distinct(concat(["${dirname(local.settings.endpoint.model_key)}/"], local.env.promotion != null ? ["promoted/"] : []))
  }]
})
