"""The enforcer's configuration, from its environment variables, checked before anything is done.

| variable | default | meaning |
| --- | --- | --- |
| APPROVED_SUBNET_IDS | empty | comma-separated; empty: any subnet, but a VPC is still required |
| APPROVED_SECURITY_GROUP_IDS | empty | comma-separated; empty: any security group, in a VPC |
| ENFORCEMENT_MODE | enforce | `enforce` stops/deletes; `audit` decides and reports, changes nothing |
| FINDINGS_TOPIC_ARN | empty | SNS topic for findings; empty: findings are only logged |
| REQUIRE_KMS | true | the kms.* rules |
| REQUIRE_INTER_CONTAINER_ENCRYPTION | true | the encryption.inter_container rule |
| ALLOW_SERVERLESS_INFERENCE | false | models tagged smenv:inference=serverless are exempt from the VPC rule |
| INSTANCE_STORAGE_FAMILIES | empty | comma-separated instance families with local NVMe storage ("c5d,g4dn,g5"): a job on such types alone needs no volume key (rules.py); empty: no exemption |
| APPROVED_LIFECYCLE_CONFIGS | empty | comma-separated notebook lifecycle configuration names (the notebook module's `<name_prefix>-<team>`); empty: any |
| APPROVED_STUDIO_LIFECYCLE_CONFIGS | empty | comma-separated Studio lifecycle configuration names an app may start with; empty: any |
| TERRAFORM_ROLE_ARNS | empty | comma-separated IAM role ARNs Terraform applies with: a notebook lifecycle configuration they create or update is the environment's own; empty: every create or update is reported |
| MARKER_KEY_ARN | empty | the enforcer's KMS HMAC key (markers.py), by key or alias ARN; empty: markers are neither written nor trusted (every report is made again) |
| TEAM_SECURITY_GROUPS | empty | a JSON object: execution role ARN -> list of the security group ids work running as it may use (each team's role, its team's group; vpc.team_group_mismatch); a role not named is not checked; empty: no check |
| APPROVED_KMS_KEY_ARNS | empty | comma-separated KMS key ARNs (not aliases) the kms.* rules accept (kms.key_not_approved); empty: any key, as long as there is one |

A wrong value is never guessed at: load_config raises ConfigError naming every bad variable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

if __package__:
    from .rules import Policy, role_key
else:  # Lambda loads handler.py as a top-level module, with this directory as the code root
    from rules import Policy, role_key

ENFORCE = "enforce"
AUDIT = "audit"
MODES = (ENFORCE, AUDIT)

_SUBNET = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]{8,17}$")
_FAMILY = re.compile(r"^[a-z][a-z0-9-]*$")  # the <family> of ml.<family>.<size>: g5, p6-b200, c7i-flex
_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")  # a SageMaker resource name
_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
# A KMS key ARN, or an alias ARN (modules/enforcer passes its alias's, known at plan time).
_KEY = re.compile(
    r"^arn:aws[a-z-]*:kms:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:(key/[a-zA-Z0-9-]{1,64}|alias/[a-zA-Z0-9/_-]{1,250})$"
)
# The environment's keys are named by key ARN only: an alias can be moved to another key.
_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:key/[a-zA-Z0-9-]{1,64}$")
_TOPIC = re.compile(r"^arn:aws[a-z-]*:sns:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
_BOOLEANS = {"true": True, "false": False}


class ConfigError(Exception):
    """The environment variables are wrong; `problems` names each one."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Config:
    policy: Policy
    mode: str = ENFORCE
    findings_topic_arn: str | None = None
    marker_key_arn: str | None = None  # None: no verifiable marker (written nor trusted)

    @property
    def enforcing(self) -> bool:
        return self.mode == ENFORCE


def _ids(
    environ: Mapping[str, str], name: str, pattern: re.Pattern[str], problems: list[str], what: str = "id"
) -> frozenset[str]:
    items = [item.strip() for item in environ.get(name, "").split(",") if item.strip()]
    bad = [item for item in items if not pattern.match(item)]
    if bad:
        shown = ", ".join(repr(b[:40]) for b in bad[:3])
        problems.append(f"{name} has {len(bad)} malformed {what}(s): {shown}")
    return frozenset(items)


def _flag(environ: Mapping[str, str], name: str, default: bool, problems: list[str]) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in _BOOLEANS:
        problems.append(f"{name} must be true or false, got {environ[name][:40]!r}")
        return default
    return _BOOLEANS[raw]


def _role_groups(environ: Mapping[str, str], name: str, problems: list[str]) -> dict[str, frozenset[str]]:
    """A JSON object of IAM role ARN -> non-empty list of security group ids; the well-formed entries
    (a problem names the others, which load_config then refuses)."""
    raw = environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        problems.append(f"{name} is not JSON: {raw[:40]!r}")
        return {}
    if not isinstance(value, dict):
        problems.append(f"{name} must be a JSON object of role ARN -> security group ids, got {type(value).__name__}")
        return {}
    found: dict[str, frozenset[str]] = {}
    bad: list[str] = []
    for role, groups in value.items():
        ok = isinstance(groups, list) and bool(groups)
        ok = ok and all(isinstance(g, str) and _SECURITY_GROUP.match(g) for g in groups)
        if not _ROLE.match(role) or role_key(role) is None or not ok:
            bad.append(role)
        else:
            found[role] = frozenset(groups)
    if bad:
        shown = ", ".join(repr(b[:80]) for b in bad[:3])
        entries = "entry" if len(bad) == 1 else "entries"
        problems.append(
            f"{name} has {len(bad)} malformed {entries} (need an IAM role ARN -> a list of sg-...): {shown}"
        )
    return found


def load_config(environ: Mapping[str, str]) -> Config:
    problems: list[str] = []
    subnets = _ids(environ, "APPROVED_SUBNET_IDS", _SUBNET, problems)
    groups = _ids(environ, "APPROVED_SECURITY_GROUP_IDS", _SECURITY_GROUP, problems)
    mode = environ.get("ENFORCEMENT_MODE", "").strip().lower() or ENFORCE
    if mode not in MODES:
        problems.append(f"ENFORCEMENT_MODE must be enforce or audit, got {environ['ENFORCEMENT_MODE'][:40]!r}")
    topic = environ.get("FINDINGS_TOPIC_ARN", "").strip() or None
    if topic and not _TOPIC.match(topic):
        problems.append(f"FINDINGS_TOPIC_ARN is not an SNS topic ARN: {topic[:80]!r}")
    key = environ.get("MARKER_KEY_ARN", "").strip() or None
    if key and not _KEY.match(key):
        problems.append(f"MARKER_KEY_ARN is not a KMS key or alias ARN: {key[:80]!r}")
    policy = Policy(
        approved_subnets=subnets,
        approved_security_groups=groups,
        require_kms=_flag(environ, "REQUIRE_KMS", True, problems),
        require_inter_container_encryption=_flag(environ, "REQUIRE_INTER_CONTAINER_ENCRYPTION", True, problems),
        allow_serverless_inference=_flag(environ, "ALLOW_SERVERLESS_INFERENCE", False, problems),
        local_storage_families=_ids(environ, "INSTANCE_STORAGE_FAMILIES", _FAMILY, problems, "instance family"),
        approved_lifecycle_configs=_ids(environ, "APPROVED_LIFECYCLE_CONFIGS", _NAME, problems, "name"),
        approved_studio_lifecycle_configs=_ids(environ, "APPROVED_STUDIO_LIFECYCLE_CONFIGS", _NAME, problems, "name"),
        terraform_roles=_ids(environ, "TERRAFORM_ROLE_ARNS", _ROLE, problems, "role ARN"),
        team_security_groups=_role_groups(environ, "TEAM_SECURITY_GROUPS", problems),
        approved_kms_keys=_ids(environ, "APPROVED_KMS_KEY_ARNS", _KEY_ARN, problems, "KMS key ARN"),
    )
    if problems:
        raise ConfigError(problems)
    return Config(policy=policy, mode=mode, findings_topic_arn=topic, marker_key_arn=key)
