"""Import a Lambda package from lambda/<name>/ the way tools and tests need it.

Lambda loads `handler.handler` with lambda/<name>/ as its code root, so inside a package the
modules import each other as top-level names there. Here each package is imported under a name
of its own (`smenv_lambda_<name>`), where the same modules use relative imports: two functions'
handler.py (lambda/enforcer, lambda/invoke_endpoint) never collide, and nothing is put on sys.path.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

from smenv.core.project import REPO

LAMBDA_ROOT = REPO / "lambda"


def package_name(name: str) -> str:
    return "smenv_lambda_" + name.replace("-", "_")


def load(name: str, module: str = "handler", root: Path = LAMBDA_ROOT) -> types.ModuleType:
    """lambda/<name>/<module>.py, imported as smenv_lambda_<name>.<module> (once per process)."""
    directory = root / name
    if not (directory / f"{module}.py").is_file():
        raise FileNotFoundError(f"{directory / module}.py does not exist")
    pkg = package_name(name)
    if pkg not in sys.modules:
        package = types.ModuleType(pkg, f"Lambda package lambda/{name}")
        package.__path__ = [str(directory)]
        package.__package__ = pkg
        sys.modules[pkg] = package
    return importlib.import_module(f"{pkg}.{module}")
