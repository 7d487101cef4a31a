"""bench/promote.py runs end to end at a small size, and its GetObject guard can see a download.

The end-to-end test runs the bench as a subprocess; it starts (and stops) its own moto server on port 4619.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import boto3
import pytest
from bench import promote as bench_promote
from moto import mock_aws

from smenv_testing import REPO, toolchain_env

PORT = 4619
CLOSING = re.compile(
    r"^promote \d+\.\d\d s vs boto3 \d+\.\d\d s \(ratio \d+\.\d\dx\); peak memory: tracemalloc [\d.]+ MiB vs [\d.]+ MiB, "
    r"peak RSS [\d.]+ MiB vs [\d.]+ MiB \(\+[\d.]+ MiB vs \+[\d.]+ MiB over the copy\); "
    r"GetObject calls: promote 0, boto3 0$"
)


@pytest.mark.slow
def test_the_bench_copies_a_small_object_both_ways_and_prints_its_closing_line():
    # Given a 12 MiB object, parts of 5 MiB (the multipart path: threshold 5 MiB), one run each
    argv = ["--size-mib", "12", "--runs", "1", "--part-size-mib", "5", "--port", str(PORT)]
    # When the bench runs against the server it starts
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "promote.py"), *argv],
        capture_output=True,
        text=True,
        env=toolchain_env(),
        cwd=REPO,
        timeout=300,
    )
    # Then it exits 0, the promotion verified its 3-part copy without a GetObject, and the closing line has the figures
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("promotion multipart copy vs boto3 s3.copy(): 12 MiB object (CRC32), 3 parts of 5 MiB")
    [promote_row] = [line for line in lines if line.lstrip().startswith("promote_model (copy.py)")]
    assert " checksum " in promote_row and "PartCopy 3" in promote_row and "GetObject" not in promote_row
    assert CLOSING.match(lines[-1]), lines[-1]


def test_the_call_counter_counts_a_get_object_so_the_guard_is_not_vacuous(monkeypatch):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        # Given an S3 client whose calls are counted
        s3 = boto3.client("s3", region_name="us-east-1")
        calls = bench_promote.Calls(s3)
        s3.create_bucket(Bucket="bench-models")
        s3.put_object(Bucket="bench-models", Key="k", Body=b"model")
        # When the body is downloaded
        s3.get_object(Bucket="bench-models", Key="k")["Body"].read()
        # Then the GetObject is counted (and its streamed body is not read by the counter)
        assert calls.count == {"CreateBucket": 1, "PutObject": 1, "GetObject": 1}
