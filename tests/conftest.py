"""Shared fixtures: the repository, the toolchain environment, and one emulator for the session.

The suite's emulator listens on SMENV_TEST_EMULATOR_PORT (default 4599), apart from the one
`make up` uses (4566), so the tests never touch a developer's running environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / "tools"
sys.path.insert(0, str(TOOLS))

import local_aws  # noqa: E402
from project import EMULATOR_CREDENTIALS  # noqa: E402

TEST_EMULATOR_PORT = int(os.environ.get("SMENV_TEST_EMULATOR_PORT", "4599"))


def toolchain_env(**extra: str) -> dict[str, str]:
    """The environment `make` gives a target (PATH with .venv and the cache, TF_CLI_CONFIG_FILE...)."""
    env = dict(os.environ)
    script = f"source {REPO / '.smenv' / 'env.sh'} && env -0"
    out = subprocess.run(["bash", "-c", script], capture_output=True, check=True, env=env).stdout
    env = dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def tool_env() -> dict[str, str]:
    return toolchain_env()


@pytest.fixture(scope="session")
def emulator() -> Iterator[local_aws.Running]:
    """One moto server for the whole session; stopped at the end if this session started it."""
    running, started = local_aws.start(TEST_EMULATOR_PORT)
    yield running
    if started:
        local_aws.stop(TEST_EMULATOR_PORT)


@pytest.fixture(scope="session")
def emulator_env(emulator: local_aws.Running, tool_env: dict[str, str]) -> dict[str, str]:
    """A child-process environment whose AWS calls all go to the session's emulator."""
    env = {k: v for k, v in tool_env.items() if not k.startswith("AWS_")}
    env.update(EMULATOR_CREDENTIALS)
    env.update(
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=emulator.url,
        SMENV_EMULATOR_PORT=str(emulator.port),
        SMENV_EMULATOR_URL=emulator.url,
    )
    return env
