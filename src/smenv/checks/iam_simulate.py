"""Evaluate IAM policies against requests with a real policy evaluator, in one node process per batch.

The evaluator is @cloud-copilot/iam-simulate (a test-only tool: AGPL, installed by tools/bootstrap.py
into $SMENV_CACHE, never into the repository), driven by tools/toolchain/node/simulate.mjs:

    outcomes = evaluate([Case("no-vpc", policies=[allow_all, guardrail], request=Request(
        "sagemaker:CreateTrainingJob", {"sagemaker:VolumeKmsKeyArn": key_arn}))])
    outcomes[0].denied    # True: an explicit Deny stopped it

    python tools/iam_simulate.py cases.json      # the same from a file of {"cases": [...]}: prints JSON

A request's context keys that its action does not support never reach the policies (AWS never sends
them); an Outcome lists them in `ignored_context_keys`, so a test can refuse a case that tests nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smenv.core.project import REPO, tool_script

SIMULATE_SCRIPT = REPO / "tools" / "toolchain" / "node" / "simulate.mjs"
DEFAULT_PRINCIPAL = "arn:aws:iam::123456789012:role/smenv-test-sagemaker"

ALLOWED, EXPLICITLY_DENIED, IMPLICITLY_DENIED = "Allowed", "ExplicitlyDenied", "ImplicitlyDenied"


class SimulatorError(Exception):
    """The evaluator could not run, or refused a case: one line saying why."""


@dataclass(frozen=True)
class Request:
    action: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)
    principal: str = DEFAULT_PRINCIPAL  # a role/user ARN, or a service principal (events.amazonaws.com)
    resource: str | None = None  # None: an ARN of the action's resource type, in the principal's account
    resource_account: str | None = None  # None: the resource ARN's account, else the principal's (S3 ARNs name none)
    region: str | None = None  # where an example resource is made up (resource None); default us-east-1


@dataclass(frozen=True)
class NamedPolicy:
    """A policy document and the name a report shows for it (e.g. "identity smenv-dev-fraud-sagemaker/team")."""

    name: str
    document: Mapping[str, Any]


@dataclass(frozen=True)
class Case:
    id: str
    policies: Sequence[Mapping[str, Any]]  # identity policies, as documents
    request: Request
    scps: Sequence[Mapping[str, Any]] = ()  # service control policies on the principal's account
    resource_policy: NamedPolicy | None = None  # the bucket, key, queue, function or trust policy
    boundaries: Sequence[NamedPolicy] = ()  # the principal's permissions boundary
    endpoint_policies: Sequence[NamedPolicy] = ()  # the VPC endpoint the request travels through
    names: Sequence[str] = ()  # report names of `policies`, in order (default identity-0, identity-1, ...)

    def as_json(self) -> dict[str, Any]:
        request: dict[str, Any] = {
            "action": self.request.action,
            "principal": self.request.principal,
            "context": dict(self.request.context),
        }
        if self.request.resource is not None:
            request["resource"] = self.request.resource
        if self.request.resource_account is not None:
            request["resourceAccount"] = self.request.resource_account
        if self.request.region is not None:
            request["region"] = self.request.region
        names = list(self.names) or [f"identity-{i}" for i in range(len(self.policies))]
        answer: dict[str, Any] = {
            "id": self.id,
            "identityPolicies": [{"name": n, "policy": p} for n, p in zip(names, self.policies, strict=True)],
            "serviceControlPolicies": [{"name": f"scp-{i}", "policy": p} for i, p in enumerate(self.scps)],
            "request": request,
        }
        if self.resource_policy is not None:
            answer["resourcePolicy"] = {"name": self.resource_policy.name, "policy": self.resource_policy.document}
        if self.boundaries:
            answer["permissionBoundaryPolicies"] = [{"name": b.name, "policy": b.document} for b in self.boundaries]
        if self.endpoint_policies:
            answer["vpcEndpointPolicies"] = [{"name": e.name, "policy": e.document} for e in self.endpoint_policies]
        return answer


@dataclass(frozen=True)
class Outcome:
    id: str
    result: str  # Allowed, ExplicitlyDenied, ImplicitlyDenied
    resource: str
    ignored_context_keys: tuple[str, ...]
    decided_by: tuple[str, ...] = ()  # the statements that decided: "identity <name> #<Sid>", "resource ...", ...

    @property
    def allowed(self) -> bool:
        return self.result == ALLOWED

    @property
    def denied(self) -> bool:
        """Stopped by an explicit Deny (what a guardrail does)."""
        return self.result == EXPLICITLY_DENIED


def node_tools_dir() -> Path:
    """Where the bootstrap installed the npm tools: $SMENV_NODE_TOOLS, else the bootstrap's own answer."""
    explicit = os.environ.get("SMENV_NODE_TOOLS")
    if explicit:
        return Path(explicit)
    bootstrap = tool_script("bootstrap")
    return bootstrap.node_tools_dir(bootstrap.cache_dir())


def run_batch(batch: Mapping[str, Any], node_tools: Path | None = None) -> dict[str, Any]:
    """One node process for the whole batch; its JSON answer."""
    tools = node_tools or node_tools_dir()
    node = shutil.which("node")
    if node is None:
        raise SimulatorError("node is not on PATH: install Node.js >= 18 and run python3 tools/bootstrap.py")
    if not (tools / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        raise SimulatorError(f"the IAM evaluator is not installed at {tools}: run python3 tools/bootstrap.py")
    proc = subprocess.run(
        [node, str(SIMULATE_SCRIPT), str(tools)],
        input=json.dumps(batch),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or ["(no output)"]
        raise SimulatorError(f"the IAM evaluator failed (exit {proc.returncode}): {lines[-1]}")
    return json.loads(proc.stdout)


def evaluate(cases: Iterable[Case], node_tools: Path | None = None) -> list[Outcome]:
    """Each case's result, in order. A case the evaluator refuses (a malformed policy) raises."""
    cases = list(cases)
    if len({c.id for c in cases}) != len(cases):
        raise SimulatorError("case ids must be unique")
    answer = run_batch({"cases": [c.as_json() for c in cases]}, node_tools)
    outcomes = []
    for raw in answer["results"]:
        if raw["result"] == "Error":
            error = raw.get("error") or ""
            if "no.resource.types" in error:
                error = f"the action does not act on {raw.get('resource')} (no resource type of the action matches it)"
            raise SimulatorError(f"the IAM evaluator refused case {raw['id']}: {error}")
        outcomes.append(
            Outcome(
                raw["id"],
                raw["result"],
                raw["resource"],
                tuple(raw["ignoredContextKeys"]),
                tuple(raw.get("decidedBy", ())),
            )
        )
    return outcomes


def condition_keys(actions: Iterable[str], node_tools: Path | None = None) -> dict[str, set[str]]:
    """The condition keys each action supports, per the evaluator's IAM data (Service Authorization Reference)."""
    answer = run_batch({"cases": [], "conditionKeysFor": sorted(set(actions))}, node_tools)
    return {action: set(keys) for action, keys in answer["conditionKeys"].items()}


def evaluator_versions(node_tools: Path | None = None) -> dict[str, str]:
    return run_batch({"cases": []}, node_tools)["versions"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=Path, help='a JSON file: {"cases": [...]} in simulate.mjs\'s input format')
    args = parser.parse_args(argv)
    try:
        batch = json.loads(args.cases.read_text())
        print(json.dumps(run_batch(batch), indent=2))
    except (OSError, ValueError) as exc:
        print(f"iam_simulate: error: cannot read {args.cases}: {exc}", file=sys.stderr)
        return 1
    except SimulatorError as exc:
        print(f"iam_simulate: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
