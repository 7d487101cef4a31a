"""Benchmark: the promotion's server-side multipart copy against boto3's managed s3.copy(), on one object.

    python bench/promote.py                       # 256 MiB, 3 runs each, on a server it starts on 127.0.0.1:4618
    python bench/promote.py --size-mib 1024 --part-size-mib 64 --concurrency 16 --runs 5 --port 4619

Starts the emulator (tools/local_aws.py, with the project's patches, in its own process) unless it
already runs on the port, makes a versioned source and target bucket and a KMS key, and uploads the
source object once (random bytes from a stream, a multipart upload above 16 MiB, with a whole-object
CRC32). Then, in runs that alternate which goes first, it copies that object into the target bucket,
SSE-KMS with the key, both ways:

- promote: what tools/promote_model.py does for one artifact: head_source + plan_artifacts (the
  multipart threshold lowered to --threshold-mib, as the tests do) + copy_artifact (HeadObject of
  the target, parallel UploadPartCopy, CompleteMultipartUpload, HeadObject + verify), with the
  tool's own S3 client (awsutil.client, a pool of concurrency + 4), BucketKeyEnabled.
- boto3: s3.copy() with TransferConfig(multipart_threshold, multipart_chunksize = the part size,
  max_concurrency = the concurrency), the same client and ExtraArgs for SSE-KMS with the key (not
  BucketKeyEnabled: s3transfer refuses it for a copy); it heads the source itself, verifies nothing.

Each run is a fresh Python process (Linux: /proc), so its memory figures are its own. Peak RSS is
the process's VmHWM over the first copy, reset just before it (/proc/self/clear_refs), and its delta
the growth over the RSS it had then (after imports, clients and one warm-up call). Not ru_maxrss:
Linux carries the parent's high-water mark across fork and exec, so a child's ru_maxrss starts at
the bench's own (which uploaded the source). tracemalloc peak is the Python heap's peak during a
second copy in the same process (tracing slows a copy, so that one is not timed). Wall time is the
first, untraced copy: median over --runs. Every S3 call of each copy is counted by a botocore
`before-call` hook, with the bytes of the responses; a promote run that calls GetObject fails the
bench. The emulator's own time and memory (it does the copying, in another process) are in the
wall time but not in the memory figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections import Counter
from pathlib import Path

from smenv.core.project import EMULATOR_CREDENTIALS
from smenv.live.local_aws import EmulatorError, emulator_session, start, stop

REPO = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
MiB = 1024**2
KEY = "models/bench/model.tar.gz"
METHODS = ("promote", "boto3")
LABELS = {"promote": "promote_model (copy.py)", "boto3": "boto3 s3.copy()"}
SHORT = {
    "HeadObject": "Head",
    "CreateMultipartUpload": "Create",
    "UploadPartCopy": "PartCopy",
    "CompleteMultipartUpload": "Complete",
    "CopyObject": "CopyObject",
    "GetObject": "GetObject",
}


class RandomStream(io.RawIOBase):
    """`size` random bytes, made as they are read: the upload never holds the object."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return os.urandom(n)


# --- one measured run, in a child process --------------------------------------------------------------


class Calls:
    """Every S3 call a client makes (by operation), and the bytes of the responses it parsed."""

    def __init__(self, s3) -> None:
        self.count: Counter[str] = Counter()
        self.response_bytes = 0
        s3.meta.events.register("before-call.s3", self.before)
        s3.meta.events.register("after-call.s3", self.after)

    def before(self, model, **_) -> None:
        self.count[model.name] += 1

    def after(self, model, http_response=None, **_) -> None:
        if http_response is not None and not model.has_streaming_output:  # a streamed body is never read here
            self.response_bytes += len(http_response.content or b"")

    def reset(self) -> None:
        self.count.clear()
        self.response_bytes = 0


def memory_kib(field: str) -> int:
    """VmRSS (resident now) or VmHWM (peak resident) of this process, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def reset_peak_rss() -> None:
    """VmHWM := VmRSS, so the peak read afterwards is the peak of what follows (Linux 4.0+)."""
    Path("/proc/self/clear_refs").write_text("5")


def remove_all_versions(s3, bucket: str, prefix: str) -> None:
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=entry["Key"], VersionId=entry["VersionId"])


def child(method: str, spec: dict) -> dict:
    """Copy the source once timed (RSS), once traced (tracemalloc); answer the figures."""
    import boto3
    from boto3.s3.transfer import TransferConfig  # imported before measuring, as the tool's modules are

    from smenv.core.awsutil import client
    from smenv.promotion.copy import copy_artifact, head_source
    from smenv.promotion.plan import CopyOptions, plan_artifacts

    source, target, kms = spec["source_bucket"], spec["target_bucket"], spec["kms_key_arn"]
    part, concurrency, threshold = spec["part_size"], spec["concurrency"], spec["threshold"]
    s3 = client(boto3.Session(region_name=REGION), "s3", pool=concurrency + 4)
    calls = Calls(s3)
    options = CopyOptions(multipart_threshold=threshold, part_size=part, concurrency=concurrency)
    transfer = TransferConfig(multipart_threshold=threshold, multipart_chunksize=part, max_concurrency=concurrency)
    encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms}  # s3transfer refuses BucketKeyEnabled
    prefix = f"bench/{spec['run_id']}/{method}/"

    def copy(attempt: int) -> dict:
        if method == "promote":
            obj = head_source(s3, 0, source, KEY)
            _, [plan] = plan_artifacts([obj], f"bench-{spec['run_id']}-{method}", attempt, target, options)
            assert plan.target_key.startswith("promoted/"), plan.target_key
            done = copy_artifact(s3, plan, kms, concurrency)
            return {"key": plan.target_key, "parts": len(plan.parts), "verified_by": done.verified_by}
        key = f"{prefix}{attempt}/model.tar.gz"
        s3.copy({"Bucket": source, "Key": KEY}, target, key, ExtraArgs=encryption, Config=transfer)
        return {"key": key, "parts": None, "verified_by": "none"}

    s3.head_bucket(Bucket=target)  # warm-up: the connection and the service model, for both methods
    calls.reset()
    reset_peak_rss()
    rss_before = memory_kib("VmRSS")
    began = time.perf_counter()
    first = copy(1)
    seconds = time.perf_counter() - began
    rss_peak = memory_kib("VmHWM")
    counted, received = dict(calls.count), calls.response_bytes

    tracemalloc.start()
    traced_began = time.perf_counter()
    second = copy(2)
    traced_seconds = time.perf_counter() - traced_began
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    for copied in (first, second):  # both ways, the copy must be the object, SSE-KMS with the key
        head = s3.head_object(Bucket=target, Key=copied["key"])
        if (head["ContentLength"], head.get("ServerSideEncryption")) != (spec["size"], "aws:kms"):
            raise SystemExit(f"{method}: {copied['key']} is not a copy of the source: {head}")
    if method == "promote":
        remove_all_versions(s3, target, f"promoted/bench-{spec['run_id']}-{method}/")
    else:
        remove_all_versions(s3, target, prefix)
    return {
        "method": method,
        "seconds": seconds,
        "traced_seconds": traced_seconds,
        "rss_delta_kib": rss_peak - rss_before,
        "rss_peak_kib": rss_peak,
        "heap_peak_bytes": heap_peak,
        "calls": counted,
        "response_bytes": received,
        "parts": first["parts"],
        "verified_by": first["verified_by"],
    }


def run_child(method: str, spec: dict, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(EMULATOR_CREDENTIALS)
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,  # nothing from the developer's AWS configuration
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    done = subprocess.run(
        [sys.executable, __file__, "--child", method, "--spec", json.dumps(spec)],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {method} run failed (exit {done.returncode}):\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the bench ------------------------------------------------------------------------------------------


def setup(url: str, size: int, run_id: str) -> tuple[object, dict]:
    from boto3.s3.transfer import TransferConfig

    from smenv.core.awsutil import client

    session = emulator_session(REGION)
    s3, kms = client(session, "s3", url), client(session, "kms", url)
    source, target = f"smenv-bench-{run_id}-source", f"smenv-bench-{run_id}-target"
    for bucket in (source, target):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    key_arn = kms.create_key(Description="smenv bench models key")["KeyMetadata"]["Arn"]
    began = time.perf_counter()
    s3.upload_fileobj(
        RandomStream(size),
        source,
        KEY,
        # A whole-object CRC32, as S3 can keep for a multipart upload. Not the default COMPOSITE one:
        # moto 5.2.5's HeadObject reports a composite checksum bare (no "-N", no ChecksumType), so the
        # tool would take it for a whole-object one and its copy would not verify against the emulator.
        ExtraArgs={"ChecksumAlgorithm": "CRC32", "ChecksumType": "FULL_OBJECT"},
        Config=TransferConfig(multipart_threshold=16 * MiB, multipart_chunksize=16 * MiB, max_concurrency=4),
    )
    head = s3.head_object(Bucket=source, Key=KEY, ChecksumMode="ENABLED")
    checksum = next(
        (k.removeprefix("Checksum") for k in head if k.startswith("Checksum") and k != "ChecksumType"), "none"
    )
    spec = {
        "run_id": run_id,
        "source_bucket": source,
        "target_bucket": target,
        "kms_key_arn": key_arn,
        "size": int(head["ContentLength"]),
        "checksum": checksum,
        "upload_seconds": time.perf_counter() - began,
    }
    return s3, spec


def teardown(s3, spec: dict) -> None:
    for bucket in (spec["source_bucket"], spec["target_bucket"]):
        remove_all_versions(s3, bucket, "")
        s3.delete_bucket(Bucket=bucket)


def mib(value: float) -> str:
    return f"{value / MiB:.1f} MiB"


def calls_text(calls: dict) -> str:
    return ", ".join(f"{SHORT.get(op, op)} {n}" for op, n in sorted(calls.items(), key=lambda item: item[0]))


def summarise(results: list[dict]) -> dict:
    seconds = [r["seconds"] for r in results]
    return {
        "median": statistics.median(seconds),
        "min": min(seconds),
        "max": max(seconds),
        "rss": statistics.median(r["rss_delta_kib"] * 1024 for r in results),
        "rss_peak": statistics.median(r["rss_peak_kib"] * 1024 for r in results),
        "heap": statistics.median(r["heap_peak_bytes"] for r in results),
        "traced": statistics.median(r["traced_seconds"] for r in results),
        "get_object": max(r["calls"].get("GetObject", 0) for r in results),
        "calls": results[0]["calls"],
        "received": statistics.median(r["response_bytes"] for r in results),
        "verified_by": results[0]["verified_by"],
    }


def bench(url: str, port: int, args: argparse.Namespace) -> int:
    size, part, threshold = args.size_mib * MiB, args.part_size_mib * MiB, args.threshold_mib * MiB
    run_id = uuid.uuid4().hex[:8]
    print(f"uploading the {args.size_mib} MiB source once ...", file=sys.stderr)
    s3, spec = setup(url, size, run_id)
    spec.update(part_size=part, concurrency=args.concurrency, threshold=threshold)
    results: dict[str, list[dict]] = {method: [] for method in METHODS}
    try:
        for attempt in range(1, args.runs + 1):
            for method in METHODS if attempt % 2 else reversed(METHODS):  # alternate which goes first
                print(f"run {attempt}/{args.runs}: {method} ...", file=sys.stderr)
                results[method].append(run_child(method, spec, url))
    finally:
        teardown(s3, spec)

    figures = {method: summarise(results[method]) for method in METHODS}
    parts = -(-size // part)
    print(
        f"promotion multipart copy vs boto3 s3.copy(): {args.size_mib} MiB object ({spec['checksum']}), "
        f"{parts} parts of {args.part_size_mib} MiB, concurrency {args.concurrency}, SSE-KMS target, "
        f"{args.runs} run(s) each, moto server 127.0.0.1:{port} (own process); source uploaded once in "
        f"{spec['upload_seconds']:.1f} s"
    )
    print(
        "  wall: the untraced copy; peak rss: the process's VmHWM during it (reset before), rss delta: that "
        "less its RSS before it; heap peak: tracemalloc peak of a second, traced copy; all medians over runs"
    )
    print(
        f"  {'':<24} {'wall median':>11} {'(min-max)':>15} {'peak rss':>10} {'rss delta':>10} {'heap peak':>10}  verified  S3 calls"
    )
    for method in METHODS:
        f = figures[method]
        spread = f"({f['min']:.2f}-{f['max']:.2f})"
        print(
            f"  {LABELS[method]:<24} {f['median']:9.2f} s {spread:>15} "
            f"{mib(f['rss_peak']):>10} {mib(f['rss']):>10} {mib(f['heap']):>10}  {f['verified_by']:<8}  "
            f"{calls_text(f['calls'])}; {f['received'] / 1024:.1f} KiB received"
        )
    promote, managed = figures["promote"], figures["boto3"]
    if promote["get_object"]:
        print(f"bench: error: the promotion path called GetObject {promote['get_object']} time(s)", file=sys.stderr)
        return 1
    print(
        f"promote {promote['median']:.2f} s vs boto3 {managed['median']:.2f} s "
        f"(ratio {promote['median'] / managed['median']:.2f}x); "
        f"peak memory: tracemalloc {mib(promote['heap'])} vs {mib(managed['heap'])}, "
        f"peak RSS {mib(promote['rss_peak'])} vs {mib(managed['rss_peak'])} "
        f"(+{mib(promote['rss'])} vs +{mib(managed['rss'])} over the copy); "
        f"GetObject calls: promote {promote['get_object']}, boto3 {managed['get_object']}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256, help="object size in MiB (default 256)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each method; the median is shown (default 3)")
    parser.add_argument("--part-size-mib", type=int, default=32, help="part size, both methods (default 32)")
    parser.add_argument("--concurrency", type=int, default=8, help="parallel part copies, both methods (default 8)")
    parser.add_argument(
        "--threshold-mib",
        type=int,
        default=5,
        help="multipart threshold, both methods (default 5; the tool's is 5 GiB)",
    )
    parser.add_argument("--port", type=int, default=4618, help="moto server port (default 4618)")
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, json.loads(args.spec))))
        return 0
    problems = [
        (args.runs < 1, "--runs must be at least 1"),
        (not 5 <= args.part_size_mib <= 5120, "--part-size-mib must be from 5 to 5120 (S3's part limits)"),
        (not 1 <= args.concurrency <= 64, "--concurrency must be from 1 to 64"),
        (not 1 <= args.threshold_mib <= 5120, "--threshold-mib must be from 1 to 5120"),
        (args.size_mib <= args.threshold_mib, "--size-mib must be above --threshold-mib (the multipart path)"),
        (args.size_mib <= args.part_size_mib, "--size-mib must be above --part-size-mib (more than one part)"),
    ]
    for failed, message in problems:
        if failed:
            print(f"bench: error: {message}", file=sys.stderr)
            return 2
    try:
        running, started = start(args.port)
    except EmulatorError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    try:
        return bench(running.url, args.port, args)
    finally:
        if started:
            stop(args.port)


if __name__ == "__main__":
    sys.exit(main())
