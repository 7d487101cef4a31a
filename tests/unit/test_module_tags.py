"""Every module takes `tags`, and puts them on everything it creates that takes tags.

The provider's default_tags (root.hcl) mark what Terraform makes; a caller adds its own per module
(a cost centre, say) with the module's `tags`, which the module merges under its own keys (Name,
team, smenv:inference win). Read from the modules' .tf files with python-hcl2: no plan, no provider.
tests/plan/test_module_tags_plan.py checks what a plan makes of it, for a few modules.

Internal modules (modules/_*) take `tags` only when they create resources: one that only computes
(policy documents, data files) would have nothing to put them on.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2.utils import SerializationOptions

from smenv_testing import REPO

MODULES = REPO / "modules"

# Every resource type the modules create, by whether the AWS provider (5.x) gives it a `tags`
# argument. A type in neither set fails test_every_resource_type_is_known_to_take_tags_or_not: decide.
TAKES_TAGS = frozenset({
    "aws_appautoscaling_target", "aws_cloudtrail", "aws_cloudwatch_event_rule", "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm", "aws_default_security_group", "aws_eip", "aws_flow_log", "aws_iam_policy",
    "aws_iam_role", "aws_internet_gateway", "aws_kms_key", "aws_lambda_function", "aws_nat_gateway",
    "aws_organizations_policy", "aws_route53_resolver_firewall_domain_list", "aws_route53_resolver_firewall_rule_group",
    "aws_route53_resolver_firewall_rule_group_association", "aws_route_table", "aws_s3_bucket",
    "aws_sagemaker_domain", "aws_sagemaker_endpoint", "aws_sagemaker_endpoint_configuration", "aws_sagemaker_model",
    "aws_sagemaker_model_package_group", "aws_sagemaker_notebook_instance",
    "aws_sagemaker_notebook_instance_lifecycle_configuration", "aws_sagemaker_space",
    "aws_sagemaker_studio_lifecycle_config", "aws_sagemaker_user_profile", "aws_security_group", "aws_sns_topic",
    "aws_sqs_queue", "aws_ssm_parameter", "aws_subnet", "aws_vpc", "aws_vpc_endpoint",
    "aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule",
})  # fmt: skip
TAKES_NO_TAGS = frozenset({
    "aws_appautoscaling_policy", "aws_cloudwatch_event_target", "aws_iam_role_policy",
    "aws_iam_role_policy_attachment", "aws_kms_alias", "aws_lambda_function_event_invoke_config",
    "aws_lambda_function_url", "aws_lambda_permission", "aws_organizations_policy_attachment", "aws_route",
    "aws_route53_resolver_firewall_config", "aws_route53_resolver_firewall_rule", "aws_route_table_association",
    "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_logging", "aws_s3_bucket_notification",
    "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning",
    "aws_sagemaker_model_package_group_policy", "aws_sns_topic_policy", "aws_sns_topic_subscription",
    "aws_sqs_queue_policy",
})  # fmt: skip

# How a resource (or a module call) is given the tags: var.tags itself; merged first, so that the
# module's own keys win (merge(var.tags, { Name = ... })); or var.tags when any, else none, for the
# resources whose provider tells an empty map from none (a security group rule: {} would change every
# rule made before var.tags).
GIVEN_TAGS = re.compile(
    r"^\$\{(var\.tags|merge\(var\.tags,.*\)|length\(var\.tags\) > 0 \? var\.tags : null)\}$", re.DOTALL
)
LOCAL = re.compile(r"^\$\{local\.([A-Za-z0-9_]+)\}$")


def module_names() -> list[str]:
    return sorted(p.name for p in MODULES.iterdir() if p.is_dir() and any(p.glob("*.tf")))


@cache
def parsed(module: str) -> dict[str, list[Any]]:
    """Every top-level block of the module's .tf files, by block type (variable, resource, locals, module)."""
    blocks: dict[str, list[Any]] = {}
    for path in sorted((MODULES / module).glob("*.tf")):
        content = hcl2.loads(path.read_text(), serialization_options=SerializationOptions(strip_string_quotes=True))
        for kind, entries in content.items():
            blocks.setdefault(kind, []).extend(entries)
    return blocks


def resources(module: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (type_, name, body)
        for entry in parsed(module).get("resource", [])
        for type_, named in entry.items()
        for name, body in named.items()
    ]


def variables(module: str) -> dict[str, dict[str, Any]]:
    return {name: body for entry in parsed(module).get("variable", []) for name, body in entry.items()}


def locals_of(module: str) -> dict[str, Any]:
    return {name: value for block in parsed(module).get("locals", []) for name, value in block.items()}


def takes_tags(module: str) -> bool:
    """Every top-level module does; an internal one when it creates resources."""
    return not module.startswith("_") or bool(resources(module))


def given_tags(module: str, expression: Any) -> bool:
    """The expression is one of GIVEN_TAGS, directly or through a local of the module."""
    if not isinstance(expression, str):
        return False
    if GIVEN_TAGS.match(expression):
        return True
    if match := LOCAL.match(expression):
        value = locals_of(module).get(match.group(1))
        return isinstance(value, str) and bool(GIVEN_TAGS.match(value))
    return False


TAKING = [m for m in module_names() if takes_tags(m)]


@pytest.mark.parametrize("module", TAKING)
def test_the_module_declares_tags_a_map_of_strings_empty_by_default_never_null(module):
    # Given a module that creates resources (every module but the internal ones that only compute)
    declared = variables(module)
    # When its variables are read
    assert "tags" in declared, f'modules/{module} declares no variable "tags"'
    tags = declared["tags"]
    # Then `tags` is a map of strings, empty unless given, never null (null takes the default), and
    # says what it adds to
    assert tags.get("type") == "${map(string)}", tags.get("type")
    assert tags.get("default") == {}
    assert tags.get("nullable") is False, f"modules/{module}: var.tags needs nullable = false"
    assert "default_tags" in tags.get("description", "")


@pytest.mark.parametrize("module", [m for m in module_names() if not takes_tags(m)])
def test_an_internal_module_that_creates_nothing_takes_no_tags(module):
    # Given an internal module without resources (policy documents, a data file), when its variables
    # are read, then none is `tags`: there would be nothing to put them on
    assert "tags" not in variables(module)


@pytest.mark.parametrize("module", TAKING)
def test_every_resource_that_takes_tags_is_given_the_modules_tags(module):
    # Given every resource of the module whose type takes tags
    untagged = [
        f"{type_}.{name}: tags = {body.get('tags')!r}"
        for type_, name, body in resources(module)
        if type_ in TAKES_TAGS and not given_tags(module, body.get("tags"))
    ]
    # Then each is given var.tags (merged first under the module's own keys, where it has some)
    assert not untagged, f"modules/{module}: give these tags = var.tags or merge(var.tags, {{...}}):\n" + "\n".join(
        f"  {u}" for u in untagged
    )


@pytest.mark.parametrize("module", module_names())
def test_every_call_of_an_internal_module_that_takes_tags_passes_them_down(module):
    # Given the module's calls of internal modules (source ../_name) that take tags
    calls = [
        (name, body)
        for entry in parsed(module).get("module", [])
        for name, body in entry.items()
        if str(body.get("source", "")).startswith("../_")
    ]
    missing = [
        name
        for name, body in calls
        if takes_tags(Path(body["source"]).name) and not given_tags(module, body.get("tags"))
    ]
    # Then each call passes this module's tags on
    assert not missing, f"modules/{module}: pass tags = var.tags to module(s) {missing}"


def test_every_resource_type_is_known_to_take_tags_or_not():
    # Given every resource type the modules create
    types = {type_ for module in module_names() for type_, _, _ in resources(module)}
    # Then each is classified above, so that a new type is a decision (and the two sets do not overlap)
    assert not TAKES_TAGS & TAKES_NO_TAGS
    unknown = sorted(types - TAKES_TAGS - TAKES_NO_TAGS)
    assert not unknown, f"add to TAKES_TAGS or TAKES_NO_TAGS (the provider's docs say which): {unknown}"
