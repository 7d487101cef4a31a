"""The pipeline definition (SageMaker's pipeline JSON DSL, schema version 2020-12-01): rendered from
the contract, then checked against the perimeter before anything is sent. Pure.

The example (examples/pipelines/pipeline.json) holds placeholders: "${name}" as a whole JSON string
takes the value as it is (a list stays a list: "${subnets}"); inside a longer string it is replaced by
text. `values()` lists the names. `check()` returns one line per step that would leave the perimeter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from smenv.core.project import REPO, UsageError
from smenv.pipelines.contract import Contract

TEMPLATE = REPO / "examples" / "pipelines" / "pipeline.json"
INSTANCE_STORAGE = REPO / "modules" / "_instance_storage" / "instance_storage.json"
_PLACEHOLDER = re.compile(r"\$\{([a-z_]+)\}")
_PIPELINE_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$")  # CreatePipeline's PipelineName pattern

# Job steps: {step type: the field whose value Pipelines uses as the job name's prefix when it is set
# ("custom job prefixing", SageMaker Developer Guide, "IAM Access Management", build-and-manage-access.html)}.
JOB_STEPS = {"Processing": "ProcessingJobName", "Training": "TrainingJobName"}
PLAIN_STEPS = {"Condition", "Fail", "RegisterModel"}
CONTROL_TAGS = ("managed-by", "smenv:")  # the platform's own tags (a key equal to, or starting with, one)
_TYPES = {"String": str, "Integer": int, "Float": float, "Boolean": bool}


class DefinitionError(UsageError):
    """A definition this tool does not send: one line naming the step and what is wrong (exit 2)."""


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as JSON; UsageError when it is unreadable or has no Steps list."""
    try:
        document = json.loads(path.read_text())
    except OSError as exc:
        raise UsageError(f"cannot read the pipeline definition {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not JSON: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("Steps"), list):
        raise UsageError(f"{path} is not a pipeline definition: it has no Steps list")
    return document


def pipeline_name(contract: Contract, name: str) -> str:
    """<work prefix><name> (smenv-dev-fraud-churn): the pipeline is named like the team's work."""
    full = f"{contract.work_prefix}{name}"
    if not _PIPELINE_NAME.match(full):
        raise UsageError(f"--name {name!r} makes {full!r}, not a pipeline name (letters, digits and single hyphens)")
    return full


def values(contract: Contract, *, region: str, pipeline: str, image: str, code_prefix: str) -> dict[str, Any]:
    """Every placeholder a definition may name: {name: str, or list[str] for subnets}."""
    return {
        "team": contract.team,
        "work_prefix": contract.work_prefix,
        "pipeline": pipeline,
        "region": region,
        "role_arn": contract.role_arn,
        "subnets": list(contract.subnets),
        "security_group": contract.security_group,
        "data_bucket": contract.data_bucket,
        "model_bucket": contract.model_bucket,
        "data_key": contract.keys["data"],
        "models_key": contract.keys["models"],
        "volumes_key": contract.keys["volumes"],
        "model_package_group": contract.model_package_group,
        "image": image,
        "code": code_prefix,
    }


def render(template: Any, known: Mapping[str, Any]) -> Any:
    """The template with every placeholder filled; an unknown name is a DefinitionError."""
    if isinstance(template, dict):
        return {key: render(value, known) for key, value in template.items()}
    if isinstance(template, list):
        return [render(value, known) for value in template]
    if not isinstance(template, str):
        return template
    whole = _PLACEHOLDER.fullmatch(template)
    if whole:
        return _value(whole.group(1), known)

    def text(match: re.Match[str]) -> str:
        value = _value(match.group(1), known)
        if not isinstance(value, str):
            raise DefinitionError(f"the definition puts ${{{match.group(1)}}} (a list) inside a string")
        return value

    return _PLACEHOLDER.sub(text, template)


def _value(name: str, known: Mapping[str, Any]) -> Any:
    if name not in known:
        raise DefinitionError(
            f"the definition names ${{{name}}}, which nothing fills (known: {', '.join(sorted(known))})"
        )
    return known[name]


def parameters(definition: Mapping[str, Any], overrides: Mapping[str, str] | None = None) -> dict[str, Any]:
    """{parameter: its DefaultValue, or the override given}. An override of no parameter, or one that
    is not of the parameter's Type (String, Integer, Float, Boolean: the DSL's), is a UsageError."""
    declared = {
        p["Name"]: p
        for p in definition.get("Parameters") or []
        if isinstance(p, dict) and isinstance(p.get("Name"), str)
    }
    found = {name: p.get("DefaultValue") for name, p in declared.items()}
    for name, raw in (overrides or {}).items():
        if name not in declared:
            raise UsageError(f"--parameter {name}: the pipeline has no such parameter (it has {', '.join(declared)})")
        kind = declared[name].get("Type", "String")
        try:
            if kind == "Boolean" and raw not in ("true", "false"):
                raise ValueError
            found[name] = raw == "true" if kind == "Boolean" else _TYPES.get(kind, str)(raw)
        except ValueError:
            raise UsageError(f"--parameter {name}={raw}: not a {kind}") from None
    return found


def steps(definition: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every step, those in a condition's IfSteps and ElseSteps too, in order."""
    stack = list(reversed(definition.get("Steps") or []))
    while stack:
        step = stack.pop()
        if not isinstance(step, dict) or not step.get("Name") or not step.get("Type"):
            raise DefinitionError(f"a step without a Name and a Type: {json.dumps(step)[:80]}")
        yield step
        if step["Type"] == "Condition":
            arguments = step.get("Arguments") or {}
            stack.extend(reversed([*(arguments.get("IfSteps") or []), *(arguments.get("ElseSteps") or [])]))


def vpc_config(step: Mapping[str, Any]) -> Any:
    """The step's VpcConfig: NetworkConfig.VpcConfig of a processing job, VpcConfig of a training job."""
    arguments = step.get("Arguments") or {}
    if step["Type"] == "Processing":
        return (arguments.get("NetworkConfig") or {}).get("VpcConfig")
    return arguments.get("VpcConfig")


# The CreateModelPackage fields a RegisterModel step may send: the model, its metrics and its status.
REGISTER_FIELDS = frozenset(
    {
        "ModelPackageGroupName",
        "ModelPackageDescription",
        "ModelApprovalStatus",
        "InferenceSpecification",
        "ModelMetrics",
        "CustomerMetadataProperties",
        "MetadataProperties",
        "Domain",
        "Task",
        "SamplePayloadUrl",
    }
)


def check(definition: Mapping[str, Any], contract: Contract) -> list[str]:
    """What keeps the rendered definition from being sent: "step <name> <what>" per problem; [] when none."""
    problems: list[str] = []
    names: set[str] = set()
    for step in steps(definition):
        kind, where = step["Type"], f"step {step['Name']}"
        if step["Name"] in names:
            problems.append(f"{where} is named twice")
        names.add(step["Name"])
        own = {k: v for k, v in (step.get("Arguments") or {}).items() if k not in ("IfSteps", "ElseSteps")}
        if "Std:JsonGet" in json.dumps(own):
            problems.append(
                f"{where} reads a property file (Std:JsonGet): SageMaker Pipelines reads it from outside the VPC, "
                "which the team's bucket policy denies; compare a step property instead (examples/pipelines/README.md)"
            )
        if kind in JOB_STEPS:
            problems += [f"{where} {problem}" for problem in _job_problems(step, contract)]
        elif kind == "RegisterModel":
            arguments = step.get("Arguments") or {}
            group = arguments.get("ModelPackageGroupName")
            if group != contract.model_package_group:
                problems.append(
                    f"{where} registers into {group!r}, not the team's group {contract.model_package_group}"
                )
            if "Tags" in arguments:  # CreateModelPackage (API reference): a package in a group takes its group's tags
                problems.append(
                    f"{where} sets Tags: a model package in a group takes the group's tags, and AWS refuses them"
                )
            # What SageMaker would run for the package itself: a ValidationSpecification's batch transform
            # jobs (API reference, ModelPackageValidationSpecification) have no VPC, and no IAM key shows
            # them; the enforcer deletes such a package. Only the fields that describe the model are sent.
            unknown = sorted(set(arguments) - REGISTER_FIELDS - {"Tags"})
            if unknown:
                problems.append(
                    f"{where} sets {', '.join(unknown)}: a RegisterModel step sends only {', '.join(sorted(REGISTER_FIELDS))}"
                    " (a ValidationSpecification would run transform jobs outside the VPC)"
                )
        elif kind not in PLAIN_STEPS:
            problems.append(
                f"{where} is a {kind} step, which this tool does not judge (it sends {', '.join([*JOB_STEPS, *sorted(PLAIN_STEPS)])})"
            )
    return problems


def _job_problems(step: Mapping[str, Any], contract: Contract) -> list[str]:
    arguments, kind = step.get("Arguments") or {}, step["Type"]
    problems = []
    vpc = vpc_config(step)
    if not isinstance(vpc, dict) or not vpc.get("Subnets") or not vpc.get("SecurityGroupIds"):
        problems.append("has no VpcConfig: its job would run outside the environment's private subnets")
    else:
        if not isinstance(vpc["Subnets"], list) or not set(vpc["Subnets"]) <= set(contract.subnets):
            problems.append(
                f"runs in subnets {vpc['Subnets']}: not among the environment's private subnets {list(contract.subnets)}"
            )
        if vpc["SecurityGroupIds"] != [contract.security_group]:
            problems.append(
                f"runs in security groups {vpc['SecurityGroupIds']}: not the team's own [{contract.security_group}]"
            )
    name = arguments.get(JOB_STEPS[kind])
    if not isinstance(name, str) or not name.startswith(contract.work_prefix):
        problems.append(
            f"names its job {name!r}: {JOB_STEPS[kind]} must start with the team's prefix {contract.work_prefix}"
        )
    if arguments.get("RoleArn") != contract.role_arn:
        problems.append(f"runs as {arguments.get('RoleArn')!r}, not the team's pipeline role {contract.role_arn}")
    if kind == "Processing":
        resources = (arguments.get("ProcessingResources") or {}).get("ClusterConfig") or {}
        output_key = (arguments.get("ProcessingOutputConfig") or {}).get("KmsKeyId")
        encrypted = (arguments.get("NetworkConfig") or {}).get("EnableInterContainerTrafficEncryption")
    else:
        resources = arguments.get("ResourceConfig") or {}
        output_key = (arguments.get("OutputDataConfig") or {}).get("KmsKeyId")
        encrypted = arguments.get("EnableInterContainerTrafficEncryption")
    volume_key = resources.get("VolumeKmsKeyId")
    # SageMaker refuses a volume key on local-NVMe instance types (modules/_instance_storage).
    if volume_key != contract.keys["volumes"] and not (
        volume_key is None and _local_storage(resources.get("InstanceType"))
    ):
        problems.append(f"encrypts its volume with {volume_key!r}, not the environment's volumes key")
    if output_key not in (contract.keys["data"], contract.keys["models"]):
        problems.append(f"encrypts its output with {output_key!r}, not the environment's data or models key")
    if encrypted is not True:
        problems.append("does not encrypt traffic between its containers (EnableInterContainerTrafficEncryption: true)")
    return problems + _tag_problems(arguments, contract)


def _tag_problems(arguments: Mapping[str, Any], contract: Contract) -> list[str]:
    tags = {t.get("Key"): t.get("Value") for t in arguments.get("Tags") or [] if isinstance(t, dict)}
    problems = [] if tags.get("team") == contract.team else [f"is not tagged team={contract.team}"]
    control = sorted(str(k) for k in tags if str(k) == CONTROL_TAGS[0] or str(k).startswith(CONTROL_TAGS[1]))
    return problems + ([f"sets the platform's own tags {', '.join(control)}"] if control else [])


def _local_storage(instance_type: Any) -> bool:
    families = json.loads(INSTANCE_STORAGE.read_text())["local_storage_families"]
    parts = instance_type.split(".") if isinstance(instance_type, str) else []
    return len(parts) == 3 and parts[1] in families
