"""The pure decisions of tools/promote_model.py: keys, parts, checksums, verification, endpoint configs, images."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from datetime import UTC, datetime

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smenv.core.project import UsageError
from smenv.promotion import PromotionFailed, Refused, registry
from smenv.promotion.endpoint import (
    EndpointPlan,
    already_serving,
    cloned_config,
    config_name,
    model_name,
    update_arguments,
)
from smenv.promotion.images import (
    OCI_INDEX,
    OCI_MANIFEST,
    aws_registry_accounts,
    check_download_url,
    classify_image,
    digest_of,
    load_aws_registries,
    parse_image_uri,
    parse_manifest,
    part_size,
    parts,
    promoted_tag,
    repository_prefix,
    target_image_uri,
    target_repository,
)
from smenv.promotion.integrity import (
    CHECKSUM,
    ETAG,
    STREAM,
    UNVERIFIED,
    ImageRecord,
    Recorded,
    copy_sha256,
    judge,
    judge_stream,
    recorded,
    refusal,
    unverified,
    whole_object_sha256,
)
from smenv.promotion.plan import (
    Checksum,
    CopyOptions,
    CopyResult,
    ExistingPackage,
    GiB,
    MiB,
    SourceObject,
    checksum_from_head,
    composite_checksum,
    composite_etag,
    content_hash,
    copy_checksum,
    find_promotion,
    parse_size,
    part_ranges,
    plan_artifacts,
    promoted_metadata,
    promoted_specification,
    verify,
)

KEY = "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-0000-0000-0000-000000000000"
SHA = Checksum("SHA256", base64.b64encode(hashlib.sha256(b"model").digest()).decode(), "FULL_OBJECT")


def obj(size: int = 5, checksum: Checksum | None = SHA, etag: str = "abc", container: int = 0) -> SourceObject:
    return SourceObject(container, "dev-models", "fraud/train/model.tar.gz", size, etag, None, checksum)


def head(size: int = 5, checksum: dict | None = None, etag: str = '"abc"', key: str = KEY) -> dict:
    return {
        "ContentLength": size,
        "ETag": etag,
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": key,
        **(checksum or {}),
    }


@given(
    size=st.integers(min_value=1, max_value=10_000 * 5 * GiB), part=st.integers(min_value=5 * MiB, max_value=5 * GiB)
)
def test_parts_cover_the_object_once_in_order_within_s3s_limits(size, part):
    parts = part_ranges(size, part)
    assert parts[0].start == 0 and parts[-1].end == size - 1
    assert all(b.start == a.end + 1 for a, b in itertools.pairwise(parts))
    assert [p.number for p in parts] == list(range(1, len(parts) + 1))
    assert len(parts) <= 10_000
    assert all(5 * MiB <= p.size <= 5 * GiB for p in parts[:-1])


def test_a_huge_object_gets_larger_parts_rather_than_more_than_10000():
    parts = part_ranges(5000 * GiB, 256 * MiB)
    assert len(parts) <= 10_000 and parts[0].size == 512 * MiB


def test_the_same_content_always_gets_the_same_key_and_other_content_another():
    options = CopyOptions()
    first = plan_artifacts([obj()], "fraud", 3, "stg-models", options)
    again = plan_artifacts([obj()], "fraud", 3, "stg-models", options)
    other = plan_artifacts([obj(etag="def")], "fraud", 3, "stg-models", options)
    assert first[1][0].target_key == again[1][0].target_key == f"promoted/fraud/3/{first[0][:16]}/0/model.tar.gz"
    assert other[1][0].target_key != first[1][0].target_key
    assert content_hash([obj(container=0), obj(container=1, etag="x")]) == content_hash(
        [obj(container=1, etag="x"), obj(container=0)]
    )


def test_objects_above_the_threshold_are_copied_in_parts():
    options = CopyOptions(multipart_threshold=5 * GiB, part_size=256 * MiB)
    _, [small, large] = plan_artifacts([obj(size=5 * GiB), obj(size=5 * GiB + 1, container=1)], "g", 1, "b", options)
    assert (small.multipart, large.multipart) == (False, True)
    assert len(large.parts) == 21 and large.parts[-1].size == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ({"ChecksumSHA256": "abc="}, Checksum("SHA256", "abc=", "FULL_OBJECT")),
        ({"ChecksumSHA256": "abc=-12"}, Checksum("SHA256", "abc=", "COMPOSITE")),  # S3
        ({"ChecksumSHA256": "abc=", "ChecksumType": "COMPOSITE"}, Checksum("SHA256", "abc=", "COMPOSITE")),  # moto
        ({"ChecksumCRC32": "q83=", "ChecksumType": "FULL_OBJECT"}, Checksum("CRC32", "q83=", "FULL_OBJECT")),
        ({"ETag": '"x"'}, None),
        # moto: a multipart upload's composite SHA-256 without suffix or type; its ETag tells
        ({"ChecksumSHA256": "abc=", "ETag": '"d41d8cd9-2"'}, Checksum("SHA256", "abc=", "COMPOSITE")),
        (
            {"ChecksumSHA256": "abc=", "ChecksumType": "FULL_OBJECT", "ETag": '"d41d8cd9-2"'},
            Checksum("SHA256", "abc=", "COMPOSITE"),
        ),
        # a CRC can be a whole-object checksum of a multipart upload
        (
            {"ChecksumCRC32": "q83=", "ChecksumType": "FULL_OBJECT", "ETag": '"d41d8cd9-3"'},
            Checksum("CRC32", "q83=", "FULL_OBJECT"),
        ),
    ],
)
def test_a_checksum_is_read_as_s3_and_moto_report_it(header, expected):
    assert checksum_from_head(header) == expected


@pytest.mark.parametrize(
    ("source", "multipart", "asked"),
    [
        (SHA, False, ("SHA256", None)),
        (Checksum("CRC32", "x", "FULL_OBJECT"), False, ("CRC32", None)),
        (Checksum("CRC32", "x", "FULL_OBJECT"), True, ("CRC32", "FULL_OBJECT")),
        (SHA, True, ("SHA256", "COMPOSITE")),
        (Checksum("SHA256", "x", "COMPOSITE"), False, ("SHA256", None)),
        (None, True, ("SHA256", "COMPOSITE")),
    ],
)
def test_the_copy_asks_for_a_checksum_it_can_compare_with_the_source(source, multipart, asked):
    assert copy_checksum(source, multipart) == asked


def test_s3s_multipart_etag_is_the_md5_of_the_parts_etags():
    # the documented example: two parts -> md5 of their binary MD5s, "-2"
    parts = [hashlib.md5(b"a" * 10).hexdigest(), hashlib.md5(b"b").hexdigest()]
    expected = hashlib.md5(bytes.fromhex(parts[0]) + bytes.fromhex(parts[1])).hexdigest()
    assert composite_etag([f'"{p}"' for p in parts]) == f"{expected}-2"
    digests = [hashlib.sha256(b"a").digest(), hashlib.sha256(b"b").digest()]
    assert (
        composite_checksum("SHA256", [base64.b64encode(d).decode() for d in digests])
        == base64.b64encode(hashlib.sha256(b"".join(digests)).digest()).decode()
    )
    assert composite_checksum("CRC32", ["AAAAAA=="]) is None


def single(source: SourceObject):
    return plan_artifacts([source], "g", 1, "b", CopyOptions())[1][0]


def test_a_copy_with_the_sources_checksum_verifies_by_checksum_and_another_fails():
    plan = single(obj())
    assert verify(plan, head(checksum={"ChecksumSHA256": SHA.value}), KEY, CopyResult()) == "checksum"
    with pytest.raises(ValueError, match="differs from the source"):
        verify(plan, head(checksum={"ChecksumSHA256": "b3RoZXI="}), KEY, CopyResult())


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        (head(size=4), "has 4 bytes, the source 5"),
        (head(key="arn:aws:kms:eu-west-1:222222222222:key/other"), "not SSE-KMS with"),
        ({**head(), "ServerSideEncryption": "AES256"}, "encrypted with AES256"),
    ],
)
def test_a_copy_of_the_wrong_size_or_key_never_verifies(target, problem):
    with pytest.raises(ValueError, match=problem):
        verify(single(obj(checksum=None)), target, KEY, CopyResult())


def test_an_s3_key_id_names_the_same_key_as_its_arn():
    assert verify(single(obj(checksum=None)), head(key=KEY.rsplit("/", 1)[1]), KEY, CopyResult()) == "size"


def test_a_multipart_copy_is_verified_by_the_parts_it_uploaded():
    source = obj(size=12 * MiB, checksum=None)
    plan = plan_artifacts([source], "g", 1, "b", CopyOptions(multipart_threshold=5 * MiB, part_size=5 * MiB))[1][0]
    etags = [hashlib.md5(bytes([i])).hexdigest() for i in range(3)]
    result = CopyResult(part_etags=etags)
    assert verify(plan, head(size=12 * MiB, etag=f'"{composite_etag(etags)}"'), KEY, result) == "parts"
    with pytest.raises(ValueError, match="is not the parts' composite"):
        verify(plan, head(size=12 * MiB, etag=f'"{composite_etag(etags[:2])}"'), KEY, result)


@pytest.mark.parametrize(
    ("text", "size"),
    [("5GiB", 5 * GiB), ("256MiB", 256 * MiB), ("5MB", 5 * MiB), ("1024", 1024), ("1.5G", 3 * GiB // 2)],
)
def test_sizes_are_read_in_binary_units(text, size):
    assert parse_size(text, "--part-size") == size


def test_a_size_that_is_not_one_is_bad_usage():
    with pytest.raises(UsageError, match="--part-size 'lots' is not a size"):
        parse_size("lots", "--part-size")


def test_a_promotion_of_the_same_source_with_other_content_is_refused():
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/fraud/3"
    mine = ExistingPackage("t/1", "Approved", {"smenv:source-package-arn": arn, "smenv:content-hash": "aa"})
    other = ExistingPackage("t/2", "Approved", {"smenv:source-package-arn": arn, "smenv:content-hash": "bb"})
    unrelated = ExistingPackage("t/3", "Approved", {})
    assert find_promotion([unrelated, mine], arn, "aa") == mine
    assert find_promotion([unrelated], arn, "aa") is None
    with pytest.raises(Refused, match="different model already holds that version"):
        find_promotion([mine, other], arn, "aa")


def test_names_fit_sagemakers_63_characters_and_are_stable():
    long = "a-very-long-model-package-group-name-that-goes-on-and-on-and-on-forever"
    assert model_name(long, 12, "f" * 64) == model_name(long, 12, "f" * 64)
    assert len(model_name(long, 12, "f" * 64)) <= 63 and model_name("fraud", 3, "abcdef0123") == "fraud-3-abcdef01"
    name = config_name(long, "0" * 64, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert len(name) <= 63 and name.endswith("-00000000-20260102030405")


CURRENT = {
    "EndpointConfigName": "ep-1",
    "EndpointConfigArn": "arn:aws:sagemaker:eu-west-1:222222222222:endpoint-config/ep-1",
    "CreationTime": "2026-01-01",
    "KmsKeyId": KEY,
    "DataCaptureConfig": {},
    "ProductionVariants": [
        {
            "VariantName": "production",
            "ModelName": "old",
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 2,
            "InitialVariantWeight": 2.0,
        }
    ],
    "ShadowProductionVariants": [{"VariantName": "shadow", "ModelName": "candidate", "InitialVariantWeight": 0.2}],
}


@pytest.fixture(scope="module")
def shape():
    sagemaker = boto3.client("sagemaker", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    return sagemaker.meta.service_model.operation_model("CreateEndpointConfig").input_shape


def test_a_production_swap_keeps_the_configuration_but_the_model(shape):
    config = cloned_config(CURRENT, shape, "ep-2", model="new", mode="production", sampling=None, tags=[])
    assert config["EndpointConfigName"] == "ep-2" and config["KmsKeyId"] == KEY
    assert config["ProductionVariants"] == [{**CURRENT["ProductionVariants"][0], "ModelName": "new"}]
    assert "ShadowProductionVariants" not in config and "DataCaptureConfig" not in config
    assert "EndpointConfigArn" not in config and "CreationTime" not in config


def test_a_shadow_gets_its_share_of_production_and_productions_shape(shape):
    config = cloned_config(CURRENT, shape, "ep-2", model="new", mode="shadow", sampling=25, tags=[])
    assert config["ProductionVariants"] == CURRENT["ProductionVariants"]
    [shadow] = config["ShadowProductionVariants"]
    assert shadow == {
        "VariantName": "shadow",
        "ModelName": "new",
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 2,
        "InitialVariantWeight": 0.5,
    }
    assert already_serving({**CURRENT, "ShadowProductionVariants": [shadow]}, "new", "shadow", 25)
    assert not already_serving({**CURRENT, "ShadowProductionVariants": [shadow]}, "new", "shadow", 50)


def test_an_endpoint_update_keeps_autoscaled_instance_counts_but_takes_the_new_weights():
    # Given a plan to move an autoscaled endpoint to a new configuration
    plan = EndpointPlan(
        endpoint="ep", endpoint_source="--endpoint", mode="shadow", sampling=10, previous_config="ep-1",
        model="m", model_exists=False, create_model={}, config="ep-2", create_config={}, noop=False,
    )  # fmt: skip
    # When the update's arguments are made
    arguments = update_arguments(plan)
    # Then the instance counts autoscaling chose are kept, and the new shadow sampling (a weight) applies
    assert arguments["EndpointConfigName"] == "ep-2"
    assert arguments["RetainAllVariantProperties"] is True
    assert arguments["ExcludeRetainedVariantProperties"] == [{"VariantPropertyType": "DesiredWeight"}]


# --- container images (src/smenv/promotion/images.py) -----------------------------------------------------

DEV, STAGING, THIRD = "111111111111", "222222222222", "444444444444"
REGISTRIES = {"eu-west-1": frozenset({"763104351884", "141502667606"}), "us-east-1": frozenset({"683313688378"})}
DIGEST = "sha256:" + "ab" * 32
OTHER_DIGEST = "sha256:" + "cd" * 32


def classify(uri: str, recorded: str | None = None, target_region: str = "eu-west-1"):
    return classify_image(
        1,
        uri,
        recorded,
        source_account=DEV,
        target_account=STAGING,
        target_region=target_region,
        aws_registries=REGISTRIES,
    )


@pytest.mark.parametrize(
    ("uri", "kind"),
    [
        ("763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3-cpu-py311", "aws"),
        ("141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1", "aws"),
        (f"{STAGING}.dkr.ecr.eu-west-1.amazonaws.com/fraud-model:1.3", "target"),
        (f"{DEV}.dkr.ecr.eu-west-1.amazonaws.com/fraud-model:1.3", "source"),
        (f"{DEV}.dkr.ecr.us-east-1.amazonaws.com/team/fraud-model@{DIGEST}", "source"),  # another region: copied
        (f"{DEV}.dkr.ecr-fips.us-east-1.amazonaws.com/fraud-model", "source"),
    ],
)
def test_an_image_is_kept_when_the_target_can_pull_it_and_copied_from_the_source_account(uri, kind):
    assert classify(uri).kind == kind


@pytest.mark.parametrize(
    ("uri", "recorded", "reason"),
    [
        (f"{THIRD}.dkr.ecr.eu-west-1.amazonaws.com/shared/fraud:1", None, "is in account 444444444444: neither"),
        (f"{THIRD}.dkr.ecr.ap-south-2.amazonaws.com/fraud:1", None, "lists no registries for ap-south-2"),
        ("docker.io/library/python:3.11", None, "is not an Amazon ECR image"),
        ("public.ecr.aws/sagemaker/sagemaker-distribution:latest", None, "is not an Amazon ECR image"),
        ("nginx", None, "is not an Amazon ECR image"),
        ("", None, "is not an Amazon ECR image"),
        (f"{DEV}.dkr.ecr.eu-west-1.amazonaws.com/Fraud:1", None, "is not an Amazon ECR image"),  # upper case
        ("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", None, "is AWS-owned, but SageMaker"),
        (f"{STAGING}.dkr.ecr.us-east-1.amazonaws.com/fraud:1", None, "is in the target account but SageMaker"),
        (f"{DEV}.dkr.ecr.eu-west-1.amazonaws.com/fraud@{DIGEST}", OTHER_DIGEST, "not the digest its URI pins"),
        (f"{DEV}.dkr.ecr.eu-west-1.amazonaws.com/fraud:1", "md5:abc", "is not a sha256:<64 hex> digest"),
    ],
)
def test_an_image_the_target_could_not_pull_or_we_cannot_copy_is_refused_naming_why(uri, recorded, reason):
    with pytest.raises(Refused, match="container 1 image") as refused:
        classify(uri, recorded)
    assert reason in str(refused.value)


def test_an_image_uri_is_read_into_its_parts():
    ref = parse_image_uri(f"{DEV}.dkr.ecr.cn-north-1.amazonaws.com.cn/team/fraud-model:1.3@{DIGEST}")
    assert ref is not None
    assert (ref.account, ref.region, ref.repository, ref.tag, ref.digest) == (
        DEV,
        "cn-north-1",
        "team/fraud-model",
        "1.3",
        DIGEST,
    )
    assert ref.repository_arn == f"arn:aws-cn:ecr:cn-north-1:{DEV}:repository/team/fraud-model"
    assert ref.image_id == {"imageDigest": DIGEST}  # a pinned digest wins over the tag
    untagged = parse_image_uri(f"{DEV}.dkr.ecr.eu-west-1.amazonaws.com/fraud")
    assert untagged is not None and untagged.image_id == {"imageTag": "latest"}


@pytest.mark.parametrize(
    ("region", "repository", "uri"),
    [
        ("eu-west-1", "fraud-model", f"{STAGING}.dkr.ecr.eu-west-1.amazonaws.com/smenv-staging-promoted/fraud-model@{DIGEST}"),
        ("eu-west-1", "team/fraud", f"{STAGING}.dkr.ecr.eu-west-1.amazonaws.com/smenv-staging-promoted/team/fraud@{DIGEST}"),
        ("cn-north-1", "fraud", f"{STAGING}.dkr.ecr.cn-north-1.amazonaws.com.cn/smenv-staging-promoted/fraud@{DIGEST}"),
    ],
)  # fmt: skip
def test_a_copied_image_lands_under_the_prefix_with_its_source_name_pinned_by_digest(region, repository, uri):
    name = target_repository(repository_prefix("smenv-staging"), repository)
    assert name == f"smenv-staging-promoted/{repository}"
    assert target_image_uri(STAGING, region, name, DIGEST) == uri


def test_a_target_name_or_uri_longer_than_ecr_or_sagemaker_take_is_refused():
    with pytest.raises(Refused, match="not a valid ECR repository name"):
        target_repository("smenv-staging-promoted", "r" * 240)
    with pytest.raises(Refused, match="longer than the 255 characters SageMaker takes"):
        target_image_uri(STAGING, "eu-west-1", "r" * 200, DIGEST)


def test_the_promoted_tag_is_derived_from_the_digest():
    assert promoted_tag(DIGEST) == "promoted-abababababababab"


def oci(config: str, *layers: str, extra: dict | None = None) -> str:
    def desc(d: str) -> dict:
        return {"mediaType": "application/octet-stream", "digest": d, "size": 10}

    return json.dumps(
        {"schemaVersion": 2, "config": desc(config), "layers": [desc(d) for d in layers], **(extra or {})}
    )


def test_an_image_manifest_names_its_config_and_layers_once_each():
    text = oci(DIGEST, OTHER_DIGEST, OTHER_DIGEST)
    manifest = parse_manifest(text, OCI_MANIFEST, digest_of(text), "here")
    assert [b.digest for b in manifest.blobs] == [DIGEST, OTHER_DIGEST]
    assert (manifest.media_type, manifest.is_index, manifest.children) == (OCI_MANIFEST, False, ())


def test_an_index_names_its_manifests():
    text = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [{"digest": DIGEST, "size": 5}, {"digest": OTHER_DIGEST, "size": 6}],
        }
    )
    manifest = parse_manifest(text, None, digest_of(text), "here")
    assert manifest.is_index and manifest.children == (DIGEST, OTHER_DIGEST) and manifest.blobs == ()


def test_a_manifest_that_is_not_its_digest_is_a_failure_not_a_refusal():
    with pytest.raises(PromotionFailed, match="SHA-256 differs"):
        parse_manifest(oci(DIGEST), OCI_MANIFEST, OTHER_DIGEST, "here")


@pytest.mark.parametrize(
    ("text", "media_type", "reason"),
    [
        (json.dumps({"schemaVersion": 1, "fsLayers": []}), None, "Docker schema 1"),
        (oci(DIGEST), "application/vnd.docker.distribution.manifest.v1+prettyjws", "Docker schema 1"),
        (json.dumps({"schemaVersion": 2, "mediaType": "application/x-other"}), None, "does not copy"),
        (oci("sha512:" + "a" * 128), OCI_MANIFEST, "ECR stores SHA-256 only"),
        (json.dumps({"schemaVersion": 2, "config": {"digest": DIGEST, "size": 1}, "layers": [{"digest": OTHER_DIGEST, "size": 1, "urls": ["https://x"]}]}), OCI_MANIFEST, "foreign layer"),
        ("not json", OCI_MANIFEST, "is not JSON"),
    ],
)  # fmt: skip
def test_a_manifest_that_cannot_be_copied_as_it_is_is_refused(text, media_type, reason):
    with pytest.raises(Refused, match=reason):
        parse_manifest(text, media_type, digest_of(text), "here")


@pytest.mark.parametrize(
    ("url", "endpoint", "fine"),
    [
        ("https://bucket.s3.eu-west-1.amazonaws.com/x", "https://api.ecr.eu-west-1.amazonaws.com", True),
        ("http://bucket.s3.eu-west-1.amazonaws.com/x", "https://api.ecr.eu-west-1.amazonaws.com", False),
        ("http://127.0.0.1:4566/ecr_us-east-1/smenv-layer/x", "http://127.0.0.1:4566", True),  # the emulator
        ("ftp://example.com/x", "http://127.0.0.1:4566", False),
    ],
)
def test_a_layer_is_downloaded_over_https_unless_the_api_itself_is_plain_http(url, endpoint, fine):
    if fine:
        check_download_url(url, endpoint)
    else:
        with pytest.raises(PromotionFailed, match="not HTTPS"):
            check_download_url(url, endpoint)


@given(chunks=st.lists(st.binary(max_size=50), max_size=20), size=st.integers(min_value=1, max_value=40))
def test_a_stream_is_cut_into_whole_parts_and_one_last_shorter_one(chunks, size):
    cut = list(parts(chunks, size))
    assert b"".join(cut) == b"".join(chunks)
    assert all(len(p) == size for p in cut[:-1]) and all(0 < len(p) <= size for p in cut)


def test_the_part_size_is_what_ecr_answers_within_bounds():
    assert part_size(20 * MiB) == 20 * MiB
    assert part_size(None) == part_size(1) == part_size(10 * GiB) == 10 * MiB


def test_the_projects_registry_list_is_read_per_region():
    registries = load_aws_registries()
    assert "141502667606" in registries["eu-west-1"] and "763104351884" in registries["eu-west-1"]
    assert aws_registry_accounts({"regions": {"x-1": {"dlc": "123456789012"}}}) == {"x-1": frozenset({"123456789012"})}
    with pytest.raises(ValueError, match="not a 12-digit account"):
        aws_registry_accounts({"regions": {"x-1": {"dlc": "12"}}})


def test_a_copied_image_changes_the_content_hash_and_no_image_leaves_it_as_it_was():
    assert content_hash([obj()]) == content_hash([obj()], {})
    assert content_hash([obj()], {0: DIGEST}) != content_hash([obj()])
    assert content_hash([obj()], {0: DIGEST}) != content_hash([obj()], {0: OTHER_DIGEST})


def test_the_registered_specification_points_at_the_copied_image_and_keeps_the_others():
    spec = {
        "Containers": [
            {"Image": "aws-image", "ModelDataUrl": "s3://dev/a"},
            {"Image": "dev-image:1", "ImageDigest": DIGEST, "ModelDataUrl": "s3://dev/b"},
        ]
    }
    uri = f"{STAGING}.dkr.ecr.eu-west-1.amazonaws.com/p/dev-image@{DIGEST}"
    promoted = promoted_specification(spec, {0: "s3://stg/a", 1: "s3://stg/b"}, {1: (DIGEST, uri)})
    assert promoted["Containers"] == [
        {"Image": "aws-image", "ModelDataUrl": "s3://stg/a"},
        {"Image": uri, "ImageDigest": DIGEST, "ModelDataUrl": "s3://stg/b"},
    ]
    meta = promoted_metadata({}, "arn", DEV, "hash", "checksum", images={1: (DIGEST, uri)})
    assert (meta["smenv:container-1-source-image-digest"], meta["smenv:container-1-image"]) == (DIGEST, uri)
    assert not [k for k in meta if k.startswith("smenv:container-0")]


# --- source integrity (src/smenv/promotion/integrity.py) ---------------------------------------------------

MODEL = b"the approved model"
MODEL_SHA = hashlib.sha256(MODEL).hexdigest()
MODEL_CHECKSUM = Checksum("SHA256", base64.b64encode(hashlib.sha256(MODEL).digest()).decode(), "FULL_OBJECT")
URL = "s3://dev-models/fraud/train/model.tar.gz"


def now(etag: str = "abc", checksum: Checksum | None = MODEL_CHECKSUM) -> SourceObject:
    """The source object as HeadObject reports it now."""
    return obj(size=len(MODEL), etag=etag, checksum=checksum)


def test_an_object_whose_etag_is_not_the_recorded_one_is_refused_naming_the_container_and_both_etags():
    # Given a package that recorded the ETag at registration, and an object that was overwritten since
    record = Recorded(0, (("ModelDataETag", '"abc"'),))
    # When it is judged / Then it is refused, naming the container, the object and both ETags
    with pytest.raises(Refused, match=r"container 0: s3://dev-models/fraud/train/model.tar.gz has ETag def, "):
        judge(record, now(etag="def"))
    with pytest.raises(Refused, match="records ModelDataETag abc: the object was replaced after registration"):
        judge(record, now(etag="def"))


def test_a_matching_etag_verifies_the_artifact_quoted_or_not():
    for recorded_etag in ('"abc"', "abc", "ABC"):
        verdict = judge(Recorded(0, (("ModelDataETag", recorded_etag),)), now(etag="abc"))
        assert (verdict.by, verdict.needs_stream) == (ETAG, False)
        assert verdict.sha256 == MODEL_SHA  # S3's whole-object SHA-256: what the copy's package records


def test_every_etag_the_package_records_must_match():
    containers = [
        {
            "ModelDataUrl": URL,
            "ModelDataETag": "abc",
            "ModelDataSource": {"S3DataSource": {"S3Uri": URL, "S3DataType": "S3Object", "ETag": "old"}},
        }
    ]
    [record] = recorded(containers, {}).values()
    assert record.etags == (("ModelDataETag", "abc"), ("ModelDataSource.S3DataSource.ETag", "old"))
    with pytest.raises(Refused, match=re.escape("records ModelDataSource.S3DataSource.ETag old")):
        judge(record, now(etag="abc"))


def test_a_recorded_sha256_is_compared_with_s3s_whole_object_checksum_without_reading_the_object():
    # Given a package that recorded only its artifact's SHA-256 (metadata), and S3's SHA-256 of the object
    [record] = recorded([{"ModelDataUrl": URL}], {"smenv:container-0-sha256": MODEL_SHA}).values()
    # Then the same SHA-256 verifies it by checksum, another is refused
    verdict = judge(record, now())
    assert (verdict.by, verdict.needs_stream, verdict.sha256) == (CHECKSUM, False, MODEL_SHA)
    other = Checksum("SHA256", base64.b64encode(hashlib.sha256(b"other").digest()).decode(), "FULL_OBJECT")
    with pytest.raises(Refused, match=r"\(S3's checksum\), but the package records smenv:container-0-sha256"):
        judge(record, now(checksum=other))


@pytest.mark.parametrize(
    "checksum",
    [None, Checksum("CRC32", "q83=", "FULL_OBJECT"), Checksum("SHA256", MODEL_CHECKSUM.value, "COMPOSITE")],
    ids=["none", "crc32", "composite-sha256"],
)
def test_without_s3s_whole_object_sha256_a_recorded_hash_is_checked_by_reading_the_bytes(checksum):
    # Given a recorded SHA-256, and no whole-object SHA-256 in S3 (a composite one is of the parts)
    record = Recorded(0, (), MODEL_SHA)
    # When it is judged / Then the object is to be read; the bytes' hash verifies it or is refused
    verdict = judge(record, now(checksum=checksum))
    assert (verdict.by, verdict.needs_stream) == (STREAM, True)
    done = judge_stream(verdict, MODEL_SHA)
    assert (done.by, done.needs_stream, done.sha256) == (STREAM, False, MODEL_SHA)
    with pytest.raises(Refused, match=r"\(read from its bytes\), but the package records smenv:container-0-sha256"):
        judge_stream(verdict, hashlib.sha256(b"other").hexdigest())


def test_with_an_etag_a_recorded_hash_is_checked_only_where_it_costs_nothing():
    record = Recorded(0, (("ModelDataETag", "abc"),), MODEL_SHA)
    # no whole-object SHA-256 in S3: the ETag verifies it, nothing is read, and the recorded hash, which
    # nobody checked, is not what the promoted package will record
    verdict = judge(record, now(checksum=None))
    assert (verdict.by, verdict.needs_stream, verdict.sha256) == (ETAG, False, None)
    assert judge(record, now()).sha256 == MODEL_SHA  # S3's, which matched it
    # S3's SHA-256 differs from the recorded one: refused, even though the ETag matches
    other = Checksum("SHA256", base64.b64encode(hashlib.sha256(b"other").digest()).decode(), "FULL_OBJECT")
    with pytest.raises(Refused, match="S3's checksum"):
        judge(record, now(checksum=other))


def test_nothing_recorded_is_unverified_and_the_refusal_names_what_is_missing_and_the_flag():
    # Given a container that records neither an ETag nor a hash, and an unpinned source-account image
    verdict = judge(Recorded(1), now())
    images_ = [
        ImageRecord(0, "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1", "aws", False),
        ImageRecord(1, f"{DEV}.dkr.ecr.eu-west-1.amazonaws.com/fraud:1", "source", False),
        ImageRecord(2, f"{DEV}.dkr.ecr.eu-west-1.amazonaws.com/fraud:2", "source", True),
    ]
    # When the reasons are gathered
    reasons = unverified([verdict], images_, {})
    # Then each names what is missing (an AWS-owned image, or a pinned one, needs nothing)
    assert verdict.by == UNVERIFIED
    assert reasons == [
        "container 1 records neither ModelDataETag nor smenv:container-1-sha256",
        f"container 1 image {DEV}.dkr.ecr.eu-west-1.amazonaws.com/fraud:1 records no ImageDigest (nor a digest in its URI)",
    ]
    message = refusal("arn:pkg/1", reasons[:1])
    assert message == (
        "arn:pkg/1 cannot be verified to be what was approved: container 1 records neither ModelDataETag nor "
        "smenv:container-1-sha256 (--accept-unverified-source promotes it anyway, marked smenv:source-integrity=unverified)"
    )
    assert unverified([judge(Recorded(0, (("ModelDataETag", "abc"),)), now())], images_[2:], {}) == []


def test_a_package_promoted_from_an_unverified_source_is_unverified_whatever_it_records():
    verified = judge(Recorded(0, (("ModelDataETag", "abc"),)), now())
    assert unverified([verified], [], {"smenv:source-integrity": "unverified"}) == [
        "it was promoted from an unverified source (smenv:source-integrity=unverified)"
    ]
    assert unverified([verified], [], {"smenv:source-integrity": "verified"}) == []


@pytest.mark.parametrize("value", [MODEL_SHA.upper(), f"sha256:{MODEL_SHA}", f" {MODEL_SHA} "])
def test_a_recorded_hash_is_read_as_hex_with_or_without_its_prefix(value):
    assert recorded([{"ModelDataUrl": URL}], {"smenv:container-0-sha256": value})[0].sha256 == MODEL_SHA


@pytest.mark.parametrize(
    "value", ["", "abc", MODEL_SHA[:-1], base64.b64encode(hashlib.sha256(MODEL).digest()).decode()]
)
def test_a_recorded_hash_that_is_not_a_sha256_is_refused(value):
    with pytest.raises(Refused, match=r"smenv:container-0-sha256 .* is not a SHA-256"):
        recorded([{"ModelDataUrl": URL}], {"smenv:container-0-sha256": value})


def test_only_a_whole_object_sha256_is_a_hash_of_the_bytes():
    assert whole_object_sha256(MODEL_CHECKSUM) == MODEL_SHA
    assert whole_object_sha256(Checksum("SHA256", MODEL_CHECKSUM.value, "COMPOSITE")) is None
    assert whole_object_sha256(Checksum("CRC32", "q83=", "FULL_OBJECT")) is None
    assert whole_object_sha256(Checksum("SHA256", "not base64!", "FULL_OBJECT")) is None


def test_the_copys_sha256_is_s3s_and_must_be_the_verified_sources():
    streamed = judge_stream(judge(Recorded(0, (), MODEL_SHA), now(checksum=None)), MODEL_SHA)
    assert copy_sha256(streamed, MODEL_CHECKSUM, "s3://stg/k") == MODEL_SHA
    assert copy_sha256(streamed, None, "s3://stg/k") == MODEL_SHA
    assert copy_sha256(judge(Recorded(0), now(checksum=None)), None, "s3://stg/k") is None
    other = Checksum("SHA256", base64.b64encode(hashlib.sha256(b"other").digest()).decode(), "FULL_OBJECT")
    with pytest.raises(ValueError, match=r"s3://stg/k has SHA-256 .*, the verified source"):
        copy_sha256(streamed, other, "s3://stg/k")


def test_the_registered_package_records_the_copys_etag_never_the_sources():
    source_data = {"S3DataSource": {"S3Uri": "s3://dev/a", "S3DataType": "S3Object", "ETag": "dev-etag"}}
    spec = {
        "Containers": [
            {
                "Image": "aws-image",
                "ModelDataUrl": "s3://dev/a",
                "ModelDataETag": "dev-etag",
                "ModelDataSource": source_data,
            },
            {"Image": "aws-image", "ModelDataUrl": "s3://dev/b", "ModelDataETag": "dev-b"},
        ]
    }
    promoted = promoted_specification(spec, {0: "s3://stg/a", 1: "s3://stg/b"}, etags={0: "stg-etag"})
    first, second = promoted["Containers"]
    assert (first["ModelDataUrl"], first["ModelDataETag"]) == ("s3://stg/a", "stg-etag")
    assert first["ModelDataSource"]["S3DataSource"] == {
        "S3Uri": "s3://stg/a",
        "S3DataType": "S3Object",
        "ETag": "stg-etag",
    }
    assert "ModelDataETag" not in second  # the copy's ETag unknown: the source's is not carried over
    assert spec["Containers"][0]["ModelDataETag"] == "dev-etag"  # the source is left as it was


def test_the_registered_metadata_records_hashes_and_integrity_and_not_the_sources_container_keys():
    source = {
        "team": "fraud",
        "smenv:container-0-sha256": "ee" * 32,
        "smenv:container-3-image": "old",
        "smenv:source-integrity": "unverified",
    }
    meta = promoted_metadata(source, "arn", DEV, "hash", "size", sha256={0: MODEL_SHA}, integrity="verified")
    assert meta["smenv:container-0-sha256"] == MODEL_SHA
    assert meta["smenv:source-integrity"] == "verified"  # the caller decides (integrity.unverified reads the source's)
    assert meta["team"] == "fraud" and "smenv:container-3-image" not in meta
    assert len(promoted_metadata({f"k{i}": "v" for i in range(60)}, "arn", DEV, "h", "size")) == 50


@pytest.mark.parametrize(
    ("container", "problem"),
    [
        (
            {"AdditionalS3DataSource": {"S3Uri": "s3://dev/extra/", "S3DataType": "S3Prefix"}},
            "has AdditionalS3DataSource",
        ),
        ({"AdditionalModelDataSources": [{"ChannelName": "x", "S3DataSource": {}}]}, "has AdditionalModelDataSources"),
        (
            {"ModelDataSource": {"S3DataSource": {"S3Uri": "s3://dev/other/", "S3DataType": "S3Prefix"}}},
            "another location",
        ),
    ],
)
def test_a_container_naming_data_promote_model_would_not_copy_or_verify_is_not_supported(container, problem):
    package = {
        "InferenceSpecification": {"Containers": [{"Image": "i", "ModelDataUrl": "s3://dev/m.tar.gz", **container}]}
    }
    with pytest.raises(UsageError, match=problem):
        registry.source_artifacts(package, "arn:pkg/1")
