# Stand-in outputs for `plan` and `validate` on an empty account, before a dependency exists.
# Shaped like the real outputs, with this environment's account and region.
locals {
  # Read through the unit that asked: this file is itself read by read_terragrunt_config.
  env     = read_terragrunt_config("${get_original_terragrunt_dir()}/../env.hcl").locals
  key_arn = "arn:aws:kms:${local.env.region}:${local.env.account_id}:key/00000000-0000-0000-0000-000000000000"
  kms = {
    key_arns = { for p in ["data", "models", "volumes", "logs", "notifications", "lambda", "params"] : p => local.key_arn }
  }
  network = {
    vpc_id                      = "vpc-00000000000000000"
    vpc_cidr                    = local.env.vpc_cidr
    private_subnet_ids          = [for i, _ in local.env.azs : format("subnet-%017d", i)]
    sagemaker_security_group_id = "sg-00000000000000000"
    endpoint_security_group_id  = "sg-00000000000000001"
    s3_vpc_endpoint_id          = "vpce-00000000000000000"
  }
  buckets = {
    data_buckets      = { for t in local.env.teams : t => "mock-data-${t}" }
    model_buckets     = { for t in local.env.teams : t => "mock-model-${t}" }
    data_bucket_arns  = { for t in local.env.teams : t => "arn:aws:s3:::mock-data-${t}" }
    model_bucket_arns = { for t in local.env.teams : t => "arn:aws:s3:::mock-model-${t}" }
    access_log_bucket = "mock-access-logs"
  }
  enforcer = {
    findings_topic_arn = "arn:aws:sns:${local.env.region}:${local.env.account_id}:mock-findings"
    alarms_topic_arn   = "arn:aws:sns:${local.env.region}:${local.env.account_id}:mock-alarms"
    function_name      = "mock-enforcer"
  }
  guardrails = {
    policy_arn = "arn:aws:iam::${local.env.account_id}:policy/mock-guardrails"
  }
  notebook = {
    execution_role_arns = { for t in local.env.teams : t => "arn:aws:iam::${local.env.account_id}:role/mock-${t}-sagemaker" }
    notebook_names      = { for t in local.env.teams : t => "mock-${t}" }
  }
  endpoint = {
    endpoint_name      = "mock-endpoint"
    endpoint_arn       = "arn:aws:sagemaker:${local.env.region}:${local.env.account_id}:endpoint/mock-endpoint"
    execution_role_arn = "arn:aws:iam::${local.env.account_id}:role/mock-endpoint-model"
  }
  invoker = {
    function_name = "mock-invoker"
    function_url  = "https://mock.lambda-url.${local.env.region}.on.aws/"
  }
  # Only plan and validate may see these; apply always reads the real outputs.
  commands = ["init", "validate", "plan", "destroy"]
}
