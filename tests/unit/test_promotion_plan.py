"""The pure decisions of tools/promote_model.py: keys, parts, checksums, verification, endpoint configs."""

from __future__ import annotations

import base64
import hashlib
import itertools
from datetime import UTC, datetime

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from project import UsageError
from promotion import Refused
from promotion.endpoint import EndpointPlan, already_serving, cloned_config, config_name, model_name, update_arguments
from promotion.plan import (
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
