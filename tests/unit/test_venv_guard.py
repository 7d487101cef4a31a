"""A user runs a tool with a bare `python` (no .venv active): it still works, or says in one line why not."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from smenv_testing import REPO

SYSTEM_PYTHON = Path("/usr/bin/python3")
# Every tool a user can run: each file of tools/ with a __main__ block.
ENTRY_POINTS = sorted(
    path.name for path in (REPO / "tools").glob("*.py") if 'if __name__ == "__main__":' in path.read_text()
)


def lacks_boto3(python: Path) -> bool:
    probe = subprocess.run([str(python), "-c", "import boto3"], capture_output=True, check=False)
    return probe.returncode != 0


@pytest.mark.skipif(
    not SYSTEM_PYTHON.exists() or not lacks_boto3(SYSTEM_PYTHON),
    reason="needs a system python3 without boto3 to stand for a user's bare interpreter",
)
@pytest.mark.parametrize("tool", ENTRY_POINTS)
def test_every_tool_run_with_a_bare_python_answers_without_a_traceback(tool):
    # Given a python without the project's packages, when the user asks a tool for its help
    proc = subprocess.run(
        [str(SYSTEM_PYTHON), str(REPO / "tools" / tool), "--help"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    # Then it answers as it would in the venv: no traceback
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage:")
    assert "Traceback" not in proc.stderr


def test_the_entry_points_include_the_documented_commands():
    # Given the commands the README tells users to run by hand, then each is checked above
    assert {"promote_model.py", "sweep.py", "local_aws.py", "live.py", "access_matrix.py"} <= set(ENTRY_POINTS)
