"""Plan one module as a root module, with tftest and the provider from the bootstrap.

A planner copies modules/<name> into a temporary directory, adds a provider pointed at the
session's emulator (data sources such as aws_caller_identity answer there; nothing is created),
runs `terraform init` once, and then plans it with any set of inputs:

    planner = ModulePlanner("kms", workdir, env)
    plan = planner.plan(name_prefix="smenv-test")            # a Plan: what a reviewer reads
    message = planner.plan_error(name_prefix="BAD")          # the error text of a plan that must fail
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tftest

from smenv.core.project import terraform_cli
from smenv.live.module_plan import working_copy

REPO = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Plan:
    """The JSON plan (terraform show -json), with the look-ups a reviewer makes."""

    raw: dict[str, Any]

    def _modules(self) -> Iterator[dict[str, Any]]:
        stack = [self.raw.get("planned_values", {}).get("root_module", {})]
        while stack:
            module = stack.pop()
            yield module
            stack.extend(module.get("child_modules", []))

    def resources(self, type_: str | None = None) -> list[dict[str, Any]]:
        """Planned resources (managed; data sources read at plan time too, mode == 'data')."""
        found = [r for m in self._modules() for r in m.get("resources", [])]
        return [r for r in found if type_ is None or r["type"] == type_]

    def managed(self, type_: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.resources(type_) if r["mode"] == "managed"]

    def resource(self, address: str) -> dict[str, Any]:
        for r in self.resources():
            if r["address"] == address:
                return r
        raise KeyError(f"{address} is not in the plan; planned: {sorted(r['address'] for r in self.resources())}")

    def values(self, address: str) -> dict[str, Any]:
        return self.resource(address)["values"]

    def after(self, address: str) -> dict[str, Any]:
        """The planned values including those only known after apply (marked True in after_unknown)."""
        for change in self.raw.get("resource_changes", []):
            if change["address"] == address:
                return change["change"]["after"]
        raise KeyError(address)

    def output(self, name: str) -> Any:
        return self.raw["planned_values"]["outputs"][name].get("value")

    def policy(self, address: str, attribute: str = "policy") -> dict[str, Any]:
        """A policy attribute of a planned resource, parsed."""
        return json.loads(self.values(address)[attribute])

    def config_expression(self, address: str, attribute: str) -> dict[str, Any]:
        """How the configuration sets an attribute (references), for attributes unknown at plan time."""
        module = self.raw["configuration"]["root_module"]
        for resource in module.get("resources", []):
            if resource["address"] == address.split("[", maxsplit=1)[0]:
                return resource["expressions"][attribute]
        raise KeyError(address)


class ModulePlanner:
    def __init__(self, module: str, workdir: Path, env: dict[str, str], emulator_url: str):
        self.module = module
        self.dir = working_copy(module, workdir, emulator_url)
        self.tf = tftest.TerraformTest(str(self.dir), binary=terraform_cli(), env=env)
        self.tf.setup(cleanup_on_exit=False)

    def _var_file(self, variables: dict[str, Any]) -> str:
        name = f"inputs-{uuid.uuid4().hex[:8]}.tfvars.json"
        # One variable per line: an error quotes its variable's line, not every input at once (a
        # round of many wrong values otherwise writes more than a pipe holds, and the plan blocks).
        lines = ",\n".join(f"{json.dumps(key)}: {json.dumps(value)}" for key, value in variables.items())
        (self.dir / name).write_text("{\n" + lines + "\n}\n")
        return name

    def plan(self, **variables: Any) -> Plan:
        var_file = self._var_file(variables)
        try:
            return Plan(self.tf.plan(output=True, tf_var_file=var_file)._raw)
        finally:
            (self.dir / var_file).unlink()

    def plan_error(self, **variables: Any) -> str:
        """Plan with inputs that must be refused; returns Terraform's error text, flattened."""
        var_file = self._var_file(variables)
        try:
            self.tf.plan(output=False, tf_var_file=var_file)
        except tftest.TerraformTestError as exc:
            text = ANSI.sub("", " ".join(str(a) for a in exc.args))
            return re.sub(r"[│╷╵\s]+", " ", text)
        finally:
            (self.dir / var_file).unlink()
        raise AssertionError(f"the plan of modules/{self.module} with {variables} did not fail")
