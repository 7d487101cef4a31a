"""The step scripts (examples/pipelines/code) as the S3 objects the definition points at.

Each script goes up as it is (a processing step runs /opt/ml/processing/input/code/<script>), and all
of them once more as sourcedir.tar.gz (the scikit-learn container's script mode, for training and for
the registered model). Built byte for byte the same from the same scripts, they are named by content:
pipelines/code/<16 hex digits of SHA-256>/<name> in the team's model bucket, uploaded once.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

from smenv.core.project import REPO, UsageError

CODE_DIR = REPO / "examples" / "pipelines" / "code"
SOURCEDIR = "sourcedir.tar.gz"


@dataclass(frozen=True)
class CodeObject:
    name: str  # the object's name under the code prefix
    body: bytes


def bundle(code_dir: Path = CODE_DIR) -> list[CodeObject]:
    """Every *.py of code_dir, and sourcedir.tar.gz of them all; UsageError when there is none."""
    objects = [CodeObject(path.name, path.read_bytes()) for path in sorted(code_dir.glob("*.py"))]
    if not objects:
        raise UsageError(f"no step scripts (*.py) in {code_dir}")
    return [*objects, CodeObject(SOURCEDIR, _tarball(objects))]


def _tarball(objects: list[CodeObject]) -> bytes:
    """A tar.gz whose bytes depend on the scripts only (no time, owner or mode of this machine)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for obj in objects:
            info = tarfile.TarInfo(obj.name)
            info.size, info.mode, info.mtime = len(obj.body), 0o644, 0
            archive.addfile(info, io.BytesIO(obj.body))
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0) as compressed:
        compressed.write(raw.getvalue())
    return packed.getvalue()


def key_prefix(objects: list[CodeObject]) -> str:
    """pipelines/code/<16 hex digits of SHA-256 over every object's name and bytes>/."""
    digest = hashlib.sha256()
    for obj in sorted(objects, key=lambda o: o.name):
        digest.update(obj.name.encode() + b"\0" + hashlib.sha256(obj.body).digest())
    return f"pipelines/code/{digest.hexdigest()[:16]}/"
