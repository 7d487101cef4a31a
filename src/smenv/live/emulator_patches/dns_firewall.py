"""Route 53 Resolver DNS Firewall: what modules/network/dns_firewall.tf makes."""

from __future__ import annotations

from smenv.live.emulator_patches import patch
from smenv.live.emulator_patches._moto import (
    _add_operations,
    _install,
)

# --- Route 53 Resolver DNS Firewall: what modules/network/dns_firewall.tf makes ---------------------
# moto 5.2.5's route53resolver has no DNS Firewall operation at all (NotImplementedError, a 500).
# The patches below keep each account's firewall, per region, beside moto's route53resolver backend
# and answer in the shapes of the Route 53 Resolver API reference
# (https://docs.aws.amazon.com/Route53/latest/APIReference/API_Operations_Amazon_Route_53_Resolver.html).
# AWS applies a change asynchronously: the call answers the transitional status (UPDATING,
# DELETING) and the resource reaches COMPLETE, or is gone, a little later. Here it is there at once:
# the next Get answers COMPLETE, or ResourceNotFoundException for what was deleted.


class _DnsFirewall:
    """One account's DNS Firewall in one region: each resource as its API answer, by id."""

    def __init__(self) -> None:
        self.domain_lists: dict[str, dict] = {}  # FirewallDomainList by id
        self.domains: dict[str, list[str]] = {}  # the domains of each list, by list id
        self.rule_groups: dict[str, dict] = {}  # FirewallRuleGroup by id
        self.rules: dict[str, list[dict]] = {}  # the FirewallRules of each rule group, by group id
        self.associations: dict[str, dict] = {}  # FirewallRuleGroupAssociation by id
        self.configs: dict[str, dict] = {}  # FirewallConfig by resource (VPC) id


def _dns_firewall(response) -> _DnsFirewall:
    backend = response.route53resolver_backend
    if not hasattr(backend, "smenv_dns_firewall"):
        backend.smenv_dns_firewall = _DnsFirewall()
    return backend.smenv_dns_firewall


def _firewall_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _firewall_new(response, kind: str, prefix: str) -> tuple[str, str]:
    """A new resource's id (rslvr-<prefix>-<16 hex>, as AWS makes them) and ARN."""
    from moto.moto_api._internal import mock_random
    from moto.utilities.utils import get_partition

    backend = response.route53resolver_backend
    resource_id = f"rslvr-{prefix}-{mock_random.get_random_hex(16)}"
    region = backend.region_name
    return (
        resource_id,
        f"arn:{get_partition(region)}:route53resolver:{region}:{backend.account_id}:{kind}/{resource_id}",
    )


def _firewall_find(resources: dict[str, dict], resource_id: str | None) -> dict:
    """The resource, or the ResourceNotFoundException AWS answers for an id it does not hold."""
    from moto.route53resolver.exceptions import ResourceNotFoundException

    if resource_id not in resources:
        raise ResourceNotFoundException(f"Can't find the resource with ID '{resource_id}'.")
    return resources[resource_id]


def _firewall_by_request(resources: dict[str, dict], request_id: str | None) -> dict | None:
    """CreatorRequestId makes a create idempotent: a retried request answers what it made the first time."""
    return next((r for r in resources.values() if r.get("CreatorRequestId") == request_id), None)


def _firewall_tags(response, arn: str, tags: list[dict] | None) -> None:
    """Tag a resource being created, as TagResource would (ValidationException for bad tags)."""
    from moto.route53resolver.exceptions import TagValidationException

    backend = response.route53resolver_backend
    if tags:
        error = backend.tagger.validate_tags(tags, limit=200)
        if error:
            raise TagValidationException(error)
        backend.tagger.tag_resource(arn, tags)


def _firewall_page(response, key: str, items: list, unique: str, **scope: object) -> str:
    """One page of a List call: MaxResults items (100 unless asked), NextToken when more remain."""
    import json

    from moto.route53resolver.exceptions import InvalidNextTokenException
    from moto.utilities.paginator import Paginator

    page, token = Paginator(
        max_results=response._get_param("MaxResults"),
        max_results_default=100,
        starting_token=response._get_param("NextToken"),
        unique_attribute=unique,
        param_values_to_check=scope,
        # moto raises the class given (paginator.py), although it annotates a bool
        fail_on_invalid_token=InvalidNextTokenException,  # type: ignore[arg-type]
    ).paginate(items)
    return json.dumps({key: page, **({"NextToken": token} if token else {})})


def _fqdn(domain: str) -> str:
    return domain if domain.endswith(".") else f"{domain}."


@patch(
    gap="no DNS Firewall domain lists: `CreateFirewallDomainList`, `UpdateFirewallDomains`, "
    "`GetFirewallDomainList`, `ListFirewallDomains`, `ListFirewallDomainLists`, `DeleteFirewallDomainList` "
    "fail (500)",
    effect="`modules/network`'s DNS Firewall cannot be applied (the patch keeps each domain with the trailing "
    "dot AWS appends: a domain written without one is planned again every run, as against AWS)",
)
def route53resolver_firewall_domain_lists() -> None:
    """moto has no DNS Firewall domain lists: CreateFirewallDomainList, UpdateFirewallDomains,
    GetFirewallDomainList, ListFirewallDomains, ListFirewallDomainLists, DeleteFirewallDomainList all
    fail (500). Here, as AWS answers them: a list is created COMPLETE with no domains;
    UpdateFirewallDomains ADDs, REMOVEs or REPLACEs its domains and answers UPDATING, the list is
    COMPLETE again at once with its DomainCount; every domain is kept fully qualified, with the
    trailing dot AWS appends ("example.com" is listed as "example.com."; hashicorp/terraform-provider-aws
    #23543, and the provider's own tests write domains that way); ListFirewallDomains pages.
    DeleteFirewallDomainList answers DELETING and the list is gone (ResourceNotFoundException after);
    a list a rule still uses is refused (ConflictException). An unknown id is
    ResourceNotFoundException. ListFirewallDomainLists lists the account's own lists (AWS also lists
    its managed ones, which nothing here uses)."""
    import json

    from moto.route53resolver.exceptions import RRValidationException
    from moto.route53resolver.responses import Route53ResolverResponse

    def create_firewall_domain_list(self) -> str:
        firewall = _dns_firewall(self)
        request_id = self._get_param("CreatorRequestId")
        domain_list = _firewall_by_request(firewall.domain_lists, request_id)
        if domain_list is None:
            list_id, arn = _firewall_new(self, "firewall-domain-list", "fdl")
            _firewall_tags(self, arn, self._get_param("Tags"))
            now = _firewall_now()
            domain_list = firewall.domain_lists[list_id] = {
                "Id": list_id,
                "Arn": arn,
                "Name": self._get_param("Name"),
                "DomainCount": 0,
                "Status": "COMPLETE",
                "StatusMessage": "Created Firewall Domain List",
                "CreatorRequestId": request_id,
                "CreationTime": now,
                "ModificationTime": now,
            }
            firewall.domains[list_id] = []
        return json.dumps({"FirewallDomainList": domain_list})

    def update_firewall_domains(self) -> str:
        firewall = _dns_firewall(self)
        domain_list = _firewall_find(firewall.domain_lists, self._get_param("FirewallDomainListId"))
        operation = self._get_param("Operation")
        given = list(dict.fromkeys(_fqdn(d) for d in self._get_param("Domains") or []))
        current = firewall.domains[domain_list["Id"]]
        if operation == "ADD":
            domains = current + [d for d in given if d not in current]
        elif operation == "REMOVE":
            domains = [d for d in current if d not in given]
        elif operation == "REPLACE":
            domains = given
        else:
            raise RRValidationException([("operation", operation, "satisfy enum value set: [ADD, REMOVE, REPLACE]")])
        firewall.domains[domain_list["Id"]] = domains
        domain_list.update(
            DomainCount=len(domains),
            Status="COMPLETE",
            StatusMessage="Finished domain list update",
            ModificationTime=_firewall_now(),
        )
        return json.dumps(
            {
                "Id": domain_list["Id"],
                "Name": domain_list["Name"],
                "Status": "UPDATING",
                "StatusMessage": "Updating the Firewall Domain List",
            }
        )

    def get_firewall_domain_list(self) -> str:
        firewall = _dns_firewall(self)
        domain_list = _firewall_find(firewall.domain_lists, self._get_param("FirewallDomainListId"))
        return json.dumps({"FirewallDomainList": domain_list})

    def list_firewall_domains(self) -> str:
        firewall = _dns_firewall(self)
        list_id = _firewall_find(firewall.domain_lists, self._get_param("FirewallDomainListId"))["Id"]
        return _firewall_page(self, "Domains", firewall.domains[list_id], "", list_id=list_id)

    def list_firewall_domain_lists(self) -> str:
        fields = ("Id", "Arn", "Name", "CreatorRequestId")
        lists = [{f: d[f] for f in fields} for d in _dns_firewall(self).domain_lists.values()]
        return _firewall_page(self, "FirewallDomainLists", lists, "Id")

    def delete_firewall_domain_list(self) -> str:
        from moto.core.exceptions import JsonRESTError

        firewall = _dns_firewall(self)
        domain_list = _firewall_find(firewall.domain_lists, self._get_param("FirewallDomainListId"))
        in_use = [
            r for rules in firewall.rules.values() for r in rules if r["FirewallDomainListId"] == domain_list["Id"]
        ]
        if in_use:
            raise JsonRESTError(
                "ConflictException",
                f"The firewall domain list '{domain_list['Id']}' is used by a firewall rule in rule group "
                f"'{in_use[0]['FirewallRuleGroupId']}'. Delete the rule first.",
            )
        del firewall.domain_lists[domain_list["Id"]], firewall.domains[domain_list["Id"]]
        self.route53resolver_backend.tagger.delete_all_tags_for_resource(domain_list["Arn"])
        return json.dumps(
            {
                "FirewallDomainList": {
                    **domain_list,
                    "Status": "DELETING",
                    "StatusMessage": "Deleting the Firewall Domain List",
                }
            }
        )

    _add_operations(
        Route53ResolverResponse,
        "route53resolver_firewall_domain_lists",
        [
            create_firewall_domain_list,
            update_firewall_domains,
            get_firewall_domain_list,
            list_firewall_domains,
            list_firewall_domain_lists,
            delete_firewall_domain_list,
        ],
    )


# The fields of a FirewallRule that CreateFirewallRule and UpdateFirewallRule take as given.
_FIREWALL_RULE_FIELDS = (
    "Name",
    "Priority",
    "Action",
    "BlockResponse",
    "BlockOverrideDomain",
    "BlockOverrideDnsType",
    "BlockOverrideTtl",
    "FirewallDomainRedirectionAction",
    "Qtype",
    "DnsThreatProtection",
    "ConfidenceThreshold",
)


def _firewall_rule_group(response) -> dict:
    return _firewall_find(_dns_firewall(response).rule_groups, response._get_param("FirewallRuleGroupId"))


@patch(
    gap="no DNS Firewall rule groups: `CreateFirewallRuleGroup`, `GetFirewallRuleGroup`, "
    "`ListFirewallRuleGroups`, `DeleteFirewallRuleGroup` fail (500)",
    effect="the network unit's rule group cannot be applied",
)
def route53resolver_firewall_rule_groups() -> None:
    """moto has no DNS Firewall rule groups: CreateFirewallRuleGroup, GetFirewallRuleGroup,
    ListFirewallRuleGroups and DeleteFirewallRuleGroup fail (500). Here, as AWS answers them: a rule
    group is created COMPLETE, NOT_SHARED, owned by the caller, and counts its rules (RuleCount).
    DeleteFirewallRuleGroup answers DELETING and the group is gone (ResourceNotFoundException
    after); a group still associated with a VPC is refused (ConflictException). An unknown id is
    ResourceNotFoundException."""
    import json

    from moto.core.exceptions import JsonRESTError
    from moto.route53resolver.responses import Route53ResolverResponse

    def create_firewall_rule_group(self) -> str:
        firewall = _dns_firewall(self)
        request_id = self._get_param("CreatorRequestId")
        group = _firewall_by_request(firewall.rule_groups, request_id)
        if group is None:
            group_id, arn = _firewall_new(self, "firewall-rule-group", "frg")
            _firewall_tags(self, arn, self._get_param("Tags"))
            now = _firewall_now()
            group = firewall.rule_groups[group_id] = {
                "Id": group_id,
                "Arn": arn,
                "Name": self._get_param("Name"),
                "RuleCount": 0,
                "Status": "COMPLETE",
                "StatusMessage": "Created Firewall Rule Group",
                "OwnerId": self.route53resolver_backend.account_id,
                "CreatorRequestId": request_id,
                "ShareStatus": "NOT_SHARED",
                "CreationTime": now,
                "ModificationTime": now,
            }
            firewall.rules[group_id] = []
        return json.dumps({"FirewallRuleGroup": group})

    def get_firewall_rule_group(self) -> str:
        return json.dumps({"FirewallRuleGroup": _firewall_rule_group(self)})

    def list_firewall_rule_groups(self) -> str:
        fields = ("Id", "Arn", "Name", "OwnerId", "CreatorRequestId", "ShareStatus")
        groups = [{f: g[f] for f in fields} for g in _dns_firewall(self).rule_groups.values()]
        return _firewall_page(self, "FirewallRuleGroups", groups, "Id")

    def delete_firewall_rule_group(self) -> str:
        firewall, group = _dns_firewall(self), _firewall_rule_group(self)
        associated = [a for a in firewall.associations.values() if a["FirewallRuleGroupId"] == group["Id"]]
        if associated:
            raise JsonRESTError(
                "ConflictException",
                f"The firewall rule group '{group['Id']}' is associated with VPC '{associated[0]['VpcId']}'. "
                "Disassociate it first.",
            )
        del firewall.rule_groups[group["Id"]], firewall.rules[group["Id"]]
        self.route53resolver_backend.tagger.delete_all_tags_for_resource(group["Arn"])
        return json.dumps(
            {"FirewallRuleGroup": {**group, "Status": "DELETING", "StatusMessage": "Deleting the Firewall Rule Group"}}
        )

    _add_operations(
        Route53ResolverResponse,
        "route53resolver_firewall_rule_groups",
        [create_firewall_rule_group, get_firewall_rule_group, list_firewall_rule_groups, delete_firewall_rule_group],
    )


@patch(
    gap="no DNS Firewall rules: `CreateFirewallRule`, `ListFirewallRules`, `UpdateFirewallRule`, "
    "`DeleteFirewallRule` fail (500)",
    effect="the allow and block rules cannot be applied",
)
def route53resolver_firewall_rules() -> None:
    """moto has no DNS Firewall rules: CreateFirewallRule, ListFirewallRules, UpdateFirewallRule and
    DeleteFirewallRule fail (500). Here, as AWS answers them: a rule names its rule group and domain
    list (an unknown one is ResourceNotFoundException), takes FirewallDomainRedirectionAction
    INSPECT_REDIRECTION_DOMAIN unless told, and a BLOCK rule needs a BlockResponse
    (ValidationException); ListFirewallRules lists a group's rules by priority (optionally only one
    Priority or Action), and pages; a rule is updated or deleted by its group and domain list (and
    Qtype), and a rule that is not there is ResourceNotFoundException."""
    import json

    from moto.core.exceptions import JsonRESTError
    from moto.route53resolver.exceptions import ResourceNotFoundException
    from moto.route53resolver.responses import Route53ResolverResponse

    def rule_of(self) -> dict:
        group, list_id, qtype = (
            _firewall_rule_group(self),
            self._get_param("FirewallDomainListId"),
            self._get_param("Qtype"),
        )
        for rule in _dns_firewall(self).rules[group["Id"]]:
            if rule["FirewallDomainListId"] == list_id and (qtype is None or rule.get("Qtype") == qtype):
                return rule
        raise ResourceNotFoundException(
            f"Can't find the firewall rule for domain list '{list_id}' in rule group '{group['Id']}'."
        )

    def check_block_response(rule: dict) -> None:
        if rule.get("Action") == "BLOCK" and not rule.get("BlockResponse"):
            raise JsonRESTError("ValidationException", "BlockResponse is required when the rule's Action is BLOCK.")

    def counted(self, group: dict) -> None:
        group.update(RuleCount=len(_dns_firewall(self).rules[group["Id"]]), ModificationTime=_firewall_now())

    def create_firewall_rule(self) -> str:
        firewall, group = _dns_firewall(self), _firewall_rule_group(self)
        rules = firewall.rules[group["Id"]]
        request_id = self._get_param("CreatorRequestId")
        rule = next((r for r in rules if r["CreatorRequestId"] == request_id), None)
        if rule is None:
            list_id = _firewall_find(firewall.domain_lists, self._get_param("FirewallDomainListId"))["Id"]
            now = _firewall_now()
            rule = {
                "FirewallRuleGroupId": group["Id"],
                "FirewallDomainListId": list_id,
                "FirewallDomainRedirectionAction": "INSPECT_REDIRECTION_DOMAIN",
                **{f: self._get_param(f) for f in _FIREWALL_RULE_FIELDS if self._get_param(f) is not None},
                "CreatorRequestId": request_id,
                "CreationTime": now,
                "ModificationTime": now,
            }
            check_block_response(rule)
            rules.append(rule)
            counted(self, group)
        return json.dumps({"FirewallRule": rule})

    def list_firewall_rules(self) -> str:
        group = _firewall_rule_group(self)
        priority, action = self._get_param("Priority"), self._get_param("Action")
        rules = sorted(
            (
                r
                for r in _dns_firewall(self).rules[group["Id"]]
                if priority in (None, r.get("Priority")) and action in (None, r.get("Action"))
            ),
            key=lambda r: r.get("Priority", 0),
        )
        return _firewall_page(
            self, "FirewallRules", rules, "CreatorRequestId", group=group["Id"], priority=priority, action=action
        )

    def update_firewall_rule(self) -> str:
        rule = rule_of(self)
        changed = {**rule, **{f: self._get_param(f) for f in _FIREWALL_RULE_FIELDS if self._get_param(f) is not None}}
        check_block_response(changed)
        rule.update(changed, ModificationTime=_firewall_now())
        return json.dumps({"FirewallRule": rule})

    def delete_firewall_rule(self) -> str:
        group, rule = _firewall_rule_group(self), rule_of(self)
        _dns_firewall(self).rules[group["Id"]].remove(rule)
        counted(self, group)
        return json.dumps({"FirewallRule": rule})

    _add_operations(
        Route53ResolverResponse,
        "route53resolver_firewall_rules",
        [create_firewall_rule, list_firewall_rules, update_firewall_rule, delete_firewall_rule],
    )


@patch(
    gap="no rule group associations: `AssociateFirewallRuleGroup`, `GetFirewallRuleGroupAssociation`, "
    "`UpdateFirewallRuleGroupAssociation`, `ListFirewallRuleGroupAssociations`, "
    "`DisassociateFirewallRuleGroup` fail (500)",
    effect="the firewall cannot be put on the VPC (the patch, as AWS, refuses to disassociate one under "
    "mutation protection)",
)
def route53resolver_firewall_rule_group_associations() -> None:
    """moto cannot associate a DNS Firewall rule group with a VPC: AssociateFirewallRuleGroup,
    GetFirewallRuleGroupAssociation, UpdateFirewallRuleGroupAssociation, ListFirewallRuleGroupAssociations
    and DisassociateFirewallRuleGroup all fail (500). Here, as AWS answers them: Associate answers
    UPDATING and the association is COMPLETE at once (MutationProtection DISABLED unless asked); an
    unknown rule group or VPC is ResourceNotFoundException, the same group twice on a VPC or a
    priority the VPC already uses is ConflictException; Update answers UPDATING with the new name,
    priority or mutation protection. Disassociate answers DELETING and the association is gone
    (ResourceNotFoundException after), but one under mutation protection is refused with AWS's
    ValidationException ("[RSLVR-02307] ... under mutation protection", hashicorp/terraform-provider-aws
    #21278): the protection must be turned off first."""
    import json

    from moto.core.exceptions import JsonRESTError
    from moto.route53resolver.exceptions import ResourceNotFoundException
    from moto.route53resolver.responses import Route53ResolverResponse

    def association_of(self) -> dict:
        association_id = self._get_param("FirewallRuleGroupAssociationId")
        return _firewall_find(_dns_firewall(self).associations, association_id)

    def check_priority(self, vpc_id: str, priority: int, association_id: str | None = None) -> None:
        for other in _dns_firewall(self).associations.values():
            if other["VpcId"] == vpc_id and other["Priority"] == priority and other["Id"] != association_id:
                raise JsonRESTError(
                    "ConflictException",
                    f"The priority {priority} is already used by firewall rule group association '{other['Id']}' "
                    f"on VPC '{vpc_id}'.",
                )

    def associate_firewall_rule_group(self) -> str:
        firewall = _dns_firewall(self)
        request_id = self._get_param("CreatorRequestId")
        association = _firewall_by_request(firewall.associations, request_id)
        if association is None:
            group = _firewall_find(firewall.rule_groups, self._get_param("FirewallRuleGroupId"))
            vpc_id, priority = self._get_param("VpcId"), self._get_param("Priority")
            if vpc_id not in self.route53resolver_backend.ec2_backend.vpcs:
                raise ResourceNotFoundException(f"The VPC '{vpc_id}' does not exist.")
            if any(
                a["VpcId"] == vpc_id and a["FirewallRuleGroupId"] == group["Id"] for a in firewall.associations.values()
            ):
                raise JsonRESTError(
                    "ConflictException",
                    f"The firewall rule group '{group['Id']}' is already associated with VPC '{vpc_id}'.",
                )
            check_priority(self, vpc_id, priority)
            association_id, arn = _firewall_new(self, "firewall-rule-group-association", "frgassoc")
            _firewall_tags(self, arn, self._get_param("Tags"))
            now = _firewall_now()
            association = firewall.associations[association_id] = {
                "Id": association_id,
                "Arn": arn,
                "FirewallRuleGroupId": group["Id"],
                "VpcId": vpc_id,
                "Name": self._get_param("Name"),
                "Priority": priority,
                "MutationProtection": self._get_param("MutationProtection") or "DISABLED",
                "Status": "COMPLETE",
                "StatusMessage": "Finished rule group association update",
                "CreatorRequestId": request_id,
                "CreationTime": now,
                "ModificationTime": now,
            }
            return json.dumps(
                {
                    "FirewallRuleGroupAssociation": {
                        **association,
                        "Status": "UPDATING",
                        "StatusMessage": "Creating Firewall Rule Group Association",
                    }
                }
            )
        return json.dumps({"FirewallRuleGroupAssociation": association})

    def get_firewall_rule_group_association(self) -> str:
        return json.dumps({"FirewallRuleGroupAssociation": association_of(self)})

    def update_firewall_rule_group_association(self) -> str:
        association = association_of(self)
        changes = {f: self._get_param(f) for f in ("Name", "Priority", "MutationProtection")}
        changes = {f: v for f, v in changes.items() if v is not None}
        if "Priority" in changes:
            check_priority(self, association["VpcId"], changes["Priority"], association["Id"])
        association.update(changes, ModificationTime=_firewall_now())
        return json.dumps(
            {
                "FirewallRuleGroupAssociation": {
                    **association,
                    "Status": "UPDATING",
                    "StatusMessage": "Updating the Firewall Rule Group Association Attributes",
                }
            }
        )

    def disassociate_firewall_rule_group(self) -> str:
        association = association_of(self)
        if association["MutationProtection"] == "ENABLED":
            raise JsonRESTError(
                "ValidationException",
                "[RSLVR-02307] The DNS Firewall rule group association is under mutation protection. "
                "Remove the mutation protection and try again.",
            )
        del _dns_firewall(self).associations[association["Id"]]
        self.route53resolver_backend.tagger.delete_all_tags_for_resource(association["Arn"])
        return json.dumps(
            {
                "FirewallRuleGroupAssociation": {
                    **association,
                    "Status": "DELETING",
                    "StatusMessage": "Deleting the Firewall Rule Group Association",
                }
            }
        )

    def list_firewall_rule_group_associations(self) -> str:
        wanted = {f: self._get_param(f) for f in ("FirewallRuleGroupId", "VpcId", "Priority", "Status")}
        wanted = {f: v for f, v in wanted.items() if v is not None}
        associations = [
            a for a in _dns_firewall(self).associations.values() if all(a.get(f) == v for f, v in wanted.items())
        ]
        return _firewall_page(self, "FirewallRuleGroupAssociations", associations, "Id", **wanted)

    _add_operations(
        Route53ResolverResponse,
        "route53resolver_firewall_rule_group_associations",
        [
            associate_firewall_rule_group,
            get_firewall_rule_group_association,
            update_firewall_rule_group_association,
            disassociate_firewall_rule_group,
            list_firewall_rule_group_associations,
        ],
    )


@patch(
    gap="no `GetFirewallConfig`, `UpdateFirewallConfig`, `ListFirewallConfigs` (500)",
    effect="the VPC's fail-closed setting cannot be applied",
)
def route53resolver_firewall_config() -> None:
    """moto has no DNS Firewall configuration: GetFirewallConfig, UpdateFirewallConfig and
    ListFirewallConfigs fail (500). Here, as AWS answers them: every VPC of the account has a
    configuration (id rslvr-fc-..., FirewallFailOpen DISABLED until changed), made when first read
    or updated; UpdateFirewallConfig sets FirewallFailOpen (ENABLED, DISABLED or
    USE_LOCAL_RESOURCE_SETTING, else ValidationException); an unknown VPC is ResourceNotFoundException.
    ListFirewallConfigs lists those configurations, and pages."""
    import json

    from moto.route53resolver.exceptions import ResourceNotFoundException, RRValidationException
    from moto.route53resolver.responses import Route53ResolverResponse

    def config_of(self) -> dict:
        from moto.moto_api._internal import mock_random

        backend, resource_id = self.route53resolver_backend, self._get_param("ResourceId")
        if resource_id not in backend.ec2_backend.vpcs:
            raise ResourceNotFoundException(f"The VPC '{resource_id}' does not exist.")
        configs = _dns_firewall(self).configs
        if resource_id not in configs:
            configs[resource_id] = {
                "Id": f"rslvr-fc-{mock_random.get_random_hex(16)}",
                "ResourceId": resource_id,
                "OwnerId": backend.account_id,
                "FirewallFailOpen": "DISABLED",
            }
        return configs[resource_id]

    def get_firewall_config(self) -> str:
        return json.dumps({"FirewallConfig": config_of(self)})

    def update_firewall_config(self) -> str:
        fail_open = self._get_param("FirewallFailOpen")
        if fail_open not in ("ENABLED", "DISABLED", "USE_LOCAL_RESOURCE_SETTING"):
            allowed = "satisfy enum value set: [ENABLED, DISABLED, USE_LOCAL_RESOURCE_SETTING]"
            raise RRValidationException([("firewallFailOpen", fail_open, allowed)])
        config = config_of(self)
        config["FirewallFailOpen"] = fail_open
        return json.dumps({"FirewallConfig": config})

    def list_firewall_configs(self) -> str:
        return _firewall_page(self, "FirewallConfigs", list(_dns_firewall(self).configs.values()), "Id")

    _add_operations(
        Route53ResolverResponse,
        "route53resolver_firewall_config",
        [get_firewall_config, update_firewall_config, list_firewall_configs],
    )


@patch(
    gap="route53resolver's tag calls know only resolver endpoints and rules: on a firewall domain list, rule "
    "group or association they answer `ResourceNotFoundException`",
    effect="the provider's default tags on them can be neither read nor changed",
)
def route53resolver_firewall_tags() -> None:
    """moto's route53resolver TagResource, UntagResource and ListTagsForResource know only resolver
    endpoints and rules: on a DNS Firewall domain list, rule group or rule group association they
    answer ResourceNotFoundException, so the provider's default tags can be neither read nor changed.
    Here those ARNs are known too (while the resource exists), and the calls answer as AWS does."""
    from moto.route53resolver.models import Route53ResolverBackend

    def make(matched_arn):
        def _matched_arn(self, resource_arn: str) -> None:
            firewall = getattr(self, "smenv_dns_firewall", None)
            if firewall is not None:
                for resources in (firewall.domain_lists, firewall.rule_groups, firewall.associations):
                    if any(r["Arn"] == resource_arn for r in resources.values()):
                        return
            matched_arn(self, resource_arn)

        return _matched_arn

    _install(Route53ResolverBackend, "_matched_arn", make)
