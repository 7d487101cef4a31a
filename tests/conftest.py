"""Shared fixtures: the repository, the toolchain environment, and one emulator for the session.

The suite's emulator listens on SMENV_TEST_EMULATOR_PORT (default 4599), apart from the one
`make up` uses (4566), so the tests never touch a developer's running environment.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smenv.core.project import EMULATOR_CREDENTIALS
from smenv.live import local_aws
from smenv_testing import REPO, TEST_EMULATOR_PORT, toolchain_env

# Every test is marked by the folder it lives in, so `-m` selects by what a test needs:
# `-m unit` (no AWS, no Terraform), `-m "not emulator and not scan"`, `-m plan`, ...
FOLDER_MARKERS = ("unit", "moto", "plan", "scan", "access", "emulator")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(item.path).relative_to(REPO / "tests").parts[0]
        if folder in FOLDER_MARKERS:
            item.add_marker(folder)


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


@pytest.fixture(scope="session")
def environment_plans(emulator_env, tmp_path_factory) -> Callable[[str], Path]:
    """environment_plans("dev") -> a directory of <unit>.json: live/dev planned whole through Terragrunt,
    rehearsed on the session's emulator, once per session (checkov and the access matrix share it)."""
    made: dict[str, Path] = {}

    def get(env: str) -> Path:
        if env not in made:
            out = tmp_path_factory.mktemp(f"plan-{env}")
            proc = subprocess.run(
                [sys.executable, "tools/live.py", "plan", env, "--plan-json", str(out)],
                cwd=REPO,
                env=emulator_env,
                capture_output=True,
                text=True,
            )
            assert proc.returncode in (0, 2), proc.stdout + proc.stderr[-3000:]
            made[env] = out
        return made[env]

    return get
