"""Evaluate the flow catalogue over one environment's inventory with the IAM evaluator, and report.

    result = run(env_name, plans, catalogue)     # plans: {unit: plan JSON}
    print("\\n".join(result.lines()))            # wrong flows, one line each, then the closing line

Every request is evaluated as AWS would see it: the principal's identity policies (inline, attached,
managed) and permissions boundary, the resource's policy (bucket, key, queue, function, trust, group),
the VPC endpoint's policy when it travels through one, and the SCP where the environment writes one.
Global condition keys that every authenticated request carries are filled in (`defaults`): the
evaluator treats a missing key as absent, and a `Bool aws:PrincipalIsAWSService false` test would
otherwise never match.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smenv.checks import iam_simulate
from smenv.checks.accessmatrix import flows as flowlib
from smenv.checks.accessmatrix.inventory import Inventory, InventoryError, collect
from smenv.checks.iam_simulate import Case, NamedPolicy, Request
from smenv.core.project import REPO, environment_settings, load_environment
from smenv.live import state_bucket

CATALOGUE = REPO / "access" / "flows.yaml"
OUTSIDE_ACCOUNT = "999999999999"
ALLOWED = iam_simulate.ALLOWED

ALLOW_EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
AWS_OWNED_REPOSITORY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AnyAccountMayPull",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        }
    ],
}


def default_topic_policy(account: str, topic: str) -> dict[str, Any]:
    """SNS's default topic policy: what a topic has when nobody writes one (Amazon SNS Developer
    Guide, "Example cases for Amazon SNS access control"): every principal whose request names this
    account as AWS:SourceOwner may manage, subscribe to and publish to the topic, whatever its IAM says.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
                    "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish",
                ],
                "Resource": topic,
                "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
            }
        ],
    }  # fmt: skip


# --- what the catalogue may name ----------------------------------------------------------------------


def settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """The env.hcl settings a flow's `when` may test, from project.environment_settings (every key,
    with the defaults the units apply)."""
    shape = values["endpoint_shape"]
    promotion = values["promotion"]
    return {
        "emulator": bool(values["emulator"]),
        "enforce_tls": bool(values["buckets_enforce_tls"]),
        "enforce_vpc_endpoint": bool(values["buckets_enforce_vpc_endpoint"]),
        "promotion": promotion is not None,
        "promotion_readers": bool(values["promotion_reader_role_arns"]),
        "promotion_sources": promotion is not None and bool(promotion["source_model_bucket_arns"]),
        "endpoint_shape": shape,
        "shadow": shape == "provisioned" and values["endpoint"]["shadow"] is not None,
        "own_trail": values["organization_trail_arn"] is None,
        "scp": bool(values["scp_target_ids"]),
        "studio": bool(values["studio"]["enabled"]),
    }


def _image(uri: str, partition: str) -> dict[str, str]:
    """An ECR image URI as the parts a flow names: registry account, region, repository ARN."""
    host, _, path = uri.partition("/")
    account, _, rest = host.partition(".dkr.ecr.")
    region = rest.split(".", 1)[0]
    repository = path.split("@", 1)[0].rsplit(":", 1)[0] if "@" in path else path.rsplit(":", 1)[0]
    return {
        "image": uri,
        "image_account": account,
        "image_repository": f"arn:{partition}:ecr:{region}:{account}:repository/{repository}",
    }


def values_for(env_name: str, inventory: Inventory) -> dict[str, Any]:
    """Everything a flow's placeholders may name in this environment."""
    env = load_environment(env_name)
    raw = environment_settings(env_name)
    prefix = env.resource_prefix
    arn = inventory.arn
    endpoint = raw["endpoint"]
    facts = inventory.facts
    images = [endpoint["image"]]
    if (endpoint["shadow"] or {}).get("image") and raw["endpoint_shape"] == "provisioned":
        images.append(endpoint["shadow"]["image"])
    promotion = raw["promotion"] or {}
    suffix = f"{env.account_id}-{env.region}"
    endpoint_name = f"{prefix}-{endpoint['name']}"  # modules/endpoint: <name_prefix>-<name>
    return {
        "account": env.account_id,
        "region": env.region,
        "partition": inventory.partition,
        "prefix": prefix,
        "parameter_prefix": env.parameter_prefix,
        "outside_account": OUTSIDE_ACCOUNT,
        "outside_role": f"arn:{inventory.partition}:iam::{OUTSIDE_ACCOUNT}:role/someone-else",
        "teams": list(env.teams),
        "teams_first": env.teams[0],
        "team_role": {t: arn("iam", f"role/{prefix}-{t}-sagemaker", region=False) for t in env.teams},
        "notebook": {t: arn("sagemaker", f"notebook-instance/{prefix}-{t}") for t in env.teams},
        "notebook_user_policy": {t: arn("iam", f"policy/{prefix}-{t}-notebook-user", region=False) for t in env.teams},
        "person": arn("iam", "role/data-scientist", region=False),
        # Studio (modules/studio): the domain's id is AWS's; the policies name any ("*").
        "studio_user_policy": {t: arn("iam", f"policy/{prefix}-{t}-studio-user", region=False) for t in env.teams},
        "studio_profile": {t: arn("sagemaker", f"user-profile/d-0example0000/{t}-studio") for t in env.teams},
        "studio_space": {t: arn("sagemaker", f"space/d-0example0000/{t}-private") for t in env.teams},
        "studio_app": {t: arn("sagemaker", f"app/d-0example0000/{t}-private/jupyterlab/default") for t in env.teams},
        "studio_lifecycle_config": arn("sagemaker", f"studio-lifecycle-config/{prefix}-studio-jupyterlab"),
        # SageMaker Pipelines (modules/pipelines): each team's pipeline role, pipelines and model group.
        "pipeline_role": {t: arn("iam", f"role/{prefix}-{t}-pipeline", region=False) for t in env.teams},
        "pipeline": {t: arn("sagemaker", f"pipeline/{prefix}-{t}-train") for t in env.teams},
        "pipeline_model_group": {t: arn("sagemaker", f"model-package-group/{prefix}-{t}-models") for t in env.teams},
        "pipeline_model_package": {t: arn("sagemaker", f"model-package/{prefix}-{t}-models/1") for t in env.teams},
        "data_bucket": {t: f"{prefix}-data-{t}-{suffix}" for t in env.teams},
        "model_bucket": {t: f"{prefix}-model-{t}-{suffix}" for t in env.teams},
        "access_log_bucket": f"{prefix}-access-logs-{suffix}",
        "state_bucket": env.state_bucket,
        "terraform_role": env.terraform_role_arn or arn("iam", "role/terraform", region=False),
        "key": facts.get("kms_key_arns", {}),
        "s3_vpce": facts.get("s3_vpce", ""),
        "subnet": (facts.get("subnet_ids") or [""])[0],
        "team_security_group": facts.get("team_security_groups", {}),
        # What a team's jobs, models and log streams are named from (modules/notebook work_name_prefixes).
        "work_prefix": {t: f"{prefix}-{t}-" for t in env.teams},
        "vpc": arn("ec2", f"vpc/{facts.get('vpc_id', '')}"),
        "guardrail_policy": {
            c: arn("iam", f"policy/{prefix}-sagemaker-guardrails-{c}", region=False)
            for c in ("network", "encryption", "workloads")
        },
        "boundary_policy": arn("iam", f"policy/{prefix}-sagemaker-boundary", region=False),
        "enforcer_role": arn("iam", f"role/{prefix}-sagemaker-enforcer", region=False),
        "enforcer_function": arn("lambda", f"function:{prefix}-sagemaker-enforcer"),
        # The enforcer's marker key, named by its alias (inventory: a unit's own key has no plan-time id).
        "markers_key": arn("kms", f"key/{prefix}-enforcer-markers"),
        "enforcer_log_group": arn("logs", f"log-group:/aws/lambda/{prefix}-sagemaker-enforcer"),
        "findings_topic": arn("sns", f"{prefix}-enforcer-findings"),
        "alarms_topic": arn("sns", f"{prefix}-enforcer-alarms"),
        "dead_letter_queue": arn("sqs", f"{prefix}-enforcer-dlq"),
        "rule": {k: arn("events", f"rule/{prefix}-enforcer-{k}") for k in ("api-calls", "state-changes")},
        "endpoint_name": endpoint_name,
        "endpoint": arn("sagemaker", f"endpoint/{endpoint_name}"),
        "endpoint_role": arn("iam", f"role/{endpoint_name}-model", region=False),
        "endpoint_team": endpoint["team"],
        "model_key": endpoint["model_key"],
        "endpoint_log_group": arn("logs", f"log-group:/aws/sagemaker/Endpoints/{endpoint_name}"),
        "endpoint_images": [_image(uri, inventory.partition) for uri in dict.fromkeys(images)],
        "invoker_role": arn("iam", f"role/{endpoint_name}-invoker", region=False),
        "invoker_function": arn("lambda", f"function:{endpoint_name}-invoker"),
        "invoker_log_group": arn("logs", f"log-group:/aws/lambda/{endpoint_name}-invoker"),
        "environment": env.name,
        "trail": arn("cloudtrail", f"trail/{prefix}-management-events"),
        "trail_bucket": f"{prefix}-cloudtrail-{suffix}",
        "trail_topic": arn("sns", f"{prefix}-cloudtrail-deliveries"),
        "trail_delivery_role": arn("iam", f"role/{prefix}-cloudtrail-to-logs", region=False),
        "trail_log_group": arn("logs", f"log-group:/{prefix}/cloudtrail"),
        "flow_logs_role": arn("iam", f"role/{prefix}-vpc-flow-logs", region=False),
        "flow_log_group": arn("logs", f"log-group:/{prefix}/vpc-flow-logs"),
        "promotion_role": arn("iam", f"role/{prefix}-promotion", region=False),
        "model_package_group": arn("sagemaker", f"model-package-group/{prefix}-models"),
        "model_packages": arn("sagemaker", f"model-package/{prefix}-models"),
        "trusted_operators": list(promotion.get("trusted_principal_arns") or []),
        "promotion_source_bucket": (promotion.get("source_model_bucket_arns") or ["arn:aws:s3:::none"])[0].split(":::")[
            1
        ],
        "promotion_source_key": (promotion.get("source_kms_key_arns") or [""])[0],
        "promotion_readers": list(raw["promotion_reader_role_arns"]),
        "job_image_registries": sorted(_job_registries(raw["image_registries"], env.region)),
    }


def _job_registries(listed: Sequence[str] | None, region: str) -> set[str]:
    """The registries job images may come from: env.hcl's image_registries (the registry accounts it
    names; an ECR repository ARN there is one repository, not a registry), else the region's AWS-owned ones."""
    if listed is not None:
        return {r for r in listed if re.fullmatch(r"\d{12}", r)}
    data = json.loads((REPO / "modules/_image_registries/aws_registries.json").read_text())
    return set((data["regions"].get(region) or {}).values())


# --- evaluation ----------------------------------------------------------------------------------------------


def defaults(request: flowlib.Request, inventory: Inventory) -> dict[str, Any]:
    """The global keys every authenticated request carries, as AWS sets them."""
    service = request.principal.endswith(".amazonaws.com")
    context: dict[str, Any] = {
        "aws:SecureTransport": "true",
        "aws:PrincipalIsAWSService": "true" if service else "false",
        "aws:ViaAWSService": "false",
        "aws:RequestedRegion": inventory.region,
    }
    if service:
        context["aws:PrincipalServiceName"] = request.principal
    else:
        context["aws:PrincipalArn"] = request.principal
        context["aws:PrincipalAccount"] = request.principal.split(":")[4]
        if ":role/" in request.principal:
            context["aws:PrincipalType"] = "AssumedRole"
    parts = (request.resource or "").split(":")
    resource_account = request.resource_account or (parts[4] if len(parts) > 4 else "") or inventory.account
    context["aws:ResourceAccount"] = resource_account
    if request.action.lower().startswith("sns:") and not service:
        # SNS's default topic policy tests AWS:SourceOwner; for a direct call it is the caller's
        # account (the reading the default policy is written for; AWS does not document the key).
        context["aws:SourceOwner"] = request.principal.split(":")[4]
    if request.via:
        endpoint = inventory.endpoints.get(request.via)
        if endpoint is None:
            raise flowlib.FlowError(
                f"flow {request.id!r} travels via {request.via!r}, an endpoint the env does not have"
            )
        context["aws:SourceVpce"] = endpoint.id
        context["aws:SourceVpc"] = inventory.facts.get("vpc_id", "")
    return context


def case_for(request: flowlib.Request, inventory: Inventory) -> Case:
    principal = request.principal
    service = principal.endswith(".amazonaws.com")
    identity: list[NamedPolicy] = []
    boundaries: list[NamedPolicy] = []
    if request.policies:
        missing = [arn for arn in request.policies if arn not in inventory.managed]
        if missing:
            raise flowlib.FlowError(f"flow {request.id!r}: the environment writes no managed policy {missing[0]}")
        identity = [inventory.managed[arn] for arn in request.policies]
    if request.boundary:
        if request.boundary not in inventory.managed:
            raise flowlib.FlowError(f"flow {request.id!r}: the environment writes no managed policy {request.boundary}")
        boundaries = [inventory.managed[request.boundary]]
    if "caller_allows" in request.assume:
        identity = [*identity, NamedPolicy("assumed: the caller's own account allows it", ALLOW_EVERYTHING)]
    elif request.policies:
        pass
    elif not service:
        if principal not in inventory.roles:
            raise flowlib.FlowError(
                f"flow {request.id!r}: {principal} is not a role this environment writes "
                "(an outside principal needs `assume: [caller_allows]`)"
            )
        identity = inventory.identity_policies(principal)
        boundaries = inventory.boundaries(principal)

    resource_policy = inventory.resource_policy(request.resource) if request.resource else None
    if "aws_owned_repository" in request.assume:
        resource_policy = NamedPolicy("assumed: AWS-owned repository", AWS_OWNED_REPOSITORY)
    elif "resource_allows" in request.assume:
        resource_policy = NamedPolicy(
            "assumed: the other account's resource policy allows it",
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "*", "Resource": "*"}],
            },
        )
    elif resource_policy is None and request.resource and request.resource.startswith(inventory.arn("sns", "")):
        # A topic of this account without a topic policy has SNS's default one, granted to the
        # account's principals through AWS:SourceOwner (set to the caller's account below).
        resource_policy = NamedPolicy(
            "SNS default topic policy", default_topic_policy(inventory.account, request.resource)
        )

    endpoint_policies = []
    if request.via:
        endpoint = inventory.endpoints[request.via]
        if endpoint.policy is not None:
            endpoint_policies.append(endpoint.policy)
    context = {**defaults(request, inventory), **request.context}
    in_account = not service and principal.split(":")[4] == inventory.account
    return Case(
        id=request.id,
        policies=[p.document for p in identity],
        names=[p.name for p in identity],
        request=Request(
            request.action,
            context,
            principal=principal,
            resource=request.resource,
            resource_account=context["aws:ResourceAccount"],
            region=inventory.region,
        ),
        # Organizations attaches FullAWSAccess to every root, OU and account unless removed (AWS
        # Organizations User Guide, "FullAWSAccess"); the environment's SCPs deny within it.
        scps=[ALLOW_EVERYTHING, *(p.document for p in inventory.scps)] if in_account and inventory.scps else (),
        resource_policy=resource_policy,
        boundaries=boundaries,
        endpoint_policies=endpoint_policies,
    )


@dataclass(frozen=True)
class Verdict:
    request: flowlib.Request
    result: str  # Allowed, ExplicitlyDenied, ImplicitlyDenied
    decided_by: tuple[str, ...]
    ignored: tuple[str, ...]

    @property
    def got(self) -> str:
        return "allow" if self.result == ALLOWED else "deny"

    @property
    def wrong(self) -> bool:
        return self.got != self.request.expect

    def line(self) -> str:
        r = self.request
        why = "; ".join(self.decided_by) or "no policy statement"
        dropped = sorted(set(self.ignored) & set(r.context))
        unheard = f"; the action does not send {', '.join(dropped)}" if dropped else ""
        return (
            f"WRONG {r.id}: {r.principal} {r.action} {r.resource or '(any)'}: expected {r.expect}, "
            f"got {self.result} (decided by {why}{unheard})"
        )


@dataclass
class Result:
    env: str
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def wrong(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.wrong]

    def lines(self, verbose: bool = False) -> list[str]:
        shown = self.verdicts if verbose else self.wrong
        out = []
        for v in shown:
            if v.wrong:
                out.append(v.line())
            else:
                out.append(f"ok    {v.request.id}: {v.request.expect} ({'; '.join(v.decided_by) or v.result})")
        out.append(f"access matrix {self.env}: {len(self.verdicts)} flows, {len(self.wrong)} wrong")
        return out


def evaluate(
    env_name: str,
    inventory: Inventory,
    flows: Sequence[flowlib.Flow],
    values: Mapping[str, Any],
    settings: Mapping[str, Any],
    *,
    catalogue: Path = CATALOGUE,
) -> Result:
    """Every flow that applies (settings), expanded (values), evaluated over the inventory."""
    requests = flowlib.expand(flows, values, settings, catalogue)
    cases = [case_for(r, inventory) for r in requests]
    outcomes = iam_simulate.evaluate(cases)
    return Result(
        env_name,
        [Verdict(r, o.result, o.decided_by, o.ignored_context_keys) for r, o in zip(requests, outcomes, strict=True)],
    )


def run(env_name: str, plans: Mapping[str, Mapping[str, Any]], catalogue: Path = CATALOGUE) -> Result:
    """Evaluate every flow of the catalogue that applies to env_name over its plans."""
    flows = flowlib.load(catalogue)
    env = load_environment(env_name)
    inventory = collect(env.account_id, env.region, plans)
    # The state bucket's policy is written by tools/state_bucket.py, not by a unit's plan.
    state_arn = f"arn:{inventory.partition}:s3:::{env.state_bucket}"
    inventory.resource_policies[state_arn] = NamedPolicy(
        f"bucket {env.state_bucket}", json.loads(state_bucket.tls_only_policy(env.state_bucket))
    )
    if inventory.unknown:
        raise InventoryError(
            f"{len(inventory.unknown)} polic(ies) or binding(s) known only after apply, first {inventory.unknown[0]}: "
            "build their ARNs from names so the plan shows them"
        )
    values = values_for(env_name, inventory)
    return evaluate(env_name, inventory, flows, values, settings(environment_settings(env_name)), catalogue=catalogue)


def evaluated_keys_dropped(result: Result) -> Sequence[Verdict]:
    """Verdicts where a context key the flow set never reached the policies (the action does not send it)."""
    return [v for v in result.verdicts if set(v.ignored) & set(v.request.context)]
