"""What several patches share: installing a replacement once, adding moto operations, the
SageMaker resources the patches keep beside moto's backend."""

from __future__ import annotations

from collections.abc import Callable


def _install(owner: object, name: str, make: Callable) -> None:
    """Wrap owner.name with make(current), once per patch: two patches may wrap the same method."""
    current = getattr(owner, name, None)
    applied: frozenset[str] = getattr(current, "_smenv_patches", frozenset())
    if make.__qualname__ in applied:
        return
    replacement = make(current)
    replacement._smenv_patches = applied | {make.__qualname__}
    setattr(owner, name, replacement)


def _add_operations(owner: object, patch_name: str, operations: list[Callable]) -> None:
    """Give owner each operation (named as moto dispatches it: CreateFirewallRule -> create_firewall_rule)."""
    for operation in operations:

        def make(_missing, operation=operation):
            return operation

        make.__qualname__ = f"{patch_name}.{operation.__name__}"
        _install(owner, operation.__name__, make)


class _SageMakerResource:
    """One resource the patch keeps: its Describe* answer and its tags (ListTags, AddTags)."""

    def __init__(self, answer: dict, tags: list | None) -> None:
        self.answer = answer
        self.tags = list(tags or [])


_SAGEMAKER_KINDS = {
    # kind (the ARN's resource type): (name parameter, status field, running, stopping, stopped)
    "monitoring-schedule": (
        "MonitoringScheduleName",
        "MonitoringScheduleStatus",
        ("Pending", "Scheduled"),
        "Stopped",
        "Stopped",
    ),
    "optimization-job": (
        "OptimizationJobName",
        "OptimizationJobStatus",
        ("INPROGRESS", "STARTING"),
        "STOPPING",
        "STOPPED",
    ),
    "labeling-job": ("LabelingJobName", "LabelingJobStatus", ("InProgress", "Initializing"), "Stopping", "Stopped"),
    "inference-recommendations-job": ("JobName", "Status", ("IN_PROGRESS", "PENDING"), "STOPPING", "STOPPED"),
}


def _sagemaker_kept(response) -> dict[str, dict[str, _SageMakerResource]]:
    backend = response.sagemaker_backend
    if not hasattr(backend, "smenv_resources"):
        backend.smenv_resources = {kind: {} for kind in (*_SAGEMAKER_KINDS, "app")}
    return backend.smenv_resources


def _sagemaker_arn(response, kind: str, name: str) -> str:
    from moto.sagemaker.utils import arn_formatter

    backend = response.sagemaker_backend
    return arn_formatter(kind, name, backend.account_id, backend.region_name)


def _studio_kept(response_or_backend) -> dict[str, dict]:
    backend = getattr(response_or_backend, "sagemaker_backend", response_or_backend)
    if not hasattr(backend, "smenv_studio"):
        backend.smenv_studio = {"user-profile": {}, "space": {}, "studio-lifecycle-config": {}}
    return backend.smenv_studio
