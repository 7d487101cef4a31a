"""The Terraform state bucket of an environment: encrypted, versioned, private, TLS only.

One-time step for a real account, before its first `terragrunt run --all apply`:

    python tools/state_bucket.py --env dev        # uses your AWS credentials (and env.hcl's role)

`tools/local_aws.py start` and `tools/live.py` create it on the emulator by themselves.
"""

from __future__ import annotations

import argparse
import json
import sys

import boto3
from botocore.exceptions import ClientError

from smenv.core import cli
from smenv.core.awsutil import assume_role, client
from smenv.core.project import Environment, load_environment


def tls_only_policy(bucket: str) -> str:
    arn = f"arn:aws:s3:::{bucket}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def ensure_state_bucket(s3, bucket: str, region: str, enforce_tls: bool = True) -> bool:
    """Create the bucket if it is missing and (re)apply its controls. True when it was created.

    enforce_tls is off only on the emulator, which answers 403 to every object call once a
    bucket policy holds a conditional Deny (and serves plain HTTP anyway).
    """
    try:
        s3.head_bucket(Bucket=bucket)
        created = False
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchBucket", "NotFound"):
            raise
        kwargs = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **kwargs)
        created = True
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]
        },
    )
    if enforce_tls:
        s3.put_bucket_policy(Bucket=bucket, Policy=tls_only_policy(bucket))
    return created


def session_for(env: Environment, base: boto3.Session, endpoint_url: str | None = None) -> boto3.Session:
    if not env.terraform_role_arn:
        return base
    return assume_role(base, env.terraform_role_arn, f"smenv-state-{env.name}", endpoint_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, help="environment under live/")
    args = parser.parse_args(argv)

    def body() -> int:
        env = load_environment(args.env)
        session = session_for(env, boto3.Session(region_name=env.region))
        created = ensure_state_bucket(client(session, "s3"), env.state_bucket, env.region)
        print(f"{'created' if created else 'checked'} s3://{env.state_bucket} ({env.region})")
        return 0

    return cli.run("state_bucket", body)


if __name__ == "__main__":
    sys.exit(main())
