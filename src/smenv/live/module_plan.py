"""A working copy of one module, planned alone as a root module against the local emulator.

Shared by the plan tests (tests/plan/planner.py) and the IAM policy lint (tools/policy_lint.py):
the same provider (every service the root.hcl sends to the emulator, the same default
tags) and the same copy, so what one plans the other plans too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import hcl2
from hcl2.utils import SerializationOptions

from smenv.core.project import REPO

MODULES = REPO / "modules"

PROVIDER = """
provider "aws" {{
  region                      = "us-east-1"
  max_retries                 = 1
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  default_tags {{
    tags = {{ project = "smenv", environment = "test", managed-by = "terraform" }}
  }}
  endpoints {{
{endpoints}
  }}
}}
"""


def emulator_services() -> list[str]:
    """The services the root.hcl points at the emulator: one list for every caller."""
    with (REPO / "root.hcl").open() as handle:
        root = hcl2.load(handle, serialization_options=SerializationOptions(strip_string_quotes=True))
    return next(block["emulator_services"] for block in root["locals"] if "emulator_services" in block)


def working_copy(module: str, workdir: Path, emulator_url: str, provider_file: str = "provider_test.tf") -> Path:
    """modules/<module> copied to workdir/<module> (no earlier init's files), with the emulator provider.

    The internal parts modules share (modules/_*, called as ../_name) are copied beside it.
    """
    target = workdir / module
    shutil.copytree(MODULES / module, target, ignore=shutil.ignore_patterns(".terraform*"))
    for internal in sorted(MODULES.glob("_*/main.tf")):
        if not (workdir / internal.parent.name).exists():
            shutil.copytree(
                internal.parent, workdir / internal.parent.name, ignore=shutil.ignore_patterns(".terraform*")
            )
    endpoints = "\n".join(f'    {service} = "{emulator_url}"' for service in emulator_services())
    (target / provider_file).write_text(PROVIDER.format(endpoints=endpoints))
    return target
