"""Is the source still what was approved? Every fact a package records about its artifacts and images
is checked against the source as it is now, before anything is copied.

A principal who may write the source model bucket (a data scientist in dev) could replace the object a
package's ModelDataUrl names after the package was approved, and promote_model would copy those bytes
into staging and prod. So, per container with a ModelDataUrl, what the package recorded is compared
with the object S3 reports now: the HeadObject of its current version, which is the version the copy
then reads (src/smenv/promotion/copy.py pins it with VersionId and CopySourceIfMatch on its ETag).

1. ETag. The container's ``ModelDataETag`` ("The ETag associated with Model Data URL", SageMaker API
   reference, ModelPackageContainerDefinition) and, when its ``ModelDataSource.S3DataSource`` names the
   same object, that source's ``ETag`` (S3ModelDataSource). Every ETag recorded must equal the object's.
2. Else the SHA-256 of the artifact's bytes, as 64 hex digits, in the package's
   CustomerMetadataProperties under ``smenv:container-<i>-sha256`` (i: the container's index). Compared
   with S3's whole-object SHA-256 checksum where S3 has one (HeadObject with ChecksumMode ENABLED: an
   object uploaded in one piece with ChecksumAlgorithm SHA256, or copied with it); a multipart object's
   SHA-256 is composite, a hash of its parts' hashes and not of its bytes (Amazon S3 User Guide,
   "Checking object integrity"), so it is never compared: the object is then read (GetObject of that
   version, If-Match its ETag) through hashlib, one chunk in memory at a time. When an ETag was recorded
   too, the hash is still compared with S3's checksum where there is one (it costs nothing), but the
   object is not read, and a hash nobody checked is not carried on to the promoted package.
3. Else nothing is recorded: the container is unverified.

An ETag names the content S3 stored for one object version, but it is not a hash an attacker cannot
match: for an object that is not SSE-KMS it is MD5-based (Amazon S3 API reference, Object: ETag), and
two crafted files can share an MD5. Where that matters, record the SHA-256 as well: it is compared
whenever S3 has a whole-object SHA-256 for the object, at no cost.

Images: a container whose image is copied from the source account's ECR must pin it, by ImageDigest
(images.resolve_source_digest refuses a tag that now names another digest) or by a digest in its Image
URI; else it is unverified. An AWS-owned image, or one already in the target account, is not the source
account's to replace. A package itself registered by an unverified promotion
(``smenv:source-integrity`` = ``unverified``) is unverified whatever it records: the chain is only as
good as its first link.

A mismatch is refused (exit 3) always. Unverified is refused (exit 3) unless --accept-unverified-source;
then the promotion goes on, with a warning, and registers ``smenv:source-integrity`` = ``unverified``.
Every promotion registers the copy's ETag as ModelDataETag and its SHA-256 where known, so a promotion
from the registered package (staging -> prod) verifies it the same way (plan.promoted_specification,
plan.promoted_metadata).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import ClientError

from smenv.core.awsutil import Client
from smenv.promotion import PromotionFailed, Refused
from smenv.promotion.plan import META_ARTIFACT_SHA256, META_SOURCE_INTEGRITY, Checksum, SourceObject, strip_etag
from smenv.promotion.progress import Progress

ETAG, CHECKSUM, STREAM, UNVERIFIED = "etag", "checksum", "stream", "unverified"
VERIFIED = "verified"
FLAG = "--accept-unverified-source"
READ_CHUNK = 1024 * 1024
_SHA256_HEX = re.compile(r"^(?:sha256:)?([0-9a-fA-F]{64})$")


def sha256_key(container: int) -> str:
    return META_ARTIFACT_SHA256.format(container)


@dataclass(frozen=True)
class Recorded:
    """What a package records about one container's artifact."""

    container: int
    etags: tuple[tuple[str, str], ...] = ()  # (the field that records it, the ETag)
    sha256: str | None = None  # 64 lowercase hex digits

    @property
    def key(self) -> str:
        return sha256_key(self.container)


def recorded(containers: Sequence[Mapping[str, Any]], metadata: Mapping[str, str]) -> dict[int, Recorded]:
    """{container: what the package records} from its InferenceSpecification.Containers and
    CustomerMetadataProperties. Refused when a recorded hash is not a SHA-256."""
    found = {}
    for index, container in enumerate(containers):
        etags = []
        if container.get("ModelDataETag"):
            etags.append(("ModelDataETag", str(container["ModelDataETag"])))
        s3_source = (container.get("ModelDataSource") or {}).get("S3DataSource") or {}
        if s3_source.get("ETag") and s3_source.get("S3Uri") == container.get("ModelDataUrl"):
            etags.append(("ModelDataSource.S3DataSource.ETag", str(s3_source["ETag"])))
        value, sha256 = metadata.get(sha256_key(index)), None
        if value is not None:
            match = _SHA256_HEX.match(value.strip())
            if not match:
                raise Refused(
                    f"container {index}: the package's {sha256_key(index)} {value!r} is not a SHA-256 (64 hex digits)"
                )
            sha256 = match[1].lower()
        found[index] = Recorded(index, tuple(etags), sha256)
    return found


def whole_object_sha256(checksum: Checksum | None) -> str | None:
    """S3's SHA-256 of the object's bytes (hex), when it has one: never a composite checksum."""
    if checksum is None or checksum.algorithm != "SHA256" or checksum.kind != "FULL_OBJECT":
        return None
    try:
        raw = base64.b64decode(checksum.value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


def _same_etag(a: str, b: str) -> bool:
    return strip_etag(a).lower() == strip_etag(b).lower()


@dataclass(frozen=True)
class Verdict:
    """How one container's artifact was found to be the registered one."""

    container: int
    source: str  # s3://bucket/key
    by: str  # etag | checksum | stream | unverified
    detail: str
    sha256: str | None = None  # the artifact's SHA-256 (hex) as S3 computed it or as read: never merely recorded
    expected: str | None = None  # the recorded SHA-256 a stream must find

    @property
    def needs_stream(self) -> bool:
        return self.by == STREAM and self.sha256 is None

    def describe(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "source": self.source,
            "verified_by": self.by,
            "detail": self.detail,
            "sha256": self.sha256,
        }


def judge(record: Recorded, obj: SourceObject) -> Verdict:
    """The verdict for one artifact from what S3 reports (pure; the module docstring has the rules).
    Raises Refused on any mismatch, naming the container and what differs."""
    where = f"container {record.container}: {obj.uri}"
    for field, etag in record.etags:
        if not _same_etag(etag, obj.etag):
            raise Refused(
                f"{where} has ETag {strip_etag(obj.etag)}, but the package records {field} {strip_etag(etag)}: "
                "the object was replaced after registration; nothing copied"
            )
    s3_sha = whole_object_sha256(obj.checksum)
    if record.sha256 and s3_sha and s3_sha != record.sha256:
        raise Refused(
            f"{where} has SHA-256 {s3_sha} (S3's checksum), but the package records {record.key} {record.sha256}: "
            "the object is not the registered one; nothing copied"
        )
    if record.etags:
        checked = f" and S3's SHA-256 matches {record.key}" if record.sha256 and s3_sha else ""
        return Verdict(record.container, obj.uri, ETAG, f"ETag matches {record.etags[0][0]}{checked}", s3_sha)
    if record.sha256 and s3_sha:
        return Verdict(record.container, obj.uri, CHECKSUM, f"S3's SHA-256 checksum matches {record.key}", s3_sha)
    if record.sha256:
        why = (
            "S3's SHA-256 is composite (of the parts)"
            if obj.checksum and obj.checksum.algorithm == "SHA256"
            else "S3 has no whole-object SHA-256 for it"
        )
        return Verdict(
            record.container, obj.uri, STREAM, f"{why}: read to compare with {record.key}", expected=record.sha256
        )
    return Verdict(
        record.container, obj.uri, UNVERIFIED, f"records neither ModelDataETag nor {record.key}", sha256=s3_sha
    )


def judge_stream(verdict: Verdict, actual: str) -> Verdict:
    """The verdict once the object's bytes were read: Refused when their SHA-256 is not the recorded one."""
    if actual != verdict.expected:
        raise Refused(
            f"container {verdict.container}: {verdict.source} has SHA-256 {actual} (read from its bytes), but the "
            f"package records {sha256_key(verdict.container)} {verdict.expected}: the object is not the registered "
            "one; nothing copied"
        )
    return replace(verdict, sha256=actual, detail=f"the bytes' SHA-256 matches {sha256_key(verdict.container)}")


@dataclass(frozen=True)
class ImageRecord:
    """What a planned image pins (images.ImagePlan, in its plain parts)."""

    container: int
    uri: str
    kind: str  # aws | target | source
    pinned: bool  # ImageDigest recorded, or a digest in the URI


def unverified(
    verdicts: Iterable[Verdict], image_records: Iterable[ImageRecord], metadata: Mapping[str, str]
) -> list[str]:
    """Why the source cannot be verified, one short reason each (empty: it is verified)."""
    reasons = []
    if metadata.get(META_SOURCE_INTEGRITY) == UNVERIFIED:
        reasons.append(f"it was promoted from an unverified source ({META_SOURCE_INTEGRITY}={UNVERIFIED})")
    reasons.extend(f"container {v.container} {v.detail}" for v in verdicts if v.by == UNVERIFIED)
    reasons.extend(
        f"container {i.container} image {i.uri} records no ImageDigest (nor a digest in its URI)"
        for i in image_records
        if i.kind == "source" and not i.pinned
    )
    return reasons


def refusal(arn: str, reasons: Sequence[str]) -> str:
    return (
        f"{arn} cannot be verified to be what was approved: {'; '.join(reasons)} "
        f"({FLAG} promotes it anyway, marked {META_SOURCE_INTEGRITY}={UNVERIFIED})"
    )


def copy_sha256(verdict: Verdict, copy_checksum: Checksum | None, target_uri: str) -> str | None:
    """The SHA-256 to record for a copy: S3's whole-object checksum of the copy, else the verified
    source's. ValueError when both are known and differ (the copy is not the verified bytes)."""
    target = whole_object_sha256(copy_checksum)
    if verdict.sha256 and target and target != verdict.sha256:
        raise ValueError(f"{target_uri} has SHA-256 {target}, the verified source {verdict.sha256}")
    return target or verdict.sha256


# --- reading the bytes (only when a recorded hash can be checked no other way) ----------------------


def stream_sha256(s3: Client, obj: SourceObject, progress: Progress, chunk: int = READ_CHUNK) -> str:
    """SHA-256 (hex) of exactly the version that was checked (VersionId, If-Match its ETag), read in
    chunks. Refused when the object changed since; PromotionFailed when fewer or more bytes arrive."""
    extra = {"VersionId": obj.version_id} if obj.version_id else {}
    try:
        body = s3.get_object(Bucket=obj.bucket, Key=obj.key, IfMatch=f'"{obj.etag}"', **extra)["Body"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
            raise Refused(
                f"container {obj.container}: {obj.uri} changed while it was being verified "
                f"(its ETag is no longer {obj.etag}); nothing copied"
            ) from None
        raise
    digest, read = hashlib.sha256(), 0
    try:
        for part in body.iter_chunks(chunk):
            digest.update(part)
            read += len(part)
            progress.add(len(part))
    finally:
        body.close()
    if read != obj.size:
        raise PromotionFailed(f"{obj.uri}: read {read} bytes to verify it, HeadObject said {obj.size}")
    return digest.hexdigest()
