"""When a `run --all` fails, the user sees the engine's errors with their units, not a page of
Terragrunt's noise; a plan says which units would change."""

from __future__ import annotations

import subprocess

from smenv.core.project import load_environment
from smenv.live import live

# What Terragrunt 1.x writes: `<time> <LEVEL> [<unit>] <engine>: <line>`, coloured when it can.
LOG = """\
11:00:20.101 INFO   [live/local/network] Executing hook: clock_end
11:00:20.102 STDERR [live/local/endpoint] terraform: \x1b[31m╷\x1b[0m\x1b[0m
11:00:20.102 STDERR [live/local/endpoint] terraform: \x1b[31m│\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1mlisting tags \
for Application Auto Scaling Target: StatusCode: 500\x1b[0m
11:00:20.102 STDERR [live/local/endpoint] terraform: \x1b[31m│\x1b[0m \x1b[0m
11:00:20.102 STDERR [live/local/endpoint] terraform: \x1b[31m╵\x1b[0m\x1b[0m
11:00:20.200 ERROR  Unit live/local/endpoint has finished with an error
11:00:20.301 STDERR [live/local/endpoint] terraform: \x1b[31m│\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1mlisting tags \
for Application Auto Scaling Target: StatusCode: 500\x1b[0m
11:00:20.302 STDERR [live/local/invoker] tofu: │ Error: Invalid function argument
"""


def test_a_failed_runs_log_gives_each_engine_error_once_with_its_unit_and_without_colour(tmp_path):
    # Given a Terragrunt log with coloured engine errors, one of them twice
    log = tmp_path / "local-apply.log"
    log.write_text(LOG)
    # When the errors are picked out
    errors = live.terraform_errors(log)
    # Then each is one plain line naming its unit, in order, once
    assert errors == [
        "endpoint: Error: listing tags for Application Auto Scaling Target: StatusCode: 500",
        "invoker: Error: Invalid function argument",
    ]


def test_a_log_without_engine_errors_gives_none(tmp_path):
    log = tmp_path / "local-apply.log"
    log.write_text("11:00:20.200 ERROR  Unit live/local/endpoint has finished with an error\n")
    assert live.terraform_errors(log) == []
    assert live.terraform_errors(tmp_path / "missing.log") == []


def test_a_plan_names_the_units_that_would_change():
    log = (
        "11:00:20.101 STDOUT [live/local/kms] terraform: No changes. Your infrastructure matches the configuration.\n"
        "11:00:21.101 STDOUT [live/local/notebook] terraform: Plan: 1 to add, 0 to change, 0 to destroy.\n"
        "11:00:21.201 STDOUT [live/local/buckets] terraform: \x1b[1mPlan:\x1b[0m 0 to add, 2 to change, 0 to destroy.\n"
    )
    assert live.units_with_changes(log) == ["buckets", "notebook"]


def test_each_engine_keeps_its_own_working_copies(monkeypatch):
    # Given live/local rehearsed on one emulator port, first under Terraform, then under OpenTofu
    env = load_environment("local")
    monkeypatch.setenv("SMENV_TERRAFORM", "/usr/local/bin/terraform")
    terraform = live.download_dir(env, 4566)
    monkeypatch.setenv("SMENV_TERRAFORM", "/cache/bin/tofu")
    tofu = live.download_dir(env, 4566)
    # Then OpenTofu never meets a working copy Terraform initialised (it refuses it)
    assert terraform != tofu
    assert (terraform.name, tofu.name) == ("local-4566-terraform", "local-4566-tofu")


def test_make_clean_removes_every_environments_terragrunt_working_copies():
    # Given where tools/live.py keeps an environment's working copies (per env, port and engine)
    copies = live.download_dir(load_environment("local"), 4566).parent.relative_to(live.REPO)
    # When make clean runs (dry run: its recipe), then it removes the folder holding them all
    recipe = subprocess.run(["make", "-n", "clean"], cwd=live.REPO, capture_output=True, text=True, check=True)
    assert f"rm -rf {copies}" in recipe.stdout
