# Root configuration, included by every unit under live/<env>/<unit>/.
#
# Everything that differs between environments is read from live/<env>/env.hcl, through its schema
# live/_envcommon/settings.hcl (defaults, derived names); this file turns it into the provider, the
# backend and the inputs every unit shares. Written for Terragrunt 1.x (`root.hcl`, `run --all`),
# whose commands and configuration are stable through 1.x.

locals {
  settings  = read_terragrunt_config("${get_parent_terragrunt_dir()}/live/_envcommon/settings.hcl").locals
  env       = local.settings.env
  repo_root = get_parent_terragrunt_dir()
  unit      = basename(get_terragrunt_dir())

  # On the emulator when env.hcl says so (live/local), or when SMENV_EMULATOR_URL is set: then
  # a real environment is rehearsed on the emulator, inside its own emulated account.
  emulator_url = get_env("SMENV_EMULATOR_URL", local.env.emulator ? "http://127.0.0.1:4566" : "")
  on_emulator  = local.emulator_url != ""
  role_arn     = local.env.terraform_role_arn

  # Every resource name starts <name_prefix>-<environment>; the SSM contract lives under
  # /<name_prefix>/<environment>/ (settings.hcl; src/smenv/core/project.py derives the same names).
  name_prefix      = local.settings.prefix
  parameter_prefix = local.settings.parameter_prefix
  state_bucket     = local.settings.state_bucket

  default_tags = {
    project     = "smenv"
    environment = local.env.environment
    managed-by  = "terraform"
    unit        = local.unit
  }

  # Every service a module here calls, pointed at the emulator when on it.
  emulator_services = [
    "applicationautoscaling", "cloudtrail", "cloudwatch", "ec2", "events", "iam", "kms", "lambda", "logs",
    "organizations", "route53resolver", "s3", "sagemaker", "sns", "sqs", "ssm", "sts",
  ]
}

# Working copies: beside each unit by default; tools/live.py moves them per environment and
# emulator port (SMENV_TG_DOWNLOAD_DIR). Set here, not only by the CLI flag, because Terragrunt
# reads a dependency's outputs through the dependency's own configuration, download dir included.
download_dir = get_env("SMENV_TG_DOWNLOAD_DIR", "${get_terragrunt_dir()}/.terragrunt-cache")

generate "provider" {
  path      = "provider.generated.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
provider "aws" {
  region              = "${local.env.region}"
  allowed_account_ids = ["${local.env.account_id}"]
%{if local.role_arn != ""~}
  assume_role {
    role_arn     = "${local.role_arn}"
    session_name = "terragrunt-${local.env.environment}-${local.unit}"
  }
%{endif~}
  default_tags {
    tags = ${jsonencode(local.default_tags)}
  }
%{if local.on_emulator~}

  # The local AWS emulator: credentials come from the environment (tools/live.py sets them).
  # Few retries: an API the emulator lacks fails in seconds, not after the default 25 tries;
  # two, because a busy emulator on two cores sometimes drops a keep-alive connection.
  max_retries                 = 2
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
%{for service in local.emulator_services~}
    ${service} = "${local.emulator_url}"
%{endfor~}
  }
%{endif~}
}
EOF
}

# The backend is generated (not a remote_state block): Terragrunt checks and creates a remote_state
# bucket with its own AWS SDK, outside the provider's endpoints and the state bucket's own controls
# (tools/state_bucket.py: versioning, KMS, TLS-only, public access blocked). The state bucket is made
# by tools/state_bucket.py (real accounts, once) or by tools/local_aws.py / tools/live.py.
generate "backend" {
  path      = "backend.generated.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
terraform {
  backend "s3" {
    bucket       = "${local.state_bucket}"
    key          = "${path_relative_to_include()}/terraform.tfstate"
    region       = "${local.env.region}"
    encrypt      = true
    use_lockfile = true
%{if local.role_arn != ""~}
    assume_role = {
      role_arn     = "${local.role_arn}"
      session_name = "terragrunt-state-${local.env.environment}"
    }
%{endif~}
%{if local.on_emulator~}
    use_path_style              = true
    skip_credentials_validation = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    skip_requesting_account_id  = true
    endpoints = {
      s3  = "${local.emulator_url}"
      sts = "${local.emulator_url}"
    }
%{endif~}
  }
}
EOF
}

terraform {
  # Per-unit wall clock for the table `make up` prints: written only when tools/live.py asks.
  before_hook "clock_start" {
    commands = ["apply", "destroy"]
    execute  = ["sh", "-c", "[ -z \"$SMENV_RUN_DIR\" ] || date +%s.%N > \"$SMENV_RUN_DIR/${local.unit}.start\""]
  }
  after_hook "clock_end" {
    commands     = ["apply", "destroy"]
    execute      = ["sh", "-c", "[ -z \"$SMENV_RUN_DIR\" ] || date +%s.%N > \"$SMENV_RUN_DIR/${local.unit}.end\""]
    run_on_error = true
  }
}

inputs = {
  name_prefix      = local.name_prefix
  parameter_prefix = local.parameter_prefix
}
