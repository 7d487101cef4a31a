"""modules/studio: a VpcOnly domain, a profile and a private space per team, and who may open what."""

from __future__ import annotations

import base64

import pytest

from smenv.checks import iam_simulate
from smenv.checks.iam_simulate import Case, Request

ACCOUNT = "123456789012"
ARN = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}"
KEYS = {
    p: f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{i}1111111-0000-0000-0000-000000000000"
    for i, p in enumerate(["data", "models", "volumes"])
}
ROLES = {t: f"arn:aws:iam::{ACCOUNT}:role/smenv-test-{t}-sagemaker" for t in ("fraud", "pricing")}
ENDPOINTS = {"studio": "vpce-0aaaaaaaaaaaaaaaa", "sagemaker.api": "vpce-0bbbbbbbbbbbbbbbb"}
INPUTS = {
    "name_prefix": "smenv-test",
    "teams": ["fraud", "pricing"],
    "vpc_id": "vpc-0123456789abcdef0",
    "subnet_ids": ["subnet-0a", "subnet-0b"],
    "team_security_group_ids": {"fraud": "sg-0c", "pricing": "sg-0d"},
    "execution_role_arns": ROLES,
    "kms_key_arns": KEYS,
    "parameter_prefix": "/smenv/test",
    "presigned_url_vpc_endpoint_ids": ENDPOINTS,
}


@pytest.fixture(scope="module")
def studio(planner_for):
    return planner_for("studio")


@pytest.fixture(scope="module")
def plan(studio):
    return studio.plan(**INPUTS)


def test_the_domain_is_vpc_only_in_the_private_subnets_under_the_volumes_key(plan):
    domain = plan.values('aws_sagemaker_domain.team["fraud"]')
    assert domain["domain_name"] == "smenv-test-fraud-studio"
    assert domain["app_network_access_type"] == "VpcOnly"
    assert (domain["auth_mode"], domain["vpc_id"], domain["subnet_ids"]) == (
        "IAM",
        "vpc-0123456789abcdef0",
        ["subnet-0a", "subnet-0b"],
    )
    assert domain["kms_key_id"] == KEYS["volumes"]
    settings = domain["domain_settings"][0]
    # Every call a user's apps make names the person (sts:SourceIdentity = the profile's name)
    assert settings["execution_role_identity_config"] == "USER_PROFILE_NAME"
    assert settings["docker_settings"][0]["enable_docker_access"] == "DISABLED"
    user = domain["default_user_settings"][0]
    assert (user["execution_role"], user["security_groups"]) == (ROLES["fraud"], ["sg-0c"])
    assert user["sharing_settings"][0]["notebook_output_option"] == "Disabled"
    # By default the home file system is kept on destroy
    assert domain["retention_policy"] == [{"home_efs_file_system": "Retain"}]


def test_each_team_has_its_own_domain_its_defaults_the_teams_role_and_group(plan):
    # A domain's home file system is shared by its users: each team gets a domain of its own
    domains = {r["index"]: r["values"] for r in plan.managed("aws_sagemaker_domain")}
    assert sorted(domains) == ["fraud", "pricing"]
    pricing = domains["pricing"]["default_user_settings"][0]
    assert (pricing["execution_role"], pricing["security_groups"]) == (ROLES["pricing"], ["sg-0d"])
    assert domains["pricing"]["domain_name"] == "smenv-test-pricing-studio"


def test_jupyterlab_and_code_editor_stop_when_idle_and_start_with_the_repositorys_script_only(plan):
    user = plan.values('aws_sagemaker_domain.team["fraud"]')["default_user_settings"][0]
    configs = {r["index"]: r["values"] for r in plan.managed("aws_sagemaker_studio_lifecycle_config")}
    assert sorted(configs) == ["CodeEditor", "JupyterLab"]
    for app, block in (("JupyterLab", "jupyter_lab_app_settings"), ("CodeEditor", "code_editor_app_settings")):
        settings = user[block][0]
        idle = settings["app_lifecycle_management"][0]["idle_settings"][0]
        assert (idle["lifecycle_management"], idle["idle_timeout_in_minutes"], idle["max_idle_timeout_in_minutes"]) == (
            "ENABLED",
            60,
            60,
        )
        assert configs[app]["studio_lifecycle_config_name"].startswith("smenv-test-")
        assert configs[app]["studio_lifecycle_config_app_type"] == app
        script = base64.b64decode(configs[app]["studio_lifecycle_config_content"]).decode()
        # The script fetches nothing: no URL, no package install
        assert not any(word in script for word in ("://", "curl ", "wget ", "pip install", "conda install"))
        assert "REGION='us-east-1'" in script and "PARAMETER_PREFIX='/smenv/test'" in script


def test_idle_shutdown_at_zero_is_off(studio):
    plan = studio.plan(**INPUTS, idle_minutes=0, retain_home_file_system=False)
    domain = plan.values('aws_sagemaker_domain.team["fraud"]')
    idle = domain["default_user_settings"][0]["jupyter_lab_app_settings"][0]["app_lifecycle_management"][0]
    assert idle["idle_settings"][0]["lifecycle_management"] == "DISABLED"
    # A throwaway environment deletes the users' files with the domain
    assert domain["retention_policy"] == [{"home_efs_file_system": "Delete"}]


def test_each_team_gets_a_profile_and_a_private_space_in_its_own_role_and_group(plan):
    profiles = {r["index"]: r["values"] for r in plan.managed("aws_sagemaker_user_profile")}
    spaces = {r["index"]: r["values"] for r in plan.managed("aws_sagemaker_space")}
    assert sorted(profiles) == sorted(spaces) == ["fraud", "pricing"]
    for team, group in (("fraud", "sg-0c"), ("pricing", "sg-0d")):
        assert profiles[team]["user_profile_name"] == f"{team}-studio"
        assert profiles[team]["user_settings"][0]["execution_role"] == ROLES[team]
        assert profiles[team]["user_settings"][0]["security_groups"] == [group]
        assert spaces[team]["space_name"] == f"{team}-private"
        assert spaces[team]["space_sharing_settings"] == [{"sharing_type": "Private"}]


# --- who may do what, as the IAM evaluator sees it -------------------------------------------------

FRAUD_SPACE = f"{ARN}:space/d-abc123/fraud-private"
PRICING_SPACE = f"{ARN}:space/d-abc123/pricing-private"
FRAUD_PROFILE = f"{ARN}:user-profile/d-abc123/fraud-studio"
PRICING_PROFILE = f"{ARN}:user-profile/d-abc123/pricing-studio"
PRIVATE = {"sagemaker:SpaceSharingType": "Private"}


def judge(policy: dict, principal: str, cases: list[tuple[str, str, str, dict, bool]]) -> list[str]:
    built = [
        Case(name, [policy], Request(action, ctx, principal=principal, resource=res))
        for name, action, res, ctx, _ in cases
    ]
    outcomes = iam_simulate.evaluate(built)
    return [f"{o.id}: {o.result}" for o, case in zip(outcomes, cases, strict=True) if o.allowed != case[-1]]


def test_a_teams_role_runs_apps_in_its_own_private_spaces_only(plan):
    # Given the fraud role's Studio policy as planned
    policy = plan.policy('aws_iam_role_policy.team_studio["fraud"]')
    own = PRIVATE | {"sagemaker:OwnerUserProfileArn": FRAUD_PROFILE}
    cases = [
        ("start JupyterLab in its private space", "sagemaker:CreateApp", f"{FRAUD_SPACE.replace(':space/', ':app/')}/jupyterlab/default", own, True),
        ("make another private space", "sagemaker:CreateSpace", f"{ARN}:space/d-abc123/fraud-scratch", own, True),
        ("see its profile", "sagemaker:DescribeUserProfile", FRAUD_PROFILE, {}, True),
        ("start an app in pricing's space", "sagemaker:CreateApp", f"{PRICING_SPACE.replace(':space/', ':app/')}/jupyterlab/default", PRIVATE | {"sagemaker:OwnerUserProfileArn": PRICING_PROFILE}, False),
        ("make a space owned by pricing's profile", "sagemaker:CreateSpace", f"{ARN}:space/d-abc123/fraud-x", PRIVATE | {"sagemaker:OwnerUserProfileArn": PRICING_PROFILE}, False),
        ("make a shared space", "sagemaker:CreateSpace", f"{ARN}:space/d-abc123/fraud-shared", {"sagemaker:SpaceSharingType": "Shared", "sagemaker:OwnerUserProfileArn": FRAUD_PROFILE}, False),
        ("make itself a profile", "sagemaker:CreateUserProfile", f"{ARN}:user-profile/d-abc123/fraud-2", {}, False),
        ("change the domain", "sagemaker:UpdateDomain", f"{ARN}:domain/d-abc123", {}, False),
        ("open pricing's Studio", "sagemaker:CreatePresignedDomainUrl", PRICING_PROFILE, {}, False),
    ]  # fmt: skip
    # When the evaluator judges each, then its own space passes and nothing else does
    assert judge(policy, ROLES["fraud"], cases) == []


def test_people_open_their_teams_studio_through_the_endpoints_only(plan):
    # Given the policy a person of team fraud is given
    policy = plan.policy('aws_iam_policy.studio_user["fraud"]')
    person = f"arn:aws:iam::{ACCOUNT}:user/alice"
    via = {"aws:SourceVpce": ENDPOINTS["studio"]}
    cases = [
        ("open fraud's Studio through the Studio endpoint", "sagemaker:CreatePresignedDomainUrl", FRAUD_PROFILE, via, True),
        ("open fraud's Studio through the API endpoint", "sagemaker:CreatePresignedDomainUrl", FRAUD_PROFILE, {"aws:SourceVpce": ENDPOINTS["sagemaker.api"]}, True),
        ("open fraud's Studio from the internet", "sagemaker:CreatePresignedDomainUrl", FRAUD_PROFILE, {"aws:SourceIp": "198.51.100.7"}, False),
        ("open fraud's Studio through another VPC's endpoint", "sagemaker:CreatePresignedDomainUrl", FRAUD_PROFILE, {"aws:SourceVpce": "vpce-0eeeeeeeeeeeeeeee"}, False),
        ("open pricing's Studio through the endpoint", "sagemaker:CreatePresignedDomainUrl", PRICING_PROFILE, via, False),
    ]  # fmt: skip
    assert judge(policy, person, cases) == []
    # And the deny holds whatever else the person holds
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["DenyOpeningAnotherProfile"]["Effect"] == "Deny"
    assert statements["DenyOpeningStudioFromElsewhere"]["Effect"] == "Deny"


# --- bad input: one line naming the variable, nothing planned ---------------------------------------


def test_a_team_with_a_profile_but_no_execution_role_fails_at_plan_naming_the_variable(studio):
    message = studio.plan_error(**INPUTS | {"execution_role_arns": {"fraud": ROLES["fraud"]}})
    assert "var.execution_role_arns has no execution role for team(s) pricing" in message
    message = studio.plan_error(**INPUTS | {"team_security_group_ids": {"pricing": "sg-0d"}})
    assert "var.team_security_group_ids has no security group for team(s) fraud" in message
