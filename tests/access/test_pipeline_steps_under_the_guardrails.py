"""The example pipeline (examples/pipelines), step by step, under the policies each environment writes.

SageMaker Pipelines creates each step's job with the pipeline execution role, the step's arguments as
the request (src/smenv/pipelines/requests.py builds them with the condition keys AWS sends). Each request
is judged by the IAM evaluator over the role's own policy, the guardrails attached to it and the
bucket and key policies of the environment's plan, as the access matrix judges its flows.
"""

from __future__ import annotations

import copy
import json

import pytest

from smenv.checks import iam_simulate
from smenv.checks.accessmatrix.flows import Request
from smenv.checks.accessmatrix.inventory import collect
from smenv.checks.accessmatrix.matrix import case_for
from smenv.core.project import load_environment
from smenv.pipelines import code
from smenv.pipelines import definition as dsl
from smenv.pipelines.contract import contract_from, scikit_learn_image
from smenv.pipelines.requests import step_requests

pytestmark = pytest.mark.slow
ENVIRONMENTS = ["local", "dev", "staging", "prod"]


def inventory_of(env_name: str, folder):
    env = load_environment(env_name)
    plans = {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}
    return env, collect(env.account_id, env.region, plans)


def contract_for(env, inventory, team: str):
    """The team's pipeline contract as the environment's params unit would publish it."""
    facts, prefix = inventory.facts, env.resource_prefix
    values = {
        "network/private_subnet_ids": ",".join(facts["subnet_ids"]),
        f"teams/{team}/security_group_id": facts["team_security_groups"][team],
        f"teams/{team}/data_bucket": f"{prefix}-data-{team}-{env.account_id}-{env.region}",
        f"teams/{team}/model_bucket": f"{prefix}-model-{team}-{env.account_id}-{env.region}",
        f"teams/{team}/pipeline_execution_role_arn": f"arn:aws:iam::{env.account_id}:role/{prefix}-{team}-pipeline",
        f"teams/{team}/model_package_group": f"{prefix}-{team}-models",
        f"teams/{team}/work_name_prefix": f"{prefix}-{team}-",
        **{f"kms/{p}/key_arn": facts["kms_key_arns"][p] for p in ("data", "models", "volumes")},
    }
    return contract_from(values, env.parameter_prefix, team)


def rendered_for(contract, region: str, template: dict | None = None) -> dict:
    """The example (or a changed copy) rendered from the team's contract."""
    known = dsl.values(
        contract,
        region=region,
        pipeline=dsl.pipeline_name(contract, "churn"),
        image=scikit_learn_image(region),
        code_prefix=f"s3://{contract.model_bucket}/{code.key_prefix(code.bundle())}",
    )
    return dsl.render(copy.deepcopy(template or dsl.load()), known)


def judged(env, inventory, definition: dict, team: str) -> list[tuple[str, str, str]]:
    """(step, action, the evaluator's result) for every request the definition's steps make."""
    role = f"arn:aws:iam::{env.account_id}:role/{env.resource_prefix}-{team}-pipeline"
    requests = step_requests(definition, account=env.account_id, region=env.region)
    cases = [
        case_for(Request(f"{r.step}: {r.action}", "allow", role, r.action, r.resource, dict(r.context)), inventory)
        for r in requests
    ]
    outcomes = iam_simulate.evaluate(cases)
    return [(r.step, r.action, o.result) for r, o in zip(requests, outcomes, strict=True)]


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_step_of_the_example_is_allowed_for_every_team(env_name, environment_plans, record_property):
    # Given the environment's plans and the example rendered for each team, which passes its own check
    env, inventory = inventory_of(env_name, environment_plans(env_name))
    results = []
    for team in env.teams:
        contract = contract_for(env, inventory, team)
        definition = rendered_for(contract, env.region)
        assert dsl.check(definition, contract) == []
        # When every request its steps make is judged as the team's pipeline role
        results += judged(env, inventory, definition, team)
    # Then each is allowed: every job step, its tags, the registration and the role it passes
    record_property(f"pipeline_step_requests_{env_name}", len(results))
    assert {action for _, action, _ in results} >= {
        "sagemaker:CreateProcessingJob",
        "sagemaker:CreateTrainingJob",
        "sagemaker:CreateModelPackage",
        "iam:PassRole",
    }
    assert [r for r in results if r[2] != iam_simulate.ALLOWED] == []


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_a_copy_with_one_step_outside_the_vpc_is_denied_at_that_step(env_name, environment_plans):
    # Given the example with the training step's VPC taken out, which the CLI's own check refuses;
    # this is what would reach AWS from a definition sent by other means
    env, inventory = inventory_of(env_name, environment_plans(env_name))
    team = env.teams[0]
    broken = copy.deepcopy(dsl.load())
    train = next(s for s in dsl.steps(broken) if s["Type"] == "Training")
    del train["Arguments"]["VpcConfig"]
    contract = contract_for(env, inventory, team)
    definition = rendered_for(contract, env.region, broken)
    assert any(train["Name"] in problem for problem in dsl.check(definition, contract))
    # When its steps are judged as the team's pipeline role
    results = judged(env, inventory, definition, team)
    # Then the training job is denied (the guardrails), and every other step still passes
    denied = [(step, action) for step, action, result in results if result != iam_simulate.ALLOWED]
    assert denied == [(train["Name"], "sagemaker:CreateTrainingJob")]
