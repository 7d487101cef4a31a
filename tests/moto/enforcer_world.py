"""A small SageMaker world on in-process moto for the enforcer's tests: approved network, a findings
topic read through an SQS queue, resources made compliant or not on request, and the events
EventBridge would deliver about them.

moto 5.2.5 lacks StopTrainingJob, StopTransformJob and StopHyperParameterTuningJob, creates jobs
already Completed, and drops ProcessingResources and ShadowProductionVariants: these emulator
gaps are filled in test infrastructure by tools/emulator_patches.py (apply_all()), the same
patches the local emulator server runs with. The enforcer's code is not changed for them.

One more gap is filled here, for as long as a world lasts (tags_of_deleted_resources): ListTags
and AddTags on the ARN of a deleted resource crash inside moto (AttributeError; a 500 from the
server), where AWS answers a ValidationException (aws/amazon-sagemaker-feedback#108).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

import emulator_patches
import lambda_loader
from smenv_testing import REPO

handler = lambda_loader.load("enforcer")
actions = lambda_loader.load("enforcer", "actions")
config_module = lambda_loader.load("enforcer", "config")

REGION = "us-east-1"
ACCOUNT = DEFAULT_ACCOUNT_ID
SUBNETS = ("subnet-0a000000000000001", "subnet-0a000000000000002")
SECURITY_GROUP = "sg-0b000000000000001"
ROGUE_SUBNET = "subnet-0f00000000000000f"
ROGUE_SECURITY_GROUP = "sg-0f00000000000000f"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-local-fraud-sagemaker"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/train:1"
CALLER = f"arn:aws:sts::{ACCOUNT}:assumed-role/data-scientist/alice"
APPROVED = {"Subnets": list(SUBNETS), "SecurityGroupIds": [SECURITY_GROUP]}
UNSET = object()  # "leave this setting out" in the builders below
EBS_ONLY_TYPE = "ml.m5.large"
# The one list of instance families with local NVMe storage, as Terraform sets it on the Lambda.
INSTANCE_STORAGE_JSON = REPO / "modules" / "_instance_storage" / "instance_storage.json"


def local_storage_families() -> list[str]:
    """instance_storage.json's "local_storage_families" (the INSTANCE_STORAGE_FAMILIES of every env)."""
    return list(json.loads(INSTANCE_STORAGE_JSON.read_text())["local_storage_families"])


def enforcer_env(**overrides: str) -> dict[str, str]:
    env = {
        "APPROVED_SUBNET_IDS": ",".join(SUBNETS),
        "APPROVED_SECURITY_GROUP_IDS": SECURITY_GROUP,
        "ENFORCEMENT_MODE": "enforce",
        "REQUIRE_KMS": "true",
        "REQUIRE_INTER_CONTAINER_ENCRYPTION": "true",
        "ALLOW_SERVERLESS_INFERENCE": "false",
        "INSTANCE_STORAGE_FAMILIES": ",".join(local_storage_families()),
    }
    env.update(overrides)
    return env


@dataclass
class World:
    sagemaker: Any
    sns: Any
    sqs: Any
    topic_arn: str
    queue_url: str

    @property
    def clients(self):
        return actions.Clients(sagemaker=self.sagemaker, sns=self.sns)

    def config(self, **overrides: str):
        return config_module.load_config(enforcer_env(**{"FINDINGS_TOPIC_ARN": self.topic_arn, **overrides}))

    def process(self, event: dict, **overrides: str) -> dict:
        """What the handler decides and does about one event, with this world's clients."""
        return handler.process(event, self.config(**overrides), self.clients, account=ACCOUNT, region=REGION)

    def findings(self) -> list[dict]:
        """Every finding published since the last call: {"subject", "attributes", "finding"}."""
        found = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return found
            for message in messages:
                envelope = json.loads(message["Body"])
                found.append(
                    {
                        "subject": envelope.get("Subject"),
                        "attributes": {k: v["Value"] for k, v in envelope.get("MessageAttributes", {}).items()},
                        "finding": json.loads(envelope["Message"]),
                    }
                )
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    # --- resources ---------------------------------------------------------------------------

    def training_job(
        self,
        name: str,
        *,
        vpc: Any = APPROVED,
        volume_key: Any = KEY,
        output_key: Any = KEY,
        ice=True,
        instance_type: str = EBS_ONLY_TYPE,
        instance_groups: list[str] | None = None,
        resource_config: dict[str, Any] | None = None,
    ):
        """A training job on one instance type, or a heterogeneous cluster (one group per type given),
        or with this ResourceConfig (volume_key is still added unless UNSET)."""
        output = {"S3OutputPath": "s3://smenv-local-fraud-models/out"}
        if output_key is not UNSET:
            output["KmsKeyId"] = output_key
        resources: dict[str, Any] = {"VolumeSizeInGB": 10}
        if resource_config is not None:
            resources = dict(resource_config)
        elif instance_groups is None:
            resources.update(InstanceType=instance_type, InstanceCount=1)
        else:
            resources["InstanceGroups"] = [
                {"InstanceType": t, "InstanceCount": 1, "InstanceGroupName": f"group-{i}"}
                for i, t in enumerate(instance_groups)
            ]
        if volume_key is not UNSET:
            resources["VolumeKmsKeyId"] = volume_key
        kwargs: dict[str, Any] = {
            "TrainingJobName": name,
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "OutputDataConfig": output,
            "ResourceConfig": resources,
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "EnableInterContainerTrafficEncryption": ice,
        }
        if vpc is not UNSET:
            kwargs["VpcConfig"] = vpc
        return self.sagemaker.create_training_job(**kwargs)["TrainingJobArn"]

    def processing_job(
        self,
        name: str,
        *,
        vpc: Any = APPROVED,
        volume_key: Any = KEY,
        output_key: Any = KEY,
        instance_type: str = EBS_ONLY_TYPE,
    ):
        cluster = {"InstanceCount": 1, "InstanceType": instance_type, "VolumeSizeInGB": 10}
        if volume_key is not UNSET:
            cluster["VolumeKmsKeyId"] = volume_key
        output: dict[str, Any] = {
            "Outputs": [
                {
                    "OutputName": "out",
                    "S3Output": {
                        "S3Uri": "s3://smenv-local-fraud-data/out",
                        "LocalPath": "/opt/ml/processing/out",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        }
        if output_key is not UNSET:
            output["KmsKeyId"] = output_key
        kwargs: dict[str, Any] = {
            "ProcessingJobName": name,
            "RoleArn": ROLE,
            "AppSpecification": {"ImageUri": IMAGE},
            "ProcessingResources": {"ClusterConfig": cluster},
            "ProcessingOutputConfig": output,
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        }
        if vpc is not UNSET:
            kwargs["NetworkConfig"] = {"VpcConfig": vpc}
        return self.sagemaker.create_processing_job(**kwargs)["ProcessingJobArn"]

    @staticmethod
    def training_definition(
        *, vpc: Any = APPROVED, key: Any = KEY, ice=True, instance_type: str = EBS_ONLY_TYPE, volume_key: Any = None
    ) -> dict[str, Any]:
        """One training job definition of a tuning job; `key` encrypts output and volume (volume_key: the
        volume alone, UNSET for none)."""
        volume_key = key if volume_key is None else volume_key
        definition: dict[str, Any] = {
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://smenv-local-fraud-models/tuning"},
            "ResourceConfig": {"InstanceType": instance_type, "InstanceCount": 1, "VolumeSizeInGB": 10},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "EnableInterContainerTrafficEncryption": ice,
        }
        if key is not UNSET:
            definition["OutputDataConfig"]["KmsKeyId"] = key
        if volume_key is not UNSET:
            definition["ResourceConfig"]["VolumeKmsKeyId"] = volume_key
        if vpc is not UNSET:
            definition["VpcConfig"] = vpc
        return definition

    def tuning_job(self, name: str, *definitions: dict[str, Any]):
        kwargs: dict[str, Any] = {
            "HyperParameterTuningJobName": name,
            "HyperParameterTuningJobConfig": {
                "Strategy": "Bayesian",
                "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2},
            },
        }
        if len(definitions) == 1:
            kwargs["TrainingJobDefinition"] = definitions[0]
        else:
            kwargs["TrainingJobDefinitions"] = [{**d, "DefinitionName": f"d{i}"} for i, d in enumerate(definitions)]
        return self.sagemaker.create_hyper_parameter_tuning_job(**kwargs)["HyperParameterTuningJobArn"]

    def model(self, name: str, *, vpc: Any = APPROVED, tags: dict[str, str] | None = None):
        kwargs: dict[str, Any] = {
            "ModelName": name,
            "ExecutionRoleArn": ROLE,
            "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": "s3://smenv-local-fraud-models/model.tar.gz"},
        }
        if vpc is not UNSET:
            kwargs["VpcConfig"] = vpc
        if tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        return self.sagemaker.create_model(**kwargs)["ModelArn"]

    def transform_job(
        self,
        name: str,
        model_name: str,
        *,
        key: Any = KEY,
        instance_type: str = EBS_ONLY_TYPE,
        volume_key: Any = None,
    ):
        """A transform job; `key` encrypts output and volume (volume_key: the volume alone, UNSET for none)."""
        volume_key = key if volume_key is None else volume_key
        output: dict[str, Any] = {"S3OutputPath": "s3://smenv-local-fraud-data/scored"}
        resources: dict[str, Any] = {"InstanceType": instance_type, "InstanceCount": 1}
        if key is not UNSET:
            output["KmsKeyId"] = key
        if volume_key is not UNSET:
            resources["VolumeKmsKeyId"] = volume_key
        return self.sagemaker.create_transform_job(
            TransformJobName=name,
            ModelName=model_name,
            TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://d/in"}}},
            TransformOutput=output,
            TransformResources=resources,
        )["TransformJobArn"]

    def notebook(
        self,
        name: str,
        *,
        subnet: Any = SUBNETS[0],
        key: Any = KEY,
        internet="Disabled",
        root="Disabled",
        instance_type: str = "ml.t3.medium",
    ) -> str:
        kwargs: dict[str, Any] = {
            "NotebookInstanceName": name,
            "InstanceType": instance_type,
            "RoleArn": ROLE,
            "DirectInternetAccess": internet,
            "RootAccess": root,
        }
        if subnet is not UNSET:
            kwargs["SubnetId"] = subnet
            kwargs["SecurityGroupIds"] = [SECURITY_GROUP]
        if key is not UNSET:
            kwargs["KmsKeyId"] = key
        return self.sagemaker.create_notebook_instance(**kwargs)["NotebookInstanceArn"]

    def endpoint_config(self, name: str, model_name: str, *, shadow: str | None = None) -> None:
        variant = {
            "VariantName": "main",
            "ModelName": model_name,
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1,
        }
        kwargs: dict[str, Any] = {"EndpointConfigName": name, "ProductionVariants": [variant]}
        if shadow:
            kwargs["ShadowProductionVariants"] = [{**variant, "VariantName": "shadow", "ModelName": shadow}]
        self.sagemaker.create_endpoint_config(**kwargs)

    def status(self, kind: str, name: str) -> str | None:
        description = actions.describe(self.sagemaker, kind, name)
        return handler.rules.status_of(kind, description) if description else None

    def tags(self, arn: str) -> dict[str, str]:
        return actions.list_tags(self.sagemaker, arn)


_COLLECTIONS = {
    "training-job": "training_jobs",
    "processing-job": "processing_jobs",
    "hyper-parameter-tuning-job": "hyper_parameter_tuning_jobs",
    "transform-job": "transform_jobs",
    "model": "_models",
    "notebook-instance": "notebook_instances",
}


def vanish(kind: str, name: str) -> None:
    """Delete a resource at once, whatever its state, as if someone had finished (or stopped) it and
    deleted it in the meantime (DeleteTrainingJob, DeleteProcessingJob, DeleteModel, ...). moto has no
    delete call for most jobs, and AWS deletes only finished jobs and stopped notebooks: the moment
    between "finished" and "deleted" is what the tests leave out."""
    from moto.sagemaker.models import sagemaker_backends

    del getattr(sagemaker_backends[ACCOUNT][REGION], _COLLECTIONS[kind])[name]


@contextlib.contextmanager
def tags_of_deleted_resources() -> Iterator[None]:
    """ListTags/AddTags on the ARN of a resource that does not exist: a ValidationException that does
    not say why, as AWS answers (an empty message: aws/amazon-sagemaker-feedback#108; moto renders it
    "ValidationException: "), where moto crashes."""
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend

    lookup = SageMakerModelBackend._get_resource_from_arn

    def _get_resource_from_arn(self, arn: str):
        resource = lookup(self, arn)
        if resource is None:
            raise ValidationError(message="")
        return resource

    with patch.object(SageMakerModelBackend, "_get_resource_from_arn", _get_resource_from_arn):
        yield


def finish(kind: str, name: str, status: str = "Completed") -> None:
    """Move a job to a final state, as AWS does when it ends (the emulator runs nothing)."""
    from moto.sagemaker.models import sagemaker_backends

    backend = sagemaker_backends[ACCOUNT][REGION]
    collection, attribute = {
        "training-job": ("training_jobs", "training_job_status"),
        "processing-job": ("processing_jobs", "processing_job_status"),
        "transform-job": ("transform_jobs", "transform_job_status"),
        "hyper-parameter-tuning-job": ("hyper_parameter_tuning_jobs", "hyper_parameter_tuning_job_status"),
    }[kind]
    setattr(getattr(backend, collection)[name], attribute, status)


@contextlib.contextmanager
def world() -> Iterator[World]:
    emulator_patches.apply_all()
    with mock_aws(), tags_of_deleted_resources():
        session = boto3.Session(region_name=REGION)
        sagemaker, sns, sqs = session.client("sagemaker"), session.client("sns"), session.client("sqs")
        topic_arn = sns.create_topic(Name="smenv-local-enforcer-findings")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="findings-reader")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        handler.set_clients(None)
        yield World(sagemaker, sns, sqs, topic_arn, queue_url)
        handler.set_clients(None)


# --- events, as EventBridge delivers them ------------------------------------------------------

STATE_CHANGE = {
    "training-job": ("SageMaker Training Job State Change", "TrainingJob"),
    "processing-job": ("SageMaker Processing Job State Change", "ProcessingJob"),
    "hyper-parameter-tuning-job": ("SageMaker HyperParameter Tuning Job State Change", "HyperParameterTuningJob"),
    "transform-job": ("SageMaker Transform Job State Change", "TransformJob"),
    "notebook-instance": ("SageMaker Notebook Instance State Change", "NotebookInstance"),
    "model": ("SageMaker Model State Change", "Model"),
}
CREATE_CALL = {
    "training-job": ("CreateTrainingJob", "trainingJob"),
    "processing-job": ("CreateProcessingJob", "processingJob"),
    "hyper-parameter-tuning-job": ("CreateHyperParameterTuningJob", "hyperParameterTuningJob"),
    "transform-job": ("CreateTransformJob", "transformJob"),
    "model": ("CreateModel", "model"),
    "notebook-instance": ("CreateNotebookInstance", "notebookInstance"),
}


def arn(kind: str, name: str, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:sagemaker:{region}:{account}:{kind}/{name}"


def state_change_event(
    kind: str, name: str, status: str = "InProgress", *, account: str = ACCOUNT, region: str = REGION
) -> dict[str, Any]:
    detail_type, prefix = STATE_CHANGE[kind]
    detail: dict[str, Any] = {f"{prefix}Name": name, f"{prefix}Arn": arn(kind, name, account, region)}
    if kind != "model":
        detail[f"{prefix}Status"] = status
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "aws.sagemaker",
        "account": account,
        "time": "2025-01-01T12:00:00Z",
        "region": region,
        "resources": [arn(kind, name, account, region)],
        "detail": detail,
    }


def cloudtrail_event(
    kind: str,
    name: str,
    *,
    error_code: str | None = None,
    caller: str = CALLER,
    account: str = ACCOUNT,
    region: str = REGION,
) -> dict[str, Any]:
    event_name, prefix = CREATE_CALL[kind]
    detail: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:alice",
            "arn": caller,
            "accountId": account,
        },
        "eventTime": "2025-01-01T12:00:00Z",
        "eventSource": "sagemaker.amazonaws.com",
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": "10.10.1.20",
        "userAgent": "aws-sdk-python",
        "requestParameters": {f"{prefix}Name": name},
        "responseElements": {f"{prefix}Arn": arn(kind, name, account, region)},
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
    }
    if error_code:
        detail["errorCode"] = error_code
        detail["errorMessage"] = "User is not authorized to perform this action"
        detail["responseElements"] = None
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.sagemaker",
        "account": account,
        "time": "2025-01-01T12:00:01Z",
        "region": region,
        "resources": [],
        "detail": detail,
    }
