"""The CI templates users copy still match the project: targets, versions and report paths."""

from __future__ import annotations

import re

import yaml

from smenv.checks import validate
from smenv.core.project import tool_script
from smenv_testing import REPO

bootstrap = tool_script("bootstrap")  # runs before .venv exists: a script, not part of the package

WORKFLOW = REPO / "ci-templates" / "github" / "workflows" / "validate.yml"
BUILDSPEC = REPO / "ci-templates" / "codebuild" / "buildspec.yml"


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", str(text)))


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (REPO / "Makefile").read_text(), re.MULTILINE))


def workflow_steps() -> list[dict]:
    return [step for job in yaml.safe_load(WORKFLOW.read_text())["jobs"].values() for step in job["steps"]]


def test_every_make_command_in_the_templates_is_a_target():
    # Given both templates, when the make commands they run are read, then each names a real target
    runs = [step.get("run", "") for step in workflow_steps()]
    runs += yaml.safe_load(BUILDSPEC.read_text())["phases"]["build"]["commands"]
    wanted = {target for run in runs for target in re.findall(r"\bmake ([a-z-]+)", run)}
    assert wanted and wanted <= make_targets()


def test_the_go_they_install_builds_every_pinned_go_tool():
    # Given the oldest Go the pinned tool modules accept
    needed = max(bootstrap.go_minimum(tool) for tool in bootstrap.GO_TOOLS)
    # When the templates' Go versions are read (setup-go's "1.26" means the newest 1.26.x)
    setup_go = next(s for s in workflow_steps() if s.get("uses", "").startswith("actions/setup-go"))
    github = version(setup_go["with"]["go-version"])
    codebuild = version(yaml.safe_load(BUILDSPEC.read_text())["env"]["variables"]["GO_VERSION"])
    # Then both are new enough
    assert github >= needed[: len(github)]
    assert codebuild >= needed


def test_the_templates_collect_the_reports_validate_writes():
    sarif = next(s for s in workflow_steps() if "upload-sarif" in s.get("uses", ""))
    assert REPO / sarif["with"]["sarif_file"] == validate.OUT / "results.sarif"
    reports = yaml.safe_load(BUILDSPEC.read_text())["reports"]
    assert [REPO / f for r in reports.values() for f in r["files"]] == [validate.OUT / "junit.xml"]
