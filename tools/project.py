"""What every tool needs to know about this checkout: where things are, and each environment's env.hcl."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import hcl2
from hcl2.utils import SerializationOptions

REPO = Path(__file__).resolve().parent.parent
STATE_DIR = REPO / ".smenv"
LIVE = REPO / "live"
DEFAULT_EMULATOR_PORT = 4566
# The emulator's own account: AWS credentials that are not an assumed role land here.
EMULATOR_ACCOUNT_ID = "123456789012"
EMULATOR_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

REQUIRED_ENV_VALUES = ("environment", "name_prefix", "account_id", "region", "azs", "vpc_cidr", "teams")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{1,10}[a-z0-9]$")
_PLAIN = SerializationOptions(with_comments=False, strip_string_quotes=True)


def terraform_cli() -> str:
    """The engine's CLI every tool runs: SMENV_TERRAFORM (tools/bootstrap.py writes Terraform's path,
    or OpenTofu's under SMENV_ENGINE=tofu), else `terraform` on PATH."""
    return os.environ.get("SMENV_TERRAFORM") or shutil.which("terraform") or "terraform"


class UsageError(Exception):
    """Input the user can fix. Tools print it as one line and exit non-zero."""


@dataclass(frozen=True)
class Environment:
    name: str
    name_prefix: str
    account_id: str
    region: str
    teams: tuple[str, ...]
    emulator: bool
    terraform_role_arn: str

    @property
    def path(self) -> Path:
        return LIVE / self.name

    @property
    def resource_prefix(self) -> str:
        """What every resource name starts with; the root.hcl derives the same."""
        return f"{self.name_prefix}-{self.name}"

    @property
    def parameter_prefix(self) -> str:
        """Where the environment contract lives in SSM Parameter Store."""
        return f"/{self.name_prefix}/{self.name}"

    @property
    def state_bucket(self) -> str:
        """The Terraform state bucket; the root.hcl derives the same name."""
        return f"{self.resource_prefix}-tfstate-{self.account_id}-{self.region}"


def environments() -> list[str]:
    return sorted(p.parent.name for p in LIVE.glob("*/env.hcl") if not p.parent.name.startswith("_"))


def environment_values(name: str) -> dict:
    """Every value of live/<name>/env.hcl's locals, as parsed (no defaults applied)."""
    known = environments()
    if name not in known:
        raise UsageError(f"unknown environment {name!r}: choose one of {', '.join(known)}")
    with (LIVE / name / "env.hcl").open() as handle:
        parsed = hcl2.load(handle, serialization_options=_PLAIN)
    values: dict = {}
    for block in parsed.get("locals", []):
        values.update(block)
    return values


def load_environment(name: str) -> Environment:
    values = environment_values(name)
    path = LIVE / name / "env.hcl"
    rel = path.relative_to(REPO)
    missing = [key for key in REQUIRED_ENV_VALUES if values.get(key) in (None, "", [])]
    if missing:
        raise UsageError(f"{rel}: missing value(s) in locals: {', '.join(missing)}")
    account = str(values["account_id"])
    if not _ACCOUNT.match(account):
        raise UsageError(f"{rel}: account_id must be 12 digits, got {account!r}")
    if not _REGION.match(str(values["region"])):
        raise UsageError(f"{rel}: region {values['region']!r} is not an AWS region name")
    if not _PREFIX.match(str(values["name_prefix"])):
        raise UsageError(f"{rel}: name_prefix must be 3-12 lower-case letters, digits or hyphens")
    if values["environment"] != name:
        raise UsageError(f"{rel}: environment must be {name!r} (the folder's name), got {values['environment']!r}")
    return Environment(
        name=name,
        name_prefix=str(values["name_prefix"]),
        account_id=account,
        region=str(values["region"]),
        teams=tuple(values["teams"]),
        emulator=bool(values.get("emulator", False)),
        terraform_role_arn=str(values.get("terraform_role_arn", "")),
    )


def emulator_port() -> int:
    raw = os.environ.get("SMENV_EMULATOR_PORT", str(DEFAULT_EMULATOR_PORT))
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535:
        raise UsageError(f"SMENV_EMULATOR_PORT must be a port number from 1024 to 65535, got {raw!r}")
    return int(raw)


def emulator_url(port: int | None = None) -> str:
    return f"http://127.0.0.1:{port or emulator_port()}"
