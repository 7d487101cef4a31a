"""The enforcer against AWS behaviour (in-process moto), for what it watches beyond jobs, models and
notebooks' creation: notebook updates, lifecycle configurations, endpoint configurations and
endpoints, monitoring schedules, the jobs the guardrails cannot see (compilation, optimization,
labeling, inference recommendations), HyperPod clusters, Studio domains and apps, model packages
registered with a validation job.

moto lacks most of these calls: src/smenv/live/emulator_patches/ fills the gaps (enforcer_world.world()).
Each kind gets its CloudTrail call and, where SageMaker publishes one, its state-change event.
"""

from __future__ import annotations

import json
import time
from unittest.mock import patch

import pytest
from botocore.exceptions import ClientError
from enforcer_world import (
    APPROVED,
    KEY,
    LIFECYCLE_CONFIG,
    PUBLIC_WORKTEAM,
    ROGUE_SECURITY_GROUP,
    ROGUE_SUBNET,
    SECURITY_GROUP,
    SUBNETS,
    TERRAFORM_ROLE,
    UNSET,
    UPDATE_CALL,
    World,
    cloudtrail_event,
    set_status,
    state_change_event,
    vanish,
    world,
)

NOTEBOOK, LIFECYCLE, MODEL = "notebook-instance", "notebook-instance-lifecycle-config", "model"
ENDPOINT_CONFIG, ENDPOINT, MONITORING = "endpoint-config", "endpoint", "monitoring-schedule"
COMPILATION, OPTIMIZATION, LABELING, RECOMMENDATIONS = (
    "compilation-job",
    "optimization-job",
    "labeling-job",
    "inference-recommendations-job",
)
CLUSTER, DOMAIN, APP, MODEL_PACKAGE = "cluster", "domain", "app", "model-package"
ROGUE_VPC = {"Subnets": [ROGUE_SUBNET], "SecurityGroupIds": [SECURITY_GROUP]}


@pytest.fixture
def aws():
    with world() as w:
        yield w


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def update_call(kind: str, name: str) -> dict:
    return cloudtrail_event(kind, name, event_name=UPDATE_CALL[kind])


# --- notebook instances: UpdateNotebookInstance, IMDS, lifecycle configurations ----------------------


def test_an_update_that_gives_a_stopped_notebook_root_is_reported_once(aws: World):
    # Given a compliant notebook, stopped, that someone updates to give its users root
    nb_arn = aws.notebook("fraud-nb", lifecycle_config=LIFECYCLE_CONFIG)
    aws.sagemaker.stop_notebook_instance(NotebookInstanceName="fraud-nb")
    aws.sagemaker.update_notebook_instance(NotebookInstanceName="fraud-nb", RootAccess="Enabled")
    # When CloudTrail's UpdateNotebookInstance arrives, then the notebook's Stopped state change
    first = aws.process(update_call(NOTEBOOK, "fraud-nb"))
    second = aws.process(state_change_event(NOTEBOOK, "fraud-nb", "Stopped"))
    # Then it is reported once (a stopped notebook is never touched), and marked by the enforcer
    assert (first["action"], first["violations"], first["trigger"]) == (
        "reported",
        ["notebook.root_access"],
        "UpdateNotebookInstance",
    )
    assert second["reason"] == "already_handled"
    assert aws.status(NOTEBOOK, "fraud-nb") == "Stopped"
    assert aws.marker(nb_arn).startswith("v1:reported:")
    [published] = aws.findings()
    assert published["finding"]["caller"].endswith("assumed-role/data-scientist/alice")


def test_an_update_that_makes_a_reported_notebook_worse_is_reported_again(aws: World):
    # Given a stopped notebook already reported for its direct internet access
    aws.notebook("parked", internet="Enabled")
    aws.sagemaker.stop_notebook_instance(NotebookInstanceName="parked")
    assert aws.process(state_change_event(NOTEBOOK, "parked", "Stopped"))["action"] == "reported"
    # When it is updated to allow IMDSv1 as well
    aws.sagemaker.update_notebook_instance(
        NotebookInstanceName="parked",
        InstanceMetadataServiceConfiguration={"MinimumInstanceMetadataServiceVersion": "1"},
    )
    again = aws.process(update_call(NOTEBOOK, "parked"))
    # Then the enforcer's own marker is stale (another verdict): the new verdict is reported
    assert (again["action"], again["violations"]) == (
        "reported",
        ["notebook.direct_internet_access", "notebook.imds_v1"],
    )
    assert len(aws.findings()) == 2


@pytest.mark.parametrize(
    ("change", "rules"),
    [
        ({"imds": "1"}, ["notebook.imds_v1"]),
        ({"imds": UNSET}, ["notebook.imds_v1"]),  # AWS's default is IMDSv1
        ({"lifecycle_config": "rogue-scripts"}, ["notebook.lifecycle_config_not_approved"]),
    ],
    ids=["imds-v1", "imds-default", "unapproved-lifecycle-config"],
)
def test_a_running_notebook_on_imdsv1_or_a_foreign_lifecycle_config_is_stopped(aws: World, change, rules):
    aws.notebook("fraud-nb", **change)
    result = aws.process(state_change_event(NOTEBOOK, "fraud-nb", "InService"))
    assert (result["violations"], result["action"]) == (rules, "stopped")
    assert aws.status(NOTEBOOK, "fraud-nb") in ("Stopping", "Stopped")


def test_the_environments_own_lifecycle_config_and_an_empty_list_are_accepted(aws: World):
    aws.notebook("team-nb", lifecycle_config=LIFECYCLE_CONFIG)
    aws.notebook("other-nb", lifecycle_config="anything-goes")
    own = aws.process(state_change_event(NOTEBOOK, "team-nb", "InService"))
    any_allowed = aws.process(state_change_event(NOTEBOOK, "other-nb", "InService"), APPROVED_LIFECYCLE_CONFIGS="")
    assert (own["decision"], any_allowed["decision"]) == ("compliant", "compliant")


# --- notebook lifecycle configurations -----------------------------------------------------------------


def test_a_lifecycle_config_created_outside_terraform_is_reported_once(aws: World):
    # Given the team's lifecycle configuration, created by a data scientist's role, not Terraform's
    config_arn = aws.lifecycle_config(LIFECYCLE_CONFIG)
    event = cloudtrail_event(LIFECYCLE, LIFECYCLE_CONFIG)
    # When its CreateNotebookInstanceLifecycleConfig arrives, twice (a retry)
    first = aws.process(event)
    second = aws.process(event)
    # Then it is reported once, naming the role that wrote it, and kept
    assert (first["action"], first["violations"]) == ("reported", ["notebook.lifecycle_config_unmanaged"])
    assert second["reason"] == "already_handled"
    [published] = aws.findings()
    assert "role/data-scientist" in published["finding"]["details"][0]["message"]
    assert aws.marker(config_arn).startswith("v1:reported:")


def test_a_lifecycle_config_terraform_writes_is_the_environments_own(aws: World):
    aws.lifecycle_config(LIFECYCLE_CONFIG)
    result = aws.process(cloudtrail_event(LIFECYCLE, LIFECYCLE_CONFIG, caller_role=TERRAFORM_ROLE))
    assert result["decision"] == "compliant"
    # and its state change (no caller) judges its name alone
    assert aws.process(state_change_event(LIFECYCLE, LIFECYCLE_CONFIG))["decision"] == "compliant"


def test_a_lifecycle_config_outside_the_approved_names_is_reported_from_its_state_change(aws: World):
    aws.lifecycle_config("rogue-scripts")
    result = aws.process(state_change_event(LIFECYCLE, "rogue-scripts"))
    assert (result["action"], result["violations"]) == ("reported", ["notebook.lifecycle_config_not_approved"])


def test_each_update_of_a_lifecycle_config_outside_terraform_is_reported(aws: World):
    # Given a lifecycle configuration whose creation outside Terraform was reported
    aws.lifecycle_config(LIFECYCLE_CONFIG)
    aws.process(cloudtrail_event(LIFECYCLE, LIFECYCLE_CONFIG))
    # When someone updates its scripts (root on every notebook that uses it), and the update arrives
    time.sleep(0.002)  # a new LastModifiedTime
    aws.sagemaker.update_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName=LIFECYCLE_CONFIG, OnStart=[{"Content": "Y3VybCBldmlsLmV4YW1wbGUK"}]
    )
    updated = aws.process(update_call(LIFECYCLE, LIFECYCLE_CONFIG))
    # Then the new revision is a finding of its own
    assert (updated["action"], updated["trigger"]) == ("reported", "UpdateNotebookInstanceLifecycleConfig")
    assert len(aws.findings()) == 2


# --- endpoint configurations ---------------------------------------------------------------------------


@pytest.mark.parametrize("as_shadow", [False, True], ids=["production-variant", "shadow-variant"])
def test_an_endpoint_config_serving_a_model_outside_the_vpc_is_reported_once(aws: World, as_shadow):
    # Given an endpoint configuration whose production or shadow variant serves a model without a VPC
    aws.model("in-vpc")
    aws.model("loose", vpc=UNSET)
    config_arn = (
        aws.endpoint_config("fraud-cfg", "in-vpc", shadow="loose")
        if as_shadow
        else aws.endpoint_config("fraud-cfg", "loose")
    )
    # When its CreateEndpointConfig and its state change arrive
    first = aws.process(cloudtrail_event(ENDPOINT_CONFIG, "fraud-cfg"))
    second = aws.process(state_change_event(ENDPOINT_CONFIG, "fraud-cfg"))
    # Then it is reported once, naming the variant and the model, and kept (an endpoint serving it is deleted)
    assert (first["action"], first["violations"]) == ("reported", ["vpc.required"])
    assert second["reason"] == "already_handled"
    [published] = aws.findings()
    assert "model loose" in published["finding"]["details"][0]["message"]
    assert aws.marker(config_arn).startswith("v1:reported:")


def test_an_endpoint_config_in_the_vpc_with_its_keys_is_compliant(aws: World):
    aws.model("in-vpc")
    aws.endpoint_config("fraud-cfg", "in-vpc", capture_key=KEY)
    assert aws.process(state_change_event(ENDPOINT_CONFIG, "fraud-cfg"))["decision"] == "compliant"


@pytest.mark.parametrize(
    ("options", "rules"),
    [({"key": UNSET}, ["kms.volume"]), ({"capture_key": UNSET}, ["kms.output"])],
    ids=["no-volume-key", "capture-without-key"],
)
def test_an_endpoint_config_without_its_keys_is_reported(aws: World, options, rules):
    aws.model("in-vpc")
    aws.endpoint_config("fraud-cfg", "in-vpc", **options)
    result = aws.process(cloudtrail_event(ENDPOINT_CONFIG, "fraud-cfg"))
    assert (result["action"], result["violations"]) == ("reported", rules)


@pytest.mark.parametrize(("serverless", "decision"), [(True, "compliant"), (False, "violation")])
def test_a_serverless_model_is_exempt_on_a_serverless_variant_only(aws: World, serverless, decision):
    # Given a model tagged for serverless inference, where the environment allows it
    aws.model("scorer", vpc=UNSET, tags={"smenv:inference": "serverless"})
    aws.endpoint_config("scorer-cfg", "scorer", serverless=serverless)
    # When its configuration is judged, then only a serverless variant may serve it without a VPC
    result = aws.process(state_change_event(ENDPOINT_CONFIG, "scorer-cfg"), ALLOW_SERVERLESS_INFERENCE="true")
    assert result["decision"] == decision


def test_an_endpoint_config_whose_model_is_gone_fails_closed(aws: World):
    aws.model("short-lived")
    aws.endpoint_config("orphan-cfg", "short-lived")
    aws.sagemaker.delete_model(ModelName="short-lived")
    result = aws.process(state_change_event(ENDPOINT_CONFIG, "orphan-cfg"))
    assert result["violations"] == ["vpc.model_not_found"]


# --- endpoints: the endpoint policy ------------------------------------------------------------------------


@pytest.mark.parametrize("as_shadow", [False, True], ids=["production-variant", "shadow-variant"])
@pytest.mark.parametrize("via", ["cloudtrail", "state-change"])
def test_an_endpoint_serving_a_model_outside_the_vpc_is_deleted(aws: World, as_shadow, via):
    # Given an endpoint (not Terraform's) whose production or shadow variant serves a model without a VPC
    aws.model("in-vpc")
    aws.model("loose", vpc=UNSET)
    aws.endpoint_config("fraud-cfg", "in-vpc", shadow="loose") if as_shadow else aws.endpoint_config(
        "fraud-cfg", "loose"
    )
    endpoint_arn = aws.endpoint("fraud-live", "fraud-cfg")
    event = (
        cloudtrail_event(ENDPOINT, "fraud-live")
        if via == "cloudtrail"
        else state_change_event(ENDPOINT, "fraud-live", "InService")
    )
    # When its event arrives
    result = aws.process(event)
    # Then the endpoint is deleted; its configuration and models are left (evidence, and to redeploy)
    assert (result["action"], result["violations"]) == ("deleted", ["vpc.required"])
    assert not aws.exists(ENDPOINT, "fraud-live")
    assert aws.exists(ENDPOINT_CONFIG, "fraud-cfg") and aws.exists(MODEL, "loose")
    [published] = aws.findings()
    assert (published["finding"]["resource_arn"], published["finding"]["action"]) == (endpoint_arn, "deleted")


def test_an_endpoint_moved_to_a_configuration_outside_the_vpc_is_deleted(aws: World):
    # Given a compliant endpoint that UpdateEndpoint moves to a configuration serving a model without a VPC
    aws.model("in-vpc")
    aws.model("loose", vpc=UNSET)
    aws.endpoint_config("good-cfg", "in-vpc")
    aws.endpoint_config("bad-cfg", "loose")
    aws.endpoint("fraud-live", "good-cfg")
    assert aws.process(cloudtrail_event(ENDPOINT, "fraud-live"))["decision"] == "compliant"
    aws.sagemaker.update_endpoint(EndpointName="fraud-live", EndpointConfigName="bad-cfg")
    # When the UpdateEndpoint call arrives, then it is deleted
    result = aws.process(update_call(ENDPOINT, "fraud-live"))
    assert (result["action"], result["trigger"]) == ("deleted", "UpdateEndpoint")


def test_a_terraform_endpoint_outside_the_vpc_is_reported_once_and_kept(aws: World):
    # Given an endpoint tagged managed-by=terraform that was changed out of band to serve such a model
    aws.model("loose", vpc=UNSET)
    aws.endpoint_config("fraud-cfg", "loose")
    endpoint_arn = aws.endpoint("fraud-live", "fraud-cfg", tags={"managed-by": "terraform"})
    # When its events arrive
    first = aws.process(cloudtrail_event(ENDPOINT, "fraud-live"))
    second = aws.process(state_change_event(ENDPOINT, "fraud-live", "InService"))
    # Then it is kept for a person to restore, reported once, and the finding says it is Terraform's
    assert (first["action"], first["managed_by"]) == ("retained_managed", "terraform")
    assert second["reason"] == "already_handled"
    assert aws.exists(ENDPOINT, "fraud-live")
    assert aws.marker(endpoint_arn).startswith("v1:reported:")
    [published] = aws.findings()
    assert published["finding"]["managed_by"] == "terraform"


def test_an_endpoint_missing_only_a_key_is_reported_not_deleted(aws: World):
    aws.model("in-vpc")
    aws.endpoint_config("fraud-cfg", "in-vpc", key=UNSET)
    aws.endpoint("fraud-live", "fraud-cfg")
    result = aws.process(state_change_event(ENDPOINT, "fraud-live", "InService"))
    assert (result["action"], result["violations"]) == ("reported", ["kms.volume"])
    assert aws.exists(ENDPOINT, "fraud-live")


def test_an_endpoint_whose_configuration_is_gone_fails_closed_and_is_deleted(aws: World):
    aws.model("in-vpc")
    aws.endpoint_config("fraud-cfg", "in-vpc")
    aws.endpoint("fraud-live", "fraud-cfg")
    aws.sagemaker.delete_endpoint_config(EndpointConfigName="fraud-cfg")
    result = aws.process(state_change_event(ENDPOINT, "fraud-live", "InService"))
    assert (result["violations"], result["action"]) == (["vpc.endpoint_config_not_found"], "deleted")


def test_audit_mode_would_delete_an_endpoint_and_keeps_it(aws: World):
    aws.model("loose", vpc=UNSET)
    aws.endpoint_config("fraud-cfg", "loose")
    aws.endpoint("fraud-live", "fraud-cfg")
    result = aws.process(state_change_event(ENDPOINT, "fraud-live", "InService"), ENFORCEMENT_MODE="audit")
    assert result["action"] == "would_delete"
    assert aws.exists(ENDPOINT, "fraud-live")
    assert [f["finding"]["action"] for f in aws.findings()] == ["would_delete"]


def test_an_endpoint_still_creating_is_deleted_by_its_in_service_event(aws: World):
    # Given an endpoint outside the VPC that AWS refuses to delete while it is Creating
    aws.model("loose", vpc=UNSET)
    aws.endpoint_config("fraud-cfg", "loose")
    aws.endpoint("fraud-live", "fraud-cfg")
    set_status(ENDPOINT, "fraud-live", "Creating")
    refused = ClientError(
        {"Error": {"Code": "ValidationException", "Message": "Cannot delete in-progress endpoint"}}, "DeleteEndpoint"
    )
    # When its CreateEndpoint arrives while it is Creating
    with patch.object(aws.sagemaker, "delete_endpoint", side_effect=refused):
        early = aws.process(cloudtrail_event(ENDPOINT, "fraud-live"))
    # Then the delete waits, with no finding yet; its InService state change deletes it and publishes one
    assert (early["action"], early["finding_published"]) == ("delete_deferred", False)
    set_status(ENDPOINT, "fraud-live", "InService")
    later = aws.process(state_change_event(ENDPOINT, "fraud-live", "InService"))
    assert later["action"] == "deleted"
    assert [f["finding"]["action"] for f in aws.findings()] == ["deleted"]


def test_a_compliant_endpoint_is_left_serving(aws: World):
    aws.model("in-vpc")
    aws.endpoint_config("fraud-cfg", "in-vpc")
    aws.endpoint("fraud-live", "fraud-cfg")
    assert aws.process(cloudtrail_event(ENDPOINT, "fraud-live"))["decision"] == "compliant"
    assert aws.status(ENDPOINT, "fraud-live") == "InService"


# --- monitoring schedules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("job", "rules"),
    [
        ({"vpc": UNSET}, ["vpc.required"]),
        ({"vpc": ROGUE_VPC}, ["vpc.subnet_not_approved"]),
        (
            {"vpc": {"Subnets": list(SUBNETS), "SecurityGroupIds": [ROGUE_SECURITY_GROUP]}},
            ["vpc.security_group_not_approved"],
        ),
        ({"volume_key": UNSET, "output_key": UNSET}, ["kms.volume", "kms.output"]),
    ],
    ids=["no-vpc", "rogue-subnet", "rogue-sg", "no-keys"],
)
def test_a_monitoring_schedule_outside_the_rules_is_stopped(aws: World, job, rules):
    aws.monitoring_schedule("fraud-monitor", **job)
    result = aws.process(cloudtrail_event(MONITORING, "fraud-monitor"))
    assert (result["violations"], result["action"]) == (rules, "stopped")
    assert aws.status(MONITORING, "fraud-monitor") == "Stopped"
    # and its Stopped state change finds nothing left to do
    assert aws.process(state_change_event(MONITORING, "fraud-monitor", "Stopped"))["reason"] == "not_running"


def test_a_monitoring_schedule_is_judged_by_the_job_definition_it_names(aws: World):
    aws.data_quality_job_definition("fraud-dq-ok")
    aws.data_quality_job_definition("fraud-dq-open", vpc=UNSET)
    aws.monitoring_schedule("monitor-ok", definition_name="fraud-dq-ok")
    aws.monitoring_schedule("monitor-open", definition_name="fraud-dq-open")
    aws.monitoring_schedule("monitor-orphan", definition_name="fraud-dq-gone")
    ok = aws.process(state_change_event(MONITORING, "monitor-ok", "Scheduled"))
    open_ = aws.process(state_change_event(MONITORING, "monitor-open", "Scheduled"))
    orphan = aws.process(state_change_event(MONITORING, "monitor-orphan", "Scheduled"))
    assert ok["decision"] == "compliant"
    assert (open_["violations"], open_["action"]) == (["vpc.required"], "stopped")
    assert (orphan["violations"], orphan["action"]) == (["vpc.job_definition_not_found"], "stopped")


def test_an_update_that_takes_a_monitoring_schedule_out_of_the_vpc_stops_it(aws: World):
    aws.monitoring_schedule("fraud-monitor")
    assert aws.process(cloudtrail_event(MONITORING, "fraud-monitor"))["decision"] == "compliant"
    config = aws.sagemaker.describe_monitoring_schedule(MonitoringScheduleName="fraud-monitor")[
        "MonitoringScheduleConfig"
    ]
    config["MonitoringJobDefinition"].pop("NetworkConfig")
    aws.sagemaker.update_monitoring_schedule(MonitoringScheduleName="fraud-monitor", MonitoringScheduleConfig=config)
    result = aws.process(update_call(MONITORING, "fraud-monitor"))
    assert (result["violations"], result["action"]) == (["vpc.required"], "stopped")


# --- the jobs the guardrails cannot see ---------------------------------------------------------------


def make_unguarded(aws: World, kind: str, name: str, **options) -> str:
    if kind == COMPILATION:
        return aws.compilation_job(name, **options)
    if kind == OPTIMIZATION:
        return aws.optimization_job(name, **options)
    if kind == RECOMMENDATIONS:
        return aws.recommendations_job(name, **options)
    return aws.labeling_job(name, **options)


@pytest.mark.parametrize("kind", [COMPILATION, OPTIMIZATION, RECOMMENDATIONS])
def test_a_job_without_condition_keys_outside_the_vpc_is_stopped(aws: World, kind):
    # Given such a job in the VPC and one outside it
    make_unguarded(aws, kind, "job-in-vpc")
    make_unguarded(aws, kind, "job-outside", vpc=UNSET)
    # When their create calls arrive (they publish no state change)
    ok = aws.process(cloudtrail_event(kind, "job-in-vpc"))
    bad = aws.process(cloudtrail_event(kind, "job-outside"))
    # Then the one outside the VPC is stopped and reported
    assert ok["decision"] == "compliant"
    assert (bad["violations"], bad["action"]) == (["vpc.required"], "stopped")
    assert not aws.exists(kind, "job-outside")
    assert len(aws.findings()) == 1


@pytest.mark.parametrize("kind", [COMPILATION, OPTIMIZATION])
def test_such_a_job_missing_only_its_output_key_is_reported_once_and_left_running(aws: World, kind):
    job_arn = make_unguarded(aws, kind, "job-plain", key=UNSET)
    first = aws.process(cloudtrail_event(kind, "job-plain"))
    second = aws.process(cloudtrail_event(kind, "job-plain"))
    assert (first["violations"], first["action"]) == (["kms.output"], "reported")
    assert second["reason"] == "already_handled"
    assert aws.exists(kind, "job-plain")
    assert aws.marker(job_arn).startswith("v1:reported:")


@pytest.mark.parametrize(
    ("options", "rules"),
    [
        ({"workteam": PUBLIC_WORKTEAM}, ["labeling.external_workforce"]),
        ({"automated_vpc": UNSET}, ["vpc.required"]),
        ({"automated_vpc": ROGUE_VPC}, ["vpc.subnet_not_approved"]),
    ],
    ids=["public-crowd", "automated-labeling-outside-the-vpc", "automated-labeling-rogue-subnet"],
)
def test_a_labeling_job_that_sends_data_outside_is_stopped(aws: World, options, rules):
    aws.labeling_job("fraud-labels", **options)
    result = aws.process(cloudtrail_event(LABELING, "fraud-labels"))
    assert (result["violations"], result["action"]) == (rules, "stopped")


def test_a_labeling_job_for_a_private_team_with_automated_labeling_in_the_vpc_is_compliant(aws: World):
    aws.labeling_job("fraud-labels", automated_vpc=APPROVED)
    assert aws.process(cloudtrail_event(LABELING, "fraud-labels"))["decision"] == "compliant"


# --- HyperPod clusters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "rules"),
    [({"vpc": UNSET}, ["vpc.required"]), ({"override": ROGUE_VPC}, ["vpc.subnet_not_approved"])],
    ids=["no-vpc", "instance-group-override"],
)
def test_a_cluster_outside_the_rules_is_reported_once_and_kept(aws: World, options, rules):
    # Given a HyperPod cluster without a VPC, or with an instance group in a rogue subnet
    cluster_arn = aws.cluster("fraud-pod", **options)
    # When its CreateCluster, an UpdateCluster and its state change arrive
    first = aws.process(cloudtrail_event(CLUSTER, "fraud-pod"))
    second = aws.process(update_call(CLUSTER, "fraud-pod"))
    third = aws.process(state_change_event(CLUSTER, "fraud-pod", "InService"))
    # Then it is reported once and kept (no stop exists; deleting would lose its nodes' state)
    assert (first["action"], first["violations"]) == ("reported", rules)
    assert (second["reason"], third["reason"]) == ("already_handled", "already_handled")
    assert aws.status(CLUSTER, "fraud-pod") == "InService"
    assert aws.marker(cluster_arn).startswith("v1:reported:")


def test_a_cluster_named_by_its_arn_only_is_judged(aws: World):
    # AWS names a cluster by its id in ARNs: a state change without ClusterName still finds it
    cluster_arn = aws.cluster("fraud-pod", vpc=UNSET)
    event = state_change_event(CLUSTER, "fraud-pod", "InService")
    del event["detail"]["ClusterName"]
    result = aws.process(event)
    assert (result["resource_name"], result["action"]) == (cluster_arn, "reported")


# --- Studio domains and apps -------------------------------------------------------------------------------


def test_a_domain_on_the_public_internet_is_reported_and_a_private_one_is_compliant(aws: World):
    public = aws.domain("open-studio", access=None)  # AWS's default: PublicInternetOnly
    private = aws.domain("team-studio")
    bad = aws.process(cloudtrail_event(DOMAIN, public))
    ok = aws.process(cloudtrail_event(DOMAIN, private))
    assert (bad["action"], bad["violations"]) == ("reported", ["studio.public_internet"])
    assert ok["decision"] == "compliant"
    assert aws.exists(DOMAIN, public)


def test_an_update_that_opens_a_domain_to_the_internet_is_reported(aws: World):
    domain_id = aws.domain("team-studio", groups=(SECURITY_GROUP, ROGUE_SECURITY_GROUP))
    aws.sagemaker.update_domain(DomainId=domain_id, AppNetworkAccessType="PublicInternetOnly")
    result = aws.process(update_call(DOMAIN, domain_id))
    assert result["violations"] == ["vpc.security_group_not_approved", "studio.public_internet"]
    assert result["trigger"] == "UpdateDomain"


def test_an_app_with_an_unapproved_lifecycle_config_is_deleted(aws: World):
    # Given a private domain with an app started with the approved lifecycle configuration, and one with another
    domain_id = aws.domain("team-studio")
    good = aws.app(domain_id, user="alice")
    bad = aws.app(domain_id, user="mallory", lifecycle_config="fetch-and-run")
    # When their CreateApp calls arrive
    ok = aws.process(cloudtrail_event(APP, good))
    result = aws.process(cloudtrail_event(APP, bad))
    # Then the second app is deleted (the user's files stay on the domain's home volume)
    assert ok["decision"] == "compliant"
    assert (result["violations"], result["action"]) == (["studio.lifecycle_config_not_approved"], "deleted")
    assert not aws.exists(APP, bad)
    assert aws.exists(APP, good)


def test_a_finding_about_a_studio_users_app_names_the_person_behind_the_role(aws: World):
    # Given a Studio user's app started with a script of their own, through a session whose source
    # identity is the user's profile (the domain's ExecutionRoleIdentityConfig USER_PROFILE_NAME)
    domain_id = aws.domain("team-studio")
    bad = aws.app(domain_id, user="mallory", lifecycle_config="fetch-and-run")
    # When its CreateApp call arrives
    aws.process(cloudtrail_event(APP, bad, source_identity="mallory-studio"))
    # Then the finding names the person, not only the team's shared role
    [published] = aws.findings()
    assert published["finding"]["source_identity"] == "mallory-studio"
    assert published["finding"]["caller"].endswith("assumed-role/data-scientist/alice")


def test_an_app_in_a_public_domain_is_deleted_and_audit_mode_only_says_so(aws: World):
    domain_id = aws.domain("open-studio", access="PublicInternetOnly")
    first, second = aws.app(domain_id, user="alice"), aws.app(domain_id, user="bob")
    audited = aws.process(cloudtrail_event(APP, first), ENFORCEMENT_MODE="audit")
    enforced = aws.process(cloudtrail_event(APP, second))
    assert (audited["action"], enforced["action"]) == ("would_delete", "deleted")
    assert enforced["violations"] == ["studio.public_internet"]
    assert aws.exists(APP, first) and not aws.exists(APP, second)


def test_an_app_whose_domain_is_gone_fails_closed(aws: World):
    domain_id = aws.domain("team-studio")
    app = aws.app(domain_id)
    vanish(DOMAIN, domain_id)
    result = aws.process(cloudtrail_event(APP, app))
    assert result["violations"] == ["vpc.domain_not_found"]


# --- model packages registered with a validation job ------------------------------------------------------


def test_a_model_package_registered_with_a_validation_job_is_deleted(aws: World):
    # Given a team's model group holding a package without validation, and one registered with a
    # validation job (a batch transform SageMaker runs outside the VPC, which no condition key shows)
    kept = aws.model_package("fraud-scorer", validation=False)
    bad = aws.model_package("fraud-scorer")
    assert bad.endswith(":model-package/fraud-scorer/2")
    # When their CreateModelPackage calls arrive
    ok = aws.process(cloudtrail_event(MODEL_PACKAGE, kept))
    result = aws.process(cloudtrail_event(MODEL_PACKAGE, bad))
    # Then the second is deleted by its ARN and reported; the first stays registered
    assert ok["decision"] == "compliant"
    assert (result["violations"], result["action"], result["resource_arn"]) == (
        ["model_package.validation"],
        "deleted",
        bad,
    )
    assert not aws.exists(MODEL_PACKAGE, bad)
    assert aws.exists(MODEL_PACKAGE, kept)
    [published] = aws.findings()
    assert (published["finding"]["resource_type"], published["finding"]["trigger"]) == (
        MODEL_PACKAGE,
        "CreateModelPackage",
    )
    assert published["attributes"]["action"] == "deleted"


def test_audit_mode_only_reports_a_model_package_with_a_validation_job(aws: World):
    bad = aws.model_package("fraud-scorer")
    audited = aws.process(
        cloudtrail_event(MODEL_PACKAGE, bad, source_identity="alice-studio"), ENFORCEMENT_MODE="audit"
    )
    assert (audited["action"], audited["mode"]) == ("would_delete", "audit")
    assert aws.exists(MODEL_PACKAGE, bad)
    [published] = aws.findings()
    assert published["finding"]["source_identity"] == "alice-studio"


def test_a_model_package_already_deleted_when_its_event_arrives_is_gone(aws: World):
    bad = aws.model_package("fraud-scorer")
    aws.sagemaker.delete_model_package(ModelPackageName=bad)  # its owner was quicker
    result = aws.process(cloudtrail_event(MODEL_PACKAGE, bad))
    assert (result["reason"], result["gone_at"]) == ("gone", "describe")
    assert aws.findings() == []


# --- resources that vanish -----------------------------------------------------------------------------


def make_violator(aws: World, kind: str, name: str) -> str:
    """A running resource of a new kind that breaks a rule; the name its events carry."""
    if kind == LIFECYCLE:
        aws.lifecycle_config(name)
    elif kind == ENDPOINT_CONFIG:
        aws.model(f"{name}-model", vpc=UNSET)
        aws.endpoint_config(name, f"{name}-model")
    elif kind == ENDPOINT:
        aws.model(f"{name}-model", vpc=UNSET)
        aws.endpoint_config(f"{name}-cfg", f"{name}-model")
        aws.endpoint(name, f"{name}-cfg")
    elif kind == MONITORING:
        aws.monitoring_schedule(name, vpc=UNSET)
    elif kind == CLUSTER:
        aws.cluster(name, vpc=UNSET)
    elif kind == DOMAIN:
        return aws.domain(name, access=None)
    elif kind == APP:
        return aws.app(aws.domain(f"{name}-studio"), lifecycle_config="fetch-and-run")
    elif kind == MODEL_PACKAGE:
        return aws.model_package(name)
    else:
        make_unguarded(aws, kind, name, **({"workteam": PUBLIC_WORKTEAM} if kind == LABELING else {"vpc": UNSET}))
    return name


NEW_KINDS = [
    LIFECYCLE,
    ENDPOINT_CONFIG,
    ENDPOINT,
    MONITORING,
    COMPILATION,
    OPTIMIZATION,
    LABELING,
    RECOMMENDATIONS,
    CLUSTER,
    DOMAIN,
    APP,
    MODEL_PACKAGE,
]


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_a_resource_of_a_new_kind_deleted_before_its_event_is_handled_is_gone(aws: World, kind, capsys):
    name = make_violator(aws, kind, "deleted-early")
    event = cloudtrail_event(kind, name)
    vanish(kind, name)
    capsys.readouterr()
    result = aws.process(event)
    assert (result["decision"], result["reason"], result["gone_at"]) == ("ignored", "gone", "describe")
    assert aws.findings() == []


@pytest.mark.parametrize(
    ("kind", "vanish_after", "gone_at"),
    [
        (ENDPOINT, "ListTags", "delete_endpoint"),
        (APP, "DescribeDomain", "delete_app"),
        (MODEL_PACKAGE, "DescribeModelPackage", "delete_model_package"),
        (MONITORING, "DescribeMonitoringSchedule", "stop"),
        (COMPILATION, "DescribeCompilationJob", "stop"),
        (CLUSTER, "ListTags", "add_tags"),
        (DOMAIN, "DescribeDomain", "list_tags"),
    ],
)
def test_a_resource_of_a_new_kind_deleted_while_it_is_handled_is_gone(aws: World, kind, vanish_after, gone_at):
    name = make_violator(aws, kind, "deleted-midway")

    def hook(**_):
        aws.sagemaker.meta.events.unregister(f"after-call.sagemaker.{vanish_after}", hook)
        vanish(kind, name)

    aws.sagemaker.meta.events.register(f"after-call.sagemaker.{vanish_after}", hook)
    result = aws.process(cloudtrail_event(kind, name))
    assert (result["reason"], result["gone_at"]) == ("gone", gone_at)
    assert result["violations"]
    assert aws.findings() == []


STOPPED = {MONITORING: "Stopped", LABELING: "Stopped", OPTIMIZATION: "STOPPED", RECOMMENDATIONS: "STOPPED"}


@pytest.mark.parametrize("kind", list(STOPPED))
def test_a_job_of_a_new_kind_someone_already_stopped_is_left_alone(aws: World, kind):
    name = make_violator(aws, kind, "stopped-already")
    set_status(kind, name, STOPPED[kind])
    assert aws.process(cloudtrail_event(kind, name))["reason"] == "not_running"
    assert aws.findings() == []
