# The local environment: the whole stack on the AWS emulator (make up), no AWS account needed.
# What differs between environments lives in env.hcl and nowhere else.
locals {
  environment = "local"
  name_prefix = "smenv"        # resource names: <name_prefix>-<environment>-...; SSM: /<name_prefix>/<environment>/
  account_id  = "123456789012" # the emulator's own account
  region      = "us-east-1"
  azs         = ["us-east-1a", "us-east-1b"]
  vpc_cidr    = "10.10.0.0/16"
  teams       = ["fraud", "pricing"]

  # SageMaker work may use these instance families only (modules/guardrails: cost and blast radius).
  instance_types = ["ml.t3.*", "ml.m5.*", "ml.c5.*", "ml.g5.*"]
  # Actions that send no key a guardrail could test (modules/guardrails/README.md lists each and
  # why): denied unless opted in here, e.g. ["sagemaker:CreateCompilationJob"].
  allowed_keyless_actions = []

  # Provider and state point at the emulator (tools/local_aws.py); credentials come from the
  # environment that tools/live.py sets, never from here.
  emulator           = true
  terraform_role_arn = ""

  protect_stateful         = false
  kms_deletion_window_days = 7

  # Bucket policies are the real environments' (TLS and the VPC endpoint only, the bucket's key):
  # the emulator evaluates no policy (src/smenv/live/emulator_patches/), the access matrix does.
  buckets_force_destroy = true

  # The model endpoint (modules/endpoint): everything on, so the emulator run covers every path.
  # endpoint_shape: provisioned (in the VPC) or serverless (no VPC: see modules/endpoint/README.md).
  endpoint_shape = "provisioned"
  endpoint = {
    name        = "churn"
    team        = "fraud" # the model data lives in this team's model bucket
    image       = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    model_key   = "models/churn/v1/model.tar.gz"
    shadow      = { image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3", model_key = "models/churn/v2/model.tar.gz", sampling_percentage = 20 }
    autoscaling = { min_capacity = 1, max_capacity = 2 }
  }
  notebook_idle_minutes = 30

  # The promotion target (modules/promotion), rehearsed here in one account.
  promotion = {
    trusted_principal_arns = ["arn:aws:iam::123456789012:role/smenv-local-operator"]
  }

  # SageMaker Studio in VpcOnly mode (modules/studio): the users' files go with a destroy.
  studio = { enabled = true, idle_minutes = 60, retain_home_file_system = false }
}
