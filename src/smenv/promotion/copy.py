"""Server-side copies into the target's model bucket: CopyObject, or UploadPartCopy in parallel.

Nothing is downloaded. Every copy is SSE-KMS with the target's models key (BucketKeyEnabled), reads
exactly the source version that was planned (VersionId and CopySourceIfMatch on every request) and is
verified (plan.verify) before it counts. A copy that fails or does not verify is removed: an
unfinished multipart upload is aborted, a finished object is deleted (its version, in a versioned
bucket), so the target is left as it was.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, cast

from botocore.exceptions import ClientError

from smenv.core.awsutil import Client
from smenv.promotion import PromotionFailed, Refused
from smenv.promotion.plan import (
    ArtifactPlan,
    Checksum,
    CopyResult,
    Part,
    SourceObject,
    checksum_from_head,
    source_object,
    strip_etag,
    verify,
)
from smenv.promotion.progress import NoProgress, Progress

ProgressFactory = Callable[[str, int], Progress]


def no_progress(_label: str, _total: int) -> Progress:
    return NoProgress()


def head_source(s3: Client, container: int, bucket: str, key: str) -> SourceObject:
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    return source_object(container, bucket, key, head)


def head_target(s3: Client, bucket: str, key: str) -> dict[str, Any] | None:
    try:
        # HeadObject's answer: a JSON object (field name: value).
        return cast(dict[str, Any], s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED"))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def _encryption(kms_key_arn: str) -> dict[str, Any]:
    return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_arn, "BucketKeyEnabled": True}


def _version_id(answer: Mapping[str, Any]) -> str | None:
    """The VersionId an S3 write answers with (absent where the bucket keeps no versions)."""
    version = answer.get("VersionId")
    return None if version is None else str(version)


def _if_match(plan: ArtifactPlan) -> str:
    return f'"{plan.source.etag}"'


@dataclass
class Copied:
    plan: ArtifactPlan
    action: str  # copied | present
    verified_by: str
    version_id: str | None
    seconds: float
    etag: str = ""  # the copy's ETag, registered as its ModelDataETag
    checksum: Checksum | None = None  # the copy's checksum as S3 reports it

    def describe(self) -> dict[str, Any]:
        return {
            **self.plan.describe(),
            "action": self.action,
            "verified_by": self.verified_by,
            "seconds": round(self.seconds, 3),
        }


def copy_single(s3: Client, plan: ArtifactPlan, kms_key_arn: str) -> str | None:
    answer = s3.copy_object(
        Bucket=plan.target_bucket,
        Key=plan.target_key,
        CopySource=plan.source.copy_source,
        CopySourceIfMatch=_if_match(plan),
        MetadataDirective="COPY",
        TaggingDirective="REPLACE",  # no tags: the copy needs no s3:GetObjectTagging on the source
        ChecksumAlgorithm=plan.checksum_algorithm,
        **_encryption(kms_key_arn),
    )
    return _version_id(answer)


def copy_multipart(
    s3: Client, plan: ArtifactPlan, kms_key_arn: str, concurrency: int, progress: Progress
) -> tuple[str | None, CopyResult]:
    """Parallel UploadPartCopy; the upload is aborted when any part fails (or on Ctrl-C)."""
    extra = {"ChecksumType": plan.checksum_type} if plan.checksum_type else {}
    upload = s3.create_multipart_upload(
        Bucket=plan.target_bucket,
        Key=plan.target_key,
        ChecksumAlgorithm=plan.checksum_algorithm,
        **extra,
        **_encryption(kms_key_arn),
    )
    upload_id = upload["UploadId"]
    checksum_field = f"Checksum{plan.checksum_algorithm}"
    stop = threading.Event()

    def copy_part(part: Part) -> dict[str, Any]:
        if stop.is_set():
            raise RuntimeError("cancelled")
        answer = s3.upload_part_copy(
            Bucket=plan.target_bucket,
            Key=plan.target_key,
            UploadId=upload_id,
            PartNumber=part.number,
            CopySource=plan.source.copy_source,
            CopySourceRange=f"bytes={part.start}-{part.end}",
            CopySourceIfMatch=_if_match(plan),
        )["CopyPartResult"]
        progress.add(part.size)
        completed: dict[str, Any] = {"PartNumber": part.number, "ETag": answer["ETag"]}
        if answer.get(checksum_field):
            completed[checksum_field] = answer[checksum_field]
        return completed

    try:
        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="part-copy")
        try:
            futures = [pool.submit(copy_part, part) for part in plan.parts]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = next((f for f in done if f.exception() is not None), None)
            if failed is not None:
                stop.set()
                raise failed.exception()  # type: ignore[misc]
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)  # no part still running when we abort
        parts = sorted((f.result() for f in futures), key=lambda p: p["PartNumber"])
        complete_extra: dict[str, Any] = {}
        src = plan.source.checksum
        if plan.checksum_type == "FULL_OBJECT" and src is not None:
            # S3 checks the whole object against the source's checksum before it completes.
            complete_extra = {
                "ChecksumType": "FULL_OBJECT",
                checksum_field: src.value,
                "MpuObjectSize": plan.source.size,
            }
        answer = s3.complete_multipart_upload(
            Bucket=plan.target_bucket,
            Key=plan.target_key,
            UploadId=upload_id,
            MultipartUpload={"Parts": parts},
            **complete_extra,
        )
    except BaseException:
        with contextlib.suppress(Exception):
            s3.abort_multipart_upload(Bucket=plan.target_bucket, Key=plan.target_key, UploadId=upload_id)
        raise
    result = CopyResult(
        part_etags=[p["ETag"] for p in parts],
        part_checksums=[p[checksum_field] for p in parts if checksum_field in p],
    )
    return _version_id(answer), result


def delete_copy(s3: Client, bucket: str, key: str, version_id: str | None) -> None:
    """Remove what this run created: the version itself where the bucket keeps versions."""
    if version_id and version_id != "null":
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version_id)
    else:
        s3.delete_object(Bucket=bucket, Key=key)


def copy_artifact(
    s3: Client, plan: ArtifactPlan, kms_key_arn: str, concurrency: int, progress: ProgressFactory = no_progress
) -> Copied:
    """Copy one artifact (or find it already there, verified) and verify the copy."""
    started = time.monotonic()
    existing = head_target(s3, plan.target_bucket, plan.target_key)
    if existing is not None:
        try:
            verified_by = verify(plan, existing, kms_key_arn, None)
        except ValueError as exc:
            raise Refused(f"{plan.target_uri} already exists and is not this artifact: {exc}") from None
        return Copied(
            plan,
            "present",
            verified_by,
            existing.get("VersionId"),
            time.monotonic() - started,
            strip_etag(existing.get("ETag", "")),
            checksum_from_head(existing),
        )

    result: CopyResult | None = None
    if plan.multipart:
        bar = progress(plan.target_key.rsplit("/", 1)[-1], plan.source.size)
        try:
            version_id, result = copy_multipart(s3, plan, kms_key_arn, concurrency, bar)
        finally:
            bar.close()
    else:
        version_id = copy_single(s3, plan, kms_key_arn)
    try:
        head = s3.head_object(Bucket=plan.target_bucket, Key=plan.target_key, ChecksumMode="ENABLED")
        verified_by = verify(plan, head, kms_key_arn, result)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            delete_copy(s3, plan.target_bucket, plan.target_key, version_id)
        if isinstance(exc, ValueError):
            raise PromotionFailed(f"copy of {plan.source.uri} did not verify: {exc}") from None
        raise
    return Copied(
        plan,
        "copied",
        verified_by,
        version_id,
        time.monotonic() - started,
        strip_etag(head.get("ETag", "")),
        checksum_from_head(head),
    )
