# The env.hcl schema: every key an environment may set, what a unit sees where it sets none, and the
# names derived from it. root.hcl, mocks.hcl and every unit file here read this file (never env.hcl
# itself); src/smenv/core/project.py parses the same key lists, so a key declared nowhere here is refused by
# Terragrunt and by every tool, in one line naming the key.
#
# Read with read_terragrunt_config: the env.hcl is the one beside the unit that asked.
locals {
  given = read_terragrunt_config("${get_original_terragrunt_dir()}/../env.hcl").locals
  file  = "live/${basename(dirname(get_original_terragrunt_dir()))}/env.hcl"

  # Keys every env.hcl sets.
  required = [
    "environment", "name_prefix", "account_id", "region", "azs", "vpc_cidr", "teams",
    "protect_stateful",         # Terragrunt prevent_destroy on the units that hold keys and data
    "kms_deletion_window_days", # modules/kms deletion_window_in_days
    "endpoint",                 # the model endpoint: endpoint_required, endpoint_optional below
  ]

  # Keys an env.hcl may set, each with the value the units see where it does not. null: the unit
  # passes nothing, so the module's own default applies (module_defaults names it, for the tools).
  optional = {
    emulator           = false # provider and state on the local emulator (root.hcl)
    terraform_role_arn = ""    # the role Terraform assumes in account_id ("": none)

    # network
    enable_nat_gateway = null
    organization_id    = null # the endpoints then admit the organization's principals
    dns_firewall_mode  = null
    image_registries   = null # where images may come from (default: the region's AWS-owned registries)

    # keys, buckets, logs, trail
    promotion_reader_role_arns   = [] # other environments' promotion roles that read this one's models
    admin_principal_arns         = [] # manage the buckets from outside the VPC, beside Terraform
    buckets_enforce_tls          = null
    buckets_enforce_vpc_endpoint = null
    buckets_force_destroy        = null
    log_retention_days           = null
    organization_trail_arn       = null # an organization trail records the account: no trail unit, no trail key

    # guardrails and enforcer
    instance_types            = null
    allowed_keyless_actions   = null
    scp_target_ids            = null
    require_network_isolation = null
    enforcement_mode          = null

    # workloads
    notebook_instance_type       = null
    notebook_idle_minutes        = null
    allowed_console_cidrs        = null
    invoker_reserved_concurrency = null
    endpoint_shape               = "provisioned" # or serverless: no VPC (modules/endpoint/README.md)
    promotion                    = null          # the promotion target (modules/promotion): promotion_* below
    studio                       = {}            # SageMaker Studio: studio_optional below
  }

  # The blocks' own keys, the same way.
  endpoint_required  = ["name", "team", "image", "model_key"]
  endpoint_optional  = { shadow = null, instance_type = null, autoscaling = null, serverless = null }
  studio_optional    = { enabled = true, idle_minutes = null, instance_type = null, retain_home_file_system = local.given.protect_stateful }
  promotion_required = ["trusted_principal_arns"]
  promotion_optional = {
    source_model_bucket_arns         = null
    source_kms_key_arns              = null
    source_model_package_group_names = null
    source_image_repository_arns     = null
    registered_approval_statuses     = null
  }

  # Where a default above is null, the module variable (<module>.<variable>[.<attribute>]) whose own
  # default applies: src/smenv/core/project.py reads the value there, Terragrunt never needs it.
  module_defaults = {
    enable_nat_gateway                           = "network.enable_nat_gateway"
    organization_id                              = "network.organization_id"
    dns_firewall_mode                            = "network.dns_firewall.mode"
    image_registries                             = "network.image_registry_accounts"
    buckets_enforce_tls                          = "buckets.enforce_tls"
    buckets_enforce_vpc_endpoint                 = "buckets.enforce_vpc_endpoint"
    buckets_force_destroy                        = "buckets.force_destroy"
    log_retention_days                           = "log_groups.retention_in_days"
    instance_types                               = "guardrails.allowed_instance_types"
    allowed_keyless_actions                      = "guardrails.allowed_keyless_actions"
    scp_target_ids                               = "guardrails.scp_target_ids"
    require_network_isolation                    = "guardrails.require_network_isolation"
    enforcement_mode                             = "enforcer.enforcement_mode"
    notebook_instance_type                       = "notebook.instance_type"
    notebook_idle_minutes                        = "notebook.idle_minutes"
    allowed_console_cidrs                        = "notebook.allowed_console_cidrs"
    invoker_reserved_concurrency                 = "invoker.reserved_concurrency"
    "endpoint.instance_type"                     = "endpoint.instance_type"
    "endpoint.autoscaling"                       = "endpoint.autoscaling"
    "endpoint.serverless"                        = "endpoint.serverless"
    "studio.idle_minutes"                        = "studio.idle_minutes"
    "studio.instance_type"                       = "studio.instance_type"
    "promotion.source_model_bucket_arns"         = "promotion.source_model_bucket_arns"
    "promotion.source_kms_key_arns"              = "promotion.source_kms_key_arns"
    "promotion.source_model_package_group_names" = "promotion.source_model_package_group_names"
    "promotion.source_image_repository_arns"     = "promotion.source_image_repository_arns"
    "promotion.registered_approval_statuses"     = "promotion.registered_approval_statuses"
  }

  # env.hcl with every default applied: what the units read.
  env       = merge(local.optional, local.given)
  endpoint  = merge(local.endpoint_optional, local.env.endpoint)
  studio    = merge(local.studio_optional, local.env.studio)
  promotion = local.env.promotion == null ? null : merge(local.promotion_optional, local.env.promotion)

  # A key the schema does not know stops every command, as it stops every tool (src/smenv/core/project.py).
  # Terragrunt has no assertion, but evaluates every local: tonumber() of the message fails with it.
  unknown = concat(
    sort(setsubtract(keys(local.given), concat(local.required, keys(local.optional)))),
    [for key in sort(setsubtract(keys(local.env.endpoint), concat(local.endpoint_required, keys(local.endpoint_optional)))) : "endpoint.${key}"],
    [for key in sort(setsubtract(keys(local.env.studio), keys(local.studio_optional))) : "studio.${key}"],
    [for key in sort(setsubtract(local.env.promotion == null ? [] : keys(local.env.promotion), concat(local.promotion_required, keys(local.promotion_optional)))) : "promotion.${key}"],
  )
  refused = length(local.unknown) == 0 ? null : tonumber("${local.file}: unknown key '${local.unknown[0]}' in locals (the known keys: live/_envcommon/settings.hcl)")

  # The derived names (src/smenv/core/project.py derives the same): every resource is <prefix>-..., the SSM
  # contract lives under parameter_prefix, the endpoint is <prefix>-<endpoint.name> (modules/endpoint).
  prefix             = "${local.env.name_prefix}-${local.env.environment}"
  parameter_prefix   = "/${local.env.name_prefix}/${local.env.environment}"
  state_bucket       = "${local.prefix}-tfstate-${local.env.account_id}-${local.env.region}"
  endpoint_name      = "${local.prefix}-${local.endpoint.name}"
  promotion_role_arn = "arn:aws:iam::${local.env.account_id}:role/${local.prefix}-promotion" # modules/promotion's role
}
