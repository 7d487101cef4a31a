"""Upsert and start a team's pipeline: everything is read first (`plan`), then written (`apply`, `start`).

`plan` only reads: the team's model package group exists (DescribeModelPackageGroup), which code
objects are already in the model bucket (HeadObject), whether the pipeline exists and with what
definition and role (DescribePipeline). `apply` uploads the missing code objects (PutObject, SSE-KMS
under the models key), then CreatePipeline or UpdatePipeline (definition inline; nothing when the
pipeline is already the same); when a call fails, the object versions this run uploaded are deleted
again. `start` is StartPipelineExecution, then DescribePipelineExecution. Every call goes through the
clients given (botocore standard retries, src/smenv/core/awsutil.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from smenv.core.awsutil import describe_error
from smenv.core.project import UsageError
from smenv.pipelines import PipelineFailed
from smenv.pipelines.code import CodeObject
from smenv.pipelines.contract import Contract

NOT_FOUND = {"404", "NoSuchKey", "NotFound", "ResourceNotFound"}


@dataclass(frozen=True)
class Upload:
    key: str
    present: bool  # already in the bucket: same name, same content
    body: bytes = field(repr=False, default=b"")


@dataclass
class Plan:
    """What an upsert would do."""

    pipeline: str
    definition: dict[str, Any]
    contract: Contract
    uploads: list[Upload]
    action: str  # create | update | unchanged
    arn: str | None = None  # the existing pipeline's

    def calls(self) -> list[dict[str, Any]]:
        """The write calls apply makes, in order, as {"operation": name, **arguments} (for --dry-run)."""
        c = self.contract
        sent: list[dict[str, Any]] = [
            {
                "operation": "PutObject",
                "Bucket": c.model_bucket,
                "Key": u.key,
                "ServerSideEncryption": "aws:kms",
                "SSEKMSKeyId": c.keys["models"],
            }
            for u in self.uploads
            if not u.present
        ]
        if self.action != "unchanged":
            sent.append({"operation": f"{self.action.title()}Pipeline", **self.arguments()})
        return sent

    def arguments(self) -> dict[str, Any]:
        """CreatePipeline's (UpdatePipeline's: no Tags) arguments, the definition as a JSON string."""
        c = self.contract
        arguments = {
            "PipelineName": self.pipeline,
            "PipelineDefinition": json.dumps(self.definition, sort_keys=True),
            "PipelineDescription": f"team {c.team}'s pipeline, rendered from the contract under {c.prefix}",
            "RoleArn": c.role_arn,
        }
        return arguments | ({"Tags": [{"Key": "team", "Value": c.team}]} if self.action == "create" else {})


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code", "") in NOT_FOUND


def plan(
    sm, s3, *, contract: Contract, pipeline: str, definition: dict[str, Any], objects: list[CodeObject], key_prefix: str
) -> Plan:
    """What an upsert would do; reads only. UsageError when the team's model package group is missing."""
    group = contract.model_package_group
    try:
        sm.describe_model_package_group(ModelPackageGroupName=group)
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", "")
        if _missing(exc) or "does not exist" in message:  # AWS: ValidationException "... does not exist."
            raise UsageError(
                f"the model package group {group} (teams/{contract.team}/model_package_group) does not exist"
            ) from None
        raise
    uploads = []
    for obj in objects:
        try:
            s3.head_object(Bucket=contract.model_bucket, Key=key_prefix + obj.name)
            present = True
        except ClientError as exc:
            if not _missing(exc):
                raise
            present = False
        uploads.append(Upload(key_prefix + obj.name, present, obj.body))
    try:
        existing: dict[str, Any] | None = sm.describe_pipeline(PipelineName=pipeline)
    except ClientError as exc:
        if not _missing(exc):
            raise
        existing = None
    action = "create"
    if existing is not None:
        same = (
            json.loads(existing.get("PipelineDefinition") or "{}") == definition
            and existing.get("RoleArn") == contract.role_arn
        )
        action = "unchanged" if same else "update"
    arn = existing.get("PipelineArn") if existing else None
    return Plan(pipeline, definition, contract, uploads, action, arn)


def apply(sm, s3, p: Plan, say: Callable[[str], None]) -> str:
    """Upload the missing code, then create or update the pipeline; its ARN. On a failed call, the
    object versions this run uploaded are deleted again (PipelineFailed, naming any left behind)."""
    bucket, key_arn = p.contract.model_bucket, p.contract.keys["models"]
    uploaded: list[tuple[str, str | None]] = []  # (key, version id)
    try:
        for upload in (u for u in p.uploads if not u.present):
            answer = s3.put_object(
                Bucket=bucket, Key=upload.key, Body=upload.body, ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn
            )
            uploaded.append((upload.key, answer.get("VersionId")))
            say(f"uploaded s3://{bucket}/{upload.key}")
        if p.action == "create":
            return sm.create_pipeline(**p.arguments())["PipelineArn"]
        if p.action == "update":
            return sm.update_pipeline(**p.arguments())["PipelineArn"]
        return str(p.arn)
    except (ClientError, BotoCoreError) as exc:
        left = _remove(s3, bucket, uploaded)
        undone = f"; removed the {len(uploaded)} code object(s) this run uploaded" if uploaded and not left else ""
        kept = f"; could not remove {', '.join(left)}" if left else ""
        raise PipelineFailed(f"{describe_error(exc)}{undone}{kept}") from exc


def _remove(s3, bucket: str, uploaded: list[tuple[str, str | None]]) -> list[str]:
    """Delete each uploaded version (the version itself: no delete marker left); the URIs that stayed."""
    left = []
    for key, version in uploaded:
        try:
            s3.delete_object(Bucket=bucket, Key=key, **({"VersionId": version} if version else {}))
        except (ClientError, BotoCoreError):
            left.append(f"s3://{bucket}/{key}")
    return left


def start(sm, pipeline: str, overrides: Mapping[str, str]) -> dict[str, str]:
    """StartPipelineExecution with the overrides as PipelineParameters (botocore fills the
    ClientRequestToken, so a retried call is the same start); {"arn", "status"} of the execution."""
    arguments: dict[str, Any] = {"PipelineName": pipeline}
    if overrides:
        arguments["PipelineParameters"] = [{"Name": k, "Value": v} for k, v in sorted(overrides.items())]
    arn = sm.start_pipeline_execution(**arguments)["PipelineExecutionArn"]
    status = sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]
    return {"arn": arn, "status": status}
