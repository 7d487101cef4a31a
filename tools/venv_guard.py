"""Imported first by the tools users run by hand (`python tools/promote_model.py ...`): when the
interpreter lacks the project's packages, run the same command again with the project's .venv, or
say in one line how to get it. Standard library only."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

VENV_PYTHON = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"
NEEDED = ("boto3", "hcl2")


def missing() -> list[str]:
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def ensure() -> None:
    absent = missing()
    if not absent:
        return
    tool = Path(sys.argv[0]).name
    if VENV_PYTHON.exists() and Path(sys.executable).resolve() != VENV_PYTHON.resolve():
        os.execv(VENV_PYTHON, [str(VENV_PYTHON), *sys.argv])
    print(
        f"{tool}: error: the Python packages {', '.join(absent)} are missing: run `make bootstrap`, "
        "then `source .smenv/env.sh` (or run the tool with .venv/bin/python)",
        file=sys.stderr,
    )
    sys.exit(2)


ensure()
