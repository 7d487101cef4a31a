"""The enforcer's marker, as pure data: what its MAC is made over, how its tag value reads, what is refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from smenv.build import lambda_loader

markers = lambda_loader.load("enforcer", "markers")

ARN = "arn:aws:sagemaker:us-east-1:123456789012:model/fraud-scorer"
CREATED = datetime(2025, 3, 4, 9, 15, 2, 123000, tzinfo=UTC)
MAC = bytes(range(32))
# What SageMaker accepts in a tag value (API reference, Tag): letters, spaces, digits and _.:/=+\-@
TAG_VALUE = re.compile(r"^[\w\s.:/=+\-@]{0,256}$")


def test_a_marker_value_reads_back_as_written_and_fits_a_tag():
    # Given a marker written for a verdict
    digest = markers.verdict_digest([("vpc.required", "not attached to a VPC")])
    value = markers.value("reported", digest, MAC)
    # Then it is a tag value SageMaker takes, and parses back to the same state, digest and MAC
    assert TAG_VALUE.match(value) and len(value) <= 72
    assert markers.parse(value) == markers.Marker("reported", digest, MAC)


@pytest.mark.parametrize(
    "value",
    [
        None,
        7,
        "",
        "reported",
        "stopped",
        "v1:reported",
        "v2:reported:0123456789abcdef:" + "A" * 43,
        "v1:deleted:0123456789abcdef:" + "A" * 43,
        "v1:reported:0123456789ABCDEF:" + "A" * 43,
        "v1:reported:0123456789abcdef:" + "A" * 42,
        "v1:reported:0123456789abcdef:" + "A" * 43 + "=",
        "v1:reported:0123456789abcdef:" + "A" * 42 + "/",
        "v1:reported:0123456789abcdef:" + "A" * 43 + "\n",
    ],
)
def test_anything_but_a_well_formed_marker_is_no_marker(value):
    assert markers.parse(value) is None


def test_the_mac_binds_the_resource_its_creation_time_the_state_and_the_verdict():
    base = markers.message(ARN, CREATED, "reported", "0123456789abcdef")
    assert base == (
        b"smenv:enforcer/v1\narn:aws:sagemaker:us-east-1:123456789012:model/fraud-scorer\n"
        b"2025-03-04T09:15:02.123000Z\nreported\n0123456789abcdef"
    )
    others = [
        markers.message(ARN.replace("fraud-scorer", "fraud-scorer2"), CREATED, "reported", "0123456789abcdef"),
        markers.message(ARN, CREATED + timedelta(milliseconds=1), "reported", "0123456789abcdef"),
        markers.message(ARN, CREATED, "stopped", "0123456789abcdef"),
        markers.message(ARN, CREATED, "reported", "0123456789abcdee"),
    ]
    assert len({base, *others}) == 5


def test_one_instant_reads_the_same_whatever_its_time_zone():
    elsewhere = CREATED.astimezone(timezone(timedelta(hours=-5)))
    assert markers.text_of(elsewhere) == markers.text_of(CREATED) == "2025-03-04T09:15:02.123000Z"
    assert markers.text_of(None) == ""
    assert markers.text_of(1741079702.5) == "1741079702.5"


def test_a_verdict_digest_ignores_order_and_repeats_but_not_details_or_the_revision():
    a = [("vpc.required", "model m: not attached"), ("kms.volume", "KmsKeyId is not set")]
    assert markers.verdict_digest(a) == markers.verdict_digest([*reversed(a), a[0]])
    assert markers.verdict_digest(a) != markers.verdict_digest([a[0]])
    assert markers.verdict_digest(a) != markers.verdict_digest([("vpc.required", "model n: not attached"), a[1]])
    assert markers.verdict_digest(a, CREATED) != markers.verdict_digest(a, CREATED + timedelta(seconds=1))
    assert re.fullmatch(r"[0-9a-f]{16}", markers.verdict_digest([]))


def test_only_the_two_states_are_written():
    with pytest.raises(ValueError, match="unknown marker state"):
        markers.value("deleted", "0123456789abcdef", MAC)
