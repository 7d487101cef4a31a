"""What every tool needs to know about this checkout: where things are, and each environment's env.hcl."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shutil
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

REPO = Path(__file__).resolve().parents[3]  # src/smenv/core/project.py: found here once
TOOLS = REPO / "tools"
STATE_DIR = REPO / ".smenv"
LIVE = REPO / "live"
MODULES = REPO / "modules"
# The env.hcl schema (known keys, defaults, derived names) that Terragrunt reads too.
SETTINGS = LIVE / "_envcommon" / "settings.hcl"
DEFAULT_EMULATOR_PORT = 4566
# The emulator's own account: AWS credentials that are not an assumed role land here.
EMULATOR_ACCOUNT_ID = "123456789012"
EMULATOR_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

# What the tools need of every env.hcl (settings.hcl's `required` holds these and what the units need).
REQUIRED_ENV_VALUES = ("environment", "name_prefix", "account_id", "region", "azs", "vpc_cidr", "teams")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{1,10}[a-z0-9]$")
_PLAIN = SerializationOptions(with_comments=False, strip_string_quotes=True)
# A default that is another env.hcl value (studio's retain_home_file_system: protect_stateful).
_GIVEN = re.compile(r"\$\{local\.given\.(\w+)\}")


def tool_script(name: str) -> types.ModuleType:
    """tools/<name>.py as a module (`bootstrap`, `venv_guard`): the scripts that run on the bare
    interpreter before .venv (and so this package) exists stay outside the package, and are
    imported by path here, once per process. Raises FileNotFoundError for an unknown name."""
    path = TOOLS / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    module_name = f"smenv_tools_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


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

    # The derived names: live/_envcommon/settings.hcl derives the same (prefix, parameter_prefix, state_bucket).
    @property
    def resource_prefix(self) -> str:
        """What every resource name starts with."""
        return f"{self.name_prefix}-{self.name}"

    @property
    def parameter_prefix(self) -> str:
        """Where the environment contract lives in SSM Parameter Store."""
        return f"/{self.name_prefix}/{self.name}"

    @property
    def state_bucket(self) -> str:
        """The Terraform state bucket."""
        return f"{self.resource_prefix}-tfstate-{self.account_id}-{self.region}"


@dataclass(frozen=True)
class Schema:
    """The keys of env.hcl (or of one of its blocks) as live/_envcommon/settings.hcl declares them."""

    required: tuple[str, ...]
    optional: dict[str, Any]  # key -> default; None: none, or the module's own (module_defaults)
    blocks: dict[str, Schema]  # endpoint, studio, promotion: their own keys
    module_defaults: dict[str, str]  # dotted key -> "<module>.<variable>[.<attribute>]"

    @property
    def known(self) -> list[str]:
        return sorted([*self.required, *self.optional])


def _locals(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        parsed = hcl2.load(handle, serialization_options=_PLAIN)
    values: dict[str, Any] = {}
    for block in parsed.get("locals", []):
        values.update({k: v for k, v in block.items() if k != "__is_block__"})
    return values


@functools.cache
def schema() -> Schema:
    """settings.hcl's key lists: `required`, `optional` and each block's <block>_required, <block>_optional."""
    found = _locals(SETTINGS)
    blocks = {
        key.rsplit("_", 1)[0]
        for key in found
        if key.endswith(("_required", "_optional")) and key not in ("required", "optional")
    }
    return Schema(
        required=tuple(found["required"]),
        optional=dict(found["optional"]),
        blocks={
            b: Schema(tuple(found.get(f"{b}_required", [])), dict(found.get(f"{b}_optional", {})), {}, {})
            for b in sorted(blocks)
        },
        module_defaults=dict(found["module_defaults"]),
    )


@functools.cache
def module_variables(module: str) -> dict[str, dict[str, Any]]:
    """Each variable block of modules/<module>/*.tf, by name."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((MODULES / module).glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            for block in hcl2.load(handle, serialization_options=_PLAIN).get("variable", []):
                found.update({k: v for k, v in block.items() if k != "__is_block__"})
    return found


def module_default(where: str) -> Any:
    """The default of <module>.<variable>, or of <module>.<variable>.<attribute>: the attribute of
    the variable's default, else the default its type gives it (optional(type, default))."""
    module, variable, *attribute = where.split(".")
    declared = module_variables(module)[variable]
    default = declared.get("default")
    if not attribute:
        return default
    (name,) = attribute
    if isinstance(default, dict) and name in default:
        return default[name]
    optional = re.search(rf"\b{name}\s*=\s*optional\([^,()]+,\s*([^()]+?)\s*\)", str(declared.get("type", "")))
    return json.loads(optional.group(1)) if optional else None


def environments() -> list[str]:
    return sorted(p.parent.name for p in LIVE.glob("*/env.hcl") if not p.parent.name.startswith("_"))


def environment_values(name: str) -> dict[str, Any]:
    """Every value of live/<name>/env.hcl's locals, as written (no defaults applied).

    A key settings.hcl does not declare (a misspelt one, at the top or in a block) is refused."""
    known = environments()
    if name not in known:
        raise UsageError(f"unknown environment {name!r}: choose one of {', '.join(known)}")
    path = LIVE / name / "env.hcl"
    values = _locals(path)
    refuse_unknown_keys(values, path.relative_to(REPO))
    return values


def refuse_unknown_keys(values: dict[str, Any], where: Path | str) -> None:
    spec = schema()
    for key in values:
        if key not in spec.known:
            raise UsageError(f"{where}: unknown key {key!r} in locals (known: {', '.join(spec.known)})")
    for block, inner in spec.blocks.items():
        for key in values.get(block) or {}:
            if key not in inner.known:
                raise UsageError(
                    f"{where}: unknown key '{block}.{key}' in locals (known in {block}: {', '.join(inner.known)})"
                )


def environment_settings(name: str) -> dict[str, Any]:
    """Every key of live/<name>/env.hcl's schema, as the units see it: the value env.hcl gives, else
    settings.hcl's default, else (where that is null) the default of the module variable it stands for."""
    values = environment_values(name)
    spec = schema()

    def default(key: str, declared: Any) -> Any:
        if isinstance(declared, str) and (reference := _GIVEN.fullmatch(declared)):
            return values.get(reference.group(1))
        if declared is None and key in spec.module_defaults:
            return module_default(spec.module_defaults[key])
        return declared

    def applied(given: dict[str, Any], keys: Schema, prefix: str = "") -> dict[str, Any]:
        out = dict(given)
        for key, declared in keys.optional.items():
            if out.get(key) is None:
                out[key] = default(f"{prefix}{key}", declared)
        return out

    settings = applied(values, spec)
    for block, keys in spec.blocks.items():
        if isinstance(settings.get(block), dict):
            settings[block] = applied(settings[block], keys, f"{block}.")
    return settings


def load_environment(name: str) -> Environment:
    values = environment_settings(name)
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
        emulator=bool(values["emulator"]),
        terraform_role_arn=str(values["terraform_role_arn"]),
    )


def emulator_port() -> int:
    raw = os.environ.get("SMENV_EMULATOR_PORT", str(DEFAULT_EMULATOR_PORT))
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535:
        raise UsageError(f"SMENV_EMULATOR_PORT must be a port number from 1024 to 65535, got {raw!r}")
    return int(raw)


def emulator_url(port: int | None = None) -> str:
    return f"http://127.0.0.1:{port or emulator_port()}"
