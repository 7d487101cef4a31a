# Customer-managed KMS keys, one per purpose. First in the chain: every other unit uses them.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  # Accounts whose promotion roles may read (decrypt) this environment's models, through S3 only.
  promotion_reader_accounts = distinct([for arn in local.env.promotion_reader_role_arns : split(":", arn)[4]])
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//kms"
}

prevent_destroy = local.env.protect_stateful

inputs = {
  deletion_window_in_days = local.env.kms_deletion_window_days
  keys = merge({
    data          = {}
    models        = { cross_account_decrypt_account_ids = local.promotion_reader_accounts }
    volumes       = {}
    logs          = {}
    notifications = {}
    lambda        = {}
    params        = {}
  }, local.env.organization_trail_arn != null ? {} : { trail = {} })
}
