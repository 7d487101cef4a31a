"""The README's main job, end to end: live/local applies whole, plans clean, and destroys whole.

Real Terragrunt and Terraform against the emulator, started by `tools/live.py` itself on a port
of its own (so this also proves `make up` starts the emulator when it is not running).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

from smenv.core.project import EMULATOR_CREDENTIALS, load_environment
from smenv.live import live, local_aws
from smenv_testing import REPO, TEST_EMULATOR_PORT

pytestmark = [pytest.mark.emulator, pytest.mark.slow]
PORT = TEST_EMULATOR_PORT + 10
ENV = load_environment("local")


@dataclass
class Run:
    code: int
    out: str
    err: str


ENV_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def run_live(command: str, env: dict[str, str]) -> Run:
    proc = subprocess.run(
        [sys.executable, "tools/live.py", command, "local"], cwd=REPO, env=env, capture_output=True, text=True
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def aws(service: str):
    session = boto3.Session(
        aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=ENV.region,
    )
    return session.client(service, endpoint_url=local_aws.emulator_url(PORT))


def contract_value(name: str) -> str:
    """A value of the local environment's SSM contract, decrypted as its consumers read it (SecureString)."""
    parameter = aws("ssm").get_parameter(Name=f"/smenv/local/{name}", WithDecryption=True)
    return parameter["Parameter"]["Value"]


@pytest.fixture(scope="module")
def live_env(tool_env) -> dict[str, str]:
    env = {k: v for k, v in tool_env.items() if not k.startswith("AWS_")}
    env["SMENV_EMULATOR_PORT"] = str(PORT)
    return env


@pytest.fixture(scope="module")
def applied(live_env) -> Iterator[Run]:
    """`make up` on a machine where the emulator is not running yet."""
    local_aws.stop(PORT)
    run = run_live("up", live_env)
    yield run
    if local_aws.status(PORT):  # the destroy test did not get to run: clean up anyway
        run_live("down", live_env)
        local_aws.stop(PORT)


def test_up_starts_the_emulator_and_applies_every_unit(applied):
    assert applied.code == 0, applied.err[-3000:]
    assert f"started the emulator at http://127.0.0.1:{PORT}" in applied.out
    table = applied.out[applied.out.index("unit ") :]
    for unit in sorted(p.parent.name for p in ENV.path.glob("*/terragrunt.hcl")):
        row = next(line for line in table.splitlines() if line.startswith(unit + " "))
        resources, seconds = row.split()[1:3]
        assert int(resources) > 0, row
        assert float(seconds) > 0, row
    assert "(apply, wall clock)" in table


def test_the_kms_unit_made_one_rotating_key_per_purpose(applied):
    kms = aws("kms")
    aliases = {a["AliasName"]: a["TargetKeyId"] for a in kms.list_aliases()["Aliases"]}
    for purpose in ("data", "models", "volumes", "logs"):
        key_id = aliases[f"alias/smenv-local-{purpose}"]
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyManager"] == "CUSTOMER"
        assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True


def test_a_second_plan_shows_no_changes(applied, live_env):
    assert applied.code == 0
    run = run_live("plan", live_env)
    assert run.code == 0, run.out + run.err[-3000:]
    assert "plan: no changes" in run.out


def test_each_units_terragrunt_cache_stays_small(applied):
    """The provider is linked from the mirror, never copied into a unit's cache."""
    cache = live.download_dir(ENV, PORT)
    units = list(cache.glob("*/*"))
    assert units
    for unit in units:
        size = sum(f.stat().st_size for f in unit.rglob("*") if f.is_file() and not f.is_symlink())
        assert size < 2_000_000, f"{unit}: {size} bytes"


def test_the_enforcer_is_configured_from_the_network_and_reaches_only_its_own_account(applied):
    function = aws("lambda").get_function(FunctionName="smenv-local-sagemaker-enforcer")["Configuration"]
    variables = function["Environment"]["Variables"]
    subnets = contract_value("network/private_subnet_ids")
    # The platform's group and each team's own
    groups = [contract_value("network/sagemaker_security_group_id")]
    groups += [contract_value(f"teams/{team}/security_group_id") for team in ("fraud", "pricing")]
    assert variables["APPROVED_SUBNET_IDS"] == subnets
    assert variables["APPROVED_SECURITY_GROUP_IDS"] == ",".join(sorted(groups))
    assert variables["ENFORCEMENT_MODE"] == "enforce"
    assert variables["FINDINGS_TOPIC_ARN"].endswith(":smenv-local-enforcer-findings")
    policy = aws("iam").get_role_policy(RoleName="smenv-local-sagemaker-enforcer", PolicyName="enforce")
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    for sid in ("DescribeWhatItJudges", "StopWhatEscapes", "DeleteModelsOutsideTheVpc", "MarkWhatItHandled"):
        resources = statements[sid]["Resource"]
        for resource in resources if isinstance(resources, list) else [resources]:
            assert resource.startswith("arn:aws:sagemaker:us-east-1:123456789012:"), (sid, resource)
    assert sorted(sid for sid, s in statements.items() if s["Resource"] == "*") == [
        "DescribeNetworkAndTrace",
        "FindEndpointConfigsUsingAModel",
    ]
    assert statements["PublishFindings"]["Resource"] == variables["FINDINGS_TOPIC_ARN"]


def test_up_ends_with_the_enforcer_stopping_a_job_that_escapes_the_vpc(applied):
    assert applied.code == 0
    assert "enforcer: violation (vpc.required); action stopped" in applied.out
    assert "the control works: work that leaves the VPC is stopped and reported" in applied.out


def test_each_teams_notebook_is_private_and_its_role_carries_the_guardrails(applied):
    guardrails = contract_value("guardrails/policy_arns").split(",")
    assert len(guardrails) == 3
    for team in ENV.teams:
        notebook = aws("sagemaker").describe_notebook_instance(
            NotebookInstanceName=contract_value(f"teams/{team}/notebook")
        )
        assert (notebook["DirectInternetAccess"], notebook["RootAccess"]) == ("Disabled", "Disabled")
        assert notebook["SubnetId"] in contract_value("network/private_subnet_ids").split(",")
        assert notebook["KmsKeyId"] == contract_value("kms/volumes/key_arn")
        role = contract_value(f"teams/{team}/execution_role_arn").rsplit("/", 1)[1]
        attached = aws("iam").list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        assert set(guardrails) <= {p["PolicyArn"] for p in attached}


def test_a_multi_region_trail_records_management_events_for_the_enforcer(applied):
    trails = aws("cloudtrail").describe_trails()["trailList"]
    trail = next(t for t in trails if t["Name"] == "smenv-local-management-events")
    assert trail["IsMultiRegionTrail"] is True
    assert trail["LogFileValidationEnabled"] is True
    assert trail["KmsKeyId"] == contract_value("kms/trail/key_arn")
    assert aws("cloudtrail").get_trail_status(Name=trail["TrailARN"])["IsLogging"] is True


def test_the_team_buckets_carry_the_real_environments_denies(applied):
    bucket = contract_value(f"teams/{ENV.teams[0]}/data_bucket")
    sids = {s["Sid"] for s in json.loads(aws("s3").get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]}
    assert {
        "DenyInsecureTransport",
        "DenyOutsideTheVpcEndpoint",
        "DenyUploadsNotUnderKms",
        "DenyUploadsUnderAnotherKey",
    } <= sids


def test_the_endpoint_serves_a_shadow_captures_encrypted_and_scales(applied):
    name = contract_value("endpoints/churn/endpoint_name")
    endpoint = aws("sagemaker").describe_endpoint(EndpointName=name)
    config = aws("sagemaker").describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    assert config["KmsKeyId"] == contract_value("kms/volumes/key_arn")
    assert [v["VariantName"] for v in config["ShadowProductionVariants"]] == ["shadow"]
    assert config["DataCaptureConfig"]["KmsKeyId"] == contract_value("kms/models/key_arn")
    targets = aws("application-autoscaling").describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert [(t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in targets] == [
        (f"endpoint/{name}/variant/production", 1, 2)
    ]
    invoker = aws("lambda").get_function(FunctionName=contract_value("endpoints/churn/invoker_function_name"))
    assert invoker["Configuration"]["Environment"]["Variables"]["ENDPOINT_NAME"] == name


def contract_table_patterns() -> list[re.Pattern]:
    """docs/CONTRACTS.md's SSM table as patterns: <team>, <purpose>, <name> stand for one path part."""
    page = (REPO / "docs" / "CONTRACTS.md").read_text()
    table = page[page.index("## The environment contract") : page.index("## Tags")]
    rows = re.findall(r"^\| `([^`]+)`(?:, `([^`]+)`)? \|", table, re.MULTILINE)
    names = [first for first, _ in rows]
    names += [second.replace(".../", first.rsplit("/", 1)[0] + "/") for first, second in rows if second]
    return [re.compile("^" + re.sub(r"<[a-z]+>", "[^/]+", re.escape(name)) + "$") for name in names]


def test_every_published_parameter_is_in_the_documented_contract_table(applied):
    # Given docs/CONTRACTS.md's table; when every parameter of the applied environment is listed
    patterns = contract_table_patterns()
    names = [
        p["Name"].removeprefix("/smenv/local/")
        for page in aws("ssm").get_paginator("get_parameters_by_path").paginate(Path="/smenv/local", Recursive=True)
        for p in page["Parameters"]
    ]
    # Then each one has its row
    assert names
    assert [n for n in names if not any(p.match(n) for p in patterns)] == []


def run_tool(tool: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "tools" / tool), *args], env=env, capture_output=True, text=True, timeout=300
    )


def dev_package(s3, sagemaker) -> str:
    """An Approved model in a 'dev' registry, here in the emulator's one account (its own bucket and group)."""
    bucket = "smenv-rehearsal-dev-models"
    s3.create_bucket(Bucket=bucket)
    etag = s3.put_object(Bucket=bucket, Key="churn/v7/model.tar.gz", Body=b"model v7", ChecksumAlgorithm="SHA256")[
        "ETag"
    ]
    sagemaker.create_model_package_group(ModelPackageGroupName="smenv-rehearsal-dev-models")
    # Registered as a pipeline registers it: with the artifact's ETag, which promote_model verifies
    return sagemaker.create_model_package(
        ModelPackageGroupName="smenv-rehearsal-dev-models",
        ModelApprovalStatus="Approved",
        InferenceSpecification={
            "Containers": [
                {"Image": ENV_IMAGE, "ModelDataUrl": f"s3://{bucket}/churn/v7/model.tar.gz", "ModelDataETag": etag}
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]


def test_a_promoted_model_shadows_the_endpoint_and_a_later_plan_keeps_it(applied, live_env):
    # Given the applied environment (a promotion target: its contract names bucket, key, group and role)
    sagemaker = aws("sagemaker")
    arn = dev_package(aws("s3"), sagemaker)
    tool_env = {**live_env, **EMULATOR_CREDENTIALS, "AWS_ENDPOINT_URL": local_aws.emulator_url(PORT)}
    # When promote_model copies it in, as the promotion role, and makes it the endpoint's shadow
    promoted = run_tool(
        "promote_model.py",
        ["--model-package-arn", arn, "--target-env", "local", "--target-role-arn", contract_value("promotion/role_arn"),
         "--endpoint", "churn", "--as", "shadow", "--shadow-sampling", "10", "--json"],
        tool_env,
    )  # fmt: skip
    # Then the package is registered in the environment's group and the endpoint shadows with it
    assert promoted.returncode == 0, promoted.stderr
    report = json.loads(promoted.stdout)
    assert report["status"] == "promoted"
    group = contract_value("promotion/model_package_group")
    [summary] = sagemaker.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"]
    assert summary["ModelApprovalStatus"] == "Approved"  # not prod: Approved by default
    endpoint = sagemaker.describe_endpoint(EndpointName=contract_value("endpoints/churn/endpoint_name"))
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    assert [v["ModelName"] for v in config["ShadowProductionVariants"]] == [report["endpoint"]["model"]]
    # And Terraform leaves the promoted configuration in service: no changes planned
    plan = run_live("plan", live_env)
    assert plan.code == 0, plan.out + plan.err[-3000:]
    assert "plan: no changes" in plan.out

    # Before the destroy, as the README says: sweep what Terraform does not manage (the promoted
    # model and configuration), and retire the registered package (a group with packages cannot go)
    swept = run_tool("sweep.py", ["--env", "local", "--delete"], live_env)
    assert swept.returncode == 0, swept.stderr
    assert report["endpoint"]["model"] in swept.stdout
    sagemaker.delete_model_package(ModelPackageName=summary["ModelPackageArn"])


# Last: the round trip ends with the environment gone.
def test_down_destroys_everything_and_stops_the_emulator(applied, live_env):
    assert applied.code == 0
    run = run_live("down", live_env)
    assert run.code == 0, run.err[-3000:]
    table = run.out[run.out.index("unit ") : run.out.index("\ntotal ")]
    rows = [line.split() for line in table.splitlines()[2:]]
    assert rows and all(row[1] == "0" for row in rows), table
    assert "stopped the emulator" in run.out
    assert not local_aws.port_in_use(PORT)
