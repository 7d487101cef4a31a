#!/usr/bin/env python3
"""Bring the pinned toolchain up, offline but for the package registries, and reuse what is there.

Run by the Makefile before every target (a warm run only checks, in well under 5 s):

    python3 tools/bootstrap.py                  # the main job's tools (make up), write .smenv/env.sh
    python3 tools/bootstrap.py --with all       # and every test tool (make test)
    python3 tools/bootstrap.py --with checkov   # and one more (comma-separated: checkov, tflint, ...)
    python3 tools/bootstrap.py --check          # report what is missing, change nothing

SMENV_ENGINE=tofu runs the modules with OpenTofu (built here) instead of Terraform.

What it installs, and where:
  .venv/                      the project's Python packages (tools/locks/python.lock)
  $SMENV_CACHE (~/.cache/smenv by default; outside the repository):
    tools/terragrunt-<v>/     Terragrunt, built from the Go module proxy (tools/toolchain/terragrunt)
    tools/checkov-<hash>/     checkov in a virtualenv of its own (tools/locks/checkov.lock)
    tools/<go tool>-<v>/      the other Go tools listed in GO_TOOLS (tflint, terraform-docs, tofu)
    tools/node-<hash>/        the npm test tools (tools/toolchain/node)
    go/                       the Go module and build caches those builds use
    bin/                      links to the pinned versions, first on PATH in .smenv/env.sh
  .smenv/terraformrc          Terraform CLI configuration: the provider mirror, or the registry
  .smenv/env.sh               what the Makefile sources: PATH, TF_CLI_CONFIG_FILE, cache paths

It uses only the standard library: it runs before .venv exists.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STATE_DIR = REPO / ".smenv"
VENV = REPO / ".venv"
PYTHON_LOCK = REPO / "tools" / "locks" / "python.lock"
CHECKOV_LOCK = REPO / "tools" / "locks" / "checkov.lock"
TOOLCHAIN_SRC = REPO / "tools" / "toolchain"
NODE_TOOLS_SRC = TOOLCHAIN_SRC / "node"

MIN_PYTHON = (3, 11)
MIN_TERRAFORM = (1, 6, 0)
TERRAGRUNT_VERSION = "v1.1.3"
# A terragrunt already on PATH is used when it is 1.x: 1.0 promises the commands and flags the
# configuration and tools use (`run --all`, `dag graph`, `hcl fmt`, root.hcl) stay through 1.x.
TERRAGRUNT_ACCEPTED = ((1, 0, 0), (2, 0, 0))
OPENTOFU_VERSION = "v1.12.6"
ENGINES = ("terraform", "tofu")
# `make up` needs the Python packages, the engine and Terragrunt only; the targets that check and
# test name these with --with (the Makefile does), so a first `make up` builds nothing it won't use.
OPTIONAL = ("checkov", "tflint", "terraform-docs", "node", "tofu")
AWS_PROVIDER_DIR = "registry.terraform.io/hashicorp/aws"
MIN_NODE = (18, 0, 0)


@dataclass(frozen=True)
class GoTool:
    """A Go program built from the Go module proxy in a pinned scratch module."""

    name: str
    version: str
    package: str
    ldflags: str
    cold_minutes: float


# cold_minutes: what a build took here with every cache empty (2 cores, 2026-11-30: terragrunt 230 s,
# tflint 105 s beside checkov's install, terraform-docs 14 s after tflint, tofu 252 s).
GO_TOOLS = [
    GoTool(
        name="terragrunt",
        version=TERRAGRUNT_VERSION,
        package="github.com/gruntwork-io/terragrunt",
        ldflags=f"-s -w -X github.com/gruntwork-io/terragrunt/internal/version.Version={TERRAGRUNT_VERSION}",
        cold_minutes=4,
    ),
    # The linters of tools/validate.py; tflint's AWS ruleset is not served here, so only its Terraform rules.
    GoTool(
        name="tflint",
        version="v0.64.0",
        package="github.com/terraform-linters/tflint",
        ldflags="-s -w",
        cold_minutes=2,
    ),
    GoTool(
        name="terraform-docs",
        version="v0.24.0",
        package="github.com/terraform-docs/terraform-docs",
        ldflags="-s -w",
        cold_minutes=0.5,
    ),
    # SMENV_ENGINE=tofu: the modules claim OpenTofu >= 1.8, and CI proves it with this build.
    GoTool(
        name="tofu",
        version=OPENTOFU_VERSION,
        package="github.com/opentofu/opentofu/cmd/tofu",
        # As OpenTofu's release builds do: without it the binary calls itself 1.x.y-dev.
        ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no",
        cold_minutes=4.5,
    ),
]


class BootstrapError(Exception):
    """Something the user must install or free: one line, no traceback."""


def cache_dir() -> Path:
    return Path(os.environ.get("SMENV_CACHE") or Path.home() / ".cache" / "smenv").expanduser()


def say(message: str) -> None:
    print(f"[bootstrap] {message}", flush=True)


def parse_version(text: str) -> tuple[int, ...] | None:
    match = re.search(r"v?(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(part) for part in match.groups()) if match else None


def file_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def run(cmd: list[str], what: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run a step; on failure raise one line naming the step and the last line it printed."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or ["(no output)"]
        raise BootstrapError(f"{what} failed (exit {proc.returncode}): {lines[-1].strip()}")
    return proc.stdout


def with_progress(what: str, minutes: float, step: Callable[[], None]) -> None:
    """Run a long step, saying how long it usually takes and how long it has taken so far."""
    say(f"{what} (usually about {minutes:g} min on a cold cache; 2 cores)...")
    done = threading.Event()

    def tick() -> None:
        started = time.monotonic()
        while not done.wait(30):
            say(f"  ... still {what.split(':', maxsplit=1)[0]}: {time.monotonic() - started:.0f} s")

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    started = time.monotonic()
    try:
        step()
    finally:
        done.set()
    say(f"{what.split(':', maxsplit=1)[0]}: done in {time.monotonic() - started:.0f} s")


# --- checks of what the machine must already have ---------------------------------------------


def check_python() -> None:
    if sys.version_info < MIN_PYTHON:
        raise BootstrapError(
            f"Python >= {MIN_PYTHON[0]}.{MIN_PYTHON[1]} is needed, this is {sys.version.split()[0]}: "
            "install it and run `make` with PY=/path/to/python3"
        )


def check_resources(cache: Path, cold: bool) -> None:
    """Cold builds need room: ~2 GiB of Go modules and caches, ~1 GiB of virtualenvs."""
    need_disk = 4 if cold else 0.2
    probe = cache if cache.exists() else next(p for p in cache.parents if p.exists())
    free_gib = shutil.disk_usage(probe).free / 2**30
    if free_gib < need_disk:
        raise BootstrapError(
            f"only {free_gib:.1f} GiB free at {probe}; the toolchain needs {need_disk:g} GiB: "
            "free some disk or point SMENV_CACHE at a larger disk"
        )
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        available = re.search(r"MemAvailable:\s+(\d+) kB", meminfo.read_text())
        if available and int(available.group(1)) / 2**20 < 3:
            raise BootstrapError(
                f"only {int(available.group(1)) / 2**20:.1f} GiB of memory available; every Terraform run "
                "starts a ~700 MB provider and the emulator needs ~1 GiB: at least 3 GiB is needed"
            )


def find_terraform() -> Path:
    explicit = os.environ.get("SMENV_TERRAFORM")
    found = explicit or shutil.which("terraform")
    if not found or not Path(found).exists():
        raise BootstrapError(
            "Terraform >= 1.6 is not on PATH: install it "
            "(https://developer.hashicorp.com/terraform/install) or set SMENV_TERRAFORM=/path/to/terraform"
        )
    out = run([found, "version", "-json"], "terraform version", env=terraform_env())
    version = parse_version(json.loads(out)["terraform_version"])
    if version is None or version < MIN_TERRAFORM:
        raise BootstrapError(f"Terraform {version} at {found} is too old: install Terraform >= 1.6")
    return Path(found)


def terraform_env() -> dict[str, str]:
    env = dict(os.environ)
    env["TF_CLI_CONFIG_FILE"] = str(STATE_DIR / "terraformrc")
    return env


def provider_mirror() -> Path | None:
    """The unpacked provider mirror, when this machine has one with the AWS provider in it."""
    mirror = Path(os.environ.get("SMENV_PROVIDER_MIRROR", "/opt/tf-plugins"))
    aws = mirror / AWS_PROVIDER_DIR
    has_v5 = aws.is_dir() and any(parse_version(p.name) and p.name.startswith("5.") for p in aws.iterdir())
    return mirror if has_v5 else None


def terraform_cli_config(mirror: Path | None, cache: Path) -> str:
    """With a mirror, providers are linked from it and the registry is never asked for them.

    OpenTofu names the same providers registry.opentofu.org/hashicorp/*: its mirror is a link to
    the same folder (tofu_mirror), so both engines read one copy and neither goes to a registry.
    """
    if mirror is None:
        return (
            "# No provider mirror on this machine: providers come from the public registry, cached.\n"
            f'plugin_cache_dir = "{cache / "terraform-plugins"}"\n'
        )
    return (
        "# Written by tools/bootstrap.py: hashicorp providers come from the local mirror only.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/*"]\n'
        "  }\n"
        "  filesystem_mirror {\n"
        f'    path    = "{tofu_mirror(cache)}"\n'
        '    include = ["registry.opentofu.org/hashicorp/*"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/hashicorp/*", "registry.opentofu.org/hashicorp/*"]\n'
        "  }\n"
        "}\n"
    )


def tofu_mirror(cache: Path) -> Path:
    return cache / "tofu-mirror"


def link_tofu_mirror(mirror: Path | None, cache: Path) -> None:
    """<cache>/tofu-mirror/registry.opentofu.org/hashicorp/...: the mirror's folders made again, each
    file a link to the mirror's (OpenTofu walks a mirror without following linked folders)."""
    if mirror is None:
        return
    source = mirror / "registry.terraform.io" / "hashicorp"
    target = tofu_mirror(cache) / "registry.opentofu.org" / "hashicorp"
    for path in source.rglob("*"):
        if path.is_file():
            link_into(target / path.parent.relative_to(source), path.name, path)


# --- what the bootstrap installs ---------------------------------------------------------------


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_virtualenv(
    venv: Path, lock: Path, what: str, minutes: float, check_only: bool, *, editable: Path | None = None
) -> bool:
    """A virtualenv holding exactly the lock file, rebuilt when the lock changes; with `editable`,
    that project installed editable too, installed again (seconds, no rebuild) when its
    pyproject.toml changes. True if the virtualenv was (re)made."""
    marker = venv / ".smenv-lock"
    wanted = file_hash(lock)
    made = False
    if not (marker.exists() and marker.read_text().strip() == wanted and venv_python(venv).exists()):
        if check_only:
            raise BootstrapError(f"{what} is missing or out of date at {venv}: run `make bootstrap`")

        def install() -> None:
            if venv.exists():
                shutil.rmtree(venv)
            run([sys.executable, "-m", "venv", str(venv)], f"creating the virtualenv {venv}")
            run([*pip_install(venv), "--no-deps", "-r", str(lock)], f"pip install -r {lock.relative_to(REPO)}")
            run([str(venv_python(venv)), "-m", "pip", "check"], f"pip check in {venv}")
            marker.write_text(wanted + "\n")

        with_progress(f"{what}: installing {lock.relative_to(REPO)} into {venv}", minutes, install)
        made = True
    if editable:
        ensure_editable(venv, editable, check_only)
    return made


def pip_install(venv: Path) -> list[str]:
    return [str(venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check", "-q"]


def ensure_editable(venv: Path, project: Path, check_only: bool) -> None:
    """The project (src/smenv) installed editable into the virtualenv: one .pth line naming src/.
    The build backend (hatchling) is in the lock: no isolated build env, nothing else downloaded."""
    marker = venv / ".smenv-editable"
    wanted = file_hash(project / "pyproject.toml")
    if marker.exists() and marker.read_text().strip() == wanted:
        return
    if check_only:
        raise BootstrapError(f"the smenv package is not installed in {venv}: run `make bootstrap`")
    run([*pip_install(venv), "--no-deps", "--no-build-isolation", "-e", str(project)], f"pip install -e {project}")
    marker.write_text(wanted + "\n")


def go_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GOMODCACHE=str(cache / "go" / "mod"),
        GOCACHE=str(cache / "go" / "build"),
        GOFLAGS="-mod=mod",
        CGO_ENABLED="0",
        GOTOOLCHAIN="local",
    )
    return env


def tool_on_path(tool: GoTool, cache: Path) -> Path | None:
    """A suitable copy already installed by the user (a laptop) is used instead of building one.

    Only Terragrunt, and only a 1.x: an older one is named and passed over, and the pinned one built.
    """
    if tool.name != "terragrunt":
        return None
    found = shutil.which("terragrunt", path=os.environ.get("PATH", "").replace(str(cache / "bin"), ""))
    return _terragrunt_if_1x(found, tool.version) if found else None


@functools.cache
def _terragrunt_if_1x(found: str, pinned: str) -> Path | None:
    """`found` if it says it is 1.x, else None (said once). Asked once per run: a run checks twice."""
    proc = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
    version = parse_version(proc.stdout + proc.stderr)
    low, high = TERRAGRUNT_ACCEPTED
    if version and low <= version < high:
        return Path(found)
    seen = ".".join(map(str, version)) if version else "of unknown version"
    say(f"terragrunt {seen} at {found} is not 1.x: using the pinned {pinned} instead")
    return None


def built_or_on_path(tool: GoTool, cache: Path) -> Path:
    """The pinned build when there is one (no process started: a warm run stays quick), else PATH's."""
    binary = go_tool_binary(tool, cache)
    return binary if binary.exists() else tool_on_path(tool, cache) or binary


def go_tool_binary(tool: GoTool, cache: Path) -> Path:
    src = TOOLCHAIN_SRC / tool.name
    digest = file_hash(src / "go.mod", src / "go.sum")
    return cache / "tools" / f"{tool.name}-{tool.version}-{digest}" / tool.name


def go_tools_to_build(tools: list[GoTool], cache: Path, check_only: bool) -> list[GoTool]:
    """Those of `tools` neither built nor on PATH. Fails before any long step when Go is missing."""
    missing = [t for t in tools if not go_tool_binary(t, cache).exists() and not tool_on_path(t, cache)]
    if missing and check_only:
        raise BootstrapError(f"not built yet: {', '.join(t.name for t in missing)}: run `make bootstrap`")
    if not missing:
        return missing
    wanted = max(go_minimum(t) for t in missing)
    go = shutil.which("go")
    found = parse_version(run([go, "version"], "go version")) if go else None
    if found is None or found < wanted:
        names = ", ".join(f"{t.name} {t.version}" for t in missing)
        also = ", or put a terragrunt 1.x on PATH" if any(t.name == "terragrunt" for t in missing) else ""
        seen = f" (found {'.'.join(map(str, found))})" if found else ""
        raise BootstrapError(
            f"Go >= {'.'.join(map(str, wanted))} is needed to build {names} from the Go module proxy{seen}: "
            f"install Go (https://go.dev/dl/){also}"
        )
    return missing


def go_minimum(tool: GoTool) -> tuple[int, ...]:
    """The `go` line of the tool's pinned scratch module: the oldest Go that builds it (GOTOOLCHAIN=local)."""
    text = (TOOLCHAIN_SRC / tool.name / "go.mod").read_text()
    match = re.search(r"^go (\d+(?:\.\d+)*)\s*$", text, re.MULTILINE)
    return tuple(int(part) for part in match.group(1).split(".")) if match else (1, 21)


def build_go_tool(tool: GoTool, cache: Path) -> None:
    binary = go_tool_binary(tool, cache)

    def build() -> None:
        tmp = binary.with_suffix(".partial")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        run(
            ["go", "build", "-trimpath", "-ldflags", tool.ldflags, "-o", str(tmp), tool.package],
            f"go build {tool.package}@{tool.version}",
            env=go_env(cache),
            cwd=TOOLCHAIN_SRC / tool.name,
        )
        tmp.rename(binary)

    with_progress(f"{tool.name}: building {tool.version} from the Go module proxy", tool.cold_minutes, build)


def node_tools_dir(cache: Path) -> Path:
    """Where the npm test tools of tools/toolchain/node live: one folder per package-lock.json."""
    return cache / "tools" / f"node-{file_hash(NODE_TOOLS_SRC / 'package-lock.json')}"


def check_node() -> None:
    """Node.js and npm, for the test-only npm tools (the IAM policy evaluator)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    version = parse_version(run([node, "--version"], "node --version")) if node else None
    if not node or not npm or version is None or version < MIN_NODE:
        found = f" (found {'.'.join(map(str, version))})" if version else ""
        raise BootstrapError(
            f"Node.js >= {MIN_NODE[0]} with npm is needed for the test tools in tools/toolchain/node{found}: "
            "install it (https://nodejs.org/en/download)"
        )


def ensure_node_tools(cache: Path, check_only: bool) -> Path:
    """`npm ci` of the pinned lock into the cache; reused while the lock is unchanged (no npm call)."""
    target = node_tools_dir(cache)
    marker = target / ".smenv-lock"
    wanted = file_hash(NODE_TOOLS_SRC / "package-lock.json")
    if marker.exists() and marker.read_text().strip() == wanted:
        return target
    if check_only:
        raise BootstrapError(f"the npm test tools are missing or out of date at {target}: run `make bootstrap`")
    check_node()

    def install() -> None:
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(NODE_TOOLS_SRC / name, partial / name)
        run(
            ["npm", "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            "npm ci in tools/toolchain/node",
            cwd=partial,
        )
        (partial / ".smenv-lock").write_text(wanted + "\n")
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)

    with_progress(f"node tools: installing tools/toolchain/node/package-lock.json into {target}", 0.2, install)
    return target


def link_into(bin_dir: Path, name: str, target: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    link = bin_dir / name
    if link.is_symlink() and os.readlink(link) == str(target):
        return
    tmp = bin_dir / f".{name}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    tmp.replace(link)


def write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def env_file(cache: Path, engine: str, engine_path: Path, node_tools: Path) -> str:
    """What the Makefile sources before every target: the same text whichever tools are installed."""
    return "\n".join(
        [
            "# Written by tools/bootstrap.py; sourced by the Makefile. Do not edit.",
            f'export SMENV_ROOT="{REPO}"',
            f'export SMENV_CACHE="{cache}"',
            f'export PATH="{VENV / "bin"}:{cache / "bin"}:$PATH"',
            f'export TF_CLI_CONFIG_FILE="{STATE_DIR / "terraformrc"}"',
            f'export SMENV_ENGINE="{engine}"',
            f'export TG_TF_PATH="{engine_path}"',
            f'export SMENV_TERRAFORM="{engine_path}"',
            f'export SMENV_NODE_TOOLS="{node_tools}"',
            "export TF_IN_AUTOMATION=1",
            "export CHECKPOINT_DISABLE=1",
            "",
        ]
    )


def engine_from_env() -> str:
    """SMENV_ENGINE: which of Terraform and OpenTofu runs the modules (default terraform)."""
    engine = os.environ.get("SMENV_ENGINE") or "terraform"
    if engine not in ENGINES:
        raise BootstrapError(f"SMENV_ENGINE={engine!r} is not an engine this project runs: use terraform or tofu")
    return engine


def parse_components(text: str) -> frozenset[str]:
    """`--with checkov,node` (or `all`): the optional tools a target needs beyond the main job's."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    if "all" in names:
        return frozenset(OPTIONAL)
    unknown = sorted(names - set(OPTIONAL))
    if unknown:
        raise BootstrapError(f"--with {','.join(unknown)}: not a tool the bootstrap installs ({', '.join(OPTIONAL)})")
    return frozenset(names)


def bootstrap(
    check_only: bool = False, extras: frozenset[str] = frozenset(), engine: str = "terraform"
) -> dict[str, str]:
    """Ensure the main job's tools (the Python packages, the Terraform configuration, Terragrunt and the
    engine) and the `extras` named; returns each tool's path. Nothing else is installed."""
    cache = cache_dir()
    check_python()
    wanted = {"terragrunt", *extras, *(["tofu"] if engine == "tofu" else [])}
    go_tools = [t for t in GO_TOOLS if t.name in wanted]
    checkov_venv = cache / "tools" / f"checkov-{file_hash(CHECKOV_LOCK)}"
    cold = not VENV.exists() or any(not go_tool_binary(t, cache).exists() for t in go_tools)
    check_resources(cache, cold)
    STATE_DIR.mkdir(exist_ok=True)
    mirror = provider_mirror()
    write_if_changed(STATE_DIR / "terraformrc", terraform_cli_config(mirror, cache))
    if not check_only:
        link_tofu_mirror(mirror, cache)
    terraform = find_terraform() if engine == "terraform" else None
    to_build = go_tools_to_build(go_tools, cache, check_only)

    errors: list[BaseException] = []

    def go_builds() -> None:
        try:
            for tool in to_build:
                build_go_tool(tool, cache)
        except BaseException as exc:  # handed to the main thread, which reports it
            errors.append(exc)

    # The Go builds are CPU-bound and the pip installs mostly wait on the network: run them side by side.
    builder = threading.Thread(target=go_builds)
    builder.start()
    try:
        ensure_virtualenv(VENV, PYTHON_LOCK, "python packages", 1, check_only, editable=REPO)
        if "checkov" in wanted:
            ensure_virtualenv(checkov_venv, CHECKOV_LOCK, "checkov", 1.2, check_only)
        if "node" in wanted:
            ensure_node_tools(cache, check_only)
    finally:
        builder.join()
    if errors:
        raise errors[0]

    found = {t.name: str(built_or_on_path(t, cache)) for t in go_tools}
    if "checkov" in wanted:
        found["checkov"] = str(checkov_venv / "bin" / "checkov")
    engine_path = Path(found["tofu"]) if engine == "tofu" else terraform
    if not check_only:
        for name, path in found.items():
            link_into(cache / "bin", name, Path(path))
        write_if_changed(STATE_DIR / "env.sh", env_file(cache, engine, engine_path, node_tools_dir(cache)))
    if terraform is not None:
        found["terraform"] = str(terraform)
    if "node" in wanted:
        found["node_tools"] = str(node_tools_dir(cache))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report what is missing; change nothing")
    parser.add_argument("--json", action="store_true", help="print the resolved tool paths as JSON")
    parser.add_argument(
        "--with",
        dest="extras",
        default="",
        metavar="TOOL[,TOOL]",
        help=f"also the tools a target needs beyond the main job: {', '.join(OPTIONAL)}, or all",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        found = bootstrap(check_only=args.check, extras=parse_components(args.extras), engine=engine_from_env())
    except BootstrapError as exc:
        print(f"bootstrap: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bootstrap: interrupted; run it again to finish (finished steps are kept)", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(found, indent=2, sort_keys=True))
    else:
        say(f"toolchain ready in {time.monotonic() - started:.1f} s (cache: {cache_dir()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
