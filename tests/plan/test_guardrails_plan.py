"""modules/guardrails: the deny policy, read from the plan and run through a real IAM policy evaluator.

Every request in the matrix is evaluated with the guardrail document beside an identity policy that
allows sagemaker:*, so "Allowed" means the guardrail lets it through and "ExplicitlyDenied" means the
guardrail stops it. Context keys are sent only where the action supports them (as AWS does), per the
evaluator's own IAM data, and every case asserts that none of its keys was dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from smenv.checks import iam_simulate, policy_lint
from smenv.checks.iam_simulate import Case, Request
from smenv_testing import REPO

SUBNETS = ["subnet-0123456789abcdef0", "subnet-11111111"]
GROUPS = ["sg-0123456789abcdef0"]
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-0000-0000-0000-000000000000"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/99999999-0000-0000-0000-000000000000"
DEPLOYER = "arn:aws:iam::123456789012:role/smenv-terraform"
CONTROL_TAG_WRITER = "arn:aws:iam::123456789012:role/smenv-test-sagemaker-enforcer"
INPUTS = {
    "name_prefix": "smenv-test",
    "approved_subnet_ids": SUBNETS,
    "approved_security_group_ids": GROUPS,
    "volume_kms_key_arns": [KEY],
    "output_kms_key_arns": [KEY],
    "deployer_arns": [DEPLOYER],
    "control_tag_writer_arns": [DEPLOYER, CONTROL_TAG_WRITER],
}
SCP_TARGETS = ["ou-abcd-12345678", "111122223333"]
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}]}
FULL_AWS_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
LIFECYCLE = "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance-lifecycle-config/smenv-test-fraud"
STUDIO_LIFECYCLE = "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/smenv-test-jupyterlab"

# --- the specification: which actions each rule governs (the README's table) ----------------------

TRAINING_LIKE = {"CreateTrainingJob", "CreateProcessingJob", "CreateHyperParameterTuningJob"}
AUTOML = {"CreateAutoMLJob", "CreateAutoMLJobV2"}
MONITORING = {
    "CreateDataQualityJobDefinition",
    "CreateModelBiasJobDefinition",
    "CreateModelExplainabilityJobDefinition",
    "CreateModelQualityJobDefinition",
}
SCHEDULES = {"CreateMonitoringSchedule", "UpdateMonitoringSchedule"}
# Creates that run compute: a VPC must be named (Null), and approved.
VPC_REQUIRED = TRAINING_LIKE | AUTOML | MONITORING | {
    "CreateModel", "CreateNotebookInstance", "CreateCluster", "CreateDomain", "CreateJob",
}  # fmt: skip
GROUPS_APART = {"CreateNotebookInstance", "CreateDomain"}
# Where subnets or groups are sent, they must be approved (a schedule naming a definition sends none).
SUBNET_SENDERS = VPC_REQUIRED | SCHEDULES | {"CreateEndpointConfig", "UpdateCluster", "UpdateDomain"}
GROUP_SENDERS = SUBNET_SENDERS | {"CreateUserProfile", "UpdateUserProfile"}
# Of the volume-key actions, these name their instance types; on local-storage types (g5, p4d, ...)
# they may go without a key (SageMaker refuses one there). AutoML names none; notebooks' and Studio
# domains' volumes are EBS.
TYPED_VOLUME_ACTIONS = TRAINING_LIKE | MONITORING | {"CreateTransformJob", "CreateEndpointConfig"}
UNTYPED_VOLUME_ACTIONS = AUTOML | {"CreateNotebookInstance", "CreateDomain"}
VOLUME_KEY_SENDERS = TYPED_VOLUME_ACTIONS | UNTYPED_VOLUME_ACTIONS | SCHEDULES
OUTPUT_KEY_REQUIRED = TRAINING_LIKE | AUTOML | MONITORING | {"CreateTransformJob", "CreateJob"}
OUTPUT_KEY_SENDERS = OUTPUT_KEY_REQUIRED | SCHEDULES
INSTANCE_TYPE_ACTIONS = TRAINING_LIKE | MONITORING | SCHEDULES | {
    "CreateTransformJob", "CreateNotebookInstance", "UpdateNotebookInstance", "CreateEndpointConfig",
    "CreateCluster", "UpdateCluster", "UpdateTrainingJob",
}  # fmt: skip
# Studio: what names lifecycle configurations, images, instance types and remote access.
STUDIO = {
    "CreateApp",
    "CreateSpace",
    "UpdateSpace",
    "CreateUserProfile",
    "UpdateUserProfile",
    "CreateDomain",
    "UpdateDomain",
}
RULE_ACTIONS = {
    "vpc": GROUP_SENDERS | {"CreateInferenceComponent"},
    "volume_kms_key": VOLUME_KEY_SENDERS,
    "output_kms_key": OUTPUT_KEY_SENDERS,
    "inter_container_traffic_encryption": TRAINING_LIKE | AUTOML | MONITORING | SCHEDULES,
    "network_isolation": TRAINING_LIKE | MONITORING | {"CreateModel"},
    "notebook_root_access": {"CreateNotebookInstance", "UpdateNotebookInstance"},
    "notebook_direct_internet_access": {"CreateNotebookInstance"},
    "notebook_imdsv2": {"CreateNotebookInstance", "UpdateNotebookInstance"},
    "notebook_lifecycle_configs": {"CreateNotebookInstance", "UpdateNotebookInstance"},
    "remote_debug": {"CreateTrainingJob", "UpdateTrainingJob"},
    "instance_types": INSTANCE_TYPE_ACTIONS | STUDIO,
    "studio": STUDIO,
}
KEYLESS = {
    "CreateAIBenchmarkJob", "CreateAIRecommendationJob", "CreateCompilationJob", "CreateEdgePackagingJob",
    "CreateFlowDefinition", "CreateInferenceExperiment", "CreateInferenceRecommendationsJob", "CreateLabelingJob",
    "CreateMlflowApp", "CreateMlflowTrackingServer", "CreateOptimizationJob", "CreatePartnerApp",
    "UpdateInferenceComponent",
}  # fmt: skip
# Custom Studio images: only the deployers make them (Studio takes this account's images only).
IMAGE_WRITES = {
    "CreateImage", "CreateImageVersion", "UpdateImage", "UpdateImageVersion", "CreateAppImageConfig",
    "UpdateAppImageConfig",
}  # fmt: skip
# Lifecycle scripts run as root: only the deployers write a configuration.
LIFECYCLE_WRITES = {
    "CreateNotebookInstanceLifecycleConfig", "UpdateNotebookInstanceLifecycleConfig",
    "DeleteNotebookInstanceLifecycleConfig", "CreateStudioLifecycleConfig", "DeleteStudioLifecycleConfig",
}  # fmt: skip

# Never governed by the guardrail: they must pass whatever they carry.
UNGOVERNED = {
    "CreateEndpoint",
    "UpdateEndpoint",
    "DescribeTrainingJob",
    "ListTrainingJobs",
    "StopTrainingJob",
    "CreatePipeline",
}
GOVERNED = set().union(*RULE_ACTIONS.values())
# Value tests on sagemaker:*: every action that sends the key.
RULE_ACTIONS["control_tags"] = RULE_ACTIONS["instance_types"] = GOVERNED | UNGOVERNED
DEFAULT_RULES = (set(RULE_ACTIONS) | {"keyless_actions"}) - {"network_isolation"}

COMPLIANT = {
    "sagemaker:VpcSubnets": [SUBNETS[0]],
    "sagemaker:VpcSecurityGroupIds": GROUPS,
    "sagemaker:VolumeKmsKeyArn": KEY,
    "sagemaker:OutputKmsKeyArn": KEY,
    "sagemaker:InterContainerTrafficEncryption": "true",
    "sagemaker:NetworkIsolation": "true",
    "sagemaker:RootAccess": "Disabled",
    "sagemaker:DirectInternetAccess": "Disabled",
    "sagemaker:InstanceTypes": ["ml.m5.xlarge"],
    "sagemaker:AppNetworkAccessType": "VpcOnly",
    "sagemaker:MinimumInstanceMetadataServiceVersion": "2",
    "sagemaker:NotebookInstanceLifecycleConfigArns": [LIFECYCLE],
    "sagemaker:EnableRemoteDebug": "false",
    "sagemaker:ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/smenv-test-fraud-churn",
    "sagemaker:StudioLifecycleConfigArns": [STUDIO_LIFECYCLE],
    "sagemaker:RemoteAccess": "DISABLED",
    "sagemaker:DomainSharingOutputKmsKeyArn": KEY,
}
NOT_SENT_BY_TRAINING_JOBS = {
    "sagemaker:RootAccess", "sagemaker:DirectInternetAccess", "sagemaker:AppNetworkAccessType",
    "sagemaker:MinimumInstanceMetadataServiceVersion", "sagemaker:NotebookInstanceLifecycleConfigArns",
    "sagemaker:ModelArn", "sagemaker:StudioLifecycleConfigArns", "sagemaker:RemoteAccess",
    "sagemaker:DomainSharingOutputKmsKeyArn",
}  # fmt: skip
COMPLIANT_TRAINING = {k: v for k, v in COMPLIANT.items() if k not in NOT_SENT_BY_TRAINING_JOBS}
MISSING = object()
LOCAL_STORAGE = ["ml.g5.2xlarge", "ml.p4d.24xlarge"]


@dataclass(frozen=True)
class Variant:
    """One way a request departs from the compliant one, and the rule that must catch it."""

    name: str
    key: str
    value: object  # MISSING: the key is left out
    rule: str
    create_only: bool = False  # UpdateNotebookInstance: a missing key means "unchanged"
    also: tuple[tuple[str, object], ...] = ()  # other keys changed with it (MISSING: left out)
    only: frozenset[str] | None = None  # the rule's actions that deny it (None: all of them)
    applies: frozenset[str] | set[str] | None = None  # the actions it is tried on (None: each that sends the key)


VARIANTS = [
    Variant("no subnets", "sagemaker:VpcSubnets", MISSING, "vpc", only=frozenset(VPC_REQUIRED | SCHEDULES)),
    Variant("an unapproved subnet", "sagemaker:VpcSubnets", [SUBNETS[0], "subnet-0badbadbadbadbad0"], "vpc", only=frozenset(SUBNET_SENDERS)),
    # Only a notebook and a domain name groups apart from subnets; elsewhere VpcConfig requires both
    # (SageMaker API Reference, VpcConfig), so a request with subnets and no groups never arrives.
    Variant("no security groups", "sagemaker:VpcSecurityGroupIds", MISSING, "vpc", only=frozenset(GROUPS_APART),
            applies=GROUPS_APART),
    Variant("an unapproved security group", "sagemaker:VpcSecurityGroupIds", ["sg-0badbadbadbadbad0"], "vpc"),
    Variant("a Studio domain on the public internet", "sagemaker:AppNetworkAccessType", "PublicInternetOnly", "vpc",
            only=frozenset({"CreateDomain", "UpdateDomain"})),
    Variant("a Studio domain's network not set", "sagemaker:AppNetworkAccessType", MISSING, "vpc",
            create_only=True, only=frozenset({"CreateDomain", "UpdateDomain"})),
    Variant("no volume key", "sagemaker:VolumeKmsKeyArn", MISSING, "volume_kms_key", only=frozenset(TYPED_VOLUME_ACTIONS | UNTYPED_VOLUME_ACTIONS | SCHEDULES)),
    Variant("no volume key on local-storage types", "sagemaker:VolumeKmsKeyArn", MISSING, "volume_kms_key",
            also=(("sagemaker:InstanceTypes", LOCAL_STORAGE),), only=frozenset(UNTYPED_VOLUME_ACTIONS)),
    Variant("no volume key, local-storage and EBS types", "sagemaker:VolumeKmsKeyArn", MISSING, "volume_kms_key",
            also=(("sagemaker:InstanceTypes", ["ml.g5.2xlarge", "ml.m5.xlarge"]),), only=frozenset(TYPED_VOLUME_ACTIONS | UNTYPED_VOLUME_ACTIONS | SCHEDULES)),
    Variant("no volume key and no instance types", "sagemaker:VolumeKmsKeyArn", MISSING, "volume_kms_key",
            also=(("sagemaker:InstanceTypes", MISSING),), only=frozenset(TYPED_VOLUME_ACTIONS | UNTYPED_VOLUME_ACTIONS)),
    Variant("a volume key on local-storage types", "sagemaker:InstanceTypes", LOCAL_STORAGE, "volume_kms_key",
            only=frozenset()),
    Variant("a volume key not the environment's", "sagemaker:VolumeKmsKeyArn", OTHER_KEY, "volume_kms_key"),
    Variant("no output key", "sagemaker:OutputKmsKeyArn", MISSING, "output_kms_key", only=frozenset(OUTPUT_KEY_REQUIRED | SCHEDULES)),
    # A schedule that names its job definition sends none of the job's keys: nothing to deny.
    Variant("a schedule naming its job definition", "sagemaker:InstanceTypes", MISSING, "vpc", only=frozenset(),
            also=tuple((k, MISSING) for k in ("sagemaker:VpcSubnets", "sagemaker:VpcSecurityGroupIds", "sagemaker:VolumeKmsKeyArn",
                                                "sagemaker:OutputKmsKeyArn", "sagemaker:InterContainerTrafficEncryption",
                                                "sagemaker:NetworkIsolation")),
            applies=SCHEDULES),
    Variant("an output key not the environment's", "sagemaker:OutputKmsKeyArn", OTHER_KEY, "output_kms_key"),
    Variant("traffic encryption off", "sagemaker:InterContainerTrafficEncryption", "false", "inter_container_traffic_encryption"),
    Variant("traffic encryption not set", "sagemaker:InterContainerTrafficEncryption", MISSING, "inter_container_traffic_encryption",
            only=frozenset(TRAINING_LIKE | AUTOML | MONITORING)),
    Variant("network isolation off", "sagemaker:NetworkIsolation", "false", "network_isolation"),
    Variant("network isolation not set", "sagemaker:NetworkIsolation", MISSING, "network_isolation"),
    Variant("root access enabled", "sagemaker:RootAccess", "Enabled", "notebook_root_access"),
    Variant("root access not set", "sagemaker:RootAccess", MISSING, "notebook_root_access", create_only=True),
    Variant("direct internet enabled", "sagemaker:DirectInternetAccess", "Enabled", "notebook_direct_internet_access"),
    Variant("direct internet not set", "sagemaker:DirectInternetAccess", MISSING, "notebook_direct_internet_access", create_only=True),
    Variant("IMDSv1 allowed", "sagemaker:MinimumInstanceMetadataServiceVersion", "1", "notebook_imdsv2"),
    Variant("IMDS version not set", "sagemaker:MinimumInstanceMetadataServiceVersion", MISSING, "notebook_imdsv2", create_only=True),
    Variant("a lifecycle configuration of someone else's", "sagemaker:NotebookInstanceLifecycleConfigArns",
            ["arn:aws:sagemaker:us-east-1:123456789012:notebook-instance-lifecycle-config/curl-bash"], "notebook_lifecycle_configs"),
    Variant("remote debugging on", "sagemaker:EnableRemoteDebug", "true", "remote_debug"),
    Variant("an instance type outside the allow-list", "sagemaker:InstanceTypes", ["ml.zz9.48xlarge"], "instance_types"),
    Variant("an inference component that names no model", "sagemaker:ModelArn", MISSING, "vpc",
            only=frozenset({"CreateInferenceComponent"})),
    Variant("a Studio lifecycle configuration of someone else's", "sagemaker:StudioLifecycleConfigArns",
            ["arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/curl-bash"], "studio"),
    Variant("remote access to a space", "sagemaker:RemoteAccess", "ENABLED", "studio"),
    Variant("a sharing key not the environment's", "sagemaker:DomainSharingOutputKmsKeyArn", OTHER_KEY, "output_kms_key",
            only=frozenset({"CreateDomain", "UpdateDomain", "CreateUserProfile", "UpdateUserProfile"})),
    Variant("a control tag", "aws:TagKeys", ["team", "managed-by"], "control_tags"),
    Variant("an enforcer marker", "aws:TagKeys", ["smenv:enforcer"], "control_tags"),
]  # fmt: skip


@dataclass(frozen=True)
class Expectation:
    case: Case
    denied: bool


def matrix(policy: dict, rules: set[str], keys: dict[str, set[str]]) -> list[Expectation]:
    """Each action x each variant whose key the action sends, plus each action's compliant request."""
    expectations = []
    for action in sorted(GOVERNED | UNGOVERNED):
        supported = keys[f"sagemaker:{action}"]
        compliant = {k: v for k, v in COMPLIANT.items() if k in supported}
        policies = [ALLOW_ALL, policy]
        expectations.append(
            Expectation(Case(f"{action}: compliant", policies, Request(f"sagemaker:{action}", compliant)), False)
        )
        if "aws:TagKeys" in supported:
            by_writer = {**compliant, "aws:TagKeys": ["smenv:enforcer"], "aws:PrincipalArn": CONTROL_TAG_WRITER}
            request = Request(f"sagemaker:{action}", by_writer, principal=CONTROL_TAG_WRITER)
            expectations.append(Expectation(Case(f"{action}: a marker by its writer", policies, request), False))
        for variant in VARIANTS:
            if variant.key not in supported or (variant.applies is not None and action not in variant.applies):
                continue
            changed = [(variant.key, variant.value), *((k, v) for k, v in variant.also if k in supported)]
            context = {k: v for k, v in compliant.items() if k not in dict(changed)}
            context.update({k: v for k, v in changed if v is not MISSING})
            deniers = RULE_ACTIONS[variant.rule] if variant.only is None else variant.only
            governs = action in deniers and variant.rule in rules
            denied = governs and not (variant.create_only and action.startswith("Update"))
            request = Request(f"sagemaker:{action}", context)
            expectations.append(Expectation(Case(f"{action}: {variant.name}", policies, request), denied))
    for action in sorted(KEYLESS):
        request = Request(f"sagemaker:{action}", {})
        expectations.append(
            Expectation(Case(f"{action}: no key to test", policies, request), "keyless_actions" in rules)
        )
    for action in sorted(IMAGE_WRITES):
        by_team = Request(f"sagemaker:{action}", {"aws:PrincipalArn": iam_simulate.DEFAULT_PRINCIPAL})
        by_deployer = Request(f"sagemaker:{action}", {"aws:PrincipalArn": DEPLOYER}, principal=DEPLOYER)
        expectations.append(Expectation(Case(f"{action}: by a team", policies, by_team), "studio" in rules))
        expectations.append(Expectation(Case(f"{action}: by a deployer", policies, by_deployer), False))
    for action in sorted(LIFECYCLE_WRITES):
        by_team = Request(f"sagemaker:{action}", {"aws:PrincipalArn": iam_simulate.DEFAULT_PRINCIPAL})
        by_deployer = Request(f"sagemaker:{action}", {"aws:PrincipalArn": DEPLOYER}, principal=DEPLOYER)
        on = "notebook_lifecycle_configs" in rules
        expectations.append(Expectation(Case(f"{action}: by a team", policies, by_team), on))
        expectations.append(Expectation(Case(f"{action}: by a deployer", policies, by_deployer), False))
    return expectations  # fmt: skip


def run_matrix(expectations: list[Expectation], record_property, label: str) -> None:
    outcomes = iam_simulate.evaluate(e.case for e in expectations)
    dropped = [(o.id, o.ignored_context_keys) for o in outcomes if o.ignored_context_keys]
    wrong = [
        f"{o.id}: expected {'deny' if e.denied else 'allow'}, got {o.result}"
        for e, o in zip(expectations, outcomes, strict=True)
        if o.denied != e.denied or (not e.denied and not o.allowed)
    ]
    print(f"\n[guardrails] {label}: {len(outcomes)} evaluator cases, {len(wrong)} wrong")
    record_property(f"evaluator_cases_{label}", len(outcomes))
    record_property(f"evaluator_wrong_{label}", len(wrong))
    assert dropped == [], "cases whose context keys never reached the policy test nothing"
    assert wrong == []


# --- plans: few, shared --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guardrails(planner_for):
    return planner_for("guardrails")


@pytest.fixture(scope="module")
def default_plan(guardrails):
    return guardrails.plan(**INPUTS)


@pytest.fixture(scope="module")
def serverless_plan(guardrails):
    """Serverless inference allowed, and the same statements as an SCP on an OU and an account."""
    return guardrails.plan(**INPUTS, allow_serverless_inference=True, scp_target_ids=SCP_TARGETS)


@pytest.fixture(scope="module")
def strict_plan(guardrails):
    """Network isolation required, two rules off, and the most approved ids of the three plans."""
    return guardrails.plan(
        name_prefix="smenv-test",
        approved_subnet_ids=[*SUBNETS, "subnet-22222222222222222"],
        approved_security_group_ids=[*GROUPS, "sg-33333333"],
        require_network_isolation=True,
        disabled_rules=["notebook_root_access", "output_kms_key"],
        volume_kms_key_arns=[KEY],
        deployer_arns=[DEPLOYER],
        control_tag_writer_arns=[DEPLOYER, CONTROL_TAG_WRITER],
    )


@pytest.fixture(scope="module")
def sagemaker_keys():
    """The condition keys of every action the tests use, per the evaluator's IAM data."""
    return iam_simulate.condition_keys(
        f"sagemaker:{a}" for a in GOVERNED | UNGOVERNED | KEYLESS | LIFECYCLE_WRITES | IMAGE_WRITES
    )


def document(plan) -> dict:
    return json.loads(plan.output("policy_json"))


def statements(plan) -> dict[str, dict]:
    return {s["Sid"]: s for s in document(plan)["Statement"]}


def actions_of(statement) -> set[str]:
    actions = statement["Action"]
    return {a.removeprefix("sagemaker:") for a in ([actions] if isinstance(actions, str) else actions)}


# --- what a reviewer reads in the plan ---------------------------------------------------------------


CONCERNS = ("network", "encryption", "workloads")


def managed_policies(plan) -> dict[str, dict]:
    return {r["index"]: r["values"] for r in plan.managed("aws_iam_policy") if r["name"] == "guardrails"}


def test_one_deny_only_managed_policy_per_concern_named_from_the_prefix_and_no_scp_by_default(default_plan):
    policies = managed_policies(default_plan)
    assert sorted(policies) == sorted(CONCERNS)
    assert {p["name"] for p in policies.values()} == {f"smenv-test-sagemaker-guardrails-{c}" for c in CONCERNS}
    # Together they are exactly the whole document, each statement once.
    together = [s for c in CONCERNS for s in json.loads(policies[c]["policy"])["Statement"]]
    assert sorted(s["Sid"] for s in together) == sorted(s["Sid"] for s in document(default_plan)["Statement"])
    assert {s["Effect"] for s in document(default_plan)["Statement"]} == {"Deny"}
    assert {json.dumps(s["Resource"]) for s in document(default_plan)["Statement"]} == {'"*"'}
    assert default_plan.managed("aws_organizations_policy") == []
    assert default_plan.managed("aws_organizations_policy_attachment") == []
    assert default_plan.output("scp_ids") == {}
    assert sorted(default_plan.output("enabled_rules")) == sorted(DEFAULT_RULES)


def test_each_concern_holds_the_statements_of_its_rules(default_plan):
    sids = {
        c: {s["Sid"] for s in json.loads(p["policy"])["Statement"]} for c, p in managed_policies(default_plan).items()
    }
    assert all(
        sid.startswith(
            (
                "DenyWithoutVpc",
                "DenyUnapproved",
                "DenyModelWithoutVpc",
                "DenyStudio",
                "DenyInferenceComponents",
                "DenyInlineMonitoringJobsWithoutVpc",
            )
        )
        or sid == "DenyNotebookDirectInternetAccess"
        for sid in sids["network"]
    )
    assert all("Kms" in sid or "Key" in sid or "InterContainer" in sid for sid in sids["encryption"])
    assert sids["workloads"] == {
        "DenyNotebookRootAccess", "DenyNotebookRootAccessOnUpdate", "DenyNotebookImdsV1", "DenyNotebookImdsV1OnUpdate",
        "DenyUnapprovedNotebookLifecycleConfigs", "DenyLifecycleConfigWritesButByDeployers",
        "DenyRemoteDebugOfTrainingJobs", "DenyInstanceTypesOutsideTheAllowList", "DenyWorkWithoutUsableConditionKeys",
        "DenyControlTagsButByTheirWriters", "DenyUnapprovedStudioLifecycleConfigs", "DenyRemoteAccessToStudioSpaces",
        "DenyStudioImageWritesButByDeployers",
    }  # fmt: skip


def test_every_statement_fits_where_it_goes(default_plan, serverless_plan, strict_plan):
    # IAM managed policies: 6,144 characters; SCPs: 5,120; the boundary holds every statement.
    for plan in (default_plan, serverless_plan, strict_plan):
        for concern, policy in managed_policies(plan).items():
            assert len(policy["policy"]) <= 5120, concern
        boundary = json.loads(plan.values("aws_iam_policy.boundary")["policy"])
        assert len(plan.values("aws_iam_policy.boundary")["policy"]) <= 6144
        # The boundary is the network and encryption statements (without their Sids, for size)
        # and an Allow of everything the principal's own policies allow.
        managed = managed_policies(plan)
        expected = [
            {k: v for k, v in st.items() if k != "Sid"}
            for concern in ("network", "encryption")
            for st in json.loads(managed[concern]["policy"])["Statement"]
        ]
        *denies, allow = boundary["Statement"]
        assert denies == expected
        assert (allow["Effect"], allow["Action"], allow["Resource"]) == ("Allow", "*", "*")
        # A notebook on the internet is a network matter: the boundary holds it too
        assert "DenyNotebookDirectInternetAccess" in {
            st["Sid"] for st in json.loads(managed["network"]["policy"])["Statement"]
        }


def test_the_key_rules_name_the_environments_keys_not_any_key(default_plan):
    by_sid = statements(default_plan)
    for sid, key in (("DenyVolumeKeysOutsideTheEnvironment", "sagemaker:VolumeKmsKeyArn"),
                     ("DenyOutputKeysOutsideTheEnvironment", "sagemaker:OutputKmsKeyArn")):  # fmt: skip
        assert by_sid[sid]["Condition"] == {"Null": {key: "false"}, "ArnNotEquals": {key: KEY}}, sid


def test_studio_domains_must_be_vpc_only(default_plan):
    by_sid = statements(default_plan)
    # On create, a missing value is the default, PublicInternetOnly; on update it means "unchanged"
    assert by_sid["DenyStudioDomainsOutsideTheVpc"]["Condition"] == {
        "StringNotEqualsIfExists": {"sagemaker:AppNetworkAccessType": "VpcOnly"}
    }
    assert by_sid["DenyStudioDomainsLeavingTheVpc"]["Condition"] == {
        "Null": {"sagemaker:AppNetworkAccessType": "false"},
        "StringNotEquals": {"sagemaker:AppNetworkAccessType": "VpcOnly"},
    }


def test_work_that_sends_no_usable_key_is_denied_unless_named(default_plan, guardrails, sagemaker_keys):
    # Given the actions that run compute or keep data but send no key a rule could test
    denied = actions_of(statements(default_plan)["DenyWorkWithoutUsableConditionKeys"])
    assert denied == KEYLESS
    # When one is opted in, it leaves the statement
    opened = guardrails.plan(**INPUTS, allowed_keyless_actions=["sagemaker:CreateCompilationJob"])
    assert actions_of(statements(opened)["DenyWorkWithoutUsableConditionKeys"]) == KEYLESS - {"CreateCompilationJob"}
    # And the evaluator agrees: denied with everything else allowed
    outcomes = iam_simulate.evaluate(
        Case(f"keyless {a}", [ALLOW_ALL, document(default_plan)], Request(f"sagemaker:{a}", {}))
        for a in sorted(KEYLESS)
    )
    assert {o.id for o in outcomes if not o.denied} == set()


def test_with_only_the_required_inputs_every_default_rule_has_its_statements(default_plan):
    by_sid = statements(default_plan)
    assert by_sid["DenyWithoutVpcSubnets"]["Condition"] == {"Null": {"sagemaker:VpcSubnets": "true"}}
    assert by_sid["DenyUnapprovedSubnets"]["Condition"] == {
        "ForAnyValue:StringNotEquals": {"sagemaker:VpcSubnets": SUBNETS}
    }
    assert by_sid["DenyUnapprovedSecurityGroups"]["Condition"] == {
        "ForAnyValue:StringNotEquals": {"sagemaker:VpcSecurityGroupIds": GROUPS[0]}
    }
    # On create a missing RootAccess is the default, Enabled; on update it means "unchanged".
    assert by_sid["DenyNotebookRootAccess"]["Condition"] == {
        "StringEqualsIfExists": {"sagemaker:RootAccess": "Enabled"}
    }
    assert by_sid["DenyNotebookRootAccessOnUpdate"]["Condition"] == {
        "StringEquals": {"sagemaker:RootAccess": "Enabled"}
    }
    assert actions_of(by_sid["DenyNotebookRootAccessOnUpdate"]) == {"UpdateNotebookInstance"}
    # The lifecycle allow-list defaults to the environment's own configurations
    assert by_sid["DenyUnapprovedNotebookLifecycleConfigs"]["Condition"] == {
        "ForAnyValue:ArnNotLike": {
            "sagemaker:NotebookInstanceLifecycleConfigArns": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance-lifecycle-config/smenv-test-*"
        }
    }


def test_each_statement_names_exactly_the_actions_of_its_rule(default_plan, strict_plan):
    actions_of_sid = {
        "DenyWithoutVpcSubnets": VPC_REQUIRED,
        "DenyWithoutVpcSecurityGroups": GROUPS_APART,
        "DenyUnapprovedSubnets": {"*"},
        "DenyUnapprovedSecurityGroups": {"*"},
        "DenyWithoutVolumeKmsKey": UNTYPED_VOLUME_ACTIONS,
        "DenyWithoutVolumeKmsKeyOnEbsInstanceTypes": TYPED_VOLUME_ACTIONS | SCHEDULES,
        "DenyInlineMonitoringJobsWithoutVpc": SCHEDULES,
        "DenyInlineMonitoringJobsWithoutOutputKmsKey": SCHEDULES,
        "DenyWithoutVolumeKmsKeyOrInstanceTypes": TYPED_VOLUME_ACTIONS,
        "DenyVolumeKeysOutsideTheEnvironment": {"*"},
        "DenyWithoutOutputKmsKey": OUTPUT_KEY_REQUIRED,
        "DenyOutputKeysOutsideTheEnvironment": {"*"},
        "DenyWithoutInterContainerTrafficEncryption": TRAINING_LIKE | AUTOML | MONITORING,
        "DenySchedulesWithoutInterContainerTrafficEncryption": {"*"},
        "DenyWithoutNetworkIsolation": RULE_ACTIONS["network_isolation"],
        "DenyNotebookDirectInternetAccess": RULE_ACTIONS["notebook_direct_internet_access"],
        "DenyRemoteDebugOfTrainingJobs": {"*"},
        "DenyInstanceTypesOutsideTheAllowList": {"*"},
    }
    for plan in (default_plan, strict_plan):
        for sid, statement in statements(plan).items():
            if sid in actions_of_sid:
                assert actions_of(statement) == actions_of_sid[sid], sid
    for statement in statements(default_plan).values():
        assert not actions_of(statement) & UNGOVERNED, statement["Sid"]


# Global keys AWS sets on every request by an IAM principal (IAM User Guide, "AWS global condition
# context keys": aws:PrincipalArn is always present).
ALWAYS_SENT = {"aws:PrincipalArn"}
# A test that holds when its key is absent from the request: such a statement may not name every action.
ABSENT_KEY_MATCHES = {"Null": "true"}


def test_a_statement_that_names_every_action_tests_only_values_a_request_sends(default_plan, serverless_plan):
    # Given the statements that name sagemaker:* (any action that sends their keys)
    for plan in (default_plan, serverless_plan):
        for statement in document(plan)["Statement"]:
            if actions_of(statement) != {"*"}:
                continue
            conditions = statement["Condition"]
            absent_false = {k for k, v in conditions.get("Null", {}).items() if v == "false"}
            for operator, block in conditions.items():
                # Then no condition matches a request that lacks its key: no Null true, no ...IfExists,
                # and a negated test only beside a Null false on the same key
                assert not (operator == "Null" and "true" in block.values()), statement["Sid"]
                assert not operator.endswith("IfExists"), statement["Sid"]
                negated = "Not" in operator and not operator.startswith("ForAnyValue:")
                if negated:
                    sent = absent_false | ALWAYS_SENT
                    assert set(block) <= sent, f"{statement['Sid']}: {operator} without Null false"


def test_the_volume_key_exemption_names_exactly_the_local_storage_families(default_plan):
    families = json.loads((REPO / "modules/_instance_storage/instance_storage.json").read_text())
    by_sid = statements(default_plan)
    patterns = by_sid["DenyWithoutVolumeKmsKeyOnEbsInstanceTypes"]["Condition"]["ForAnyValue:StringNotLike"]
    assert sorted(patterns["sagemaker:InstanceTypes"]) == sorted(
        f"ml.{f}.*" for f in families["local_storage_families"]
    )
    assert by_sid["DenyWithoutVolumeKmsKeyOrInstanceTypes"]["Condition"] == {
        "Null": {"sagemaker:VolumeKmsKeyArn": "true", "sagemaker:InstanceTypes": "true"}
    }


def test_every_condition_key_is_sent_by_every_action_of_its_statement(
    default_plan, serverless_plan, strict_plan, sagemaker_keys
):
    # A Null test on a key an action never sends would deny that action always.
    for plan in (default_plan, serverless_plan, strict_plan):
        for statement in document(plan)["Statement"]:
            if actions_of(statement) == {"*"}:
                continue  # tests only values, never absence: see the test above
            keys = {key for block in statement.get("Condition", {}).values() for key in block}
            for action in actions_of(statement):
                unsupported = (
                    keys
                    - sagemaker_keys[f"sagemaker:{action}"]
                    - {"aws:RequestTag/smenv:inference", "aws:PrincipalArn"}
                )
                assert unsupported == set(), f"{statement['Sid']}: {action} does not send {unsupported}"


# --- the evaluator: every action x every missing or wrong key, plus the compliant request -------------


def test_the_default_policy_denies_each_unsafe_request_and_allows_each_compliant_one(
    default_plan, sagemaker_keys, record_property
):
    expectations = matrix(document(default_plan), DEFAULT_RULES, sagemaker_keys)
    assert len(expectations) >= 30
    run_matrix(expectations, record_property, "default")


def test_the_matrix_notices_any_one_statement_taken_out(default_plan, sagemaker_keys):
    # Given the default document less one statement, for each statement in turn
    policy = document(default_plan)
    batch, owner = [], {}
    for statement in policy["Statement"]:
        weakened = {**policy, "Statement": [s for s in policy["Statement"] if s is not statement]}
        for expectation in matrix(weakened, DEFAULT_RULES, sagemaker_keys):
            case = Case(
                f"without {statement['Sid']}: {expectation.case.id}",
                expectation.case.policies,
                expectation.case.request,
            )
            batch.append(Expectation(case, expectation.denied))
            owner[case.id] = statement["Sid"]
    # When the matrix runs over each weakened document
    outcomes = iam_simulate.evaluate(e.case for e in batch)
    # Then every statement is missed by at least one case: none of them is dead weight or untested
    caught = {owner[o.id] for e, o in zip(batch, outcomes, strict=True) if o.denied != e.denied}
    assert caught == {s["Sid"] for s in policy["Statement"]}


def test_required_network_isolation_and_rules_switched_off_are_what_the_evaluator_sees(
    strict_plan, sagemaker_keys, record_property
):
    rules = DEFAULT_RULES - {"notebook_root_access", "output_kms_key"} | {"network_isolation"}
    assert sorted(strict_plan.output("enabled_rules")) == sorted(rules)
    expectations = matrix(document(strict_plan), rules, sagemaker_keys)
    run_matrix(expectations, record_property, "strict")


def serverless_cases(policy: dict) -> list[Expectation]:
    tagged = {"aws:RequestTag/smenv:inference": "serverless", "aws:TagKeys": ["smenv:inference"]}
    other_tag = {"aws:RequestTag/smenv:inference": "provisioned", "aws:TagKeys": ["smenv:inference"]}
    isolated = {"sagemaker:NetworkIsolation": "false"}
    training = COMPLIANT_TRAINING
    no_vpc_training = {k: v for k, v in training.items() if not k.startswith("sagemaker:Vpc")}
    unapproved = {"sagemaker:VpcSubnets": ["subnet-0badbadbadbadbad0"], "sagemaker:VpcSecurityGroupIds": GROUPS}

    def case(name: str, action: str, context: dict, principal: str = iam_simulate.DEFAULT_PRINCIPAL) -> Case:
        # The evaluator leaves aws:PrincipalArn to the caller; AWS sets it on every request by a role.
        context = {**context, "aws:PrincipalArn": principal}
        return Case(name, [ALLOW_ALL, policy], Request(f"sagemaker:{action}", context, principal=principal))

    return [
        Expectation(case("serverless model without a VPC, by the deployer", "CreateModel", {**tagged, **isolated}, DEPLOYER), True),
        Expectation(case("serverless model without a VPC, by a team", "CreateModel", {**tagged, **isolated}), True),
        Expectation(case("model tagged otherwise without a VPC", "CreateModel", {**other_tag, **isolated}), True),
        Expectation(case("untagged model without a VPC", "CreateModel", isolated), True),
        Expectation(case("serverless model in an unapproved subnet", "CreateModel", {**tagged, **unapproved}), True),
        Expectation(case("training job tagged serverless without a VPC", "CreateTrainingJob", {**tagged, **no_vpc_training}), True),
    ]  # fmt: skip


def test_without_the_serverless_switch_a_tag_exempts_nothing(default_plan, record_property):
    run_matrix(serverless_cases(document(default_plan)), record_property, "serverless_off")


def test_with_serverless_allowed_only_tagged_models_skip_only_the_vpc_rule(serverless_plan, record_property):
    expectations = serverless_cases(document(serverless_plan))
    # Only the first case changes: the deployer's model tagged smenv:inference=serverless, without a
    # VPC, passes; a team tagging its own model gets nothing.
    expectations[0] = Expectation(expectations[0].case, False)
    run_matrix(expectations, record_property, "serverless_on")
    by_sid = statements(serverless_plan)
    assert "CreateModel" not in actions_of(by_sid["DenyWithoutVpcSubnets"])
    assert by_sid["DenyModelWithoutVpcUnlessServerless"]["Condition"] == {
        "Null": {"sagemaker:VpcSubnets": "true"},
        "StringNotEquals": {"aws:RequestTag/smenv:inference": "serverless"},
    }
    assert by_sid["DenyModelWithoutVpcUnlessDeployedServerless"]["Condition"] == {
        "Null": {"sagemaker:VpcSubnets": "true"},
        "ArnNotLike": {"aws:PrincipalArn": DEPLOYER},
    }
    # Every action that names subnets must name approved ones, serverless or not
    assert actions_of(by_sid["DenyUnapprovedSubnets"]) == {"*"}


def test_with_targets_the_same_statements_become_scps_attached_to_each(serverless_plan, record_property):
    scps = {r["index"]: r["values"] for r in serverless_plan.managed("aws_organizations_policy")}
    assert sorted(scps) == sorted(CONCERNS)
    for concern, scp in scps.items():
        assert (scp["name"], scp["type"]) == (f"smenv-test-sagemaker-guardrails-{concern}", "SERVICE_CONTROL_POLICY")
        assert json.loads(scp["content"]) == json.loads(managed_policies(serverless_plan)[concern]["policy"])
        assert len(scp["content"]) <= 5120
    attached = {
        (r["values"]["target_id"], r["index"].split("/")[0])
        for r in serverless_plan.managed("aws_organizations_policy_attachment")
    }
    assert attached == {(t, c) for t in SCP_TARGETS for c in CONCERNS}
    # And as an SCP it stops a principal whose own policies allow everything.
    content = json.loads(scps["network"]["content"])
    compliant = COMPLIANT_TRAINING
    no_vpc = {k: v for k, v in compliant.items() if k != "sagemaker:VpcSubnets"}
    outcomes = iam_simulate.evaluate(
        [
            Case("scp: compliant", [FULL_AWS_ACCESS], Request("sagemaker:CreateTrainingJob", compliant), scps=[FULL_AWS_ACCESS, content]),
            Case("scp: no subnets", [FULL_AWS_ACCESS], Request("sagemaker:CreateTrainingJob", no_vpc), scps=[FULL_AWS_ACCESS, content]),
        ]
    )  # fmt: skip
    assert [o.result for o in outcomes] == [iam_simulate.ALLOWED, iam_simulate.EXPLICITLY_DENIED]
    record_property("evaluator_cases_scp", len(outcomes))


# --- bad inputs fail at plan, naming the variable ------------------------------------------------------


def test_an_empty_approved_list_while_the_vpc_rule_is_on_fails_at_plan(guardrails):
    message = guardrails.plan_error(name_prefix="smenv-test", approved_subnet_ids=[], approved_security_group_ids=[])
    assert "var.approved_subnet_ids must list at least one subnet while the vpc rule is on" in message
    assert "var.approved_security_group_ids must list at least one security group while the vpc rule is on" in message


# --- parliament: zero findings (beyond its documented data gaps) ----------------------------------------


@pytest.fixture(scope="module")
def allowances():
    return policy_lint.load_config()[0]


def test_parliament_finds_nothing_in_the_guardrails_or_their_scp(
    default_plan, serverless_plan, strict_plan, allowances
):
    for plan in (default_plan, serverless_plan, strict_plan):
        report = policy_lint.lint_plan(plan.raw, allowances)
        assert report.failing == [], policy_lint.table(report.failing)
        assert report.unknown == []
    linted = {p.address for p in policy_lint.lint_plan(serverless_plan.raw).policies}
    assert linted == {"aws_iam_policy.boundary"} | {
        f'{kind}.guardrails["{c}"]' for kind in ("aws_iam_policy", "aws_organizations_policy") for c in CONCERNS
    }


def test_parliament_finds_nothing_in_the_key_policies(planner_for, allowances):
    purposes = ["data", "models", "volumes", "logs", "notifications", "lambda", "params"]
    keys = {p: {} for p in purposes} | {"models": {"cross_account_decrypt_account_ids": ["222222222222"]}}
    plan = planner_for("kms").plan(name_prefix="smenv-test", keys=keys)
    report = policy_lint.lint_plan(plan.raw, allowances)
    assert len(report.policies) == len(purposes)
    assert report.failing == [], policy_lint.table(report.failing)


def test_every_allowed_parliament_finding_is_a_key_aws_lists_for_that_action(allowances):
    # The allow-list may only cover parliament's stale data: the evaluator's IAM data must list each pair.
    by_action = [a for a in allowances if a.actions]
    assert {a.condition_key for a in by_action} >= {"sagemaker:VolumeKmsKeyArn", "sagemaker:OutputKmsKeyArn"}
    # (condition_keys answers only for actions the IAM data knows: an unknown one fails it)
    keys = iam_simulate.condition_keys(action for allowance in by_action for action in allowance.actions)
    for allowance in by_action:
        for action in allowance.actions:
            assert action in keys, f"{action} is not an action AWS lists"
            if allowance.condition_key:
                assert allowance.condition_key in keys[action], f"{action} does not support {allowance.condition_key}"


def test_the_lint_catches_a_null_test_on_a_key_the_action_never_sends():
    # Given the classic mistake: CreateEndpoint never sends sagemaker:VpcSubnets, so this denies it always
    statement = {"Effect": "Deny", "Action": ["sagemaker:CreateEndpoint"], "Resource": "*", "Condition": {"Null": {"sagemaker:VpcSubnets": "true"}}}  # fmt: skip
    # When it is linted
    findings = policy_lint.lint_document(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    # Then the lint names the action and the key
    assert [(f.issue, f.action, f.condition_key) for f in findings] == [
        ("UNKNOWN_CONDITION_FOR_ACTION", "sagemaker:CreateEndpoint", "sagemaker:VpcSubnets")
    ]


def test_an_empty_volume_key_list_while_the_volume_key_rule_is_on_fails_at_plan_naming_the_variable(guardrails):
    # Given what env.hcl could get wrong: the volume key rule on with no key to allow
    message = guardrails.plan_error(
        name_prefix="smenv-test",
        approved_subnet_ids=SUBNETS,
        approved_security_group_ids=GROUPS,
        output_kms_key_arns=[KEY],
        volume_kms_key_arns=[],
    )
    # Then the plan fails, naming the variable and the rule
    assert (
        "var.volume_kms_key_arns must list the environment's volume key(s) while the volume_kms_key rule is on"
        in message
    )
