"""`pytest -m <folder>` selects the tests of that folder, so a fast loop can choose what it needs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from smenv_testing import REPO


def collected(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return {line.split("::", maxsplit=1)[0] for line in proc.stdout.splitlines() if "::" in line}


def test_the_plan_marker_selects_every_plan_test_file_and_no_other():
    # Given the plan tests' files, and other tests beside them
    files = {str(p.relative_to(REPO)) for p in (REPO / "tests" / "plan").glob("test_*.py")}
    # When pytest selects by the plan marker (once `-m plan` deselected all but one file)
    chosen = collected("tests/plan", "tests/unit", "-m", "plan")
    # Then it collects tests from exactly those files
    assert chosen == files


@pytest.mark.parametrize("folder", ["unit", "moto", "plan", "scan", "access", "emulator"])
def test_every_folder_of_tests_has_its_marker_declared(folder):
    assert (REPO / "tests" / folder).is_dir()
    assert f'"{folder}: tests/{folder}' in (REPO / "pyproject.toml").read_text()
