"""The flow catalogue (access/flows.yaml): reading it, checking it, and expanding it for one environment.

A flow is one request and the verdict the environment owes it:

    - id: a team reads its own data through the S3 endpoint
      for_each: team                      # team | team_pair | endpoint_image | job_image_registry |
                                          # promotion_reader | trusted_operator (optional)
      when: {enforce_vpc_endpoint: true}  # only in environments with these settings (optional)
      principal: "{team_role[{team}]}"    # an ARN, or a service principal (events.amazonaws.com)
      action: s3:GetObject                # or a list: one flow per action
      resource: "arn:aws:s3:::{data_bucket[{team}]}/datasets/train.csv"   # optional: omitted, any
                                          # resource of the action's type in the environment's account;
                                          # {kind} is the action's noun in kebab case (CreateTrainingJob:
                                          # training-job), SageMaker's resource type names
      via: s3                             # the VPC endpoint it travels through (optional)
      context: {aws:SecureTransport: "false"}   # request context beyond the defaults (optional)
      resource_account: "{account}"       # whose resource it is, where the ARN does not say (optional)
      assume: [caller_allows]             # what the evaluator cannot see, named (optional; ASSUMPTIONS)
      policies: ["{guardrail_policy[network]}"]  # managed policies of the environment a person
                                          # outside it holds (optional; with or without caller_allows)
      boundary: "{boundary_policy}"       # the managed policy set as that person's permissions
                                          # boundary (optional)
      note: the AWS behaviour it models, with the document it comes from

in one of two lists, `must_allow` (the workload works) and `must_deny`. Text in braces is filled
from the environment (FACTS in matrix.py: {account}, {team_role[fraud]}, {key[data]}, ...), inner
braces first. A field this module does not know, a placeholder the environment cannot fill, or
an unknown for_each, setting or assumption is refused in one line naming the file and the entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import permutations
from pathlib import Path
from typing import Any

import yaml

GROUPS = {"must_allow": "allow", "must_deny": "deny"}
FIELDS = {
    "id",
    "for_each",
    "when",
    "principal",
    "action",
    "resource",
    "via",
    "context",
    "resource_account",
    "assume",
    "policies",
    "boundary",
    "note",
}
REQUIRED = ("id", "principal", "action", "note")

# What the evaluator cannot see, and is therefore assumed, each with the AWS behaviour behind it.
ASSUMPTIONS = {
    "caller_allows": (
        "the principal belongs to another account (or is one env.hcl names, not one the environment "
        "writes); its own identity policies are assumed to allow the request, so the verdict is this "
        "environment's side alone. Cross-account requests need both sides to allow (IAM User Guide, "
        "'Cross-account policy evaluation logic')."
    ),
    "resource_allows": (
        "the resource belongs to another environment's account; its resource policy is assumed to grant "
        "the request (that side is proven by that environment's own matrix), so the verdict is this "
        "environment's identity side."
    ),
    "aws_owned_repository": (
        "AWS's Deep Learning Containers and SageMaker image repositories let every AWS account pull "
        "(AWS Deep Learning Containers Developer Guide; SageMaker 'Docker registry paths'); modelled as a "
        "repository policy allowing ecr:BatchGetImage, GetDownloadUrlForLayer and "
        "BatchCheckLayerAvailability to any principal."
    ),
}

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\[([^{}\[\]]+)\])?\}")


class FlowError(Exception):
    """The catalogue is wrong: one line naming the file and the entry."""


@dataclass(frozen=True)
class Flow:
    """One entry of the catalogue, as written."""

    group: str  # must_allow | must_deny
    position: int
    raw: Mapping[str, Any]

    @property
    def expect(self) -> str:
        return GROUPS[self.group]

    @property
    def where(self) -> str:
        return f"{self.group}[{self.position}] (id {self.raw.get('id')!r})"


@dataclass(frozen=True)
class Request:
    """One concrete request of an expanded flow."""

    id: str
    expect: str  # allow | deny
    principal: str
    action: str
    resource: str | None  # None: any resource of the action's type, in the environment's account
    context: dict[str, str | list[str]] = field(default_factory=dict)
    via: str | None = None
    resource_account: str | None = None
    assume: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()  # managed policy ARNs of the environment the principal holds
    boundary: str | None = None  # a managed policy ARN of the environment set as its boundary
    note: str = ""


def load(path: Path) -> list[Flow]:
    """Every entry of the catalogue, checked for shape; FlowError names the first bad one."""
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise FlowError(f"{path}: cannot read the flow catalogue: {str(exc).splitlines()[0]}") from None
    if not isinstance(document, dict):
        raise FlowError(f"{path}: expected a mapping with must_allow and must_deny")
    unknown = set(document) - set(GROUPS) - {"version"}
    if unknown:
        raise FlowError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))} (known: must_allow, must_deny)")
    flows = []
    ids: set[str] = set()
    for group in GROUPS:
        entries = document.get(group) or []
        if not isinstance(entries, list):
            raise FlowError(f"{path}: {group} must be a list of flows")
        for position, raw in enumerate(entries):
            flow = Flow(group, position, raw if isinstance(raw, dict) else {})
            check(flow, path, raw)
            if raw["id"] in ids:
                raise FlowError(f"{path}: {flow.where}: the id is used twice")
            ids.add(raw["id"])
            flows.append(flow)
    return flows


def check(flow: Flow, path: Path, raw: Any) -> None:
    where = f"{path}: {flow.where}"
    if not isinstance(raw, dict):
        raise FlowError(f"{where}: a flow is a mapping of fields")
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise FlowError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(sorted(FIELDS))})")
    missing = [name for name in REQUIRED if not raw.get(name)]
    if missing:
        raise FlowError(f"{where}: missing field {missing[0]!r}")
    if raw.get("for_each") is not None and raw["for_each"] not in LOOPS:
        raise FlowError(f"{where}: unknown for_each {raw['for_each']!r} (known: {', '.join(sorted(LOOPS))})")
    for name in raw.get("assume") or []:
        if name not in ASSUMPTIONS:
            raise FlowError(f"{where}: unknown assumption {name!r} (known: {', '.join(sorted(ASSUMPTIONS))})")
    if not isinstance(raw.get("context") or {}, dict):
        raise FlowError(f"{where}: context must be a mapping of condition keys to values")
    if not isinstance(raw.get("when") or {}, dict):
        raise FlowError(f"{where}: when must be a mapping of settings to values")
    actions = raw["action"] if isinstance(raw["action"], list) else [raw["action"]]
    for action in actions:
        if not isinstance(action, str) or not re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9*]+", action):
            raise FlowError(f"{where}: {action!r} is not an IAM action (service:Action)")


# --- expansion ---------------------------------------------------------------------------------------

LOOPS = {
    "team": lambda env: [{"team": t} for t in env["teams"]],
    "team_pair": lambda env: [{"team": a, "other": b} for a, b in permutations(env["teams"], 2)],
    "endpoint_image": lambda env: [dict(i) for i in env["endpoint_images"]],
    "job_image_registry": lambda env: [{"registry": a} for a in env["job_image_registries"]],
    "promotion_reader": lambda env: [{"reader": a} for a in env["promotion_readers"]],
    "trusted_operator": lambda env: [{"operator": a} for a in env["trusted_operators"]],
}


def render(text: Any, values: Mapping[str, Any], where: str) -> Any:
    """Fill {name} and {name[key]} from values, innermost first; lists and mappings element-wise."""
    if isinstance(text, list):
        return [render(item, values, where) for item in text]
    if not isinstance(text, str):
        return str(text).lower() if isinstance(text, bool) else str(text)
    for _ in range(10):
        match = _PLACEHOLDER.search(text)
        if match is None:
            return text
        name, key = match.groups()
        if name not in values:
            raise FlowError(f"{where}: the environment has no value for {{{name}}}")
        value = values[name]
        if key is not None:
            if not isinstance(value, Mapping) or key not in value:
                raise FlowError(f"{where}: the environment has no {{{name}[{key}]}}")
            value = value[key]
        if isinstance(value, list | dict):
            raise FlowError(f"{where}: {{{match.group(0)[1:-1]}}} is a list or mapping, not one value")
        text = text[: match.start()] + str(value) + text[match.end() :]
    raise FlowError(f"{where}: placeholders nest too deep")


_VERB = re.compile(r"^(Create|Describe|Stop|Start|Update|Delete|List|Add)")


def kind(action: str) -> str:
    """An action's noun in kebab case: sagemaker:CreateHyperParameterTuningJob -> hyper-parameter-tuning-job."""
    noun = _VERB.sub("", action.split(":", 1)[1])
    return re.sub(r"(?<!^)(?=[A-Z])", "-", noun).lower()


def applies(flow: Flow, settings: Mapping[str, Any], path: Path) -> bool:
    for name, wanted in (flow.raw.get("when") or {}).items():
        if name not in settings:
            raise FlowError(
                f"{path}: {flow.where}: unknown setting {name!r} in when (known: {', '.join(sorted(settings))})"
            )
        wanted_values = wanted if isinstance(wanted, list) else [wanted]
        if settings[name] not in wanted_values:
            return False
    return True


def expand(flows: Iterable[Flow], values: Mapping[str, Any], settings: Mapping[str, Any], path: Path) -> list[Request]:
    """The concrete requests of every flow that applies to this environment, loops unrolled."""
    requests = []
    for flow in flows:
        if not applies(flow, settings, path):
            continue
        raw = flow.raw
        loop = raw.get("for_each")
        bindings = LOOPS[loop](values) if loop else [{}]
        actions = raw["action"] if isinstance(raw["action"], list) else [raw["action"]]
        for binding in bindings:
            scope = {**values, **binding}
            where = f"{path}: {flow.where}"
            suffix = "".join(f" [{v}]" for v in binding.values())
            context = {render(k, scope, where): render(v, scope, where) for k, v in (raw.get("context") or {}).items()}
            for action in actions:
                scope["kind"] = kind(action)
                requests.append(
                    Request(
                        id=f"{raw['id']}{suffix}{f' ({action})' if len(actions) > 1 else ''}",
                        expect=flow.expect,
                        principal=render(raw["principal"], scope, where),
                        action=action,
                        resource=render(raw["resource"], scope, where) if raw.get("resource") else None,
                        context=context,
                        via=raw.get("via"),
                        resource_account=render(raw["resource_account"], scope, where)
                        if raw.get("resource_account")
                        else None,
                        assume=tuple(raw.get("assume") or ()),
                        policies=tuple(render(raw.get("policies") or [], scope, where)),
                        boundary=render(raw["boundary"], scope, where) if raw.get("boundary") else None,
                        note=" ".join(str(raw["note"]).split()),
                    )
                )
    return requests
