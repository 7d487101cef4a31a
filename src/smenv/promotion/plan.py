"""Pure decisions of a promotion: what is copied where, how, and how the copy is checked.

Nothing here talks to AWS. The key scheme:

    promoted/<source group>/<source version>/<content hash[:16]>/<container index>/<file name>

The content hash is the SHA-256 of one line per source artifact (container index, size, ETag and
checksum as S3 reports them) and one per image copied from the source account (container index and
image digest), so the same content always lands at the same key, and a source version whose
artifacts or image changed lands beside, never on top of, an earlier promotion.
"""

from __future__ import annotations

import base64
import hashlib
import math
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from smenv.core.project import UsageError
from smenv.promotion import Refused

KiB, MiB, GiB = 1024, 1024**2, 1024**3
S3_MIN_PART = 5 * MiB  # every part but the last
S3_MAX_PART = 5 * GiB
S3_MAX_PARTS = 10_000
S3_MAX_COPY_OBJECT = 5 * GiB  # CopyObject's limit; larger objects need a multipart copy

DEFAULT_MULTIPART_THRESHOLD = 5 * GiB
DEFAULT_PART_SIZE = 256 * MiB
DEFAULT_CONCURRENCY = 8
KEY_HASH_CHARS = 16

# Algorithms whose multipart checksum S3 can compute over the whole object (ChecksumType FULL_OBJECT).
FULL_OBJECT_MULTIPART = frozenset({"CRC32", "CRC32C", "CRC64NVME"})
_COMPOSITE_DIGESTS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256}
_SUFFIX = re.compile(r"-(\d+)$")
_UNITS = {
    "": 1,
    "B": 1,
    "K": KiB,
    "KB": KiB,
    "KIB": KiB,
    "M": MiB,
    "MB": MiB,
    "MIB": MiB,
    "G": GiB,
    "GB": GiB,
    "GIB": GiB,
}

META_SOURCE_ARN = "smenv:source-package-arn"
META_SOURCE_ACCOUNT = "smenv:source-account"
META_CONTENT_HASH = "smenv:content-hash"
META_VERIFIED_BY = "smenv:verified-by"
# Per container whose image was copied from the source account (src/smenv/promotion/images.py).
META_IMAGE_DIGEST = "smenv:container-{}-source-image-digest"
META_IMAGE_URI = "smenv:container-{}-image"
# Source integrity (src/smenv/promotion/integrity.py): the SHA-256 (64 hex) of a container's artifact bytes,
# read by a promotion from a package that records it and written on every package a promotion registers;
# and whether the promoted content was verified against what its source recorded ("verified" or "unverified").
META_ARTIFACT_SHA256 = "smenv:container-{}-sha256"
META_SOURCE_INTEGRITY = "smenv:source-integrity"
_CONTAINER_KEY = re.compile(r"^smenv:container-\d+-")


# --- sizes -------------------------------------------------------------------------------------------


def parse_size(text: str, flag: str) -> int:
    """'256MiB', '5GiB', '5242880' -> bytes (K/M/G are binary units)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = match and match[2].upper()
    if not match or unit not in _UNITS:
        raise UsageError(f"{flag} {text!r} is not a size (e.g. 256MiB, 5GiB, or bytes)")
    return int(float(match[1]) * _UNITS[unit])


def human(size: int) -> str:
    for unit, factor in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


@dataclass(frozen=True)
class CopyOptions:
    multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD
    part_size: int = DEFAULT_PART_SIZE
    concurrency: int = DEFAULT_CONCURRENCY

    def __post_init__(self) -> None:
        if not 1 <= self.multipart_threshold <= S3_MAX_COPY_OBJECT:
            raise UsageError(
                f"--multipart-threshold must be from 1 byte to 5 GiB (CopyObject's limit), got {human(self.multipart_threshold)}"
            )
        if not S3_MIN_PART <= self.part_size <= S3_MAX_PART:
            raise UsageError(f"--part-size must be from 5 MiB to 5 GiB (S3's part limits), got {human(self.part_size)}")
        if not 1 <= self.concurrency <= 64:
            raise UsageError(f"--concurrency must be from 1 to 64, got {self.concurrency}")


# --- what S3 says about an object --------------------------------------------------------------------


@dataclass(frozen=True)
class Checksum:
    algorithm: str  # SHA256, CRC32, ...
    value: str  # base64, without a -N suffix
    kind: str  # FULL_OBJECT or COMPOSITE

    def render(self) -> str:
        return f"{self.algorithm}:{self.value}" + ("" if self.kind == "FULL_OBJECT" else " (composite)")


def checksum_from_head(head: Mapping[str, Any]) -> Checksum | None:
    """The checksum a HeadObject (ChecksumMode=ENABLED) reports, if any. A composite checksum is
    'value-N' from S3 and 'value' with ChecksumType COMPOSITE from moto 5.2.5: both are read.

    A SHA-1 or SHA-256 checksum of an object uploaded in parts (its ETag ends in -<parts>) is always
    composite: S3 computes a whole-object checksum of a multipart upload with the CRC algorithms only
    (Amazon S3 User Guide, "Checking object integrity", full object and composite checksums). moto
    5.2.5 reports such a checksum without the suffix or a ChecksumType (README, emulator gaps): the
    ETag tells it apart, so it is never taken for a SHA-256 of the bytes."""
    multipart = bool(_SUFFIX.search(strip_etag(str(head.get("ETag", "")))))
    for name, value in head.items():
        if name.startswith("Checksum") and name != "ChecksumType" and isinstance(value, str) and value:
            suffix = _SUFFIX.search(value)
            algorithm = name.removeprefix("Checksum")
            kind = head.get("ChecksumType") or ("COMPOSITE" if suffix else "FULL_OBJECT")
            if multipart and algorithm in _COMPOSITE_DIGESTS:
                kind = "COMPOSITE"
            return Checksum(algorithm, _SUFFIX.sub("", value), kind)
    return None


def strip_etag(etag: str) -> str:
    return etag.strip().strip('"')


@dataclass(frozen=True)
class SourceObject:
    container: int
    bucket: str
    key: str
    size: int
    etag: str
    version_id: str | None
    checksum: Checksum | None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def copy_source(self) -> dict[str, str]:
        source = {"Bucket": self.bucket, "Key": self.key}
        if self.version_id and self.version_id != "null":
            source["VersionId"] = self.version_id  # the copy reads exactly the version that was checked
        return source


def source_object(container: int, bucket: str, key: str, head: Mapping[str, Any]) -> SourceObject:
    version = head.get("VersionId")
    return SourceObject(
        container=container,
        bucket=bucket,
        key=key,
        size=int(head["ContentLength"]),
        etag=strip_etag(head["ETag"]),
        version_id=version if version and version != "null" else None,
        checksum=checksum_from_head(head),
    )


# --- the plan ----------------------------------------------------------------------------------------


class Part(NamedTuple):
    number: int
    start: int
    end: int  # inclusive, as in CopySourceRange

    @property
    def size(self) -> int:
        return self.end - self.start + 1


def content_hash(objects: Sequence[SourceObject], image_digests: Mapping[int, str] | None = None) -> str:
    """SHA-256 (hex) over the artifacts and the digests of the images copied from the source account
    ({container: sha256:...}); without such images the hash is what it was before images were copied."""
    lines = []
    for obj in sorted(objects, key=lambda o: o.container):
        checksum = f"{obj.checksum.algorithm}:{obj.checksum.kind}:{obj.checksum.value}" if obj.checksum else "-"
        lines.append(f"{obj.container}\t{obj.size}\t{obj.etag}\t{checksum}\n")
    for container, digest in sorted((image_digests or {}).items()):
        lines.append(f"image\t{container}\t{digest}\n")
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def target_key(group: str, version: int, digest: str, container: int, source_key: str) -> str:
    name = posixpath.basename(source_key.rstrip("/")) or "model"
    return f"promoted/{group}/{version}/{digest[:KEY_HASH_CHARS]}/{container}/{name}"


def effective_part_size(size: int, part_size: int) -> int:
    """part_size, raised (to a whole MiB) when the object would need more than 10,000 parts."""
    needed = math.ceil(size / S3_MAX_PARTS)
    if needed <= part_size:
        return part_size
    if needed > S3_MAX_PART:
        raise UsageError(f"an object of {human(size)} is larger than a multipart copy can make (10,000 parts of 5 GiB)")
    return min(math.ceil(needed / MiB) * MiB, S3_MAX_PART)


def part_ranges(size: int, part_size: int) -> list[Part]:
    size_each = effective_part_size(size, part_size)
    return [
        Part(number, start, min(start + size_each, size) - 1)
        for number, start in enumerate(range(0, size, size_each), start=1)
    ]


def copy_checksum(source: Checksum | None, multipart: bool) -> tuple[str, str | None]:
    """(ChecksumAlgorithm, ChecksumType or None) to ask S3 for on the copy.

    The source's own algorithm whenever S3 can then report a comparable whole-object checksum:
    any algorithm for CopyObject, a CRC (as FULL_OBJECT) for a multipart copy. Otherwise SHA-256
    (a multipart copy then gets S3's composite checksum of the parts; the type is always named, as
    moto 5.2.5 reports a composite checksum as whole-object unless it was asked for COMPOSITE)."""
    if source and source.kind == "FULL_OBJECT":
        if not multipart:
            return source.algorithm, None
        if source.algorithm in FULL_OBJECT_MULTIPART:
            return source.algorithm, "FULL_OBJECT"
    return "SHA256", "COMPOSITE" if multipart else None


@dataclass(frozen=True)
class ArtifactPlan:
    source: SourceObject
    target_bucket: str
    target_key: str
    multipart: bool
    parts: tuple[Part, ...]
    checksum_algorithm: str
    checksum_type: str | None

    @property
    def target_uri(self) -> str:
        return f"s3://{self.target_bucket}/{self.target_key}"

    @property
    def end_to_end(self) -> bool:
        """True when the copy can be compared with the source by a whole-object checksum."""
        src = self.source.checksum
        return bool(
            src
            and src.kind == "FULL_OBJECT"
            and src.algorithm == self.checksum_algorithm
            and (not self.multipart or self.checksum_type == "FULL_OBJECT")
        )

    def describe(self) -> dict[str, Any]:
        return {
            "container": self.source.container,
            "source": self.source.uri,
            "source_version_id": self.source.version_id,
            "target": self.target_uri,
            "bytes": self.source.size,
            "method": "multipart" if self.multipart else "single",
            "parts": len(self.parts) if self.multipart else 1,
            "part_size": self.parts[0].size if self.multipart else self.source.size,
            "checksum_algorithm": self.checksum_algorithm,
            "source_checksum": self.source.checksum.render() if self.source.checksum else None,
            "verification": "checksum" if self.end_to_end else ("parts" if self.multipart else "size"),
        }


def plan_artifacts(
    objects: Sequence[SourceObject],
    group: str,
    version: int,
    target_bucket: str,
    options: CopyOptions,
    *,
    image_digests: Mapping[int, str] | None = None,
) -> tuple[str, list[ArtifactPlan]]:
    """(content hash, one plan per artifact). image_digests: {container: digest} of the images
    copied from the source account (they are part of the promoted content)."""
    digest = content_hash(objects, image_digests)
    plans = []
    for obj in objects:
        multipart = obj.size > options.multipart_threshold
        algorithm, kind = copy_checksum(obj.checksum, multipart)
        plans.append(
            ArtifactPlan(
                source=obj,
                target_bucket=target_bucket,
                target_key=target_key(group, version, digest, obj.container, obj.key),
                multipart=multipart,
                parts=tuple(part_ranges(obj.size, options.part_size)) if multipart else (),
                checksum_algorithm=algorithm,
                checksum_type=kind,
            )
        )
    return digest, plans


# --- verification ------------------------------------------------------------------------------------


def composite_etag(part_etags: Sequence[str]) -> str:
    """S3's ETag of a multipart object: MD5 of the parts' binary ETags, then -<count>."""
    digest = hashlib.md5(usedforsecurity=False)
    for etag in part_etags:
        digest.update(bytes.fromhex(strip_etag(etag)))
    return f"{digest.hexdigest()}-{len(part_etags)}"


def composite_checksum(algorithm: str, part_values: Sequence[str]) -> str | None:
    """S3's composite checksum (hash of the parts' binary checksums), where we can compute it."""
    digest = _COMPOSITE_DIGESTS.get(algorithm)
    if digest is None or not part_values:
        return None
    joined = b"".join(base64.b64decode(value) for value in part_values)
    return base64.b64encode(digest(joined).digest()).decode()


def same_key(reported: str | None, expected_arn: str) -> bool:
    """S3 reports the key as an ARN (AWS) or an id; either names expected_arn."""
    return bool(reported) and (reported == expected_arn or expected_arn.endswith(f"/{reported}"))


@dataclass
class CopyResult:
    """What the copy returned: each part's ETag and checksum (S3 returns part checksums; moto 5.2.5 does not)."""

    part_etags: list[str] = field(default_factory=list)
    part_checksums: list[str] = field(default_factory=list)


def verify(plan: ArtifactPlan, target_head: Mapping[str, Any], kms_key_arn: str, result: CopyResult | None) -> str:
    """How the copy was verified ('checksum', 'parts' or 'size'); raises Refused-free ValueError on a mismatch.

    Size and the target's SSE-KMS key always. Then the strongest comparison available:
    - checksum: the source's whole-object checksum equals the copy's (same algorithm);
    - parts: a multipart copy's ETag (and composite checksum, when S3 returned part checksums)
      equals the one computed from the parts this copy uploaded, so the object is exactly those parts;
    - size: nothing else to compare (a single-part source without a checksum: the ETag of an SSE-KMS
      object is not a content hash, so it cannot be compared with the source's).
    `result` is None for an object that was already there (only size and checksum apply)."""
    src = plan.source
    size = int(target_head.get("ContentLength", -1))
    if size != src.size:
        raise ValueError(f"{plan.target_uri} has {size} bytes, the source {src.size}")
    if target_head.get("ServerSideEncryption") != "aws:kms" or not same_key(
        target_head.get("SSEKMSKeyId"), kms_key_arn
    ):
        raise ValueError(
            f"{plan.target_uri} is encrypted with {target_head.get('ServerSideEncryption')} "
            f"{target_head.get('SSEKMSKeyId') or ''}, not SSE-KMS with {kms_key_arn}".replace("  ", " ")
        )
    copied = checksum_from_head(target_head)
    if copied and plan.multipart and plan.checksum_type == "COMPOSITE":
        copied = replace(copied, kind="COMPOSITE")  # what was asked for, whatever the answer's shape
    source_checksum = src.checksum
    if (
        source_checksum is not None
        and source_checksum.kind == "FULL_OBJECT"
        and copied is not None
        and copied.kind == "FULL_OBJECT"
        and copied.algorithm == source_checksum.algorithm
    ):
        if copied.value != source_checksum.value:
            raise ValueError(
                f"{plan.target_uri} {copied.algorithm} checksum {copied.value} differs from the source's {source_checksum.value}"
            )
        return "checksum"
    if result is not None and plan.multipart:
        expected = composite_etag(result.part_etags)
        if strip_etag(target_head.get("ETag", "")) != expected:
            raise ValueError(f"{plan.target_uri} ETag {target_head.get('ETag')} is not the parts' composite {expected}")
        if len(result.part_checksums) == len(result.part_etags) and copied and copied.kind == "COMPOSITE":
            composite = composite_checksum(copied.algorithm, result.part_checksums)
            if composite is not None and composite != copied.value:
                raise ValueError(f"{plan.target_uri} composite checksum {copied.value} is not the parts' {composite}")
        return "parts"
    return "size"


def weakest(verifications: Iterable[str]) -> str:
    order = ["size", "parts", "checksum"]
    found = list(verifications)
    return min(found, key=order.index) if found else "none"


# --- registration decisions --------------------------------------------------------------------------


def default_approval_status(environment: str) -> str:
    """PendingManualApproval in prod (a reviewer approves there), Approved elsewhere."""
    return "PendingManualApproval" if environment == "prod" else "Approved"


@dataclass(frozen=True)
class ExistingPackage:
    arn: str
    status: str
    metadata: Mapping[str, str]


def find_promotion(existing: Iterable[ExistingPackage], source_arn: str, digest: str) -> ExistingPackage | None:
    """The target package already promoted from source_arn with this content, if any.

    A package promoted from the same source ARN with other content means the source version now
    holds a different model than the one promoted: refused."""
    found = None
    for package in existing:
        if package.metadata.get(META_SOURCE_ARN) != source_arn:
            continue
        if package.metadata.get(META_CONTENT_HASH) == digest:
            found = found or package
        else:
            raise Refused(
                f"{package.arn} was promoted from {source_arn} with different content "
                f"(content hash {package.metadata.get(META_CONTENT_HASH, '?')[:16]}, now {digest[:16]}): "
                "a different model already holds that version in the target"
            )
    return found


def promoted_specification(
    specification: Mapping[str, Any],
    target_urls: Mapping[int, str],
    images: Mapping[int, tuple[str, str]] | None = None,
    etags: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The source's InferenceSpecification with each container's ModelDataUrl pointing at its copy and,
    where its image was copied ({container: (digest, target URI)}), its Image at the copy, pinned by
    digest (ImageDigest the same). Other images are kept as they are.

    etags ({container: the copy's ETag}) become each container's ModelDataETag, so a promotion from the
    registered package verifies its artifact as this one verified the source's (the source's own
    ModelDataETag names the source object, never the copy). A ModelDataSource naming the same object
    as ModelDataUrl (registry.source_artifacts refuses any other) is pointed at the copy too."""
    spec = {key: value for key, value in specification.items()}
    containers = []
    for index, source in enumerate(specification.get("Containers", [])):
        container = dict(source)
        if index in target_urls:
            container["ModelDataUrl"] = target_urls[index]
            container.pop("ModelDataETag", None)
            s3_source = (source.get("ModelDataSource") or {}).get("S3DataSource")
            if s3_source:
                moved = {k: v for k, v in s3_source.items() if k != "ETag"}
                moved["S3Uri"] = target_urls[index]
                if etags and index in etags:
                    moved["ETag"] = etags[index]
                container["ModelDataSource"] = {**source["ModelDataSource"], "S3DataSource": moved}
            if etags and index in etags:
                container["ModelDataETag"] = etags[index]
        if images and index in images:
            container["ImageDigest"], container["Image"] = images[index]
        containers.append(container)
    spec["Containers"] = containers
    return spec


def promoted_metadata(
    source: Mapping[str, str],
    source_arn: str,
    source_account: str,
    digest: str,
    verified_by: str,
    *,
    images: Mapping[int, tuple[str, str]] | None = None,
    sha256: Mapping[int, str] | None = None,
    integrity: str = "verified",
) -> dict[str, str]:
    """The source's CustomerMetadataProperties, plus (overriding) the promotion's own: the source
    package, account, content hash, how the artifacts were verified, whether the source was verified
    against what it recorded (integrity: verified or unverified), per container the SHA-256 of its
    artifact where known ({container: 64 hex}) and, per container whose image was copied
    ({container: (source digest, target URI)}), the source image digest and the target URI.

    The source's own per-container keys (smenv:container-<i>-...) are not kept: they describe the
    source's objects and images, and this promotion writes what it knows of the copies."""
    ours = {
        META_SOURCE_ARN: source_arn,
        META_SOURCE_ACCOUNT: source_account,
        META_CONTENT_HASH: digest,
        META_VERIFIED_BY: verified_by,
        META_SOURCE_INTEGRITY: integrity,
    }
    for container, hexdigest in sorted((sha256 or {}).items()):
        ours[META_ARTIFACT_SHA256.format(container)] = hexdigest
    for container, (image_digest, uri) in sorted((images or {}).items()):
        ours[META_IMAGE_DIGEST.format(container)] = image_digest
        ours[META_IMAGE_URI.format(container)] = uri
    kept = {k: v for k, v in source.items() if k not in ours and not _CONTAINER_KEY.match(k)}
    return {**dict(list(kept.items())[: max(50 - len(ours), 0)]), **ours}  # SageMaker allows 50 entries
