"""The enforcer's marker: a tag (rules.MARKER_TAG_KEY, `smenv:enforcer`) only the enforcer can write.

The marker says "the enforcer already stopped or reported this resource, for this verdict", so a
second event about it is a no-op instead of a second finding. Anyone who may tag the resource may
set the tag key too (its creator can, at create time), so the value carries a MAC that only the
enforcer can make: an HMAC-SHA-256 computed by AWS KMS (GenerateMac, with the enforcer's HMAC_256
key, key usage GENERATE_VERIFY_MAC; AWS KMS Developer Guide, "HMAC keys in AWS KMS") over

    smenv:enforcer/v1 \\n <resource ARN> \\n <its CreationTime> \\n <state> \\n <verdict digest>

and checked with VerifyMac. The key never leaves KMS and its key policy lets only the enforcer's
role generate and verify MACs (modules/enforcer), so a principal who can tag cannot forge one:

- a value set by hand, or by the creator at create time, does not verify: it is ignored (the
  resource is judged as if it had none) and logged;
- a marker copied from another resource does not verify (the ARN differs), nor one copied from an
  earlier resource of the same name (the CreationTime differs);
- a genuine marker written for another verdict (the resource changed since: an UpdateNotebookInstance,
  a new revision of a lifecycle configuration) verifies but is stale: the resource is reported again.

The value is `v1:<state>:<digest>:<mac>`: state `stopped` or `reported`, the verdict digest (16 hex
digits of SHA-256 over the violations and the resource's revision), and the MAC in unpadded
base64url (43 characters). Every character is one SageMaker allows in a tag value
([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*), and the whole is at most 72 characters, far below the 256 allowed.
Everything here is pure: the KMS calls are in actions.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

VERSION = "v1"
STOPPED = "stopped"
REPORTED = "reported"
STATES = (STOPPED, REPORTED)
MAC_ALGORITHM = "HMAC_SHA_256"
_VALUE = re.compile(r"^v1:(?P<state>stopped|reported):(?P<digest>[0-9a-f]{16}):(?P<mac>[A-Za-z0-9_-]{43})$")

# What a marker is found to be (verify() in the handler):
CURRENT = "current"  # the enforcer's own, for this verdict: nothing to do
STALE = "stale"  # the enforcer's own, for another verdict: act again
ABSENT = "absent"  # no marker
IGNORED = "ignored"  # a value the enforcer did not write (malformed, or its MAC does not verify)


@dataclass(frozen=True)
class Marker:
    state: str
    digest: str
    mac: bytes


def text_of(value: Any) -> str:
    """A Describe* value as stable text for the MAC: a datetime in UTC to the microsecond
    (boto3 parses SageMaker's timestamps), anything else as str; None as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(value)


def verdict_digest(violations: Iterable[tuple[str, str]], revision: Any = None) -> str:
    """16 hex digits naming one verdict: its (rule, message) pairs, in any order, and a revision."""
    canonical = json.dumps([sorted({(r, m) for r, m in violations}), text_of(revision)], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def message(arn: str, created: Any, state: str, digest: str) -> bytes:
    """The bytes the MAC is made over (at most 4096 for KMS: an ARN is at most 256 characters)."""
    return "\n".join([f"smenv:enforcer/{VERSION}", arn, text_of(created), state, digest]).encode()


def value(state: str, digest: str, mac: bytes) -> str:
    if state not in STATES:
        raise ValueError(f"unknown marker state {state!r}")
    encoded = base64.urlsafe_b64encode(mac).decode().rstrip("=")
    return f"{VERSION}:{state}:{digest}:{encoded}"


def parse(text: Any) -> Marker | None:
    """The marker a tag value holds, or None when it is not one (whatever it is, it is not trusted)."""
    match = _VALUE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    mac = base64.urlsafe_b64decode(match["mac"] + "=")
    return Marker(match["state"], match["digest"], mac) if len(mac) == 32 else None
