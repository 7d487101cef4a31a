"""Promote an approved SageMaker model package from one account (dev) into another (staging, prod).

    python tools/promote_model.py --model-package-arn arn:aws:sagemaker:eu-west-1:111111111111:model-package/fraud/3 \\
        --target-env staging --target-role-arn arn:aws:iam::222222222222:role/smenv-staging-promotion \\
        [--endpoint fraud --as production | --as shadow --shadow-sampling 10] [--dry-run] [--json]

What it does, in order (nothing in the target changes before step 7):
 1. reads the source package (source credentials) and refuses anything not Approved (exit 3);
 2. reads the target's contract from SSM (promotion/model_bucket, promotion/kms_key_arn,
    promotion/model_package_group) unless given as flags, and checks the target credentials are for
    the account in live/<env>/env.hcl;
 3. classifies each container's Image: AWS-owned (modules/_image_registries/aws_registries.json) or
    already in the target account, in the target region: kept; in the source account's ECR: to copy
    into <name_prefix>-<env>-promoted/<source repository> in the target account, pinned by digest;
    anything else (a third account, not ECR, another region...) is refused (exit 3). For each image to
    copy it resolves the digest in the source registry (refused when a tag does not resolve, or when
    the package's ImageDigest differs from what the registry reports now), looks for that digest in
    the target, and reads its manifests (the promotion role reads both registries);
 4. verifies the source against what the package recorded (src/smenv/promotion/integrity.py): each
    artifact's current ETag (HeadObject of the version the copy will read) against the container's
    ModelDataETag (and ModelDataSource.S3DataSource.ETag); else the SHA-256 in its metadata key
    smenv:container-<i>-sha256 against S3's whole-object SHA-256 checksum, else against the bytes, read
    once through hashlib. Any difference is refused (exit 3) naming the container; a container that
    records nothing (no ETag, no hash; a source-account image without ImageDigest; a package promoted
    unverified) is refused too (exit 3, naming what is missing) unless --accept-unverified-source;
 5. plans each container's ModelDataUrl copy to
        s3://<target bucket>/promoted/<source group>/<source version>/<content hash[:16]>/<container>/<file>
    (the content hash is SHA-256 over each artifact's size, ETag and checksum and each copied image's
    digest: same content, same key);
 6. looks for a package in the target group promoted from the same source: same content -> "already
    promoted" (exit 0, nothing done); other content -> refused (exit 3);
 7. copies the artifacts server-side (CopyObject; above --multipart-threshold, parallel UploadPartCopy),
    SSE-KMS with the target's models key, and verifies every copy; copies each image not yet in the
    target (blobs streamed from the source registry into the target, each checked against its SHA-256,
    then PutImage with the source's exact manifests, so the digest is the same); then registers a
    package in the target group pointing at the copies (images by digest), recording each copy's ETag
    as its ModelDataETag, with metadata linking back to the source (package, content hash, source image
    digests, target image URIs), each artifact's SHA-256 where known (smenv:container-<i>-sha256) and
    smenv:source-integrity (verified, or unverified), so a promotion from it verifies it the same way.
    A failure removes what the run made (copied objects, pushed images) and registers nothing.
 8. with --endpoint: a model and a new endpoint configuration (production swap or shadow), UpdateEndpoint.

Target credentials come from --target-profile / --target-role-arn, else the ambient credentials (they
are also what reads the contract; promotion/role_arn there names the role operators should use).

Exit codes: 0 promoted or already promoted, 1 AWS failure (nothing registered), 2 bad usage or input,
3 refused.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smenv.core import cli
from smenv.core.awsutil import RETRY_CONFIG, Client, client
from smenv.core.project import Environment, UsageError, load_environment
from smenv.promotion import (
    PromotionFailed,
    Refused,
    contract,
    images,
    integrity,
    registry,
)
from smenv.promotion.arns import ModelPackageArn, check_role_arn, parse_model_package_arn
from smenv.promotion.copy import Copied, copy_artifact, delete_copy, head_source, no_progress
from smenv.promotion.endpoint import EndpointPlan, apply_endpoint, plan_endpoint
from smenv.promotion.plan import (
    DEFAULT_CONCURRENCY,
    META_SOURCE_INTEGRITY,
    ArtifactPlan,
    CopyOptions,
    SourceObject,
    default_approval_status,
    find_promotion,
    human,
    parse_size,
    plan_artifacts,
    promoted_metadata,
    promoted_specification,
    weakest,
)
from smenv.promotion.progress import Progress
from smenv.promotion.sessions import account_of, session_for

PROG = "promote_model"
NEW_PACKAGE = "(the package this run registers)"


def warn_on_stderr(message: str) -> None:
    """A warning is printed whatever the output mode (it goes to stderr, beside --json's stdout)."""
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = cli.OneLineParser(
        prog=PROG,
        description=__doc__.splitlines()[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model-package-arn", required=True, help="the source model package (versioned ARN)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--source-profile", help="AWS profile for the source account (default: ambient credentials)")
    source.add_argument("--source-role-arn", help="role to assume for the source account")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--target-profile", help="AWS profile for the target account (default: ambient credentials)")
    target.add_argument("--target-role-arn", help="role to assume in the target account (its promotion role)")
    parser.add_argument(
        "--target-env", required=True, help="environment under live/ (staging, prod, ...): region, account, SSM prefix"
    )
    parser.add_argument("--target-bucket", help="override promotion/model_bucket (no SSM read for it)")
    parser.add_argument("--target-kms-key-arn", help="override promotion/kms_key_arn (no SSM read for it)")
    parser.add_argument(
        "--target-model-package-group", help="override promotion/model_package_group (no SSM read for it)"
    )
    parser.add_argument(
        "--approval-status",
        choices=["Approved", "PendingManualApproval"],
        help="status of the package registered in the target (default: PendingManualApproval in prod, Approved elsewhere)",
    )
    parser.add_argument(
        "--endpoint",
        help="also point this endpoint (endpoints/<NAME>/endpoint_name in the contract, or its name) at the model",
    )
    parser.add_argument(
        "--as",
        dest="mode",
        choices=["production", "shadow"],
        help="with --endpoint: swap production (default) or add a shadow variant",
    )
    parser.add_argument(
        "--shadow-sampling",
        type=int,
        metavar="PCT",
        help="with --as shadow: percentage of production requests mirrored, 1-100",
    )
    parser.add_argument(
        "--multipart-threshold",
        default="5GiB",
        help="copy larger objects with parallel multipart copy (default 5GiB, the most CopyObject takes)",
    )
    parser.add_argument("--part-size", default="256MiB", help="multipart copy part size (default 256MiB; 5MiB-5GiB)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"parts copied at once (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--accept-unverified-source",
        action="store_true",
        help="promote a package that records nothing to verify its artifacts or source images by "
        "(no ModelDataETag, no smenv:container-<i>-sha256, no ImageDigest): a warning, and the target package is "
        "marked smenv:source-integrity=unverified. A mismatch is refused all the same",
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would be copied and created; change nothing")
    parser.add_argument("--json", action="store_true", help="print one JSON document (no progress bar)")
    return parser


@dataclass
class Args:
    """The command line, checked."""

    raw: argparse.Namespace
    options: CopyOptions
    mode: str | None


def check_args(raw: argparse.Namespace) -> Args:
    if raw.mode and not raw.endpoint:
        raise UsageError("--as needs --endpoint")
    if raw.shadow_sampling is not None:
        if raw.mode != "shadow":
            raise UsageError("--shadow-sampling needs --as shadow")
        if not 1 <= raw.shadow_sampling <= 100:
            raise UsageError(f"--shadow-sampling must be from 1 to 100, got {raw.shadow_sampling}")
    if raw.mode == "shadow" and raw.shadow_sampling is None:
        raise UsageError("--as shadow needs --shadow-sampling PCT")
    for flag in ("source_role_arn", "target_role_arn"):
        if getattr(raw, flag):
            check_role_arn(getattr(raw, flag), "--" + flag.replace("_", "-"))
    options = CopyOptions(
        multipart_threshold=parse_size(raw.multipart_threshold, "--multipart-threshold"),
        part_size=parse_size(raw.part_size, "--part-size"),
        concurrency=raw.concurrency,
    )
    return Args(raw=raw, options=options, mode=(raw.mode or "production") if raw.endpoint else None)


@dataclass
class Report:
    """What the run found and did: printed as text, or as one JSON document."""

    status: str = "planned"
    source: dict[str, Any] = field(default_factory=dict)
    target: dict[str, Any] = field(default_factory=dict)
    content_hash: str | None = None
    integrity: dict[str, Any] = field(default_factory=dict)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    package: dict[str, Any] = field(default_factory=dict)
    endpoint: dict[str, Any] | None = None
    dry_run: bool = False

    def document(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "dry_run": self.dry_run,
            "source": self.source,
            "target": self.target,
            "content_hash": self.content_hash,
            "integrity": self.integrity,
            "artifacts": self.artifacts,
            "images": self.images,
            "package": self.package,
            "endpoint": self.endpoint,
        }

    def text(self) -> str:
        verb = {"dry-run": "would promote", "promoted": "promoted", "already-promoted": "already promoted"}[self.status]
        lines = [
            f"{verb} {self.source['package_arn']} -> {self.target['environment']} "
            f"({self.target['account']}, {self.target['region']}), group {self.target['model_package_group']}",
            f"content hash {self.content_hash}",
        ]
        for check in self.integrity.get("artifacts", []):
            lines.append(f"  verify  container {check['container']}: {check['source']} {check['detail']}")
        if self.integrity.get("unverified"):
            lines.append(
                f"  source  UNVERIFIED ({'; '.join(self.integrity['unverified'])}): "
                f"the target package is marked {META_SOURCE_INTEGRITY}=unverified"
            )
        for art in self.artifacts:
            how = (
                f"multipart, {art['parts']} parts of {human(art['part_size'])}"
                if art["method"] == "multipart"
                else "single copy"
            )
            action = art.get("action", "copy")
            check = art.get("verified_by", art["verification"])
            lines.append(
                f"  {action:<7} {art['source']} -> {art['target']}  {human(art['bytes'])}  {how}; "
                f"SSE-KMS {self.target['kms_key_arn']}; verified by {check}"
            )
            if check == "size":
                lines.append("          (the source object has no checksum: only its size could be compared)")
        lines.extend(images.text_line(image) for image in self.images)
        pkg = self.package
        lines.append(f"  package {pkg.get('action')}: {pkg.get('arn') or NEW_PACKAGE} ({pkg.get('approval_status')})")
        if self.endpoint:
            ep = self.endpoint
            lines.append(
                f"  endpoint {ep['endpoint']} ({ep['as']}): {ep['action']}; model {ep['model']} ({ep['model_action']}), "
                f"config {ep['config'] or ep['previous_config']} (was {ep['previous_config']})"
                + (f", shadow sampling {ep['shadow_sampling']}%" if ep["as"] == "shadow" else "")
            )
        if self.dry_run:
            lines.append("dry run: nothing changed")
        return "\n".join(lines)


@dataclass
class Run:
    """One promotion: its inputs, the clients on both sides, and what it learns on the way."""

    args: Args
    report: Report
    say: Callable[[str], None]
    source_ref: ModelPackageArn
    env: Environment
    warn: Callable[[str], None] = warn_on_stderr
    clients: dict[str, Any] = field(default_factory=dict)
    target: contract.Target | None = None
    package: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    plans: list[ArtifactPlan] = field(default_factory=list)
    image_plans: list[images.ImagePlan] = field(default_factory=list)
    verdicts: dict[int, integrity.Verdict] = field(default_factory=dict)
    source_integrity: str = integrity.VERIFIED
    target_session: Any = None
    _source_ecr: dict[str, Client] = field(default_factory=dict)
    _source_reader: Client = None

    @property
    def raw(self) -> argparse.Namespace:
        return self.args.raw

    def connect(self) -> None:
        """Sessions for both sides; the target's must be the account env.hcl names."""
        raw = self.raw
        source = session_for(raw.source_profile, raw.source_role_arn, self.source_ref.region, "source")
        target = session_for(raw.target_profile, raw.target_role_arn, self.env.region, "target")
        account, caller = account_of(target)
        if account != self.env.account_id:
            raise UsageError(
                f"the target credentials are for account {account}, "
                f"but live/{self.env.name}/env.hcl says {self.env.account_id}"
            )
        self.target_session = target
        self.clients = {
            "source_sm": client(source, "sagemaker"),
            "source_s3": client(source, "s3"),
            "sm": client(target, "sagemaker"),
            "ssm": client(target, "ssm"),
            "s3": client(target, "s3", pool=self.args.options.concurrency + 4),
            "ecr": client(target, "ecr"),
        }
        self.report.target = {
            "environment": self.env.name,
            "account": account,
            "region": self.env.region,
            "caller": caller,
        }

    def resolve_target(self) -> contract.Target:
        raw = self.raw
        target, from_ssm = contract.resolve_target(
            self.clients["ssm"],
            self.env.parameter_prefix,
            raw.target_bucket,
            raw.target_kms_key_arn,
            raw.target_model_package_group,
        )
        self.report.target.update(
            bucket=target.bucket,
            kms_key_arn=target.kms_key_arn,
            model_package_group=target.model_package_group,
            from_ssm=from_ssm,
            promotion_role_arn=target.role_arn,
        )
        self.target = target
        return target

    def source_ecr(self, region: str) -> Client:
        """The promotion role's ECR client for a source registry's region (it reads dev's repositories,
        whose policies grant it, as it reads dev's model bucket)."""
        if region not in self._source_ecr:
            self._source_ecr[region] = self.target_session.client("ecr", region_name=region, config=RETRY_CONFIG)
        return self._source_ecr[region]

    def source_reader(self) -> Client:
        """The promotion role's S3 client in the source's region: it reads a source artifact's bytes
        (GetObject, GetObjectVersion, and the source key through S3) as the copy does, so a stream to
        verify one needs no permission the copy does not."""
        if self._source_reader is None:
            self._source_reader = self.target_session.client(
                "s3", region_name=self.source_ref.region, config=RETRY_CONFIG
            )
        return self._source_reader

    def progress(self) -> Callable[[str, int], Progress]:
        """A bar per long transfer on a terminal, none with --json or when stderr is not one."""
        if not self.raw.json and sys.stderr.isatty():
            return lambda label, total: Progress(label, total, enabled=True)
        return no_progress

    def plan_images(self) -> None:
        """Every container image decided before anything is copied (src/smenv/promotion/images.py)."""
        self.image_plans = images.plan_images(
            self.package.get("InferenceSpecification", {}).get("Containers", []),
            source_account=self.source_ref.account,
            target_account=self.env.account_id,
            target_region=self.env.region,
            prefix=images.repository_prefix(self.env.resource_prefix),
            aws_registries=images.load_aws_registries(),
            source_ecr=self.source_ecr,
            target_ecr=self.clients["ecr"],
        )
        self.report.images = [plan.describe() for plan in self.image_plans]

    def plan_copies(self) -> None:
        """The source package (Approved only), its images, its artifacts as S3 reports them, and the copy plan."""
        ref = self.source_ref
        self.package = registry.describe_source(self.clients["source_sm"], ref)
        self.report.source["approval_status"] = self.package.get("ModelApprovalStatus", "PendingManualApproval")
        registry.check_approved(self.package, ref.arn)
        locations = registry.source_artifacts(self.package, ref.arn)
        self.plan_images()
        objects = [head_source(self.clients["source_s3"], index, bucket, key) for index, bucket, key in locations]
        self.verify_sources(objects)
        assert self.target is not None
        self.digest, self.plans = plan_artifacts(
            objects,
            ref.group,
            ref.version,
            self.target.bucket,
            self.args.options,
            image_digests={c: digest for c, (digest, _) in images.pinned(self.image_plans).items()},
        )
        self.report.content_hash = self.digest
        self.report.artifacts = [plan.describe() for plan in self.plans]

    def verify_sources(self, objects: list[SourceObject]) -> None:
        """Each artifact against what the package recorded, before anything is copied (the images'
        recorded digests were checked by plan_images): refused on a mismatch, and on nothing to verify
        unless --accept-unverified-source; a recorded SHA-256 S3 cannot confirm is read from the bytes
        last, once the cheaper refusals had their chance (src/smenv/promotion/integrity.py)."""
        ref, metadata = self.source_ref, self.package.get("CustomerMetadataProperties", {})
        containers = self.package.get("InferenceSpecification", {}).get("Containers", [])
        recorded = integrity.recorded(containers, metadata)
        verdicts = [integrity.judge(recorded[obj.container], obj) for obj in objects]
        image_records = [
            integrity.ImageRecord(plan.container, plan.source_uri, plan.kind, plan.pinned) for plan in self.image_plans
        ]
        reasons = integrity.unverified(verdicts, image_records, metadata)
        self.report.integrity = {
            "status": integrity.UNVERIFIED if reasons else integrity.VERIFIED,
            "artifacts": [v.describe() for v in verdicts],
            "unverified": reasons,
        }
        if reasons and not self.raw.accept_unverified_source:
            raise Refused(integrity.refusal(ref.arn, reasons))
        by_container = {obj.container: obj for obj in objects}
        bars = self.progress()
        for index, verdict in enumerate(verdicts):
            if verdict.needs_stream:
                obj = by_container[verdict.container]
                self.say(f"reading {obj.uri} to verify its SHA-256 ({human(obj.size)})")
                bar = bars(f"verify {obj.key.rsplit('/', 1)[-1]}", obj.size)
                try:
                    actual = integrity.stream_sha256(self.source_reader(), obj, bar)
                finally:
                    bar.close()
                verdicts[index] = integrity.judge_stream(verdict, actual)
        self.verdicts = {v.container: v for v in verdicts}
        self.report.integrity["artifacts"] = [v.describe() for v in verdicts]
        if reasons:
            self.source_integrity = integrity.UNVERIFIED
            self.warn(
                f"promoting an unverified source ({'; '.join(reasons)}): the target package is marked "
                f"{META_SOURCE_INTEGRITY}={integrity.UNVERIFIED}"
            )

    def plan_endpoint(self, package_arn: str, endpoint: tuple[str, str]) -> EndpointPlan:
        ssm, prefix = self.clients["ssm"], self.env.parameter_prefix
        return plan_endpoint(
            self.clients["sm"],
            endpoint=endpoint[0],
            endpoint_source=endpoint[1],
            package_arn=package_arn,
            group=self.source_ref.group,
            version=self.source_ref.version,
            digest=self.digest,
            mode=self.args.mode or "production",
            sampling=self.raw.shadow_sampling,
            network=lambda: contract.network(ssm, prefix),
        )

    def copy_images(self, bars: Callable[[str, int], Progress], pushed: list[images.CopiedImage]) -> None:
        """Copy each image not yet in the target (once per target repository and digest); what each
        copy pushed is appended to `pushed` as it finishes, for the caller to undo on a later failure."""
        ecr, account = self.clients["ecr"], self.env.account_id
        done: dict[tuple[str | None, str | None], dict[str, Any]] = {}
        lines = []
        for plan in self.image_plans:
            key = (plan.target_repository, plan.digest)
            if plan.action == "copy" and key not in done:
                self.say(f"copying image {plan.source_uri} -> {plan.target_uri} ({human(plan.size)})")
                copied = images.copy_image(
                    self.source_ecr(plan.source.region),
                    ecr,
                    plan,
                    account,
                    download=images.http_download,
                    progress=bars,
                )
                pushed.append(copied)
                done[key] = copied.describe()
            described = done.get(key, plan.describe()) if plan.kind == "source" else plan.describe()
            lines.append({**described, "container": plan.container, "source": plan.source_uri})
        self.report.images = lines

    def copy_and_register(self, approval: str) -> str:
        """Copy every artifact and image, then register. Any failure deletes the copies this run made
        (objects and pushed images) and registers nothing."""
        s3, target, ref = self.clients["s3"], self.target, self.source_ref
        assert target is not None
        bars = self.progress()
        done: list[Copied] = []
        pushed: list[images.CopiedImage] = []
        hashes: dict[int, str] = {}  # {container: the copy's SHA-256}, registered for the next promotion
        try:
            for plan in self.plans:
                self.say(f"copying {plan.source.uri} -> {plan.target_uri} ({human(plan.source.size)})")
                copied = copy_artifact(s3, plan, target.kms_key_arn, self.args.options.concurrency, bars)
                done.append(copied)
                try:
                    known = integrity.copy_sha256(
                        self.verdicts[plan.source.container], copied.checksum, plan.target_uri
                    )
                except ValueError as exc:
                    raise PromotionFailed(f"copy of {plan.source.uri} did not verify: {exc}") from None
                if known:
                    hashes[plan.source.container] = known
            self.copy_images(bars, pushed)
            verified_by = weakest(c.verified_by for c in done)
            pinned = images.pinned(self.image_plans)
            arn = registry.register(
                self.clients["sm"],
                target.model_package_group,
                source=self.package,
                source_arn=ref.arn,
                specification=promoted_specification(
                    self.package["InferenceSpecification"],
                    {c.plan.source.container: c.plan.target_uri for c in done},
                    pinned,
                    etags={c.plan.source.container: c.etag for c in done if c.etag},
                ),
                status=approval,
                metadata=promoted_metadata(
                    self.package.get("CustomerMetadataProperties", {}),
                    ref.arn,
                    ref.account,
                    self.digest,
                    verified_by,
                    images=pinned,
                    sha256=hashes,
                    integrity=self.source_integrity,
                ),
            )
        except BaseException:
            for image in reversed(pushed):
                with contextlib.suppress(Exception):
                    images.delete_images(
                        self.clients["ecr"],
                        self.env.account_id,
                        image.plan.target_repository or "",
                        list(reversed(image.pushed)),
                    )
            for copied in done:
                if copied.action == "copied":
                    with contextlib.suppress(Exception):
                        delete_copy(s3, copied.plan.target_bucket, copied.plan.target_key, copied.version_id)
            raise
        self.report.artifacts = [c.describe() for c in done]
        self.report.package = {
            "action": "registered",
            "arn": arn,
            "approval_status": approval,
            "verified_by": verified_by,
            "source_integrity": self.source_integrity,
        }
        return arn


def promote(args: Args, report: Report, say: Callable[[str], None]) -> None:
    raw = args.raw
    ref = parse_model_package_arn(raw.model_package_arn)
    env = load_environment(raw.target_env)
    approval = raw.approval_status or default_approval_status(env.name)
    report.dry_run = raw.dry_run
    report.source = {
        "package_arn": ref.arn,
        "account": ref.account,
        "region": ref.region,
        "group": ref.group,
        "version": ref.version,
    }
    run = Run(args=args, report=report, say=say, source_ref=ref, env=env)
    run.connect()
    target = run.resolve_target()
    run.plan_copies()

    sm = run.clients["sm"]
    registry.check_group(sm, target.model_package_group)
    existing = find_promotion(registry.existing_packages(sm, target.model_package_group), ref.arn, run.digest)
    status = existing.status if existing else approval
    report.package = {
        "action": "present" if existing else "register",
        "arn": existing.arn if existing else None,
        "approval_status": status,
    }

    endpoint: tuple[str, str] | None = None
    if raw.endpoint:
        if status != "Approved":
            why = (
                ""
                if existing
                else f" (the default in {env.name}): promote, approve it in the target registry, then run again with --endpoint"
            )
            raise Refused(f"--endpoint deploys only an Approved package; the target package is {status}{why}")
        endpoint = contract.endpoint_name(run.clients["ssm"], env.parameter_prefix, raw.endpoint)
        # Checked before anything is copied: the endpoint exists, is InService, has one production variant...
        report.endpoint = run.plan_endpoint(existing.arn if existing else NEW_PACKAGE, endpoint).describe()

    if raw.dry_run:
        report.status = "dry-run"
        return
    if existing:
        report.status = "already-promoted"
        say(f"already promoted: {existing.arn} ({existing.status}); nothing copied")
        package_arn = existing.arn
    else:
        package_arn = run.copy_and_register(approval)
        report.status = "promoted"

    if endpoint is not None:
        plan = run.plan_endpoint(package_arn, endpoint)
        try:
            apply_endpoint(sm, plan, say=say)
        finally:
            report.endpoint = plan.describe()


def main(argv: list[str] | None = None) -> int:
    try:
        raw = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    report = Report()
    say = cli.progress(raw.json)

    return cli.run_reporting(
        PROG,
        lambda: promote(check_args(raw), report, say),
        report,
        as_json=raw.json,
        usage=cli.CREDENTIALS,
        refused=(Refused,),
        failed=(PromotionFailed,),
    )


if __name__ == "__main__":
    sys.exit(main())
