# The staging environment. Replace account_id and terraform_role_arn with your own before applying.
# What differs between environments lives in env.hcl and nowhere else.
locals {
  environment = "staging"
  name_prefix = "smenv" # resource names: <name_prefix>-<environment>-...; SSM: /<name_prefix>/<environment>/
  account_id  = "222222222222"
  region      = "eu-west-1"
  azs         = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  vpc_cidr    = "10.30.0.0/16"
  teams       = ["fraud", "pricing"]

  # SageMaker work may use these instance families only (modules/guardrails: cost and blast radius).
  instance_types = ["ml.t3.*", "ml.m5.*", "ml.c5.*", "ml.g5.*"]
  # Actions that send no key a guardrail could test (modules/guardrails/README.md lists each and
  # why): denied unless opted in here, e.g. ["sagemaker:CreateCompilationJob"].
  allowed_keyless_actions = []

  # Terraform assumes this role in account_id; the provider refuses any other account.
  emulator           = false
  terraform_role_arn = "arn:aws:iam::222222222222:role/smenv-terraform"

  protect_stateful         = false # Terragrunt prevent_destroy on the units that hold keys and data
  kms_deletion_window_days = 14

  # The model endpoint (modules/endpoint): the candidate model as a shadow variant that sees 20%
  # of the requests (its answers are captured, never returned).
  # endpoint_shape: provisioned (in the VPC) or serverless (no VPC: see modules/endpoint/README.md).
  endpoint_shape = "provisioned"
  endpoint = {
    name        = "churn"
    team        = "fraud" # the model data lives in this team's model bucket
    image       = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    model_key   = "promoted/churn/v1/model.tar.gz"
    shadow      = { image = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3", model_key = "promoted/churn/v2/model.tar.gz", sampling_percentage = 20 }
    autoscaling = { enabled = false }
  }

  # The promotion target (modules/promotion): who may run tools/promote_model.py into staging, and
  # what of dev's it reads (dev grants the same role read through promotion_reader_role_arns).
  promotion = {
    trusted_principal_arns           = ["arn:aws:iam::222222222222:role/smenv-deployer"]
    source_model_bucket_arns         = ["arn:aws:s3:::smenv-dev-model-fraud-111111111111-eu-west-1"]
    source_kms_key_arns              = ["arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000001"]
    source_model_package_group_names = ["smenv-dev-models"]
  }

  # SageMaker Studio in VpcOnly mode (modules/studio): the users' files outlive a destroy.
  studio = { enabled = true, idle_minutes = 120, retain_home_file_system = true }
}
