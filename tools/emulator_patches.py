"""Gaps in moto 5.2.5 that Terraform runs into, each filled as narrowly as possible.

A patch here makes the emulator answer a call it does not implement (or answers wrongly); it never
changes what the modules ask for. Each has a test in tests/emulator/test_emulator_patches.py.
"""

from __future__ import annotations

from collections.abc import Callable

PATCHES: list[Callable[[], None]] = []


def patch(func: Callable[[], None]) -> Callable[[], None]:
    PATCHES.append(func)
    return func


def apply_all() -> None:
    for func in PATCHES:
        func()


@patch
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
