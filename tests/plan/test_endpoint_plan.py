"""modules/endpoint: both shapes, as a reviewer checks them in the plan."""

from __future__ import annotations

import pytest

KEY = "arn:aws:kms:us-east-1:123456789012:key/{}-0000-0000-0000-000000000000"
MODEL = {
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1",
    "model_data_url": "s3://models/churn/model.tar.gz",
}
SHADOW = {"image": MODEL["image"], "model_data_url": "s3://models/churn/model-v2.tar.gz", "sampling_percentage": 20}
INPUTS = {
    "name_prefix": "smenv-test",
    "name": "churn",
    "model": MODEL,
    "model_bucket": "smenv-test-model-fraud-123456789012-us-east-1",
    "models_kms_key_arn": KEY.format("11111111"),
    "volumes_kms_key_arn": KEY.format("22222222"),
    "subnet_ids": ["subnet-0a", "subnet-0b"],
    "security_group_ids": ["sg-0c"],
    "guardrail_policy_arns": ["arn:aws:iam::123456789012:policy/smenv-test-sagemaker-guardrails-network"],
}


@pytest.fixture(scope="module")
def endpoint(planner_for):
    return planner_for("endpoint")


@pytest.fixture(scope="module")
def provisioned(endpoint):
    return endpoint.plan(**INPUTS, shadow=SHADOW)


@pytest.fixture(scope="module")
def serverless(endpoint):
    return endpoint.plan(**INPUTS, shape="serverless", enable_network_isolation=False)


def test_provisioned_models_run_in_the_vpc_isolated_and_shadowed(provisioned):
    models = {r["index"]: r["values"] for r in provisioned.managed("aws_sagemaker_model")}
    assert sorted(models) == ["production", "shadow"]
    for model in models.values():
        assert model["enable_network_isolation"] is True
        assert model["vpc_config"] == [{"security_group_ids": ["sg-0c"], "subnets": ["subnet-0a", "subnet-0b"]}]
    assert models["shadow"]["primary_container"][0]["model_data_url"] == SHADOW["model_data_url"]


def test_the_provisioned_config_encrypts_volumes_and_captures_into_the_model_bucket(provisioned):
    config = provisioned.values("aws_sagemaker_endpoint_configuration.this")
    assert config["kms_key_arn"] == KEY.format("22222222")
    capture = config["data_capture_config"][0]
    assert capture["kms_key_id"] == KEY.format("11111111")
    assert capture["destination_s3_uri"] == f"s3://{INPUTS['model_bucket']}/data-capture/smenv-test-churn"
    assert sorted(o["capture_mode"] for o in capture["capture_options"]) == ["Input", "Output"]
    assert capture["initial_sampling_percentage"] == 100
    shadow = config["shadow_production_variants"][0]
    # The shadow's share is its weight over production's: whole numbers, exact in SageMaker's float32
    assert (shadow["variant_name"], shadow["initial_variant_weight"]) == ("shadow", 20)
    assert config["production_variants"][0]["initial_variant_weight"] == 100


def test_provisioned_scales_on_invocations_between_one_and_five_instances(provisioned):
    target = provisioned.values("aws_appautoscaling_target.production[0]")
    assert (target["min_capacity"], target["max_capacity"]) == (1, 5)
    assert target["scalable_dimension"] == "sagemaker:variant:DesiredInstanceCount"
    policy = provisioned.values("aws_appautoscaling_policy.invocations[0]")
    tracking = policy["target_tracking_scaling_policy_configuration"][0]
    assert (
        tracking["predefined_metric_specification"][0]["predefined_metric_type"]
        == "SageMakerVariantInvocationsPerInstance"
    )
    assert (tracking["scale_in_cooldown"], tracking["scale_out_cooldown"]) == (300, 60)


def test_alarms_watch_errors_latency_and_for_provisioned_cpu_and_memory(provisioned, serverless):
    alarms = {r["index"]: r["values"] for r in provisioned.managed("aws_cloudwatch_metric_alarm")}
    assert sorted(alarms) == ["cpu", "errors-5xx", "latency-p99", "memory"]
    assert alarms["latency-p99"]["extended_statistic"] == "p99"
    assert alarms["errors-5xx"]["metric_name"] == "Invocation5XXErrors"
    assert sorted(r["index"] for r in serverless.managed("aws_cloudwatch_metric_alarm")) == [
        "errors-5xx",
        "latency-p99",
    ]


def test_the_model_role_is_least_privilege_and_carries_the_guardrail(provisioned):
    attachment = provisioned.values("aws_iam_role_policy_attachment.guardrails[0]")
    assert attachment["policy_arn"] == INPUTS["guardrail_policy_arns"][0]
    trust = provisioned.policy("aws_iam_role.model", "assume_role_policy")["Statement"][0]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    statements = {s["Sid"]: s for s in provisioned.policy("aws_iam_role_policy.model")["Statement"]}
    assert statements["WriteCapturedData"]["Resource"] == (
        f"arn:aws:s3:::{INPUTS['model_bucket']}/data-capture/smenv-test-churn/*"
    )
    wildcard = sorted(sid for sid, s in statements.items() if s["Resource"] == "*")
    assert wildcard == ["DescribeTheNetwork", "RegistryTokenAndMetrics"]
    # It reads the configured models' directories, nothing else of the bucket
    assert statements["ReadModelData"]["Resource"] == f"arn:aws:s3:::{INPUTS['model_bucket']}/churn/*"


def test_the_model_role_pulls_exactly_the_configured_images(endpoint):
    # Given a production image in this account and a shadow from AWS's scikit-learn registry
    shadow = SHADOW | {"image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"}
    plan = endpoint.plan(
        **INPUTS,
        shadow=shadow,
        extra_image_repository_arns=["arn:aws:ecr:us-east-1:123456789012:repository/smenv-test-promoted/*"],
    )
    statements = {s["Sid"]: s for s in plan.policy("aws_iam_role_policy.model")["Statement"]}
    # Then the role may pull those two repositories and the named extra ones, by exact ARN
    assert sorted(statements["PullTheConfiguredImages"]["Resource"]) == [
        "arn:aws:ecr:us-east-1:123456789012:repository/churn",
        "arn:aws:ecr:us-east-1:123456789012:repository/smenv-test-promoted/*",
        "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-scikit-learn",
    ]


def test_an_image_outside_the_allowed_registries_fails_at_plan_naming_the_variable(endpoint):
    stranger = MODEL | {"image": "999999999999.dkr.ecr.us-east-1.amazonaws.com/miner:latest"}
    message = endpoint.plan_error(**INPUTS | {"model": stranger})
    assert (
        "var.model / var.shadow image: production (999999999999.dkr.ecr.us-east-1.amazonaws.com/miner:latest)"
        in message
    )
    assert "endpoint.image" in message
    docker_hub = endpoint.plan_error(**INPUTS | {"model": MODEL | {"image": "docker.io/library/python:3"}})
    assert "is not an ECR image of this account" in docker_hub


def test_on_a_local_nvme_type_the_configuration_carries_no_volume_key(endpoint):
    # Given g5 instances, whose NVMe storage SageMaker encrypts itself and refuses a key for
    plan = endpoint.plan(**INPUTS, instance_type="ml.g5.2xlarge")
    config = plan.values("aws_sagemaker_endpoint_configuration.this")
    # Then the configuration names no volume key (CreateEndpointConfig would fail with one)
    assert config["kms_key_arn"] is None
    assert config["production_variants"][0]["instance_type"] == "ml.g5.2xlarge"


def test_a_volume_key_forced_on_an_nvme_type_fails_at_plan_naming_the_variable(endpoint):
    message = endpoint.plan_error(**INPUTS, instance_type="ml.g5.2xlarge", force_volume_kms_key=True)
    assert "var.force_volume_kms_key is true, but ml.g5.2xlarge" in message
    assert "local NVMe instance storage" in message


def test_under_autoscaling_a_configuration_terraform_replaces_starts_at_the_most_instances(provisioned, endpoint):
    # Given autoscaling 1-5: Terraform owns the configuration (models not promoted)
    variant = provisioned.values("aws_sagemaker_endpoint_configuration.this")["production_variants"][0]
    # Then a new configuration (a model change) starts at 5, so UpdateEndpoint never drops capacity under load
    assert variant["initial_instance_count"] == 5
    # And where the tool owns later configurations (it retains the instance count), Terraform's starts at 1
    promoted = endpoint.plan(**INPUTS, models_promoted=True)
    assert (
        promoted.values("aws_sagemaker_endpoint_configuration.this")["production_variants"][0]["initial_instance_count"]
        == 1
    )
    # And without autoscaling, the configured minimum is the count
    fixed = endpoint.plan(**INPUTS, autoscaling={"enabled": False, "min_capacity": 2, "max_capacity": 2})
    assert (
        fixed.values("aws_sagemaker_endpoint_configuration.this")["production_variants"][0]["initial_instance_count"]
        == 2
    )


def test_serverless_gives_up_the_vpc_capture_and_shadow_and_says_so_with_a_tag(serverless):
    model = serverless.values('aws_sagemaker_model.this["production"]')
    assert model["vpc_config"] == []
    assert model["enable_network_isolation"] is False
    assert model["tags"] == {"smenv:inference": "serverless"}
    config = serverless.values("aws_sagemaker_endpoint_configuration.this")
    assert config["data_capture_config"] == []
    assert config["shadow_production_variants"] == []
    assert config["kms_key_arn"] == KEY.format("22222222")
    serverless_config = config["production_variants"][0]["serverless_config"][0]
    assert (serverless_config["memory_size_in_mb"], serverless_config["max_concurrency"]) == (2048, 5)
    assert config["production_variants"][0]["instance_type"] is None
    assert serverless.managed("aws_appautoscaling_target") == []


def test_terraform_owns_the_endpoints_configuration_unless_models_are_promoted(provisioned, endpoint):
    # Given the default, and an environment whose models arrive through tools/promote_model.py
    promoted = endpoint.plan(**INPUTS, models_promoted=True)
    endpoints = {p: [r["address"] for r in plan.managed("aws_sagemaker_endpoint")] for p, plan in
                 (("default", provisioned), ("promoted", promoted))}  # fmt: skip
    # Then each makes one endpoint, and only the promoted one leaves its configuration to the tool
    assert endpoints == {
        "default": ["aws_sagemaker_endpoint.this[0]"],
        "promoted": ["aws_sagemaker_endpoint.promoted[0]"],
    }
    assert promoted.values("aws_sagemaker_endpoint.promoted[0]")["name"] == "smenv-test-churn"
    assert [r["address"] for r in promoted.managed("aws_appautoscaling_target")] == [
        "aws_appautoscaling_target.production[0]"
    ]


def test_network_isolation_left_on_for_a_serverless_endpoint_fails_at_plan_naming_both_variables(endpoint):
    isolated = endpoint.plan_error(**INPUTS, shape="serverless")
    assert 'var.enable_network_isolation must be false with var.shape = "serverless"' in isolated
