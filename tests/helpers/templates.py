"""Render a Terraform template with Terraform itself: `templatefile()` evaluated by `terraform console`.

    render_template(REPO / "modules/notebook/lifecycle/on-start.sh", {"idle_minutes": 60, ...,
                    "autostop_py_gz_b64": Expr(f'base64gzip(file("{REPO}/modules/notebook/lifecycle/autostop.py"))')})

What the tests check is then exactly what Terraform will upload: `$${}` escapes, `%{}` directives,
strip markers and functions are Terraform's, not an imitation. No configuration, provider or
state is involved (the console runs in an empty directory), so a render takes ~50 ms. The result
travels back base64-encoded, so no console quoting has to be undone.
"""

from __future__ import annotations

import base64
import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smenv.core.project import terraform_cli


class TemplateError(Exception):
    """Terraform refused the template or its variables; the message is Terraform's."""


@dataclass(frozen=True)
class Expr:
    """A Terraform expression passed through as written, e.g. `base64gzip(file("/abs/autostop.py"))`."""

    hcl: str


def _quote(text: str) -> str:
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = "".join(escapes.get(ch, ch if ch >= " " and ch != "\x7f" else f"\\u{ord(ch):04x}") for ch in text)
    # In a quoted HCL string ${ and %{ start a template sequence; doubled, they are literal.
    return '"' + out.replace("${", "$${").replace("%{", "%%{") + '"'


def hcl(value: Any) -> str:
    """A Python value as a Terraform literal (strings, numbers, bools, lists, maps, Expr)."""
    if isinstance(value, Expr):
        return value.hcl
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return _quote(str(value))
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_quote(str(k))} = {hcl(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(hcl(v) for v in value) + "]"
    raise TypeError(f"no Terraform literal for {type(value).__name__}")


def terraform() -> str:
    found = terraform_cli()
    if not shutil.which(found):
        raise TemplateError(f"{found} is not on PATH (or set SMENV_TERRAFORM)")
    return found


def render_template(path: str | Path, variables: Mapping[str, Any]) -> str:
    """templatefile(path, variables), as Terraform renders it."""
    return _render(str(Path(path).resolve()), hcl(variables))


@functools.lru_cache(maxsize=64)
def _render(path: str, variables: str) -> str:
    expression = f"base64encode(templatefile({_quote(path)}, {variables}))\n"
    with tempfile.TemporaryDirectory(prefix="smenv-render-") as empty:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
        done = subprocess.run(
            [terraform(), "console"], input=expression, cwd=empty, env=env, capture_output=True, text=True, check=False
        )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or not lines[-1].startswith('"'):
        raise TemplateError((done.stderr or done.stdout).strip() or f"terraform console exited {done.returncode}")
    return base64.b64decode(lines[-1].strip('"')).decode("utf-8")
