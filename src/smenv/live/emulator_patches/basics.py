"""KMS, EC2 security group rules, Lambda and S3: what the network, kms, buckets and enforcer modules meet."""

from __future__ import annotations

from smenv.live.emulator_patches import patch


@patch(
    gap="`GetKeyRotationStatus` has no `RotationPeriodInDays`",
    effect="every plan shows `rotation_period_in_days 0 -> 365`",
)
def kms_rotation_period() -> None:
    """GetKeyRotationStatus lacks RotationPeriodInDays: Terraform would plan `0 -> 365` on every run."""
    import json

    from moto.kms.responses import KmsResponse

    enable, status = KmsResponse.enable_key_rotation, KmsResponse.get_key_rotation_status

    def key_of(response: KmsResponse):
        backend = response.kms_backend
        return backend.keys[backend.get_key_id(response._get_param("KeyId"))]

    def enable_key_rotation(self: KmsResponse) -> str:
        result = enable(self)
        key_of(self).rotation_period_in_days = self._get_param("RotationPeriodInDays") or 365
        return result

    def get_key_rotation_status(self: KmsResponse) -> str:
        answer = json.loads(status(self))
        if answer.get("KeyRotationEnabled"):
            answer["RotationPeriodInDays"] = getattr(key_of(self), "rotation_period_in_days", 365)
        return json.dumps(answer)

    KmsResponse.enable_key_rotation = enable_key_rotation
    KmsResponse.get_key_rotation_status = get_key_rotation_status


@patch(
    gap="a rule naming a security group or prefix list loses its `Description`; `ModifySecurityGroupRules` "
    "wants ports for protocol `-1`",
    effect="a description change planned every run, and failing to apply",
)
def security_group_rule_descriptions() -> None:
    """A rule that names a security group or prefix list loses its Description in
    DescribeSecurityGroupRules, and ModifySecurityGroupRules insists on ports for protocol -1:
    Terraform then plans a description change on every run and fails to apply it."""
    from moto.ec2.models.security_groups import SecurityGroupBackend, SecurityGroupRule

    init = SecurityGroupRule.__init__
    modify = SecurityGroupBackend.modify_security_group_rules

    def __init__(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        prefix_list = kwargs.get("prefix_list_id", args[7] if len(args) > 7 else None)
        self._peer_description = (self.source_group or {}).get("Description") or (prefix_list or {}).get("Description")

    def description(self) -> str | None:
        return self.ip_range.get("Description") or getattr(self, "_peer_description", None)

    def modify_security_group_rules(self, group_id: str, rules: dict) -> None:
        for rule in rules.values():
            if str(rule.get("IpProtocol")) in ("-1", "all") and rule.get("FromPort") is None:
                rule["FromPort"] = rule["ToPort"] = -1
        modify(self, group_id, rules)

    SecurityGroupRule.__init__ = __init__
    SecurityGroupRule.description = property(description)
    SecurityGroupBackend.modify_security_group_rules = modify_security_group_rules


@patch(
    gap="`GetFunction` never returns `DeadLetterConfig`",
    effect="the enforcer's dead-letter queue planned again every run",
)
def lambda_dead_letter_config() -> None:
    """CreateFunction drops DeadLetterConfig and GetFunction never returns it: Terraform would
    plan to add the function's dead-letter queue on every run."""
    from moto.awslambda.models import LambdaFunction

    init, configuration, update = (
        LambdaFunction.__init__,
        LambdaFunction.get_configuration,
        LambdaFunction.update_configuration,
    )

    def __init__(self, account_id, spec, *args, **kwargs) -> None:
        init(self, account_id, spec, *args, **kwargs)
        self.dead_letter_config = spec.get("DeadLetterConfig") or None

    def get_configuration(self, *args, **kwargs):
        config = configuration(self, *args, **kwargs)
        if getattr(self, "dead_letter_config", None):
            config["DeadLetterConfig"] = self.dead_letter_config
        return config

    def update_configuration(self, config_updates):
        if "DeadLetterConfig" in config_updates:
            self.dead_letter_config = config_updates["DeadLetterConfig"] or None
        return update(self, config_updates)

    LambdaFunction.__init__ = __init__
    LambdaFunction.get_configuration = get_configuration
    LambdaFunction.update_configuration = update_configuration


@patch(
    gap="`GetBucketNotificationConfiguration` drops `EventBridgeConfiguration`",
    effect="EventBridge notifications planned again on every bucket",
)
def s3_eventbridge_notifications() -> None:
    """GetBucketNotificationConfiguration drops EventBridgeConfiguration: Terraform would plan to
    turn EventBridge notifications on for every bucket on every run."""
    from moto.core.common_types import TYPE_RESPONSE
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification

    def get_bucket_notification(self: S3Response) -> TYPE_RESPONSE:
        config = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if not config or config.event_bridge is None or config.topic or config.queue or config.cloud_function:
            return original(self)
        from moto.core.responses import ActionResult

        self.data["Action"] = "GetBucketNotificationConfiguration"
        return self.serialized(ActionResult({"EventBridgeConfiguration": {}}))

    S3Response.get_bucket_notification = get_bucket_notification
