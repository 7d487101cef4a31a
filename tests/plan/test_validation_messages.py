"""Every validation block of modules/*/variables.tf: a wrong value is refused at plan, with its message.

A person who gets an input wrong should learn it from the plan, in the words of the rule they broke.
The table below holds at least one case per validation block: a module, its valid inputs with ONE
value wrong, and a literal part of that block's error_message. The coverage test parses every
variables.tf and fails, naming each block by module and variable, when a block has no case here: this
table is where validation messages are checked, and the other tests/plan files plan_error only for
what no validation block says (preconditions, checks).

A plan costs seconds (the AWS provider starts each time), so the cases are not planned one by one:
Terraform reports every failing variable validation of a plan together, so each module is planned
once with the wrong values of many variables at a time, and each case looks for its block's
diagnostic in that plan's errors. A variable with several cases (several blocks, or several wrong
values for one) gives its second wrong value to a second plan ("round"), its third to a third, and so
on; a case marked ALONE gets a round of its own (for a rule that only runs, or only fails alone, when
the others pass).

Ids name the module and variable (kms.deletion_window_in_days, kms.keys-2); `-k "kms."` runs one
module's cases and its plans only.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2.utils import SerializationOptions
from planner import ModulePlanner

REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "modules"
ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{{}}-0000-0000-0000-000000000000"
KEYS = {p: KEY.format(f"{i}1111111") for i, p in enumerate(["data", "models", "volumes"])}
GUARDRAILS = [f"arn:aws:iam::{ACCOUNT}:policy/smenv-test-sagemaker-guardrails-{c}" for c in ("network", "encryption")]
ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-test-{{}}-sagemaker"
TEAMS = {
    "teams": ["fraud", "pricing"],
    "data_buckets": {"fraud": "smenv-test-data-fraud", "pricing": "smenv-test-data-pricing"},
    "model_buckets": {"fraud": "smenv-test-model-fraud", "pricing": "smenv-test-model-pricing"},
    "kms_key_arns": KEYS,
    "subnet_ids": ["subnet-0a", "subnet-0b"],
    "team_security_group_ids": {"fraud": "sg-0c", "pricing": "sg-0d"},
}
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/churn:1"
MODEL = {"image": IMAGE, "model_data_url": "s3://models/churn/model.tar.gz"}
PACKAGE = "<a .zip built for the plan>"  # replaced by the path of a real zip (filebase64sha256 reads it)
ALONE = "alone"  # a fourth element of a case: plan it in a round of its own

# --- Valid inputs of each module: every required variable, and nothing any validation refuses -------

VALID: dict[str, dict[str, Any]] = {
    "_browser_access": {
        "subject": "TheTeamsNotebook",
        "open_actions": ["sagemaker:CreatePresignedNotebookInstanceUrl"],
        "resources": [f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/smenv-test-fraud"],
        "deny_actions": ["sagemaker:CreatePresignedNotebookInstanceUrl"],
        "deny_sid": "DenyNotebookSessionsFromElsewhere",
        "vpc_endpoint_ids": ["vpce-0aaaaaaaaaaaaaaaa"],
        "console_cidrs": ["203.0.113.0/24"],
    },
    "_image_registries": {"region": "us-east-1"},
    "_lambda_in_vpc": {
        "function_name": "smenv-test-churn-invoker",
        "description": "Validates requests and invokes smenv-test-churn, and nothing else",
        "security_group_description": "The endpoint invoker: HTTPS to the interface endpoints only",
        "egress_description": "HTTPS to the SageMaker Runtime interface endpoint",
        "package_path": PACKAGE,
        "timeout": 72,
        "reserved_concurrency": 10,
        "environment_variables": {"ENDPOINT_NAME": "smenv-test-churn"},
        "vpc_id": "vpc-0a",
        "subnet_ids": ["subnet-0a"],
        "endpoint_security_group_id": "sg-0e",
        "lambda_kms_key_arn": KEY.format("11111111"),
        "logs_kms_key_arn": KEY.format("22222222"),
        "log_retention_days": 365,
        "policy_name": "run-in-the-vpc",
        "policy_documents": ['{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}'],
        "guardrail_policy_arns": GUARDRAILS,
        "dead_letter_target_arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:smenv-test-dlq",
    },
    "_team_job_access": {
        "bucket_names": ["smenv-test-data-fraud", "smenv-test-model-fraud"],
        "object_actions": ["s3:GetObject", "s3:PutObject"],
        "kms_key_arns": KEYS,
        "subnet_ids": ["subnet-0a"],
        "security_group_id": "sg-0c",
        "job_metric_namespaces": ["/aws/sagemaker/TrainingJobs"],
    },
    "buckets": {
        "name_prefix": "smenv-test",
        "teams": ["fraud", "pricing"],
        "data_kms_key_arn": KEYS["data"],
        "models_kms_key_arn": KEYS["models"],
        "s3_vpc_endpoint_id": "vpce-0123456789abcdef0",
        "vpc_endpoint_exempt_principal_arns": [f"arn:aws:iam::{ACCOUNT}:role/smenv-terraform"],
    },
    "endpoint": {
        "name_prefix": "smenv-test",
        "name": "churn",
        "model": MODEL,
        "model_bucket": f"smenv-test-model-fraud-{ACCOUNT}-us-east-1",
        "models_kms_key_arn": KEYS["models"],
        "volumes_kms_key_arn": KEYS["volumes"],
        "subnet_ids": ["subnet-0a", "subnet-0b"],
        "security_group_ids": ["sg-0c"],
        "guardrail_policy_arns": GUARDRAILS,
    },
    "enforcer": {
        "name_prefix": "smenv-test",
        "package_path": PACKAGE,
        "approved_subnet_ids": ["subnet-0a", "subnet-0b"],
        "approved_security_group_ids": ["sg-0c"],
        "vpc_id": "vpc-0d",
        "lambda_subnet_ids": ["subnet-0a", "subnet-0b"],
        "endpoint_security_group_id": "sg-0e",
        "notifications_kms_key_arn": KEY.format("11111111"),
        "lambda_kms_key_arn": KEY.format("22222222"),
        "logs_kms_key_arn": KEY.format("33333333"),
        "guardrail_policy_arns": GUARDRAILS,
    },
    "guardrails": {
        "name_prefix": "smenv-test",
        "approved_subnet_ids": ["subnet-0123456789abcdef0", "subnet-11111111"],
        "approved_security_group_ids": ["sg-0123456789abcdef0"],
        "volume_kms_key_arns": [KEYS["volumes"]],
        "output_kms_key_arns": [KEYS["data"]],
        "deployer_arns": [f"arn:aws:iam::{ACCOUNT}:role/smenv-terraform"],
        "control_tag_writer_arns": [f"arn:aws:iam::{ACCOUNT}:role/smenv-terraform"],
    },
    "invoker": {
        "name_prefix": "smenv-test",
        "endpoint_name": "smenv-test-churn",
        "endpoint_arn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/smenv-test-churn",
        "package_path": PACKAGE,
        "vpc_id": "vpc-0a",
        "subnet_ids": ["subnet-0a"],
        "endpoint_security_group_id": "sg-0e",
        "lambda_kms_key_arn": KEY.format("11111111"),
        "logs_kms_key_arn": KEY.format("22222222"),
        "guardrail_policy_arns": GUARDRAILS,
    },
    "kms": {"name_prefix": "smenv-test"},
    "log_groups": {"kms_key_arn": KEY.format("11111111")},
    "network": {
        "name_prefix": "smenv-test",
        "vpc_cidr": "10.20.0.0/16",
        "azs": ["us-east-1a", "us-east-1b"],
        "flow_logs_kms_key_arn": KEY.format("11111111"),
    },
    "notebook": {
        "name_prefix": "smenv-test",
        **TEAMS,
        "guardrail_policy_arns": GUARDRAILS,
    },
    "params": {
        "parameter_prefix": "/smenv/test",
        "parameters": {"network/vpc_id": "vpc-0a"},
        "kms_key_arn": KEY.format("11111111"),
    },
    "pipelines": {"name_prefix": "smenv-test", **TEAMS, "guardrail_policy_arns": GUARDRAILS},
    "promotion": {
        "name_prefix": "smenv-test",
        "trusted_principal_arns": ["arn:aws:iam::111111111111:role/smenv-deployer"],
        "models_bucket_name": "smenv-test-model-fraud",
        "models_kms_key_arn": KEY.format("11111111"),
        "parameter_prefix": "/smenv/test",
        "params_kms_key_arn": KEY.format("22222222"),
    },
    "studio": {
        "name_prefix": "smenv-test",
        "teams": ["fraud", "pricing"],
        "vpc_id": "vpc-0123456789abcdef0",
        "subnet_ids": ["subnet-0a", "subnet-0b"],
        "team_security_group_ids": {"fraud": "sg-0c", "pricing": "sg-0d"},
        "execution_role_arns": {t: ROLE.format(t) for t in ("fraud", "pricing")},
        "kms_key_arns": KEYS,
    },
    "trail": {
        "name_prefix": "smenv-test",
        "kms_key_arn": KEY.format("11111111"),
        "logs_kms_key_arn": KEY.format("22222222"),
        "notifications_kms_key_arn": KEY.format("33333333"),
        "guardrail_policy_arns": GUARDRAILS,
    },
}

# --- The cases: (variable, its wrong value, a literal part of the block's error_message) ----------
# Several cases of one variable are planned in successive rounds, in the order written here.

BAD_NAME_PREFIX = ("name_prefix", "Smenv_Test", "var.name_prefix must be 3-24 characters: lower-case letters, digits")
ALIAS = "alias/aws/sagemaker"
ALIAS_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:{ALIAS}"
WILDCARD_ROLE = f"arn:aws:iam::{ACCOUNT}:role/*"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/smenv-terraform/session"
NETWORK_TEAMS = "var.teams must list distinct teams of 1-16 lower-case letters, digits and hyphens."
STUDIO_IDLE = "var.idle_minutes must be a whole number of minutes: 0 (no idle shutdown) or from 60 to 525600"
# The tags variable every module shares has one validation block for its four rules (40 tags at most;
# the key and value characters; no aws:, smenv:, managed-by or team key, in any case). Every module
# is planned with one wrong map; log_groups, the cheapest to plan, with one per rule.
TAGS_REFUSED = "var.tags: at most 40 tags"
WRONG_TAGS = ("tags", {"Team": "fraud"}, TAGS_REFUSED)
WRONG_TAGS_EACH_RULE = [
    ("tags", {f"CostCentre{i:02d}": "x" for i in range(41)}, TAGS_REFUSED),
    ("tags", {"Cost,Centre": "x"}, TAGS_REFUSED),
    ("tags", {"CostCentre": "a,b"}, TAGS_REFUSED),
    ("tags", {"aws:cloudformation:stack-name": "x"}, TAGS_REFUSED),
    ("tags", {"SMENV:inference": "serverless"}, TAGS_REFUSED),
    ("tags", {"Managed-By": "someone"}, TAGS_REFUSED),
    ("tags", {"team": "fraud"}, TAGS_REFUSED),
]

WRONG: dict[str, list[tuple[Any, ...]]] = {
    "_browser_access": [
        ("subject", "The Teams Notebook", "var.subject must be letters and digits only"),
        ("open_actions", ["sagemaker:*"], "var.open_actions must name SageMaker actions"),
        ("resources", ["*"], "var.resources must hold ARNs."),
        ("deny_actions", [], "var.deny_actions must name at least one action."),
        ("deny_sid", "Deny-Elsewhere", "var.deny_sid must be letters and digits only."),
        ("vpc_endpoint_ids", ["endpoint-1"], "var.vpc_endpoint_ids must hold VPC endpoint ids (vpce-...)."),
        ("console_cidrs", ["office"], "var.console_cidrs must hold IPv4 CIDR blocks such as 203.0.113.0/24."),
    ],
    "_image_registries": [
        ("region", "Europe", "var.region must be an AWS region name such as eu-west-1."),
    ],
    "_lambda_in_vpc": [
        ("function_name", "smenv-test-" + "a" * 54, "var.function_name must be 1-64 letters, digits, hyphens"),
        ("subnet_ids", [], "var.subnet_ids must name at least one subnet"),
        ("policy_documents", ["sagemaker:InvokeEndpoint"], "var.policy_documents must hold IAM policy documents"),
        (
            "dead_letter_target_arn",
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:smenv-test-replay",
            "var.dead_letter_target_arn must be null or an SQS queue or SNS topic ARN.",
        ),
        WRONG_TAGS,
    ],
    "_team_job_access": [
        ("bucket_names", ["Not A Bucket"], "var.bucket_names must hold at least one S3 bucket name."),
        ("object_actions", ["s3:*"], "var.object_actions must name S3 actions such as s3:GetObject, no wildcards."),
        ("kms_key_arns", {"data": KEYS["data"]}, "var.kms_key_arns must hold the data, models and volumes keys."),
        ("subnet_ids", [], "var.subnet_ids must hold at least one subnet ID (subnet-...)."),
        ("security_group_id", "default", "var.security_group_id must be a security group ID (sg-...)."),
        ("job_image_registries", ["*"], "var.job_image_registries must hold 12-digit registry account ids or ECR"),
        ("job_metric_namespaces", ["AWS/SageMaker"], "var.job_metric_namespaces must name SageMaker's job namespaces"),
    ],
    "buckets": [
        BAD_NAME_PREFIX,
        ("teams", ["fraud", "fraud"], "var.teams must list at least one team, each once."),
        ("teams", ["Fraud_Team"], "var.teams: each team name must be 1-16 characters of lower-case letters"),
        ("data_kms_key_arn", "alias/data", "var.data_kms_key_arn must be a KMS key ARN."),
        ("models_kms_key_arn", "alias/models", "var.models_kms_key_arn must be a KMS key ARN."),
        ("s3_vpc_endpoint_id", "endpoint-1", "var.s3_vpc_endpoint_id must be a VPC endpoint ID (vpce-...)."),
        (
            "vpc_endpoint_exempt_principal_arns",
            ["*"],
            "var.vpc_endpoint_exempt_principal_arns must be IAM role, user or root ARNs",
        ),
        (
            "model_reader_principal_arns",
            ["arn:aws:iam::*:role/reader"],
            "var.model_reader_principal_arns must be IAM role ARNs",
        ),
        (
            "serverless_model_readers",
            [{"principal_arn": WILDCARD_ROLE, "team": "fraud", "key_prefixes": ["promoted/"]}],
            "var.serverless_model_readers: each principal_arn must be one IAM role ARN (no wildcards).",
        ),
        (
            "serverless_model_readers",
            [{"principal_arn": ROLE.format("churn"), "team": "fraud", "key_prefixes": ["promoted"]}],
            "var.serverless_model_readers: each needs key_prefixes ending in /",
        ),
        (
            "serverless_model_readers",
            [{"principal_arn": ROLE.format("churn"), "team": "fraud", "key_prefixes": []}],
            "var.serverless_model_readers: each needs key_prefixes ending in /",
        ),
        ("promoted_prefix", "promoted/*/", "var.promoted_prefix must be a key prefix ending in / (such as promoted/)"),
        ("promoted_prefix_writer_arns", [WILDCARD_ROLE], "var.promoted_prefix_writer_arns must hold IAM role ARNs"),
        ("noncurrent_version_expiration_days", 0, "var.noncurrent_version_expiration_days must be a whole number"),
        ("abort_incomplete_multipart_days", 0.5, "var.abort_incomplete_multipart_days must be a whole number of days"),
        (
            "access_log_expiration_days",
            30,
            "var.access_log_expiration_days must be a whole number of days, at least 90",
        ),
        WRONG_TAGS,
    ],
    "endpoint": [
        BAD_NAME_PREFIX,
        ("name", "Churn_Model", "var.name must be 1-24 lower-case letters, digits and hyphens."),
        ("shape", "batch", "var.shape must be provisioned or serverless."),
        (
            "model",
            MODEL | {"model_package_arn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/churn/1"},
            "var.model needs exactly one of model_data_url (with image) or model_package_arn.",
        ),
        ("model", {"model_data_url": MODEL["model_data_url"]}, "var.model.image is required with model_data_url."),
        (
            "model",
            MODEL | {"model_data_url": "https://models/churn/model.tar.gz"},
            "var.model.model_data_url must be an s3:// URL of an object.",
        ),
        (
            "shadow",
            {"image": IMAGE, "sampling_percentage": 20},
            "var.shadow needs a model: exactly one of model_data_url",
        ),
        (
            "shadow",
            MODEL | {"sampling_percentage": 0},
            "var.shadow.sampling_percentage must be a whole number from 1 to 100",
        ),
        ("instance_type", "m5.large", "var.instance_type must be a SageMaker instance type such as ml.m5.large."),
        (
            "autoscaling",
            {"min_capacity": 6, "max_capacity": 5},
            "var.autoscaling: min_capacity must be at least 1 and not above max_capacity",
        ),
        (
            "autoscaling",
            {"target_invocations_per_instance": 0},
            "var.autoscaling: target_invocations_per_instance must be positive",
        ),
        ("serverless", {"memory_size_in_mb": 1000}, "var.serverless.memory_size_in_mb must be one of 1024, 2048"),
        ("serverless", {"max_concurrency": 0}, "var.serverless.max_concurrency must be from 1 to 200."),
        ("data_capture", {"sampling_percentage": 101}, "var.data_capture.sampling_percentage must be from 0 to 100."),
        ("models_kms_key_arn", "alias/models", "var.models_kms_key_arn must be a KMS key ARN."),
        ("volumes_kms_key_arn", "alias/volumes", "var.volumes_kms_key_arn must be a KMS key ARN."),
        ("subnet_ids", ["subnet-*"], "var.subnet_ids must hold subnet IDs (subnet-...)."),
        ("security_group_ids", ["default"], "var.security_group_ids must hold security group IDs (sg-...)."),
        (
            "guardrail_policy_arns",
            ["arn:aws:iam::aws:policy/AdministratorAccess"],
            "var.guardrail_policy_arns must hold IAM policy ARNs",
        ),
        ("allowed_image_registries", ["*"], "var.allowed_image_registries must hold 12-digit AWS account ids."),
        (
            "extra_image_repository_arns",
            [f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*"],
            "var.extra_image_repository_arns must hold ECR repository ARNs",
        ),
        ("model_data_prefixes", ["/promoted/"], "var.model_data_prefixes must hold key prefixes ending in /"),
        WRONG_TAGS,
    ],
    "enforcer": [
        BAD_NAME_PREFIX,
        ("package_path", "enforcer.tar", "var.package_path must be the path of a .zip"),
        ("approved_subnet_ids", ["subnet-*"], "var.approved_subnet_ids must hold subnet IDs (subnet-...)."),
        ("approved_security_group_ids", ["default"], "var.approved_security_group_ids must hold security group IDs"),
        ("enforcement_mode", "warn", "var.enforcement_mode must be enforce or audit."),
        ("vpc_id", "default", "var.vpc_id must be a VPC ID (vpc-...)."),
        ("lambda_subnet_ids", [], "var.lambda_subnet_ids must hold at least one subnet ID (subnet-...)."),
        ("endpoint_security_group_id", "default", "var.endpoint_security_group_id must be a security group ID"),
        ("notifications_kms_key_arn", "alias/notifications", "var.notifications_kms_key_arn must be a KMS key ARN."),
        ("lambda_kms_key_arn", "alias/lambda", "var.lambda_kms_key_arn must be a KMS key ARN."),
        ("logs_kms_key_arn", "alias/logs", "var.logs_kms_key_arn must be a KMS key ARN."),
        ("log_retention_days", 100, "var.log_retention_days must be one of CloudWatch Logs' values"),
        ("reserved_concurrency", 0, "var.reserved_concurrency must be a whole number from 1 to 1000."),
        ("alarm_email_endpoints", ["security-team"], "var.alarm_email_endpoints must be email addresses."),
        (
            "approved_lifecycle_config_names",
            ["not a name"],
            "var.approved_lifecycle_config_names must hold SageMaker names",
        ),
        (
            "approved_studio_lifecycle_config_names",
            ["not a name"],
            "var.approved_studio_lifecycle_config_names must hold SageMaker names",
        ),
        ("terraform_role_arns", [SESSION], "var.terraform_role_arns must hold IAM role ARNs"),
        (
            "team_security_groups",
            {SESSION: ["sg-0f000000000000001"]},
            "var.team_security_groups must be keyed by IAM role ARNs",
        ),
        (
            "team_security_groups",
            {ROLE.format("fraud"): []},
            "var.team_security_groups must map each role to at least one security group ID",
        ),
        (
            "team_security_groups",
            {ROLE.format("fraud"): ["default"]},
            "var.team_security_groups must map each role to at least one security group ID",
        ),
        ("approved_kms_key_arns", [ALIAS], "var.approved_kms_key_arns must hold KMS key ARNs"),
        ("approved_kms_key_arns", [ALIAS_ARN], "var.approved_kms_key_arns must hold KMS key ARNs"),
        ("approved_kms_key_arns", ["11111111-0000-0000-0000-000000000000"], "var.approved_kms_key_arns must hold"),
        ("guardrail_policy_arns", ["*"], "var.guardrail_policy_arns must hold IAM policy ARNs"),
        WRONG_TAGS,
    ],
    "guardrails": [
        BAD_NAME_PREFIX,
        (
            "approved_subnet_ids",
            ["subnet-*"],
            "var.approved_subnet_ids must hold subnet IDs (subnet- and 8 or 17 hex digits)",
        ),
        ("approved_security_group_ids", ["default"], "var.approved_security_group_ids must hold security group IDs"),
        ("disabled_rules", ["network_isolation"], "var.disabled_rules holds an unknown rule name"),
        ("disabled_rules", ["vpc", "no_such_rule"], "var.disabled_rules holds an unknown rule name"),
        ("scp_target_ids", ["my-ou"], "var.scp_target_ids must hold OU IDs (ou-...), 12-digit account IDs"),
        ("scp_target_ids", ["ou-root"], "var.scp_target_ids must hold OU IDs (ou-...), 12-digit account IDs"),
        ("volume_kms_key_arns", [ALIAS], "var.volume_kms_key_arns must hold KMS key ARNs"),
        ("output_kms_key_arns", ["alias/data"], "var.output_kms_key_arns must hold KMS key ARNs"),
        ("deployer_arns", ["arn:aws:iam::*:role/smenv-terraform"], "var.deployer_arns must hold IAM role ARNs"),
        (
            "control_tag_writer_arns",
            ["*"],
            "var.control_tag_writer_arns must hold IAM role ARNs (or patterns) of named accounts",
        ),
        (
            "approved_notebook_lifecycle_config_arns",
            ["smenv-test-fraud"],
            "var.approved_notebook_lifecycle_config_arns must hold notebook lifecycle configuration ARNs",
        ),
        (
            "approved_studio_lifecycle_config_arns",
            ["smenv-test-jupyterlab"],
            "var.approved_studio_lifecycle_config_arns must hold Studio lifecycle configuration ARNs",
        ),
        (
            "allowed_instance_types",
            ["m5.xlarge"],
            "var.allowed_instance_types must hold instance types or family patterns",
        ),
        (
            "allowed_keyless_actions",
            ["sagemaker:CreateTrainingJob"],
            "var.allowed_keyless_actions holds an unknown action",
        ),
        WRONG_TAGS,
    ],
    "invoker": [
        BAD_NAME_PREFIX,
        ("endpoint_name", "churn_v2", "var.endpoint_name must be a SageMaker endpoint name."),
        (
            "endpoint_arn",
            f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/*",
            "var.endpoint_arn must be a SageMaker endpoint ARN",
        ),
        ("package_path", "invoker.tar", "var.package_path must be the path of a .zip"),
        ("reserved_concurrency", 0, "var.reserved_concurrency must be a whole number from 1 to 1000."),
        ("read_timeout_seconds", 61, "var.read_timeout_seconds must be a whole number from 1 to 60"),
        ("read_timeout_seconds", 0, "var.read_timeout_seconds must be a whole number from 1 to 60"),
        ("read_timeout_seconds", 12.5, "var.read_timeout_seconds must be a whole number from 1 to 60"),
        ("function_timeout_seconds", 901, "var.function_timeout_seconds must be null or a whole number from 1 to 900"),
        ("allowed_content_types", [], "var.allowed_content_types must list MIME types such as application/json."),
        ("max_body_bytes", 0, "var.max_body_bytes must be from 1 to 6291456 (6 MiB)."),
        ("max_body_bytes", 10485760, "var.max_body_bytes must be from 1 to 6291456 (6 MiB)."),
        ("vpc_id", "default", "var.vpc_id must be a VPC ID (vpc-...)."),
        ("subnet_ids", [], "var.subnet_ids must hold at least one subnet ID (subnet-...)."),
        ("endpoint_security_group_id", "default", "var.endpoint_security_group_id must be a security group ID"),
        ("lambda_kms_key_arn", "alias/lambda", "var.lambda_kms_key_arn must be a KMS key ARN."),
        ("logs_kms_key_arn", "alias/logs", "var.logs_kms_key_arn must be a KMS key ARN."),
        ("log_retention_days", 100, "var.log_retention_days must be one of CloudWatch Logs' values"),
        ("guardrail_policy_arns", ["*"], "var.guardrail_policy_arns must hold IAM policy ARNs"),
        WRONG_TAGS,
    ],
    "kms": [
        BAD_NAME_PREFIX,
        ("keys", {}, "var.keys must name at least one purpose."),
        ("keys", {"secrets": {}}, "var.keys holds an unknown KMS purpose"),
        ("keys", {"data": {"user_arns": [WILDCARD_ROLE]}}, "var.keys[*].user_arns must be IAM role or user ARNs"),
        (
            "keys",
            {"models": {"cross_account_decrypt_account_ids": ["2222"]}},
            "var.keys[*].cross_account_decrypt_account_ids must be 12-digit AWS account IDs.",
        ),
        ("administrator_arns", ["*"], "var.administrator_arns must be IAM role, user or account-root ARNs"),
        ("deletion_window_in_days", 3, "var.deletion_window_in_days must be a whole number of days from 7 to 30."),
        ("rotation_period_in_days", 30, "var.rotation_period_in_days must be from 90 to 2560."),
        WRONG_TAGS,
    ],
    "log_groups": [
        ("kms_key_arn", "alias/logs", "var.kms_key_arn must be a KMS key ARN"),
        ("retention_in_days", 100, "var.retention_in_days must be one of CloudWatch Logs' values"),
        ("endpoint_names", ["churn_v2"], "var.endpoint_names must be SageMaker endpoint names"),
        *WRONG_TAGS_EACH_RULE,
    ],
    "network": [
        BAD_NAME_PREFIX,
        ("teams", ["Fraud"], NETWORK_TEAMS),
        ("teams", ["fraud", "fraud"], NETWORK_TEAMS),
        ("teams", ["a-team-name-over-16"], NETWORK_TEAMS),
        ("teams", ["-fraud"], NETWORK_TEAMS),
        # a network address, but a prefix outside /16-/28: the first rule only
        ("vpc_cidr", "10.0.0.0/8", "var.vpc_cidr must be a valid IPv4 CIDR block from /16 to /28"),
        ("vpc_cidr", "10.20.1.0/16", "var.vpc_cidr must be a network address (no host bits set)"),
        # (an unparsable CIDR is said by the first rule only: test_network_plan.py checks it is said once)
        ("azs", ["us-east-1a"], "var.azs must list at least two different availability zones."),
        ("azs", ["use1-az1", "use1-az2"], "var.azs must hold availability zone names such as eu-west-1a."),
        ("subnet_newbits", 0, "var.subnet_newbits must be a whole number from 1 to 12."),
        ("interface_endpoints", ["sts", "sts"], "var.interface_endpoints must be distinct service names"),
        ("extra_s3_bucket_arns", ["arn:aws:s3:::smenv-shared/*"], "var.extra_s3_bucket_arns must be S3 bucket ARNs"),
        ("flow_logs_kms_key_arn", "alias/logs", "var.flow_logs_kms_key_arn must be a KMS key ARN"),
        ("flow_logs_retention_days", 100, "var.flow_logs_retention_days must be one of CloudWatch Logs' values"),
        ("organization_id", "org-123", "var.organization_id must be an AWS Organizations id"),
        ("image_registry_accounts", ["*"], "var.image_registry_accounts must hold 12-digit AWS account ids."),
        ("dns_firewall", {"mode": "allow"}, "var.dns_firewall.mode must be block or alert."),
        (
            "dns_firewall",
            {"extra_domains": ["http://example.com"]},
            "var.dns_firewall.extra_domains must hold domain names",
        ),
        WRONG_TAGS,
    ],
    "notebook": [
        BAD_NAME_PREFIX,
        ("teams", ["Fraud Team"], "var.teams must list teams of 1-16 lower-case letters, digits and hyphens"),
        ("teams", ["fraud", "fraud-eu"], 'var.teams: a team name must not be another\'s followed by "-"'),
        ("kms_key_arns", {"data": KEYS["data"]}, "var.kms_key_arns must hold the data, models and volumes keys."),
        ("subnet_ids", [], "var.subnet_ids must hold at least one subnet ID (subnet-...)."),
        (
            "team_security_group_ids",
            {"fraud": "default", "pricing": "sg-0d"},
            "var.team_security_group_ids must map teams to security group IDs",
        ),
        ("guardrail_policy_arns", ["*"], "var.guardrail_policy_arns must hold IAM policy ARNs"),
        ("instance_type", "t3.medium", "var.instance_type must be a SageMaker instance type such as ml.t3.medium."),
        ("platform_identifier", "al2-v3", "var.platform_identifier must look like notebook-al2-v3."),
        ("volume_size_in_gb", 1, "var.volume_size_in_gb must be from 5 to 16384."),
        ("idle_minutes", 3, "var.idle_minutes must be a whole number of minutes: 0 (no auto-stop) or at least 5"),
        ("idle_minutes", -1, "var.idle_minutes must be a whole number of minutes: 0 (no auto-stop) or at least 5"),
        ("notebooks_prefix", "/notebooks/", "var.notebooks_prefix must not start with /."),
        ("bucket_placeholder", "", "var.bucket_placeholder must be non-empty, without quotes, backslashes"),
        (
            "job_image_registries",
            ["*"],
            "var.job_image_registries must hold 12-digit registry account ids or ECR repository ARNs",
        ),
        ("parameter_prefix", "/smenv/dev/", "var.parameter_prefix must be an SSM path such as /smenv/dev, without"),
        (
            "presigned_url_vpc_endpoint_ids",
            {"notebook": "endpoint-1"},
            "var.presigned_url_vpc_endpoint_ids must map service names to VPC endpoint ids",
        ),
        ("allowed_console_cidrs", ["office"], "var.allowed_console_cidrs must hold IPv4 CIDR blocks"),
        (
            "interface_endpoint_ids",
            {"logs": "endpoint-1"},
            "var.interface_endpoint_ids must map service names to VPC endpoint ids",
        ),
        WRONG_TAGS,
    ],
    "params": [
        ("parameter_prefix", "smenv/test/", "var.parameter_prefix must be an SSM path such as /smenv/dev (no"),
        ("parameters", {"network vpc": "vpc-0a"}, "var.parameters: each name must be a relative SSM path"),
        (
            "string_lists",
            {"network/subnet_ids": ["subnet-0a,subnet-0b"]},
            "var.string_lists: each name must be a relative SSM path and no value",
        ),
        ("kms_key_arn", "alias/params", "var.kms_key_arn must be a KMS key ARN."),
        WRONG_TAGS,
    ],
    "pipelines": [
        BAD_NAME_PREFIX,
        ("teams", ["Fraud Team"], "var.teams must list teams of 1-16 lower-case letters, digits and hyphens"),
        ("teams", ["fraud", "fraud-eu"], 'var.teams: a team name must not be another\'s followed by "-"'),
        ("kms_key_arns", {"data": KEYS["data"]}, "var.kms_key_arns must hold the data, models and volumes keys."),
        ("kms_key_arns", KEYS | {"data": "alias/data"}, "var.kms_key_arns must map purposes to KMS key ARNs"),
        ("subnet_ids", [], "var.subnet_ids must hold at least one subnet ID (subnet-...)."),
        (
            "team_security_group_ids",
            {"fraud": "default", "pricing": "sg-0d"},
            "var.team_security_group_ids must map teams to security group IDs",
        ),
        ("guardrail_policy_arns", [], "var.guardrail_policy_arns must hold at least one IAM policy ARN"),
        ("job_image_registries", ["*"], "var.job_image_registries must hold 12-digit registry account ids or ECR"),
        (
            "registered_approval_statuses",
            ["Approved", "Pending"],
            "var.registered_approval_statuses must list one or more of",
        ),
        WRONG_TAGS,
    ],
    "promotion": [
        BAD_NAME_PREFIX,
        ("trusted_principal_arns", [], "var.trusted_principal_arns must name at least one role or user"),
        (
            "trusted_principal_arns",
            ["arn:aws:iam::111111111111:role/*"],
            "var.trusted_principal_arns must be IAM role or user ARNs",
        ),
        ("model_package_group_description", "", "var.model_package_group_description must be 1-1024 characters."),
        ("registry_reader_account_ids", ["4444"], "var.registry_reader_account_ids must be 12-digit AWS account IDs."),
        (
            "registered_approval_statuses",
            ["Rejected"],
            "var.registered_approval_statuses must be one or both of Approved",
        ),
        ("models_bucket_name", "Models_Bucket", "var.models_bucket_name must be an S3 bucket name"),
        ("key_prefix", "promoted", "var.key_prefix must be a relative key prefix ending in / (e.g. promoted/)"),
        ("key_prefix", "/promoted", "var.key_prefix must be a relative key prefix ending in / (e.g. promoted/)"),
        ("models_kms_key_arn", "alias/models", "var.models_kms_key_arn must be a KMS key ARN"),
        (
            "models_kms_key_arn",
            f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/smenv-test-models",
            "var.models_kms_key_arn must be a KMS key ARN",
        ),
        ("parameter_prefix", "smenv/staging", "var.parameter_prefix must be an SSM path such as /smenv/staging"),
        ("params_kms_key_arn", "alias/params", "var.params_kms_key_arn must be a KMS key ARN"),
        (
            "source_model_bucket_arns",
            ["arn:aws:s3:::smenv-dev-model-fraud/*"],
            "var.source_model_bucket_arns must be S3 bucket ARNs",
        ),
        ("source_kms_key_arns", ["alias/models"], "var.source_kms_key_arns must be KMS key ARNs"),
        (
            "source_model_package_group_names",
            ["smenv_dev_models"],
            "var.source_model_package_group_names must be SageMaker model package group names.",
        ),
        (
            "source_image_repository_arns",
            ["arn:aws:ecr:eu-west-1:111111111111:repository/*"],
            "var.source_image_repository_arns must be ECR repository ARNs",
        ),
        ("endpoint_execution_role_arns", [WILDCARD_ROLE], "var.endpoint_execution_role_arns must be IAM role ARNs"),
        ("endpoint_kms_key_arns", ["alias/volumes"], "var.endpoint_kms_key_arns must be KMS key ARNs"),
        ("guardrail_policy_arns", ["*"], "var.guardrail_policy_arns must hold IAM policy ARNs"),
        WRONG_TAGS,
    ],
    "studio": [
        BAD_NAME_PREFIX,
        ("teams", ["Fraud Team"], "var.teams must list teams of 1-16 lower-case letters, digits and hyphens"),
        ("teams", ["fraud", "fraud-eu"], 'var.teams: a team name must not be another\'s followed by "-"'),
        ("app_network_access_type", "PublicInternetOnly", "var.app_network_access_type must be VpcOnly"),
        ("vpc_id", "default", "var.vpc_id must be a VPC ID (vpc-...)."),
        ("subnet_ids", [], "var.subnet_ids must hold at least one subnet ID (subnet-...)."),
        (
            "team_security_group_ids",
            {"fraud": "default", "pricing": "sg-0d"},
            "var.team_security_group_ids must map teams to security group IDs",
        ),
        (
            "execution_role_arns",
            {"fraud": "smenv-test-fraud-sagemaker", "pricing": ROLE.format("pricing")},
            "var.execution_role_arns must map teams to IAM role ARNs",
        ),
        ("kms_key_arns", KEYS | {"volumes": "alias/volumes"}, "var.kms_key_arns must hold the volumes key, by key ARN"),
        ("idle_minutes", 30, STUDIO_IDLE),
        ("idle_minutes", -1, STUDIO_IDLE),
        ("idle_minutes", 525601, STUDIO_IDLE),
        ("idle_minutes", 90.5, STUDIO_IDLE),
        ("instance_type", "t3.medium", "var.instance_type must be a SageMaker instance type such as ml.t3.medium."),
        ("parameter_prefix", "/smenv/dev/", "var.parameter_prefix must be an SSM path such as /smenv/dev, without"),
        (
            "presigned_url_vpc_endpoint_ids",
            {"studio": "endpoint-1"},
            "var.presigned_url_vpc_endpoint_ids must map service names to VPC endpoint ids",
        ),
        ("allowed_console_cidrs", ["office"], "var.allowed_console_cidrs must hold IPv4 CIDR blocks"),
        WRONG_TAGS,
    ],
    "trail": [
        BAD_NAME_PREFIX,
        ("kms_key_arn", "alias/trail", "var.kms_key_arn must be a KMS key ARN"),
        ("logs_kms_key_arn", "alias/logs", "var.logs_kms_key_arn must be a KMS key ARN"),
        ("notifications_kms_key_arn", "alias/notifications", "var.notifications_kms_key_arn must be a KMS key ARN"),
        (
            "log_group_retention_days",
            42,
            "var.log_group_retention_days must be one of CloudWatch Logs' retention values",
        ),
        ("retention_days", 30, "var.retention_days must be a whole number of at least 90 days."),
        ("log_administrator_arns", ["*"], "var.log_administrator_arns must hold IAM principal ARNs"),
        ("guardrail_policy_arns", ["*"], "var.guardrail_policy_arns must hold IAM policy ARNs"),
        WRONG_TAGS,
    ],
}


@dataclass(frozen=True)
class Case:
    """One validation block's check: in plan `round` of `module`, `variable` = `value` is refused with `message`."""

    module: str
    variable: str
    value: Any
    message: str
    round: int
    id: str


def cases() -> list[Case]:
    found = []
    for module, wrongs in WRONG.items():
        seen: Counter[str] = Counter()
        normal = [w for w in wrongs if ALONE not in w[3:]]
        for variable, value, message, *_ in normal:
            seen[variable] += 1
            found.append(Case(module, variable, value, message, seen[variable], f"{module}.{variable}"))
        rounds = max(seen.values(), default=0)
        for variable, value, message, *_ in (w for w in wrongs if ALONE in w[3:]):
            rounds += 1
            found.append(Case(module, variable, value, message, rounds, f"{module}.{variable}"))
    totals = Counter(c.id for c in found)
    ordinal: Counter[str] = Counter()
    numbered = []
    for case in found:
        ordinal[case.id] += 1
        suffix = f"-{ordinal[case.id]}" if totals[case.id] > 1 else ""
        numbered.append(Case(case.module, case.variable, case.value, case.message, case.round, case.id + suffix))
    return numbered


CASES = cases()
ROUNDS = sorted({(c.module, c.round) for c in CASES})


def inputs_of(module: str, round_: int, package: Path) -> dict[str, Any]:
    """The module's valid inputs with the wrong value of every case planned in this round."""
    inputs = dict(VALID[module])
    wrong = [c for c in CASES if (c.module, c.round) == (module, round_)]
    assert len({c.variable for c in wrong}) == len(wrong), f"{module} round {round_}: one wrong value per variable"
    inputs |= {c.variable: c.value for c in wrong}
    return {name: str(package) if value == PACKAGE else value for name, value in inputs.items()}


# --- The validation blocks, read from modules/*/variables.tf ----------------------------------------


@dataclass(frozen=True)
class Block:
    module: str
    variable: str
    line: int  # where `validation {` opens: Terraform names it in "checked by the validation rule at"
    message: str

    def __str__(self) -> str:
        return f"{self.module}.{self.variable} (variables.tf:{self.line}): {self.message}"


VARIABLE = re.compile(r'^variable\s+"([^"]+)"')
VALIDATION = re.compile(r"^\s*validation\s*\{")


@cache
def validation_blocks() -> tuple[Block, ...]:
    blocks = []
    for path in sorted(MODULES.glob("*/variables.tf")):
        text = path.read_text()
        parsed = hcl2.loads(text, serialization_options=SerializationOptions(strip_string_quotes=True))
        lines: dict[str, list[int]] = defaultdict(list)
        variable = None
        for number, line in enumerate(text.splitlines(), start=1):
            if match := VARIABLE.match(line):
                variable = match.group(1)
            elif VALIDATION.match(line):
                lines[variable].append(number)
        for entry in parsed.get("variable", []):
            for name, body in entry.items():
                messages = [rule["error_message"] for rule in body.get("validation", [])]
                assert len(messages) == len(lines[name]), f"{path}: {name}: {len(messages)} rules, {lines[name]}"
                blocks += [Block(path.parent.name, name, n, m) for n, m in zip(lines[name], messages, strict=True)]
    return tuple(blocks)


def block_of(case: Case) -> Block:
    """The one block of the case's module and variable whose error_message holds the expected text."""
    assert "${" not in case.message, f"{case.id}: expect a literal part of the message, not an interpolation"
    same_variable = [b for b in validation_blocks() if (b.module, b.variable) == (case.module, case.variable)]
    matching = [b for b in same_variable if case.message in b.message]
    assert len(matching) == 1, (
        f"{case.id}: {case.message!r} should be part of exactly one validation message of "
        f"modules/{case.module} var.{case.variable}, found {len(matching)} among:\n"
        + "\n".join(f"  {b}" for b in same_variable)
    )
    return matching[0]


# --- Planning: once per module and round, for every case of that round ------------------------------

CHECKED_AT = re.compile(r"This was checked by the validation rule at variables\.tf:(\d+),")


@dataclass(frozen=True)
class Refusal:
    """A refused plan: Terraform's error text, and each validation diagnostic by its block's line."""

    text: str
    by_line: dict[int, str]

    @classmethod
    def of(cls, text: str) -> Refusal:
        by_line: dict[int, str] = {}
        for diagnostic in text.split("Error: ")[1:]:
            if match := CHECKED_AT.search(diagnostic):
                by_line.setdefault(int(match.group(1)), diagnostic.strip())
        return cls(text, by_line)


@pytest.fixture(scope="session")
def refusal(planner_for, tmp_path_factory, emulator_env, emulator):
    """refusal(module, round) -> the Refusal of that round's plan, planned once per session."""
    package = tmp_path_factory.mktemp("validation-package") / "function.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    planners: dict[str, ModulePlanner] = {}
    made: dict[tuple[str, int], Refusal] = {}

    def planner(module: str) -> ModulePlanner:
        if module not in planners:
            if module.startswith("_"):
                # An internal part planned as a root module, in a directory of its own: planner_for's
                # shared directory holds the internal parts the other modules call, without a provider.
                workdir = tmp_path_factory.mktemp(f"alone{module}")
                planners[module] = ModulePlanner(module, workdir, emulator_env, emulator.url)
            else:
                planners[module] = planner_for(module)
        return planners[module]

    def get(module: str, round_: int) -> Refusal:
        if (module, round_) not in made:
            made[module, round_] = Refusal.of(planner(module).plan_error(**inputs_of(module, round_, package)))
        return made[module, round_]

    return get


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_wrong_value_is_refused_at_plan_with_its_message(case, refusal):
    # Given the module's valid inputs with this one variable's value wrong (other variables' wrong
    # values share the plan: Terraform reports each failing validation on its own)
    block = block_of(case)
    # When the module is planned
    refused = refusal(case.module, case.round)
    # Then the plan fails, and the diagnostic of this very validation block carries its message
    assert block.line in refused.by_line, (
        f"no diagnostic of modules/{case.module}/variables.tf:{block.line} (var.{case.variable} = {case.value!r}); "
        f"validation rules that failed: {sorted(refused.by_line)}\n{refused.text[-3000:]}"
    )
    assert case.message in refused.by_line[block.line]


@pytest.mark.parametrize(("module", "round_"), ROUNDS, ids=[f"{m}.round{r}" for m, r in ROUNDS])
def test_a_plan_is_refused_by_its_wrong_values_and_by_no_other_validation(module, round_, refusal):
    # Given the valid inputs with the wrong values of one round
    expected = {block_of(c).line for c in CASES if (c.module, c.round) == (module, round_)}
    # When planned
    refused = refusal(module, round_)
    # Then exactly the blocks those values break fail: the other inputs pass every rule, and no
    # wrong value breaks a rule beside its own
    lines = {b.line: b for b in validation_blocks() if b.module == module}
    fired = set(refused.by_line)
    assert fired == expected, (
        "unexpected: "
        + "; ".join(str(lines.get(n, n)) for n in sorted(fired - expected))
        + " | missing: "
        + "; ".join(str(lines[n]) for n in sorted(expected - fired))
    )


# --- Coverage: every block has a case in this table -------------------------------------------------


def test_every_validation_block_is_checked_with_a_wrong_value():
    # Given every validation block of modules/*/variables.tf
    blocks = validation_blocks()
    # When each is matched with the blocks this file's cases check
    checked = {block_of(case) for case in CASES}
    unchecked = [b for b in blocks if b not in checked]
    # Then none is left without a case
    assert not unchecked, (
        f"{len(unchecked)} validation blocks have no check; add a case to WRONG in {Path(__file__).name} "
        "(variable, a wrong value, a literal part of the message):\n" + "\n".join(f"  {b}" for b in unchecked)
    )


def test_each_expected_message_is_a_literal_part_of_one_block_of_its_variable():
    # Given the table, when each case's expected text is looked for in its variable's blocks,
    # then it names exactly one block, and every module and variable in the table exists
    for case in CASES:
        block_of(case)
    assert set(WRONG) <= {b.module for b in validation_blocks()}
    assert set(WRONG) == set(VALID)
