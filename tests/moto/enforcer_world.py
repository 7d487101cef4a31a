"""A small SageMaker world on in-process moto for the enforcer's tests: approved network, a findings
topic read through an SQS queue, resources made compliant or not on request, and the events
EventBridge would deliver about them.

moto 5.2.5 lacks StopTrainingJob, StopTransformJob and StopHyperParameterTuningJob, creates jobs
already Completed, and drops ProcessingResources and ShadowProductionVariants; it has no monitoring
schedules, optimization, labeling or inference recommendations jobs, Studio apps, StopCompilationJob,
nor the Update calls of notebooks, lifecycle configurations, clusters and domains, nor
DeleteModelPackage: these emulator
gaps are filled in test infrastructure by src/smenv/live/emulator_patches/ (apply_all()), the same
patches the local emulator server runs with. The enforcer's code is not changed for them.

The world holds the enforcer's KMS HMAC key (moto implements GenerateMac and VerifyMac), so its
markers are made and verified as in AWS.

One more gap is filled here, for as long as a world lasts (tags_of_deleted_resources): ListTags
and AddTags on the ARN of a deleted resource crash inside moto (AttributeError; a 500 from the
server), where AWS answers a ValidationException (aws/amazon-sagemaker-feedback#108).
"""

from __future__ import annotations

import base64
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

from smenv.build import lambda_loader
from smenv.live import emulator_patches
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
TERRAFORM_ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-local-terraform"
LIFECYCLE_CONFIG = "smenv-local-fraud"  # the notebook module's <name_prefix>-<team>
STUDIO_LIFECYCLE_CONFIG = "smenv-local-studio"
PRIVATE_WORKTEAM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/fraud-labelers"
PUBLIC_WORKTEAM = f"arn:aws:sagemaker:{REGION}:394669845002:workteam/public-crowd/default"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/train:1"
CALLER = f"arn:aws:sts::{ACCOUNT}:assumed-role/data-scientist/alice"
CALLER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/data-scientist"
APPROVED = {"Subnets": list(SUBNETS), "SecurityGroupIds": [SECURITY_GROUP]}
UNSET = object()  # "leave this setting out" in the builders below
EBS_ONLY_TYPE = "ml.m5.large"
# The one list of instance families with local NVMe storage, as Terraform sets it on the Lambda.
INSTANCE_STORAGE_JSON = REPO / "modules" / "_instance_storage" / "instance_storage.json"
# Two teams, each with its own security group and execution role (modules/network, modules/notebook):
# ROLE and SECURITY_GROUP are fraud's. The endpoint's model role is the platform's, in no team.
PRICING_SECURITY_GROUP = "sg-0c000000000000002"
PRICING_ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-local-pricing-sagemaker"
MODEL_ROLE = f"arn:aws:iam::{ACCOUNT}:role/smenv-local-churn-model"
TEAM_SECURITY_GROUPS = {ROLE: [SECURITY_GROUP], PRICING_ROLE: [PRICING_SECURITY_GROUP]}


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
        "APPROVED_LIFECYCLE_CONFIGS": LIFECYCLE_CONFIG,
        "APPROVED_STUDIO_LIFECYCLE_CONFIGS": STUDIO_LIFECYCLE_CONFIG,
        "TERRAFORM_ROLE_ARNS": TERRAFORM_ROLE,
    }
    env.update(overrides)
    return env


def teams_env(**overrides: str) -> dict[str, str]:
    """The overrides of an environment with teams, as live/_envcommon/enforcer.hcl wires it: every
    team's group approved, each team's role held to its own group, the environment's key alone."""
    return {
        "APPROVED_SECURITY_GROUP_IDS": ",".join([SECURITY_GROUP, PRICING_SECURITY_GROUP]),
        "TEAM_SECURITY_GROUPS": json.dumps(TEAM_SECURITY_GROUPS),
        "APPROVED_KMS_KEY_ARNS": KEY,
        **overrides,
    }


@dataclass
class World:
    sagemaker: Any
    sns: Any
    sqs: Any
    topic_arn: str
    queue_url: str
    kms: Any = None
    marker_key_arn: str = ""

    @property
    def clients(self):
        return actions.Clients(sagemaker=self.sagemaker, sns=self.sns, kms=self.kms)

    def config(self, **overrides: str):
        env = {"FINDINGS_TOPIC_ARN": self.topic_arn, "MARKER_KEY_ARN": self.marker_key_arn, **overrides}
        return config_module.load_config(enforcer_env(**env))

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
        role: str = ROLE,
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
            "RoleArn": role,
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

    def model(self, name: str, *, vpc: Any = APPROVED, tags: dict[str, str] | None = None, role: str = ROLE):
        kwargs: dict[str, Any] = {
            "ModelName": name,
            "ExecutionRoleArn": role,
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
        imds: Any = "2",
        lifecycle_config: Any = UNSET,
        tags: dict[str, str] | None = None,
        role: str = ROLE,
        groups: tuple[str, ...] = (SECURITY_GROUP,),
    ) -> str:
        kwargs: dict[str, Any] = {
            "NotebookInstanceName": name,
            "InstanceType": instance_type,
            "RoleArn": role,
            "DirectInternetAccess": internet,
            "RootAccess": root,
        }
        if imds is not UNSET:
            kwargs["InstanceMetadataServiceConfiguration"] = {"MinimumInstanceMetadataServiceVersion": imds}
        if lifecycle_config is not UNSET:
            kwargs["LifecycleConfigName"] = lifecycle_config
        if tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        if subnet is not UNSET:
            kwargs["SubnetId"] = subnet
            kwargs["SecurityGroupIds"] = list(groups)
        if key is not UNSET:
            kwargs["KmsKeyId"] = key
        return self.sagemaker.create_notebook_instance(**kwargs)["NotebookInstanceArn"]

    def endpoint_config(
        self,
        name: str,
        model_name: str,
        *,
        shadow: str | None = None,
        key: Any = KEY,
        serverless: bool = False,
        capture_key: Any = None,
        tags: dict[str, str] | None = None,
    ) -> str:
        """An endpoint configuration serving model_name (and `shadow` as a shadow variant); `key` its
        volume key (UNSET: none), `capture_key` a data capture's key (UNSET: capture without one)."""
        variant: dict[str, Any] = {"VariantName": "main", "ModelName": model_name}
        if serverless:
            variant["ServerlessConfig"] = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
        else:
            variant.update(InstanceType="ml.m5.large", InitialInstanceCount=1)
        kwargs: dict[str, Any] = {"EndpointConfigName": name, "ProductionVariants": [variant]}
        if shadow:
            kwargs["ShadowProductionVariants"] = [{**variant, "VariantName": "shadow", "ModelName": shadow}]
        if key is not UNSET and not serverless:
            kwargs["KmsKeyId"] = key
        if capture_key is not None:
            capture: dict[str, Any] = {
                "EnableCapture": True,
                "InitialSamplingPercentage": 20,
                "DestinationS3Uri": "s3://smenv-local-fraud-data/capture",
                "CaptureOptions": [{"CaptureMode": "Input"}],
            }
            if capture_key is not UNSET:
                capture["KmsKeyId"] = capture_key
            kwargs["DataCaptureConfig"] = capture
        if tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        return self.sagemaker.create_endpoint_config(**kwargs)["EndpointConfigArn"]

    def endpoint(self, name: str, config_name: str, *, tags: dict[str, str] | None = None) -> str:
        kwargs: dict[str, Any] = {"EndpointName": name, "EndpointConfigName": config_name}
        if tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        return self.sagemaker.create_endpoint(**kwargs)["EndpointArn"]

    def lifecycle_config(self, name: str) -> str:
        script = base64.b64encode(b"#!/bin/bash\nset -e\n").decode()
        return self.sagemaker.create_notebook_instance_lifecycle_config(
            NotebookInstanceLifecycleConfigName=name, OnStart=[{"Content": script}]
        )["NotebookInstanceLifecycleConfigArn"]

    @staticmethod
    def monitoring_job(*, vpc: Any = APPROVED, volume_key: Any = KEY, output_key: Any = KEY) -> dict[str, Any]:
        """A monitoring job as a schedule carries it (MonitoringJobDefinition)."""
        cluster: dict[str, Any] = {"InstanceCount": 1, "InstanceType": EBS_ONLY_TYPE, "VolumeSizeInGB": 20}
        if volume_key is not UNSET:
            cluster["VolumeKmsKeyId"] = volume_key
        output: dict[str, Any] = {
            "MonitoringOutputs": [
                {"S3Output": {"S3Uri": "s3://smenv-local-fraud-data/monitor", "LocalPath": "/opt/ml/processing/output"}}
            ]
        }
        if output_key is not UNSET:
            output["KmsKeyId"] = output_key
        job: dict[str, Any] = {
            "MonitoringInputs": [
                {"EndpointInput": {"EndpointName": "fraud-live", "LocalPath": "/opt/ml/processing/input"}}
            ],
            "MonitoringOutputConfig": output,
            "MonitoringResources": {"ClusterConfig": cluster},
            "MonitoringAppSpecification": {"ImageUri": IMAGE},
            "RoleArn": ROLE,
        }
        if vpc is not UNSET:
            job["NetworkConfig"] = {"VpcConfig": vpc}
        return job

    def monitoring_schedule(self, name: str, *, definition_name: str | None = None, **job: Any) -> str:
        """A schedule with its own job (monitoring_job(**job)), or naming a job definition."""
        config: dict[str, Any] = {"ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}}
        if definition_name:
            config.update(MonitoringJobDefinitionName=definition_name, MonitoringType="DataQuality")
        else:
            config["MonitoringJobDefinition"] = self.monitoring_job(**job)
        return self.sagemaker.create_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig=config)[
            "MonitoringScheduleArn"
        ]

    def data_quality_job_definition(self, name: str, *, vpc: Any = APPROVED, key: Any = KEY) -> None:
        job = self.monitoring_job(vpc=vpc, volume_key=key, output_key=key)
        kwargs: dict[str, Any] = {
            "JobDefinitionName": name,
            "DataQualityAppSpecification": {"ImageUri": IMAGE},
            "DataQualityJobInput": {"EndpointInput": job["MonitoringInputs"][0]["EndpointInput"]},
            "DataQualityJobOutputConfig": job["MonitoringOutputConfig"],
            "JobResources": job["MonitoringResources"],
            "RoleArn": ROLE,
        }
        if "NetworkConfig" in job:
            kwargs["NetworkConfig"] = job["NetworkConfig"]
        self.sagemaker.create_data_quality_job_definition(**kwargs)

    def compilation_job(self, name: str, *, vpc: Any = APPROVED, key: Any = KEY, role: str = ROLE) -> str:
        output: dict[str, Any] = {"S3OutputLocation": "s3://smenv-local-fraud-models/neo", "TargetDevice": "ml_c5"}
        if key is not UNSET:
            output["KmsKeyId"] = key
        kwargs: dict[str, Any] = {
            "CompilationJobName": name,
            "RoleArn": role,
            "InputConfig": {
                "S3Uri": "s3://smenv-local-fraud-models/model.tar.gz",
                "DataInputConfig": '{"input": [1, 3, 224, 224]}',
                "Framework": "PYTORCH",
            },
            "OutputConfig": output,
            "StoppingCondition": {"MaxRuntimeInSeconds": 900},
        }
        if vpc is not UNSET:
            kwargs["VpcConfig"] = vpc
        return self.sagemaker.create_compilation_job(**kwargs)["CompilationJobArn"]

    def optimization_job(self, name: str, *, vpc: Any = APPROVED, key: Any = KEY) -> str:
        output: dict[str, Any] = {"S3OutputLocation": "s3://smenv-local-fraud-models/optimized"}
        if key is not UNSET:
            output["KmsKeyId"] = key
        kwargs: dict[str, Any] = {
            "OptimizationJobName": name,
            "RoleArn": ROLE,
            "ModelSource": {"S3": {"S3Uri": "s3://smenv-local-fraud-models/llm/"}},
            "DeploymentInstanceType": "ml.g5.2xlarge",
            "OptimizationConfigs": [{"ModelQuantizationConfig": {"OverrideEnvironment": {"OPTION_QUANTIZE": "awq"}}}],
            "OutputConfig": output,
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        }
        if vpc is not UNSET:
            kwargs["VpcConfig"] = vpc
        return self.sagemaker.create_optimization_job(**kwargs)["OptimizationJobArn"]

    def labeling_job(
        self, name: str, *, workteam: str = PRIVATE_WORKTEAM, key: Any = KEY, automated_vpc: Any = None
    ) -> str:
        """A labeling job for `workteam`; with automated_vpc (a VpcConfig, or UNSET for none), with
        automated data labeling."""
        output: dict[str, Any] = {"S3OutputPath": "s3://smenv-local-fraud-data/labels"}
        if key is not UNSET:
            output["KmsKeyId"] = key
        region_lambda = f"arn:aws:lambda:{REGION}:432418664414:function"
        kwargs: dict[str, Any] = {
            "LabelingJobName": name,
            "LabelAttributeName": "label",
            "InputConfig": {
                "DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://smenv-local-fraud-data/in.manifest"}}
            },
            "OutputConfig": output,
            "RoleArn": ROLE,
            "HumanTaskConfig": {
                "WorkteamArn": workteam,
                "UiConfig": {"UiTemplateS3Uri": "s3://smenv-local-fraud-data/template.liquid"},
                "PreHumanTaskLambdaArn": f"{region_lambda}:PRE-TextMultiClass",
                "TaskTitle": "fraud or not",
                "TaskDescription": "label each transaction",
                "NumberOfHumanWorkersPerDataObject": 1,
                "TaskTimeLimitInSeconds": 300,
                "AnnotationConsolidationConfig": {
                    "AnnotationConsolidationLambdaArn": f"{region_lambda}:ACS-TextMultiClass"
                },
            },
        }
        if automated_vpc is not None:
            resources: dict[str, Any] = {"VolumeKmsKeyId": KEY}
            if automated_vpc is not UNSET:
                resources["VpcConfig"] = automated_vpc
            kwargs["LabelingJobAlgorithmsConfig"] = {
                "LabelingJobAlgorithmSpecificationArn": f"arn:aws:sagemaker:{REGION}:027400017018:labeling-job-algorithm-specification/text-classification",
                "LabelingJobResourceConfig": resources,
            }
        return self.sagemaker.create_labeling_job(**kwargs)["LabelingJobArn"]

    def recommendations_job(self, name: str, *, vpc: Any = APPROVED) -> str:
        config: dict[str, Any] = {"ModelName": "fraud-scorer", "JobDurationInSeconds": 7200}
        if vpc is not UNSET:
            config["VpcConfig"] = vpc
        return self.sagemaker.create_inference_recommendations_job(
            JobName=name, JobType="Default", RoleArn=ROLE, InputConfig=config
        )["JobArn"]

    def cluster(
        self, name: str, *, vpc: Any = APPROVED, override: Any = None, tags: dict[str, str] | None = None
    ) -> str:
        group: dict[str, Any] = {
            "InstanceCount": 1,
            "InstanceGroupName": "workers",
            "InstanceType": "ml.g5.xlarge",
            "LifeCycleConfig": {
                "SourceS3Uri": "s3://sagemaker-smenv-local-hyperpod/lifecycle/",
                "OnCreate": "on_create.sh",
            },
            "ExecutionRole": ROLE,
            "ThreadsPerCore": 1,
        }
        if override is not None:
            group["OverrideVpcConfig"] = override
        kwargs: dict[str, Any] = {"ClusterName": name, "InstanceGroups": [group]}
        if vpc is not UNSET:
            kwargs["VpcConfig"] = vpc
        if tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        return self.sagemaker.create_cluster(**kwargs)["ClusterArn"]

    def domain(
        self,
        name: str,
        *,
        access: str | None = "VpcOnly",
        subnets: tuple[str, ...] = SUBNETS,
        groups: tuple[str, ...] = (SECURITY_GROUP,),
        key: Any = KEY,
    ) -> str:
        """A Studio domain; its id (moto: d-<name>)."""
        kwargs: dict[str, Any] = {
            "DomainName": name,
            "AuthMode": "IAM",
            "DefaultUserSettings": {"ExecutionRole": ROLE, "SecurityGroups": list(groups)},
            "SubnetIds": list(subnets),
            "VpcId": "vpc-0c000000000000001",
        }
        if access is not None:
            kwargs["AppNetworkAccessType"] = access
        if key is not UNSET:
            kwargs["KmsKeyId"] = key
        return self.sagemaker.create_domain(**kwargs)["DomainArn"].rsplit("/", 1)[1]

    def app(
        self, domain_id: str, *, user: str = "alice", lifecycle_config: str | None = STUDIO_LIFECYCLE_CONFIG
    ) -> str:
        """A JupyterLab app of `user`; its key (rules.app_key)."""
        spec: dict[str, Any] = {"InstanceType": "ml.t3.medium"}
        if lifecycle_config:
            spec["LifecycleConfigArn"] = (
                f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:studio-lifecycle-config/{lifecycle_config}"
            )
        self.sagemaker.create_app(
            DomainId=domain_id, UserProfileName=user, AppType="JupyterLab", AppName="default", ResourceSpec=spec
        )
        return f"{domain_id}/user-profile/{user}/JupyterLab/default"

    def model_package(self, group: str, *, validation: bool = True) -> str:
        """A versioned model package registered into `group` (made when missing), with a validation
        job (ValidationSpecification) or without; its ARN, the name the enforcer gives it."""
        with contextlib.suppress(self.sagemaker.exceptions.ClientError):  # the group exists already
            self.sagemaker.create_model_package_group(ModelPackageGroupName=group)
        kwargs: dict[str, Any] = {
            "ModelPackageGroupName": group,
            "ModelApprovalStatus": "PendingManualApproval",
            "InferenceSpecification": {
                "Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://smenv-local-fraud-models/m/model.tar.gz"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        }
        if validation:
            kwargs["ValidationSpecification"] = {
                "ValidationRole": ROLE,
                "ValidationProfiles": [
                    {
                        "ProfileName": "holdout",
                        "TransformJobDefinition": {
                            "TransformInput": {
                                "DataSource": {
                                    "S3DataSource": {
                                        "S3DataType": "S3Prefix",
                                        "S3Uri": "s3://smenv-local-fraud-data/h/",
                                    }
                                }
                            },
                            "TransformOutput": {"S3OutputPath": "s3://smenv-local-fraud-data/validation/"},
                            "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
                        },
                    }
                ],
            }
        return self.sagemaker.create_model_package(**kwargs)["ModelPackageArn"]

    def status(self, kind: str, name: str) -> str | None:
        description = actions.describe(self.sagemaker, kind, name)
        return handler.rules.status_of(kind, description) if description else None

    def exists(self, kind: str, name: str) -> bool:
        description = actions.describe(self.sagemaker, kind, name)
        return description is not None and handler.rules.phase(kind, description) != handler.rules.ENDED

    def marker(self, arn: str) -> str | None:
        return self.tags(arn).get("smenv:enforcer")

    def forge_marker(self, arn: str, value: str = "v1:reported:0123456789abcdef:" + "A" * 43) -> None:
        """Set the marker tag as anyone who may tag could (the creator at create time, say)."""
        self.sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "smenv:enforcer", "Value": value}])

    def tags(self, arn: str) -> dict[str, str]:
        return actions.list_tags(self.sagemaker, arn)


_COLLECTIONS = {
    "training-job": "training_jobs",
    "processing-job": "processing_jobs",
    "hyper-parameter-tuning-job": "hyper_parameter_tuning_jobs",
    "transform-job": "transform_jobs",
    "model": "_models",
    "notebook-instance": "notebook_instances",
    "notebook-instance-lifecycle-config": "notebook_instance_lifecycle_configurations",
    "endpoint-config": "endpoint_configs",
    "endpoint": "endpoints",
    "compilation-job": "compilation_jobs",
    "cluster": "clusters",
    "domain": "domains",
}
# Kept by src/smenv/live/emulator_patches/ beside moto's backend (smenv_resources), by name.
_PATCHED = ("monitoring-schedule", "optimization-job", "labeling-job", "inference-recommendations-job")


def vanish(kind: str, name: str) -> None:
    """Delete a resource at once, whatever its state, as if someone had finished (or stopped) it and
    deleted it in the meantime (DeleteTrainingJob, DeleteProcessingJob, DeleteModel, ...). moto has no
    delete call for most jobs, and AWS deletes only finished jobs and stopped notebooks: the moment
    between "finished" and "deleted" is what the tests leave out."""
    from moto.sagemaker.models import sagemaker_backends

    backend = sagemaker_backends[ACCOUNT][REGION]
    if kind in _PATCHED:
        del backend.smenv_resources[kind][name]
    elif kind == "app":
        del backend.smenv_resources["app"][
            name.replace("/user-profile/", "/").replace("/space/", "/").replace("/", "|")
        ]
    elif kind == "model-package":  # by its ARN, and every name moto maps to it
        del backend.model_packages[name]
        for alias in [k for k, v in backend.model_package_name_mapping.items() if v == name]:
            del backend.model_package_name_mapping[alias]
    else:
        del getattr(backend, _COLLECTIONS[kind])[name.rsplit("/", 1)[-1]]


def set_status(kind: str, name: str, status: str) -> None:
    """Put a resource kept by the patches (or an endpoint) in a state, as AWS would move it there."""
    from moto.sagemaker.models import sagemaker_backends

    backend = sagemaker_backends[ACCOUNT][REGION]
    if kind == "endpoint":
        backend.endpoints[name].endpoint_status = status
        return
    field = handler.rules.KINDS[kind].status_field
    backend.smenv_resources[kind][name].answer[field] = status


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
        kms = session.client("kms")
        key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC", Description="enforcer markers")
        handler.set_clients(None)
        yield World(sagemaker, sns, sqs, topic_arn, queue_url, kms, key["KeyMetadata"]["Arn"])
        handler.set_clients(None)


# --- events, as EventBridge delivers them ------------------------------------------------------

STATE_CHANGE = {
    "training-job": ("SageMaker Training Job State Change", "TrainingJob"),
    "processing-job": ("SageMaker Processing Job State Change", "ProcessingJob"),
    "hyper-parameter-tuning-job": ("SageMaker HyperParameter Tuning Job State Change", "HyperParameterTuningJob"),
    "transform-job": ("SageMaker Transform Job State Change", "TransformJob"),
    "notebook-instance": ("SageMaker Notebook Instance State Change", "NotebookInstance"),
    "model": ("SageMaker Model State Change", "Model"),
    "notebook-instance-lifecycle-config": (
        "SageMaker Notebook Lifecycle Config State Change",
        "NotebookInstanceLifecycleConfig",
    ),
    "endpoint-config": ("SageMaker Endpoint Config State Change", "EndpointConfig"),
    "endpoint": ("SageMaker Endpoint State Change", "Endpoint"),
    "monitoring-schedule": ("SageMaker Monitoring Schedule State Change", "MonitoringSchedule"),
    "cluster": ("SageMaker HyperPod Cluster State Change", "Cluster"),
}
# kind -> (the call that creates it, the camelCase prefix of its requestParameters name and responseElements ARN)
CREATE_CALL = {
    "training-job": ("CreateTrainingJob", "trainingJob"),
    "processing-job": ("CreateProcessingJob", "processingJob"),
    "hyper-parameter-tuning-job": ("CreateHyperParameterTuningJob", "hyperParameterTuningJob"),
    "transform-job": ("CreateTransformJob", "transformJob"),
    "model": ("CreateModel", "model"),
    "notebook-instance": ("CreateNotebookInstance", "notebookInstance"),
    "notebook-instance-lifecycle-config": ("CreateNotebookInstanceLifecycleConfig", "notebookInstanceLifecycleConfig"),
    "endpoint-config": ("CreateEndpointConfig", "endpointConfig"),
    "endpoint": ("CreateEndpoint", "endpoint"),
    "monitoring-schedule": ("CreateMonitoringSchedule", "monitoringSchedule"),
    "compilation-job": ("CreateCompilationJob", "compilationJob"),
    "optimization-job": ("CreateOptimizationJob", "optimizationJob"),
    "labeling-job": ("CreateLabelingJob", "labelingJob"),
    "inference-recommendations-job": ("CreateInferenceRecommendationsJob", "job"),
    "cluster": ("CreateCluster", "cluster"),
    "domain": ("CreateDomain", "domain"),
    "app": ("CreateApp", "app"),
    "model-package": ("CreateModelPackage", "modelPackage"),
}
# The Update call of each kind that has one the enforcer watches.
UPDATE_CALL = {
    "notebook-instance": "UpdateNotebookInstance",
    "notebook-instance-lifecycle-config": "UpdateNotebookInstanceLifecycleConfig",
    "endpoint": "UpdateEndpoint",
    "monitoring-schedule": "UpdateMonitoringSchedule",
    "cluster": "UpdateCluster",
    "domain": "UpdateDomain",
}


def arn(kind: str, name: str, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:sagemaker:{region}:{account}:{kind}/{name}"


def state_change_event(
    kind: str, name: str, status: str = "InProgress", *, account: str = ACCOUNT, region: str = REGION
) -> dict[str, Any]:
    detail_type, prefix = STATE_CHANGE[kind]
    detail: dict[str, Any] = {f"{prefix}Name": name, f"{prefix}Arn": arn(kind, name, account, region)}
    if handler.rules.KINDS[kind].status_field:
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


def _request(kind: str, name: str, prefix: str, account: str, region: str) -> tuple[dict, dict]:
    """requestParameters and responseElements of the call, as CloudTrail records them (camelCase)."""
    if kind == "domain":
        return {"domainName": name, "authMode": "IAM"}, {"domainArn": arn(kind, name, account, region)}
    if kind == "app":
        domain_id, owner_kind, owner, app_type, app_name = name.split("/")
        owner_key = "userProfileName" if owner_kind == "user-profile" else "spaceName"
        params = {"domainId": domain_id, owner_key: owner, "appType": app_type, "appName": app_name}
        return params, {"appArn": arn(kind, f"{domain_id}/{owner}/{app_type.lower()}/{app_name}", account, region)}
    if kind == "model-package":  # named by its ARN (model-package/<group>/<version>); the request names the group
        return {"modelPackageGroupName": name.split("/")[-2]}, {"modelPackageArn": name}
    return {f"{prefix}Name": name}, {f"{prefix}Arn": arn(kind, name, account, region)}


def cloudtrail_event(
    kind: str,
    name: str,
    *,
    event_name: str | None = None,
    error_code: str | None = None,
    caller: str = CALLER,
    caller_role: str = CALLER_ROLE,
    account: str = ACCOUNT,
    region: str = REGION,
    source_identity: str | None = None,
) -> dict[str, Any]:
    """The CloudTrail record EventBridge delivers for the call that created (or, with event_name,
    updated) a resource: the caller an assumed role (its role in sessionContext.sessionIssuer)."""
    create_name, prefix = CREATE_CALL[kind]
    params, response = _request(kind, name, prefix, account, region)
    if kind == "domain" and event_name == "UpdateDomain":
        params = {"domainId": name}
    detail: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:alice",
            "arn": caller,
            "accountId": account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLE",
                    "arn": caller_role,
                    "accountId": account,
                    "userName": caller_role.rsplit("/", 1)[-1],
                },
                "attributes": {"creationDate": "2025-01-01T11:00:00Z", "mfaAuthenticated": "false"},
                **({"sourceIdentity": source_identity} if source_identity else {}),
            },
        },
        "eventTime": "2025-01-01T12:00:00Z",
        "eventSource": "sagemaker.amazonaws.com",
        "eventName": event_name or create_name,
        "awsRegion": region,
        "sourceIPAddress": "10.10.1.20",
        "userAgent": "aws-sdk-python",
        "requestParameters": params,
        "responseElements": response,
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
