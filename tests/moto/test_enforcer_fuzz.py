"""Fuzzing the enforcer with thousands of malformed and mutated events (Hypothesis, in-process moto).

Whatever arrives (random JSON, real events with fields deleted, retyped or garbled, unknown
detail-types, huge strings), the enforcer answers without an exception and changes nothing in
AWS unless the event leads it to a real violation: the world below holds compliant running
resources of every kind (jobs, models, notebooks, lifecycle configurations, endpoint configurations,
endpoints, monitoring schedules, compilation, optimization, labeling and inference recommendations
jobs, a HyperPod cluster, a Studio domain and app), one training job outside the VPC that it may
rightly stop, and one lifecycle configuration whose create calls (by a data scientist, not
Terraform) it may rightly report. The real-shaped events of tests/events/ are mutated too.

The enforcer is configured as in an environment with teams (enforcer_world.teams_env: each team's
role held to its own security group, the environment's key alone); the world's resources are
fraud's, in fraud's group, with that key, so those rules too leave them compliant whatever the
event says.

Instance types are fuzzed too (single types, heterogeneous InstanceGroups, tuning InstanceConfigs,
malformed entries): a job without a volume key is compliant exactly when every instance type it
uses is of a local-storage family (modules/_instance_storage/instance_storage.json), else kms.volume.

The moto world is shared by every example of the module (one mock_aws, set up once). moto's
missing Stop* calls and Completed-at-birth jobs are emulator gaps filled in test infrastructure
(src/smenv/live/emulator_patches/). Run with -s to see how many cases ran.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from itertools import count
from typing import Any

import pytest
from enforcer_world import (
    INSTANCE_STORAGE_JSON,
    LIFECYCLE_CONFIG,
    STATE_CHANGE,
    TERRAFORM_ROLE,
    UNSET,
    UPDATE_CALL,
    World,
    cloudtrail_event,
    handler,
    local_storage_families,
    state_change_event,
    teams_env,
    world,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smenv.build import lambda_loader
from smenv_testing import REPO

events = lambda_loader.load("enforcer", "events")
rules = lambda_loader.load("enforcer", "rules")

RUNS: Counter[str] = Counter()
COMPLIANT = {
    "training-job": "fuzz-ok-train",
    "processing-job": "fuzz-ok-prep",
    "hyper-parameter-tuning-job": "fuzz-ok-tune",
    "transform-job": "fuzz-ok-score",
    "model": "fuzz-ok-model",
    "notebook-instance": "fuzz-ok-nb",
    "endpoint-config": "fuzz-ok-cfg",
    "endpoint": "fuzz-ok-endpoint",
    "monitoring-schedule": "fuzz-ok-monitor",
    "compilation-job": "fuzz-ok-neo",
    "optimization-job": "fuzz-ok-opt",
    "labeling-job": "fuzz-ok-labels",
    "inference-recommendations-job": "fuzz-ok-sizing",
    "cluster": "fuzz-ok-pod",
    "domain": "d-fuzz-ok-studio",  # moto names a domain d-<name>
    "app": "d-fuzz-ok-studio/user-profile/alice/JupyterLab/default",
}
VIOLATOR = ("training-job", "fuzz-bad-train")
# A lifecycle configuration with an approved name: compliant by its state change, reported by its
# create call (the data scientist's role is not Terraform's), whatever that call's fields say.
REPORTED_ON_WRITE = ("notebook-instance-lifecycle-config", LIFECYCLE_CONFIG)
MAY_VIOLATE = {VIOLATOR, REPORTED_ON_WRITE}
FIXTURES = sorted((REPO / "tests" / "events").rglob("*.json"))
SETTINGS = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@pytest.fixture(scope="module")
def aws():
    with world() as w:
        w.training_job(COMPLIANT["training-job"])
        w.processing_job(COMPLIANT["processing-job"])
        w.tuning_job(COMPLIANT["hyper-parameter-tuning-job"], w.training_definition())
        w.model(COMPLIANT["model"])
        w.transform_job(COMPLIANT["transform-job"], COMPLIANT["model"])
        w.notebook(COMPLIANT["notebook-instance"])
        w.endpoint_config(COMPLIANT["endpoint-config"], COMPLIANT["model"])
        w.endpoint(COMPLIANT["endpoint"], COMPLIANT["endpoint-config"])
        w.monitoring_schedule(COMPLIANT["monitoring-schedule"])
        w.compilation_job(COMPLIANT["compilation-job"])
        w.optimization_job(COMPLIANT["optimization-job"])
        w.labeling_job(COMPLIANT["labeling-job"])
        w.recommendations_job(COMPLIANT["inference-recommendations-job"])
        w.cluster(COMPLIANT["cluster"])
        assert w.app(w.domain("fuzz-ok-studio")) == COMPLIANT["app"]
        w.lifecycle_config(LIFECYCLE_CONFIG)
        w.training_job(VIOLATOR[1], vpc=UNSET)
        yield w


def real_events() -> list[dict[str, Any]]:
    """Events as EventBridge delivers them, about every resource in the world and a missing one:
    its create call, its Update call where the enforcer watches one, its state change where
    SageMaker publishes one."""
    found = []
    for kind, name in [*COMPLIANT.items(), VIOLATOR, REPORTED_ON_WRITE, ("training-job", "fuzz-missing")]:
        if kind in STATE_CHANGE:
            found.append(state_change_event(kind, name, "InService" if kind == "endpoint" else "InProgress"))
        found.append(cloudtrail_event(kind, name))
        if kind in UPDATE_CALL:
            found.append(cloudtrail_event(kind, name, event_name=UPDATE_CALL[kind]))
    found.append(cloudtrail_event(*REPORTED_ON_WRITE, caller_role=TERRAFORM_ROLE))
    return found


def fixture_events() -> list[dict[str, Any]]:
    """The real-shaped events of tests/events/ (another region: answered before any call is made,
    unless a mutation takes the region out)."""
    return [json.loads(path.read_text()) for path in FIXTURES]


NEW_KINDS = {
    kind
    for kind in COMPLIANT
    if kind
    not in (
        "training-job",
        "processing-job",
        "hyper-parameter-tuning-job",
        "transform-job",
        "model",
        "notebook-instance",
    )
}
BASE_EVENTS = real_events()
NEW_EVENTS = [e for e in BASE_EVENTS if events.parse_event(e).kind in NEW_KINDS | {REPORTED_ON_WRITE[0]}]
NEW_EVENTS += fixture_events()
DETAIL_TYPES = sorted({e["detail-type"] for e in BASE_EVENTS})
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5),
    max_leaves=25,
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def garbled(data: st.DataObject, text: str) -> str:
    how = data.draw(st.sampled_from(["truncate", "insert", "upper", "huge", "unicode", "empty"]))
    if how == "truncate":
        return text[: data.draw(st.integers(0, max(len(text) - 1, 0)))]
    if how == "insert":
        at = data.draw(st.integers(0, len(text)))
        return text[:at] + data.draw(st.text(min_size=1, max_size=8)) + text[at:]
    if how == "upper":
        return text.upper()
    if how == "huge":
        return text + "x" * data.draw(st.integers(10_000, 300_000))
    if how == "unicode":
        return text.replace("-", "\u2010").replace("a", "\u0430")
    return ""


def mutate(data: st.DataObject, event: dict[str, Any]) -> dict[str, Any]:
    """One to four random changes at random places: delete, retype, garble, or swap in a known detail-type."""
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        inner = paths(event)[1:]
        if not inner:
            break
        path = data.draw(st.sampled_from(inner), label="path")
        parent = event
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        operation = data.draw(st.sampled_from(["delete", "retype", "garble", "detail-type"]), label="operation")
        if operation == "delete":
            del parent[key]
        elif operation == "retype":
            parent[key] = data.draw(json_values, label="new value")
        elif operation == "garble" and isinstance(parent[key], str):
            parent[key] = garbled(data, parent[key])
        else:
            event["detail-type"] = data.draw(st.sampled_from(DETAIL_TYPES) | st.text(max_size=60))
    return event


# --- instance types -------------------------------------------------------------------------------

LOCAL_FAMILIES = local_storage_families()
EBS_FAMILIES = json.loads(INSTANCE_STORAGE_JSON.read_text())["ebs_only_families"]
VPC = {"Subnets": ["subnet-0a000000000000001"], "SecurityGroupIds": ["sg-0b000000000000001"]}
KEY = "arn:aws:kms:us-east-1:123456789012:key/fuzz"
SIZES = st.sampled_from(["medium", "large", "xlarge", "2xlarge", "12xlarge", "24xlarge", "48xlarge"])
# (instance type, whether it is of a local-storage family): the second part is known by construction.
LOCAL_TYPE = st.builds(lambda f, s: (f"ml.{f}.{s}", True), st.sampled_from(LOCAL_FAMILIES), SIZES)
EBS_TYPE = st.builds(lambda f, s: (f"ml.{f}.{s}", False), st.sampled_from(EBS_FAMILIES), SIZES)
ODD_TYPE = st.sampled_from(["ml.g5", "g5.xlarge", "ml.G5.xlarge", "ml.g5.", "ml..xlarge", " ml.g5.xlarge"]).map(
    lambda t: (t, False)
) | st.text(min_size=1, max_size=30).map(lambda t: (t, False))
API_TYPES = LOCAL_TYPE | EBS_TYPE | ODD_TYPE  # strings, as the SageMaker API takes them
ANY_TYPES = API_TYPES | json_scalars.filter(lambda v: not isinstance(v, str)).map(lambda v: (v, False))


@st.composite
def resource_block(draw: st.DrawFn, many: str | None, types: st.SearchStrategy, api_shaped: bool):
    """A resource block with InstanceType and/or `many` (groups), and whether every type in it is of a
    local-storage family. Unless api_shaped, a group may lack its InstanceType (an unknown type)."""
    block: dict[str, Any] = {}
    local: list[bool] = []
    shape = draw(st.sampled_from(["single", "groups", "both", "neither"] if many else ["single", "neither"]))
    if shape in ("single", "both"):
        block["InstanceType"], is_local = draw(types)
        local.append(is_local)
    if shape in ("groups", "both"):
        block[many] = []
        for i in range(draw(st.integers(0 if not api_shaped else 1, 4))):
            group: dict[str, Any] = {"InstanceGroupName": f"group-{i}", "InstanceCount": 1}
            if api_shaped or draw(st.booleans()):
                group["InstanceType"], is_local = draw(types)
            else:
                is_local = False
            block[many].append(group)
            local.append(is_local)
    return block, bool(local) and all(local)


@st.composite
def job_on_fuzzed_types(draw: st.DrawFn, types: st.SearchStrategy = ANY_TYPES):
    """(kind, description, all types local): a job right in all but its volume key, which it lacks."""
    kind = draw(st.sampled_from(["training-job", "hyper-parameter-tuning-job", "processing-job", "transform-job"]))
    base = {"VpcConfig": VPC, "OutputDataConfig": {"KmsKeyId": KEY}, "EnableInterContainerTrafficEncryption": True}
    if kind == "training-job":
        block, local = draw(resource_block("InstanceGroups", types, api_shaped=False))
        return kind, {**base, "ResourceConfig": block}, local
    if kind == "hyper-parameter-tuning-job":
        field, many = draw(
            st.sampled_from(
                [("ResourceConfig", "InstanceGroups"), ("HyperParameterTuningResourceConfig", "InstanceConfigs")]
            )
        )
        block, local = draw(resource_block(many, types, api_shaped=False))
        return kind, {"TrainingJobDefinition": {**base, field: block}}, local
    block, local = draw(resource_block(None, types, api_shaped=False))
    if kind == "processing-job":
        return kind, {"NetworkConfig": {"VpcConfig": VPC}, "ProcessingResources": {"ClusterConfig": block}}, local
    return kind, {"ModelName": "m", "TransformResources": block, "TransformOutput": {"KmsKeyId": KEY}}, local


LOCAL_STORAGE_POLICY = rules.Policy(local_storage_families=frozenset(LOCAL_FAMILIES))
FUZZED_JOBS = count()


@settings(SETTINGS, max_examples=1500)
@given(job=job_on_fuzzed_types())
def test_a_missing_volume_key_is_compliant_exactly_when_every_instance_type_is_local_storage(job):
    kind, description, local = job
    verdict = rules.evaluate(kind, description, LOCAL_STORAGE_POLICY, model={"ModelName": "m", "VpcConfig": VPC})
    RUNS["instance types, rules"] += 1
    assert verdict.rule_ids == ([] if local else ["kms.volume"])


@settings(SETTINGS, max_examples=150)
@given(resources=resource_block("InstanceGroups", API_TYPES, api_shaped=True))
def test_training_jobs_on_fuzzed_instance_types_are_judged_without_error(aws: World, resources):
    # Given a running training job without a volume key on fuzzed instance types (or groups of them)
    block, local = resources
    name = f"fuzz-types-{next(FUZZED_JOBS)}"
    aws.training_job(name, volume_key=UNSET, resource_config={**block, "VolumeSizeInGB": 10})
    # When its event arrives (audit mode, no topic: nothing is changed or published)
    result = aws.process(state_change_event("training-job", name), ENFORCEMENT_MODE="audit", FINDINGS_TOPIC_ARN="")
    RUNS["instance types, handler"] += 1
    # Then it is compliant exactly when every type is of a local-storage family
    assert result["decision"] == ("compliant" if local else "violation")
    assert result["violations"] == ([] if local else ["kms.volume"])


def check(aws: World, event: Any, what: str) -> None:
    result = aws.process(event, **teams_env())
    RUNS[what] += 1
    assert result["decision"] in ("ignored", "compliant", "violation")
    if result["decision"] == "violation":
        assert (result["resource_type"], result["resource_name"]) in MAY_VIOLATE


@settings(SETTINGS, max_examples=800)
@given(event=json_values)
def test_random_json_is_answered_without_error(aws: World, event):
    check(aws, event, "random JSON")


@settings(SETTINGS, max_examples=600)
@given(
    event=st.fixed_dictionaries(
        {"source": st.just("aws.sagemaker"), "detail-type": st.text(max_size=80), "detail": json_values},
        optional={
            "id": st.text(max_size=40),
            "account": json_scalars,
            "region": json_scalars,
            "resources": json_values,
        },
    )
)
def test_unknown_detail_types_and_shapes_are_answered_without_error(aws: World, event):
    check(aws, event, "unknown detail-type / shapes")


@settings(SETTINGS, max_examples=1500)
@given(data=st.data())
def test_mutated_real_events_are_answered_without_error(aws: World, data):
    event = mutate(data, copy.deepcopy(data.draw(st.sampled_from(BASE_EVENTS), label="event")))
    check(aws, event, "mutated real events")


@settings(SETTINGS, max_examples=1500)
@given(data=st.data())
def test_mutated_events_of_the_new_kinds_are_answered_without_error(aws: World, data):
    # Given a real event about a lifecycle configuration, endpoint configuration, endpoint, monitoring
    # schedule, unguarded job, cluster, domain or app (or a real-shaped one of tests/events/), mutated
    event = mutate(data, copy.deepcopy(data.draw(st.sampled_from(NEW_EVENTS), label="event")))
    # When it arrives, then it is answered, and only what may violate is acted on
    check(aws, event, "mutated new-kind events")


@settings(SETTINGS, max_examples=150)
@given(data=st.data())
def test_real_events_with_huge_strings_are_answered_without_error(aws: World, data):
    event = copy.deepcopy(data.draw(st.sampled_from(BASE_EVENTS)))
    size = data.draw(st.integers(50_000, 2_000_000))
    where = data.draw(st.sampled_from(["id", "detail-type", "account", "name", "caller", "errorCode"]))
    huge = "A" * size
    if where in ("id", "detail-type", "account"):
        event[where] = huge
    elif where == "errorCode":
        event["detail"]["errorCode"] = huge
    elif where == "caller" and "userIdentity" in event["detail"]:
        event["detail"]["userIdentity"]["arn"] = huge
    else:
        for key in list(event["detail"]):
            if key.endswith("Name"):
                event["detail"][key] = huge
    check(aws, event, "huge strings")


@settings(SETTINGS, max_examples=3000)
@given(event=json_values | st.sampled_from(BASE_EVENTS + fixture_events()).map(copy.deepcopy))
def test_the_parser_alone_never_raises(event):
    parsed = events.parse_event(event)
    RUNS["parser alone"] += 1
    assert isinstance(parsed, events.Target | events.Ignored)


def test_nothing_compliant_was_changed_and_only_the_violators_were_reported(aws: World):
    # After every fuzz case above (this test runs last in the module): the compliant resources
    # still run (as they were made), none carries the enforcer's marker, and the model still exists
    expected = {
        "notebook-instance": "InService",
        "model": None,
        "endpoint-config": None,
        "endpoint": "InService",
        "monitoring-schedule": "Scheduled",
        "compilation-job": "INPROGRESS",
        "optimization-job": "STARTING",
        "labeling-job": "Initializing",
        "inference-recommendations-job": "PENDING",
        "cluster": "InService",
        "domain": "InService",
        "app": "InService",
    }
    for kind, name in COMPLIANT.items():
        assert aws.exists(kind, name), (kind, name)
        assert aws.status(kind, name) == expected.get(kind, "InProgress"), (kind, name)
    assert aws.sagemaker.describe_model(ModelName=COMPLIANT["model"])["ModelName"] == COMPLIANT["model"]
    for kind in ("notebook-instance", "endpoint", "cluster", "domain", "compilation-job"):
        description = handler.actions.describe(aws.sagemaker, kind, COMPLIANT[kind])
        assert "smenv:enforcer" not in aws.tags(description[handler.rules.ARN_FIELD[kind]]), kind
    # and every finding published is about a resource that may violate: the violator, stopped once
    findings = [f["finding"] for f in aws.findings()]
    assert {(f["resource_type"], f["resource_name"]) for f in findings} <= MAY_VIOLATE
    assert len([f for f in findings if (f["resource_type"], f["resource_name"]) == VIOLATOR]) <= 1
    total = sum(RUNS.values())
    print(f"\nenforcer fuzz: {total} cases: " + ", ".join(f"{n} {what}" for what, n in sorted(RUNS.items())))
    if len(RUNS) == 8:  # the whole module ran (not a -k selection)
        assert total >= 9000
