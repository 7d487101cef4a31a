"""Point a target endpoint at the promoted package: a model, a new endpoint configuration cloned from
the current one (production variant swapped, or a shadow variant added), then UpdateEndpoint.

The model runs as the endpoint's current production model does (its ExecutionRoleArn and
EnableNetworkIsolation) in the environment's private network (network/* in the contract); a
serverless endpoint's model gets no VpcConfig and the `smenv:inference=serverless` tag, as the
endpoint module does. The configuration keeps KmsKeyId, DataCaptureConfig and everything else of the
current one. SageMaker's UpdateEndpoint is a blue/green deployment: the old fleet serves until the new
one is healthy, and a failed update leaves the endpoint on its old configuration.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError, WaiterError
from botocore.model import StructureShape

from smenv.core.awsutil import Client
from smenv.core.project import UsageError
from smenv.promotion import PromotionFailed, Refused
from smenv.promotion.shapes import input_only

SHADOW_VARIANT = "shadow"  # the endpoint module's name for it
TAG_PACKAGE = "smenv:model-package-arn"
TAG_INFERENCE = "smenv:inference"
_NAME_OK = re.compile(r"[^a-zA-Z0-9-]+")


# --- pure decisions ----------------------------------------------------------------------------------


def model_name(group: str, version: int | str, digest: str) -> str:
    """Deterministic: one model per promoted package and content."""
    tail = f"-{version}-{digest[:8]}"
    head = _NAME_OK.sub("-", group).strip("-")[: 63 - len(tail)].rstrip("-")
    return f"{head}{tail}"


def config_name(endpoint: str, digest: str, now: datetime) -> str:
    """A new configuration every time (an endpoint configuration cannot change)."""
    tail = f"-{digest[:8]}-{now:%Y%m%d%H%M%S}"
    return f"{endpoint[: 63 - len(tail)].rstrip('-')}{tail}"


def production_variant(config: Mapping[str, Any]) -> dict[str, Any]:
    variants = config.get("ProductionVariants", [])
    if len(variants) != 1:
        raise UsageError(
            f"endpoint configuration {config.get('EndpointConfigName')} has {len(variants)} production variants; "
            "promote_model updates an endpoint with exactly one"
        )
    return dict(variants[0])


def shadow_weight(production: Mapping[str, Any], sampling: int) -> float:
    """A shadow variant gets (its weight / production's weight) of production's requests."""
    return round(float(production.get("InitialVariantWeight", 1.0)) * sampling / 100, 6)


def cloned_config(
    current: Mapping[str, Any],
    shape: StructureShape,
    name: str,
    *,
    model: str,
    mode: str,
    sampling: int | None,
    tags: list[dict[str, str]],
) -> dict[str, Any]:
    """CreateEndpointConfig arguments: the current configuration with the new model in place."""
    clone = input_only(shape, {k: v for k, v in current.items() if k not in ("EndpointConfigName", "Tags")})
    if not (clone.get("DataCaptureConfig") or {}).get("DestinationS3Uri"):
        clone.pop("DataCaptureConfig", None)  # moto answers {} for none
    production = production_variant(current)
    if mode == "production":
        clone["ProductionVariants"] = [
            input_only(shape.members["ProductionVariants"].member, {**production, "ModelName": model})
        ]
        clone.pop("ShadowProductionVariants", None)  # the shadow test ends when production changes
    else:
        shadow = {k: v for k, v in production.items() if k not in ("VariantName", "ModelName", "InitialVariantWeight")}
        clone["ShadowProductionVariants"] = [
            input_only(
                shape.members["ShadowProductionVariants"].member,
                {
                    **shadow,
                    "VariantName": SHADOW_VARIANT,
                    "ModelName": model,
                    "InitialVariantWeight": shadow_weight(production, sampling or 0),
                },
            )
        ]
    return {**clone, "EndpointConfigName": name, "Tags": tags}


def already_serving(current: Mapping[str, Any], model: str, mode: str, sampling: int | None) -> bool:
    production = production_variant(current)
    if mode == "production":
        return production.get("ModelName") == model
    return any(
        v.get("ModelName") == model
        and abs(float(v.get("InitialVariantWeight", 1.0)) - shadow_weight(production, sampling or 0)) < 1e-9
        for v in current.get("ShadowProductionVariants", [])
    )


# --- plan and apply ----------------------------------------------------------------------------------


@dataclass
class EndpointPlan:
    endpoint: str
    endpoint_source: str
    mode: str
    sampling: int | None
    previous_config: str
    model: str
    model_exists: bool
    create_model: dict[str, Any]
    config: str
    create_config: dict[str, Any]
    noop: bool
    result: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        variants = self.create_config.get("ProductionVariants", [])
        shadows = self.create_config.get("ShadowProductionVariants", [])
        return {
            "endpoint": self.endpoint,
            "endpoint_from": self.endpoint_source,
            "as": self.mode,
            "shadow_sampling": self.sampling,
            "previous_config": self.previous_config,
            "model": self.model,
            "model_action": "present" if self.model_exists else "create",
            "config": None if self.noop else self.config,
            "production_models": [v.get("ModelName") for v in variants],
            "shadow_models": [v.get("ModelName") for v in shadows],
            "action": "none (already serving)" if self.noop else "update",
            **self.result,
        }


def _describe_or_usage(call: Callable[[], dict[str, Any]], what: str) -> dict[str, Any]:
    try:
        return call()
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", "")
        if "Could not find" in message or "does not exist" in message:
            raise UsageError(f"{what} does not exist in the target account") from None
        raise


def plan_endpoint(
    sm: Client,
    *,
    endpoint: str,
    endpoint_source: str,
    package_arn: str,
    group: str,
    version: int | str,
    digest: str,
    mode: str,
    sampling: int | None,
    network: Callable[[], dict[str, Any]],
    now: datetime | None = None,
) -> EndpointPlan:
    described = _describe_or_usage(lambda: sm.describe_endpoint(EndpointName=endpoint), f"endpoint {endpoint!r}")
    if described.get("EndpointStatus") != "InService":
        raise Refused(f"endpoint {endpoint} is {described.get('EndpointStatus')}; it must be InService to be updated")
    current = sm.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    production = production_variant(current)
    serving = _describe_or_usage(
        lambda: sm.describe_model(ModelName=production["ModelName"]), f"model {production['ModelName']!r}"
    )
    name = model_name(group, version, digest)
    tags = [{"Key": TAG_PACKAGE, "Value": package_arn}]
    serverless = bool(production.get("ServerlessConfig"))
    create_model: dict[str, Any] = {
        "ModelName": name,
        "ExecutionRoleArn": serving["ExecutionRoleArn"],
        "PrimaryContainer": {"ModelPackageName": package_arn},
        "EnableNetworkIsolation": bool(serving.get("EnableNetworkIsolation", False)),
        "Tags": tags + ([{"Key": TAG_INFERENCE, "Value": "serverless"}] if serverless else []),
    }
    if not serverless:
        create_model["VpcConfig"] = network()
    model_exists = False
    try:
        existing = sm.describe_model(ModelName=name)
    except ClientError as exc:
        if "Could not find" not in exc.response.get("Error", {}).get("Message", ""):
            raise
    else:
        containers = [existing.get("PrimaryContainer") or {}, *existing.get("Containers", [])]
        if not any(c.get("ModelPackageName") == package_arn for c in containers):
            raise Refused(f"model {name} already exists in the target and does not serve {package_arn}")
        model_exists = True
    config = config_name(endpoint, digest, now or datetime.now(UTC))
    create_shape = sm.meta.service_model.operation_model("CreateEndpointConfig").input_shape
    return EndpointPlan(
        endpoint=endpoint,
        endpoint_source=endpoint_source,
        mode=mode,
        sampling=sampling,
        previous_config=described["EndpointConfigName"],
        model=name,
        model_exists=model_exists,
        create_model=create_model,
        config=config,
        create_config=cloned_config(current, create_shape, config, model=name, mode=mode, sampling=sampling, tags=tags),
        noop=already_serving(current, name, mode, sampling),
    )


def update_arguments(plan: EndpointPlan) -> dict[str, Any]:
    """UpdateEndpoint's arguments. Instance counts are kept as they are now (autoscaling may have
    moved them away from the configuration's initial count; AWS allows a model change on an autoscaled
    variant), while weights come from the new configuration (a new shadow sampling takes effect)."""
    return {
        "EndpointName": plan.endpoint,
        "EndpointConfigName": plan.config,
        "RetainAllVariantProperties": True,
        "ExcludeRetainedVariantProperties": [{"VariantPropertyType": "DesiredWeight"}],
    }


def apply_endpoint(
    sm: Client,
    plan: EndpointPlan,
    wait_delay: int = 30,
    wait_attempts: int = 120,
    say: Callable[[str], None] = lambda _m: None,
) -> None:
    """Create the model and configuration, then UpdateEndpoint and wait for InService. Until
    UpdateEndpoint is accepted, a failure removes what this run created."""
    if plan.noop:
        plan.result = {"status": "unchanged"}
        return
    created_model = created_config = False
    try:
        if not plan.model_exists:
            sm.create_model(**plan.create_model)
            created_model = True
        sm.create_endpoint_config(**plan.create_config)
        created_config = True
        sm.update_endpoint(**update_arguments(plan))
    except BaseException:
        if created_config:
            with contextlib.suppress(Exception):
                sm.delete_endpoint_config(EndpointConfigName=plan.config)
        if created_model:
            with contextlib.suppress(Exception):
                sm.delete_model(ModelName=plan.model)
        raise
    say(f"endpoint {plan.endpoint}: updating to {plan.config} (blue/green); waiting for InService")
    with contextlib.suppress(WaiterError):  # the answer below says what happened
        sm.get_waiter("endpoint_in_service").wait(
            EndpointName=plan.endpoint, WaiterConfig={"Delay": wait_delay, "MaxAttempts": wait_attempts}
        )
    final = sm.describe_endpoint(EndpointName=plan.endpoint)
    if final.get("EndpointStatus") != "InService" or final.get("EndpointConfigName") != plan.config:
        reason = (
            final.get("FailureReason")
            or f"status {final.get('EndpointStatus')}, config {final.get('EndpointConfigName')}"
        )
        raise PromotionFailed(f"endpoint {plan.endpoint} did not move to {plan.config}: {reason}")
    plan.result = {"status": final["EndpointStatus"]}
