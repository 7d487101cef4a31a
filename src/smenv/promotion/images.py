"""The container images of a promoted package: which stay as they are, which are copied into the
target account's ECR (pinned by digest), and the copy itself.

SageMaker pulls a model's image from Amazon ECR in the model's own region ("the Docker image for
inference container in Amazon EC2 Container Registry must be in the same region as the model or
endpoint", SageMaker API reference, ContainerDefinition.Image), with the model's execution role,
which here may pull from its own account and AWS's registries only; a serverless endpoint takes no
image from another account at all (SageMaker Developer Guide, "Serverless Inference", feature
exclusions). So each container image of the source package is, by `classify_image` (pure):

- ``aws``     in one of AWS's SageMaker / Deep Learning Containers registries for the target region
              (modules/_image_registries/aws_registries.json, which Terraform reads too): kept;
- ``target``  already in the target account and region: kept;
- ``source``  in the source account's ECR (any region): copied into the target account and region as
              ``<repository prefix>/<source repository>`` and the package points at it by digest;
- anything else (a third account, a registry that is not ECR, an AWS image or a target image in
  another region, a malformed URI or ImageDigest) is refused (exit 3) before anything is copied.

The copy (`copy_image`) runs through the ECR API, not the Docker registry API: ECR has no
server-side copy between accounts, so the tool reads the source with the promotion role (the source
repository's policy grants it: modules/promotion README) and writes the target with the same role:

1. `BatchGetImage` by digest gives each manifest (and, for a manifest list or OCI index, each
   manifest it names); every manifest is checked against its digest (SHA-256 of its bytes);
2. `BatchCheckLayerAvailability` in the target skips the blobs already there; for each missing blob
   (config and layers) `GetDownloadUrlForLayer` in the source, an HTTPS GET of that URL streamed
   straight into `InitiateLayerUpload` / `UploadLayerPart` / `CompleteLayerUpload`, one part in
   memory at a time, its size and SHA-256 checked before the upload is completed;
3. `PutImage` with the exact manifest bytes and `imageDigest`, so the target digest is the source's:
   the manifests an index names first, the image's own manifest last (tagged
   ``promoted-<digest[:16]>``: a tag keeps it from lifecycle rules that expire untagged images, and
   one derived from the digest never collides in an IMMUTABLE repository).

A failure leaves no image: a blob uploaded without a manifest is never an image (ECR removes
unreferenced layers), a PutImage that fails registers nothing, and a copy that fails after a
PutImage deletes it again (`BatchDeleteImage`). A second run finds the image by digest
(`DescribeImages`) and copies nothing.

The repository, when missing, is created with IMMUTABLE tags, scan on push and AES256 encryption
(ECR's default, Amazon S3-managed keys): ECR's KMS encryption would need the role to create grants
on a key (kms:CreateGrant, DescribeKey, RetireGrant) and the environment's keys have no purpose for
images, and a repository's encryption cannot be changed later, so a key is a decision for
Terraform, not for this tool.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from smenv.core.awsutil import Client
from smenv.core.project import REPO, UsageError
from smenv.promotion import PromotionFailed, Refused
from smenv.promotion.plan import human
from smenv.promotion.progress import NoProgress, Progress

if TYPE_CHECKING:
    import urllib3

REGISTRIES_FILE = REPO / "modules" / "_image_registries" / "aws_registries.json"
REPOSITORY_SUFFIX = "-promoted"  # <name_prefix>-<env>-promoted/<source repository>; modules/promotion grants it
TAG_SOURCE_REPOSITORY = "smenv:source-repository"  # on a repository the tool creates (modules/promotion TagResource)
PROMOTED_TAG_CHARS = 16

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+"  # +json, +prettyjws
IMAGE_MANIFESTS = frozenset({DOCKER_MANIFEST, OCI_MANIFEST})
INDEXES = frozenset({DOCKER_MANIFEST_LIST, OCI_INDEX})
ACCEPTED_MEDIA_TYPES = [DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX]
MAX_INDEX_DEPTH = 2

# ECR quotas: layer parts of 5-10 MiB but the last (InitiateLayerUpload answers the size it wants);
# BatchCheckLayerAvailability takes 100 digests a call. The SageMaker Image field is 255 characters.
DEFAULT_PART_SIZE = 10 * 1024 * 1024
MAX_PART_SIZE = 100 * 1024 * 1024
CHECK_BATCH = 100
MAX_IMAGE_URI = 255
MAX_REPOSITORY_NAME = 256
DOWNLOAD_CHUNK = 1024 * 1024

_REPOSITORY = r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?P<fips>-fips)?\.(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d)"
    r"\.(?P<domain>amazonaws\.com(?:\.cn)?)"
    rf"/(?P<repository>{_REPOSITORY})"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
_REPOSITORY_NAME = re.compile(rf"^{_REPOSITORY}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_DENIED = ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation")

Download = Callable[[str], AbstractContextManager[Iterable[bytes]]]
ProgressFactory = Callable[[str, int], Progress]
SourceEcr = Callable[[str], Any]  # region -> an ECR client (the promotion role) for the source registry there


def no_progress(_label: str, _total: int) -> Progress:
    return NoProgress()


# --- pure decisions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRef:
    """An image in Amazon ECR: <account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag][@digest]."""

    uri: str
    account: str
    region: str
    domain: str  # amazonaws.com, or amazonaws.com.cn
    repository: str
    tag: str | None
    digest: str | None

    @property
    def partition(self) -> str:
        if self.domain.endswith(".cn"):
            return "aws-cn"
        return "aws-us-gov" if self.region.startswith("us-gov-") else "aws"

    @property
    def repository_arn(self) -> str:
        return f"arn:{self.partition}:ecr:{self.region}:{self.account}:repository/{self.repository}"

    @property
    def image_id(self) -> dict[str, str]:
        """The DescribeImages imageId: the digest when the URI pins one, else the tag (default latest)."""
        return {"imageDigest": self.digest} if self.digest else {"imageTag": self.tag or "latest"}


def parse_image_uri(uri: str) -> ImageRef | None:
    """The ECR image a URI names, or None when it is not an ECR image URI (Docker Hub, public.ecr.aws...)."""
    match = _ECR_IMAGE.match(uri.strip())
    if not match:
        return None
    return ImageRef(
        uri=uri.strip(),
        account=match["account"],
        region=match["region"],
        domain=match["domain"],
        repository=match["repository"],
        tag=match["tag"],
        digest=match["digest"],
    )


def aws_registry_accounts(document: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """{region: AWS's SageMaker and Deep Learning Containers registry accounts} from
    aws_registries.json ({"regions": {"<region>": {"<registry kind>": "<account>", ...}}})."""
    regions = document.get("regions")
    if not isinstance(regions, Mapping):
        raise ValueError("no 'regions' object")
    found: dict[str, frozenset[str]] = {}
    for region, registries in regions.items():
        if not isinstance(registries, Mapping):
            raise ValueError(f"region {region!r} is not an object")
        accounts = [str(a) for a in registries.values()]
        if not all(re.fullmatch(r"\d{12}", a) for a in accounts):
            raise ValueError(f"region {region!r} names something that is not a 12-digit account")
        found[region] = frozenset(accounts)
    return found


def load_aws_registries(path: Path = REGISTRIES_FILE) -> dict[str, frozenset[str]]:
    """aws_registry_accounts of the project's one list (the Terraform modules read the same file)."""
    try:
        return aws_registry_accounts(json.loads(path.read_text()))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read AWS's image registries: {exc}") from None


@dataclass(frozen=True)
class ImageClass:
    container: int
    uri: str
    kind: str  # aws | target | source
    ref: ImageRef
    recorded_digest: str | None  # the package's ImageDigest for this container, if any


def classify_image(
    container: int,
    uri: str,
    recorded_digest: str | None,
    *,
    source_account: str,
    target_account: str,
    target_region: str,
    aws_registries: Mapping[str, Collection[str]],
) -> ImageClass:
    """What to do with one container image: ``aws`` or ``target`` (keep), ``source`` (copy). Raises
    Refused for anything else, naming the container, the image and why."""
    where = f"container {container} image {uri!r}"
    if recorded_digest is not None and not _DIGEST.match(recorded_digest.lower()):
        raise Refused(f"{where}: its ImageDigest {recorded_digest!r} is not a sha256:<64 hex> digest")
    ref = parse_image_uri(uri or "")
    if ref is None:
        raise Refused(
            f"{where} is not an Amazon ECR image (<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]): "
            "only an AWS-owned image, one in the target account or one in the source account's ECR can be promoted"
        )
    if ref.digest and recorded_digest and ref.digest != recorded_digest.lower():
        raise Refused(f"{where}: the package records ImageDigest {recorded_digest}, not the digest its URI pins")
    same_region = (
        f"SageMaker pulls a model's image from its own region ({target_region}), not from {ref.region}: "
        "register the source package with the image of the target's region"
    )
    if ref.account == target_account:
        if ref.region != target_region:
            raise Refused(f"{where} is in the target account but {same_region}")
        return ImageClass(container, ref.uri, "target", ref, recorded_digest)
    if ref.account in aws_registries.get(ref.region, ()):
        if ref.region != target_region:
            theirs = ", ".join(sorted(aws_registries.get(target_region, ()))) or "none listed"
            raise Refused(f"{where} is AWS-owned, but {same_region} (AWS's registries there: {theirs})")
        return ImageClass(container, ref.uri, "aws", ref, recorded_digest)
    if ref.account == source_account:
        return ImageClass(container, ref.uri, "source", ref, recorded_digest)
    unlisted = "" if ref.region in aws_registries else f"; aws_registries.json lists no registries for {ref.region}"
    raise Refused(
        f"{where} is in account {ref.account}: neither the source ({source_account}), the target ({target_account}) "
        f"nor an AWS SageMaker registry{unlisted}. A third account's image is not copied: "
        "push it to the source account's ECR and register the package with that image"
    )


def repository_prefix(resource_prefix: str) -> str:
    """Where promoted images land in the target: <name_prefix>-<environment>-promoted (modules/promotion)."""
    return f"{resource_prefix}{REPOSITORY_SUFFIX}"


def target_repository(prefix: str, source_repository: str) -> str:
    """<prefix>/<source repository>: the source's name, under the prefix the promotion role may write."""
    name = f"{prefix}/{source_repository}"
    if len(name) > MAX_REPOSITORY_NAME or not _REPOSITORY_NAME.match(name):
        raise Refused(
            f"the target repository {name!r} is not a valid ECR repository name (at most {MAX_REPOSITORY_NAME} characters)"
        )
    return name


def target_image_uri(account: str, region: str, repository: str, digest: str) -> str:
    """<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>@<digest>: pinned, never a tag."""
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    uri = f"{account}.dkr.ecr.{region}.{domain}/{repository}@{digest}"
    if len(uri) > MAX_IMAGE_URI:
        raise Refused(f"the promoted image URI {uri!r} is longer than the {MAX_IMAGE_URI} characters SageMaker takes")
    return uri


def promoted_tag(digest: str) -> str:
    return f"promoted-{digest.removeprefix('sha256:')[:PROMOTED_TAG_CHARS]}"


def digest_of(manifest: str) -> str:
    """An image's digest: SHA-256 of its manifest's bytes (UTF-8, exactly as the registry holds them)."""
    return "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Blob:
    digest: str
    size: int
    media_type: str


@dataclass(frozen=True)
class Manifest:
    digest: str
    media_type: str
    text: str  # the exact manifest, as the source registry answers it
    blobs: tuple[Blob, ...]  # an image manifest's config and layers
    children: tuple[str, ...]  # the manifests an index names

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEXES


def _descriptor(item: Any, where: str) -> tuple[str, int, str]:
    if not isinstance(item, Mapping):
        raise Refused(f"{where}: a descriptor is not an object")
    digest, size = item.get("digest"), item.get("size")
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise Refused(f"{where}: descriptor digest {digest!r} is not sha256:<64 hex> (ECR stores SHA-256 only)")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise Refused(f"{where}: descriptor {digest} has no valid size")
    if item.get("urls"):
        raise Refused(f"{where}: layer {digest} is a foreign layer (urls): it is not in the registry to be copied")
    return digest, size, str(item.get("mediaType", ""))


def parse_manifest(text: str, registry_media_type: str | None, digest: str, where: str) -> Manifest:
    """The blobs or child manifests of one manifest, checked against its digest.

    Raises PromotionFailed when the bytes are not the digest's (the registry answered something
    else), Refused for what cannot be copied as it is (Docker schema 1, unknown types, foreign layers)."""
    if digest_of(text) != digest:
        raise PromotionFailed(f"{where}: the manifest the source registry answered is not {digest} (SHA-256 differs)")
    try:
        document = json.loads(text)
    except ValueError:
        raise Refused(f"{where}: manifest {digest} is not JSON") from None
    if not isinstance(document, Mapping):
        raise Refused(f"{where}: manifest {digest} is not a JSON object")
    media_type = document.get("mediaType") or registry_media_type or ""
    if document.get("schemaVersion") == 1 or media_type.startswith(DOCKER_SCHEMA1):
        raise Refused(f"{where}: {digest} is a Docker schema 1 manifest, which cannot be copied: push the image again")
    if media_type in INDEXES or (not media_type and "manifests" in document):
        media_type = media_type or OCI_INDEX
        children = [_descriptor(item, where)[0] for item in document.get("manifests") or []]
        if not children:
            raise Refused(f"{where}: index {digest} names no manifests")
        return Manifest(digest, media_type, text, (), tuple(dict.fromkeys(children)))
    if media_type in IMAGE_MANIFESTS or (not media_type and "layers" in document):
        media_type = media_type or OCI_MANIFEST
        items = [document.get("config"), *(document.get("layers") or [])]
        blobs: dict[str, Blob] = {}
        for item in items:
            blob_digest, size, kind = _descriptor(item, where)
            blobs.setdefault(blob_digest, Blob(blob_digest, size, kind))
        return Manifest(digest, media_type, text, tuple(blobs.values()), ())
    raise Refused(f"{where}: manifest {digest} has media type {media_type!r}, which promote_model does not copy")


def check_download_url(url: str, api_endpoint: str | None) -> None:
    """A layer URL must be HTTPS, unless the ECR API itself was reached over plain HTTP (a local
    emulator): the transport is never weaker than the API's. Raises PromotionFailed."""
    scheme = urlsplit(url).scheme.lower()
    api_scheme = urlsplit(api_endpoint or "https://").scheme.lower()
    if scheme == "https" or (scheme == "http" and api_scheme == "http"):
        return
    raise PromotionFailed(f"ECR answered a layer download URL with scheme {scheme!r}, not HTTPS: not downloaded")


def parts(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Re-cut a byte stream into parts of `size` bytes (the last may be shorter), holding one part at most."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)


def part_size(answered: Any) -> int:
    """The part size InitiateLayerUpload answers, within sane bounds (else ECR's 10 MiB)."""
    if isinstance(answered, int) and 1024 * 1024 <= answered <= MAX_PART_SIZE:
        return answered
    return DEFAULT_PART_SIZE


# --- the plan ----------------------------------------------------------------------------------------


@dataclass
class ImagePlan:
    """One container's image: kept, already in the target (present), or to copy."""

    container: int
    source_uri: str
    kind: str  # aws | target | source
    action: str  # keep | present | copy
    source: ImageRef
    digest: str | None = None  # the source image's digest (for kind source)
    target_repository: str | None = None
    target_uri: str | None = None
    repository_exists: bool = False
    manifests: tuple[Manifest, ...] = ()  # push order: the manifests an index names, then the image's own
    pinned: bool = False  # the package pins it: ImageDigest recorded, or a digest in the URI (integrity.py)

    @property
    def blobs(self) -> list[Blob]:
        unique: dict[str, Blob] = {}
        for manifest in self.manifests:
            for blob in manifest.blobs:
                unique.setdefault(blob.digest, blob)
        return list(unique.values())

    @property
    def size(self) -> int:
        return sum(blob.size for blob in self.blobs)

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "container": self.container,
            "source": self.source_uri,
            "kind": self.kind,
            "action": self.action,
        }
        if self.kind == "source":
            described.update(
                source_digest=self.digest,
                target=self.target_uri,
                target_repository=self.target_repository,
                repository="present" if self.repository_exists else "create",
                manifests=len(self.manifests),
                blobs=len(self.blobs),
                bytes=self.size,
            )
        return described


def text_line(image: Mapping[str, Any]) -> str:
    """One line of the text report for an image, planned (ImagePlan.describe) or copied (CopiedImage.describe)."""
    head = f"  image   container {image['container']}: {image['source']}"
    if image["kind"] == "aws":
        return f"{head} kept (AWS-owned registry)"
    if image["kind"] == "target":
        return f"{head} kept (already in the target account)"
    if image["action"] == "present":
        return f"{head} -> {image['target']}  already there"
    if image["action"] == "copied":
        return (
            f"{head} -> {image['target']}  copied, {image['blobs_uploaded']} blob(s), "
            f"{human(image['bytes_uploaded'])} uploaded; repository {image['repository']}"
        )
    return (
        f"{head} -> {image['target']}  copy {image['manifests']} manifest(s), {image['blobs']} blob(s), "
        f"{human(image['bytes'])}; repository {image['target_repository']} ({image['repository']})"
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def resolve_source_digest(ecr: Client, image: ImageClass) -> str:
    """The digest the source registry reports now for the image (DescribeImages by tag or digest, as
    the promotion role). Refused when it cannot be resolved, the role may not read the repository, or
    the digest differs from the package's ImageDigest."""
    ref = image.ref
    where = f"container {image.container} image {image.uri}"
    try:
        details = ecr.describe_images(registryId=ref.account, repositoryName=ref.repository, imageIds=[ref.image_id])
    except ClientError as exc:
        if _code(exc) in ("ImageNotFoundException", "RepositoryNotFoundException"):
            what = f"tag {ref.tag or 'latest'}" if not ref.digest else f"digest {ref.digest}"
            raise Refused(
                f"{where}: the source registry has no {what} in {ref.repository} ({_code(exc)}), "
                "so it cannot be resolved to a digest"
            ) from None
        if _code(exc) in _DENIED:
            raise Refused(
                f"{where}: the promotion role may not read {ref.repository_arn} ({_code(exc)}): list it in the "
                "target's modules/promotion source_image_repository_arns and grant the role in its repository policy"
            ) from None
        raise
    found = [d for d in details.get("imageDetails", []) if d.get("imageDigest")]
    if len(found) != 1:
        raise Refused(f"{where}: the source registry answered {len(found)} images for it, not one")
    digest = str(found[0]["imageDigest"])
    if image.recorded_digest and image.recorded_digest.lower() != digest:
        raise Refused(
            f"{where}: the package records ImageDigest {image.recorded_digest}, but the source registry now reports "
            f"{digest} for it (the tag was moved): the approved image is no longer the one it names"
        )
    return digest


def target_state(ecr: Client, account: str, repository: str, digest: str) -> tuple[bool, bool]:
    """(repository exists, image with this digest present) in the target. Refused when the
    promotion role may not use the repository (it may create and push under its prefix only)."""
    try:
        ecr.describe_repositories(registryId=account, repositoryNames=[repository])
    except ClientError as exc:
        if _code(exc) == "RepositoryNotFoundException":
            return False, False
        if _code(exc) in _DENIED:
            raise Refused(
                f"the promotion role may not use the target repository {repository} ({_code(exc)}): it creates and "
                "pushes under its own prefix only (modules/promotion: source_image_repository_arns)"
            ) from None
        raise
    return True, image_present(ecr, account, repository, digest)


def image_present(ecr: Client, account: str, repository: str, digest: str) -> bool:
    try:
        ecr.describe_images(registryId=account, repositoryName=repository, imageIds=[{"imageDigest": digest}])
    except ClientError as exc:
        if _code(exc) in ("ImageNotFoundException", "RepositoryNotFoundException"):
            return False
        raise
    return True


def fetch_manifests(ecr: Client, ref: ImageRef, digest: str, where: str) -> tuple[Manifest, ...]:
    """The image's manifests in push order (the ones an index names first), each checked against its
    digest (BatchGetImage by digest, every current manifest type accepted)."""
    ordered: list[Manifest] = []
    seen: set[str] = set()

    def visit(wanted: str, depth: int) -> None:
        if wanted in seen:
            return
        seen.add(wanted)
        answer = ecr.batch_get_image(
            registryId=ref.account,
            repositoryName=ref.repository,
            imageIds=[{"imageDigest": wanted}],
            acceptedMediaTypes=ACCEPTED_MEDIA_TYPES,
        )
        images = [i for i in answer.get("images", []) if i.get("imageManifest")]
        if not images:
            failure: Mapping[str, Any] = next(iter(answer.get("failures", [])), {})
            raise Refused(
                f"{where}: the source repository {ref.repository} does not give manifest {wanted} "
                f"({failure.get('failureCode', 'not found')})"
            )
        manifest = parse_manifest(images[0]["imageManifest"], images[0].get("imageManifestMediaType"), wanted, where)
        if manifest.is_index:
            if depth >= MAX_INDEX_DEPTH:
                raise Refused(f"{where}: indexes nested deeper than {MAX_INDEX_DEPTH} levels are not copied")
            for child in manifest.children:
                visit(child, depth + 1)
        ordered.append(manifest)

    visit(digest, 0)
    return tuple(ordered)


def plan_images(
    containers: Sequence[Mapping[str, Any]],
    *,
    source_account: str,
    target_account: str,
    target_region: str,
    prefix: str,
    aws_registries: Mapping[str, Collection[str]],
    source_ecr: SourceEcr,
    target_ecr: Client,
) -> list[ImagePlan]:
    """Decide every container image before anything is copied: classify all of them first (refusals
    need no AWS call), then, for source-account images, resolve the digest in the source registry
    (refused when it is not the package's ImageDigest: the integrity check of images, made here, in
    the same phase as the artifacts' in src/smenv/promotion/integrity.py), look for it in the target, and
    read the manifests to copy."""
    classes = [
        classify_image(
            index,
            container.get("Image", ""),
            container.get("ImageDigest"),
            source_account=source_account,
            target_account=target_account,
            target_region=target_region,
            aws_registries=aws_registries,
        )
        for index, container in enumerate(containers)
    ]
    plans = []
    for image in classes:
        if image.kind != "source":
            plans.append(ImagePlan(image.container, image.uri, image.kind, "keep", image.ref))
            continue
        ecr = source_ecr(image.ref.region)
        digest = resolve_source_digest(ecr, image)
        repository = target_repository(prefix, image.ref.repository)
        uri = target_image_uri(target_account, target_region, repository, digest)
        exists, present = target_state(target_ecr, target_account, repository, digest)
        where = f"container {image.container} image {image.uri}"
        plans.append(
            ImagePlan(
                container=image.container,
                source_uri=image.uri,
                kind="source",
                action="present" if present else "copy",
                source=image.ref,
                digest=digest,
                target_repository=repository,
                target_uri=uri,
                repository_exists=exists,
                manifests=() if present else fetch_manifests(ecr, image.ref, digest, where),
                pinned=bool(image.recorded_digest or image.ref.digest),
            )
        )
    return plans


def pinned(plans: Iterable[ImagePlan]) -> dict[int, tuple[str, str]]:
    """{container: (source digest, target URI)} of the images the package will point at by digest."""
    return {p.container: (p.digest, p.target_uri) for p in plans if p.kind == "source" and p.digest and p.target_uri}


# --- the copy ----------------------------------------------------------------------------------------

_POOL: urllib3.PoolManager | None = None


def _http() -> urllib3.PoolManager:
    """One urllib3 pool for the layer downloads (urllib3 is botocore's own HTTP library): TLS verified
    against the system's CAs, or AWS_CA_BUNDLE as the AWS SDKs honour it; retries on connection
    errors and 5xx before any byte was read."""
    global _POOL  # noqa: PLW0603
    if _POOL is None:
        import urllib3

        _POOL = urllib3.PoolManager(
            retries=urllib3.Retry(
                total=4, backoff_factor=0.5, status_forcelist=(500, 502, 503, 504), allowed_methods={"GET"}
            ),
            timeout=urllib3.Timeout(connect=10, read=120),
            ca_certs=os.environ.get("AWS_CA_BUNDLE") or None,
        )
    return _POOL


@contextlib.contextmanager
def http_download(url: str) -> Iterator[Iterable[bytes]]:
    """GET a layer URL, as a stream of chunks (not decoded: the bytes are the blob's own). The URL is
    presigned: it never appears in a message."""
    response = _http().request("GET", url, preload_content=False, decode_content=False)
    finished = False
    try:
        if response.status != 200:
            raise PromotionFailed(f"the layer download URL answered HTTP {response.status}")
        yield response.stream(DOWNLOAD_CHUNK, decode_content=False)
        finished = True
    finally:
        if finished:
            response.release_conn()
        else:
            response.close()  # a connection with unread bytes is never reused


@dataclass
class CopiedImage:
    plan: ImagePlan
    action: str  # copied | present
    created_repository: bool
    pushed: list[str] = field(default_factory=list)  # digests this run PutImage'd, in push order
    blobs_uploaded: int = 0
    bytes_uploaded: int = 0
    seconds: float = 0.0

    def describe(self) -> dict[str, Any]:
        return {
            **self.plan.describe(),
            "action": self.action,
            "repository": "created" if self.created_repository else "present",
            "blobs_uploaded": self.blobs_uploaded,
            "bytes_uploaded": self.bytes_uploaded,
            "seconds": round(self.seconds, 3),
        }


def ensure_repository(ecr: Client, plan: ImagePlan, account: str) -> bool:
    """Create the target repository if it is missing (True when this call created it): IMMUTABLE tags,
    scan on push, AES256 (see the module docstring), tagged with its source repository."""
    if plan.repository_exists:
        return False
    try:
        ecr.create_repository(
            registryId=account,
            repositoryName=plan.target_repository,
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
            encryptionConfiguration={"encryptionType": "AES256"},
            tags=[{"Key": TAG_SOURCE_REPOSITORY, "Value": plan.source.repository_arn}],
        )
    except ClientError as exc:
        if _code(exc) == "RepositoryAlreadyExistsException":
            return False
        raise
    return True


def missing_blobs(ecr: Client, account: str, repository: str, blobs: Sequence[Blob]) -> list[Blob]:
    """The blobs the target repository does not hold yet (BatchCheckLayerAvailability, 100 a call)."""
    missing: list[Blob] = []
    for start in range(0, len(blobs), CHECK_BATCH):
        batch = blobs[start : start + CHECK_BATCH]
        answer = ecr.batch_check_layer_availability(
            registryId=account, repositoryName=repository, layerDigests=[b.digest for b in batch]
        )
        available = {
            layer["layerDigest"] for layer in answer.get("layers", []) if layer.get("layerAvailability") == "AVAILABLE"
        }
        for failure in answer.get("failures", []):
            if failure.get("failureCode") not in ("MissingLayerDigest", None):
                raise PromotionFailed(
                    f"BatchCheckLayerAvailability: {failure.get('layerDigest')}: {failure.get('failureCode')}: "
                    f"{failure.get('failureReason', '')}".rstrip(": ")
                )
        missing.extend(b for b in batch if b.digest not in available)
    return missing


def copy_blob(
    source_ecr: Client,
    target_ecr: Client,
    plan: ImagePlan,
    account: str,
    blob: Blob,
    *,
    download: Download,
    progress: Progress,
) -> None:
    """Stream one blob from the source registry into the target, checking its size and SHA-256 before
    the upload is completed (an upload never completed is never a layer)."""
    where = f"blob {blob.digest} of {plan.source_uri}"
    url = source_ecr.get_download_url_for_layer(
        registryId=plan.source.account, repositoryName=plan.source.repository, layerDigest=blob.digest
    )["downloadUrl"]
    check_download_url(url, source_ecr.meta.endpoint_url)
    upload = target_ecr.initiate_layer_upload(registryId=account, repositoryName=plan.target_repository)
    upload_id, size = upload["uploadId"], part_size(upload.get("partSize"))
    digest, received = hashlib.sha256(), 0
    with download(url) as stream:
        for part in parts(stream, size):
            if received + len(part) > blob.size:
                raise PromotionFailed(f"{where} did not verify: more than the {blob.size} bytes its manifest says")
            digest.update(part)
            target_ecr.upload_layer_part(
                registryId=account,
                repositoryName=plan.target_repository,
                uploadId=upload_id,
                partFirstByte=received,
                partLastByte=received + len(part) - 1,
                layerPartBlob=part,
            )
            received += len(part)
            progress.add(len(part))
    actual = "sha256:" + digest.hexdigest()
    if received != blob.size or actual != blob.digest:
        raise PromotionFailed(f"{where} did not verify: {received} bytes with digest {actual}")
    done = target_ecr.complete_layer_upload(
        registryId=account, repositoryName=plan.target_repository, uploadId=upload_id, layerDigests=[blob.digest]
    )
    if done.get("layerDigest") != blob.digest:
        raise PromotionFailed(f"{where} did not verify: the target registry computed {done.get('layerDigest')}")


def put_manifest(ecr: Client, plan: ImagePlan, account: str, manifest: Manifest, tag: str | None) -> bool:
    """PutImage with the exact manifest and its digest (True when this call registered it; False
    when the target already held it)."""
    extra = {"imageTag": tag} if tag else {}
    try:
        answer = ecr.put_image(
            registryId=account,
            repositoryName=plan.target_repository,
            imageManifest=manifest.text,
            imageManifestMediaType=manifest.media_type,
            imageDigest=manifest.digest,
            **extra,
        )
    except ClientError as exc:
        if _code(exc) == "ImageAlreadyExistsException":
            return False
        raise
    got = answer.get("image", {}).get("imageId", {}).get("imageDigest")
    if got != manifest.digest:
        with contextlib.suppress(Exception):
            delete_images(ecr, account, plan.target_repository or "", [got] if got else [])
        raise PromotionFailed(f"PutImage of {manifest.digest} registered {got}: not the source's digest")
    return True


def delete_images(ecr: Client, account: str, repository: str, digests: Sequence[str]) -> None:
    """BatchDeleteImage of what a run pushed (the image first, then the manifests it names)."""
    if digests:
        ecr.batch_delete_image(
            registryId=account, repositoryName=repository, imageIds=[{"imageDigest": d} for d in digests]
        )


def copy_image(
    source_ecr: Client,
    target_ecr: Client,
    plan: ImagePlan,
    account: str,
    *,
    download: Download = http_download,
    progress: ProgressFactory = no_progress,
) -> CopiedImage:
    """Copy one planned image into the target (see the module docstring). A failure deletes the
    manifests this call registered and re-raises."""
    started = time.monotonic()
    created = ensure_repository(target_ecr, plan, account)
    copied = CopiedImage(plan, "copied", created)
    repository = plan.target_repository or ""
    try:
        for manifest in plan.manifests:
            top = manifest is plan.manifests[-1]
            if not top and image_present(target_ecr, account, repository, manifest.digest):
                continue
            for blob in missing_blobs(target_ecr, account, repository, manifest.blobs):
                bar = progress(blob.digest.removeprefix("sha256:")[:12], blob.size)
                try:
                    copy_blob(source_ecr, target_ecr, plan, account, blob, download=download, progress=bar)
                finally:
                    bar.close()
                copied.blobs_uploaded += 1
                copied.bytes_uploaded += blob.size
            if put_manifest(target_ecr, plan, account, manifest, promoted_tag(manifest.digest) if top else None):
                copied.pushed.append(manifest.digest)
            elif top and not copied.pushed:
                copied.action = "present"
    except BaseException:
        with contextlib.suppress(Exception):
            delete_images(target_ecr, account, repository, list(reversed(copied.pushed)))
        raise
    copied.seconds = time.monotonic() - started
    return copied
