"""Benchmark: the enforcer's decisions per second and latency per event, against a moto server.

    python bench/enforcer.py                 # 400 events on a server it starts on 127.0.0.1:4616
    python bench/enforcer.py -n 2000 --port 4617

Starts the emulator (tools/local_aws.py, with the project's patches) unless it already runs on
the port, creates training jobs, processing jobs, models and notebooks (half of them breaking a
rule), then calls the enforcer's handler in this process for a shuffled mix of events: the first
event about each resource (compliant or violating), a second event of the other kind about some
of them (no-ops), and malformed events. Every AWS call is a real HTTP round trip to the server.
The enforcer is configured as in an environment with teams: the resources' role held to its
security group (TEAM_SECURITY_GROUPS), their one key the environment's (APPROVED_KMS_KEY_ARNS).
Prints events/s and p50/p99 latency, overall and per decision; stops the server it started.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict

from smenv.build import lambda_loader
from smenv.core.awsutil import client
from smenv.live.local_aws import EmulatorError, emulator_session, start, stop

REGION, ACCOUNT = "us-east-1", "123456789012"
SUBNETS = ("subnet-0a000000000000001", "subnet-0a000000000000002")
SG = "sg-0b000000000000001"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/bench"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/bench:1"
VPC = {"Subnets": list(SUBNETS), "SecurityGroupIds": [SG]}


def arn(kind: str, name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind}/{name}"


def state_change(kind: str, name: str) -> dict:
    detail_type, prefix = {
        "training-job": ("SageMaker Training Job State Change", "TrainingJob"),
        "processing-job": ("SageMaker Processing Job State Change", "ProcessingJob"),
        "notebook-instance": ("SageMaker Notebook Instance State Change", "NotebookInstance"),
        "model": ("SageMaker Model State Change", "Model"),
    }[kind]
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "aws.sagemaker",
        "account": ACCOUNT,
        "region": REGION,
        "time": "2025-01-01T00:00:00Z",
        "resources": [arn(kind, name)],
        "detail": {f"{prefix}Name": name, f"{prefix}Arn": arn(kind, name)},
    }


def cloudtrail(kind: str, name: str) -> dict:
    event_name, key = {
        "training-job": ("CreateTrainingJob", "trainingJobName"),
        "processing-job": ("CreateProcessingJob", "processingJobName"),
        "notebook-instance": ("CreateNotebookInstance", "notebookInstanceName"),
        "model": ("CreateModel", "modelName"),
    }[kind]
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.sagemaker",
        "account": ACCOUNT,
        "region": REGION,
        "detail": {
            "eventSource": "sagemaker.amazonaws.com",
            "eventName": event_name,
            "readOnly": False,
            "userIdentity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/bench/user"},
            "requestParameters": {key: name},
            "eventID": str(uuid.uuid4()),
        },
    }


def create(sagemaker, kind: str, name: str, good: bool) -> None:
    if kind == "training-job":
        extra = {"VpcConfig": VPC} if good else {}
        sagemaker.create_training_job(
            TrainingJobName=name,
            AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            RoleArn=ROLE,
            OutputDataConfig={"S3OutputPath": "s3://bench/out", "KmsKeyId": KEY},
            ResourceConfig={
                "InstanceType": "ml.m5.large",
                "InstanceCount": 1,
                "VolumeSizeInGB": 10,
                "VolumeKmsKeyId": KEY,
            },
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
            EnableInterContainerTrafficEncryption=True,
            **extra,
        )
    elif kind == "processing-job":
        cluster = {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 10}
        if good:
            cluster["VolumeKmsKeyId"] = KEY
        sagemaker.create_processing_job(
            ProcessingJobName=name,
            RoleArn=ROLE,
            AppSpecification={"ImageUri": IMAGE},
            ProcessingResources={"ClusterConfig": cluster},
            NetworkConfig={"VpcConfig": VPC},
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
        )
    elif kind == "model":
        extra = {"VpcConfig": VPC} if good else {}
        sagemaker.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE}, **extra)
    else:
        sagemaker.create_notebook_instance(
            NotebookInstanceName=name,
            InstanceType="ml.t3.medium",
            RoleArn=ROLE,
            SubnetId=SUBNETS[0],
            SecurityGroupIds=[SG],
            KmsKeyId=KEY,
            DirectInternetAccess="Disabled" if good else "Enabled",
            RootAccess="Disabled",
        )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(url: str, events: int, seed: int) -> None:
    rng = random.Random(seed)
    session = emulator_session(REGION)
    sagemaker, sns = client(session, "sagemaker", url), client(session, "sns", url)
    topic = sns.create_topic(Name="smenv-bench-enforcer-findings")["TopicArn"]
    enforcer = lambda_loader.load("enforcer")
    enforcer.set_clients(enforcer.actions.Clients(sagemaker=sagemaker, sns=sns))
    os.environ.update(
        APPROVED_SUBNET_IDS=",".join(SUBNETS),
        APPROVED_SECURITY_GROUP_IDS=SG,
        # As an environment with teams configures it: the role held to its group, the key the only one.
        TEAM_SECURITY_GROUPS=json.dumps({ROLE: [SG]}),
        APPROVED_KMS_KEY_ARNS=KEY,
        ENFORCEMENT_MODE="enforce",
        FINDINGS_TOPIC_ARN=topic,
    )

    # 70% first events about a fresh resource, 20% a second event about one, 10% malformed
    firsts = int(events * 0.7)
    kinds = rng.choices(["training-job", "processing-job", "model", "notebook-instance"], [5, 2, 2, 1], k=firsts)
    run_id = uuid.uuid4().hex[:6]
    resources = [(kind, f"bench-{run_id}-{i}", i % 2 == 0) for i, kind in enumerate(kinds)]
    began = time.perf_counter()
    for kind, name, good in resources:
        create(sagemaker, kind, name, good)
    setup = time.perf_counter() - began

    batch = [state_change(kind, name) if kind != "model" else cloudtrail(kind, name) for kind, name, _ in resources]
    rng.shuffle(batch)
    seconds = [
        cloudtrail(kind, name) if kind != "model" else state_change(kind, name)
        for kind, name, _ in rng.sample(resources, int(events * 0.2))
    ]
    junk = [
        rng.choice(
            [{}, {"source": "aws.sagemaker", "detail-type": "SageMaker Training Job State Change", "detail": {}}, None]
        )
        for _ in range(events - len(batch) - len(seconds))
    ]
    mixed = seconds + junk
    rng.shuffle(mixed)
    ordered = batch + mixed  # every second event comes after its first

    context = type(
        "Context",
        (),
        {"aws_request_id": "bench", "invoked_function_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:bench"},
    )()
    latencies: dict[str, list[float]] = defaultdict(list)
    all_latencies: list[float] = []
    with (
        open(os.devnull, "w") as sink,
        contextlib.redirect_stdout(sink),
    ):  # the JSON log lines cost what they cost, unseen
        start_all = time.perf_counter()
        for event in ordered:
            t0 = time.perf_counter()
            result = enforcer.handler(event, context)
            took = (time.perf_counter() - t0) * 1000
            all_latencies.append(took)
            latencies[result["decision"]].append(took)
        wall = time.perf_counter() - start_all
    enforcer.set_clients(None)

    print(f"enforcer bench: {len(ordered)} events against {url} (setup: {len(resources)} resources in {setup:.1f} s)")
    print(f"  throughput {len(ordered) / wall:7.1f} events/s   ({wall:.2f} s, one handler at a time)")
    print(
        f"  latency    p50 {percentile(all_latencies, 50):6.2f} ms   p99 {percentile(all_latencies, 99):6.2f} ms   max {max(all_latencies):6.2f} ms"
    )
    for decision in ("violation", "compliant", "ignored"):
        values = latencies.get(decision, [])
        if values:
            print(
                f"  {decision:<10} {len(values):5d} events   p50 {percentile(values, 50):6.2f} ms   "
                f"p99 {percentile(values, 99):6.2f} ms   mean {statistics.fmean(values):6.2f} ms"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--events", type=int, default=400, help="events to send (default 400)")
    parser.add_argument("--port", type=int, default=4616, help="moto server port (default 4616)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.events < 10:
        print("bench: error: --events must be at least 10", file=sys.stderr)
        return 2
    try:
        running, started = start(args.port)
    except EmulatorError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    try:
        run(running.url, args.events, args.seed)
    finally:
        if started:
            stop(args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
