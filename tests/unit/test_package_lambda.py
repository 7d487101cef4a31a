"""tools/package_lambda.py: the same sources give the same zip, byte for byte, wherever they sit."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from smenv.build import package_lambda
from smenv_testing import REPO

ENFORCER = REPO / "lambda" / "enforcer"


def copy_tree(source: Path, target: Path, *, umask: int, mtime: float, mode: int) -> Path:
    """A copy of the sources made under another umask, with other times and permissions, plus litter."""
    previous = os.umask(umask)
    try:
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        (target / "__pycache__").mkdir()
        (target / "__pycache__" / "rules.cpython-311.pyc").write_bytes(os.urandom(64))
        (target / ".DS_Store").write_bytes(os.urandom(16))
        (target / "tests").mkdir()
        (target / "tests" / "test_rules.py").write_text("assert True\n")
    finally:
        os.umask(previous)
    for path in [target, *target.rglob("*")]:
        os.utime(path, (mtime, mtime))
        if path.is_file():
            path.chmod(mode)
    return target


def test_two_copies_of_the_sources_build_byte_identical_zips(tmp_path):
    # Given two copies of the enforcer made at different times, umasks and permissions
    a = copy_tree(ENFORCER, tmp_path / "a" / "enforcer", umask=0o022, mtime=1_000_000_000, mode=0o644)
    b = copy_tree(ENFORCER, tmp_path / "b" / "enforcer", umask=0o077, mtime=1_700_000_000, mode=0o600)
    # When each is packaged
    first = package_lambda.package(a, tmp_path / "a.zip")
    second = package_lambda.package(b, tmp_path / "b.zip")
    # Then the zips are the same bytes, and the hash is the base64 SHA-256 of them
    data = (tmp_path / "a.zip").read_bytes()
    assert data == (tmp_path / "b.zip").read_bytes()
    assert first.source_code_hash == second.source_code_hash
    assert first.source_code_hash == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert first.size == len(data)


def test_changing_one_source_byte_changes_the_hash(tmp_path):
    source = copy_tree(ENFORCER, tmp_path / "enforcer", umask=0o022, mtime=1_000_000_000, mode=0o644)
    before = package_lambda.package(source, tmp_path / "out.zip")
    rules = source / "rules.py"
    text = rules.read_bytes()
    rules.write_bytes(text.replace(b"kms.volume", b"kms.volumE", 1))
    after = package_lambda.package(source, tmp_path / "out.zip")
    assert after.source_code_hash != before.source_code_hash
    assert after.written


def test_the_zip_holds_only_sources_with_fixed_times_and_permissions(tmp_path):
    source = copy_tree(ENFORCER, tmp_path / "enforcer", umask=0o077, mtime=1_600_000_000, mode=0o600)
    (source / "sub").mkdir()
    (source / "sub" / "helper.py").write_text("X = 1\n")
    package_lambda.package(source, tmp_path / "out.zip")
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert "handler.py" in names
    assert "sub/" in names
    assert "sub/helper.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or "DS_Store" in n or "tests" in n]
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        mode = (info.external_attr >> 16) & 0o777
        assert mode == (0o755 if info.filename.endswith("/") else 0o644), info.filename


def test_an_unchanged_build_does_not_rewrite_the_zip_and_leaves_no_temp_files(tmp_path):
    out = tmp_path / "dist" / "enforcer.zip"
    first = package_lambda.package(ENFORCER, out)
    os.utime(out, (1_000_000_000, 1_000_000_000))
    second = package_lambda.package(ENFORCER, out)
    assert (first.written, second.written) == (True, False)
    assert out.stat().st_mtime == 1_000_000_000
    assert [p.name for p in out.parent.iterdir()] == ["enforcer.zip"]


def test_the_packaged_enforcer_loads_the_way_lambda_loads_it(tmp_path):
    # Given the zip unpacked as Lambda's code root
    package_lambda.package(ENFORCER, tmp_path / "enforcer.zip")
    root = tmp_path / "task"
    with zipfile.ZipFile(tmp_path / "enforcer.zip") as archive:
        archive.extractall(root)
    # When python imports `handler` from there, as the runtime does for handler.handler
    script = "import handler; print(callable(handler.handler), handler.rules.__name__)"
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, env={"PATH": os.environ["PATH"]}
    )
    # Then it loads, its modules as top-level names
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "rules"]


def fake_pip(requirements, target: Path, python_version: str, platform: str) -> None:
    """Stands in for pip: lays out what `pip install --target` would."""
    assert requirements == ["requests-toolbelt==1.0.0"]
    assert (python_version, platform) == ("3.13", "manylinux2014_x86_64")
    (target / "requests_toolbelt").mkdir()
    (target / "requests_toolbelt" / "__init__.py").write_text("VERSION = '1.0.0'\n")
    (target / "requests_toolbelt-1.0.0.dist-info").mkdir()
    (target / "requests_toolbelt-1.0.0.dist-info" / "RECORD").write_text("requests_toolbelt/__init__.py,,\n")
    (target / "bin").mkdir()
    (target / "bin" / "tool").write_text("#!/home/someone/.venv/bin/python\n")


def test_pinned_requirements_are_vendored_beside_the_handler(tmp_path):
    source = copy_tree(ENFORCER, tmp_path / "fn", umask=0o022, mtime=1_000_000_000, mode=0o644)
    (source / "requirements.txt").write_text("# vendored\nrequests-toolbelt==1.0.0  # http helpers\n\n")
    package_lambda.package(source, tmp_path / "fn.zip", installer=fake_pip)
    names = zipfile.ZipFile(tmp_path / "fn.zip").namelist()
    assert "requests_toolbelt/__init__.py" in names
    assert "requests_toolbelt-1.0.0.dist-info/RECORD" in names
    assert "handler.py" in names
    assert not [n for n in names if n.startswith("bin/") or n == "requirements.txt"]


@pytest.mark.parametrize(
    "line", ["requests", "requests>=2", "requests==2.*", "requests~=2.31", "-e ./local", "git+https://x/y"]
)
def test_an_unpinned_requirement_is_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, line):
    source = copy_tree(ENFORCER, tmp_path / "fn", umask=0o022, mtime=1_000_000_000, mode=0o644)
    (source / "requirements.txt").write_text(f"boto3==1.44.5\n{line}\n")
    code = package_lambda.main([str(source), "--out", str(tmp_path / "fn.zip")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1
    assert "requirements.txt:2:" in err[0]
    assert "is not pinned" in err[0]
    assert not (tmp_path / "fn.zip").exists()


@pytest.mark.parametrize(("make", "message"), [("missing", "is not a directory"), ("no-handler", "has no handler.py")])
def test_a_directory_that_is_not_a_function_is_one_line_and_exit_2(tmp_path, capsys, make, message):
    folder = tmp_path / "fn"
    if make == "no-handler":
        folder.mkdir()
        (folder / "main.py").write_text("")
    code = package_lambda.main([str(folder), "--out", str(tmp_path / "fn.zip")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    assert message in err[0]
    assert not (tmp_path / "fn.zip").exists()


def test_the_command_prints_the_hash_or_json(tmp_path):
    out = tmp_path / "enforcer.zip"
    plain = subprocess.run(
        [sys.executable, str(REPO / "tools" / "package_lambda.py"), str(ENFORCER), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    as_json = subprocess.run(
        [sys.executable, str(REPO / "tools" / "package_lambda.py"), str(ENFORCER), "--out", str(out), "--json"],
        capture_output=True,
        text=True,
    )
    data = out.read_bytes()
    expected = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert plain.returncode == 0
    assert plain.stdout.strip() == expected
    report = json.loads(as_json.stdout)
    assert report["source_code_hash"] == expected
    assert report["sha256"] == hashlib.sha256(data).hexdigest()
    assert report["size"] == len(data)
    assert report["written"] is False
    assert "unchanged" in as_json.stderr
