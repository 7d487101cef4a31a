"""The notebook lifecycle templates rendered the way the notebook module renders them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from helpers.templates import Expr, render_template

LIFECYCLE = Path(__file__).resolve().parent.parent.parent / "modules" / "notebook" / "lifecycle"
AUTOSTOP = LIFECYCLE / "autostop.py"
# SageMaker's limit on a lifecycle script, counted on its base64 encoding.
CONTENT_LIMIT = 16384


def template_vars(**overrides: Any) -> dict[str, Any]:
    """The team's values, as the notebook module passes them to templatefile()."""
    values: dict[str, Any] = {
        "data_bucket": "smenv-dev-team-a-data",
        "notebooks_prefix": "notebooks/",
        "bucket_placeholder": "<<DATA_BUCKET>>",
        "idle_minutes": 60,
        "notebook_user": "ec2-user",
        "notebook_dir": "/home/ec2-user/SageMaker",
        "region": "eu-west-1",
        "autostop_py_gz_b64": Expr(f"base64gzip(file({_hcl_path(AUTOSTOP)}))"),
    }
    values.update(overrides)
    return values


def _hcl_path(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(name: str, **overrides: Any) -> str:
    """modules/notebook/lifecycle/<name> rendered with template_vars(**overrides)."""
    return render_template(LIFECYCLE / name, template_vars(**overrides))


def load_autostop() -> ModuleType:
    """autostop.py imported from the module's folder (a script the instance runs, not a package)."""
    if "autostop" not in sys.modules:
        spec = importlib.util.spec_from_file_location("autostop", AUTOSTOP)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["autostop"] = module
        spec.loader.exec_module(module)
    return sys.modules["autostop"]
