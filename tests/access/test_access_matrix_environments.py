"""`make access` for every environment: the flow catalogue over every policy each one writes, 0 wrong.

Each environment is planned once per session (tests/conftest.py environment_plans, shared with the
checkov scan of the same plans); the matrix reads the plan JSON, so no account is involved.
"""

from __future__ import annotations

import json

import pytest

from smenv.checks.accessmatrix.matrix import run

pytestmark = pytest.mark.slow
ENVIRONMENTS = ["local", "dev", "staging", "prod"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_flow_of_the_catalogue_gets_the_verdict_it_is_owed(env, environment_plans, record_property):
    plans = {path.stem: json.loads(path.read_text()) for path in sorted(environment_plans(env).glob("*.json"))}
    result = run(env, plans)
    lines = result.lines()
    print("\n" + "\n".join(lines))
    record_property(f"access_flows_{env}", len(result.verdicts))
    assert result.wrong == [], "\n".join(lines)
    assert len(result.verdicts) >= 150, f"{env}: only {len(result.verdicts)} flows"
    groups = {v.request.expect for v in result.verdicts}
    assert groups == {"allow", "deny"}
    # No flow tests nothing: every condition key it sets reaches the policies (the action sends it)
    dropped = [v.request.id for v in result.verdicts if set(v.ignored) & set(v.request.context)]
    assert dropped == []


def planned(plan: dict, type_: str) -> list[dict]:
    """Every resource of a type a unit's plan would make or keep (planned values, all modules)."""
    found, modules = [], [plan.get("planned_values", {}).get("root_module", {})]
    while modules:
        module = modules.pop()
        found += [r for r in module.get("resources", []) if r["type"] == type_]
        modules += module.get("child_modules", [])
    return found


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_enforcer_approves_exactly_the_studio_scripts_the_domain_offers(env, environment_plans):
    # Given the environment's plans: the studio unit's lifecycle configurations and the enforcer
    folder = environment_plans(env)
    studio = json.loads((folder / "studio.json").read_text())
    enforcer = json.loads((folder / "enforcer.json").read_text())
    offered = {
        r["values"]["studio_lifecycle_config_name"] for r in planned(studio, "aws_sagemaker_studio_lifecycle_config")
    }
    [function] = [r for r in planned(enforcer, "aws_lambda_function") if "enforcer" in r["values"]["function_name"]]
    approved = function["values"]["environment"][0]["variables"]["APPROVED_STUDIO_LIFECYCLE_CONFIGS"]
    # Then an app started with the domain's own script is compliant, and with any other it is not
    assert offered and set(approved.split(",")) == offered
