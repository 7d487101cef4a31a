"""One schema for env.hcl: live/_envcommon/settings.hcl declares every key, its default and the derived
names; Terragrunt (root.hcl, every unit file) and the tools (src/smenv/core/project.py) read that one file, so a
misspelt key is refused by both instead of silently ignored.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from smenv.checks import access_matrix
from smenv.core import project
from smenv.docs import graph
from smenv_testing import REPO

ENVCOMMON = REPO / "live" / "_envcommon"

# What the units applied where env.hcl left a key out, before the schema: the defaults of their
# lookup() calls (retain_home_file_system: the env's protect_stateful). The schema must keep each one,
# as its own default or through the module variable it leaves the default to.
DEFAULTS_BEFORE_THE_SCHEMA = {
    "emulator": False,
    "terraform_role_arn": "",
    "enable_nat_gateway": False,
    "organization_id": None,
    "dns_firewall_mode": "block",
    "image_registries": None,
    "promotion_reader_role_arns": [],
    "admin_principal_arns": [],
    "buckets_enforce_tls": True,
    "buckets_enforce_vpc_endpoint": True,
    "buckets_force_destroy": False,
    "log_retention_days": 365,
    "organization_trail_arn": None,
    "instance_types": [],
    "allowed_keyless_actions": [],
    "scp_target_ids": [],
    "require_network_isolation": False,
    "enforcement_mode": "enforce",
    "notebook_instance_type": "ml.t3.medium",
    "notebook_idle_minutes": 60,
    "allowed_console_cidrs": [],
    "invoker_reserved_concurrency": 100,
    "endpoint_shape": "provisioned",
    "promotion": None,
    "studio": {"enabled": True, "idle_minutes": 60, "instance_type": "ml.t3.medium", "retain_home_file_system": True},
}
ENDPOINT_DEFAULTS_BEFORE = {"shadow": None, "instance_type": "ml.m5.large", "autoscaling": {}, "serverless": {}}
PROMOTION_DEFAULTS_BEFORE = {
    "source_model_bucket_arns": [],
    "source_kms_key_arns": [],
    "source_model_package_group_names": [],
    "source_image_repository_arns": [],
    "registered_approval_statuses": ["Approved", "PendingManualApproval"],
}

MINIMAL = """locals {
  environment              = "qa"
  name_prefix              = "smenv"
  account_id               = "444455556666"
  region                   = "eu-west-1"
  azs                      = ["eu-west-1a", "eu-west-1b"]
  vpc_cidr                 = "10.50.0.0/16"
  teams                    = ["fraud"]
  protect_stateful         = true
  kms_deletion_window_days = 30
  endpoint                 = { name = "churn", team = "fraud", image = "img", model_key = "models/churn/v1/model.tar.gz" }
%s}
"""


@pytest.fixture
def qa(tmp_path, monkeypatch):
    """Write live/qa/env.hcl (MINIMAL plus the given lines) in a scratch checkout the tools read."""

    def write(extra: str = "") -> str:
        folder = tmp_path / "live" / "qa"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "env.hcl").write_text(MINIMAL % extra)
        return "qa"

    monkeypatch.setattr(project, "LIVE", tmp_path / "live")
    monkeypatch.setattr(project, "REPO", tmp_path)
    return write


def test_every_key_of_every_env_hcl_is_known():
    spec = project.schema()
    for name in project.environments():
        values = project.environment_values(name)  # refuses an unknown key
        assert set(values) <= set(spec.known), name
        for block, keys in spec.blocks.items():
            assert set(values.get(block) or {}) <= set(keys.known), f"{name}: {block}"


def test_the_tools_required_values_are_required_by_the_schema():
    assert set(project.REQUIRED_ENV_VALUES) <= set(project.schema().required)


def used_by_terragrunt() -> str:
    return "\n".join(p.read_text() for p in [REPO / "root.hcl", *sorted(ENVCOMMON.glob("*.hcl"))])


def used_by_python() -> str:
    return "\n".join(p.read_text() for p in sorted((REPO / "tools").rglob("*.py")))


def test_every_known_key_is_used_by_a_unit_or_a_tool():
    # A key is read as local.env.<key> (settings.hcl: local.given.<key>) or, in a block, as
    # local.<block>.<key> / local.settings.<block>.<key>; a tool reads ["<key>"] of environment_settings.
    hcl, python = used_by_terragrunt(), used_by_python()
    spec = project.schema()
    unused = [
        key for key in spec.known if not re.search(rf"local\.(env|given)\.{key}\b", hcl) and f'["{key}"]' not in python
    ]
    for block, keys in spec.blocks.items():
        unused += [
            f"{block}.{key}"
            for key in keys.known
            if not re.search(rf"local\.(settings\.)?{block}\.{key}\b", hcl) and f'["{key}"]' not in python
        ]
    assert unused == []


def test_a_misspelt_key_is_refused_in_one_line_naming_the_key_and_the_file(qa):
    name = qa('  endpiont_shape = "serverless"\n')
    with pytest.raises(project.UsageError) as caught:
        project.load_environment(name)
    known = ", ".join(project.schema().known)
    assert str(caught.value) == f"live/qa/env.hcl: unknown key 'endpiont_shape' in locals (known: {known})"
    assert "\n" not in str(caught.value)


def test_a_misspelt_key_in_a_block_is_refused_with_the_block_named(qa):
    name = qa("  studio = { enabled = true, idle_minuets = 30 }\n")
    with pytest.raises(project.UsageError, match=r"^live/qa/env\.hcl: unknown key 'studio\.idle_minuets' in locals"):
        project.environment_settings(name)


@pytest.mark.parametrize(
    ("main", "argv", "tool"),
    [(graph.main, ["--env", "qa", "--check"], "graph"), (access_matrix.main, ["--env", "qa"], "access_matrix")],
    ids=["graph", "access_matrix"],
)
def test_a_tool_exits_2_with_the_one_line(qa, capsys, main, argv, tool):
    qa('  enforcment_mode = "audit"\n')
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{tool}: error: live/qa/env.hcl: unknown key 'enforcment_mode' in locals (known: ")
    assert err.count("\n") == 1


def test_the_defaults_are_what_the_units_applied_before(qa):
    # Given an env.hcl with the required keys only
    settings = project.environment_settings(qa())
    # Then the schema's optional keys are the ones the units looked up, each with the same default
    assert set(project.schema().optional) == set(DEFAULTS_BEFORE_THE_SCHEMA)
    assert {key: settings[key] for key in DEFAULTS_BEFORE_THE_SCHEMA} == DEFAULTS_BEFORE_THE_SCHEMA
    assert {key: settings["endpoint"][key] for key in ENDPOINT_DEFAULTS_BEFORE} == ENDPOINT_DEFAULTS_BEFORE


def test_the_promotion_block_defaults_are_what_the_unit_applied_before(qa):
    settings = project.environment_settings(
        qa('  promotion = { trusted_principal_arns = ["arn:aws:iam::444455556666:role/x"] }\n')
    )
    assert {key: settings["promotion"][key] for key in PROMOTION_DEFAULTS_BEFORE} == PROMOTION_DEFAULTS_BEFORE


def unit_file_of(module: str) -> Path:
    """The unit file under live/_envcommon whose terraform source is modules//<module>."""
    (found,) = [p for p in ENVCOMMON.glob("*.hcl") if f'/modules//{module}"' in p.read_text()]
    return found


@pytest.mark.parametrize("key", sorted(project.schema().module_defaults))
def test_a_module_default_is_the_variable_the_key_feeds(key):
    # Given a key whose default settings.hcl leaves to a module (null there)
    spec = project.schema()
    block, _, leaf = key.rpartition(".")
    declared = (spec.blocks[block] if block else spec).optional[leaf]
    assert declared is None, f"{key}: a module default stands for a null in settings.hcl"
    # Then its unit passes the key to that variable (or attribute) of that module
    module, *path = spec.module_defaults[key].split(".")
    assert path[0] in project.module_variables(module), spec.module_defaults[key]
    wiring = rf"\b{path[-1]}\s*=\s*local\.[\w.]*\b{leaf}\b"
    assert re.search(wiring, unit_file_of(module).read_text()), f"{key} -> {spec.module_defaults[key]}"


def test_every_null_default_has_a_module_default_or_means_absent():
    # null without a module default means "absent" (no promotion target, no organization trail, no shadow)
    spec = project.schema()
    nulls = {k for k, v in spec.optional.items() if v is None}
    nulls |= {f"{b}.{k}" for b, keys in spec.blocks.items() for k, v in keys.optional.items() if v is None}
    assert nulls - set(spec.module_defaults) == {"promotion", "organization_trail_arn", "endpoint.shadow"}


def test_no_unit_file_looks_env_hcl_up_itself():
    for path in sorted(ENVCOMMON.glob("*.hcl")):
        text = path.read_text()
        assert "lookup(" not in text, path.name
        if path.name != "settings.hcl":
            assert 'env.hcl")' not in text, path.name
    assert "lookup(" not in (REPO / "root.hcl").read_text()


# --- Terragrunt reads the same schema ------------------------------------------------------------------


def render_kms(tmp_path: Path, edit=lambda text: text) -> subprocess.CompletedProcess:
    """`terragrunt render --json` of the kms unit (no dependency) in a copy of live/local whose env.hcl went through edit."""
    (tmp_path / "live").mkdir()
    shutil.copy2(REPO / "root.hcl", tmp_path / "root.hcl")
    (tmp_path / "live" / "_envcommon").symlink_to(ENVCOMMON)
    (tmp_path / "modules").symlink_to(REPO / "modules")
    env_dir = tmp_path / "live" / "local"
    shutil.copytree(REPO / "live" / "local", env_dir, ignore=shutil.ignore_patterns(".terragrunt-cache"))
    (env_dir / "env.hcl").write_text(edit((env_dir / "env.hcl").read_text()))
    terragrunt = shutil.which("terragrunt")
    assert terragrunt, "terragrunt is on the toolchain's PATH after `make bootstrap`"
    return subprocess.run(
        [terragrunt, "render", "--json", "--no-color", "--non-interactive", "--working-dir", str(env_dir / "kms")],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_terragrunt_derives_the_names_the_tools_derive(tmp_path, tool_env, monkeypatch):
    monkeypatch.setenv("PATH", tool_env["PATH"])
    done = render_kms(tmp_path)
    assert done.returncode == 0, done.stderr
    rendered = json.loads(done.stdout)
    env = project.load_environment("local")
    assert rendered["inputs"]["name_prefix"] == env.resource_prefix
    assert rendered["inputs"]["parameter_prefix"] == env.parameter_prefix
    assert f'bucket       = "{env.state_bucket}"' in rendered["generate"]["backend"]["contents"]


def test_terragrunt_refuses_a_misspelt_key_naming_it_and_the_file(tmp_path, tool_env, monkeypatch):
    monkeypatch.setenv("PATH", tool_env["PATH"])
    done = render_kms(tmp_path, lambda text: text.replace("  endpoint_shape = ", "  endpiont_shape = "))
    assert done.returncode != 0
    assert "live/local/env.hcl: unknown key 'endpiont_shape' in locals" in done.stderr
