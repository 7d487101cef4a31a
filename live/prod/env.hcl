# The prod environment. Replace account_id and terraform_role_arn with your own before applying.
# What differs between environments lives in env.hcl and nowhere else.
locals {
  environment = "prod"
  name_prefix = "smenv" # resource names: <name_prefix>-<environment>-...; SSM: /<name_prefix>/<environment>/
  account_id  = "333333333333"
  region      = "eu-west-1"
  azs         = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  vpc_cidr    = "10.40.0.0/16"
  teams       = ["fraud", "pricing"]

  # SageMaker work may use these instance families only (modules/guardrails: cost and blast radius).
  instance_types = ["ml.t3.*", "ml.m5.*", "ml.c5.*", "ml.g5.*"]
  # Actions that send no key a guardrail could test (modules/guardrails/README.md lists each and
  # why): denied unless opted in here, e.g. ["sagemaker:CreateCompilationJob"].
  allowed_keyless_actions = []
  # The guardrails also as SCPs on this account: they then bind every principal here, people and
  # CI included. Terraform's role must be allowed to manage Organizations policies (the account is
  # the organization's delegated administrator for SCPs); else empty this list and apply
  # modules/guardrails from the management account.
  scp_target_ids = ["333333333333"]

  # Terraform assumes this role in account_id; the provider refuses any other account.
  emulator           = false
  terraform_role_arn = "arn:aws:iam::333333333333:role/smenv-terraform"

  protect_stateful         = true # Terragrunt prevent_destroy on the units that hold keys and data
  kms_deletion_window_days = 30

  # The model endpoint (modules/endpoint): provisioned with autoscaling from 1 to 5 instances.
  # endpoint_shape = "serverless" switches to serverless inference: no VPC, no network isolation,
  # no data capture, no shadow (see modules/endpoint/README.md); the guardrails and the enforcer
  # then allow a serverless model, and only here.
  endpoint_shape = "provisioned"
  endpoint = {
    name        = "churn"
    team        = "fraud" # the model data lives in this team's model bucket
    image       = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    model_key   = "promoted/churn/v1/model.tar.gz"
    autoscaling = { min_capacity = 1, max_capacity = 5 }
    serverless  = { memory_size_in_mb = 2048, max_concurrency = 20 }
  }

  # The promotion target (modules/promotion): who may run tools/promote_model.py into prod, and
  # what of dev's it reads. A promoted package waits for a manual approval here.
  promotion = {
    trusted_principal_arns           = ["arn:aws:iam::333333333333:role/smenv-deployer"]
    source_model_bucket_arns         = ["arn:aws:s3:::smenv-dev-model-fraud-111111111111-eu-west-1"]
    source_kms_key_arns              = ["arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000001"]
    source_model_package_group_names = ["smenv-dev-models"]
    registered_approval_statuses     = ["PendingManualApproval"]
  }

  # SageMaker Studio in VpcOnly mode (modules/studio): the users' files outlive a destroy.
  studio = { enabled = true, idle_minutes = 120, retain_home_file_system = true }
}
