"""The model registry on both sides: the source package, and its promoted twin in the target group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from botocore.exceptions import ClientError

from smenv.core.awsutil import Client
from smenv.core.project import UsageError
from smenv.promotion import Refused
from smenv.promotion.arns import ModelPackageArn, parse_s3_uri
from smenv.promotion.plan import ExistingPackage
from smenv.promotion.shapes import input_only

# Provenance kept from the source package. Fields naming S3 objects in the source account
# (ModelMetrics, DriftCheckBaselines, SamplePayloadUrl) are left out: the target cannot read them.
_KEPT = ("Domain", "Task", "MetadataProperties")


def _missing(exc: ClientError) -> bool:
    message = exc.response.get("Error", {}).get("Message", "").lower()
    return exc.response.get("Error", {}).get("Code") in ("ValidationException", "ResourceNotFound") and (
        "not found" in message or "does not exist" in message or "could not find" in message
    )


def describe_source(sm: Client, source: ModelPackageArn) -> dict[str, Any]:
    try:
        # DescribeModelPackage's answer: a JSON object (field name: value).
        return cast(dict[str, Any], sm.describe_model_package(ModelPackageName=source.arn))
    except ClientError as exc:
        if _missing(exc):
            raise UsageError(
                f"model package {source.arn} does not exist (or is not visible to the source credentials)"
            ) from None
        raise


def check_approved(package: Mapping[str, Any], arn: str) -> None:
    status = package.get("ModelApprovalStatus", "PendingManualApproval")
    if status != "Approved":
        raise Refused(f"{arn} is {status}, not Approved: only an approved model package is promoted")


def source_artifacts(package: Mapping[str, Any], arn: str) -> list[tuple[int, str, str]]:
    """(container index, bucket, key) of every container's ModelDataUrl. A container that names other
    data (AdditionalS3DataSource, AdditionalModelDataSources, a ModelDataSource elsewhere than its
    ModelDataUrl) is not supported: that data would be neither copied nor verified, and the promoted
    package would still read it from the source account."""
    if package.get("AdditionalInferenceSpecifications"):
        raise UsageError(
            f"{arn} has AdditionalInferenceSpecifications: promote_model copies only the main one; not supported"
        )
    containers = package.get("InferenceSpecification", {}).get("Containers", [])
    if not containers:
        raise UsageError(f"{arn} has no InferenceSpecification containers: nothing to promote")
    found: list[tuple[int, str, str]] = []
    for index, container in enumerate(containers):
        for extra in ("AdditionalS3DataSource", "AdditionalModelDataSources"):
            if container.get(extra):
                raise UsageError(
                    f"{arn} container {index} has {extra}: promote_model copies ModelDataUrl objects only, and the "
                    "promoted package would read that data from the source account; not supported"
                )
        if container.get("ModelDataSource") and not container.get("ModelDataUrl"):
            raise UsageError(
                f"{arn} container {index} uses ModelDataSource (an S3 prefix); promote_model copies ModelDataUrl objects only"
            )
        s3_source = (container.get("ModelDataSource") or {}).get("S3DataSource") or {}
        if s3_source and (s3_source.get("S3Uri") != container.get("ModelDataUrl") or s3_source.get("ManifestS3Uri")):
            raise UsageError(
                f"{arn} container {index} has a ModelDataSource naming another location than its ModelDataUrl; "
                "promote_model copies ModelDataUrl objects only"
            )
        if container.get("ModelDataUrl"):
            bucket, key = parse_s3_uri(container["ModelDataUrl"], f"{arn} container {index} ModelDataUrl")
            found.append((index, bucket, key))
    return found


def check_group(sm: Client, group: str) -> None:
    """The target group must exist: Terraform owns it, promote_model never creates one."""
    try:
        sm.describe_model_package_group(ModelPackageGroupName=group)
    except ClientError as exc:
        if _missing(exc):
            raise UsageError(
                f"model package group {group!r} does not exist in the target account "
                "(Terraform creates it; promote_model does not)"
            ) from None
        raise


def existing_packages(sm: Client, group: str) -> list[ExistingPackage]:
    """Every package in the target group, with its metadata (ListModelPackages does not return it)."""
    found: list[ExistingPackage] = []
    paginator = sm.get_paginator("list_model_packages")
    for page in paginator.paginate(ModelPackageGroupName=group, ModelPackageType="Versioned"):
        for summary in page["ModelPackageSummaryList"]:
            described = sm.describe_model_package(ModelPackageName=summary["ModelPackageArn"])
            found.append(
                ExistingPackage(
                    arn=summary["ModelPackageArn"],
                    status=described.get("ModelApprovalStatus", "PendingManualApproval"),
                    metadata=described.get("CustomerMetadataProperties", {}),
                )
            )
    return found


def package_status(sm: Client, arn: str) -> str:
    return str(sm.describe_model_package(ModelPackageName=arn).get("ModelApprovalStatus", "PendingManualApproval"))


def register(
    sm: Client,
    group: str,
    *,
    source: Mapping[str, Any],
    source_arn: str,
    specification: dict[str, Any],
    status: str,
    metadata: dict[str, str],
) -> str:
    description = f"Promoted from {source_arn}. {source.get('ModelPackageDescription', '')}".strip()[:1024]
    shape = sm.meta.service_model.operation_model("CreateModelPackage").input_shape
    kept = {field: input_only(shape.members[field], source[field]) for field in _KEPT if source.get(field)}
    answer = sm.create_model_package(
        ModelPackageGroupName=group,
        ModelPackageDescription=description,
        InferenceSpecification=input_only(shape.members["InferenceSpecification"], specification),
        ModelApprovalStatus=status,
        CustomerMetadataProperties=metadata,
        **kept,
    )
    return str(answer["ModelPackageArn"])
