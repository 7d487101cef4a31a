# The team's model endpoint: provisioned in the VPC (shadow, capture, autoscaling) or serverless,
# as env.hcl's endpoint_shape and endpoint say.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  mocks    = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/mocks.hcl").locals
  endpoint = local.settings.endpoint
  shadow   = local.endpoint.shadow

  # Set in env.hcl, or not passed: the module's own default applies (settings.hcl: null).
  optional_inputs = { for name, value in {
    instance_type            = local.endpoint.instance_type
    autoscaling              = local.endpoint.autoscaling
    serverless               = local.endpoint.serverless
    allowed_image_registries = local.env.image_registries
  } : name => value if value != null }
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//endpoint"
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

dependency "enforcer" {
  config_path                             = "../enforcer"
  mock_outputs                            = local.mocks.enforcer
  mock_outputs_allowed_terraform_commands = local.mocks.commands
}

inputs = merge(local.optional_inputs, {
  name  = local.endpoint.name
  shape = local.env.endpoint_shape
  model = {
    image          = local.endpoint.image
    model_data_url = "s3://${dependency.buckets.outputs.model_buckets[local.endpoint.team]}/${local.endpoint.model_key}"
  }
  shadow = local.shadow == null ? null : {
    image               = local.shadow.image
    model_data_url      = "s3://${dependency.buckets.outputs.model_buckets[local.endpoint.team]}/${local.shadow.model_key}"
    sampling_percentage = local.shadow.sampling_percentage
  }
  # Serverless cannot isolate the network (nor attach to the VPC): the README says what is given up.
  enable_network_isolation = local.env.endpoint_shape == "provisioned"
  model_bucket             = dependency.buckets.outputs.model_buckets[local.endpoint.team]
  models_kms_key_arn       = dependency.kms.outputs.key_arns["models"]
  volumes_kms_key_arn      = dependency.kms.outputs.key_arns["volumes"]
  subnet_ids               = dependency.network.outputs.private_subnet_ids
  security_group_ids       = [dependency.network.outputs.sagemaker_security_group_id]
  guardrail_policy_arns    = dependency.guardrails.outputs.policy_arns
  alarm_topic_arn          = dependency.enforcer.outputs.alarms_topic_arn
  # Where models are promoted in (env.hcl has `promotion`), an apply never rolls a promoted model back,
  # and the model's role reads the promoted copies (tools/promote_model.py writes under promoted/).
  models_promoted     = local.env.promotion != null
  model_data_prefixes = local.env.promotion != null ? ["promoted/"] : []
  # ... and pulls the custom images promote_model copies into <prefix>-promoted/ (modules/promotion).
  extra_image_repository_arns = local.env.promotion == null ? [] : [
    "arn:aws:ecr:${local.env.region}:${local.env.account_id}:repository/${local.settings.prefix}-promoted/*"
  ]
})
