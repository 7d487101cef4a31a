"""Pure decisions: is a SageMaker resource inside the secure environment, and what should happen to it?

Everything here works on plain dicts shaped like the Describe* answers, and returns rule ids
that findings and alarms rely on (keep them stable; add new ones at the end of RULES):

| rule id | meaning |
| --- | --- |
| vpc.required | not attached to a VPC (no VpcConfig, or one without subnets or security groups) |
| vpc.model_not_found | a transform job, endpoint configuration or endpoint whose model is gone: its network cannot be verified (fails closed) |
| vpc.subnet_not_approved | a subnet outside APPROVED_SUBNET_IDS |
| vpc.security_group_not_approved | a security group outside APPROVED_SECURITY_GROUP_IDS |
| kms.volume | the ML storage volume is not encrypted with a customer KMS key; a job only on local-storage instance types needs none (below) |
| kms.output | the output written to S3 (or an endpoint's data capture) is not encrypted with a customer KMS key |
| encryption.inter_container | training traffic between containers is not encrypted |
| notebook.direct_internet_access | the notebook has direct internet access |
| notebook.root_access | users have root on the notebook |
| vpc.model_replaced | a transform job whose model was created after the job: the model it runs was deleted and replaced, so its network cannot be verified (fails closed) |
| vpc.endpoint_config_not_found | an endpoint whose endpoint configuration is gone: what it serves cannot be verified (fails closed) |
| vpc.job_definition_not_found | a monitoring schedule whose job definition is gone (fails closed) |
| vpc.domain_not_found | a Studio app whose domain is gone (fails closed) |
| notebook.imds_v1 | the notebook allows IMDSv1 (MinimumInstanceMetadataServiceVersion is not 2; AWS's default is 1) |
| notebook.lifecycle_config_not_approved | a notebook, or a notebook lifecycle configuration, outside APPROVED_LIFECYCLE_CONFIGS (lifecycle scripts run as root whatever RootAccess says) |
| notebook.lifecycle_config_unmanaged | a notebook lifecycle configuration created or updated (CloudTrail) by a principal outside TERRAFORM_ROLE_ARNS |
| studio.public_internet | a Studio domain (or an app in it) with AppNetworkAccessType PublicInternetOnly, AWS's default |
| studio.lifecycle_config_not_approved | a Studio app started with a lifecycle configuration outside APPROVED_STUDIO_LIFECYCLE_CONFIGS |
| labeling.external_workforce | a labeling job whose work team is not a private work team of the job's own account (the public crowd or a vendor sees the data) |
| vpc.team_group_mismatch | work running as a team's execution role (a role in TEAM_SECURITY_GROUPS) in a security group that is not one of that role's: another team's group admits that team's members (role_groups below) |
| kms.key_not_approved | a KMS key outside APPROVED_KMS_KEY_ARNS (the AWS managed aws/sagemaker key, another account's key, or any alias: key_not_approved below) |
| endpoint.ssm_access | an endpoint configuration variant (production or shadow) with EnableSSMAccess: a shell into the inference container through Systems Manager, from wherever the caller sits; SageMaker sends no condition key for it, so only this rule sees it |
| model_package.validation | a model package registered with a ValidationSpecification: a validation transform job SageMaker runs outside the VPC (evaluate_model_package) |

The kinds of resource the enforcer judges (KINDS; `kind` is the ARN's resource type), what it
reads, and how it responds to a violation (the handler's response table, handler.py, acts on `response`):

| kind | judged by (Describe*) | runs while | response to a violation |
| --- | --- | --- | --- |
| training-job, processing-job, hyper-parameter-tuning-job, transform-job | its own answer (a transform job: its model's, as the model was when the job started) | not ended or stopped | stop |
| compilation-job, optimization-job, labeling-job, inference-recommendations-job | its own answer (no usable condition keys: the guardrails cannot deny them) | not ended or stopped | stop when it escapes (ESCAPE_RULES), else report once |
| monitoring-schedule | its answer, or its job definition's (MonitoringJobDefinitionName) | not Stopped or Failed | stop (StopMonitoringSchedule) |
| notebook-instance | its answer | InService, Pending (Stopped, Updating: reported once) | stop |
| notebook-instance-lifecycle-config | its name, and who wrote it (CloudTrail) | always | report once per revision |
| model | its answer and tags | always | delete, unless an endpoint configuration serves it: report once |
| endpoint-config | every model it serves (production and shadow variants), its keys | always | report once |
| endpoint | its endpoint configurations (current and pending) and their models | not Deleting or Failed | delete when it escapes, unless tagged managed-by=terraform; else report once |
| cluster (HyperPod) | its VpcConfig and every instance group's OverrideVpcConfig | not Deleting or Failed | report once (no stop exists; deleting loses the nodes' state) |
| domain (Studio) | AppNetworkAccessType, subnets, security groups, its KMS key | not Deleting or Failed | report once (deleting loses users' home directories) |
| app (Studio) | its lifecycle configuration and its domain's network | not Deleted, Deleting or Failed | delete (DeleteApp: the user's files stay on the domain's EFS) |
| model-package | its ValidationSpecification (named by its ARN: a versioned package's name is <group>/<version>) | not Deleting | delete (DeleteModelPackage) |

Instance types with local NVMe instance storage: SageMaker refuses a volume KMS key on them
("Certain Nitro-based instances include local storage ... Local storage volumes are encrypted
using a hardware module on the instance. You can't request a VolumeKmsKeyId when using an instance
type with local storage": AWS API reference of ResourceConfig, ProcessingClusterConfig and
TransformResources; HyperParameterTuningResourceConfig says the same in other words, and
CreateEndpointConfig's KmsKeyId: "do not specify a value for the KmsKeyId parameter" on such types).
So a training, processing, tuning, transform or monitoring job without a volume key is compliant
with kms.volume when EVERY instance type it uses ("ml.g5.xlarge": family "g5") is in
Policy.local_storage_families (INSTANCE_STORAGE_FAMILIES); an endpoint configuration likewise, and
its serverless variants have no volume at all. A job whose instance types cannot all be found, or
that mixes in one EBS-only type, still needs the key (fails closed); the VPC rules and kms.output
apply whatever the type. A notebook always needs its key: its ML storage volume is EBS on every type.

Teams' security groups (vpc.team_group_mismatch). Each team's notebooks and jobs get a security group
of their own that admits its own members on every port (modules/network team_security_group_ids),
and run as the team's execution role (modules/notebook: <name_prefix>-<team>-sagemaker). Every team's
group is approved, so a person who may pass one team's role could otherwise run it inside another
team's group, among that team's notebooks and jobs. Policy.team_security_groups maps each team's
role to its groups: work whose execution role is mapped may use those groups only. The role is the
one the work runs as, paired with the groups it runs in: RoleArn (jobs, notebooks, compilation,
optimization, labeling and recommendations jobs, a monitoring job or job definition), a model's
ExecutionRoleArn (models; transform jobs and endpoints through the models they run), an instance
group's ExecutionRole (HyperPod: its OverrideVpcConfig, else the cluster's VpcConfig), a Studio
domain's DefaultUserSettings and DefaultSpaceSettings ExecutionRole (each with its own
SecurityGroups, a space without any with the users'; DomainSettings.SecurityGroupIds, which connect
the domain's apps, count for both). A role outside the mapping (the platform's endpoint model role,
promotion's) is not judged by this rule. IAM tells roles apart by account and name alone, whatever
the path, and "role names are not distinguished by case" (IAM CreateRole): role_key compares so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

TRAINING_JOB = "training-job"
PROCESSING_JOB = "processing-job"
TUNING_JOB = "hyper-parameter-tuning-job"
TRANSFORM_JOB = "transform-job"
COMPILATION_JOB = "compilation-job"
OPTIMIZATION_JOB = "optimization-job"
LABELING_JOB = "labeling-job"
RECOMMENDATIONS_JOB = "inference-recommendations-job"
MODEL = "model"
NOTEBOOK = "notebook-instance"
LIFECYCLE_CONFIG = "notebook-instance-lifecycle-config"
ENDPOINT_CONFIG = "endpoint-config"
ENDPOINT = "endpoint"
MONITORING_SCHEDULE = "monitoring-schedule"
CLUSTER = "cluster"
DOMAIN = "domain"
APP = "app"
MODEL_PACKAGE = "model-package"
JOB_KINDS = (TRAINING_JOB, PROCESSING_JOB, TUNING_JOB, TRANSFORM_JOB)
# Jobs that send no condition key the guardrails could deny on (sagemaker:VpcSubnets, ...).
UNGUARDED_JOB_KINDS = (COMPILATION_JOB, OPTIMIZATION_JOB, LABELING_JOB, RECOMMENDATIONS_JOB)

# How the handler responds to a violation (handler.py's response table).
STOP = "stop"
STOP_WHEN_ESCAPING = "stop_when_escaping"
DELETE = "delete"
DELETE_UNLESS_IN_USE = "delete_unless_in_use"
DELETE_WHEN_ESCAPING = "delete_when_escaping"
REPORT = "report"


@dataclass(frozen=True)
class Kind:
    """One kind of resource: where its Describe* answer keeps its ARN and status, which statuses
    mean it runs, and how a violation is answered. `running` None: every status but `ended` and
    `stopped` counts as running (an unknown status fails closed)."""

    name: str
    arn_field: str
    status_field: str | None = None
    ended: frozenset[str] = frozenset()  # finished, failed or going away: nothing left to do
    stopped: frozenset[str] = frozenset()  # stopping or stopped: someone already stopped it
    running: frozenset[str] | None = None
    resting: frozenset[str] = frozenset()  # exists without running: judged and reported once
    response: str = REPORT


_JOB_ENDED, _JOB_STOPPED = frozenset({"Completed", "Failed"}), frozenset({"Stopping", "Stopped"})
_NEO_ENDED, _NEO_STOPPED = frozenset({"COMPLETED", "FAILED"}), frozenset({"STOPPING", "STOPPED"})

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(TRAINING_JOB, "TrainingJobArn", "TrainingJobStatus", _JOB_ENDED, _JOB_STOPPED, response=STOP),
        Kind(PROCESSING_JOB, "ProcessingJobArn", "ProcessingJobStatus", _JOB_ENDED, _JOB_STOPPED, response=STOP),
        Kind(
            TUNING_JOB,
            "HyperParameterTuningJobArn",
            "HyperParameterTuningJobStatus",
            _JOB_ENDED,
            _JOB_STOPPED,
            response=STOP,
        ),
        Kind(TRANSFORM_JOB, "TransformJobArn", "TransformJobStatus", _JOB_ENDED, _JOB_STOPPED, response=STOP),
        Kind(
            COMPILATION_JOB,
            "CompilationJobArn",
            "CompilationJobStatus",
            _NEO_ENDED,
            _NEO_STOPPED,
            response=STOP_WHEN_ESCAPING,
        ),
        Kind(
            OPTIMIZATION_JOB,
            "OptimizationJobArn",
            "OptimizationJobStatus",
            _NEO_ENDED,
            _NEO_STOPPED,
            response=STOP_WHEN_ESCAPING,
        ),
        Kind(
            LABELING_JOB, "LabelingJobArn", "LabelingJobStatus", _JOB_ENDED, _JOB_STOPPED, response=STOP_WHEN_ESCAPING
        ),
        Kind(
            RECOMMENDATIONS_JOB,
            "JobArn",
            "Status",
            frozenset({"COMPLETED", "FAILED", "DELETING", "DELETED"}),
            _NEO_STOPPED,
            response=STOP_WHEN_ESCAPING,
        ),
        Kind(
            MONITORING_SCHEDULE,
            "MonitoringScheduleArn",
            "MonitoringScheduleStatus",
            frozenset({"Failed"}),
            frozenset({"Stopped"}),
            response=STOP,
        ),
        Kind(
            NOTEBOOK,
            "NotebookInstanceArn",
            "NotebookInstanceStatus",
            frozenset({"Failed", "Deleting"}),
            frozenset({"Stopping"}),
            running=frozenset({"InService", "Pending"}),
            resting=frozenset({"Stopped", "Updating"}),
            response=STOP,
        ),
        Kind(LIFECYCLE_CONFIG, "NotebookInstanceLifecycleConfigArn"),
        Kind(MODEL, "ModelArn", response=DELETE_UNLESS_IN_USE),
        Kind(ENDPOINT_CONFIG, "EndpointConfigArn"),
        Kind(
            ENDPOINT, "EndpointArn", "EndpointStatus", frozenset({"Deleting", "Failed"}), response=DELETE_WHEN_ESCAPING
        ),
        Kind(CLUSTER, "ClusterArn", "ClusterStatus", frozenset({"Deleting", "Failed"})),
        Kind(DOMAIN, "DomainArn", "Status", frozenset({"Deleting", "Failed", "Delete_Failed"})),
        Kind(
            APP,
            "AppArn",
            "Status",
            frozenset({"Deleted", "Deleting", "Failed"}),
            response=DELETE,
        ),
        # A package in a model group is versioned, and a versioned package can be deleted
        # (DeleteModelPackage); Failed is no end: the package stays registered.
        Kind(MODEL_PACKAGE, "ModelPackageArn", "ModelPackageStatus", frozenset({"Deleting"}), response=DELETE),
    )
}

# Where the status and the ARN live in each Describe* answer (kept for the callers of the first version).
STATUS_FIELD = {k.name: k.status_field for k in KINDS.values() if k.status_field}
ARN_FIELD = {k.name: k.arn_field for k in KINDS.values()}

# A job in one of these states has ended or is ending: there is nothing left to stop.
FINISHED_JOB_STATUSES = _JOB_ENDED | _JOB_STOPPED
# Only these notebooks are running (StopNotebookInstance applies to them).
RUNNING_NOTEBOOK_STATUSES = KINDS[NOTEBOOK].running or frozenset()

RUNNING, RESTING, ENDED = "running", "resting", "ended"

SERVERLESS_TAG = ("smenv:inference", "serverless")
MANAGED_TAG = ("managed-by", "terraform")
# Set by the enforcer on a resource it stopped or reported but left in place, so a second event
# for the same resource is a no-op instead of a second finding. Its value is verifiable (markers.py):
# a marker the enforcer did not write is ignored.
MARKER_TAG_KEY = "smenv:enforcer"
# A field whose change makes a reported resource worth reporting again (each update of a lifecycle
# configuration outside Terraform is a finding of its own).
REVISION_FIELD = {LIFECYCLE_CONFIG: "LastModifiedTime"}

RULES = (
    "vpc.required",
    "vpc.model_not_found",
    "vpc.subnet_not_approved",
    "vpc.security_group_not_approved",
    "kms.volume",
    "kms.output",
    "encryption.inter_container",
    "notebook.direct_internet_access",
    "notebook.root_access",
    "vpc.model_replaced",
    "vpc.endpoint_config_not_found",
    "vpc.job_definition_not_found",
    "vpc.domain_not_found",
    "notebook.imds_v1",
    "notebook.lifecycle_config_not_approved",
    "notebook.lifecycle_config_unmanaged",
    "studio.public_internet",
    "studio.lifecycle_config_not_approved",
    "labeling.external_workforce",
    "vpc.team_group_mismatch",
    "kms.key_not_approved",
    "endpoint.ssm_access",
    "model_package.validation",
)
_ORDER = {rule: i for i, rule in enumerate(RULES)}
# The rules that mean the work runs (or its data goes) outside the environment's network: a
# STOP_WHEN_ESCAPING job is stopped and a DELETE_WHEN_ESCAPING endpoint deleted for these only.
ESCAPE_RULES = frozenset(
    {r for r in RULES if r.startswith("vpc.")}
    | {"studio.public_internet", "labeling.external_workforce", "endpoint.ssm_access", "model_package.validation"}
)


@dataclass(frozen=True)
class Policy:
    """What the environment allows. Empty approved sets mean "any, as long as there is a VPC"."""

    approved_subnets: frozenset[str] = frozenset()
    approved_security_groups: frozenset[str] = frozenset()
    require_kms: bool = True
    require_inter_container_encryption: bool = True
    allow_serverless_inference: bool = False
    # Families ("g5", "p4d", ...) whose instance types have local NVMe storage; empty: no exemption.
    local_storage_families: frozenset[str] = frozenset()
    # Notebook lifecycle configurations the environment's notebooks may use (names); empty: any.
    approved_lifecycle_configs: frozenset[str] = frozenset()
    # Studio lifecycle configurations an app may start with (names); empty: any.
    approved_studio_lifecycle_configs: frozenset[str] = frozenset()
    # IAM roles Terraform applies the environment with; empty: every create or update is reported.
    terraform_roles: frozenset[str] = frozenset()
    # Execution role ARN -> the security groups work running as it may use (each team's role, its
    # team's group); a role not named is not checked by vpc.team_group_mismatch. Empty: no check.
    team_security_groups: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)
    # The environment's KMS keys (key ARNs); empty: any key, as long as there is one.
    approved_kms_keys: frozenset[str] = frozenset()
    # Derived from the two above (role_key -> groups; the key ids of approved_kms_keys).
    _groups_by_role: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False, hash=False)
    _approved_key_ids: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_role: dict[str, frozenset[str]] = {}
        for arn, groups in self.team_security_groups.items():
            key = role_key(arn)
            if key is None:
                raise ValueError(f"not an IAM role ARN: {str(arn)[:80]!r}")
            by_role[key] = by_role.get(key, frozenset()) | frozenset(groups)
        object.__setattr__(self, "_groups_by_role", by_role)
        ids = frozenset(arn.rsplit(":key/", 1)[1] for arn in self.approved_kms_keys if ":key/" in arn)
        object.__setattr__(self, "_approved_key_ids", ids)

    def role_groups(self, role: Any) -> frozenset[str] | None:
        """The security groups work running as this execution role may use, or None when the role is
        not in team_security_groups (or is no role ARN): then vpc.team_group_mismatch does not apply."""
        key = role_key(role)
        return None if key is None else self._groups_by_role.get(key)


# arn:<partition>:iam::<account>:role/<path/><name> (a path is any number of /-separated parts).
_ROLE_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{12}):role/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]{1,64})$"
)


def role_key(arn: Any) -> str | None:
    """An execution role as IAM tells roles apart: partition, account and name, without the path (a
    name is unique in its account whatever the path) and in lower case (IAM: "Role names are not
    distinguished by case"). None for anything else (a session ARN, a malformed value)."""
    match = _ROLE_ARN.match(arn) if isinstance(arn, str) else None
    if match is None:
        return None
    return f"{match['partition']}:{match['account']}:{match['name'].lower()}"


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str


@dataclass(frozen=True)
class Verdict:
    violations: tuple[Violation, ...] = field(default_factory=tuple)

    @property
    def compliant(self) -> bool:
        return not self.violations

    @property
    def rule_ids(self) -> list[str]:
        return sorted({v.rule for v in self.violations}, key=_ORDER.__getitem__)

    @property
    def escapes(self) -> bool:
        """True when a broken rule means the work runs, or its data goes, outside the network."""
        return any(v.rule in ESCAPE_RULES for v in self.violations)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, str) and item]


def _present(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _verdict(violations: Iterable[Violation]) -> Verdict:
    unique = dict.fromkeys(violations)  # keeps the first of each, in order
    return Verdict(tuple(sorted(unique, key=lambda v: _ORDER[v.rule])))


def _prefixed(where: str) -> str:
    return f"{where}: " if where else ""


def check_network(
    subnets: list[str], security_groups: list[str], policy: Policy, where: str = "", role: Any = None
) -> list[Violation]:
    """The VPC rules over the subnets and security groups work runs in; `role`, the execution role it
    runs as, is held to its own groups where the policy maps it (team_groups)."""
    prefix = _prefixed(where)
    if not subnets or not security_groups:
        return [Violation("vpc.required", f"{prefix}not attached to a VPC (no subnets or security groups)")]
    found = [
        Violation("vpc.subnet_not_approved", f"{prefix}subnet {s} is not approved")
        for s in subnets
        if policy.approved_subnets and s not in policy.approved_subnets
    ]
    found += [
        Violation("vpc.security_group_not_approved", f"{prefix}security group {g} is not approved")
        for g in security_groups
        if policy.approved_security_groups and g not in policy.approved_security_groups
    ]
    return found + team_groups(role, security_groups, policy, where)


def team_groups(role: Any, security_groups: list[str], policy: Policy, where: str = "") -> list[Violation]:
    """vpc.team_group_mismatch: work running as an execution role in TEAM_SECURITY_GROUPS may use
    that role's security groups only (a team's role, its team's group). A role not mapped, or none,
    is not judged here."""
    allowed = policy.role_groups(role)
    if allowed is None:
        return []
    name = str(role).rsplit("/", 1)[-1]
    return [
        Violation(
            "vpc.team_group_mismatch", f"{_prefixed(where)}security group {g} is not one of role {name:.64}'s groups"
        )
        for g in security_groups
        if g not in allowed
    ]


def _vpc_network(vpc_config: Any, policy: Policy, where: str = "", role: Any = None) -> list[Violation]:
    vpc = _dict(vpc_config)
    return check_network(_strings(vpc.get("Subnets")), _strings(vpc.get("SecurityGroupIds")), policy, where, role)


def key_not_approved(key: str, policy: Policy) -> str | None:
    """Why a KMS key a resource names is not one of the environment's (Policy.approved_kms_keys), or
    None when it is, or when none are configured (any key will do). SageMaker takes a key by key ARN,
    key id, alias name (alias/<name>) or alias ARN: a key ARN is approved when it is listed, a key
    id when it is the id of a listed ARN (a bare id names a key of the resource's own account and
    Region). An alias never is: it cannot be resolved safely, since whoever may update it can point
    it at another key after the enforcer looked (the AWS managed alias/aws/sagemaker among them)."""
    if not policy.approved_kms_keys:
        return None
    if "alias/" in key:
        return (
            "is an alias, which cannot be resolved safely (it can be pointed at another key): "
            "name one of the environment's keys by its ARN or id"
        )
    if key in policy.approved_kms_keys or (not key.startswith("arn:") and key in policy._approved_key_ids):
        return None
    return "is not one of the environment's keys"


def _kms(key: Any, rule: str, what: str, policy: Policy, where: str = "") -> list[Violation]:
    """`rule` (kms.volume, kms.output) when the key is missing; kms.key_not_approved when it is not one
    of the environment's (key_not_approved). REQUIRE_KMS false turns both off."""
    if not policy.require_kms:
        return []
    if not _present(key):
        return [Violation(rule, f"{_prefixed(where)}{what} is not set")]
    reason = key_not_approved(key, policy)
    if reason is None:
        return []
    return [Violation("kms.key_not_approved", f"{_prefixed(where)}{what} {key:.200} {reason}")]


# ml.<family>.<size>; the family may hold hyphens ("p6-b200", "c7i-flex").
_INSTANCE_TYPE = re.compile(r"^ml\.(?P<family>[a-z][a-z0-9-]*)\.[a-z0-9-]+$")


def instance_family(instance_type: Any) -> str | None:
    """The family of an ml.<family>.<size> instance type ("ml.g5.xlarge" -> "g5"); otherwise None."""
    match = _INSTANCE_TYPE.match(instance_type) if isinstance(instance_type, str) else None
    return match["family"] if match else None


def _types_in(resources: Any, many: str | None = None) -> list[Any]:
    """The instance types one resource block names: its InstanceType and each `many[].InstanceType`.
    A malformed entry (not a string, a group without a type, `many` not a list) is kept as a value
    that is no instance type, so that it counts as unknown."""
    block = _dict(resources)
    found: list[Any] = [block["InstanceType"]] if "InstanceType" in block else []
    if many is not None and many in block:
        groups = block[many]
        found += [_dict(g).get("InstanceType") for g in groups] if isinstance(groups, list) else [None]
    return found


def instance_types(kind: str, description: Mapping[str, Any]) -> list[Any]:
    """Every instance type a job runs on, as its Describe* answer gives them:
    TrainingJob ResourceConfig.InstanceType and ResourceConfig.InstanceGroups[].InstanceType; a tuning
    job's TrainingJobDefinition and TrainingJobDefinitions[], each the same two forms and also
    HyperParameterTuningResourceConfig.InstanceType and .InstanceConfigs[].InstanceType; ProcessingJob
    ProcessingResources.ClusterConfig.InstanceType; TransformJob TransformResources.InstanceType.
    Malformed entries are kept as they are (they count as unknown). Notebooks and models: []."""
    if kind == TUNING_JOB:
        many = description.get("TrainingJobDefinitions")
        definitions = [description.get("TrainingJobDefinition"), *(many if isinstance(many, list) else [])]
        return [t for d in definitions if isinstance(d, Mapping) for t in instance_types(TRAINING_JOB, d)]
    if kind == TRAINING_JOB:
        return [
            *_types_in(description.get("ResourceConfig"), "InstanceGroups"),
            *_types_in(description.get("HyperParameterTuningResourceConfig"), "InstanceConfigs"),
        ]
    if kind == PROCESSING_JOB:
        cluster = _dict(_dict(description.get("ProcessingResources")).get("ClusterConfig"))
        return _types_in(cluster)
    if kind == TRANSFORM_JOB:
        return _types_in(description.get("TransformResources"))
    return []


def on_local_storage_only(types: list[Any], policy: Policy) -> bool:
    """True when there is at least one instance type and every one is of a local-storage family.
    No type at all, or one unreadable or EBS-only type, is False: the volume key stays required."""
    families = [instance_family(t) for t in types]
    return bool(families) and all(f in policy.local_storage_families for f in families)


def _volume_kms(
    kind: str, job: Mapping[str, Any], key: Any, what: str, policy: Policy, *, where: str = ""
) -> list[Violation]:
    """kms.volume for a job: no key is compliant on local-storage instance types (see the module doc)."""
    if on_local_storage_only(instance_types(kind, job), policy):
        return []
    return _kms(key, "kms.volume", what, policy, where)


def _inter_container(enabled: Any, policy: Policy, where: str = "") -> list[Violation]:
    if not policy.require_inter_container_encryption or enabled is True:
        return []
    return [Violation("encryption.inter_container", f"{_prefixed(where)}EnableInterContainerTrafficEncryption is off")]


def _training_definition(definition: Mapping[str, Any], policy: Policy, where: str = "") -> list[Violation]:
    """A training job, or one training job definition of a tuning job: the same four rules."""
    resources = _dict(definition.get("ResourceConfig")) or _dict(definition.get("HyperParameterTuningResourceConfig"))
    key = resources.get("VolumeKmsKeyId")
    return [
        *_vpc_network(definition.get("VpcConfig"), policy, where, definition.get("RoleArn")),
        *_volume_kms(TRAINING_JOB, definition, key, "ResourceConfig.VolumeKmsKeyId", policy, where=where),
        *_kms(
            _dict(definition.get("OutputDataConfig")).get("KmsKeyId"),
            "kms.output",
            "OutputDataConfig.KmsKeyId",
            policy,
            where,
        ),
        *_inter_container(definition.get("EnableInterContainerTrafficEncryption"), policy, where),
    ]


def evaluate_training_job(description: Mapping[str, Any], policy: Policy) -> Verdict:
    return _verdict(_training_definition(description, policy))


def evaluate_tuning_job(description: Mapping[str, Any], policy: Policy) -> Verdict:
    definitions: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(description.get("TrainingJobDefinition"), Mapping):
        definitions.append(("TrainingJobDefinition", description["TrainingJobDefinition"]))
    many = description.get("TrainingJobDefinitions")
    for i, item in enumerate(many if isinstance(many, list) else []):
        definitions.append((f"TrainingJobDefinitions[{i}]", _dict(item)))
    if not definitions:  # nothing to verify: fail closed
        return _verdict([Violation("vpc.required", "no training job definition to verify")])
    return _verdict(v for where, d in definitions for v in _training_definition(d, policy, where))


def evaluate_processing_job(description: Mapping[str, Any], policy: Policy) -> Verdict:
    network = _dict(description.get("NetworkConfig"))
    cluster = _dict(_dict(description.get("ProcessingResources")).get("ClusterConfig"))
    violations = [
        *_vpc_network(network.get("VpcConfig"), policy, role=description.get("RoleArn")),
        *_volume_kms(
            PROCESSING_JOB,
            description,
            cluster.get("VolumeKmsKeyId"),
            "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
            policy,
        ),
    ]
    # A processing job may write nothing; when it has outputs, they must be encrypted.
    # (The API field is ProcessingOutputConfig.KmsKeyId.)
    if "ProcessingOutputConfig" in description:
        output = _dict(description.get("ProcessingOutputConfig"))
        violations += _kms(output.get("KmsKeyId"), "kms.output", "ProcessingOutputConfig.KmsKeyId", policy)
    return _verdict(violations)


def timestamp(value: Any) -> float | None:
    """A Describe* time as seconds since the epoch: boto3's datetime, the JSON API's epoch seconds,
    or an ISO 8601 string (as events carry them). Anything else is None."""
    if isinstance(value, datetime):
        return value.timestamp() if value.tzinfo else value.replace(tzinfo=None).timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def model_replaced(job: Mapping[str, Any], model: Mapping[str, Any]) -> bool:
    """True when the model was created after the job: the model the job runs was deleted and a new
    one made under its name. (SageMaker copies the model into the job when it starts, so the job
    runs the old one.) Unknown times compare as not replaced: AWS always answers both."""
    job_time, model_time = timestamp(job.get("CreationTime")), timestamp(model.get("CreationTime"))
    return job_time is not None and model_time is not None and model_time > job_time


def evaluate_transform_job(description: Mapping[str, Any], model: Mapping[str, Any] | None, policy: Policy) -> Verdict:
    """A transform job has no VpcConfig of its own: it runs in its model's VPC, so its network is
    judged by the model's VpcConfig, as the model was when the job started. A model that is gone, or
    that was created after the job (deleted and replaced: the job still runs the old one), cannot be
    verified: that fails closed (vpc.model_not_found, vpc.model_replaced). The serverless exemption
    is for models behind serverless endpoints only, never for a transform job, which always runs on
    instances that can join the VPC."""
    resources = _dict(description.get("TransformResources"))
    output = _dict(description.get("TransformOutput"))
    if model is None:
        network = [Violation("vpc.model_not_found", f"model {description.get('ModelName')!s:.63} not found")]
    elif model_replaced(description, model):
        network = [
            Violation(
                "vpc.model_replaced",
                f"model {model.get('ModelName')!s:.63} was created after the job: the job runs the one it replaced",
            )
        ]
    else:
        where = f"model {model.get('ModelName')!s:.63}"
        network = _vpc_network(model.get("VpcConfig"), policy, where, model.get("ExecutionRoleArn"))
    return _verdict(
        [
            *network,
            *_volume_kms(
                TRANSFORM_JOB, description, resources.get("VolumeKmsKeyId"), "TransformResources.VolumeKmsKeyId", policy
            ),
            *_kms(output.get("KmsKeyId"), "kms.output", "TransformOutput.KmsKeyId", policy),
        ]
    )


def is_serverless_model(tags: Mapping[str, str]) -> bool:
    key, value = SERVERLESS_TAG
    return tags.get(key) == value


def is_managed(tags: Mapping[str, str]) -> bool:
    """Tagged managed-by=terraform (the provider's default tags). Not the enforcer's own marker: it
    never spares a resource from a finding, only from deletion (see the endpoint policy, handler.py)."""
    key, value = MANAGED_TAG
    return tags.get(key) == value


def evaluate_model(description: Mapping[str, Any], tags: Mapping[str, str], policy: Policy) -> Verdict:
    """Serverless inference cannot join a VPC; a model tagged for it is exempt from the VPC rule
    only (and only where the environment allows serverless). Its subnets, if any, still count."""
    vpc = _dict(description.get("VpcConfig"))
    if not vpc and policy.allow_serverless_inference and is_serverless_model(tags):
        return Verdict()
    return _verdict(_vpc_network(vpc, policy, role=description.get("ExecutionRoleArn")))


def evaluate_notebook(description: Mapping[str, Any], policy: Policy) -> Verdict:
    """CreateNotebookInstance and UpdateNotebookInstance alike: the notebook's answer as it is now.
    RootAccess and DirectInternetAccess default to Enabled, and the minimum IMDS version to 1, when
    the answer leaves them out (AWS API reference: CreateNotebookInstance,
    InstanceMetadataServiceConfiguration). A lifecycle configuration runs its scripts as root
    whatever RootAccess says (SageMaker Developer Guide, "Customization of a SageMaker notebook
    instance using an LCC script"): outside APPROVED_LIFECYCLE_CONFIGS it is a violation."""
    subnet = description.get("SubnetId")
    violations = check_network(
        [subnet] if _present(subnet) else [],
        _strings(description.get("SecurityGroups")),
        policy,
        role=description.get("RoleArn"),
    )
    violations += _kms(description.get("KmsKeyId"), "kms.volume", "KmsKeyId", policy)
    if description.get("DirectInternetAccess", "Enabled") != "Disabled":
        violations.append(Violation("notebook.direct_internet_access", "DirectInternetAccess is not Disabled"))
    if description.get("RootAccess", "Enabled") != "Disabled":
        violations.append(Violation("notebook.root_access", "RootAccess is not Disabled"))
    imds = _dict(description.get("InstanceMetadataServiceConfiguration")).get("MinimumInstanceMetadataServiceVersion")
    if imds != "2":
        violations.append(Violation("notebook.imds_v1", f"MinimumInstanceMetadataServiceVersion is {imds or 1}, not 2"))
    config = description.get("NotebookInstanceLifecycleConfigName")
    if _present(config) and policy.approved_lifecycle_configs and config not in policy.approved_lifecycle_configs:
        violations.append(
            Violation(
                "notebook.lifecycle_config_not_approved", f"lifecycle configuration {config!s:.63} is not approved"
            )
        )
    return _verdict(violations)


def evaluate_lifecycle_config(
    description: Mapping[str, Any], policy: Policy, *, written: bool = False, written_by: str | None = None
) -> Verdict:
    """A notebook lifecycle configuration: its name must be approved (when APPROVED_LIFECYCLE_CONFIGS
    is set), and when the event is its Create/Update call (`written`), the caller (CloudTrail's
    userIdentity, the role behind an assumed-role session) must be one of TERRAFORM_ROLE_ARNS. With
    none configured every create or update outside the state-change path is reported: the enforcer
    cannot tell Terraform from a person. A state-change event names no caller: the name rule alone."""
    name = description.get("NotebookInstanceLifecycleConfigName")
    violations = []
    if policy.approved_lifecycle_configs and name not in policy.approved_lifecycle_configs:
        violations.append(
            Violation("notebook.lifecycle_config_not_approved", f"lifecycle configuration {name!s:.63} is not approved")
        )
    if written and (written_by is None or written_by not in policy.terraform_roles):
        who = written_by or "an unknown principal"
        violations.append(
            Violation("notebook.lifecycle_config_unmanaged", f"created or updated by {who:.200}, not by Terraform")
        )
    return _verdict(violations)


def variants(description: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Every variant of an endpoint configuration, production and shadow, with a label for messages."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    for key, label in (("ProductionVariants", "variant"), ("ShadowProductionVariants", "shadow variant")):
        for variant in _list(description.get(key)):
            found.append((f"{label} {_dict(variant).get('VariantName')!s:.63}", _dict(variant)))
    return found


def _serverless_variant(variant: Mapping[str, Any]) -> bool:
    return isinstance(variant.get("ServerlessConfig"), Mapping)


ModelAndTags = tuple[Mapping[str, Any] | None, Mapping[str, str]]


def evaluate_endpoint_config(
    description: Mapping[str, Any], models: Mapping[str, ModelAndTags], policy: Policy, where: str = ""
) -> Verdict:
    """An endpoint configuration, by every model it serves (production and shadow variants, as
    models_in_endpoint_config): each needs its VPC, and a model that is gone cannot be verified
    (vpc.model_not_found). A model without a VPC is exempt only where it is a permitted serverless
    model (tagged smenv:inference=serverless, ALLOW_SERVERLESS_INFERENCE) AND its variant is
    serverless (ServerlessConfig): on instances it would run outside the VPC. Its KmsKeyId (the ML
    storage volume) is required unless every variant is serverless or on local-storage types
    (CreateEndpointConfig: "do not specify a value for the KmsKeyId parameter" there), and an
    enabled data capture (DataCaptureConfig.EnableCapture) needs its KmsKeyId (kms.output). No
    variant may turn on EnableSSMAccess (ProductionVariant, SageMaker API Reference): a remote shell
    into the container (endpoint.ssm_access), which escapes as a missing VPC does.
    `models` maps each model name to (its Describe answer or None, its tags)."""
    prefix = _prefixed(where)
    found = variants(description)
    if not found:
        return _verdict([Violation("vpc.required", f"{prefix}no production variant to verify")])
    violations: list[Violation] = []
    for label, variant in found:
        name = variant.get("ModelName")
        model, tags = models.get(name, (None, {})) if isinstance(name, str) else (None, {})
        at = f"{prefix}{label}, model {name!s:.63}"
        if model is None:
            violations.append(Violation("vpc.model_not_found", f"{at}: model not found"))
            continue
        vpc = _dict(model.get("VpcConfig"))
        serverless_ok = policy.allow_serverless_inference and is_serverless_model(tags)
        if not vpc and serverless_ok and _serverless_variant(variant):
            continue
        violations += _vpc_network(vpc, policy, at, model.get("ExecutionRoleArn"))
    for label, variant in found:
        if variant.get("EnableSSMAccess") is True:
            violations.append(
                Violation("endpoint.ssm_access", f"{prefix}{label}: EnableSSMAccess opens a shell into it")
            )
    on_instances = [v.get("InstanceType") for _, v in found if not _serverless_variant(v)]
    if on_instances and not on_local_storage_only(on_instances, policy):
        violations += _kms(description.get("KmsKeyId"), "kms.volume", "KmsKeyId", policy, where)
    capture = _dict(description.get("DataCaptureConfig"))
    if capture.get("EnableCapture") is True:
        violations += _kms(capture.get("KmsKeyId"), "kms.output", "DataCaptureConfig.KmsKeyId", policy, where)
    return _verdict(violations)


def endpoint_config_names(description: Mapping[str, Any]) -> list[str]:
    """The endpoint configurations an endpoint serves or is moving to (UpdateEndpoint in progress:
    PendingDeploymentSummary.EndpointConfigName)."""
    names = [
        description.get("EndpointConfigName"),
        _dict(description.get("PendingDeploymentSummary")).get("EndpointConfigName"),
    ]
    return list(dict.fromkeys(n for n in names if isinstance(n, str) and n))


def evaluate_endpoint(
    description: Mapping[str, Any],
    configs: Mapping[str, Mapping[str, Any] | None],
    models: Mapping[str, ModelAndTags],
    policy: Policy,
) -> Verdict:
    """An endpoint serves what its endpoint configurations serve (the current one, and the one an
    update is deploying): each is judged as above. One that is gone cannot be verified: that fails
    closed (vpc.endpoint_config_not_found)."""
    names = endpoint_config_names(description)
    if not names:
        return _verdict([Violation("vpc.endpoint_config_not_found", "no endpoint configuration to verify")])
    violations: list[Violation] = []
    for name in names:
        config = configs.get(name)
        where = f"endpoint configuration {name:.63}"
        if config is None:
            violations.append(Violation("vpc.endpoint_config_not_found", f"{where} not found"))
        else:
            violations += evaluate_endpoint_config(config, models, policy, where).violations
    return _verdict(violations)


# The job definition a monitoring schedule names (MonitoringJobDefinitionName), by MonitoringType:
# (Describe* call, the answer's output config field).
MONITORING_DEFINITIONS = {
    "DataQuality": ("describe_data_quality_job_definition", "DataQualityJobOutputConfig"),
    "ModelQuality": ("describe_model_quality_job_definition", "ModelQualityJobOutputConfig"),
    "ModelBias": ("describe_model_bias_job_definition", "ModelBiasJobOutputConfig"),
    "ModelExplainability": ("describe_model_explainability_job_definition", "ModelExplainabilityJobOutputConfig"),
}


def monitoring_definition_name(description: Mapping[str, Any]) -> tuple[str, str] | None:
    """(MonitoringType, MonitoringJobDefinitionName) when the schedule names a job definition
    instead of carrying its own (MonitoringScheduleConfig.MonitoringJobDefinition); else None."""
    config = _dict(description.get("MonitoringScheduleConfig"))
    if isinstance(config.get("MonitoringJobDefinition"), Mapping):
        return None
    name = config.get("MonitoringJobDefinitionName")
    kind = config.get("MonitoringType") or description.get("MonitoringType") or "DataQuality"
    if isinstance(name, str) and name and kind in MONITORING_DEFINITIONS:
        return kind, name
    return None


def evaluate_monitoring_schedule(
    description: Mapping[str, Any], job_definition: Mapping[str, Any] | None, policy: Policy
) -> Verdict:
    """A monitoring schedule starts processing jobs: they need the VPC (NetworkConfig.VpcConfig),
    a volume key (ClusterConfig.VolumeKmsKeyId; not on local-storage types) and an output key.
    Its job is MonitoringScheduleConfig.MonitoringJobDefinition, or the job definition it names
    (`job_definition`, the answer of Describe<Type>JobDefinition: JobResources, NetworkConfig,
    <Type>JobOutputConfig); one named but gone fails closed (vpc.job_definition_not_found)."""
    config = _dict(description.get("MonitoringScheduleConfig"))
    inline = config.get("MonitoringJobDefinition")
    if isinstance(inline, Mapping):
        cluster = _dict(_dict(inline.get("MonitoringResources")).get("ClusterConfig"))
        output = _dict(inline.get("MonitoringOutputConfig"))
        network = _dict(inline.get("NetworkConfig"))
        role = inline.get("RoleArn")
    else:
        named = monitoring_definition_name(description)
        if named is None:
            return _verdict([Violation("vpc.required", "no monitoring job definition to verify")])
        if job_definition is None:
            return _verdict([Violation("vpc.job_definition_not_found", f"job definition {named[1]:.63} not found")])
        cluster = _dict(_dict(job_definition.get("JobResources")).get("ClusterConfig"))
        output = _dict(job_definition.get(MONITORING_DEFINITIONS[named[0]][1]))
        network = _dict(job_definition.get("NetworkConfig"))
        role = job_definition.get("RoleArn")
    violations = _vpc_network(network.get("VpcConfig"), policy, "NetworkConfig", role)
    if not on_local_storage_only(_types_in(cluster), policy):
        violations += _kms(cluster.get("VolumeKmsKeyId"), "kms.volume", "ClusterConfig.VolumeKmsKeyId", policy)
    violations += _kms(output.get("KmsKeyId"), "kms.output", "output KmsKeyId", policy)
    return _verdict(violations)


def evaluate_compilation_job(description: Mapping[str, Any], policy: Policy) -> Verdict:
    """A compilation (Neo) job: VpcConfig (optional in the API: without one it runs outside the VPC)
    and OutputConfig.KmsKeyId."""
    output = _dict(description.get("OutputConfig"))
    return _verdict(
        [
            *_vpc_network(description.get("VpcConfig"), policy, role=description.get("RoleArn")),
            *_kms(output.get("KmsKeyId"), "kms.output", "OutputConfig.KmsKeyId", policy),
        ]
    )


def evaluate_optimization_job(description: Mapping[str, Any], policy: Policy) -> Verdict:
    """An inference optimization job: VpcConfig and OutputConfig.KmsKeyId, as a compilation job."""
    return evaluate_compilation_job(description, policy)


def evaluate_recommendations_job(description: Mapping[str, Any], policy: Policy) -> Verdict:
    """An Inference Recommender job deploys the model on endpoints of its own: InputConfig.VpcConfig
    is the network they get ("Inference Recommender will use this VPC config"). Its instance types
    are chosen by the service: no kms.volume judgement (a key is refused on local-storage types)."""
    vpc = _dict(description.get("InputConfig")).get("VpcConfig")
    return _verdict(_vpc_network(vpc, policy, "InputConfig", description.get("RoleArn")))


_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:(?P<account>\d{12}):")
_PRIVATE_WORKTEAM = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:(?P<account>\d{12}):workteam/private-crowd/")


def evaluate_labeling_job(description: Mapping[str, Any], policy: Policy) -> Verdict:
    """A Ground Truth labeling job shows its data to a work team: a private work team of the job's
    own account only (the public crowd, arn:...:394669845002:workteam/public-crowd/default, and vendor
    work teams are people outside the organisation). Automated labeling (LabelingJobAlgorithmsConfig)
    runs training and inference jobs: LabelingJobResourceConfig.VpcConfig and VolumeKmsKeyId. The
    output (OutputConfig.KmsKeyId) is encrypted either way."""
    workteam = _dict(description.get("HumanTaskConfig")).get("WorkteamArn")
    job_account = _ARN_ACCOUNT.match(str(description.get("LabelingJobArn") or ""))
    team = _PRIVATE_WORKTEAM.match(workteam) if isinstance(workteam, str) else None
    violations: list[Violation] = []
    if team is None or (job_account is not None and team["account"] != job_account["account"]):
        violations.append(
            Violation(
                "labeling.external_workforce", f"work team {workteam!s:.200} is not a private team of this account"
            )
        )
    algorithms = description.get("LabelingJobAlgorithmsConfig")
    if isinstance(algorithms, Mapping):
        resources = _dict(algorithms.get("LabelingJobResourceConfig"))
        where = "LabelingJobResourceConfig"
        violations += _vpc_network(resources.get("VpcConfig"), policy, where, description.get("RoleArn"))
        violations += _kms(resources.get("VolumeKmsKeyId"), "kms.volume", "VolumeKmsKeyId", policy, where)
    violations += _kms(
        _dict(description.get("OutputConfig")).get("KmsKeyId"), "kms.output", "OutputConfig.KmsKeyId", policy
    )
    return _verdict(violations)


def evaluate_cluster(description: Mapping[str, Any], policy: Policy) -> Verdict:
    """A HyperPod cluster's nodes run in VpcConfig (without one, in SageMaker's own network, with
    internet access); an instance group's OverrideVpcConfig replaces it for that group. Each group's
    nodes run as its ExecutionRole, in its own network."""
    vpc = description.get("VpcConfig")
    violations = _vpc_network(vpc, policy)
    for group in map(_dict, _list(description.get("InstanceGroups"))):
        override = group.get("OverrideVpcConfig")
        where = f"instance group {group.get('InstanceGroupName')!s:.63}"
        if override is not None:
            violations += _vpc_network(override, policy, where, group.get("ExecutionRole"))
        else:
            groups = _strings(_dict(vpc).get("SecurityGroupIds"))
            violations += team_groups(group.get("ExecutionRole"), groups, policy, where)
    return _verdict(violations)


def domain_security_groups(description: Mapping[str, Any]) -> list[str]:
    """Every security group a Studio domain gives its apps: DefaultUserSettings.SecurityGroups,
    DefaultSpaceSettings.SecurityGroups and DomainSettings.SecurityGroupIds."""
    return list(
        dict.fromkeys(
            [
                *_strings(_dict(description.get("DefaultUserSettings")).get("SecurityGroups")),
                *_strings(_dict(description.get("DefaultSpaceSettings")).get("SecurityGroups")),
                *_strings(_dict(description.get("DomainSettings")).get("SecurityGroupIds")),
            ]
        )
    )


def domain_roles(description: Mapping[str, Any]) -> list[tuple[str, Any, list[str]]]:
    """The execution roles a Studio domain gives its apps, each with the security groups those apps
    run in: (settings, role, groups) for DefaultUserSettings and DefaultSpaceSettings, each with its
    own SecurityGroups (a space's settings without any: the users'), and DomainSettings.SecurityGroupIds
    (the groups connecting the domain's apps) with both."""
    user = _dict(description.get("DefaultUserSettings"))
    space = _dict(description.get("DefaultSpaceSettings"))
    shared = _strings(_dict(description.get("DomainSettings")).get("SecurityGroupIds"))
    user_groups = _strings(user.get("SecurityGroups"))
    space_groups = _strings(space.get("SecurityGroups")) or user_groups
    return [
        ("DefaultUserSettings", user.get("ExecutionRole"), list(dict.fromkeys([*user_groups, *shared]))),
        ("DefaultSpaceSettings", space.get("ExecutionRole"), list(dict.fromkeys([*space_groups, *shared]))),
    ]


def _domain_network(description: Mapping[str, Any], policy: Policy, where: str = "") -> list[Violation]:
    violations = []
    access = description.get("AppNetworkAccessType") or "PublicInternetOnly"  # AWS's default
    if access != "VpcOnly":
        violations.append(
            Violation("studio.public_internet", f"{_prefixed(where)}AppNetworkAccessType is {access!s:.40}")
        )
    network = check_network(_strings(description.get("SubnetIds")), domain_security_groups(description), policy, where)
    violations += network
    if not any(v.rule == "vpc.required" for v in network):
        for settings, role, groups in domain_roles(description):
            violations += team_groups(role, groups, policy, f"{_prefixed(where)}{settings}")
    return violations


def evaluate_domain(description: Mapping[str, Any], policy: Policy) -> Verdict:
    """A Studio domain: VpcOnly (AppNetworkAccessType; PublicInternetOnly, AWS's default, gives every
    app internet access through SageMaker's network), approved subnets and security groups, and a
    customer key for its home directories (KmsKeyId, the EFS volume)."""
    return _verdict(
        [*_domain_network(description, policy), *_kms(description.get("KmsKeyId"), "kms.volume", "KmsKeyId", policy)]
    )


_STUDIO_LIFECYCLE_CONFIG = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:studio-lifecycle-config/(?P<name>.+)$"
)


def evaluate_app(description: Mapping[str, Any], domain: Mapping[str, Any] | None, policy: Policy) -> Verdict:
    """A Studio app runs in its domain's network: the domain's network rules (studio.public_internet,
    vpc.*) are the app's; a domain that is gone fails closed (vpc.domain_not_found). It may start
    with a lifecycle configuration (ResourceSpec.LifecycleConfigArn), which must be one of
    APPROVED_STUDIO_LIFECYCLE_CONFIGS when that is set."""
    violations: list[Violation] = []
    domain_id = description.get("DomainId")
    if domain is None:
        violations.append(Violation("vpc.domain_not_found", f"domain {domain_id!s:.40} not found"))
    else:
        violations += _domain_network(domain, policy, f"domain {domain_id!s:.40}")
    config = _dict(description.get("ResourceSpec")).get("LifecycleConfigArn")
    if _present(config) and policy.approved_studio_lifecycle_configs:
        match = _STUDIO_LIFECYCLE_CONFIG.match(config)
        if match is None or match["name"] not in policy.approved_studio_lifecycle_configs:
            violations.append(
                Violation(
                    "studio.lifecycle_config_not_approved", f"lifecycle configuration {config:.200} is not approved"
                )
            )
    return _verdict(violations)


def evaluate_model_package(description: Mapping[str, Any]) -> Verdict:
    """A model package registered with a ValidationSpecification: its ValidationProfiles are "batch
    transform jobs that SageMaker runs to validate your model package" (SageMaker API reference,
    ModelPackageValidationSpecification), each a TransformJobDefinition, which has no VpcConfig
    (API reference, TransformJobDefinition): SageMaker runs them outside the VPC, on the data they
    read, as ValidationRole. CreateModelPackage sends no condition key about them (sagemaker:VpcSubnets,
    sagemaker:VolumeKmsKeyArn, sagemaker:InstanceTypes), so the guardrails cannot deny them; any
    ValidationSpecification is a violation, whatever its profiles say. Without one a package is
    compliant: it is a registry entry, and the models and endpoints made from it are judged as theirs."""
    validation = description.get("ValidationSpecification")
    if validation is None:
        return _verdict([])
    profiles = [_dict(p).get("ProfileName") for p in _list(_dict(validation).get("ValidationProfiles"))]
    named = ", ".join(f"{p!s:.63}" for p in profiles) or "none named"
    return _verdict(
        [
            Violation(
                "model_package.validation",
                f"ValidationSpecification (profiles: {named:.300}): validation transform jobs SageMaker runs "
                "outside the VPC",
            )
        ]
    )


def evaluate(
    kind: str,
    description: Mapping[str, Any],
    policy: Policy,
    *,
    tags: Mapping[str, str] | None = None,
    model: Mapping[str, Any] | None = None,
    models: Mapping[str, ModelAndTags] | None = None,
    configs: Mapping[str, Mapping[str, Any] | None] | None = None,
    related: Mapping[str, Any] | None = None,
    written: bool = False,
    written_by: str | None = None,
) -> Verdict:
    """The verdict on one resource. Besides its description: a transform job's `model` (None: gone),
    a model's `tags`, an endpoint configuration's or endpoint's `models` (and an endpoint's
    `configs`), a monitoring schedule's job definition or an app's domain (`related`, None: gone),
    a lifecycle configuration's writer (`written`, `written_by`: see evaluate_lifecycle_config)."""
    if kind == TRAINING_JOB:
        return evaluate_training_job(description, policy)
    if kind == PROCESSING_JOB:
        return evaluate_processing_job(description, policy)
    if kind == TUNING_JOB:
        return evaluate_tuning_job(description, policy)
    if kind == TRANSFORM_JOB:
        return evaluate_transform_job(description, model, policy)
    if kind == MODEL:
        return evaluate_model(description, tags or {}, policy)
    if kind == NOTEBOOK:
        return evaluate_notebook(description, policy)
    if kind == LIFECYCLE_CONFIG:
        return evaluate_lifecycle_config(description, policy, written=written, written_by=written_by)
    if kind == ENDPOINT_CONFIG:
        return evaluate_endpoint_config(description, models or {}, policy)
    if kind == ENDPOINT:
        return evaluate_endpoint(description, configs or {}, models or {}, policy)
    if kind == MONITORING_SCHEDULE:
        return evaluate_monitoring_schedule(description, related, policy)
    if kind == COMPILATION_JOB:
        return evaluate_compilation_job(description, policy)
    if kind == OPTIMIZATION_JOB:
        return evaluate_optimization_job(description, policy)
    if kind == LABELING_JOB:
        return evaluate_labeling_job(description, policy)
    if kind == RECOMMENDATIONS_JOB:
        return evaluate_recommendations_job(description, policy)
    if kind == CLUSTER:
        return evaluate_cluster(description, policy)
    if kind == DOMAIN:
        return evaluate_domain(description, policy)
    if kind == APP:
        return evaluate_app(description, related, policy)
    if kind == MODEL_PACKAGE:
        return evaluate_model_package(description)
    raise ValueError(f"unknown resource kind {kind!r}")


def status_of(kind: str, description: Mapping[str, Any]) -> str | None:
    value = description.get(STATUS_FIELD.get(kind, ""))
    return value if isinstance(value, str) else None


def phase(kind: str, description: Mapping[str, Any]) -> str:
    """RUNNING (what a violation stops or deletes), RESTING (exists without running: a Stopped or
    Updating notebook, judged and reported once) or ENDED (finished, failed, stopping or going away:
    nothing to do). A kind without a status (model, endpoint configuration, lifecycle configuration)
    runs while it exists. Where `running` is not listed, an unknown status counts as running (fails closed)."""
    spec = KINDS[kind]
    if spec.status_field is None:
        return RUNNING
    status = status_of(kind, description)
    if spec.running is not None:
        if status in spec.running:
            return RUNNING
        return RESTING if status in spec.resting else ENDED
    return ENDED if status in spec.ended or status in spec.stopped else RUNNING


def is_running(kind: str, description: Mapping[str, Any]) -> bool:
    """Jobs: anything not finished counts as running (an unknown status fails closed).
    Notebooks: InService or Pending. Models have no status: they exist, so they count."""
    return phase(kind, description) == RUNNING


def models_in_endpoint_config(description: Mapping[str, Any]) -> set[str]:
    """Every model an endpoint configuration serves, production and shadow variants alike."""
    names: set[str] = set()
    for _, variant in variants(description):
        name = variant.get("ModelName")
        if isinstance(name, str):
            names.add(name)
    return names


def tags_to_dict(tags: Any) -> dict[str, str]:
    """[{"Key": k, "Value": v}, ...] as {k: v}; anything else is ignored."""
    result: dict[str, str] = {}
    for tag in tags if isinstance(tags, list) else []:
        key, value = _dict(tag).get("Key"), _dict(tag).get("Value")
        if isinstance(key, str) and isinstance(value, str):
            result[key] = value
    return result


# --- Studio apps: one resource named by four parts ------------------------------------------------

# An app has no name of its own: DescribeApp takes DomainId, UserProfileName or SpaceName, AppType and
# AppName. The enforcer carries them as one key: <domain id>/<user-profile|space>/<owner>/<type>/<name>
# (each part as the API reference's pattern: DomainId d-(-*[a-z0-9]){1,61}, names as SageMaker's).
_PART = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
APP_KEY = re.compile(
    rf"^(?P<domain>d-(-*[a-z0-9]){{1,61}})/(?P<owner_kind>user-profile|space)/(?P<owner>{_PART})"
    rf"/(?P<type>[A-Za-z]{{1,32}})/(?P<name>{_PART})$"
)


def app_key(domain_id: Any, app_type: Any, app_name: Any, *, user_profile: Any = None, space: Any = None) -> str | None:
    """The key of one app, or None when a part is missing or malformed."""
    owner_kind, owner = ("user-profile", user_profile) if user_profile else ("space", space)
    parts = [domain_id, owner, app_type, app_name]
    if not all(isinstance(p, str) for p in parts):
        return None
    key = f"{domain_id}/{owner_kind}/{owner}/{app_type}/{app_name}"
    return key if APP_KEY.match(key) else None


def app_parameters(key: str) -> dict[str, str]:
    """DescribeApp's (and DeleteApp's) parameters for an app key; ValueError when it is none."""
    match = APP_KEY.match(key)
    if match is None:
        raise ValueError(f"not an app key: {key[:80]!r}")
    owner = (
        {"UserProfileName": match["owner"]} if match["owner_kind"] == "user-profile" else {"SpaceName": match["owner"]}
    )
    return {"DomainId": match["domain"], **owner, "AppType": match["type"], "AppName": match["name"]}
