"""modules/promotion: the target account's promotion role and registry, from the plan (and the evaluator)."""

from __future__ import annotations

import pytest

from smenv.checks import iam_simulate
from smenv.checks.iam_simulate import Case, Request

ACCOUNT = "123456789012"  # the emulator's account: the planned ARNs carry it
OPERATOR = "arn:aws:iam::111111111111:role/smenv-deployer"
PIPELINE = "arn:aws:iam::111111111111:user/ci"
BUCKET = "smenv-test-model-fraud"
MODELS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/11111111-0000-0000-0000-000000000000"
PARAMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/22222222-0000-0000-0000-000000000000"
SOURCE_BUCKET = "arn:aws:s3:::smenv-dev-model-fraud"
SOURCE_KEY = "arn:aws:kms:eu-west-1:111111111111:key/33333333-0000-0000-0000-000000000000"
VOLUMES_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/44444444-0000-0000-0000-000000000000"
ENDPOINT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-test-churn-model"
GUARDRAIL = f"arn:aws:iam::{ACCOUNT}:policy/smenv-test-sagemaker-guardrails"
SM = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-test-promotion"
SOURCE_REPOSITORY = "arn:aws:ecr:eu-west-1:111111111111:repository/fraud/model"
ECR = f"arn:aws:ecr:us-east-1:{ACCOUNT}"
PROMOTED_REPOSITORIES = f"{ECR}:repository/smenv-test-promoted/*"
IMAGE_PUSH = {
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchDeleteImage",
    "ecr:CompleteLayerUpload",
    "ecr:CreateRepository",
    "ecr:DescribeImages",
    "ecr:DescribeRepositories",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
}

INPUTS = {
    "name_prefix": "smenv-test",
    "trusted_principal_arns": [OPERATOR, PIPELINE],
    "models_bucket_name": BUCKET,
    "models_kms_key_arn": MODELS_KEY,
    "parameter_prefix": "/smenv/test",
    "params_kms_key_arn": PARAMS_KEY,
}
FULL = INPUTS | {
    "registry_reader_account_ids": ["444444444444"],
    "registered_approval_statuses": ["PendingManualApproval"],
    "source_model_bucket_arns": [SOURCE_BUCKET],
    "source_kms_key_arns": [SOURCE_KEY],
    "source_model_package_group_names": ["smenv-dev-models"],
    "source_image_repository_arns": [SOURCE_REPOSITORY],
    "endpoint_execution_role_arns": [ENDPOINT_ROLE],
    "endpoint_kms_key_arns": [VOLUMES_KEY],
    "guardrail_policy_arns": [GUARDRAIL],
}
S3_WRITES = ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload")


@pytest.fixture(scope="module")
def promotion(planner_for):
    return planner_for("promotion")


@pytest.fixture(scope="module")
def plan(promotion):
    return promotion.plan(**INPUTS)


@pytest.fixture(scope="module")
def full_plan(promotion):
    return promotion.plan(**FULL)


def statements(plan) -> dict[str, dict]:
    return {s["Sid"]: s for s in plan.policy("aws_iam_role_policy.promotion")["Statement"]}


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_the_role_is_assumable_only_by_the_trusted_principals_for_an_hour_at_most(plan):
    role = plan.values("aws_iam_role.promotion")
    assert role["name"] == "smenv-test-promotion"
    assert role["max_session_duration"] == 3600
    trust = plan.policy("aws_iam_role.promotion", "assume_role_policy")["Statement"]
    assert len(trust) == 1
    assert trust[0]["Effect"] == "Allow"
    assert as_list(trust[0]["Action"]) == ["sts:AssumeRole"]
    assert sorted(as_list(trust[0]["Principal"]["AWS"])) == sorted([OPERATOR, PIPELINE])
    assert set(trust[0]["Principal"]) == {"AWS"}


def test_the_registry_group_is_named_from_the_prefix_and_private_by_default(plan, full_plan):
    group = plan.values("aws_sagemaker_model_package_group.this")
    assert group["model_package_group_name"] == "smenv-test-models"
    assert plan.output("model_package_group_name") == "smenv-test-models"
    assert plan.managed("aws_sagemaker_model_package_group_policy") == []

    policy = full_plan.policy("aws_sagemaker_model_package_group_policy.readers[0]", "resource_policy")
    readers = {p for s in policy["Statement"] for p in as_list(s["Principal"]["AWS"])}
    assert readers == {"arn:aws:iam::444444444444:root"}
    actions = {a for s in policy["Statement"] for a in as_list(s["Action"])}
    assert actions == {
        "sagemaker:DescribeModelPackageGroup",
        "sagemaker:ListModelPackages",
        "sagemaker:DescribeModelPackage",
    }
    resources = {r for s in policy["Statement"] for r in as_list(s["Resource"])}
    assert resources == {f"{SM}:model-package-group/smenv-test-models", f"{SM}:model-package/smenv-test-models/*"}


def test_s3_writes_reach_only_the_key_prefix_of_the_model_bucket(plan, full_plan, promotion):
    for planned in (plan, full_plan):
        writers = [s for s in statements(planned).values() if set(as_list(s["Action"])) & set(S3_WRITES)]
        assert [s["Sid"] for s in writers] == ["WritePromotedArtifacts"]
        assert as_list(writers[0]["Resource"]) == [f"arn:aws:s3:::{BUCKET}/promoted/*"]
    other = promotion.plan(**INPUTS | {"key_prefix": "releases/models/"})
    assert as_list(statements(other)["WritePromotedArtifacts"]["Resource"]) == [
        f"arn:aws:s3:::{BUCKET}/releases/models/*"
    ]


def test_no_statement_names_every_action_or_every_action_of_a_service(plan, full_plan):
    for planned in (plan, full_plan):
        actions = [a for s in statements(planned).values() for a in as_list(s["Action"])]
        assert not [a for a in actions if "*" in a]
        assert all(s["Effect"] == "Allow" for s in statements(planned).values())
        resources = [r for s in statements(planned).values() for r in as_list(s["Resource"])]
        assert "*" not in resources


def test_pass_role_is_only_for_the_listed_roles_and_only_to_sagemaker(plan, full_plan):
    assert "PassOnlyEndpointRolesToSageMaker" not in statements(plan)
    passing = [s for s in statements(full_plan).values() if "iam:PassRole" in as_list(s["Action"])]
    assert len(passing) == 1
    assert as_list(passing[0]["Action"]) == ["iam:PassRole"]
    assert as_list(passing[0]["Resource"]) == [ENDPOINT_ROLE]
    assert passing[0]["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_without_endpoint_roles_or_sources_only_the_copy_registry_and_contract_remain(plan):
    assert sorted(statements(plan)) == sorted(
        [
            "WritePromotedArtifacts",
            "FindPromotedArtifacts",
            "ModelsKeyThroughS3",
            "ReadTheRegistry",
            "ReadRegisteredPackages",
            "RegisterPackages",
            "ReadTheContract",
            "ParamsKeyThroughSsm",
        ]
    )
    assert plan.managed("aws_iam_role_policy_attachment") == []


def test_keys_are_used_only_through_their_service(full_plan):
    found = statements(full_plan)
    assert found["ModelsKeyThroughS3"]["Resource"] == MODELS_KEY
    assert found["ModelsKeyThroughS3"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    }
    assert found["ParamsKeyThroughSsm"]["Resource"] == PARAMS_KEY
    assert found["ParamsKeyThroughSsm"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "ssm.us-east-1.amazonaws.com"}
    }
    # the source key is decrypted by S3 in the source key's own region
    assert found["SourceKeysThroughS3"]["Resource"] == SOURCE_KEY
    assert found["SourceKeysThroughS3"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
    }
    assert found["VolumeKeyGrantsForSageMaker"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_the_source_is_read_only_and_only_the_listed_buckets(full_plan):
    found = statements(full_plan)
    assert sorted(as_list(found["ReadSourceArtifacts"]["Action"])) == ["s3:GetObject", "s3:GetObjectVersion"]
    assert as_list(found["ReadSourceArtifacts"]["Resource"]) == [f"{SOURCE_BUCKET}/*"]
    assert as_list(found["ListSourceBuckets"]["Resource"]) == [SOURCE_BUCKET]


def test_sagemaker_calls_stay_in_the_group_and_the_prefixed_endpoints(full_plan):
    sagemaker = [
        r
        for s in statements(full_plan).values()
        if any(a.startswith("sagemaker:") for a in as_list(s["Action"]))
        for r in as_list(s["Resource"])
    ]
    allowed_shapes = (
        f"{SM}:model-package-group/smenv-test-models",
        f"{SM}:model-package/smenv-test-models/*",
        f"{SM}:endpoint/smenv-test-*",
        f"{SM}:endpoint-config/smenv-test-*",
        f"{SM}:model/smenv-test-*",
        f"{SM}:model/smenv-dev-models-*",  # the tool names a deployed model after its source group
    )
    assert set(sagemaker) <= set(allowed_shapes)
    assert full_plan.values("aws_iam_role_policy_attachment.guardrails[0]")["policy_arn"] == GUARDRAIL


def test_the_evaluator_allows_what_the_tool_does_and_nothing_beside_it(full_plan):
    policy = full_plan.policy("aws_iam_role_policy.promotion")
    # KMS is left to the plan assertions above: the evaluator allows a key only with a key policy.
    expected = [
        ("copy under the prefix", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/promoted/g/1/abc/0/model.tar.gz", {}, True),
        ("copy beside the prefix", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/captures/x", {}, False),
        ("copy into another bucket", "s3:PutObject", "arn:aws:s3:::another-bucket/promoted/x", {}, False),
        ("write the source", "s3:PutObject", f"{SOURCE_BUCKET}/promoted/x", {}, False),
        ("read the source", "s3:GetObjectVersion", f"{SOURCE_BUCKET}/models/model.tar.gz", {}, True),
        ("pass the endpoint role to SageMaker", "iam:PassRole", ENDPOINT_ROLE, {"iam:PassedToService": "sagemaker.amazonaws.com"}, True),
        ("pass the endpoint role to EC2", "iam:PassRole", ENDPOINT_ROLE, {"iam:PassedToService": "ec2.amazonaws.com"}, False),
        ("pass itself", "iam:PassRole", ROLE, {"iam:PassedToService": "sagemaker.amazonaws.com"}, False),
        ("register pending", "sagemaker:CreateModelPackage", f"{SM}:model-package/smenv-test-models/7", {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}, True),
        ("register approved in prod", "sagemaker:CreateModelPackage", f"{SM}:model-package/smenv-test-models/7", {"sagemaker:ModelApprovalStatus": "Approved"}, False),
        ("register in another group", "sagemaker:CreateModelPackage", f"{SM}:model-package/other/1", {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}, False),
        ("update a prefixed endpoint", "sagemaker:UpdateEndpoint", f"{SM}:endpoint/smenv-test-churn", {}, True),
        ("update someone else's endpoint", "sagemaker:UpdateEndpoint", f"{SM}:endpoint/other-churn", {}, False),
        ("create a model named after the source group", "sagemaker:CreateModel", f"{SM}:model/smenv-dev-models-3-1a2b3c4d", {}, True),
        ("read the promotion contract", "ssm:GetParametersByPath", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/smenv/test/promotion", {}, True),
        ("read the teams' contract", "ssm:GetParametersByPath", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/smenv/test/teams", {}, False),
    ]  # fmt: skip
    cases = [
        Case(name, [policy], Request(action, context, principal=ROLE, resource=resource))
        for name, action, resource, context, _ in expected
    ]
    outcomes = iam_simulate.evaluate(cases)
    assert [o.id for o in outcomes if o.ignored_context_keys] == []
    wrong = [
        f"{o.id}: expected {'allow' if allow else 'deny'}, got {o.result}"
        for (_, _, _, _, allow), o in zip(expected, outcomes, strict=True)
        if o.allowed != allow
    ]
    assert wrong == []


def ecr_statements(planned) -> dict[str, dict]:
    return {sid: s for sid, s in statements(planned).items() if any(a.startswith("ecr:") for a in as_list(s["Action"]))}


def test_without_source_repositories_the_role_has_no_ecr_permission(plan):
    assert ecr_statements(plan) == {}


def test_images_are_pushed_only_under_the_promoted_prefix_and_tagged_with_the_tools_key(full_plan):
    found = ecr_statements(full_plan)
    assert sorted(found) == ["PushPromotedImages", "ReadSourceImages", "TagPromotedRepositoriesOnCreate"]
    push, tag = found["PushPromotedImages"], found["TagPromotedRepositoriesOnCreate"]
    assert set(as_list(push["Action"])) == IMAGE_PUSH
    assert as_list(push["Resource"]) == [PROMOTED_REPOSITORIES]
    assert as_list(tag["Action"]) == ["ecr:TagResource"] and as_list(tag["Resource"]) == [PROMOTED_REPOSITORIES]
    assert tag["Condition"] == {"ForAllValues:StringEquals": {"aws:TagKeys": "smenv:source-repository"}}
    assert full_plan.output("image_repository_prefix") == "smenv-test-promoted"


def test_source_images_are_only_read_and_only_from_the_listed_repositories(full_plan):
    read = ecr_statements(full_plan)["ReadSourceImages"]
    assert sorted(as_list(read["Action"])) == ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"]
    assert as_list(read["Resource"]) == [SOURCE_REPOSITORY]


def test_no_ecr_statement_names_every_action_or_a_repository_outside_the_prefix(full_plan):
    for statement in ecr_statements(full_plan).values():
        assert not [a for a in as_list(statement["Action"]) if "*" in a]
        for resource in as_list(statement["Resource"]):
            assert resource in (PROMOTED_REPOSITORIES, SOURCE_REPOSITORY)
    assert "ecr:GetAuthorizationToken" not in {a for s in statements(full_plan).values() for a in as_list(s["Action"])}


# The source repository's policy, as modules/promotion/README.md ("Who needs what") documents it.
SOURCE_REPOSITORY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "PromotionReadsImages",
            "Effect": "Allow",
            "Principal": {"AWS": ROLE},
            "Action": ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"],
        }
    ],
}


def test_the_evaluator_allows_the_image_copy_and_nothing_beside_it(full_plan):
    policy = full_plan.policy("aws_iam_role_policy.promotion")
    dev = iam_simulate.NamedPolicy("repository policy of fraud/model", SOURCE_REPOSITORY_POLICY)
    promoted = f"{ECR}:repository/smenv-test-promoted/fraud/model"
    tag_key = {"aws:TagKeys": ["smenv:source-repository"]}
    expected = [
        ("create a promoted repository", "ecr:CreateRepository", promoted, {}, True),
        ("tag it with the source", "ecr:TagResource", promoted, tag_key, True),
        ("tag it with anything else", "ecr:TagResource", promoted, {"aws:TagKeys": ["owner"]}, False),
        ("upload a layer there", "ecr:UploadLayerPart", promoted, {}, True),
        ("put the image there", "ecr:PutImage", promoted, {}, True),
        ("roll the image back", "ecr:BatchDeleteImage", promoted, {}, True),
        ("delete the repository", "ecr:DeleteRepository", promoted, {}, False),
        ("change its policy", "ecr:SetRepositoryPolicy", promoted, {}, False),
        ("create a repository beside the prefix", "ecr:CreateRepository", f"{ECR}:repository/fraud/model", {}, False),
        ("push beside the prefix", "ecr:PutImage", f"{ECR}:repository/smenv-test-promoted", {}, False),
        ("push into the team's own repository", "ecr:PutImage", f"{ECR}:repository/smenv-test-fraud", {}, False),
        ("read the source image", "ecr:GetDownloadUrlForLayer", SOURCE_REPOSITORY, {}, True),
        ("resolve a source tag", "ecr:DescribeImages", SOURCE_REPOSITORY, {}, True),
        ("read another source repository", "ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:111111111111:repository/other", {}, False),
        ("write the source", "ecr:PutImage", SOURCE_REPOSITORY, {}, False),
        ("log in to a registry", "ecr:GetAuthorizationToken", None, {}, False),
    ]  # fmt: skip
    cases = [
        Case(
            name,
            [policy],
            Request(action, context, principal=ROLE, resource=resource),
            resource_policy=dev if resource and resource.startswith("arn:aws:ecr:eu-west-1:111111111111:") else None,
        )
        for name, action, resource, context, _ in expected
    ]
    outcomes = iam_simulate.evaluate(cases)
    wrong = [
        f"{o.id}: expected {'allow' if allow else 'deny'}, got {o.result}"
        for (_, _, _, _, allow), o in zip(expected, outcomes, strict=True)
        if o.allowed != allow
    ]
    assert wrong == []
