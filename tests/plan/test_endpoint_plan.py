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
    "guardrail_policy_arn": "arn:aws:iam::123456789012:policy/smenv-test-sagemaker-guardrails",
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
    attachment = provisioned.values("aws_iam_role_policy_attachment.guardrails")
    assert attachment["policy_arn"] == INPUTS["guardrail_policy_arn"]
    trust = provisioned.policy("aws_iam_role.model", "assume_role_policy")["Statement"][0]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    statements = {s["Sid"]: s for s in provisioned.policy("aws_iam_role_policy.model")["Statement"]}
    assert statements["WriteCapturedData"]["Resource"] == (
        f"arn:aws:s3:::{INPUTS['model_bucket']}/data-capture/smenv-test-churn/*"
    )
    wildcard = sorted(sid for sid, s in statements.items() if s["Resource"] == "*")
    assert wildcard == ["DescribeTheNetwork", "RegistryTokenAndMetrics"]


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


def test_bad_endpoint_inputs_fail_at_plan_naming_the_variable(endpoint):
    message = endpoint.plan_error(
        **INPUTS
        | {
            "autoscaling": {"min_capacity": 6, "max_capacity": 5},
            "data_capture": {"sampling_percentage": 150},
            "serverless": {"memory_size_in_mb": 1000},
            "shadow": {"sampling_percentage": 10},
        }
    )
    assert "var.autoscaling: min_capacity must be at least 1 and not above max_capacity" in message
    assert "var.data_capture.sampling_percentage must be from 0 to 100" in message
    assert "var.serverless.memory_size_in_mb must be one of 1024, 2048" in message
    assert "var.shadow needs a model" in message
    isolated = endpoint.plan_error(**INPUTS, shape="serverless")
    assert 'var.enable_network_isolation must be false with var.shape = "serverless"' in isolated
