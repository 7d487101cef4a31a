"""A rehearsal goes down cleanly: `live.py down` quiets and empties the env's buckets on the emulator first.

In-process moto (mock_aws). The buckets of a rehearsed env (staging, prod) keep force_destroy off,
as in their real accounts; without emptying them, `run --all destroy` stops at BucketNotEmpty.
"""

from __future__ import annotations

import boto3
from moto import mock_aws

from smenv.core.project import load_environment
from smenv.live import live


def location(region: str) -> dict:
    return {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}


def test_a_rehearsal_empties_its_own_buckets_but_not_its_state_or_anyone_elses():
    # Given staging's access-log bucket holding logs (two versions and a delete marker), its
    # Terraform state bucket and another env's bucket
    env = load_environment("staging")
    with mock_aws():
        session = boto3.Session(region_name=env.region)
        s3 = session.client("s3")
        logs, other = f"{env.resource_prefix}-access-logs", "smenv-dev-access-logs"
        for name in (logs, env.state_bucket, other):
            s3.create_bucket(Bucket=name, **location(env.region))
            s3.put_object(Bucket=name, Key="log", Body=b"x")
        s3.put_bucket_versioning(Bucket=logs, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_acl(Bucket=logs, ACL="log-delivery-write")
        s3.put_bucket_logging(
            Bucket=logs, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": logs, "TargetPrefix": "self/"}}
        )
        s3.put_object(Bucket=logs, Key="log", Body=b"y")
        s3.put_object(Bucket=logs, Key="log", Body=b"z")
        s3.delete_object(Bucket=logs, Key="log")

        # When down chooses and empties the buckets
        names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        chosen = live.buckets_to_empty(names, env)
        deleted = live.empty_buckets(session, None, chosen)

        # Then staging's bucket is empty (it deletes), the state and dev's buckets are untouched
        assert chosen == [logs]
        assert deleted >= 4  # the first object, two versions, a delete marker, and the logs of those
        assert s3.list_object_versions(Bucket=logs).get("Versions", []) == []
        assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=logs)  # nothing writes into it again
        s3.delete_bucket(Bucket=logs)
        assert s3.list_objects_v2(Bucket=env.state_bucket)["KeyCount"] == 1
        assert s3.list_objects_v2(Bucket=other)["KeyCount"] == 1
