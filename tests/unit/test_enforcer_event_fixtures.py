"""The enforcer reads every real-shaped event of tests/events/ as the resource it is about."""

from __future__ import annotations

import copy
import json
import re

import pytest

from smenv.build import lambda_loader
from smenv_testing import REPO

events = lambda_loader.load("enforcer", "events")
rules = lambda_loader.load("enforcer", "rules")

FIXTURES = REPO / "tests" / "events"
A = "arn:aws:sagemaker:eu-west-1:123456789012"
CLUSTER_ARN = f"{A}:cluster/p2ffyhs9a2jd"
ROLE = "arn:aws:iam::123456789012:role/data-scientist"

# file -> (kind, the name the enforcer describes it by)
EXPECTED = {
    "cloudtrail/UpdateNotebookInstance.json": ("notebook-instance", "fraud-notebook"),
    "cloudtrail/CreateNotebookInstanceLifecycleConfig.json": ("notebook-instance-lifecycle-config", "fetch-and-run"),
    "cloudtrail/UpdateNotebookInstanceLifecycleConfig.json": ("notebook-instance-lifecycle-config", "smenv-dev-fraud"),
    "cloudtrail/CreateEndpointConfig.json": ("endpoint-config", "fraud-live-v7"),
    "cloudtrail/CreateEndpoint.json": ("endpoint", "fraud-live"),
    "cloudtrail/UpdateEndpoint.json": ("endpoint", "fraud-live"),
    "cloudtrail/CreateMonitoringSchedule.json": ("monitoring-schedule", "fraud-live-data-quality"),
    "cloudtrail/UpdateMonitoringSchedule.json": ("monitoring-schedule", "fraud-live-data-quality"),
    "cloudtrail/CreateCompilationJob.json": ("compilation-job", "fraud-scorer-neo"),
    "cloudtrail/CreateOptimizationJob.json": ("optimization-job", "fraud-llm-awq"),
    "cloudtrail/CreateLabelingJob.json": ("labeling-job", "fraud-labels-2025-03"),
    "cloudtrail/CreateInferenceRecommendationsJob.json": ("inference-recommendations-job", "fraud-scorer-sizing"),
    "cloudtrail/CreateCluster.json": ("cluster", "fraud-pod"),
    "cloudtrail/UpdateCluster.json": ("cluster", CLUSTER_ARN),  # UpdateCluster named it by ARN
    "cloudtrail/CreateDomain.json": ("domain", "d-8pkyq3fsqrgl"),  # its id, from domainArn alone
    "cloudtrail/UpdateDomain.json": ("domain", "d-8pkyq3fsqrgl"),
    "cloudtrail/CreateApp.json": ("app", "d-8pkyq3fsqrgl/user-profile/alice/JupyterLab/default"),
    # A versioned package, by its ARN (model-package/<group>/<version>: the request names the group only)
    "cloudtrail/CreateModelPackage.json": ("model-package", f"{A}:model-package/fraud-scorer/3"),
    "state-change/endpoint-config.json": ("endpoint-config", "fraud-live-v7"),
    "state-change/endpoint.json": ("endpoint", "fraud-live"),
    "state-change/notebook-lifecycle-config.json": ("notebook-instance-lifecycle-config", "fetch-and-run"),
    "state-change/monitoring-schedule.json": ("monitoring-schedule", "fraud-live-data-quality"),
    "state-change/hyperpod-cluster.json": ("cluster", "fraud-pod"),
    # By its ARN too: ModelPackageName of a versioned package is its group's name
    "state-change/model-package.json": ("model-package", f"{A}:model-package/fraud-scorer/3"),
}


def load(relative: str) -> dict:
    return json.loads((FIXTURES / relative).read_text())


def test_every_fixture_has_an_expectation_and_every_new_event_a_fixture():
    files = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.json")}
    assert files == set(EXPECTED)
    first_version = {"CreateTrainingJob", "CreateProcessingJob", "CreateHyperParameterTuningJob"}
    first_version |= {"CreateTransformJob", "CreateModel", "CreateNotebookInstance"}
    assert {f"cloudtrail/{name}.json" for name in set(events.CALLS) - first_version} <= files


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_each_real_shaped_event_names_its_resource(relative):
    # Given an event as EventBridge delivers it
    event = load(relative)
    # When the enforcer parses it
    target = events.parse_event(event)
    # Then it names the resource the Describe* call takes, and the event's envelope
    assert (target.kind, target.name) == EXPECTED[relative]
    assert (target.account, target.region, target.event_id) == ("123456789012", "eu-west-1", event["id"])
    if relative.startswith("cloudtrail/"):
        assert (target.source, target.trigger) == ("cloudtrail", event["detail"]["eventName"])
        assert target.caller == "arn:aws:sts::123456789012:assumed-role/data-scientist/alice"
        assert target.caller_principal == ROLE  # sessionContext.sessionIssuer, written by CloudTrail
        assert target.written
    else:
        assert (target.source, target.trigger, target.caller) == ("state-change", event["detail-type"], None)
        assert not target.written


def test_a_state_change_of_a_cluster_without_its_name_is_named_by_its_arn():
    event = load("state-change/hyperpod-cluster.json")
    del event["detail"]["ClusterName"]
    assert events.parse_event(event).name == CLUSTER_ARN


@pytest.mark.parametrize(
    ("relative", "breaks"),
    [
        ("cloudtrail/CreateApp.json", {"appType": "Jupyter Lab"}),
        ("cloudtrail/CreateApp.json", {"domainId": "8pkyq3fsqrgl"}),
        ("cloudtrail/CreateApp.json", {"userProfileName": None}),
        ("cloudtrail/CreateDomain.json", {}),  # no domainArn: CreateDomain's request names no id
        ("cloudtrail/UpdateEndpoint.json", {"endpointName": "fraud live"}),
        ("cloudtrail/CreateModelPackage.json", {}),  # no modelPackageArn: the group does not name the version
    ],
)
def test_an_event_whose_resource_cannot_be_named_is_ignored(relative, breaks):
    event = copy.deepcopy(load(relative))
    event["detail"]["requestParameters"].update(breaks)
    if not breaks or "endpointName" in breaks:
        event["detail"]["responseElements"] = None
    assert events.parse_event(event).reason == "no_resource_name"


def test_a_caller_that_is_no_assumed_role_is_named_by_its_own_arn():
    event = load("cloudtrail/CreateCluster.json")
    event["detail"]["userIdentity"] = {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/admin"}
    assert events.parse_event(event).caller_principal == "arn:aws:iam::123456789012:user/admin"
    event["detail"]["userIdentity"] = {"type": "AssumedRole", "arn": "x", "sessionContext": "junk"}
    assert events.parse_event(event).caller_principal == "x"


def test_the_detail_types_the_handler_parses_are_the_sagemaker_state_changes_it_judges():
    # The plan test reads these keys from events.py with this pattern: keep each on a line of its own
    source = (REPO / "lambda" / "enforcer" / "events.py").read_text()
    parsed = set(re.findall(r'^\s+"(SageMaker [A-Za-z ]+ State Change)":', source, re.M))
    assert parsed == set(events.STATE_CHANGES)
    assert {kind for kind, _, _ in events.STATE_CHANGES.values()} <= set(rules.KINDS)
