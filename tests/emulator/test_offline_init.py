"""`terraform init` needs no registry: the provider is linked from the local mirror."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from smenv.core.project import tool_script
from smenv_testing import REPO

bootstrap = tool_script("bootstrap")  # runs before .venv exists: a script, not part of the package

pytestmark = pytest.mark.emulator


def test_init_works_with_the_public_registry_unreachable(tmp_path, tool_env):
    # Given a copy of a module, and every proxy and registry pointed at a closed port
    work = tmp_path / "kms"
    # (the module alone: not a working directory some earlier init left beside it)
    shutil.copytree(REPO / "modules" / "kms", work, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl"))
    unreachable = "http://127.0.0.1:9"
    env = dict(tool_env, HTTPS_PROXY=unreachable, HTTP_PROXY=unreachable, https_proxy=unreachable)
    env["TF_REGISTRY_DISCOVERY_RETRY"] = "0"
    # When it is initialised
    proc = subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false", "-no-color"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    # Then init succeeds, with the provider linked (not copied) from the mirror
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "hashicorp/aws" in proc.stdout
    platform_dirs = list((work / ".terraform" / "providers").glob("registry.terraform.io/hashicorp/aws/*/*"))
    assert platform_dirs and all(d.is_symlink() for d in platform_dirs)
    assert all(str(d.resolve()).startswith(str(bootstrap.provider_mirror())) for d in platform_dirs)
    size = sum(f.stat().st_size for f in (work / ".terraform").rglob("*") if f.is_file() and not f.is_symlink())
    assert size < 1_000_000, f".terraform holds {size} bytes: the provider was copied"
