"""Plan tests: each module planned alone, asserting what a reviewer checks in the plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from planner import ModulePlanner


@pytest.fixture(scope="session")
def planner_for(tmp_path_factory, emulator_env, emulator) -> Callable[[str], ModulePlanner]:
    """planner_for("kms") -> a ModulePlanner, initialised once per module per session."""
    made: dict[str, ModulePlanner] = {}
    workdir = tmp_path_factory.mktemp("plans")

    def get(module: str) -> ModulePlanner:
        if module not in made:
            made[module] = ModulePlanner(module, workdir, emulator_env, emulator.url)
        return made[module]

    return get
