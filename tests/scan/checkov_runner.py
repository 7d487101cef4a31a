"""Run checkov the way CI does: offline (--skip-download), JSON out, one place to read results."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Scan:
    passed: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: int = 0
    passed_ids: set[str] = field(default_factory=set)  # only without --quiet
    skipped_ids: set[str] = field(default_factory=set)

    def add(self, report: dict) -> None:
        summary = report.get("summary", {})
        self.passed += summary.get("passed", 0)
        self.skipped += summary.get("skipped", 0)
        results = report.get("results", {})
        self.passed_ids |= {check["check_id"] for check in results.get("passed_checks", [])}
        self.skipped_ids |= {check["check_id"] for check in results.get("skipped_checks", [])}
        for check in results.get("failed_checks", []):
            self.failed.append(f"{check['check_id']} {check['resource']} ({check.get('file_path', '?')})")


def checkov(args: list[str], env: dict[str, str], quiet: bool = True) -> Scan:
    proc = subprocess.run(
        ["checkov", *args, "--compact", *(["--quiet"] if quiet else []), "--skip-download", "-o", "json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"checkov {' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    out = proc.stdout.strip()
    reports = json.loads(out) if out.startswith(("[", "{")) else []
    scan = Scan()
    for report in reports if isinstance(reports, list) else [reports]:
        scan.add(report)
    return scan


def scan_modules(env: dict[str, str]) -> Scan:
    return checkov(["-d", "modules", "--framework", "terraform"], env)


def scan_plan(plan_json: Path, env: dict[str, str]) -> Scan:
    """One unit's plan JSON, with the inline skips of the module it came from (unit name = module name)."""
    module = REPO / "modules" / plan_json.stem
    return checkov(
        ["-f", str(plan_json), "--framework", "terraform_plan", "--repo-root-for-plan-enrichment", str(module)], env
    )
