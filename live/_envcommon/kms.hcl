# Customer-managed KMS keys, one per purpose. First in the chain: every other unit uses them.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders())}/modules//kms"
}

prevent_destroy = local.env.protect_stateful

inputs = {
  deletion_window_in_days = local.env.kms_deletion_window_days
  keys = {
    data          = {}
    models        = {}
    volumes       = {}
    logs          = {}
    notifications = {}
    lambda        = {}
  }
}
