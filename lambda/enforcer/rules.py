"""Pure decisions: is a SageMaker resource inside the secure environment, and what should happen to it?

Everything here works on plain dicts shaped like the Describe* answers, and returns rule ids
that findings and alarms rely on (keep them stable):

| rule id | meaning |
| --- | --- |
| vpc.required | not attached to a VPC (no VpcConfig, or one without subnets or security groups) |
| vpc.model_not_found | a transform job whose model is gone: its network cannot be verified (fails closed) |
| vpc.subnet_not_approved | a subnet outside APPROVED_SUBNET_IDS |
| vpc.security_group_not_approved | a security group outside APPROVED_SECURITY_GROUP_IDS |
| kms.volume | the ML storage volume is not encrypted with a customer KMS key; a job only on local-storage instance types needs none (below) |
| kms.output | the output written to S3 is not encrypted with a customer KMS key |
| encryption.inter_container | training traffic between containers is not encrypted |
| notebook.direct_internet_access | the notebook has direct internet access |
| notebook.root_access | users have root on the notebook |

Instance types with local NVMe instance storage: SageMaker refuses a volume KMS key on them
("Certain Nitro-based instances include local storage ... Local storage volumes are encrypted
using a hardware module on the instance. You can't request a VolumeKmsKeyId when using an instance
type with local storage": AWS API reference of ResourceConfig, ProcessingClusterConfig and
TransformResources; HyperParameterTuningResourceConfig says the same in other words). So a
training, processing, tuning or transform job without a volume key is compliant with kms.volume
when EVERY instance type it uses ("ml.g5.xlarge": family "g5") is in Policy.local_storage_families
(INSTANCE_STORAGE_FAMILIES). A job whose instance types cannot all be found, or that mixes in one
EBS-only type, still needs the key (fails closed); the VPC rules and kms.output apply whatever the
type. A notebook always needs its key: its ML storage volume is EBS on every instance type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

TRAINING_JOB = "training-job"
PROCESSING_JOB = "processing-job"
TUNING_JOB = "hyper-parameter-tuning-job"
TRANSFORM_JOB = "transform-job"
MODEL = "model"
NOTEBOOK = "notebook-instance"
JOB_KINDS = (TRAINING_JOB, PROCESSING_JOB, TUNING_JOB, TRANSFORM_JOB)
KINDS = (*JOB_KINDS, MODEL, NOTEBOOK)

# Where the status and the ARN live in each Describe* answer.
STATUS_FIELD = {
    TRAINING_JOB: "TrainingJobStatus",
    PROCESSING_JOB: "ProcessingJobStatus",
    TUNING_JOB: "HyperParameterTuningJobStatus",
    TRANSFORM_JOB: "TransformJobStatus",
    NOTEBOOK: "NotebookInstanceStatus",
}
ARN_FIELD = {
    TRAINING_JOB: "TrainingJobArn",
    PROCESSING_JOB: "ProcessingJobArn",
    TUNING_JOB: "HyperParameterTuningJobArn",
    TRANSFORM_JOB: "TransformJobArn",
    MODEL: "ModelArn",
    NOTEBOOK: "NotebookInstanceArn",
}

# A job in one of these states has ended or is ending: there is nothing left to stop.
FINISHED_JOB_STATUSES = frozenset({"Completed", "Failed", "Stopped", "Stopping"})
# Only these notebooks are running (StopNotebookInstance applies to them).
RUNNING_NOTEBOOK_STATUSES = frozenset({"InService", "Pending"})

SERVERLESS_TAG = ("smenv:inference", "serverless")
# Set by the enforcer on a resource it stopped or reported but left in place, so a second event
# for the same resource is a no-op instead of a second finding.
MARKER_TAG_KEY = "smenv:enforcer"

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
)
_ORDER = {rule: i for i, rule in enumerate(RULES)}


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


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, str) and item]


def _present(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _verdict(violations: Iterable[Violation]) -> Verdict:
    unique = dict.fromkeys(violations)  # keeps the first of each, in order
    return Verdict(tuple(sorted(unique, key=lambda v: _ORDER[v.rule])))


def check_network(subnets: list[str], security_groups: list[str], policy: Policy, where: str = "") -> list[Violation]:
    prefix = f"{where}: " if where else ""
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
    return found


def _vpc_network(vpc_config: Any, policy: Policy, where: str = "") -> list[Violation]:
    vpc = _dict(vpc_config)
    return check_network(_strings(vpc.get("Subnets")), _strings(vpc.get("SecurityGroupIds")), policy, where)


def _kms(key: Any, rule: str, what: str, policy: Policy, where: str = "") -> list[Violation]:
    if not policy.require_kms or _present(key):
        return []
    prefix = f"{where}: " if where else ""
    return [Violation(rule, f"{prefix}{what} is not set")]


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
    prefix = f"{where}: " if where else ""
    return [Violation("encryption.inter_container", f"{prefix}EnableInterContainerTrafficEncryption is off")]


def _training_definition(definition: Mapping[str, Any], policy: Policy, where: str = "") -> list[Violation]:
    """A training job, or one training job definition of a tuning job: the same four rules."""
    resources = _dict(definition.get("ResourceConfig")) or _dict(definition.get("HyperParameterTuningResourceConfig"))
    key = resources.get("VolumeKmsKeyId")
    return [
        *_vpc_network(definition.get("VpcConfig"), policy, where),
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
        *_vpc_network(network.get("VpcConfig"), policy),
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


def evaluate_transform_job(description: Mapping[str, Any], model: Mapping[str, Any] | None, policy: Policy) -> Verdict:
    """A transform job has no VpcConfig of its own: it runs in its model's VPC, so its network is
    judged by the model's VpcConfig. A model that is gone cannot be verified: that fails closed.
    The serverless exemption is for models behind serverless endpoints only, never for a
    transform job, which always runs on instances that can join the VPC."""
    resources = _dict(description.get("TransformResources"))
    output = _dict(description.get("TransformOutput"))
    if model is None:
        network = [Violation("vpc.model_not_found", f"model {description.get('ModelName')!s:.63} not found")]
    else:
        network = _vpc_network(model.get("VpcConfig"), policy, f"model {model.get('ModelName')!s:.63}")
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


def evaluate_model(description: Mapping[str, Any], tags: Mapping[str, str], policy: Policy) -> Verdict:
    """Serverless inference cannot join a VPC; a model tagged for it is exempt from the VPC rule
    only (and only where the environment allows serverless). Its subnets, if any, still count."""
    vpc = _dict(description.get("VpcConfig"))
    if not vpc and policy.allow_serverless_inference and is_serverless_model(tags):
        return Verdict()
    return _verdict(_vpc_network(vpc, policy))


def evaluate_notebook(description: Mapping[str, Any], policy: Policy) -> Verdict:
    subnet = description.get("SubnetId")
    violations = check_network(
        [subnet] if _present(subnet) else [], _strings(description.get("SecurityGroups")), policy
    )
    violations += _kms(description.get("KmsKeyId"), "kms.volume", "KmsKeyId", policy)
    # Both default to Enabled when the answer leaves them out.
    if description.get("DirectInternetAccess", "Enabled") != "Disabled":
        violations.append(Violation("notebook.direct_internet_access", "DirectInternetAccess is not Disabled"))
    if description.get("RootAccess", "Enabled") != "Disabled":
        violations.append(Violation("notebook.root_access", "RootAccess is not Disabled"))
    return _verdict(violations)


def evaluate(
    kind: str,
    description: Mapping[str, Any],
    policy: Policy,
    *,
    tags: Mapping[str, str] | None = None,
    model: Mapping[str, Any] | None = None,
) -> Verdict:
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
    raise ValueError(f"unknown resource kind {kind!r}")


def status_of(kind: str, description: Mapping[str, Any]) -> str | None:
    value = description.get(STATUS_FIELD.get(kind, ""))
    return value if isinstance(value, str) else None


def is_running(kind: str, description: Mapping[str, Any]) -> bool:
    """Jobs: anything not finished counts as running (an unknown status fails closed).
    Notebooks: InService or Pending. Models have no status: they exist, so they count."""
    status = status_of(kind, description)
    if kind in JOB_KINDS:
        return status not in FINISHED_JOB_STATUSES
    if kind == NOTEBOOK:
        return status in RUNNING_NOTEBOOK_STATUSES
    return True


def models_in_endpoint_config(description: Mapping[str, Any]) -> set[str]:
    """Every model an endpoint configuration serves, production and shadow variants alike."""
    names: set[str] = set()
    for key in ("ProductionVariants", "ShadowProductionVariants"):
        variants = description.get(key)
        for variant in variants if isinstance(variants, list) else []:
            name = _dict(variant).get("ModelName")
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
