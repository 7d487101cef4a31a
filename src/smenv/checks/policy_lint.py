"""Lint every IAM policy a Terraform plan would write, with parliament, and report the findings in one table.

    python tools/policy_lint.py plan.json [more.json | plan.tfplan ...]   # plans already made
    python tools/policy_lint.py --modules kms,guardrails                 # plan these modules, then lint
    python tools/policy_lint.py --modules all --json                     # every module; JSON out

A policy is any attribute of a planned resource that parses as a policy document (aws_iam_policy.policy,
aws_iam_role.assume_role_policy, aws_kms_key.policy, aws_s3_bucket_policy.policy,
aws_organizations_policy.content, aws_vpc_endpoint.policy, ...; nested ones such as
inline_policy[0].policy too). Policies that are known only after apply are listed, not linted.

Beside parliament's own checks, every `Null` test on a service key is checked against the actions of
its statement (parliament skips `Null` conditions, yet a `Null` test on a key an action never sends
turns a Deny into "always deny"). Findings that are gaps in parliament's bundled IAM data, not in the
policy, are allowed only by an entry in tools/policy_lint.toml naming the issue, the condition key
or action, the actions and a reason; an allowed finding is still shown, marked with that reason.

`--modules` plans each module alone, with the example inputs in tools/policy_lint.toml, against the
local emulator (data sources such as aws_caller_identity answer there; nothing is created):
SMENV_EMULATOR_URL if set, else one on --port (default SMENV_EMULATOR_PORT or 4566), started
and stopped here when none runs there.

Exit 0 when no finding is left, 1 when some are, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from smenv.core.project import DEFAULT_EMULATOR_PORT, EMULATOR_CREDENTIALS, REPO, UsageError, terraform_cli
from smenv.live.module_plan import MODULES, working_copy

CONFIG = REPO / "tools" / "policy_lint.toml"
# Attributes that hold policies; only used to name those still unknown at plan time.
POLICY_ATTRIBUTES = {"policy", "assume_role_policy", "content", "access_policies"}
_UNKNOWN_CONDITION = re.compile(r"^Unknown condition (?P<key>\S+) for action (?P<action>\S+)")
_UNKNOWN_ACTION = re.compile(r"^Unknown action (?P<action>\S+)")


DETAIL_WIDTH = 120


@dataclass(frozen=True)
class Policy:
    """One policy document found in a plan."""

    address: str  # module.x.aws_iam_policy.this["a"]
    attribute: str  # policy, inline_policy[0].policy, ...
    text: str


@dataclass(frozen=True)
class Finding:
    address: str
    attribute: str
    issue: str  # parliament's issue name, e.g. UNKNOWN_CONDITION_FOR_ACTION
    severity: str
    detail: str
    action: str = ""
    condition_key: str = ""
    allowed_because: str = ""  # the allow-list entry's reason, when one covers it


@dataclass(frozen=True)
class Allowance:
    """A narrow allow-list entry: one issue and a reason, narrowed by every field it sets.

    Either a condition key with the actions it is allowed on (any action, for a global aws: key),
    or a resource type and attribute (a kind of policy parliament misreads), optionally one exact detail.
    """

    issue: str
    reason: str
    condition_key: str = ""
    actions: frozenset[str] = frozenset()
    resource_type: str = ""
    attribute: str = ""
    detail: str = ""

    def covers(self, finding: Finding) -> bool:
        checks = [finding.issue == self.issue]
        if self.condition_key:
            checks.append(finding.condition_key.lower() == self.condition_key.lower())
        if self.actions:
            checks.append(finding.action.lower() in {a.lower() for a in self.actions})
        if self.resource_type:
            checks.append(_resource_type(finding.address) == self.resource_type)
        if self.attribute:
            checks.append(finding.attribute == self.attribute)
        if self.detail:
            checks.append(finding.detail == self.detail)
        return all(checks)


def _resource_type(address: str) -> str:
    """aws_kms_key from module.x.aws_kms_key.this["data"]."""
    parts = [p for p in re.sub(r"\[[^\]]*\]", "", address).split(".") if p]
    return parts[-2] if len(parts) >= 2 else ""


@dataclass
class Report:
    policies: list[Policy]
    findings: list[Finding]  # every finding, allowed ones included
    unknown: list[str]  # "address.attribute" of policies known only after apply

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if not f.allowed_because]

    @property
    def allowed(self) -> list[Finding]:
        return [f for f in self.findings if f.allowed_because]


# --- finding the policies in a plan -----------------------------------------------------------------


def _modules(plan: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    stack = [plan.get("planned_values", {}).get("root_module", {})]
    while stack:
        module = stack.pop()
        yield module
        stack.extend(module.get("child_modules", []))


def _as_policy(value: Any) -> bool:
    if not isinstance(value, str) or not value.lstrip().startswith("{"):
        return False
    try:
        parsed = json.loads(value)
    except ValueError:
        return False
    return isinstance(parsed, dict) and "Statement" in parsed


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")
    else:
        yield path, value


def policies_in_plan(plan: Mapping[str, Any]) -> list[Policy]:
    """Every policy document among the planned values of managed resources (data sources are their inputs)."""
    found = []
    for module in _modules(plan):
        for resource in module.get("resources", []):
            if resource.get("mode") != "managed":
                continue
            for path, value in _walk(resource.get("values", {}), ""):
                if _as_policy(value):
                    found.append(Policy(resource["address"], path, value))
    return sorted(found, key=lambda p: (p.address, p.attribute))


def _configured(plan: Mapping[str, Any]) -> dict[str, set[str]]:
    """The attributes each resource's configuration sets, by address without index (module.x.aws_y.z)."""
    found: dict[str, set[str]] = {}
    stack = [("", plan.get("configuration", {}).get("root_module", {}))]
    while stack:
        prefix, module = stack.pop()
        for resource in module.get("resources", []):
            found[prefix + resource["address"]] = set(resource.get("expressions", {}))
        for name, call in module.get("module_calls", {}).items():
            stack.append((f"{prefix}module.{name}.", call.get("module", {})))
    return found


def unknown_policies(plan: Mapping[str, Any]) -> list[str]:
    """Policies the configuration writes that are known only after apply, so cannot be linted from this plan.

    Computed attributes the configuration does not set (aws_s3_bucket.policy, aws_sns_topic.policy)
    are not the project's policies and are left out.
    """
    configured = _configured(plan)
    unknown = []
    for change in plan.get("resource_changes", []):
        if change.get("mode") != "managed" or change["change"]["actions"] in (["delete"], ["no-op"]):
            continue
        sets = configured.get(re.sub(r"\[[^\]]*\]", "", change["address"]), set())
        for path, value in _walk(change["change"].get("after_unknown") or {}, ""):
            top = path.split(".")[0].split("[")[0]
            if value is True and path.rsplit(".", 1)[-1].split("[")[0] in POLICY_ATTRIBUTES and top in sets:
                unknown.append(f"{change['address']}.{path}")
    return sorted(unknown)


# --- linting ----------------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _unsupported_null_keys(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(action, key) for each Null-true test on a service key that an action of its statement does not
    support (such a Deny matches that action always; a Null-false test never matches it: harmless)."""
    import parliament
    from parliament.statement import get_privilege_info

    for statement in _as_list(document.get("Statement", [])):
        conditions = statement.get("Condition") or {}
        keys = [
            k
            for op, block in conditions.items()
            if op.lower() == "null"
            for k, v in block.items()
            if str(v).lower() == "true"
        ]
        service_keys = [k for k in keys if not k.lower().startswith("aws:")]
        if not service_keys or "Action" not in statement:
            continue
        for pattern in _as_list(statement["Action"]):
            try:
                expanded = parliament.expand_action(pattern)
            except Exception:  # unknown actions are parliament's own UNKNOWN_ACTION finding
                continue
            for action in expanded:
                info = get_privilege_info(action["service"], action["action"])
                supported = {c.lower() for r in info["resource_types"] for c in r["condition_keys"]}
                for key in service_keys:
                    if key.split(":")[0].lower() == action["service"].lower() and key.lower() not in supported:
                        yield f"{action['service']}:{action['action']}", key


def value_only(statement: Mapping[str, Any]) -> bool:
    """True when no condition of the statement matches a request that lacks its key: no Null true, no
    ...IfExists, and a negated test only beside a Null false on the same key. Such a statement cannot
    deny an action that does not send its keys, so it may name a service's every action (sagemaker:*)."""
    conditions = statement.get("Condition") or {}
    if not conditions:
        return False
    absent_false = {k.lower() for k, v in conditions.get("Null", {}).items() if str(v).lower() == "false"}
    for operator, block in conditions.items():
        if operator == "Null" and any(str(v).lower() == "true" for v in block.values()):
            return False
        if operator.endswith("IfExists"):
            return False
        if (
            "Not" in operator
            and not operator.startswith("ForAnyValue:")
            and not {k.lower() for k in block} <= absent_false
        ):
            return False
    return True


def _wildcard_value_keys(document: Mapping[str, Any]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """((service, key) of value-only statements naming <service>:*, (action, key) named exactly), lower case."""
    wildcard, exact = set(), set()
    for statement in _as_list(document.get("Statement", [])):
        keys = {k.lower() for block in (statement.get("Condition") or {}).values() for k in block}
        for action in _as_list(statement.get("Action", [])):
            service, _, name = str(action).lower().partition(":")
            if name == "*" and value_only(statement):
                wildcard |= {(service, key) for key in keys}
            elif "*" not in name:
                exact |= {(f"{service}:{name}", key) for key in keys}
    return wildcard, exact


def lint_document(text: str) -> list[Finding]:
    """parliament's findings for one policy document, plus unsupported keys in Null tests (address left blank).

    A value-only statement on a service's every action (value_only) tests keys most of those actions
    never send, which is its point; parliament's "unknown condition" for such an (action, key) pair is
    dropped unless another statement names that action exactly with that key.
    """
    import parliament

    analysed = parliament.analyze_policy_string(text)
    wildcard, exact = _wildcard_value_keys(json.loads(text))
    findings = []
    for raw in analysed.findings:
        parliament.enhance_finding(raw)
        detail = raw.detail if isinstance(raw.detail, str) else json.dumps(raw.detail, sort_keys=True, default=str)
        match = _UNKNOWN_CONDITION.match(detail) or _UNKNOWN_ACTION.match(detail)
        groups = match.groupdict() if match else {}
        action, key = groups.get("action", ""), groups.get("key", "")
        if raw.issue == "UNKNOWN_CONDITION_FOR_ACTION" and action:
            pair = (action.lower(), key.lower())
            if (action.split(":")[0].lower(), key.lower()) in wildcard and pair not in exact:
                continue
        findings.append(Finding("", "", raw.issue, raw.severity, detail, action, key))
    for action, key in _unsupported_null_keys(json.loads(text)):
        findings.append(
            Finding(
                "",
                "",
                "UNKNOWN_CONDITION_FOR_ACTION",
                "MEDIUM",
                f"Unknown condition {key} for action {action} (in a Null test)",
                action,
                key,
            )
        )
    unique = {(f.issue, f.detail): f for f in findings}
    return list(unique.values())


def lint_plan(plan: Mapping[str, Any], allowances: Sequence[Allowance] = ()) -> Report:
    """Lint every policy in one plan (the JSON of `terraform show -json`)."""
    policies = policies_in_plan(plan)
    findings = []
    for policy in policies:
        for raw in lint_document(policy.text):
            finding = replace(raw, address=policy.address, attribute=policy.attribute)
            reason = next((a.reason for a in allowances if a.covers(finding)), "")
            findings.append(replace(finding, allowed_because=reason))
    return Report(policies, findings, unknown_policies(plan))


def merge(reports: Iterable[Report]) -> Report:
    merged = Report([], [], [])
    for report in reports:
        merged.policies += report.policies
        merged.findings += report.findings
        merged.unknown += report.unknown
    return merged


# --- configuration: the allow-list and the modules' example inputs -----------------------------------


def load_config(path: Path = CONFIG) -> tuple[list[Allowance], dict[str, dict[str, Any]]]:
    """The allow-list (each entry with a reason) and the example inputs by module."""
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc
    allowances = []
    fields = {"issue", "reason", "condition_key", "actions", "resource_type", "attribute", "detail"}
    for index, entry in enumerate(data.get("allow", [])):
        where = f"{path}: allow entry {index + 1}"
        missing = [k for k in ("issue", "reason") if not entry.get(k)]
        if missing:
            raise UsageError(f"{where} lacks {', '.join(missing)}")
        if set(entry) - fields:
            raise UsageError(f"{where} has unknown field(s) {', '.join(sorted(set(entry) - fields))}")
        key, actions = entry.get("condition_key", ""), entry.get("actions", [])
        by_key = bool(key) and (bool(actions) or key.lower().startswith("aws:"))
        by_kind = bool(entry.get("resource_type")) and bool(entry.get("attribute"))
        by_action = entry["issue"] == "UNKNOWN_ACTION" and bool(actions) and not key
        if not (by_key or by_kind or by_action):
            raise UsageError(
                f"{where} is too wide: name a condition_key and its actions (any action only for a global aws: key), "
                "a resource_type and attribute, or (UNKNOWN_ACTION) the actions"
            )
        if any("*" in a for a in actions):
            raise UsageError(f"{where} names actions with wildcards: name each action")
        allowances.append(
            Allowance(
                entry["issue"],
                entry["reason"],
                key,
                frozenset(actions),
                entry.get("resource_type", ""),
                entry.get("attribute", ""),
                entry.get("detail", ""),
            )
        )
    return allowances, data.get("inputs", {})


# --- planning modules -----------------------------------------------------------------------------


def module_names(selection: str) -> list[str]:
    # Internal parts (modules/_*) write no policy of their own: they are planned inside their callers.
    known = sorted(p.parent.name for p in MODULES.glob("*/main.tf") if not p.parent.name.startswith("_"))
    if selection == "all":
        return known
    names = [n.strip() for n in selection.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"unknown module(s) {', '.join(unknown)}: choose from {', '.join(known)}, or all")
    return names


def resolve_inputs(inputs: Mapping[str, Any], workdir: Path) -> dict[str, Any]:
    """Example inputs with their placeholders filled: {repo} and {lambda:<name>} (a packaged zip)."""
    from smenv.build.package_lambda import package

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            match = re.fullmatch(r"\{lambda:([a-z_]+)\}", value)
            if match:
                out = workdir / f"{match.group(1)}.zip"
                if not out.exists():
                    package(REPO / "lambda" / match.group(1), out)
                return str(out)
            return value.replace("{repo}", str(REPO))
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return fill(dict(inputs))


def plan_module(name: str, inputs: Mapping[str, Any], emulator_url: str, workdir: Path) -> dict[str, Any]:
    """Plan modules/<name> alone against the emulator; the plan's JSON."""
    target = working_copy(name, workdir, emulator_url, provider_file="provider_lint.tf")
    (target / "lint.auto.tfvars.json").write_text(json.dumps(resolve_inputs(inputs, workdir)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(EMULATOR_CREDENTIALS, AWS_REGION="us-east-1", TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    env.setdefault("TF_CLI_CONFIG_FILE", str(REPO / ".smenv" / "terraformrc"))
    terraform = terraform_cli()
    for step in (["init", "-input=false", "-backend=false"], ["plan", "-input=false", "-out=lint.tfplan"]):
        proc = subprocess.run(
            [terraform, *step, "-no-color"], cwd=target, env=env, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            errors = [line for line in proc.stderr.splitlines() if line.strip()] or ["(no output)"]
            raise UsageError(f"terraform {step[0]} of modules/{name} failed: {' '.join(errors)[:400]}")
    shown = subprocess.run(
        [terraform, "show", "-json", "lint.tfplan"], cwd=target, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(shown.stdout)


def read_plan(path: Path) -> dict[str, Any]:
    """A plan's JSON: a .json file as is; a binary plan file through `terraform show -json`."""
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.suffix == ".json":
        try:
            return json.loads(path.read_text())
        except ValueError as exc:
            raise UsageError(f"{path}: not JSON: {exc}") from exc
    terraform = terraform_cli()
    proc = subprocess.run(
        [terraform, "show", "-json", path.name], cwd=path.parent, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise UsageError(f"{path}: terraform show -json failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout)


# --- output -----------------------------------------------------------------------------------------


def short(detail: str, width: int = DETAIL_WIDTH) -> str:
    """One table cell: parliament's detail can list hundreds of actions; the JSON report keeps it whole."""
    return detail if len(detail) <= width else f"{detail[: width - 20]}... ({len(detail)} chars)"


def table(findings: Sequence[Finding]) -> str:
    rows = [("resource", "attribute", "issue", "severity", "detail", "allowed because")]
    for f in sorted(findings, key=lambda f: (bool(f.allowed_because), f.address, f.issue, f.detail)):
        rows.append((f.address, f.attribute, f.issue, f.severity, short(f.detail), f.allowed_because or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1])
        if index == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len(row[-1]))
    return "\n".join(lines)


def allowed_lines(report: Report) -> list[str]:
    """One line per allow-list reason that was used, with how many findings it let pass."""
    counts: dict[tuple[str, str], int] = {}
    for f in report.allowed:
        what = f.condition_key or f.action or f.issue
        counts[(f.allowed_because, what)] = counts.get((f.allowed_because, what), 0) + 1
    return [f"allowed ({count}x {what}): {reason}" for (reason, what), count in sorted(counts.items())]


def summary(report: Report, plans: int) -> str:
    return (
        f"policy lint: {len(report.failing)} finding(s), {len(report.allowed)} allowed, "
        f"in {len(report.policies)} policies of {plans} plan(s); {len(report.unknown)} known only after apply"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plans", nargs="*", type=Path, help="plan JSON files (terraform show -json) or plan files")
    parser.add_argument("--modules", help="plan these modules first: names separated by commas, or all")
    parser.add_argument("--config", type=Path, default=CONFIG, help="allow-list and example inputs (TOML)")
    parser.add_argument("--port", type=int, help="emulator port for --modules (default SMENV_EMULATOR_PORT or 4566)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--show-allowed", action="store_true", help="list allowed findings in the table too")
    args = parser.parse_args(argv)
    if not args.plans and not args.modules:
        parser.print_usage(sys.stderr)
        print("policy_lint: error: give plan files or --modules", file=sys.stderr)
        return 2
    try:
        allowances, inputs = load_config(args.config)
        plans = [read_plan(path) for path in args.plans]
        if args.modules:
            plans += plan_modules(module_names(args.modules), inputs, args.port)
        report = merge(lint_plan(plan, allowances) for plan in plans)
    except UsageError as exc:
        print(f"policy_lint: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "findings": [asdict(f) for f in report.failing],
                    "allowed": [asdict(f) for f in report.allowed],
                    "policies": [f"{p.address}.{p.attribute}" for p in report.policies],
                    "unknown_until_apply": report.unknown,
                },
                indent=2,
            )
        )
    else:
        shown = report.findings if args.show_allowed else report.failing
        if shown:
            print(table(shown))
        for line in allowed_lines(report):
            print(line)
        for address in report.unknown:
            print(f"not linted (known only after apply): {address}")
        print(summary(report, len(plans)))
    return 1 if report.failing else 0


def plan_modules(names: Sequence[str], inputs: Mapping[str, Any], port: int | None) -> list[dict[str, Any]]:
    missing = [n for n in names if n not in inputs]
    if missing:
        raise UsageError(f"no example inputs for {', '.join(missing)}: add [inputs.<module>] to {CONFIG.name}")
    from smenv.live import local_aws

    url = os.environ.get("SMENV_EMULATOR_URL")
    started_port = None
    if not url:
        chosen = port or int(os.environ.get("SMENV_EMULATOR_PORT", DEFAULT_EMULATOR_PORT))
        try:
            running, started = local_aws.start(chosen)
        except local_aws.EmulatorError as exc:
            raise UsageError(str(exc)) from exc
        url, started_port = running.url, chosen if started else None
    try:
        plans = []
        with tempfile.TemporaryDirectory(prefix="policy-lint-") as tmp:
            for name in names:
                print(f"[policy_lint] planning modules/{name} ...", file=sys.stderr, flush=True)
                plans.append(plan_module(name, inputs[name], url, Path(tmp)))
        return plans
    finally:
        if started_port is not None:
            local_aws.stop(started_port)


if __name__ == "__main__":
    sys.exit(main())
