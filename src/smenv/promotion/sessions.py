"""Source and target credentials: a named profile, an assumed role (refreshed for long copies), or ambient.

Standard AWS configuration applies throughout (AWS_PROFILE, AWS_CONFIG_FILE, AWS_ENDPOINT_URL,
AWS_REGION, SSO, ...): boto3 reads it; nothing here overrides it.
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import ProfileNotFound

from smenv.core.awsutil import client
from smenv.core.project import UsageError

SESSION_NAME = "smenv-promote-model"


def base_session(profile: str | None, region: str, flag: str) -> boto3.Session:
    try:
        return boto3.Session(profile_name=profile, region_name=region) if profile else boto3.Session(region_name=region)
    except ProfileNotFound:
        raise UsageError(f"{flag} {profile!r}: no such profile in the AWS configuration") from None


def assumed_session(base: boto3.Session, role_arn: str, region: str, purpose: str) -> boto3.Session:
    """A session for role_arn whose credentials renew themselves before they expire."""
    sts = client(base, "sts")

    def fetch() -> dict[str, Any]:
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=f"{SESSION_NAME}-{purpose}")["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method="sts-assume-role"
    )
    core = botocore.session.get_session()
    core._credentials = credentials  # the documented pattern for refreshable assumed-role sessions
    return boto3.Session(botocore_session=core, region_name=region)


def session_for(profile: str | None, role_arn: str | None, region: str, purpose: str) -> boto3.Session:
    base = base_session(profile, region, f"--{purpose}-profile")
    return assumed_session(base, role_arn, region, purpose) if role_arn else base


def account_of(session: boto3.Session) -> tuple[str, str]:
    """(account id, caller ARN) of the session's credentials."""
    identity = client(session, "sts").get_caller_identity()
    return str(identity["Account"]), str(identity["Arn"])
