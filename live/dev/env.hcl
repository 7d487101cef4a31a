# The dev environment. Replace account_id and terraform_role_arn with your own before applying.
# What differs between environments lives in env.hcl and nowhere else.
locals {
  environment = "dev"
  name_prefix = "smenv" # resource names: <name_prefix>-<environment>-...; SSM: /<name_prefix>/<environment>/
  account_id  = "111111111111"
  region      = "eu-west-1"
  azs         = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  vpc_cidr    = "10.20.0.0/16"
  teams       = ["fraud", "pricing"]

  # SageMaker work may use these instance families only (modules/guardrails: cost and blast radius).
  instance_types = ["ml.t3.*", "ml.m5.*", "ml.c5.*", "ml.g5.*"]
  # Actions that send no key a guardrail could test (modules/guardrails/README.md lists each and
  # why): denied unless opted in here, e.g. ["sagemaker:CreateCompilationJob"].
  allowed_keyless_actions = []

  # Terraform assumes this role in account_id; the provider refuses any other account.
  emulator           = false
  terraform_role_arn = "arn:aws:iam::111111111111:role/smenv-terraform"

  # Model promotion (tools/promote_model.py): the staging and prod promotion roles read dev's
  # model buckets and decrypt with dev's models key, through S3 only.
  promotion_reader_role_arns = [
    "arn:aws:iam::222222222222:role/smenv-staging-promotion",
    "arn:aws:iam::333333333333:role/smenv-prod-promotion",
  ]

  protect_stateful         = false # Terragrunt prevent_destroy on the units that hold keys and data
  kms_deletion_window_days = 14

  # The model endpoint (modules/endpoint): one provisioned variant, no autoscaling.
  # endpoint_shape: provisioned (in the VPC) or serverless (no VPC: see modules/endpoint/README.md).
  endpoint_shape = "provisioned"
  endpoint = {
    name        = "churn"
    team        = "fraud" # the model data lives in this team's model bucket
    image       = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    model_key   = "models/churn/v1/model.tar.gz"
    autoscaling = { enabled = false }
  }

  # SageMaker Studio in VpcOnly mode (modules/studio): the users' files go with a destroy.
  studio = { enabled = true, idle_minutes = 60, retain_home_file_system = false }
}
