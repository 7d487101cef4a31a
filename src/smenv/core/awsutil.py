"""boto3 sessions and clients the way every tool here makes them: standard retries, clear errors."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

Client = Any  # a boto3 client (no stubs in the lock)

RETRY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})


def client(session: boto3.Session, service: str, endpoint_url: str | None = None, pool: int = 10) -> Client:
    """A client with standard retries; `pool` connections when more than botocore's 10 run at once."""
    config = RETRY_CONFIG.merge(Config(max_pool_connections=pool)) if pool > 10 else RETRY_CONFIG
    return session.client(service, config=config, endpoint_url=endpoint_url)


def assume_role(
    session: boto3.Session, role_arn: str, session_name: str, endpoint_url: str | None = None
) -> boto3.Session:
    """A session for role_arn, from credentials that may assume it."""
    sts = client(session, "sts", endpoint_url)
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=session.region_name,
    )


def describe_error(exc: BaseException) -> str:
    """One line for an AWS error, the way a user reads it."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        op = exc.operation_name
        return f"{op}: {err.get('Code', 'Error')}: {err.get('Message', '').strip() or 'no message'}"
    if isinstance(exc, BotoCoreError):
        return str(exc).splitlines()[0]
    return f"{type(exc).__name__}: {exc}"
