"""Show the enforcer at work on the local emulator, in the mode it is deployed with.

A training job that escapes the VPC is stopped and reported in enforce mode, reported and left
running in audit mode.

    python tools/demo_enforcer.py --env local      # right after `make up`

Reads the environment contract from SSM (/<prefix>/<env>/...) and the deployed enforcer's
configuration from Lambda (GetFunctionConfiguration of <prefix>-<env>-sagemaker-enforcer, the
function_name of modules/enforcer), creates a training job with no VPC configuration as the first
team's execution role, hands the enforcer the event EventBridge would deliver ("SageMaker Training
Job State Change", InProgress) by calling its handler in this process with exactly the deployed
function's environment variables (any of the enforcer's variables the function lacks are unset for
the call), then checks what that function's ENFORCEMENT_MODE promises, through one finding on the
findings topic (read through a temporary SQS queue, removed afterwards):

    enforce   the job is Stopping or Stopped, and one finding reached the topic
    audit     the job was left running, and one finding reached the topic; the demo then stops its
              own job, so nothing is left running

Exit 0 when the enforcer did what its mode promises; 1 (one line) when it did not, or on an AWS
error; 2 (one line) when the environment is not up: no contract in SSM, no enforcer function
(run `make up` first), an unknown env or team.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from smenv.build import lambda_loader
from smenv.core.awsutil import client, describe_error
from smenv.core.project import Environment, UsageError, emulator_url, load_environment

STOPPED = ("Stopping", "Stopped")
ENFORCE, AUDIT = "enforce", "audit"


class DemoFailed(Exception):
    """The control did not do what it should: one line for the user."""


@dataclass
class DemoResult:
    job_name: str
    job_arn: str
    decision: dict[str, Any]
    status_after: str
    findings: list[dict[str, Any]]
    mode: str
    function_name: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Contract:
    topic_arn: str
    team: str
    role_arn: str
    volume_key: str | None
    output_key: str | None
    output_bucket: str | None


def read_parameters(ssm, prefix: str) -> dict[str, str]:
    """Every parameter under prefix, by its name after the prefix."""
    found: dict[str, str] = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=prefix, Recursive=True, WithDecryption=True):
        for parameter in page.get("Parameters", []):
            found[parameter["Name"][len(prefix) :].lstrip("/")] = parameter["Value"]
    return found


def read_contract(ssm, env: Environment, team: str | None = None) -> Contract:
    params = read_parameters(ssm, env.parameter_prefix + "/")
    team = team or env.teams[0]
    needed = {
        "topic_arn": "enforcer/findings_topic_arn",
        "role_arn": f"teams/{team}/execution_role_arn",
    }
    missing = [name for name in needed.values() if not params.get(name)]
    if missing:
        raise UsageError(
            f"the environment contract under {env.parameter_prefix}/ lacks {', '.join(missing)}: "
            f"is {env.name} up (make up ENV={env.name})?"
        )
    return Contract(
        topic_arn=params[needed["topic_arn"]],
        team=team,
        role_arn=params[needed["role_arn"]],
        volume_key=params.get("kms/volumes/key_arn"),
        output_key=params.get("kms/models/key_arn") or params.get("kms/data/key_arn"),
        output_bucket=params.get(f"teams/{team}/model_bucket"),
    )


@dataclass(frozen=True)
class DeployedEnforcer:
    """The enforcer function as deployed: its name, its ARN, its environment variables and the mode
    they set (enforce or audit), and the enforcer's variables it does not set (unset for the call)."""

    name: str
    arn: str
    variables: dict[str, str]
    mode: str
    unset: frozenset[str]


def enforcer_function_name(env: Environment) -> str:
    """modules/enforcer's function_name: "${name_prefix}-sagemaker-enforcer", where root.hcl passes
    name_prefix = <name_prefix>-<environment>."""
    return f"{env.resource_prefix}-sagemaker-enforcer"


def read_deployed_enforcer(lambda_client, env: Environment) -> DeployedEnforcer:
    """The deployed enforcer's configuration (GetFunctionConfiguration). UsageError when it is not
    deployed; DemoFailed when the enforcer would refuse its variables (load_config)."""
    name = enforcer_function_name(env)
    try:
        configuration = lambda_client.get_function_configuration(FunctionName=name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        raise UsageError(f"no enforcer function {name} in {env.name}: run `make up ENV={env.name}` first") from exc
    variables = dict((configuration.get("Environment") or {}).get("Variables") or {})
    config_module = lambda_loader.load("enforcer", "config")
    try:
        mode = config_module.load_config(variables).mode
    except config_module.ConfigError as exc:
        raise DemoFailed(f"the deployed enforcer {name} refuses its own configuration: {exc}") from exc
    unset = enforcer_variable_names(config_module) - variables.keys()
    return DeployedEnforcer(name, configuration["FunctionArn"], variables, mode, unset)


class _Watched(Mapping[str, str]):
    """An empty environment that remembers every name asked of it."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.names.add(key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def enforcer_variable_names(config_module) -> frozenset[str]:
    """Every environment variable the enforcer's configuration reads (load_config, watched)."""
    watched = _Watched()
    with contextlib.suppress(config_module.ConfigError):
        config_module.load_config(watched)
    return frozenset(watched.names)


def create_escaping_job(sagemaker, name: str, contract: Contract, image: str) -> dict[str, Any]:
    """A training job like a data scientist's, encrypted where keys exist, but with no VpcConfig."""
    output: dict[str, Any] = {"S3OutputPath": f"s3://{contract.output_bucket or 'smenv-demo-output'}/demo/"}
    if contract.output_key:
        output["KmsKeyId"] = contract.output_key
    resources: dict[str, Any] = {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10}
    if contract.volume_key:
        resources["VolumeKmsKeyId"] = contract.volume_key
    sagemaker.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
        RoleArn=contract.role_arn,
        OutputDataConfig=output,
        ResourceConfig=resources,
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
        EnableInterContainerTrafficEncryption=True,
        Tags=[{"Key": "smenv:demo", "Value": "enforcer"}],
    )
    return sagemaker.describe_training_job(TrainingJobName=name)


def state_change_event(description: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    """The event EventBridge delivers when SageMaker reports the job InProgress."""
    detail: dict[str, Any] = {
        key: description[key]
        for key in (
            "TrainingJobName",
            "TrainingJobArn",
            "TrainingJobStatus",
            "SecondaryStatus",
            "RoleArn",
            "OutputDataConfig",
            "ResourceConfig",
            "StoppingCondition",
        )
        if key in description
    }
    detail["CreationTime"] = int(description["CreationTime"].timestamp() * 1000)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "SageMaker Training Job State Change",
        "source": "aws.sagemaker",
        "account": account,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": region,
        "resources": [description["TrainingJobArn"]],
        "detail": detail,
    }


@contextlib.contextmanager
def findings_queue(sns, sqs, topic_arn: str) -> Iterator[str]:
    """A temporary SQS queue subscribed to the findings topic; unsubscribed and deleted afterwards."""
    queue_url = sqs.create_queue(QueueName=f"smenv-demo-findings-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    subscription = None
    try:
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
        subscription = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
        yield queue_url
    finally:
        if subscription:
            with contextlib.suppress(ClientError):
                sns.unsubscribe(SubscriptionArn=subscription)
        with contextlib.suppress(ClientError):
            sqs.delete_queue(QueueUrl=queue_url)


def read_findings(sqs, queue_url: str, resource_arn: str, wait_seconds: float = 10) -> list[dict[str, Any]]:
    """Findings about resource_arn that reach the queue within wait_seconds (stops at the first)."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and not found:
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            envelope = json.loads(message["Body"])
            finding = json.loads(envelope.get("Message", "{}"))
            if finding.get("resource_arn") == resource_arn:
                found.append({"subject": envelope.get("Subject"), "finding": finding})
    return found


@contextlib.contextmanager
def environment_variables(values: dict[str, str], unset: frozenset[str] = frozenset()) -> Iterator[None]:
    """os.environ with these values set and the `unset` names removed, as it was afterwards."""
    saved = {key: os.environ.get(key) for key in {*values, *unset}}
    for key in unset:
        os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class LambdaContext:
    """What the enforcer reads from Lambda's context: its request id and its own ARN."""

    def __init__(self, function_arn: str):
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = function_arn


def invoke_as_deployed(enforcer, event: dict[str, Any], deployed: DeployedEnforcer) -> tuple[dict[str, Any], float]:
    """The handler's decision on the event, with exactly the deployed function's variables (none of
    the enforcer's it lacks come from this shell), and the milliseconds it took."""
    began = time.perf_counter()
    # The enforcer's JSON log lines are for CloudWatch: kept out of the demo's account.
    with environment_variables(deployed.variables, deployed.unset), contextlib.redirect_stdout(io.StringIO()):
        try:
            decision = enforcer.handler(event, LambdaContext(deployed.arn))
        except Exception as exc:
            raise DemoFailed(f"the enforcer raised {type(exc).__name__}: {exc}") from exc
    return decision, (time.perf_counter() - began) * 1000


def run_demo(
    session: boto3.Session,
    env: Environment | str,
    *,
    endpoint_url: str | None = None,
    team: str | None = None,
    say: Callable[[str], None] = print,
) -> DemoResult:
    env = env if isinstance(env, Environment) else load_environment(env)
    region = session.region_name or env.region
    sagemaker, sns, sqs, kms = (client(session, name, endpoint_url) for name in ("sagemaker", "sns", "sqs", "kms"))
    contract = read_contract(client(session, "ssm", endpoint_url), env, team)
    deployed = read_deployed_enforcer(client(session, "lambda", endpoint_url), env)
    mode = deployed.mode
    enforcer = lambda_loader.load("enforcer")
    lines: list[str] = []

    def tell(line: str) -> None:
        lines.append(line)
        say(line)

    topic_name = contract.topic_arn.rsplit(":", 1)[-1]
    tell(
        f"enforcer demo on {env.name} (account {env.account_id}, {region}): {deployed.name} in {mode} mode; "
        f"findings topic {topic_name}"
    )
    name = f"smenv-demo-escape-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:4]}"
    job_arn = None
    stopped_by_demo = False
    with findings_queue(sns, sqs, contract.topic_arn) as queue_url:
        try:
            image = f"{env.account_id}.dkr.ecr.{region}.amazonaws.com/{env.resource_prefix}-demo:latest"
            description = create_escaping_job(sagemaker, name, contract, image)
            job_arn = description["TrainingJobArn"]
            tell(
                f"created training job {name} as team {contract.team}, with no VpcConfig: {description['TrainingJobStatus']}"
            )
            event = state_change_event(description, env.account_id, region)
            enforcer.set_clients(enforcer.actions.Clients(sagemaker=sagemaker, sns=sns, kms=kms))
            decision, took = invoke_as_deployed(enforcer, event, deployed)
            status_after = sagemaker.describe_training_job(TrainingJobName=name)["TrainingJobStatus"]
            as_promised = (status_after in STOPPED) == (mode == ENFORCE)
            findings = read_findings(sqs, queue_url, job_arn) if as_promised else []
        finally:
            enforcer.set_clients(None)
            if job_arn:
                stopped_by_demo = _stop_if_running(sagemaker, name)
    rules = ", ".join(decision.get("violations") or []) or "nothing"
    tell(f"enforcer: {decision.get('decision')} ({rules}); action {decision.get('action')}, in {took:.0f} ms")
    if mode == ENFORCE and status_after not in STOPPED:
        raise DemoFailed(f"the enforcer left training job {name} {status_after} (decision: {decision.get('decision')})")
    if mode == AUDIT and status_after in STOPPED:
        raise DemoFailed(
            f"in audit mode the enforcer stopped training job {name} ({status_after}): it must report only"
        )
    if len(findings) != 1:
        raise DemoFailed(f"expected one finding about {name} on {topic_name}, got {len(findings)}")
    if mode == ENFORCE:
        tell(f"job is now {status_after}; 1 finding published: {findings[0]['subject']}")
        tell("the control works: work that leaves the VPC is stopped and reported")
    else:
        would = str(decision.get("action")).removeprefix("would_")  # would_stop: stop
        tell(f"job is still {status_after}; 1 finding published: {findings[0]['subject']}")
        tell(
            f"audit mode: the enforcer reported training job {name} escaping the VPC and left it {status_after}; "
            f"in enforce mode it would {would} it"
        )
        if stopped_by_demo:
            tell(f"the demo stopped its own job {name}: nothing is left running")
    return DemoResult(name, job_arn, decision, status_after, findings, mode, deployed.name, lines)


def _stop_if_running(sagemaker, name: str) -> bool:
    """Nothing left running: the demo's own job, left by the enforcer in audit mode (or by a control
    that failed), is stopped. True when this stopped it."""
    with contextlib.suppress(ClientError):
        if sagemaker.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] == "InProgress":
            sagemaker.stop_training_job(TrainingJobName=name)
            return True
    return False


def emulator_session(env: Environment, url: str) -> boto3.Session:
    from smenv.live.live import environment_session  # the env's account on the emulator (role assumed for rehearsals)

    return environment_session(env, url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="local", help="environment under live/ (default: local)")
    parser.add_argument("--team", help="team whose execution role runs the job (default: the first in env.hcl)")
    args = parser.parse_args(argv)
    url = os.environ.get("SMENV_EMULATOR_URL") or ""
    try:
        url = url or emulator_url()
        env = load_environment(args.env)
        if args.team and args.team not in env.teams:
            raise UsageError(f"team {args.team!r} is not in live/{env.name}/env.hcl (teams: {', '.join(env.teams)})")
        run_demo(emulator_session(env, url), env, endpoint_url=url, team=args.team)
    except UsageError as exc:
        print(f"demo_enforcer: error: {exc}", file=sys.stderr)
        return 2
    except DemoFailed as exc:
        print(f"demo_enforcer: the control did not work: {exc}", file=sys.stderr)
        return 1
    except EndpointConnectionError:
        print(f"demo_enforcer: error: no emulator answers at {url}: start it with `make up`", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as exc:
        print(f"demo_enforcer: error: {describe_error(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
