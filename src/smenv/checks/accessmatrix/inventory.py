"""Every policy one environment writes, collected from its units' plan JSON (no account needed).

    inventory = collect(env, {"kms": plan_json, "notebook": plan_json, ...})
    inventory.roles["arn:aws:iam::111111111111:role/smenv-dev-fraud-sagemaker"].inline   # [NamedPolicy]
    inventory.resource_policy("arn:aws:s3:::smenv-dev-data-fraud-.../x.csv")            # the bucket policy

What is collected, per Terraform resource type (the plan's planned values):

| resource | becomes |
| --- | --- |
| aws_iam_role | a principal: its trust policy (the resource policy of sts:AssumeRole on it), its boundary |
| aws_iam_role_policy, aws_iam_role_policy_attachment | the role's identity policies (inline, attached) |
| aws_iam_policy | a managed policy, by ARN (attached ones, boundaries) |
| aws_s3_bucket_policy, aws_kms_key, aws_sqs_queue_policy, aws_sns_topic_policy | resource policies |
| aws_lambda_permission | the function's resource policy (one statement per permission, as Lambda writes it) |
| aws_sagemaker_model_package_group_policy | the group's resource policy |
| aws_vpc_endpoint | an endpoint policy, by service (none written = AWS's default full-access policy) |
| aws_organizations_policy (SERVICE_CONTROL_POLICY) | an SCP on every principal of the account |

Units depend on each other through Terragrunt `dependency` blocks; a plan on an empty account sees
their mock outputs (live/_envcommon/mocks.hcl), which carry the real names of roles, buckets and
policies and fixed placeholders for what AWS assigns (key, VPC, subnet, group and endpoint ids).
The placeholders are read back from the units that consume them (`FACTS`), so a key policy planned
in the kms unit is the one a request on that key's placeholder ARN meets.

A policy or binding known only after apply makes the inventory incomplete: it is listed in
`unknown`, and the access matrix refuses to run on it (build ARNs from names instead).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from smenv.checks.iam_simulate import NamedPolicy

# Placeholders the units receive from their dependencies (mocks.hcl), read from a unit that uses
# them: fact name -> (unit, variable). The first unit that has the variable wins.
FACTS = {
    "kms_key_arns": (("notebook", "kms_key_arns"),),
    "s3_vpce": (("buckets", "s3_vpc_endpoint_id"),),
    "interface_endpoint_ids": (("notebook", "interface_endpoint_ids"), ("notebook", "presigned_url_vpc_endpoint_ids")),
    "subnet_ids": (("notebook", "subnet_ids"),),
    "team_security_groups": (("notebook", "team_security_group_ids"),),
    "vpc_id": (("enforcer", "vpc_id"),),
}

_INDEX = re.compile(r'\["?([^"\]]+)"?\]$')


class InventoryError(Exception):
    """The plans cannot be read as one environment: one line saying why."""


@dataclass
class Role:
    name: str
    arn: str
    unit: str
    trust: NamedPolicy | None = None
    inline: list[NamedPolicy] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)  # managed policy ARNs
    boundary: str | None = None  # managed policy ARN


@dataclass
class Endpoint:
    service: str  # s3, sts, sagemaker.api, ...
    id: str  # the placeholder id requests carry as aws:SourceVpce
    policy: NamedPolicy | None  # None: AWS's default policy (full access)


@dataclass
class Inventory:
    account: str
    region: str
    partition: str = "aws"
    roles: dict[str, Role] = field(default_factory=dict)
    managed: dict[str, NamedPolicy] = field(default_factory=dict)
    resource_policies: dict[str, NamedPolicy] = field(default_factory=dict)  # by resource ARN (bucket ARN for S3)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)  # by service
    scps: list[NamedPolicy] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    units: tuple[str, ...] = ()

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:{self.partition}:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def identity_policies(self, role_arn: str) -> list[NamedPolicy]:
        role = self.roles[role_arn]
        attached = []
        for arn in role.attached:
            if arn not in self.managed:
                raise InventoryError(f"role {role.name} attaches {arn}, which no unit of the environment writes")
            attached.append(self.managed[arn])
        return [*role.inline, *attached]

    def boundaries(self, role_arn: str) -> list[NamedPolicy]:
        role = self.roles[role_arn]
        if role.boundary is None:
            return []
        if role.boundary not in self.managed:
            raise InventoryError(f"role {role.name} has boundary {role.boundary}, which no unit writes")
        return [self.managed[role.boundary]]

    def resource_policy(self, resource: str) -> NamedPolicy | None:
        """The resource-based policy a request on this ARN meets (S3: its bucket's; IAM role: its trust)."""
        if resource.startswith(f"arn:{self.partition}:s3:::"):
            bucket = resource.split(":::", 1)[1].split("/", 1)[0]
            return self.resource_policies.get(f"arn:{self.partition}:s3:::{bucket}")
        if resource in self.roles:
            return self.roles[resource].trust
        return self.resource_policies.get(resource)


# --- reading plans ---------------------------------------------------------------------------------


def _resources(plan: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    stack = [plan.get("planned_values", {}).get("root_module", {})]
    while stack:
        module = stack.pop()
        yield from module.get("resources", [])
        stack.extend(module.get("child_modules", []))


def _unknown(plan: Mapping[str, Any]) -> dict[str, set[str]]:
    """Top-level attributes known only after apply, by resource address."""
    found: dict[str, set[str]] = {}
    for change in plan.get("resource_changes", []):
        unknown = change.get("change", {}).get("after_unknown") or {}
        found[change["address"]] = {key for key, value in unknown.items() if value is True}
    return found


def _document(text: Any, where: str) -> dict[str, Any]:
    if isinstance(text, dict):
        return text
    try:
        parsed = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise InventoryError(f"{where} is not a policy document: {exc}") from None
    if not isinstance(parsed, dict) or "Statement" not in parsed:
        raise InventoryError(f"{where} is not a policy document")
    return parsed


def _index(address: str) -> str | None:
    match = _INDEX.search(address)
    return match.group(1) if match else None


def _variable(plan: Mapping[str, Any], name: str) -> Any:
    return plan.get("variables", {}).get(name, {}).get("value")


def _facts(plans: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for fact, sources in FACTS.items():
        for unit, variable in sources:
            if unit in plans and _variable(plans[unit], variable) is not None:
                facts[fact] = _variable(plans[unit], variable)
                break
    return facts


def _unindexed(address: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", address)


def _configured(plan: Mapping[str, Any]) -> dict[str, set[str]]:
    """The attributes each resource's configuration sets, by address without index."""
    found: dict[str, set[str]] = {}
    stack = [("", plan.get("configuration", {}).get("root_module", {}))]
    while stack:
        prefix, module = stack.pop()
        for resource in module.get("resources", []):
            found[prefix + resource["address"]] = set(resource.get("expressions", {}))
        for name, call in module.get("module_calls", {}).items():
            stack.append((f"{prefix}module.{name}.", call.get("module", {})))
    return found


@dataclass
class _Collector:
    inventory: Inventory
    configured: dict[str, set[str]] = field(default_factory=dict)
    role_policies: list[tuple[str, NamedPolicy]] = field(default_factory=list)  # role name, policy
    attachments: list[tuple[str, str]] = field(default_factory=list)  # role name, policy ARN
    permissions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # function ARN -> statements
    # A unit's own key (not one of the kms unit's purposes) is named by its one alias: its id is AWS's.
    own_keys: list[tuple[str, str, NamedPolicy]] = field(default_factory=list)  # unit, address, policy
    aliases: dict[str, list[str]] = field(default_factory=dict)  # unit -> alias names

    def need(self, unit: str, resource: Mapping[str, Any], unknown: set[str], *attributes: str) -> bool:
        """True when every attribute is known at plan time; else records each unknown one."""
        missing = [a for a in attributes if a in unknown or resource["values"].get(a) is None]
        for attribute in missing:
            self.inventory.unknown.append(f"{unit}: {resource['address']}.{attribute}")
        return not missing

    def add(self, unit: str, plan: Mapping[str, Any]) -> None:
        unknown = _unknown(plan)
        self.configured = _configured(plan)
        for resource in _resources(plan):
            if resource.get("mode") != "managed":
                continue
            handler = getattr(self, f"_{resource['type']}", None)
            if handler is not None:
                handler(unit, resource, unknown.get(resource["address"], set()))

    # One method per resource type that carries a policy or binds one.

    def _aws_iam_role(self, unit, resource, unknown):
        if not self.need(unit, resource, unknown, "name", "assume_role_policy"):
            return
        values = resource["values"]
        path = values.get("path") or "/"
        arn = self.inventory.arn("iam", f"role{path}{values['name']}", region=False)
        self.inventory.roles[arn] = Role(
            name=values["name"],
            arn=arn,
            unit=unit,
            trust=NamedPolicy(f"trust {values['name']}", _document(values["assume_role_policy"], arn)),
            boundary=values.get("permissions_boundary") or None,
        )

    def _aws_iam_role_policy(self, unit, resource, unknown):
        if self.need(unit, resource, unknown, "role", "policy", "name"):
            values = resource["values"]
            name = f"identity {values['role']}/{values['name']}"
            self.role_policies.append((values["role"], NamedPolicy(name, _document(values["policy"], name))))

    def _aws_iam_role_policy_attachment(self, unit, resource, unknown):
        if self.need(unit, resource, unknown, "role", "policy_arn"):
            self.attachments.append((resource["values"]["role"], resource["values"]["policy_arn"]))

    def _aws_iam_policy(self, unit, resource, unknown):
        if self.need(unit, resource, unknown, "name", "policy"):
            values = resource["values"]
            arn = self.inventory.arn("iam", f"policy{values.get('path') or '/'}{values['name']}", region=False)
            self.inventory.managed[arn] = NamedPolicy(f"managed {values['name']}", _document(values["policy"], arn))

    def _aws_s3_bucket_policy(self, unit, resource, unknown):
        if self.need(unit, resource, unknown, "bucket", "policy"):
            bucket = resource["values"]["bucket"]
            arn = f"arn:{self.inventory.partition}:s3:::{bucket}"
            self.inventory.resource_policies[arn] = NamedPolicy(
                f"bucket {bucket}", _document(resource["values"]["policy"], arn)
            )

    def _aws_kms_key(self, unit, resource, unknown):
        if not self.need(unit, resource, unknown, "policy"):
            return
        purpose = _index(resource["address"])
        arns = self.inventory.facts.get("kms_key_arns") or {}
        document = _document(resource["values"]["policy"], resource["address"])
        if purpose is None:
            name = resource["address"].split(".", 1)[1]
            self.own_keys.append((unit, resource["address"], NamedPolicy(f"key {unit} {name}", document)))
            return
        if purpose not in arns:
            raise InventoryError(
                f"{unit}: {resource['address']}: no unit receives a key ARN for purpose {purpose!r} (FACTS)"
            )
        self.inventory.resource_policies[arns[purpose]] = NamedPolicy(f"key {purpose}", document)

    def _aws_kms_alias(self, unit, resource, unknown):
        if self.need(unit, resource, unknown, "name"):
            self.aliases.setdefault(unit, []).append(resource["values"]["name"])

    def _aws_sqs_queue_policy(self, unit, resource, unknown):
        if not self.need(unit, resource, unknown, "policy"):
            return
        document = _document(resource["values"]["policy"], resource["address"])
        # The queue URL is AWS's; the policy names its queue in every statement's Resource.
        for queue in _statement_resources(document):
            self.inventory.resource_policies[queue] = NamedPolicy(f"queue {queue.rsplit(':', 1)[-1]}", document)

    def _aws_sns_topic_policy(self, unit, resource, unknown):
        if self.need(unit, resource, unknown, "arn", "policy"):
            arn = resource["values"]["arn"]
            self.inventory.resource_policies[arn] = NamedPolicy(
                f"topic {arn.rsplit(':', 1)[-1]}", _document(resource["values"]["policy"], arn)
            )

    def _aws_sagemaker_model_package_group_policy(self, unit, resource, unknown):
        if self.need(unit, resource, unknown, "model_package_group_name", "resource_policy"):
            group = resource["values"]["model_package_group_name"]
            arn = self.inventory.arn("sagemaker", f"model-package-group/{group.lower()}")
            self.inventory.resource_policies[arn] = NamedPolicy(
                f"model package group {group}", _document(resource["values"]["resource_policy"], arn)
            )

    def _aws_lambda_permission(self, unit, resource, unknown):
        if not self.need(unit, resource, unknown, "function_name", "action", "principal"):
            return
        values = resource["values"]
        for optional in ("source_arn", "source_account"):
            if optional in unknown:
                self.inventory.unknown.append(f"{unit}: {resource['address']}.{optional}")
                return
        function = values["function_name"]
        arn = function if function.startswith("arn:") else self.inventory.arn("lambda", f"function:{function}")
        principal = values["principal"]
        statement: dict[str, Any] = {
            "Sid": values.get("statement_id") or resource["address"],
            "Effect": "Allow",
            "Principal": {"Service": principal} if principal.endswith(".amazonaws.com") else {"AWS": principal},
            "Action": values["action"],
            "Resource": arn,
        }
        condition: dict[str, dict[str, str]] = {}
        if values.get("source_arn"):
            condition["ArnLike"] = {"AWS:SourceArn": values["source_arn"]}
        if values.get("source_account"):
            condition["StringEquals"] = {"AWS:SourceAccount": values["source_account"]}
        if condition:
            statement["Condition"] = condition
        self.permissions.setdefault(arn, []).append(statement)

    def _aws_vpc_endpoint(self, unit, resource, unknown):
        values = resource["values"]
        service = str(values.get("service_name", "")).split(f".{self.inventory.region}.", 1)[-1]
        written = "policy" in self.configured.get(_unindexed(resource["address"]), set())
        if written and "policy" in unknown:
            self.inventory.unknown.append(f"{unit}: {resource['address']}.policy")
            return
        policy = values.get("policy") if written else None  # none written: AWS's default, full access
        # The id AWS assigned (known once applied), else the placeholder a consumer received, else
        # one made up: requests through this endpoint carry it as aws:SourceVpce.
        received = (self.inventory.facts.get("interface_endpoint_ids") or {}).get(service)
        fallback = self.inventory.facts.get("s3_vpce") if service == "s3" else received
        endpoint_id = values.get("id") if "id" not in unknown and values.get("id") else fallback
        endpoint_id = endpoint_id or f"vpce-{service.replace('.', '-')}"
        self.inventory.endpoints[service] = Endpoint(
            service=service,
            id=endpoint_id,
            policy=NamedPolicy(f"endpoint {service}", _document(policy, resource["address"])) if policy else None,
        )

    def _aws_organizations_policy(self, unit, resource, unknown):
        values = resource["values"]
        if values.get("type", "SERVICE_CONTROL_POLICY") == "SERVICE_CONTROL_POLICY" and self.need(
            unit, resource, unknown, "content", "name"
        ):
            self.inventory.scps.append(
                NamedPolicy(f"scp {values['name']}", _document(values["content"], values["name"]))
            )

    def finish(self) -> Inventory:
        by_name = {role.name: role for role in self.inventory.roles.values()}
        for role_name, policy in self.role_policies:
            if role_name not in by_name:
                raise InventoryError(f"an inline policy is written for role {role_name}, which no unit creates")
            by_name[role_name].inline.append(policy)
        for role_name, policy_arn in self.attachments:
            if role_name not in by_name:
                raise InventoryError(f"policy {policy_arn} is attached to role {role_name}, which no unit creates")
            by_name[role_name].attached.append(policy_arn)
        for unit, address, policy in self.own_keys:
            aliases = self.aliases.get(unit, [])
            if len(aliases) != 1:
                raise InventoryError(
                    f"{unit}: {address}: a key outside the kms unit is named by its one alias; the unit has {len(aliases)}"
                )
            # KMS authorises on the key's ARN, whose id is AWS's: the key stands as key/<its alias name>.
            self.inventory.resource_policies[self.inventory.arn("kms", f"key/{aliases[0].removeprefix('alias/')}")] = (
                policy
            )
        for arn, statements in self.permissions.items():
            self.inventory.resource_policies[arn] = NamedPolicy(
                f"function {arn.rsplit(':', 1)[-1]}", {"Version": "2012-10-17", "Statement": statements}
            )
        return self.inventory


def _statement_resources(document: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        resources = statement.get("Resource", [])
        for resource in resources if isinstance(resources, list) else [resources]:
            if resource not in found:
                found.append(resource)
    return found


def collect(account: str, region: str, plans: Mapping[str, Mapping[str, Any]]) -> Inventory:
    """The inventory of one environment from its units' plans ({unit name: plan JSON})."""
    inventory = Inventory(account=account, region=region, units=tuple(sorted(plans)))
    inventory.facts = _facts(plans)
    collector = _Collector(inventory)
    for unit in sorted(plans):
        collector.add(unit, plans[unit])
    return collector.finish()
