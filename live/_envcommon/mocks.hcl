# Stand-in outputs for `plan` and `validate` on an empty account, before a dependency exists.
# Shaped like the real outputs, with this environment's account and region. Every name a module
# derives from name_prefix is the real one (the access matrix, tools/access_matrix.py, follows a
# role or bucket from the unit that makes it to the units that use it by name); what AWS assigns
# (key, VPC, subnet, group and endpoint ids) is a fixed placeholder, distinct per purpose.
locals {
  settings = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/settings.hcl").locals
  env      = local.settings.env
  prefix   = local.settings.prefix
  suffix   = "${local.env.account_id}-${local.env.region}"
  arn      = { for service in ["iam", "kms", "sns", "sagemaker"] : service => "arn:aws:${service}:${service == "iam" ? "" : local.env.region}:${local.env.account_id}" }

  key_purposes = ["data", "models", "volumes", "logs", "notifications", "lambda", "params", "trail"]
  kms = {
    key_arns = { for i, p in local.key_purposes : p => format("${local.arn.kms}:key/00000000-0000-0000-0000-%012d", i + 1) }
  }
  network = {
    vpc_id                      = "vpc-00000000000000000"
    vpc_cidr                    = local.env.vpc_cidr
    private_subnet_ids          = [for i, _ in local.env.azs : format("subnet-%017d", i)]
    sagemaker_security_group_id = "sg-00000000000000000"
    team_security_group_ids     = { for i, t in local.env.teams : t => format("sg-%017d", 100 + i) }
    endpoint_security_group_id  = "sg-00000000000000001"
    s3_vpc_endpoint_id          = "vpce-00000000000000000"
    interface_endpoint_ids      = { for i, s in ["sagemaker.api", "sagemaker.runtime", "notebook", "sts", "logs", "monitoring", "kms", "ssm", "ecr.api", "ecr.dkr", "events", "sns", "studio", "sagemaker.featurestore-runtime", "sagemaker.metrics"] : s => format("vpce-%017d", i + 1) }
  }
  buckets = {
    data_buckets      = { for t in local.env.teams : t => "${local.prefix}-data-${t}-${local.suffix}" }
    model_buckets     = { for t in local.env.teams : t => "${local.prefix}-model-${t}-${local.suffix}" }
    data_bucket_arns  = { for t in local.env.teams : t => "arn:aws:s3:::${local.prefix}-data-${t}-${local.suffix}" }
    model_bucket_arns = { for t in local.env.teams : t => "arn:aws:s3:::${local.prefix}-model-${t}-${local.suffix}" }
    access_log_bucket = "${local.prefix}-access-logs-${local.suffix}"
  }
  enforcer = {
    findings_topic_arn = "${local.arn.sns}:${local.prefix}-enforcer-findings"
    alarms_topic_arn   = "${local.arn.sns}:${local.prefix}-enforcer-alarms"
    function_name      = "${local.prefix}-sagemaker-enforcer"
  }
  guardrails = {
    policy_arns         = [for concern in ["network", "encryption", "workloads"] : "${local.arn.iam}:policy/${local.prefix}-sagemaker-guardrails-${concern}"]
    boundary_policy_arn = "${local.arn.iam}:policy/${local.prefix}-sagemaker-boundary"
  }
  notebook = {
    execution_role_arns       = { for t in local.env.teams : t => "${local.arn.iam}:role/${local.prefix}-${t}-sagemaker" }
    notebook_names            = { for t in local.env.teams : t => "${local.prefix}-${t}" }
    notebook_user_policy_arns = { for t in local.env.teams : t => "${local.arn.iam}:policy/${local.prefix}-${t}-notebook-user" }
    work_name_prefixes        = { for t in local.env.teams : t => "${local.prefix}-${t}-" }
  }
  pipelines = {
    execution_role_arns       = { for t in local.env.teams : t => "${local.arn.iam}:role/${local.prefix}-${t}-pipeline" }
    model_package_group_names = { for t in local.env.teams : t => "${local.prefix}-${t}-models" }
  }
  endpoint = {
    endpoint_name      = local.settings.endpoint_name
    endpoint_arn       = "${local.arn.sagemaker}:endpoint/${local.settings.endpoint_name}"
    execution_role_arn = "${local.arn.iam}:role/${local.settings.endpoint_name}-model"
  }
  invoker = {
    function_name = "${local.settings.endpoint_name}-invoker"
    function_url  = "https://mock.lambda-url.${local.env.region}.on.aws/"
  }
  # Only plan and validate may see these; apply always reads the real outputs.
  commands = ["init", "validate", "plan", "destroy"]
}
