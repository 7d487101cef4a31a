"""tools/promote_model.py against AWS behaviour: two accounts in moto, dev (123456789012, the default
credentials) and staging (222222222222, reached by assuming its promotion role), as the tool meets them.

Most tests drive `main(argv)` in-process (mock_aws); the last ones run the tool as a subprocess against a
moto server on port 4617, to show exit codes and one-line errors end to end.

ECR in moto: src/smenv/live/emulator_patches/ fills what moto lacks for an image copy (GetDownloadUrlForLayer
and layer bytes, a registryId naming another account). In-process, moto answers HTTP only through the
`requests` library, while the tool downloads a layer's URL with urllib3: `download_through_moto` makes
exactly that GET through `requests`; the subprocess test at the end runs the tool's own download.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import os
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config
from moto import mock_aws

from smenv.live import emulator_patches, local_aws
from smenv.promotion import PromotionFailed, Refused, images, integrity, promote_model
from smenv.promotion.copy import head_source
from smenv.promotion.progress import NoProgress
from smenv_testing import REPO, toolchain_env

SOURCE_ACCOUNT, SOURCE_REGION = "123456789012", "us-east-1"
STAGING_ACCOUNT, PROD_ACCOUNT, TARGET_REGION = "222222222222", "333333333333", "eu-west-1"
STAGING_ROLE = f"arn:aws:iam::{STAGING_ACCOUNT}:role/smenv-staging-promotion"
PROD_ROLE = f"arn:aws:iam::{PROD_ACCOUNT}:role/smenv-prod-promotion"
SOURCE_BUCKET, TARGET_BUCKET = "smenv-dev-models", "smenv-staging-models"
SOURCE_GROUP, TARGET_GROUP = "fraud", "smenv-staging-fraud"
# AWS's SageMaker framework registry in the target region (modules/_image_registries/aws_registries.json).
IMAGE = f"141502667606.dkr.ecr.{TARGET_REGION}.amazonaws.com/sagemaker-xgboost:1.7-1"
SOURCE_REGISTRY = f"{SOURCE_ACCOUNT}.dkr.ecr.{SOURCE_REGION}.amazonaws.com"
TARGET_REGISTRY = f"{STAGING_ACCOUNT}.dkr.ecr.{TARGET_REGION}.amazonaws.com"
PROMOTED = "smenv-staging-promoted"  # <name_prefix>-<environment>-promoted, from live/staging/env.hcl
OCI_MANIFEST, OCI_INDEX = "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json"
MiB = 1024 * 1024
SERVER_PORT = 4617
SMALL = ["--multipart-threshold", "5MiB", "--part-size", "5MiB"]  # the > 5 GiB path, scaled down


def sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def download_through_moto(url: str):
    """The tool's layer download (images.http_download, urllib3), made through `requests` so that
    in-process moto answers it: the same GET, the same status check, the bytes as they come."""
    response = requests.get(url, stream=True, timeout=30)
    try:
        if response.status_code != 200:
            raise PromotionFailed(f"the layer download URL answered HTTP {response.status_code}")
        yield response.iter_content(64 * 1024)
    finally:
        response.close()


class World:
    """The dev account with a model package, and a target account with its contract."""

    def __init__(
        self,
        endpoint_url: str | None = None,
        target_account: str = STAGING_ACCOUNT,
        env: str = "staging",
        source: bool = True,
    ):
        """source=False: the target account only (a second target in the same emulator: prod after staging)."""
        self.endpoint_url, self.env = endpoint_url, env
        self.bucket = f"smenv-{env}-models"  # TARGET_BUCKET in staging
        self.role = STAGING_ROLE if target_account == STAGING_ACCOUNT else PROD_ROLE
        self.source = boto3.Session(region_name=SOURCE_REGION)
        creds = self.client(self.source, "sts").assume_role(RoleArn=self.role, RoleSessionName="test-setup")[
            "Credentials"
        ]
        self.target = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=TARGET_REGION,
        )
        self.s3 = self.client(self.source, "s3")
        self.sm = self.client(self.source, "sagemaker")
        self.t_s3, self.t_sm = self.client(self.target, "s3"), self.client(self.target, "sagemaker")
        self.t_ssm = self.client(self.target, "ssm")
        self.ecr, self.t_ecr = self.client(self.source, "ecr"), self.client(self.target, "ecr")
        if source:
            self.s3.create_bucket(Bucket=SOURCE_BUCKET)
            self.sm.create_model_package_group(ModelPackageGroupName=SOURCE_GROUP)
        self.t_s3.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": TARGET_REGION})
        self.t_sm.create_model_package_group(ModelPackageGroupName=TARGET_GROUP)
        self.key_arn = self.client(self.target, "kms").create_key(Description="models")["KeyMetadata"]["Arn"]
        self.prefix = f"/smenv/{env}"
        self.contract(
            {
                "promotion/model_bucket": self.bucket,
                "promotion/kms_key_arn": self.key_arn,
                "promotion/model_package_group": TARGET_GROUP,
                "promotion/role_arn": self.role,
                "network/private_subnet_ids": "subnet-aaa,subnet-bbb",
                "network/sagemaker_security_group_id": "sg-models",
            }
        )

    def client(self, session: boto3.Session, service: str, **config):
        return session.client(service, endpoint_url=self.endpoint_url, config=Config(**config) if config else None)

    def contract(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self.t_ssm.put_parameter(Name=f"{self.prefix}/{name}", Value=value, Type="SecureString", Overwrite=True)

    def artifact(self, key: str, data: bytes, checksum: str | None = "SHA256") -> str:
        """An artifact in the dev model bucket: with a SHA-256, botocore's default CRC32, or none at all."""
        if checksum == "none":
            bare = self.client(self.source, "s3", request_checksum_calculation="when_required")
            bare.put_object(Bucket=SOURCE_BUCKET, Key=key, Body=data)
        elif checksum:
            self.s3.put_object(Bucket=SOURCE_BUCKET, Key=key, Body=data, ChecksumAlgorithm=checksum)
        else:
            self.s3.put_object(Bucket=SOURCE_BUCKET, Key=key, Body=data)
        return f"s3://{SOURCE_BUCKET}/{key}"

    def artifact_in_parts(self, key: str, data: bytes) -> str:
        """An artifact uploaded in 5 MiB parts with SHA-256: S3 gives it a composite SHA-256 (of the parts)."""
        upload = self.s3.create_multipart_upload(Bucket=SOURCE_BUCKET, Key=key, ChecksumAlgorithm="SHA256")["UploadId"]
        parts = []
        for number, start in enumerate(range(0, len(data), 5 * MiB), start=1):
            answer = self.s3.upload_part(
                Bucket=SOURCE_BUCKET,
                Key=key,
                UploadId=upload,
                PartNumber=number,
                Body=data[start : start + 5 * MiB],
                ChecksumAlgorithm="SHA256",
            )
            parts.append({"PartNumber": number, "ETag": answer["ETag"], "ChecksumSHA256": answer["ChecksumSHA256"]})
        self.s3.complete_multipart_upload(
            Bucket=SOURCE_BUCKET, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
        )
        return f"s3://{SOURCE_BUCKET}/{key}"

    def recorded_digest(self, image: str) -> str | None:
        """The digest a dev image's tag names now (what registration records as ImageDigest), if any."""
        if not image.startswith(f"{SOURCE_REGISTRY}/"):
            return None
        repository, _, tag = image.removeprefix(f"{SOURCE_REGISTRY}/").partition(":")
        with contextlib.suppress(self.ecr.exceptions.ClientError):
            details = self.ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
            return details["imageDetails"][0]["imageDigest"]
        return None

    def package(
        self,
        *urls: str,
        status: str | None = "Approved",
        images: list[str] | None = None,
        image_digests: list[str | None] | None = None,
        record: bool = True,
        metadata: dict[str, str] | None = None,
    ) -> str:
        """An approved package in dev. record: as a registration does, each container records its
        artifact's ETag (ModelDataETag) and, for an image in dev's ECR, its digest (ImageDigest), unless
        image_digests says exactly what to record (None: nothing)."""
        containers = []
        for i, url in enumerate(urls):
            image = (images or [IMAGE] * len(urls))[i]
            container = {"Image": image, "ModelDataUrl": url, "Environment": {"MODEL": str(i)}}
            if record:
                bucket, _, key = url.removeprefix("s3://").partition("/")
                container["ModelDataETag"] = self.s3.head_object(Bucket=bucket, Key=key)["ETag"]
            recorded = image_digests[i] if image_digests else (self.recorded_digest(image) if record else None)
            if recorded:
                container["ImageDigest"] = recorded
            containers.append(container)
        spec = {
            "Containers": containers,
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        }
        extra = {"ModelApprovalStatus": status} if status else {}
        return self.sm.create_model_package(
            ModelPackageGroupName=SOURCE_GROUP,
            InferenceSpecification=spec,
            CustomerMetadataProperties={"team": "fraud", **(metadata or {})},
            **extra,
        )["ModelPackageArn"]

    def args(self, arn: str, *extra: str) -> list[str]:
        return ["--model-package-arn", arn, "--target-env", self.env, "--target-role-arn", self.role, *extra]

    # --- images in dev's ECR ---

    def blob(self, repository: str, data: bytes) -> dict:
        """Push one blob (layer or config) into a dev repository, in 5 MiB parts as a client does."""
        upload = self.ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
        for start in range(0, len(data), 5 * MiB):
            part = data[start : start + 5 * MiB]
            self.ecr.upload_layer_part(
                repositoryName=repository,
                uploadId=upload,
                partFirstByte=start,
                partLastByte=start + len(part) - 1,
                layerPartBlob=part,
            )
        self.ecr.complete_layer_upload(repositoryName=repository, uploadId=upload, layerDigests=[digest(data)])
        return {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest(data), "size": len(data)}

    def manifest(self, repository: str, layer_sizes: tuple[int, ...], tag: str | None) -> tuple[str, str]:
        """An OCI image manifest (config and random layers) pushed by digest: (manifest, digest)."""
        config = self.blob(repository, json.dumps({"architecture": "amd64", "seed": os.urandom(8).hex()}).encode())
        config["mediaType"] = "application/vnd.oci.image.config.v1+json"
        layers = [self.blob(repository, os.urandom(size)) for size in layer_sizes]
        text = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": layers}, indent=3)
        extra = {"imageTag": tag} if tag else {}
        self.ecr.put_image(
            repositoryName=repository,
            imageManifest=text,
            imageManifestMediaType=OCI_MANIFEST,
            imageDigest=digest(text.encode()),
            **extra,
        )
        return text, digest(text.encode())

    def image(
        self,
        repository: str = "fraud-model",
        tag: str = "1.3",
        layer_sizes: tuple[int, ...] = (4096, 2048),
        platforms: int = 0,
    ) -> tuple[str, str]:
        """An image in dev's ECR: (its URI by tag, its digest). platforms > 0: an OCI index of that many."""
        with contextlib.suppress(self.ecr.exceptions.RepositoryAlreadyExistsException):
            self.ecr.create_repository(repositoryName=repository)
        if not platforms:
            _, pushed = self.manifest(repository, layer_sizes, tag)
            return f"{SOURCE_REGISTRY}/{repository}:{tag}", pushed
        children = []
        for number in range(platforms):
            text, child = self.manifest(repository, layer_sizes, None)
            children.append(
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": child,
                    "size": len(text.encode()),
                    "platform": {"os": "linux", "architecture": f"arch{number}"},
                }
            )
        index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children})
        self.ecr.put_image(
            repositoryName=repository,
            imageManifest=index,
            imageManifestMediaType=OCI_INDEX,
            imageDigest=digest(index.encode()),
            imageTag=tag,
        )
        return f"{SOURCE_REGISTRY}/{repository}:{tag}", digest(index.encode())

    # --- what a user checks in the target's ECR ---

    def target_images(self) -> dict[str, list[str]]:
        """{repository: its image digests} in the target registry."""
        repositories = [r["repositoryName"] for r in self.t_ecr.describe_repositories()["repositories"]]
        return {
            name: sorted(i["imageDigest"] for i in self.t_ecr.describe_images(repositoryName=name)["imageDetails"])
            for name in repositories
        }

    def target_manifest(self, repository: str, image_digest: str) -> str:
        [image] = self.t_ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageDigest": image_digest}])[
            "images"
        ]
        return image["imageManifest"]

    def target_blob(self, repository: str, blob_digest: str) -> bytes:
        url = self.t_ecr.get_download_url_for_layer(repositoryName=repository, layerDigest=blob_digest)["downloadUrl"]
        return requests.get(url, timeout=30).content

    # --- what a user checks in the target ---

    def target_keys(self) -> list[str]:
        pages = self.t_s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [obj["Key"] for page in pages for obj in page.get("Contents", [])]

    def open_uploads(self) -> list[dict]:
        return self.t_s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads", [])

    def target_packages(self) -> list[dict]:
        pages = self.t_sm.get_paginator("list_model_packages").paginate(ModelPackageGroupName=TARGET_GROUP)
        arns = [s["ModelPackageArn"] for page in pages for s in page["ModelPackageSummaryList"]]
        return [self.t_sm.describe_model_package(ModelPackageName=arn) for arn in arns]

    def endpoint(self, name: str = "smenv-staging-fraud", capture: bool = True) -> str:
        """A provisioned endpoint in the target, as the endpoint module makes it."""
        self.t_sm.create_model(
            ModelName="fraud-live",
            ExecutionRoleArn=f"arn:aws:iam::{STAGING_ACCOUNT}:role/smenv-staging-fraud-endpoint",
            PrimaryContainer={"Image": IMAGE, "ModelDataUrl": f"s3://{self.bucket}/live/model.tar.gz"},
            VpcConfig={"Subnets": ["subnet-aaa", "subnet-bbb"], "SecurityGroupIds": ["sg-models"]},
        )
        config = {
            "EndpointConfigName": f"{name}-1",
            "KmsKeyId": self.key_arn,
            "ProductionVariants": [
                {
                    "VariantName": "production",
                    "ModelName": "fraud-live",
                    "InitialInstanceCount": 2,
                    "InstanceType": "ml.m5.large",
                    "InitialVariantWeight": 1.0,
                }
            ],
        }
        if capture:
            config["DataCaptureConfig"] = {
                "EnableCapture": True,
                "InitialSamplingPercentage": 20,
                "DestinationS3Uri": f"s3://{self.bucket}/capture",
                "KmsKeyId": self.key_arn,
                "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            }
        self.t_sm.create_endpoint_config(**config)
        self.t_sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-1")
        self.contract({"endpoints/fraud/endpoint_name": name})
        return name


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Ambient credentials for the dev account and an empty AWS config: nothing from the developer's machine."""
    (tmp_path / "config").write_text("")
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", SOURCE_REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def world(aws_env, monkeypatch):
    emulator_patches.apply_all()
    monkeypatch.setattr(images, "http_download", download_through_moto)
    with mock_aws():
        yield World()


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = promote_model.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --- the promotion -------------------------------------------------------------------------------------


def test_an_approved_model_is_copied_re_encrypted_verified_and_registered(world, capsys):
    # Given an approved package in dev whose model has a SHA-256 checksum
    data = os.urandom(64 * 1024)
    arn = world.package(world.artifact("fraud/train-7/model.tar.gz", data))
    # When it is promoted to staging
    code, out, err = run(capsys, [*world.args(arn), "--json"])
    # Then the artifact is in the staging bucket, byte for byte, under the models key
    assert (code, err) == (0, "")
    report = json.loads(out)
    [artifact] = report["artifacts"]
    key = artifact["target"].removeprefix(f"s3://{TARGET_BUCKET}/")
    assert key == f"promoted/{SOURCE_GROUP}/1/{report['content_hash'][:16]}/0/model.tar.gz"
    copy = world.t_s3.get_object(Bucket=TARGET_BUCKET, Key=key)
    assert copy["Body"].read() == data
    assert (copy["ServerSideEncryption"], copy["SSEKMSKeyId"], copy["BucketKeyEnabled"]) == (
        "aws:kms",
        world.key_arn,
        True,
    )
    assert artifact["verified_by"] == "checksum" and artifact["method"] == "single"
    # And one package is registered in the target group, pointing at the copy, linked to its source
    [package] = world.target_packages()
    assert package["ModelPackageArn"] == report["package"]["arn"]
    assert package["ModelApprovalStatus"] == "Approved"
    container = package["InferenceSpecification"]["Containers"][0]
    assert container["ModelDataUrl"] == artifact["target"]
    assert (container["Image"], container["Environment"]) == (IMAGE, {"MODEL": "0"})
    meta = package["CustomerMetadataProperties"]
    assert meta["smenv:source-package-arn"] == arn
    assert meta["smenv:source-account"] == SOURCE_ACCOUNT
    assert meta["smenv:content-hash"] == report["content_hash"]
    assert meta["team"] == "fraud"  # the source's own metadata is kept
    assert report["status"] == "promoted" and report["target"]["account"] == STAGING_ACCOUNT


def test_every_container_of_a_multi_container_package_is_copied(world, capsys):
    # Given a package with two containers, one of them with no checksum at all
    arn = world.package(
        world.artifact("fraud/pre/model.tar.gz", b"preprocess" * 100),
        world.artifact("fraud/xgb/model.tar.gz", b"xgb" * 100, "none"),
    )
    # When it is promoted
    code, out, _ = run(capsys, world.args(arn))
    # Then both are copied, each under its container index, and the text says how each was verified
    assert code == 0
    keys = sorted(world.target_keys())
    assert [k.split("/")[-2:] for k in keys] == [["0", "model.tar.gz"], ["1", "model.tar.gz"]]
    assert "verified by checksum" in out and "verified by size" in out
    [package] = world.target_packages()
    assert package["CustomerMetadataProperties"]["smenv:verified-by"] == "size"


def test_an_unapproved_package_is_refused_and_nothing_is_copied(world, capsys):
    # Given a package still pending approval in dev
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), status="PendingManualApproval")
    # When someone tries to promote it
    code, out, err = run(capsys, world.args(arn))
    # Then it is refused (exit 3) in one line, and the target is untouched
    assert code == 3 and out == ""
    assert "PendingManualApproval, not Approved" in one_line(err)
    assert world.target_keys() == [] and world.target_packages() == []


def test_a_package_without_a_status_is_refused_too(world, capsys):
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), status=None)
    code, _, err = run(capsys, world.args(arn))
    assert code == 3 and "not Approved" in one_line(err)


def test_running_it_again_finds_the_promotion_and_does_nothing(world, capsys):
    # Given a package promoted once
    arn = world.package(world.artifact("fraud/m.tar.gz", os.urandom(4096)))
    assert run(capsys, world.args(arn))[0] == 0
    keys, packages = world.target_keys(), world.target_packages()
    # When it is promoted again
    code, out, err = run(capsys, [*world.args(arn), "--json"])
    # Then it says so, exits 0, and nothing new exists
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["status"] == "already-promoted"
    assert report["package"]["arn"] == packages[0]["ModelPackageArn"]
    assert world.target_keys() == keys
    assert len(world.target_packages()) == len(packages) == 1


def test_a_different_model_under_the_same_source_version_is_refused(world, capsys):
    # Given a package that records nothing, promoted once with --accept-unverified-source, whose artifact
    # was later overwritten in dev (same group and version)
    arn = world.package(world.artifact("fraud/m.tar.gz", b"first model"), record=False)
    unverified = [*world.args(arn), "--accept-unverified-source"]
    assert run(capsys, unverified)[0] == 0
    world.artifact("fraud/m.tar.gz", b"a different model")
    # When it is promoted again, with the flag again
    code, _, err = run(capsys, unverified)
    # Then it is refused: a different model already holds that version in the target
    assert code == 3
    assert "a different model already holds that version" in err.strip().splitlines()[-1]
    assert len(world.target_packages()) == 1 and len(world.target_keys()) == 1


def test_in_prod_the_package_waits_for_manual_approval(aws_env, capsys):
    emulator_patches.apply_all()
    with mock_aws():
        # Given the prod account as the target
        world = World(target_account=PROD_ACCOUNT, env="prod")
        arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
        # When the model is promoted without --approval-status
        code, out, _ = run(capsys, [*world.args(arn), "--json"])
        # Then it is registered PendingManualApproval, for a reviewer in prod
        assert code == 0
        assert [p["ModelApprovalStatus"] for p in world.target_packages()] == ["PendingManualApproval"]
        assert json.loads(out)["package"]["approval_status"] == "PendingManualApproval"


def test_the_approval_status_can_be_chosen(world, capsys):
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    assert run(capsys, [*world.args(arn), "--approval-status", "PendingManualApproval"])[0] == 0
    assert [p["ModelApprovalStatus"] for p in world.target_packages()] == ["PendingManualApproval"]


def test_the_group_must_exist_in_the_target_the_tool_never_creates_it(world, capsys):
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    code, _, err = run(capsys, [*world.args(arn), "--target-model-package-group", "no-such-group"])
    assert code == 2
    assert "model package group 'no-such-group' does not exist" in one_line(err)
    assert world.target_keys() == []


def test_flags_override_the_contract_without_reading_it(world, capsys):
    # Given a target whose contract is gone entirely
    for name in ("model_bucket", "kms_key_arn", "model_package_group", "role_arn"):
        world.t_ssm.delete_parameter(Name=f"{world.prefix}/promotion/{name}")
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    # When bucket, key and group are given on the command line
    code, out, _ = run(
        capsys,
        [
            *world.args(arn, "--json"),
            *("--target-bucket", TARGET_BUCKET, "--target-kms-key-arn", world.key_arn),
            *("--target-model-package-group", TARGET_GROUP),
        ],
    )
    # Then the promotion needs no SSM parameter
    assert code == 0
    assert json.loads(out)["target"]["from_ssm"] == []


# --- source integrity: what the package recorded, checked before anything is copied ---------------------


def test_an_artifact_overwritten_after_registration_is_refused_and_nothing_is_copied(world, capsys):
    # Given an approved package whose artifact and dev image were recorded at registration
    uri, _ = world.image()
    arn = world.package(world.artifact("fraud/m.tar.gz", b"the approved model"), images=[uri])
    # And someone who may write dev's model bucket overwrote the artifact afterwards
    world.artifact("fraud/m.tar.gz", b"someone else's model")
    # When it is promoted (or dry-run)
    dry, _, dry_err = run(capsys, [*world.args(arn), "--dry-run"])
    code, out, err = run(capsys, world.args(arn))
    # Then it is refused (exit 3) in one line naming the container and the ETags, and nothing is copied:
    # no artifact, no image, no package
    assert (dry, code, out) == (3, 3, "")
    line = one_line(err)
    assert f"container 0: s3://{SOURCE_BUCKET}/fraud/m.tar.gz has ETag" in line
    assert "but the package records ModelDataETag" in line and "replaced after registration" in line
    assert one_line(dry_err) == line
    assert world.target_keys() == [] and world.target_images() == {} and world.target_packages() == []


def test_a_matching_etag_is_promoted_and_the_target_package_records_etag_hash_and_digest(world, capsys):
    # Given a package whose artifact (uploaded with a SHA-256) and dev image are as they were registered
    data = os.urandom(4096)
    uri, pushed = world.image()
    arn = world.package(world.artifact("fraud/m.tar.gz", data), images=[uri])
    # When it is promoted
    code, out, err = run(capsys, [*world.args(arn), "--json"])
    # Then it was verified by its ETag, and promoted
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["integrity"]["status"] == "verified" and report["integrity"]["unverified"] == []
    assert [a["verified_by"] for a in report["integrity"]["artifacts"]] == ["etag"]
    # And the target package records what a later promotion from it checks: the copy's ETag, the
    # artifact's SHA-256, the image digest, and that its source was verified
    [package] = world.target_packages()
    container = package["InferenceSpecification"]["Containers"][0]
    copy = world.t_s3.head_object(Bucket=TARGET_BUCKET, Key=world.target_keys()[0])
    assert container["ModelDataETag"] == copy["ETag"].strip('"')
    assert container["ImageDigest"] == pushed and container["Image"].endswith(f"@{pushed}")
    meta = package["CustomerMetadataProperties"]
    assert meta["smenv:container-0-sha256"] == hashlib.sha256(data).hexdigest()
    assert meta["smenv:source-integrity"] == "verified"


def count_streams(monkeypatch) -> list[str]:
    """Every source artifact the tool reads to hash it (integrity.stream_sha256), by URI."""
    streamed, original = [], integrity.stream_sha256

    def counted(s3, obj, *args, **kwargs):
        streamed.append(obj.uri)
        return original(s3, obj, *args, **kwargs)

    monkeypatch.setattr(integrity, "stream_sha256", counted)
    return streamed


@pytest.mark.parametrize(
    ("upload", "verified_by"),
    [("SHA256", "checksum"), ("none", "stream"), ("CRC32", "stream"), ("parts", "stream")],
    ids=["s3-sha256", "no-checksum", "crc32", "multipart-composite-sha256"],
)
def test_a_package_recording_only_the_metadata_hash_is_verified_by_s3s_checksum_or_by_reading_it(
    world, capsys, monkeypatch, upload, verified_by
):
    # Given a package without ModelDataETag whose metadata records its artifact's SHA-256; the
    # artifact with a whole-object SHA-256 in S3, with another checksum or none, or uploaded in parts
    # (its SHA-256 then composite, which moto reports like a whole-object one: README, emulator gaps)
    data = os.urandom(6 * MiB if upload == "parts" else 4096)
    url = (
        world.artifact_in_parts("fraud/m.tar.gz", data)
        if upload == "parts"
        else world.artifact("fraud/m.tar.gz", data, upload)
    )
    hexdigest = hashlib.sha256(data).hexdigest()
    arn = world.package(url, record=False, metadata={"smenv:container-0-sha256": hexdigest})
    streamed = count_streams(monkeypatch)
    # When it is promoted
    code, out, err = run(capsys, [*world.args(arn), "--json"])
    # Then S3's SHA-256 confirms it without reading a byte, or else its bytes are read once and hashed
    assert (code, err) == (0, ""), err
    report = json.loads(out)
    assert [a["verified_by"] for a in report["integrity"]["artifacts"]] == [verified_by]
    assert streamed == ([] if verified_by == "checksum" else [url])
    # And the promoted package records the hash again, and the copy's ETag
    [package] = world.target_packages()
    assert package["CustomerMetadataProperties"]["smenv:container-0-sha256"] == hexdigest
    assert package["InferenceSpecification"]["Containers"][0]["ModelDataETag"]
    assert world.t_s3.get_object(Bucket=TARGET_BUCKET, Key=world.target_keys()[0])["Body"].read() == data


@pytest.mark.parametrize(("upload", "how"), [("SHA256", "S3's checksum"), ("none", "read from its bytes")])
def test_an_artifact_whose_sha256_is_not_the_recorded_one_is_refused_and_nothing_is_copied(world, capsys, upload, how):
    # Given a package recording the SHA-256 of the approved model, and other bytes at its URL now
    approved, other = hashlib.sha256(b"the approved model").hexdigest(), b"someone else's model"
    url = world.artifact("fraud/m.tar.gz", other, upload)
    arn = world.package(url, record=False, metadata={"smenv:container-0-sha256": approved})
    # When it is promoted
    code, _, err = run(capsys, world.args(arn))
    # Then it is refused (exit 3) naming the container, the hashes and how it was found; nothing is copied
    assert code == 3
    line = one_line(err)
    assert f"container 0: {url} has SHA-256 {hashlib.sha256(other).hexdigest()}" in line
    assert f"({how}), but the package records smenv:container-0-sha256 {approved}" in line
    assert world.target_keys() == [] and world.target_packages() == []


@pytest.mark.parametrize(
    ("record", "image_digests", "missing"),
    [
        (False, None, "container 0 records neither ModelDataETag nor smenv:container-0-sha256"),
        (True, [None], "records no ImageDigest"),
    ],
    ids=["artifact", "source-image"],
)
def test_a_package_that_records_nothing_is_refused_without_the_flag(world, capsys, record, image_digests, missing):
    # Given a package that records nothing to check its artifact, or its dev image, by
    uri, _ = world.image()
    arn = world.package(
        world.artifact("fraud/m.tar.gz", b"model"), images=[uri], record=record, image_digests=image_digests
    )
    # When it is promoted without --accept-unverified-source
    code, out, err = run(capsys, world.args(arn))
    # Then it is refused (exit 3) in one line naming what is missing and the flag, and nothing is copied
    assert code == 3 and out == ""
    line = one_line(err)
    assert missing in line and "--accept-unverified-source" in line
    assert world.target_keys() == [] and world.target_images() == {} and world.target_packages() == []


def test_with_the_flag_an_unverified_source_is_promoted_with_a_warning_and_marked_unverified(world, capsys):
    # Given a package that records nothing
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model", "none"), record=False)
    # When it is promoted with --accept-unverified-source
    code, out, err = run(capsys, [*world.args(arn), "--accept-unverified-source"])
    # Then it is promoted, with a one-line warning, and the target package says its source was unverified
    assert code == 0
    assert "warning: promoting an unverified source (container 0 records neither ModelDataETag" in one_line(err)
    assert "source  UNVERIFIED (container 0 records neither" in out
    again, again_out, _ = run(capsys, [*world.args(arn), "--accept-unverified-source", "--json"])
    assert (again, json.loads(again_out)["integrity"]["status"]) == (0, "unverified")
    [package] = world.target_packages()
    assert package["CustomerMetadataProperties"]["smenv:source-integrity"] == "unverified"
    # (the copy is still recorded, so what the target holds from now on can be verified)
    assert package["InferenceSpecification"]["Containers"][0]["ModelDataETag"]


def test_a_copy_that_is_not_the_verified_bytes_is_removed_and_nothing_is_registered(world, capsys, monkeypatch):
    # Given a source with no checksum, verified by reading it against its recorded SHA-256, and an S3
    # that corrupts what it copies (the copy alone could be checked by its size only)
    data = os.urandom(4096)
    url = world.artifact("fraud/m.tar.gz", data, "none")
    arn = world.package(url, record=False, metadata={"smenv:container-0-sha256": hashlib.sha256(data).hexdigest()})
    corrupt_copies(monkeypatch)
    # When it is promoted
    code, _, err = run(capsys, world.args(arn))
    # Then the copy's SHA-256 (S3's) is not the verified source's: exit 1, no object, no package
    assert code == 1
    assert f"copy of {url} did not verify" in one_line(err) and "the verified source" in err
    assert world.target_keys() == [] and world.target_packages() == []


def test_an_object_replaced_while_it_is_read_to_be_verified_is_refused(world):
    # Given a source object as HeadObject reported it, then overwritten before it is read
    world.artifact("fraud/m.tar.gz", b"the approved model")
    checked = head_source(world.s3, 0, SOURCE_BUCKET, "fraud/m.tar.gz")
    world.artifact("fraud/m.tar.gz", b"someone else's model")
    # When it is read to hash it / Then the read is refused (If-Match its ETag): nothing is hashed
    with pytest.raises(Refused, match="changed while it was being verified"):
        integrity.stream_sha256(world.s3, checked, NoProgress())


@pytest.fixture
def prod(world):
    """prod, in the same emulator as dev and staging: a second target."""
    return World(target_account=PROD_ACCOUNT, env="prod", source=False)


def staged(world, capsys, *extra: str, **package) -> str:
    """A dev package promoted to staging: the staging package's ARN."""
    arn = world.package(world.artifact("fraud/m.tar.gz", package.pop("data", b"model"), "none"), **package)
    assert run(capsys, [*world.args(arn), *extra])[0] == 0
    [promoted] = world.target_packages()
    return promoted["ModelPackageArn"]


def test_a_second_promotion_verifies_what_the_first_recorded(world, prod, capsys):
    # Given a model promoted from dev to staging: its artifact without a checksum, its image in dev's ECR
    data = os.urandom(4096)
    uri, pushed = world.image()
    arn = staged(world, capsys, data=data, images=[uri])
    # When the staging package is promoted to prod (read with staging's credentials)
    code, out, err = run(capsys, [*prod.args(arn), "--source-role-arn", STAGING_ROLE, "--json"])
    # Then staging's artifact was verified by the ETag the first promotion recorded, and its image by digest
    assert (code, err) == (0, ""), err
    report = json.loads(out)
    assert [a["verified_by"] for a in report["integrity"]["artifacts"]] == ["etag"]
    # And prod's package records its own copy's ETag, the artifact's SHA-256 and the same image digest
    [package] = prod.target_packages()
    container = package["InferenceSpecification"]["Containers"][0]
    copy = prod.t_s3.head_object(Bucket=prod.bucket, Key=prod.target_keys()[0])
    assert container["ModelDataETag"] == copy["ETag"].strip('"')
    assert container["ImageDigest"] == pushed
    meta = package["CustomerMetadataProperties"]
    assert meta["smenv:container-0-sha256"] == hashlib.sha256(data).hexdigest()
    assert (meta["smenv:source-integrity"], meta["smenv:source-package-arn"]) == ("verified", arn)
    assert prod.t_s3.get_object(Bucket=prod.bucket, Key=prod.target_keys()[0])["Body"].read() == data


def test_a_staged_artifact_overwritten_before_prod_is_refused(world, prod, capsys):
    # Given a model in staging, whose copy someone overwrote in staging's bucket
    arn = staged(world, capsys)
    world.t_s3.put_object(Bucket=TARGET_BUCKET, Key=world.target_keys()[0], Body=b"not the promoted model")
    # When it is promoted to prod
    code, _, err = run(capsys, [*prod.args(arn), "--source-role-arn", STAGING_ROLE])
    # Then the ETag the first promotion recorded no longer matches: refused (exit 3), nothing in prod
    assert code == 3 and "but the package records ModelDataETag" in one_line(err)
    assert prod.target_keys() == [] and prod.target_packages() == []


def test_a_package_promoted_unverified_stays_unverified_downstream(world, prod, capsys):
    # Given a model promoted to staging with --accept-unverified-source
    arn = staged(world, capsys, "--accept-unverified-source", record=False)
    # When it is promoted to prod, without and then with the flag
    refused, _, refused_err = run(capsys, [*prod.args(arn), "--source-role-arn", STAGING_ROLE])
    code, _, err = run(capsys, [*prod.args(arn), "--source-role-arn", STAGING_ROLE, "--accept-unverified-source"])
    # Then it is refused without the flag, though staging recorded its copy: the first link was unverified
    assert refused == 3
    assert "it was promoted from an unverified source (smenv:source-integrity=unverified)" in one_line(refused_err)
    # And with it, prod's package is marked unverified too
    assert code == 0 and "warning" in one_line(err)
    [package] = prod.target_packages()
    assert package["CustomerMetadataProperties"]["smenv:source-integrity"] == "unverified"


# --- multipart copies ------------------------------------------------------------------------------


def test_a_large_artifact_is_copied_in_parallel_parts_and_verified(world, capsys):
    # Given a 12 MiB model (standing in for > 5 GiB: threshold and parts lowered to 5 MiB)
    data = os.urandom(12 * MiB)
    arn = world.package(world.artifact("fraud/big/model.tar.gz", data, checksum=None))  # botocore's CRC32
    # When it is promoted
    code, out, _ = run(capsys, [*world.args(arn), *SMALL, "--json"])
    # Then it was copied as 3 parts, verified against the source's whole-object checksum
    assert code == 0
    [artifact] = json.loads(out)["artifacts"]
    assert (artifact["method"], artifact["parts"], artifact["verified_by"]) == ("multipart", 3, "checksum")
    key = artifact["target"].removeprefix(f"s3://{TARGET_BUCKET}/")
    copy = world.t_s3.get_object(Bucket=TARGET_BUCKET, Key=key)
    assert copy["Body"].read() == data
    assert (copy["ServerSideEncryption"], copy["SSEKMSKeyId"]) == ("aws:kms", world.key_arn)
    assert world.open_uploads() == []


def test_a_large_artifact_with_a_sha256_is_verified_by_its_parts(world, capsys):
    # Given a large model with a whole-object SHA-256 (S3 cannot give a multipart copy one)
    data = os.urandom(11 * MiB)
    arn = world.package(world.artifact("fraud/big/model.tar.gz", data, checksum="SHA256"))
    code, out, _ = run(capsys, [*world.args(arn), *SMALL, "--json"])
    # Then the copy is checked part by part (its ETag is the composite of the parts it uploaded)
    assert code == 0
    [artifact] = json.loads(out)["artifacts"]
    assert (artifact["method"], artifact["verified_by"]) == ("multipart", "parts")
    assert world.t_s3.get_object(Bucket=TARGET_BUCKET, Key=world.target_keys()[0])["Body"].read() == data


def test_moto_enforces_s3s_minimum_part_size(world):
    # The tests above rely on it: a part under 5 MiB (but the last) makes CompleteMultipartUpload fail.
    world.artifact("fraud/big", os.urandom(6 * MiB))
    upload = world.t_s3.create_multipart_upload(Bucket=TARGET_BUCKET, Key="small-parts")["UploadId"]
    parts = []
    for number, (start, end) in enumerate([(0, MiB - 1), (MiB, 6 * MiB - 1)], start=1):
        answer = world.t_s3.upload_part_copy(
            Bucket=TARGET_BUCKET,
            Key="small-parts",
            UploadId=upload,
            PartNumber=number,
            CopySource={"Bucket": SOURCE_BUCKET, "Key": "fraud/big"},
            CopySourceRange=f"bytes={start}-{end}",
        )
        parts.append({"PartNumber": number, "ETag": answer["CopyPartResult"]["ETag"]})
    with pytest.raises(world.t_s3.exceptions.ClientError, match="EntityTooSmall"):
        world.t_s3.complete_multipart_upload(
            Bucket=TARGET_BUCKET, Key="small-parts", UploadId=upload, MultipartUpload={"Parts": parts}
        )


def fail_nth_part_copy(monkeypatch, nth: int) -> None:
    from moto.s3.exceptions import S3ClientError
    from moto.s3.models import S3Backend

    original, calls, lock = S3Backend.upload_part_copy, itertools.count(1), threading.Lock()

    def upload_part_copy(self, *args, **kwargs):
        with lock:
            call = next(calls)
        if call == nth:
            raise S3ClientError("AccessDenied", "injected: part copy failed")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(S3Backend, "upload_part_copy", upload_part_copy)


def test_a_part_failing_mid_copy_leaves_no_object_no_upload_and_no_package(world, capsys, monkeypatch):
    # Given a large model, and S3 refusing the 3rd part copy
    arn = world.package(world.artifact("fraud/big/model.tar.gz", os.urandom(26 * MiB)))
    fail_nth_part_copy(monkeypatch, 3)
    # When it is promoted
    code, out, err = run(capsys, [*world.args(arn), *SMALL, "--concurrency", "2"])
    # Then the run fails in one line (exit 1), and the target is as it was
    assert code == 1 and out == ""
    assert "UploadPartCopy: AccessDenied: injected" in one_line(err)
    assert world.target_keys() == []
    assert world.open_uploads() == []
    assert world.target_packages() == []


def corrupt_copies(monkeypatch) -> None:
    """S3 writes other bytes than it read: a copied object and every 2nd copied part get one byte flipped."""
    from moto.s3.models import S3Backend

    copy_object, upload_part_copy = S3Backend.copy_object, S3Backend.upload_part_copy

    def flip(key) -> None:
        value = bytearray(key.value)
        value[0] ^= 0xFF
        key.value = bytes(value)

    def corrupt_copy_object(self, src_key, dest_bucket_name, dest_key_name, *args, **kwargs):
        copy_object(self, src_key, dest_bucket_name, dest_key_name, *args, **kwargs)
        flip(self.get_object(dest_bucket_name, dest_key_name))

    def corrupt_upload_part_copy(self, dest_bucket_name, multipart_id, part_id, *args, **kwargs):
        part = upload_part_copy(self, dest_bucket_name, multipart_id, part_id, *args, **kwargs)
        if part_id == 2:
            flip(part)
        return part

    monkeypatch.setattr(S3Backend, "copy_object", corrupt_copy_object)
    monkeypatch.setattr(S3Backend, "upload_part_copy", corrupt_upload_part_copy)


@pytest.mark.parametrize(("size", "checksum"), [(4096, "SHA256"), (12 * MiB, None)], ids=["single", "multipart"])
def test_a_copy_whose_checksum_differs_is_removed_and_nothing_is_registered(world, capsys, monkeypatch, size, checksum):
    # Given a model, and an S3 that corrupts what it copies
    arn = world.package(world.artifact("fraud/m.tar.gz", os.urandom(size), checksum=checksum))
    corrupt_copies(monkeypatch)
    # When it is promoted
    code, _, err = run(capsys, [*world.args(arn), *SMALL])
    # Then the checksum mismatch is one line (exit 1), and neither object nor package remains
    assert code == 1
    assert "did not verify" in one_line(err) and "checksum" in err
    assert world.target_keys() == [] and world.open_uploads() == []
    assert world.target_packages() == []


def test_a_failed_registration_removes_the_copies(world, capsys, monkeypatch):
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend

    # Given a model, and a registry that refuses the new package
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))

    def refuse(self, **kwargs):
        raise ValidationError("injected: registry unavailable")

    monkeypatch.setattr(SageMakerModelBackend, "create_model_package", refuse)
    # When it is promoted
    code, _, err = run(capsys, world.args(arn))
    # Then the copy made before registration is deleted again
    assert code == 1 and "CreateModelPackage" in one_line(err)
    assert world.target_keys() == []


# --- container images ----------------------------------------------------------------------------------


def count_calls(monkeypatch, method: str) -> list[str]:
    """Every call of an ECR backend method (InitiateLayerUpload...) anyone makes from now on, by repository."""
    from moto.ecr.models import ECRBackend

    calls, original = [], getattr(ECRBackend, method)

    def counted(self, repository_name, *args, **kwargs):
        calls.append(repository_name)
        return original(self, repository_name, *args, **kwargs)

    monkeypatch.setattr(ECRBackend, method, counted)
    return calls


def test_an_aws_owned_image_is_kept_and_no_repository_is_made(world, capsys):
    # Given a package whose image is in AWS's SageMaker registry of the target region
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    # When it is promoted
    code, out, err = run(capsys, [*world.args(arn), "--json"])
    # Then the package keeps the image as it was, and nothing is made in the target's ECR
    assert (code, err) == (0, "")
    [image] = json.loads(out)["images"]
    assert (image["kind"], image["action"]) == ("aws", "keep")
    [package] = world.target_packages()
    container = package["InferenceSpecification"]["Containers"][0]
    assert container["Image"] == IMAGE and "ImageDigest" not in container
    assert world.target_images() == {}
    assert not [k for k in package["CustomerMetadataProperties"] if "image" in k]


def test_an_image_already_in_the_target_account_is_kept(world, capsys):
    mine = f"{TARGET_REGISTRY}/fraud-serving:2"
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), images=[mine])
    code, out, _ = run(capsys, [*world.args(arn), "--json"])
    assert code == 0
    assert [(i["kind"], i["action"]) for i in json.loads(out)["images"]] == [("target", "keep")]
    assert world.target_packages()[0]["InferenceSpecification"]["Containers"][0]["Image"] == mine
    assert world.target_images() == {}


def test_a_source_account_image_is_copied_and_the_package_points_at_it_by_digest(world, capsys):
    # Given a package whose image is in dev's ECR, by tag, with the digest SageMaker recorded for it
    uri, pushed = world.image("fraud-model", "1.3", layer_sizes=(6 * MiB, 3000))
    source_manifest = world.ecr.batch_get_image(repositoryName="fraud-model", imageIds=[{"imageDigest": pushed}])
    source_manifest = source_manifest["images"][0]["imageManifest"]
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), images=[uri], image_digests=[pushed])
    # When it is promoted
    code, out, err = run(capsys, [*world.args(arn), "--json"])
    # Then the target's ECR holds the same image: the same digest, the same manifest bytes, every blob
    assert (code, err) == (0, "")
    repository = f"{PROMOTED}/fraud-model"
    assert world.target_images() == {repository: [pushed]}
    assert world.target_manifest(repository, pushed) == source_manifest
    for blob in [json.loads(source_manifest)["config"], *json.loads(source_manifest)["layers"]]:
        assert digest(world.target_blob(repository, blob["digest"])) == blob["digest"]
    # And the repository was made immutable, scanned on push, encrypted, tagged with its source
    [made] = world.t_ecr.describe_repositories(repositoryNames=[repository])["repositories"]
    assert made["imageTagMutability"] == "IMMUTABLE"
    assert made["imageScanningConfiguration"] == {"scanOnPush": True}
    assert made["encryptionConfiguration"] == {"encryptionType": "AES256"}
    tags = world.t_ecr.list_tags_for_resource(resourceArn=made["repositoryArn"])["tags"]
    assert tags == [
        {
            "Key": "smenv:source-repository",
            "Value": f"arn:aws:ecr:{SOURCE_REGION}:{SOURCE_ACCOUNT}:repository/fraud-model",
        }
    ]
    # And the registered package points at the copy, pinned by digest, and records where it came from
    target_uri = f"{TARGET_REGISTRY}/{repository}@{pushed}"
    [package] = world.target_packages()
    container = package["InferenceSpecification"]["Containers"][0]
    assert (container["Image"], container["ImageDigest"]) == (target_uri, pushed)
    meta = package["CustomerMetadataProperties"]
    assert meta["smenv:container-0-source-image-digest"] == pushed
    assert meta["smenv:container-0-image"] == target_uri
    [image] = json.loads(out)["images"]
    assert (image["action"], image["repository"], image["blobs_uploaded"]) == ("copied", "created", 3)


def test_a_multi_arch_index_is_copied_with_every_manifest_it_names(world, capsys):
    # Given an OCI index of two platforms in dev's ECR
    uri, index = world.image("fraud-multi", "2.0", platforms=2)
    children = [m["digest"] for m in json.loads(world.ecr.batch_get_image(repositoryName="fraud-multi", imageIds=[{"imageDigest": index}])["images"][0]["imageManifest"])["manifests"]]  # fmt: skip
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), images=[uri])
    # When it is promoted
    code, _, err = run(capsys, world.args(arn))
    # Then the target holds the index and both platform manifests, by the same digests
    assert (code, err) == (0, "")
    assert world.target_images() == {f"{PROMOTED}/fraud-multi": sorted([index, *children])}
    image = world.target_packages()[0]["InferenceSpecification"]["Containers"][0]["Image"]
    assert image == f"{TARGET_REGISTRY}/{PROMOTED}/fraud-multi@{index}"


def test_a_second_run_finds_the_image_by_digest_and_copies_nothing(world, capsys, monkeypatch):
    # Given a model whose image was promoted once, and a second package (new version) with the same image
    uri, pushed = world.image()
    first = world.package(world.artifact("fraud/m.tar.gz", b"model"), images=[uri])
    assert run(capsys, world.args(first))[0] == 0
    second = world.package(world.artifact("fraud/m2.tar.gz", b"model 2"), images=[uri])
    uploads = count_calls(monkeypatch, "initiate_layer_upload")
    # When the first is promoted again, then the second
    again, out_again, _ = run(capsys, [*world.args(first), "--json"])
    code, out, _ = run(capsys, [*world.args(second), "--json"])
    # Then neither copies a blob or pushes an image: the digest is already there
    assert (again, code) == (0, 0)
    assert json.loads(out_again)["status"] == "already-promoted"
    assert [i["action"] for i in json.loads(out)["images"]] == ["present"]
    assert uploads == []
    assert world.target_images() == {f"{PROMOTED}/fraud-model": [pushed]}
    assert {p["InferenceSpecification"]["Containers"][0]["Image"] for p in world.target_packages()} == {
        f"{TARGET_REGISTRY}/{PROMOTED}/fraud-model@{pushed}"
    }


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("444444444444.dkr.ecr.us-east-1.amazonaws.com/shared/fraud:1", "is in account 444444444444"),
        ("docker.io/library/python:3.11", "is not an Amazon ECR image"),
        ("public.ecr.aws/docker/library/python:3.11", "is not an Amazon ECR image"),
        ("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "is AWS-owned, but SageMaker pulls"),
        (f"{SOURCE_REGISTRY}/fraud-model:no-such-tag", "cannot be resolved to a digest"),
        (f"{SOURCE_REGISTRY}/no-such-repository:1", "cannot be resolved to a digest"),
    ],
    ids=["third-account", "docker-hub", "ecr-public", "aws-image-other-region", "unknown-tag", "unknown-repository"],
)
def test_an_image_that_cannot_be_promoted_is_refused_before_anything_is_copied(world, capsys, image, message):
    # Given a package whose second container's image is one promote_model cannot copy
    uri, _ = world.image()
    arn = world.package(world.artifact("a/m.tar.gz", b"a"), world.artifact("b/m.tar.gz", b"b"), images=[uri, image])
    # When it is promoted
    code, out, err = run(capsys, world.args(arn))
    # Then it is refused in one line (exit 3), and nothing is copied: no artifact, no image, no package
    assert code == 3 and out == ""
    assert message in one_line(err) and "container 1" in err
    assert world.target_keys() == [] and world.target_images() == {} and world.target_packages() == []


@pytest.mark.parametrize(
    ("denied", "message"),
    [
        (("describe_images", SOURCE_ACCOUNT), "may not read arn:aws:ecr:us-east-1:123456789012:repository/fraud-model"),
        (("describe_repositories", STAGING_ACCOUNT), f"may not use the target repository {PROMOTED}/fraud-model"),
    ],
    ids=["source-repository", "target-repository"],
)
def test_a_repository_the_promotion_role_may_not_use_is_refused_before_anything_is_copied(
    world, capsys, monkeypatch, denied, message
):
    from moto.core.exceptions import JsonRESTError
    from moto.ecr.models import ECRBackend

    call, account = denied
    # Given an image in dev, and ECR denying the promotion role a repository (the emulator evaluates no policy)
    uri, _ = world.image()
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), images=[uri])
    original = getattr(ECRBackend, call)

    def refuse(self, *args, **kwargs):
        if self.account_id == account:
            raise JsonRESTError("AccessDeniedException", "injected: not authorized")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ECRBackend, call, refuse)
    # When it is promoted
    code, _, err = run(capsys, world.args(arn))
    # Then it is refused (exit 3), naming the repository, and nothing is copied
    assert code == 3 and message in one_line(err)
    monkeypatch.setattr(ECRBackend, call, original)
    assert world.target_keys() == [] and world.target_packages() == []
    assert world.t_ecr.describe_repositories()["repositories"] == []


def test_an_image_whose_tag_moved_since_approval_is_refused(world, capsys):
    # Given a package that recorded its image's digest, and the tag since pushed again with another image
    uri, approved = world.image("fraud-model", "1.3")
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), images=[uri], image_digests=[approved])
    _, moved = world.image("fraud-model", "1.3")
    assert moved != approved
    # When it is promoted
    code, _, err = run(capsys, world.args(arn))
    # Then it is refused (exit 3): the image the tag names now is not the approved one; nothing copied
    assert code == 3
    assert f"records ImageDigest {approved}, but the source registry now reports {moved}" in one_line(err)
    assert world.target_keys() == [] and world.target_images() == {} and world.target_packages() == []


def test_a_failed_put_image_leaves_no_image_no_artifact_and_no_package(world, capsys, monkeypatch):
    from moto.ecr.exceptions import InvalidParameterException
    from moto.ecr.models import ECRBackend

    # Given two containers with images in dev, and a target registry that refuses the second PutImage
    first, _ = world.image("fraud-pre", "1")
    second, _ = world.image("fraud-model", "1")
    arn = world.package(world.artifact("a/m.tar.gz", b"a"), world.artifact("b/m.tar.gz", b"b"), images=[first, second])
    original = ECRBackend.put_image

    def put_image(self, repository_name, *args, **kwargs):
        if repository_name == f"{PROMOTED}/fraud-model":
            raise InvalidParameterException("injected: PutImage failed")
        return original(self, repository_name, *args, **kwargs)

    monkeypatch.setattr(ECRBackend, "put_image", put_image)
    # When it is promoted
    code, _, err = run(capsys, world.args(arn))
    # Then the run fails in one line (exit 1), the first image pushed is deleted again, the artifacts
    # copied are removed, and no package is registered
    assert code == 1 and "PutImage" in one_line(err)
    assert world.target_images() == {f"{PROMOTED}/fraud-pre": [], f"{PROMOTED}/fraud-model": []}
    assert world.target_keys() == [] and world.target_packages() == []


def test_a_blob_that_does_not_match_its_digest_is_never_completed(world, capsys, monkeypatch):
    # Given an image in dev, and a download that delivers other bytes than the layer's
    uri, _ = world.image(layer_sizes=(9000,))
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), images=[uri])

    @contextlib.contextmanager
    def corrupted(url):
        with download_through_moto(url) as chunks:
            data = bytearray(b"".join(chunks))
            data[-1] ^= 0xFF
            yield [bytes(data)]

    monkeypatch.setattr(images, "http_download", corrupted)
    completed = count_calls(monkeypatch, "complete_layer_upload")
    # When it is promoted
    code, _, err = run(capsys, world.args(arn))
    # Then the blob does not verify (exit 1) and its upload is never completed into a layer, and the
    # target holds no image, no artifact, no package
    assert code == 1 and "did not verify" in one_line(err) and "bytes with digest" in err
    assert completed == []
    assert world.target_images() == {f"{PROMOTED}/fraud-model": []}
    assert world.target_keys() == [] and world.target_packages() == []


def test_a_dry_run_shows_the_image_copy_and_creates_no_repository(world, capsys):
    uri, pushed = world.image()
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), images=[uri])
    code, out, _ = run(capsys, [*world.args(arn), "--dry-run"])
    assert code == 0
    assert f"image   container 0: {uri} -> {TARGET_REGISTRY}/{PROMOTED}/fraud-model@{pushed}" in out
    assert f"repository {PROMOTED}/fraud-model (create)" in out
    assert world.target_images() == {} and world.target_packages() == []


# --- bad input: one line, exit 2 --------------------------------------------------------------------


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud",  # unversioned
        "arn:aws:sagemaker:us-east-1:12345:model-package/fraud/1",
        "arn:aws:s3:::bucket/key",
        "fraud/1",
    ],
)
def test_a_malformed_arn_is_one_line_and_exit_2(world, capsys, arn):
    code, out, err = run(capsys, world.args(arn))
    assert code == 2 and out == ""
    assert "is not a versioned model package ARN" in one_line(err)


def test_a_profile_that_does_not_exist_is_one_line_and_exit_2(world, capsys):
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    code, _, err = run(capsys, [*world.args(arn), "--source-profile", "nobody"])
    assert code == 2
    assert one_line(err) == "promote_model: error: --source-profile 'nobody': no such profile in the AWS configuration"


def test_a_missing_ssm_parameter_is_named(world, capsys):
    world.t_ssm.delete_parameter(Name=f"{world.prefix}/promotion/kms_key_arn")
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    code, _, err = run(capsys, world.args(arn))
    assert code == 2
    assert "SSM parameter /smenv/staging/promotion/kms_key_arn is missing" in one_line(err)
    assert world.target_keys() == []


def test_no_credentials_at_all_is_one_line_and_exit_2(world, capsys, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, _, err = run(capsys, world.args("arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud/1"))
    assert code == 2 and "no AWS credentials found" in one_line(err)


def test_target_credentials_for_another_account_are_refused(world, capsys):
    # live/prod/env.hcl names 333333333333; the staging role is in 222222222222
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    code, _, err = run(capsys, ["--model-package-arn", arn, "--target-env", "prod", "--target-role-arn", STAGING_ROLE])
    assert code == 2
    assert "credentials are for account 222222222222, but live/prod/env.hcl says 333333333333" in one_line(err)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--shadow-sampling", "10"], "--shadow-sampling needs --as shadow"),
        (
            ["--endpoint", "fraud", "--as", "shadow", "--shadow-sampling", "0"],
            "--shadow-sampling must be from 1 to 100",
        ),
        (
            ["--endpoint", "fraud", "--as", "shadow", "--shadow-sampling", "101"],
            "--shadow-sampling must be from 1 to 100",
        ),
        (["--endpoint", "fraud", "--as", "shadow"], "--as shadow needs --shadow-sampling"),
        (["--as", "production"], "--as needs --endpoint"),
        (["--source-profile", "a", "--source-role-arn", STAGING_ROLE], "not allowed with argument"),
        (["--part-size", "1MiB"], "--part-size must be from 5 MiB to 5 GiB"),
        (["--multipart-threshold", "6GiB"], "--multipart-threshold must be from 1 byte to 5 GiB"),
        (["--source-role-arn", "admin"], "is not an IAM role ARN"),
        (["--target-env", "qa"], "unknown environment 'qa'"),
    ],
)
def test_contradictory_or_out_of_range_flags_are_one_line_and_exit_2(world, capsys, extra, message):
    code, out, err = run(
        capsys, [*world.args("arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud/1"), *extra]
    )
    assert code == 2 and out == ""
    assert message in one_line(err)


# --- dry run ---------------------------------------------------------------------------------------


def test_a_dry_run_shows_the_plan_and_changes_nothing(world, capsys):
    # Given a package with one small and one large artifact, and an endpoint
    arn = world.package(
        world.artifact("fraud/small/model.tar.gz", b"small"),
        world.artifact("fraud/big/model.tar.gz", os.urandom(11 * MiB)),
    )
    world.endpoint()
    configs_before = world.t_sm.list_endpoint_configs()["EndpointConfigs"]
    # When it is dry-run, as text and as JSON
    code, out, err = run(capsys, [*world.args(arn), *SMALL, "--endpoint", "fraud", "--dry-run"])
    json_code, json_out, _ = run(capsys, [*world.args(arn), *SMALL, "--endpoint", "fraud", "--dry-run", "--json"])
    # Then it shows each copy (source -> target, bytes, single/multipart) and what it would create
    assert (code, json_code, err) == (0, 0, "")
    assert "would promote" in out and "dry run: nothing changed" in out
    assert f"s3://{SOURCE_BUCKET}/fraud/big/model.tar.gz -> s3://{TARGET_BUCKET}/promoted/fraud/1/" in out
    assert "11.0 MiB  multipart, 3 parts of 5.0 MiB" in out and "single copy" in out
    assert f"verify  container 0: s3://{SOURCE_BUCKET}/fraud/small/model.tar.gz ETag matches ModelDataETag" in out
    plan = json.loads(json_out)
    assert plan["status"] == "dry-run"
    assert [(a["method"], a["bytes"]) for a in plan["artifacts"]] == [("single", 5), ("multipart", 11 * MiB)]
    assert plan["package"] == {"action": "register", "arn": None, "approval_status": "Approved"}
    assert (
        plan["endpoint"]["model_action"] == "create" and plan["endpoint"]["previous_config"] == "smenv-staging-fraud-1"
    )
    # And nothing changed in the target
    assert world.target_keys() == [] and world.target_packages() == []
    assert world.t_sm.list_endpoint_configs()["EndpointConfigs"] == configs_before
    assert world.t_sm.list_models()["Models"][0]["ModelName"] == "fraud-live"
    assert len(world.t_sm.list_models()["Models"]) == 1


# --- endpoints ---------------------------------------------------------------------------------------


def test_the_endpoint_is_moved_to_the_promoted_model_as_production(world, capsys):
    # Given an InService endpoint in staging, with data capture and a KMS key
    name = world.endpoint()
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    # When the model is promoted with --endpoint fraud (the contract's endpoints/fraud/endpoint_name)
    code, out, err = run(capsys, [*world.args(arn), "--endpoint", "fraud", "--as", "production", "--json"])
    # Then the endpoint runs a new configuration whose production variant is the promoted package
    assert (code, err) == (0, ""), err
    report = json.loads(out)
    endpoint = world.t_sm.describe_endpoint(EndpointName=name)
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointConfigName"] == report["endpoint"]["config"] != "smenv-staging-fraud-1"
    config = world.t_sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    [variant] = config["ProductionVariants"]
    assert (variant["VariantName"], variant["InstanceType"], variant["InitialInstanceCount"]) == (
        "production",
        "ml.m5.large",
        2,
    )
    assert config["KmsKeyId"] == world.key_arn
    assert config["DataCaptureConfig"]["DestinationS3Uri"] == f"s3://{TARGET_BUCKET}/capture"
    # And the model serves the registered package, in the contract's network, with the old model's role
    model = world.t_sm.describe_model(ModelName=variant["ModelName"])
    assert model["PrimaryContainer"]["ModelPackageName"] == report["package"]["arn"]
    assert model["VpcConfig"] == {"Subnets": ["subnet-aaa", "subnet-bbb"], "SecurityGroupIds": ["sg-models"]}
    assert model["ExecutionRoleArn"].endswith(":role/smenv-staging-fraud-endpoint")


def test_the_promoted_model_can_shadow_production(world, capsys):
    # Given an endpoint serving fraud-live
    name = world.endpoint(capture=False)
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    # When the model is promoted as a shadow with 10 % sampling
    code, out, err = run(
        capsys, [*world.args(arn), "--endpoint", name, "--as", "shadow", "--shadow-sampling", "10", "--json"]
    )
    # Then production is unchanged and the new model receives a tenth of its requests as a shadow
    assert (code, err) == (0, ""), err
    config = world.t_sm.describe_endpoint_config(
        EndpointConfigName=world.t_sm.describe_endpoint(EndpointName=name)["EndpointConfigName"]
    )
    assert [v["ModelName"] for v in config["ProductionVariants"]] == ["fraud-live"]
    [shadow] = config["ShadowProductionVariants"]
    assert (shadow["VariantName"], shadow["InitialVariantWeight"]) == ("shadow", 0.1)
    assert shadow["ModelName"] == json.loads(out)["endpoint"]["model"]
    assert json.loads(out)["endpoint"]["endpoint_from"] == "--endpoint"  # the name, not a contract entry


def test_running_the_endpoint_update_again_changes_nothing(world, capsys):
    name = world.endpoint()
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    assert run(capsys, [*world.args(arn), "--endpoint", "fraud"])[0] == 0
    config = world.t_sm.describe_endpoint(EndpointName=name)["EndpointConfigName"]
    code, out, _ = run(capsys, [*world.args(arn), "--endpoint", "fraud", "--json"])
    assert code == 0
    report = json.loads(out)
    assert (report["status"], report["endpoint"]["action"]) == ("already-promoted", "none (already serving)")
    assert world.t_sm.describe_endpoint(EndpointName=name)["EndpointConfigName"] == config


def test_a_failed_endpoint_update_removes_the_new_model_and_configuration(world, capsys, monkeypatch):
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    # Given an endpoint whose update SageMaker refuses
    name = world.endpoint()
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))

    def refuse(self):
        raise ValidationError("injected: cannot update endpoint")

    monkeypatch.setattr(SageMakerResponse, "update_endpoint", refuse)
    # When the model is promoted with --endpoint
    code, _, err = run(capsys, [*world.args(arn), "--endpoint", "fraud"])
    # Then the error is one line, the endpoint keeps its configuration, and no new model or config remains
    assert code == 1 and "UpdateEndpoint" in one_line(err)
    assert world.t_sm.describe_endpoint(EndpointName=name)["EndpointConfigName"] == "smenv-staging-fraud-1"
    assert [m["ModelName"] for m in world.t_sm.list_models()["Models"]] == ["fraud-live"]
    assert [c["EndpointConfigName"] for c in world.t_sm.list_endpoint_configs()["EndpointConfigs"]] == [
        "smenv-staging-fraud-1"
    ]
    # (the promotion itself stands: a second run finds it and retries only the endpoint)
    assert len(world.target_packages()) == 1


def test_an_endpoint_in_prod_needs_an_approved_package_first(aws_env, capsys):
    emulator_patches.apply_all()
    with mock_aws():
        world = World(target_account=PROD_ACCOUNT, env="prod")
        arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
        code, _, err = run(capsys, [*world.args(arn), "--endpoint", "fraud"])
        assert code == 3 and "deploys only an Approved package" in one_line(err)
        assert world.target_keys() == []


def test_an_endpoint_that_does_not_exist_is_bad_input_and_nothing_is_copied(world, capsys):
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"))
    code, _, err = run(capsys, [*world.args(arn), "--endpoint", "nowhere"])
    assert code == 2 and "endpoint 'nowhere' does not exist" in one_line(err)
    assert world.target_keys() == [] and world.target_packages() == []


# --- end to end, as a subprocess against a moto server ---------------------------------------------


@pytest.fixture(scope="module")
def server():
    running, started = local_aws.start(SERVER_PORT)
    yield running.url
    if started:
        local_aws.stop(SERVER_PORT)


@pytest.fixture
def server_world(server, aws_env, monkeypatch):
    urllib.request.urlopen(urllib.request.Request(f"{server}/moto-api/reset", method="POST"), timeout=10).read()
    monkeypatch.setenv("AWS_ENDPOINT_URL", server)
    return World(endpoint_url=server)


def run_tool(argv: list[str]) -> subprocess.CompletedProcess:
    env = toolchain_env(**{k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    return subprocess.run(
        [sys.executable, str(REPO / "tools" / "promote_model.py"), *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(REPO),
        timeout=120,
    )


@pytest.mark.slow
def test_end_to_end_a_promotion_then_a_rerun_exit_0_with_json(server_world):
    world = server_world
    data = os.urandom(12 * MiB)
    arn = world.package(world.artifact("fraud/m.tar.gz", data))
    first = run_tool([*world.args(arn), *SMALL, "--json"])
    assert (first.returncode, first.stderr) == (0, "")
    assert json.loads(first.stdout)["status"] == "promoted"
    second = run_tool([*world.args(arn), *SMALL, "--json"])
    assert (second.returncode, json.loads(second.stdout)["status"]) == (0, "already-promoted")
    assert world.t_s3.get_object(Bucket=TARGET_BUCKET, Key=world.target_keys()[0])["Body"].read() == data


@pytest.mark.slow
@pytest.mark.parametrize(
    ("status", "arn_suffix", "code", "message"),
    [
        ("PendingManualApproval", "", 3, "not Approved"),
        ("Approved", "/extra", 2, "is not a versioned model package ARN"),
    ],
)
def test_end_to_end_errors_are_one_line_with_their_exit_code(server_world, status, arn_suffix, code, message):
    world = server_world
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), status=status) + arn_suffix
    done = run_tool(world.args(arn))
    assert done.returncode == code
    assert message in one_line(done.stderr)
    assert world.target_keys() == []


@pytest.mark.slow
def test_end_to_end_an_image_is_downloaded_copied_and_found_again(server_world):
    # Given an image in dev's ECR on the emulator (its layer URLs are plain HTTP, as the emulator is)
    world = server_world
    uri, pushed = world.image(layer_sizes=(11 * MiB,))
    arn = world.package(world.artifact("fraud/m.tar.gz", b"model"), images=[uri], image_digests=[pushed])
    # When the tool promotes it (its own download, urllib3), then runs again
    first = run_tool([*world.args(arn), "--json"])
    second = run_tool([*world.args(arn), "--json"])
    # Then the image is in staging's ECR by the same digest, and the second run finds it
    assert (first.returncode, first.stderr) == (0, "")
    [image] = json.loads(first.stdout)["images"]
    assert (image["action"], image["blobs_uploaded"], image["bytes_uploaded"]) == ("copied", 2, image["bytes"])
    assert world.target_images() == {f"{PROMOTED}/fraud-model": [pushed]}
    assert (second.returncode, json.loads(second.stdout)["status"]) == (0, "already-promoted")
    assert [i["action"] for i in json.loads(second.stdout)["images"]] == ["present"]
