"""What tests share beside fixtures: the repository, the test emulator's port, the toolchain env.

Import from here, never from `conftest` (several conftest modules exist; the name is ambiguous).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TEST_EMULATOR_PORT = int(os.environ.get("SMENV_TEST_EMULATOR_PORT", "4599"))


def toolchain_env(**extra: str) -> dict[str, str]:
    """The environment `make` gives a target (PATH with .venv and the cache, TF_CLI_CONFIG_FILE...)."""
    env = dict(os.environ)
    script = f"source {REPO / '.smenv' / 'env.sh'} && env -0"
    out = subprocess.run(["bash", "-c", script], capture_output=True, check=True, env=env).stdout
    env = dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)
    env.update(extra)
    return env
