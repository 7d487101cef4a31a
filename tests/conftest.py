"""Shared fixtures: the repository, the toolchain environment, and one emulator for the session.

The suite's emulator listens on SMENV_TEST_EMULATOR_PORT (default 4599), apart from the one
`make up` uses (4566), so the tests never touch a developer's running environment.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import local_aws
from project import EMULATOR_CREDENTIALS
from smenv_testing import TEST_EMULATOR_PORT, toolchain_env


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
