"""One validation command: what users run in CI and what `make test` runs.

    python tools/validate.py            # static checks, checkov, plan tests, policy lint
    python tools/validate.py --all      # ... and every other test (make test)
    python tools/validate.py --fix      # fix what can be fixed (formatting, module READMEs), then check
    python tools/validate.py --only format,tflint

Each check's output goes to build/validate/logs/<check>.log; at the end one table (check,
result, seconds), build/validate/junit.xml (every check and every test) and
build/validate/results.sarif (checkov's and tflint's findings) for CI. Exit 0 when every check
passed, 1 otherwise, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from smenv.core.project import REPO, terraform_cli

OUT = REPO / "build" / "validate"
LOGS = OUT / "logs"
MODULES = REPO / "modules"


@dataclass
class Result:
    name: str
    ok: bool
    seconds: float
    summary: str
    log: Path
    sarif: list[Path] = field(default_factory=list)
    junit: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[argparse.Namespace, Path], tuple[bool, str, list[Path], list[Path]]]
    fixable: bool = False
    only_with_all: bool = False
    only_when_named: bool = False


def modules() -> list[Path]:
    return sorted(p.parent for p in MODULES.glob("*/main.tf"))


def sh(cmd: list[str], log: Path, cwd: Path = REPO, env: dict[str, str] | None = None) -> int:
    """Run one command, appending its output to the check's log; return its exit code."""
    with log.open("a") as handle:
        handle.write(f"\n$ {' '.join(cmd)}  (in {cwd.relative_to(REPO) if cwd != REPO else '.'})\n")
        handle.flush()
        return subprocess.run(cmd, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False).returncode


def need(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise SystemExit(f"validate: error: {tool} is not on PATH: run `make bootstrap` (or use `make validate`)")
    return found


# --- the checks -----------------------------------------------------------------------------------


def check_format(args, log):
    fix = args.fix
    codes = [
        sh([terraform_cli(), "fmt", "-recursive", *([] if fix else ["-check", "-diff"]), "modules"], log),
        sh([need("terragrunt"), "hcl", "fmt", *([] if fix else ["--check", "--diff"]), "--working-dir", "live"], log),
        sh([need("terragrunt"), "hcl", "fmt", *([] if fix else ["--check", "--diff"]), "--file", "root.hcl"], log),
        sh(["ruff", "format", *([] if fix else ["--check"]), "."], log),
        sh(["ruff", "check", *(["--fix"] if fix else []), "."], log),
        # The README's emulator-gap table is written from the patches (src/smenv/live/emulator_patches/).
        sh([sys.executable, str(REPO / "tools" / "emulator_patches.py"), "--write" if fix else "--check"], log),
    ]
    bad = sum(1 for c in codes if c)
    return (
        bad == 0,
        "terraform, hcl and python formatting; ruff lint; the README's gap table"
        if not bad
        else f"{bad} of {len(codes)} tools unhappy",
        [],
        [],
    )


def validate_modules(cli: str, data_root: Path, log: Path) -> tuple[bool, str, list[Path], list[Path]]:
    """`init -backend=false` and `validate` of every module with one engine's CLI."""
    failed = []
    for module in modules():
        # Working files under build/, not beside the module (a copy of modules/ stays clean).
        env = {**os.environ, "TF_DATA_DIR": str(data_root / module.name)}
        init = sh([cli, "init", "-backend=false", "-input=false", "-no-color"], log, cwd=module, env=env)
        if init or sh([cli, "validate", "-no-color"], log, cwd=module, env=env):
            failed.append(module.name)
    count = len(modules())
    return not failed, f"{count} modules" if not failed else f"invalid: {', '.join(failed)}", [], []


def check_terraform_validate(args, log):
    return validate_modules(terraform_cli(), OUT / "terraform", log)


def check_opentofu(args, log):
    """The modules claim OpenTofu >= 1.8 (versions.tf): validate every module with OpenTofu, plan every
    module with its example inputs and lint the policies it writes (tools/policy_lint.py), and, with
    --all, plan one whole environment with `run --all` on the emulator."""
    tofu = need("tofu")
    ok, summary, _, _ = validate_modules(tofu, OUT / "tofu", log)
    env = {**os.environ, "SMENV_TERRAFORM": tofu, "TG_TF_PATH": tofu, "SMENV_ENGINE": "tofu"}
    linted = sh([sys.executable, str(REPO / "tools" / "policy_lint.py"), "--modules", "all"], log, env=env) == 0
    said = [f"validate {summary}", "module plans and policy lint " + ("clean" if linted else "FAILED")]
    planned = True
    if args.all:
        # A port of its own: never the same emulator as a test session's (SMENV_TEST_EMULATOR_PORT).
        env["SMENV_EMULATOR_PORT"] = os.environ.get("SMENV_TOFU_EMULATOR_PORT", "4618")
        code = sh([sys.executable, str(REPO / "tools" / "live.py"), "plan", "local"], log, env=env)
        planned = code in (0, 2)
        said.append("live/local run --all plan " + ("planned" if planned else f"FAILED (exit {code})"))
        sh([sys.executable, str(REPO / "tools" / "local_aws.py"), "stop", "--port", env["SMENV_EMULATOR_PORT"]], log)
    return ok and linted and planned, "; ".join(said), [], []


def check_tflint(args, log):
    tflint = need("tflint")
    config = REPO / ".tflint.hcl"
    sarif_files, failed = [], []
    for module in modules():
        code = sh([tflint, "--config", str(config), "--chdir", str(module), "--format", "compact"], log)
        if code:
            failed.append(module.name)
        sarif = OUT / f"tflint-{module.name}.sarif"
        with sarif.open("w") as handle:
            subprocess.run(
                [tflint, "--config", str(config), "--chdir", str(module), "--format", "sarif"],
                cwd=REPO,
                stdout=handle,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        sarif_files.append(sarif)
    summary = f"{len(modules())} modules, Terraform ruleset" if not failed else f"issues in {', '.join(failed)}"
    return not failed, summary, sarif_files, []


def check_docs(args, log):
    docs = need("terraform-docs")
    stale = []
    for module in modules():
        cmd = [docs, "--config", str(REPO / ".terraform-docs.yml"), str(module)]
        if sh(cmd if args.fix else [*cmd, "--output-check"], log):
            stale.append(module.name)
    return (
        not stale,
        "module READMEs match their inputs and outputs" if not stale else f"stale: {', '.join(stale)}",
        [],
        [],
    )


def check_checkov(args, log):
    out = OUT / "checkov"
    out.mkdir(parents=True, exist_ok=True)
    code = sh(
        [need("checkov"), "-d", "modules", "--framework", "terraform", "--compact", "--quiet", "--skip-download",
         "-o", "cli", "-o", "sarif", "--output-file-path", f"console,{out / 'checkov.sarif'}"],
        log,
    )  # fmt: skip
    text = log.read_text()
    counts = re.findall(r"Passed checks: (\d+), Failed checks: (\d+), Skipped checks: (\d+)", text)
    passed, failed, skipped = (sum(int(c[i]) for c in counts) for i in range(3))
    sarif = sorted(out.glob("*.sarif"))
    return code == 0 and failed == 0, f"{passed} passed, {failed} failed, {skipped} skipped (inline)", sarif, []


def pytest_check(selection: list[str], junit_name: str) -> Callable:
    def run(args, log):
        junit = OUT / junit_name
        code = sh(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *selection], log
        )
        totals = junit_totals([junit])
        summary = f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped"
        return code == 0, summary, [], [junit]

    return run


def check_python_types(args, log):
    """mypy over src/smenv (strict on the core and promotion: pyproject.toml [tool.mypy]), and the
    package's layering contracts (import-linter: pyproject.toml [tool.importlinter])."""
    typed = sh([need("mypy")], log) == 0
    layered = sh([need("lint-imports"), "--cache-dir", str(OUT / "import-linter")], log) == 0
    said = ["mypy " + ("clean" if typed else "FAILED"), "import contracts " + ("kept" if layered else "BROKEN")]
    return typed and layered, "; ".join(said), [], []


def check_policy_lint(args, log):
    tool = REPO / "tools" / "policy_lint.py"
    if not tool.exists():
        return False, "tools/policy_lint.py is missing", [], []
    code = sh([sys.executable, str(tool), "--modules", "all"], log)
    last = [line for line in log.read_text().splitlines() if line.strip()][-1:]
    return code == 0, last[0][:80] if last else "", [], []


CHECKS = [
    Check("format", check_format, fixable=True),
    Check("python types", check_python_types),
    Check("terraform validate", check_terraform_validate),
    Check("opentofu", check_opentofu),
    Check("tflint", check_tflint),
    Check("terraform-docs", check_docs, fixable=True),
    Check("checkov modules", check_checkov),
    Check("policy lint", check_policy_lint),
    # `make check`'s tests: pure Python, no AWS and no Terraform (also inside "every other test").
    Check("unit tests", pytest_check(["tests/unit"], "junit-unit.xml"), only_when_named=True),
    # The access matrix shares each environment's plan with the checkov scan of it: one session.
    Check("plans, scans and access", pytest_check(["tests/plan", "tests/scan", "tests/access"], "junit-plans.xml")),
    Check(
        "every other test",
        pytest_check(
            ["tests", "--ignore=tests/plan", "--ignore=tests/scan", "--ignore=tests/access"], "junit-tests.xml"
        ),
        only_with_all=True,
    ),
]


# --- reports ---------------------------------------------------------------------------------------


def junit_totals(files: list[Path]) -> dict[str, int]:
    totals = {"passed": 0, "failed": 0, "skipped": 0, "tests": 0}
    for path in files:
        if not path.exists():
            continue
        for suite in ET.parse(path).getroot().iter("testsuite"):
            tests, failures, errors, skipped = (
                int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")
            )
            totals["tests"] += tests
            totals["failed"] += failures + errors
            totals["skipped"] += skipped
            totals["passed"] += tests - failures - errors - skipped
    return totals


def write_junit(results: list[Result]) -> Path:
    """One JUnit file: a suite of the checks, then every pytest suite."""
    root = ET.Element("testsuites")
    checks = ET.SubElement(root, "testsuite", name="validate", tests=str(len(results)))
    checks.set("failures", str(sum(1 for r in results if not r.ok)))
    for r in results:
        case = ET.SubElement(checks, "testcase", classname="validate", name=r.name, time=f"{r.seconds:.1f}")
        if not r.ok:
            failure = ET.SubElement(case, "failure", message=r.summary)
            failure.text = "\n".join(r.log.read_text(errors="replace").splitlines()[-60:])
    for r in results:
        for path in r.junit:
            if path.exists():
                parsed = ET.parse(path).getroot()
                root.extend(parsed.iter("testsuite") if parsed.tag == "testsuites" else [parsed])
    target = OUT / "junit.xml"
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)
    return target


def write_sarif(results: list[Result]) -> Path:
    """Every tool's SARIF runs, in one file (GitHub code scanning takes several runs)."""
    runs = []
    for r in results:
        for path in r.sarif:
            try:
                runs.extend(json.loads(path.read_text()).get("runs", []))
            except (OSError, ValueError):
                continue
    target = OUT / "results.sarif"
    document = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": runs}
    target.write_text(json.dumps(document, indent=1))
    return target


def print_table(results: list[Result]) -> None:
    width = max(len(r.name) for r in results)
    print(f"\n{'check':<{width}}  result  {'seconds':>7}  summary")
    print(f"{'-' * width}  ------  {'-' * 7}  {'-' * 30}")
    for r in results:
        print(f"{r.name:<{width}}  {'ok' if r.ok else 'FAILED':<6}  {r.seconds:>7.1f}  {r.summary}")
    print(f"{'total':<{width}}  {'':<6}  {sum(r.seconds for r in results):>7.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also run every other test (what `make test` does)")
    parser.add_argument("--fix", action="store_true", help="fix formatting and module READMEs first")
    parser.add_argument("--only", help="comma-separated check names to run (default: all of them)")
    args = parser.parse_args(argv)
    # checkov's SCA package scan stays off for every check this run starts (as it always was).
    os.environ.setdefault("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
    names = [c.name for c in CHECKS]
    chosen = [c for c in CHECKS if (args.all or not c.only_with_all) and not c.only_when_named]
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            print(
                f"validate: error: unknown check(s) {', '.join(unknown)}; choose from: {', '.join(names)}",
                file=sys.stderr,
            )
            return 2
        chosen = [c for c in CHECKS if c.name in wanted]

    shutil.rmtree(OUT, ignore_errors=True)
    LOGS.mkdir(parents=True)
    results = []
    for check in chosen:
        log = LOGS / f"{check.name.replace(' ', '-')}.log"
        log.touch()
        print(f"validate: {check.name} ...", flush=True)
        began = time.monotonic()
        ok, summary, sarif, junit = check.run(args, log)
        result = Result(check.name, ok, time.monotonic() - began, summary, log, sarif, junit)
        results.append(result)
        if not ok:
            print("\n".join(log.read_text(errors="replace").splitlines()[-40:]), file=sys.stderr)
            print(f"validate: {check.name} FAILED; full log: {log.relative_to(REPO)}", file=sys.stderr)

    print_table(results)
    junit_report, sarif_report = write_junit(results), write_sarif(results)
    print(f"reports: {junit_report.relative_to(REPO)}, {sarif_report.relative_to(REPO)}")
    failed = [r for r in results if not r.ok]
    tests = junit_totals([p for r in results for p in r.junit])
    # The closing line CI reads: the tests that ran, with the checks' verdict beside them.
    print(f"tests: {tests['passed']} passed, {tests['failed'] + len(failed)} failed, {tests['skipped']} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
