"""Parse and check what the tool is given (model package ARN, role ARN) and finds (S3 URIs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from smenv.core.project import UsageError

_PACKAGE = re.compile(
    r"^arn:(?P<partition>aws(?:-cn|-us-gov)?):sagemaker:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):(?P<account>\d{12}):"
    r"model-package/(?P<group>[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})/(?P<version>[1-9]\d{0,9})$"
)
_ROLE = re.compile(r"^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_S3 = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>.+)$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_KMS_KEY = re.compile(r"^arn:aws(?:-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key/[a-zA-Z0-9-]+$")


@dataclass(frozen=True)
class ModelPackageArn:
    arn: str
    partition: str
    region: str
    account: str
    group: str
    version: int


def parse_model_package_arn(arn: str) -> ModelPackageArn:
    """A versioned model package ARN: arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>."""
    match = _PACKAGE.match(arn.strip())
    if not match:
        raise UsageError(
            f"--model-package-arn {arn!r} is not a versioned model package ARN "
            "(arn:aws:sagemaker:<region>:<12 digits>:model-package/<group>/<version>)"
        )
    return ModelPackageArn(
        arn=arn.strip(),
        partition=match["partition"],
        region=match["region"],
        account=match["account"],
        group=match["group"],
        version=int(match["version"]),
    )


def check_role_arn(arn: str, flag: str) -> str:
    if not _ROLE.match(arn):
        raise UsageError(f"{flag} {arn!r} is not an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)")
    return arn


def check_bucket(name: str, flag: str) -> str:
    if not _BUCKET.match(name):
        raise UsageError(f"{flag} {name!r} is not an S3 bucket name")
    return name


def check_kms_key_arn(arn: str, flag: str) -> str:
    """The models key as a key ARN (not an alias: the copy is checked against the key S3 reports)."""
    if not _KMS_KEY.match(arn):
        raise UsageError(f"{flag} {arn!r} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)")
    return arn


def parse_s3_uri(uri: str, where: str) -> tuple[str, str]:
    """(bucket, key) of an s3://bucket/key URI; where names the field for the error."""
    match = _S3.match(uri)
    if not match:
        raise UsageError(f"{where}: {uri!r} is not an s3://bucket/key URI")
    return match["bucket"], match["key"]
