"""Each live/<env>/env.hcl is read the same way by the tools and by Terragrunt; bad ones say why."""

from __future__ import annotations

import subprocess
import sys

import pytest

from smenv.core import project
from smenv_testing import REPO


def test_every_environment_loads_with_its_own_names():
    # Given the four environments in live/
    assert project.environments() == ["dev", "local", "prod", "staging"]
    for name in project.environments():
        # When its env.hcl is read
        env = project.load_environment(name)
        # Then the names derive from <name_prefix>-<environment>, and only local is on the emulator
        assert env.resource_prefix == f"smenv-{name}"
        assert env.parameter_prefix == f"/smenv/{name}"
        assert env.state_bucket == f"smenv-{name}-tfstate-{env.account_id}-{env.region}"
        assert env.emulator is (name == "local")
        assert len(env.teams) >= 1


def test_real_environments_name_a_role_in_their_own_account():
    for name in ("dev", "staging", "prod"):
        env = project.load_environment(name)
        assert env.terraform_role_arn.startswith(f"arn:aws:iam::{env.account_id}:role/")


def test_an_unknown_environment_is_named_with_the_known_ones():
    with pytest.raises(project.UsageError, match=r"unknown environment 'qa': choose one of dev, local, prod, staging"):
        project.load_environment("qa")


def write_env(tmp_path, body: str):
    folder = tmp_path / "live" / "qa"
    folder.mkdir(parents=True)
    (folder / "env.hcl").write_text("locals {\n" + body + "\n}\n")


VALID = """
  environment = "qa"
  name_prefix = "smenv"
  account_id  = "444455556666"
  region      = "eu-west-1"
  azs         = ["eu-west-1a", "eu-west-1b"]
  vpc_cidr    = "10.50.0.0/16"
  teams       = ["fraud"]
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.replace('  account_id  = "444455556666"\n', ""), r"missing value\(s\) in locals: account_id"),
        (lambda s: s.replace('"444455556666"', '"4444"'), r"account_id must be 12 digits"),
        (lambda s: s.replace('"eu-west-1"\n', '"europe"\n'), r"region 'europe' is not an AWS region name"),
        (lambda s: s.replace('environment = "qa"', 'environment = "dev"'), r"environment must be 'qa'"),
        (lambda s: s.replace('teams       = ["fraud"]', "teams = []"), r"missing value\(s\) in locals: teams"),
    ],
)
def test_a_bad_env_hcl_names_the_file_and_the_value(tmp_path, monkeypatch, change, message):
    # Given an environment whose env.hcl lacks or garbles one value
    write_env(tmp_path, change(VALID))
    monkeypatch.setattr(project, "LIVE", tmp_path / "live")
    monkeypatch.setattr(project, "REPO", tmp_path)
    # When it is loaded, then the error names the file and the value
    with pytest.raises(project.UsageError, match=message) as caught:
        project.load_environment("qa")
    assert str(caught.value).startswith("live/qa/env.hcl: ")


@pytest.mark.parametrize("command", ["up", "plan", "down"])
def test_live_with_an_unknown_environment_exits_2_with_one_line(command, tool_env):
    proc = subprocess.run(
        [sys.executable, "tools/live.py", command, "nope"], cwd=REPO, env=tool_env, capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "live: error: unknown environment 'nope': choose one of dev, local, prod, staging"
    assert proc.stdout == ""
