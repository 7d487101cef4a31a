"""Build a Lambda function's zip deterministically and print the hash Terraform wants.

    python tools/package_lambda.py lambda/enforcer --out dist/enforcer.zip          # prints source_code_hash
    python tools/package_lambda.py lambda/enforcer --out dist/enforcer.zip --json   # + sha256, size, files

The same sources always give the same bytes: entries sorted, timestamps 1980-01-01, permissions
0644 (files) and 0755 (directories), no __pycache__, *.pyc, .DS_Store, dotfiles or tests. A
requirements.txt of pinned lines (`name==version`) is vendored with pip (--no-deps --no-compile
--only-binary=:all:, for the Lambda runtime's Python and platform). The zip is written
atomically, and only when its content changed. Its base64 SHA-256 goes to stdout (Terraform's
`source_code_hash`); what happened goes to stderr.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from smenv.core import cli
from smenv.core.project import UsageError

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
DIR_MODE = 0o755
EXCLUDED_DIRS = frozenset({"__pycache__", "tests", "test"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
EXCLUDED_NAMES = frozenset({".DS_Store", "conftest.py"})
TEST_FILE = re.compile(r"^(test_.*|.*_test)\.py$")
# name[extras]==version [; marker] [--hash=...]: anything looser is refused.
PINNED = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9,._ -]+\])?\s*==\s*(?P<version>[A-Za-z0-9._+!-]+)"
    r"(\s*;[^#]*)?(\s+--hash=[a-z0-9]+:[0-9a-f]+)*\s*$"
)
DEFAULT_PYTHON = "3.13"  # the runtime the functions are deployed on (python3.13)
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}


class PackageError(Exception):
    """The build could not be done: one line for the user."""


@dataclass(frozen=True)
class Result:
    zip_path: Path
    source_code_hash: str  # base64 SHA-256
    sha256: str
    size: int
    files: int
    written: bool


def included(relative: Path) -> bool:
    parts = relative.parts
    if any(part in EXCLUDED_DIRS or part.startswith(".") for part in parts[:-1]):
        return False
    name = parts[-1]
    return not (
        name in EXCLUDED_NAMES or name.startswith(".") or name.endswith(EXCLUDED_SUFFIXES) or TEST_FILE.match(name)
    )


def collect(root: Path) -> dict[str, bytes]:
    """Archive name -> content for every file under root that belongs in the package."""
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and included(relative):
            files[relative.as_posix()] = path.read_bytes()
    return files


def pinned_requirements(text: str, source: str = "requirements.txt") -> list[str]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not PINNED.match(line):
            raise PackageError(f"{source}:{number}: {line!r} is not pinned: write name==version")
        lines.append(line)
    return lines


def pip_install(requirements: list[str], target: Path, python_version: str, platform: str) -> None:
    """Vendor exactly these pinned distributions, as binaries for the Lambda runtime."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(requirements) + "\n")
        req_file = handle.name
    try:
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--target",
            str(target),
            "--no-deps",
            "--no-compile",
            "--only-binary=:all:",
            "--implementation",
            "cp",
            "--python-version",
            python_version,
            "--platform",
            platform,
            "-r",
            req_file,
        ]
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        os.unlink(req_file)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise PackageError(f"pip could not vendor the requirements: {last}")


def directories(names: list[str]) -> list[str]:
    found = set()
    for name in names:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            found.add("/".join(parts[:i]) + "/")
    return sorted(found)


def entries(files: dict[str, bytes]) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
    """Directory and file entries, sorted, with fixed times, permissions and creator system."""
    for name in sorted([*directories(list(files)), *files]):
        info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
        info.create_system = 3  # Unix, so external_attr carries the permissions
        if name.endswith("/"):
            info.external_attr = ((0o040000 | DIR_MODE) << 16) | 0x10
            info.compress_type = zipfile.ZIP_STORED
            yield info, b""
        else:
            info.external_attr = (0o100000 | FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            yield info, files[name]


def build_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, data in entries(files):
            archive.writestr(info, data, compress_type=info.compress_type, compresslevel=9)
    return buffer.getvalue()


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomically (temp file + rename in the same directory); False when the file already holds data."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True


def package(
    function_dir: Path,
    out: Path,
    *,
    python_version: str = DEFAULT_PYTHON,
    platform: str = PLATFORMS["x86_64"],
    installer: Callable[[list[str], Path, str, str], None] = pip_install,
) -> Result:
    if not function_dir.is_dir():
        raise UsageError(f"{function_dir} is not a directory")
    if not (function_dir / "handler.py").is_file():
        raise UsageError(f"{function_dir} has no handler.py: not a Lambda function directory")
    files = collect(function_dir)
    files.pop("requirements.txt", None)
    requirements_file = function_dir / "requirements.txt"
    if requirements_file.is_file():
        requirements = pinned_requirements(requirements_file.read_text(), str(requirements_file))
        if requirements:
            with tempfile.TemporaryDirectory(prefix="smenv-vendor-") as vendor:
                installer(requirements, Path(vendor), python_version, platform)
                # bin/ holds console scripts whose #! line names this machine's python
                vendored = {k: v for k, v in collect(Path(vendor)).items() if not k.startswith("bin/")}
            clash = sorted(set(vendored) & set(files))
            if clash:
                raise PackageError(f"a vendored file would overwrite the function's own {clash[0]}")
            files.update(vendored)
    data = build_zip(files)
    digest = hashlib.sha256(data).digest()
    written = write_if_changed(out, data)
    return Result(
        zip_path=out,
        source_code_hash=base64.b64encode(digest).decode(),
        sha256=digest.hex(),
        size=len(data),
        files=len(files),
        written=written,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("function_dir", type=Path, help="lambda/<name>: a directory with handler.py")
    parser.add_argument("--out", type=Path, required=True, help="where to write the zip")
    parser.add_argument("--json", action="store_true", help="print hash, sha256, size and file count as JSON")
    parser.add_argument("--python-version", default=DEFAULT_PYTHON, help="of vendored wheels (default: 3.13)")
    parser.add_argument("--arch", choices=sorted(PLATFORMS), default="x86_64", help="of vendored wheels")
    args = parser.parse_args(argv)

    def body() -> int:
        result = package(args.function_dir, args.out, python_version=args.python_version, platform=PLATFORMS[args.arch])
        state = "wrote" if result.written else "unchanged"
        print(f"{state} {result.zip_path} ({result.files} files, {result.size} bytes)", file=sys.stderr)
        if args.json:
            print(
                json.dumps(
                    {
                        "zip": str(result.zip_path),
                        "source_code_hash": result.source_code_hash,
                        "sha256": result.sha256,
                        "size": result.size,
                        "files": result.files,
                        "written": result.written,
                    }
                )
            )
        else:
            print(result.source_code_hash)
        return 0

    return cli.run("package_lambda", body, failed=(PackageError, OSError))


if __name__ == "__main__":
    sys.exit(main())
