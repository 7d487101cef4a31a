"""The bootstrap installs the pinned toolchain once, reuses it, and says plainly what is missing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smenv.core.project import tool_script
from smenv_testing import REPO

bootstrap = tool_script("bootstrap")  # runs before .venv exists: a script, not part of the package


def run_bootstrap(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "tools/bootstrap.py", *args], cwd=REPO, env=env, capture_output=True, text=True
    )


def lock_pins(path: Path) -> set[str]:
    return {line.strip().lower() for line in path.read_text().splitlines() if line and not line.startswith("#")}


def test_a_warm_bootstrap_reuses_everything_in_under_a_second():
    # Given a toolchain that is already installed
    first = run_bootstrap("--json")
    assert first.returncode == 0, first.stderr
    tools = json.loads(first.stdout)
    mtimes = {name: Path(path).stat().st_mtime for name, path in tools.items()}
    # When the bootstrap runs again
    began = time.monotonic()
    second = run_bootstrap("--json")
    took = time.monotonic() - began
    # Then it finds the same tools, rebuilds nothing, and is quick
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == tools
    assert {name: Path(path).stat().st_mtime for name, path in tools.items()} == mtimes
    assert took < 1, f"warm bootstrap took {took:.1f} s"
    assert "installing" not in second.stdout + second.stderr
    assert "building" not in second.stdout + second.stderr


def test_the_installed_tools_are_the_pinned_versions(tool_env):
    tools = json.loads(run_bootstrap("--json", "--with", "all").stdout)
    terragrunt = subprocess.run([tools["terragrunt"], "--version"], capture_output=True, text=True, check=True)
    assert terragrunt.stdout.strip() == f"terragrunt version {bootstrap.TERRAGRUNT_VERSION}"
    checkov_pin = next(p for p in lock_pins(bootstrap.CHECKOV_LOCK) if p.startswith("checkov=="))
    checkov = subprocess.run([tools["checkov"], "--version"], capture_output=True, text=True, check=True)
    assert f"checkov=={checkov.stdout.strip()}" == checkov_pin
    freeze = subprocess.run(
        [str(REPO / ".venv/bin/python"), "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert lock_pins(bootstrap.PYTHON_LOCK) == {line.lower() for line in freeze.stdout.split()}
    # and the project itself, editable from this checkout: src/smenv is what `import smenv` finds
    import smenv

    assert Path(smenv.__file__).resolve() == REPO / "src" / "smenv" / "__init__.py"
    # The npm test tools: exactly the versions package.json pins, where env.sh says they are
    pinned = json.loads((bootstrap.NODE_TOOLS_SRC / "package.json").read_text())["dependencies"]
    assert pinned["@cloud-copilot/iam-simulate"] == "0.1.173"
    for name, version in pinned.items():
        installed = Path(tools["node_tools"]) / "node_modules" / name / "package.json"
        assert json.loads(installed.read_text())["version"] == version, name
    assert tool_env["SMENV_NODE_TOOLS"] == tools["node_tools"]
    tofu = subprocess.run([tools["tofu"], "version", "-json"], capture_output=True, text=True, check=True)
    assert "v" + json.loads(tofu.stdout)["terraform_version"] == bootstrap.OPENTOFU_VERSION


def test_the_cli_config_uses_the_mirror_when_there_is_one(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / bootstrap.AWS_PROVIDER_DIR / "5.100.0" / "linux_amd64").mkdir(parents=True)
    provider = mirror / bootstrap.AWS_PROVIDER_DIR / "5.100.0" / "linux_amd64" / "terraform-provider-aws_v5.100.0_x5"
    provider.write_text("a provider")
    os.environ["SMENV_PROVIDER_MIRROR"] = str(mirror)
    try:
        found = bootstrap.provider_mirror()
    finally:
        del os.environ["SMENV_PROVIDER_MIRROR"]
    assert found == mirror
    config = bootstrap.terraform_cli_config(found, tmp_path / "cache")
    assert f'path    = "{mirror}"' in config
    assert 'exclude = ["registry.terraform.io/hashicorp/*", "registry.opentofu.org/hashicorp/*"]' in config
    # And OpenTofu, which names the providers registry.opentofu.org/hashicorp/*, reads the same folder
    assert f'path    = "{tmp_path / "cache" / "tofu-mirror"}"' in config
    bootstrap.link_tofu_mirror(found, tmp_path / "cache")
    linked = tmp_path / "cache" / "tofu-mirror" / "registry.opentofu.org" / "hashicorp" / "aws" / "5.100.0"
    assert (linked / "linux_amd64").is_dir() and not (linked / "linux_amd64").is_symlink()
    assert (linked / "linux_amd64" / provider.name).resolve() == provider


def test_without_a_mirror_providers_come_from_the_registry_through_a_cache(tmp_path):
    os.environ["SMENV_PROVIDER_MIRROR"] = str(tmp_path / "nothing-here")
    try:
        assert bootstrap.provider_mirror() is None
    finally:
        del os.environ["SMENV_PROVIDER_MIRROR"]
    config = bootstrap.terraform_cli_config(None, tmp_path / "cache")
    assert "provider_installation" not in config
    assert f'plugin_cache_dir = "{tmp_path / "cache" / "terraform-plugins"}"' in config


def test_missing_terraform_is_one_line_naming_what_to_install():
    env = dict(os.environ, SMENV_TERRAFORM="/nonexistent/terraform")
    proc = run_bootstrap(env=env)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("bootstrap: error: Terraform >= 1.6 is not on PATH: install it")


def without(names: tuple[str, ...]) -> str:
    """PATH without the folders that hold any of `names`."""
    return ":".join(p for p in os.environ["PATH"].split(":") if p and not any((Path(p) / n).exists() for n in names))


def test_missing_go_on_a_cold_cache_fails_first_and_installs_nothing(tmp_path):
    # Given an empty cache, and a PATH with neither Go nor a terragrunt
    cache = tmp_path / "cache"
    env = dict(os.environ, SMENV_CACHE=str(cache), PATH=without(("go", "terragrunt")))
    # When the main job's bootstrap runs (what `make up` runs)
    proc = run_bootstrap(env=env)
    # Then it names Go (and the alternative) in one line, before any long step
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"bootstrap: error: Go >= 1.26 is needed to build terragrunt {bootstrap.TERRAGRUNT_VERSION} from the Go "
        "module proxy: install Go (https://go.dev/dl/), or put a terragrunt 1.x on PATH"
    )
    assert not (cache / "tools").exists()


def test_a_go_older_than_the_pinned_modules_need_is_named_before_any_build(tmp_path):
    # Given an empty cache and a Go 1.20 first on PATH (OpenTofu's module needs the newest Go of all)
    cache = tmp_path / "cache"
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "go").write_text("#!/bin/sh\necho 'go version go1.20.1 linux/amd64'\n")
    (fake / "go").chmod(0o755)
    env = dict(os.environ, SMENV_CACHE=str(cache), PATH=f"{fake}:{without(('terragrunt',))}")
    # When the bootstrap runs for every tool (what `make test` runs)
    proc = run_bootstrap("--with", "all", env=env)
    # Then one line says which Go it needs and which it found, and nothing was installed
    newest = ".".join(map(str, max(bootstrap.go_minimum(t) for t in bootstrap.GO_TOOLS)))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    assert f"Go >= {newest} is needed" in proc.stderr and "(found 1.20.1)" in proc.stderr
    assert not (cache / "tools").exists()


def fake_terragrunt(folder: Path, version: str) -> Path:
    """A terragrunt that prints `version` and notes each start in calls.log beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "terragrunt"
    script.write_text(f"#!/bin/sh\necho started >> '{folder}/calls.log'\necho 'terragrunt version {version}'\n")
    script.chmod(0o755)
    return script


def test_a_terragrunt_1x_already_on_path_is_used(tmp_path, monkeypatch):
    # Given a Terragrunt 1.0 the user installed, and no pinned build in the cache
    script = fake_terragrunt(tmp_path / "bin", "v1.0.0")
    monkeypatch.setenv("PATH", f"{script.parent}:{os.environ['PATH']}")
    tool = next(t for t in bootstrap.GO_TOOLS if t.name == "terragrunt")
    # Then the bootstrap takes it instead of building
    assert bootstrap.built_or_on_path(tool, tmp_path / "cache") == script


def test_a_terragrunt_older_than_1_0_on_path_is_named_and_passed_over(tmp_path, monkeypatch, capsys):
    # Given a Terragrunt 0.58 the user installed long ago
    script = fake_terragrunt(tmp_path / "bin", "v0.58.0")
    monkeypatch.setenv("PATH", f"{script.parent}:{os.environ['PATH']}")
    tool = next(t for t in bootstrap.GO_TOOLS if t.name == "terragrunt")
    # When the bootstrap looks for one
    found = bootstrap.tool_on_path(tool, tmp_path / "cache")
    # Then it is not used, and one line says so and what is built instead
    assert found is None
    assert capsys.readouterr().out == (
        f"[bootstrap] terragrunt 0.58.0 at {script} is not 1.x: using the pinned {bootstrap.TERRAGRUNT_VERSION} instead\n"
    )


def test_a_terragrunt_on_path_is_asked_its_version_once_per_run(tmp_path, monkeypatch, capsys):
    # Given a Terragrunt 0.58 on PATH and no pinned build (a run checks PATH before and after building)
    script = fake_terragrunt(tmp_path / "bin", "v0.58.0")
    monkeypatch.setenv("PATH", f"{script.parent}:{os.environ['PATH']}")
    tool = next(t for t in bootstrap.GO_TOOLS if t.name == "terragrunt")
    # When the bootstrap looks for one twice in the same run
    bootstrap.tool_on_path(tool, tmp_path / "cache")
    bootstrap.built_or_on_path(tool, tmp_path / "cache")
    # Then the binary was started once, and the line passing it over was said once
    assert (script.parent / "calls.log").read_text().splitlines() == ["started"]
    assert capsys.readouterr().out.count("is not 1.x") == 1


@pytest.mark.parametrize(
    ("variable", "args", "line"),
    [
        (
            {"SMENV_ENGINE": "pulumi"},
            (),
            "bootstrap: error: SMENV_ENGINE='pulumi' is not an engine this project runs: use terraform or tofu",
        ),
        (
            {},
            ("--with", "checkov,terrascan"),
            "bootstrap: error: --with terrascan: not a tool the bootstrap installs "
            "(checkov, tflint, terraform-docs, node, tofu)",
        ),
    ],
    ids=["unknown-engine", "unknown-tool"],
)
def test_bad_input_is_one_line_and_changes_nothing(variable, args, line, tmp_path):
    env = dict(os.environ, SMENV_CACHE=str(tmp_path / "cache"), **variable)
    proc = run_bootstrap(*args, env=env)
    assert proc.returncode == 1
    assert proc.stderr == line + "\n"
    assert not (tmp_path / "cache").exists()


def test_the_main_jobs_bootstrap_installs_only_what_make_up_uses(tmp_path, monkeypatch):
    # Given an empty cache, and every install step recorded instead of run
    monkeypatch.setenv("SMENV_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(bootstrap, "STATE_DIR", tmp_path / "state")
    built, made = [], []
    monkeypatch.setattr(bootstrap, "go_tools_to_build", lambda tools, cache, check_only: tools)
    monkeypatch.setattr(bootstrap, "build_go_tool", lambda tool, cache: built.append(tool.name))
    monkeypatch.setattr(bootstrap, "ensure_virtualenv", lambda venv, lock, what, *a, **k: made.append(what))
    monkeypatch.setattr(bootstrap, "ensure_node_tools", lambda *a: made.append("node tools"))
    # When the bootstrap runs as `make up` runs it, then as `make test` does
    up = bootstrap.bootstrap()
    built_for_up, made_for_up = list(built), list(made)
    bootstrap.bootstrap(extras=bootstrap.parse_components("all"))
    # Then `make up` got the Python packages, Terraform and Terragrunt, and nothing a check uses
    assert built_for_up == ["terragrunt"]
    assert made_for_up == ["python packages"]
    assert set(up) == {"terragrunt", "terraform"}
    # And `make test` got every test tool as well
    assert sorted(built[1:]) == ["terraform-docs", "terragrunt", "tflint", "tofu"]
    assert made[1:] == ["python packages", "checkov", "node tools"]


def test_a_changed_pyproject_installs_the_package_again_without_rebuilding_the_virtualenv(tmp_path, monkeypatch):
    # Given a virtualenv that holds the lock and the package, installed from an older pyproject.toml
    venv, project, lock = tmp_path / "venv", tmp_path / "project", tmp_path / "python.lock"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "smenv"\n')
    lock.write_text("boto3==1.0\n")
    (venv / ".smenv-lock").write_text(bootstrap.file_hash(lock) + "\n")
    (venv / ".smenv-editable").write_text("older\n")
    ran: list[str] = []
    monkeypatch.setattr(bootstrap, "run", lambda cmd, what: ran.append(" ".join(cmd[3:])))
    # When the bootstrap ensures the virtualenv, twice
    made = [bootstrap.ensure_virtualenv(venv, lock, "python packages", 1, False, editable=project) for _ in "12"]
    # Then the virtualenv was kept, and the package installed editable once, not again
    assert made == [False, False]
    assert ran == [f"install --disable-pip-version-check -q --no-deps --no-build-isolation -e {project}"]


def test_smenv_engine_tofu_points_terragrunt_and_the_tools_at_opentofu(tmp_path, monkeypatch):
    monkeypatch.setenv("SMENV_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(bootstrap, "STATE_DIR", tmp_path / "state")
    monkeypatch.setattr(bootstrap, "go_tools_to_build", lambda tools, cache, check_only: [])
    monkeypatch.setattr(bootstrap, "ensure_virtualenv", lambda *a, **k: False)
    found = bootstrap.bootstrap(engine="tofu")
    env_sh = (tmp_path / "state" / "env.sh").read_text()
    assert f'export TG_TF_PATH="{found["tofu"]}"' in env_sh
    assert f'export SMENV_TERRAFORM="{found["tofu"]}"' in env_sh
    assert 'export SMENV_ENGINE="tofu"' in env_sh


def test_no_make_target_runs_terraform_by_name_so_smenv_engine_tofu_reaches_them_all():
    # Given the Makefile's recipes (the lines a target runs)
    recipes = [line for line in (REPO / "Makefile").read_text().splitlines() if line.startswith("\t")]
    # Then none starts the engine as `terraform`: they run what env.sh names (SMENV_TERRAFORM)
    assert [line for line in recipes if re.search(r"(^|[;&|(]\s*|\s)terraform\s+[a-z]", line)] == []


def test_too_little_disk_is_one_line_naming_the_place(tmp_path, monkeypatch):
    class Usage:
        free = 1 * 2**30

    monkeypatch.setattr(bootstrap.shutil, "disk_usage", lambda _: Usage)
    with pytest.raises(bootstrap.BootstrapError, match=r"only 1\.0 GiB free at .*the toolchain needs 4 GiB"):
        bootstrap.check_resources(tmp_path, cold=True)


def test_too_little_memory_is_one_line(tmp_path, monkeypatch):
    real_read = Path.read_text
    monkeypatch.setattr(
        Path,
        "read_text",
        lambda self, *a, **k: (
            "MemAvailable:    1048576 kB\n" if str(self) == "/proc/meminfo" else real_read(self, *a, **k)
        ),
    )
    with pytest.raises(bootstrap.BootstrapError, match=r"only 1\.0 GiB of memory available"):
        bootstrap.check_resources(tmp_path, cold=False)


def test_missing_node_is_one_line_and_installs_nothing(tmp_path, monkeypatch):
    # Given a cache without the npm tools, and no node or npm on PATH
    real_which = bootstrap.shutil.which
    monkeypatch.setattr(
        bootstrap.shutil, "which", lambda name, **kw: None if name in ("node", "npm") else real_which(name, **kw)
    )
    # When the bootstrap wants them
    with pytest.raises(bootstrap.BootstrapError) as raised:
        bootstrap.ensure_node_tools(tmp_path / "cache", check_only=False)
    # Then it names Node.js in one line, and nothing was made
    assert str(raised.value) == (
        "Node.js >= 18 with npm is needed for the test tools in tools/toolchain/node: "
        "install it (https://nodejs.org/en/download)"
    )
    assert "\n" not in str(raised.value)
    assert not (tmp_path / "cache").exists()


def test_the_npm_tools_are_reused_while_the_lock_is_unchanged(tmp_path, monkeypatch):
    # Given npm tools installed for the current lock (the marker says so)
    target = bootstrap.node_tools_dir(tmp_path)
    target.mkdir(parents=True)
    (target / ".smenv-lock").write_text(bootstrap.file_hash(bootstrap.NODE_TOOLS_SRC / "package-lock.json") + "\n")
    # When the bootstrap runs, with npm made unusable
    monkeypatch.setattr(bootstrap, "run", lambda *a, **k: pytest.fail(f"ran {a}"))
    # Then it reuses them without calling npm, and --check agrees
    assert bootstrap.ensure_node_tools(tmp_path, check_only=False) == target
    assert bootstrap.ensure_node_tools(tmp_path, check_only=True) == target
