"""env.hcl turns whole units off: Terragrunt 1.x's `exclude` block (the 0.x `skip` is gone) leaves the
trail out where an organization trail records the account, and Studio out where it is disabled.

`terragrunt find --json --exclude` reads the HCL only (no AWS call, no Terraform run).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from smenv_testing import REPO


def exclusions(tmp_path: Path, edit: Callable[[str], str]) -> dict[str, bool]:
    """Each unit of a copy of live/local whose env.hcl text went through `edit`: excluded or not."""
    (tmp_path / "live").mkdir()
    shutil.copy2(REPO / "root.hcl", tmp_path / "root.hcl")
    (tmp_path / "live" / "_envcommon").symlink_to(REPO / "live" / "_envcommon")
    (tmp_path / "modules").symlink_to(REPO / "modules")
    env_dir = tmp_path / "live" / "local"
    shutil.copytree(REPO / "live" / "local", env_dir, ignore=shutil.ignore_patterns(".terragrunt-cache"))
    (env_dir / "env.hcl").write_text(edit((env_dir / "env.hcl").read_text()))
    terragrunt = shutil.which("terragrunt")
    assert terragrunt, "terragrunt is on the toolchain's PATH after `make bootstrap`"
    found = subprocess.run(
        [terragrunt, "find", "--json", "--exclude", "--no-color", "--non-interactive", "--working-dir", str(env_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {unit["path"]: bool(unit.get("exclude", {}).get("if")) for unit in json.loads(found.stdout)}


def organization_trail(text: str) -> str:
    body = text.rstrip().removesuffix("}")
    return body + '  organization_trail_arn = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org"\n}\n'


def studio_disabled(text: str) -> str:
    return re.sub(r"^  studio = \{.*\}$", "  studio = { enabled = false }", text, count=1, flags=re.MULTILINE)


def test_every_unit_runs_by_default(tmp_path):
    assert not any(exclusions(tmp_path, lambda text: text).values())


@pytest.mark.parametrize(
    ("edit", "unit"),
    [(organization_trail, "trail"), (studio_disabled, "studio")],
    ids=["organization-trail", "studio-disabled"],
)
def test_an_env_setting_excludes_its_unit_and_only_that_unit(tmp_path, edit, unit):
    # Given live/local with one setting that turns a unit off
    excluded = exclusions(tmp_path, edit)
    # Then that unit is excluded from every command, and every other unit still runs
    assert [name for name, off in excluded.items() if off] == [unit]
