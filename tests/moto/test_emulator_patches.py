"""Each patch in src/smenv/live/emulator_patches/ makes the emulator answer as AWS does (in-process moto).

These are emulator gaps filled in test infrastructure; the same patches run in the local
emulator server (tools/emulator.py). A test here fails when the patch stops working, or when
moto starts answering differently and the patch may no longer be needed.
"""

from __future__ import annotations

import hashlib
import json
import os

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from moto import mock_aws

from smenv.live import emulator_patches

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/sagemaker"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1"


@pytest.fixture
def sagemaker():
    emulator_patches.apply_all()
    with mock_aws():
        yield boto3.client("sagemaker", region_name=REGION)


def training_job(sagemaker, name: str) -> None:
    sagemaker.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        RoleArn=ROLE,
        OutputDataConfig={"S3OutputPath": "s3://bucket/out"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )


def tuning_job(sagemaker, name: str) -> None:
    sagemaker.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name,
        HyperParameterTuningJobConfig={
            "Strategy": "Bayesian",
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
        },
        TrainingJobDefinition={
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
            "StoppingCondition": {"MaxRuntimeInSeconds": 60},
        },
    )


def transform_job(sagemaker, name: str) -> None:
    sagemaker.create_model(ModelName=f"{name}-model", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    sagemaker.create_transform_job(
        TransformJobName=name,
        ModelName=f"{name}-model",
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/in"}}},
        TransformOutput={"S3OutputPath": "s3://bucket/out"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
    )


def processing_job(sagemaker, name: str) -> None:
    sagemaker.create_processing_job(
        ProcessingJobName=name,
        RoleArn=ROLE,
        AppSpecification={"ImageUri": IMAGE},
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 10,
                "VolumeKmsKeyId": "alias/volumes",
            }
        },
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )


JOBS = {
    # kind: (create, describe, status field, stop, name parameter, end-time field)
    "training": (
        training_job,
        "describe_training_job",
        "TrainingJobStatus",
        "stop_training_job",
        "TrainingJobName",
        "TrainingEndTime",
    ),
    "tuning": (
        tuning_job,
        "describe_hyper_parameter_tuning_job",
        "HyperParameterTuningJobStatus",
        "stop_hyper_parameter_tuning_job",
        "HyperParameterTuningJobName",
        "HyperParameterTuningEndTime",
    ),
    "transform": (
        transform_job,
        "describe_transform_job",
        "TransformJobStatus",
        "stop_transform_job",
        "TransformJobName",
        "TransformEndTime",
    ),
    "processing": (
        processing_job,
        "describe_processing_job",
        "ProcessingJobStatus",
        "stop_processing_job",
        "ProcessingJobName",
        "ProcessingEndTime",
    ),
}


@pytest.mark.parametrize("kind", sorted(JOBS))
def test_sagemaker_jobs_start_in_progress_like_aws(sagemaker, kind):
    # sagemaker_jobs_start_in_progress
    create, describe, status, _stop, param, end = JOBS[kind]
    create(sagemaker, "job-1")
    answer = getattr(sagemaker, describe)(**{param: "job-1"})
    assert answer[status] == "InProgress"
    assert end not in answer  # a running job has not ended


@pytest.mark.parametrize("kind", ["training", "tuning", "transform"])
def test_stopping_a_running_job_makes_it_stopping_then_stopped(sagemaker, kind):
    # sagemaker_stop_training_job, sagemaker_stop_transform_job, sagemaker_stop_hyper_parameter_tuning_job
    create, describe, status, stop, param, end = JOBS[kind]
    create(sagemaker, "job-1")
    getattr(sagemaker, stop)(**{param: "job-1"})
    first = getattr(sagemaker, describe)(**{param: "job-1"})
    second = getattr(sagemaker, describe)(**{param: "job-1"})
    assert first[status] == "Stopping"
    assert second[status] == "Stopped"
    assert end in second


@pytest.mark.parametrize("kind", ["training", "tuning", "transform"])
def test_stopping_a_job_that_is_not_running_is_refused_as_aws_does(sagemaker, kind):
    create, _describe, _status, stop, param, _end = JOBS[kind]
    create(sagemaker, "job-1")
    getattr(sagemaker, stop)(**{param: "job-1"})
    with pytest.raises(ClientError) as refused:
        getattr(sagemaker, stop)(**{param: "job-1"})
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "in status Stopping" in refused.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("kind", "code"),
    [("training", "ValidationException"), ("transform", "ValidationException"), ("tuning", "ResourceNotFound")],
)
def test_stopping_a_job_that_does_not_exist_says_could_not_find(sagemaker, kind, code):
    _create, _describe, _status, stop, param, _end = JOBS[kind]
    with pytest.raises(ClientError) as missing:
        getattr(sagemaker, stop)(**{param: "no-such-job"})
    assert missing.value.response["Error"]["Code"] == code
    assert missing.value.response["Error"]["Message"].startswith("Could not find")


def test_a_processing_job_keeps_its_processing_resources(sagemaker):
    # sagemaker_processing_job_resources
    processing_job(sagemaker, "prep-1")
    answer = sagemaker.describe_processing_job(ProcessingJobName="prep-1")
    assert answer["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == "alias/volumes"


def test_an_endpoint_configuration_keeps_its_shadow_variants(sagemaker):
    # sagemaker_endpoint_config_shadow_variants
    for name in ("live", "candidate"):
        sagemaker.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    variant = {"VariantName": "main", "ModelName": "live", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
    sagemaker.create_endpoint_config(
        EndpointConfigName="cfg",
        ProductionVariants=[variant],
        ShadowProductionVariants=[{**variant, "VariantName": "shadow", "ModelName": "candidate"}],
    )
    answer = sagemaker.describe_endpoint_config(EndpointConfigName="cfg")
    assert [v["ModelName"] for v in answer["ShadowProductionVariants"]] == ["candidate"]


@pytest.mark.parametrize("kind", ["tuning", "transform"])
def test_an_untagged_job_lists_no_tags_and_can_be_tagged(sagemaker, kind):
    # sagemaker_tags_of_untagged_jobs
    create, describe, _status, _stop, param, _end = JOBS[kind]
    create(sagemaker, "job-1")
    arn = next(v for k, v in getattr(sagemaker, describe)(**{param: "job-1"}).items() if k.endswith("JobArn"))
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == []
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "me"}])
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "owner", "Value": "me"}]


def test_applying_the_patches_twice_changes_nothing_more(sagemaker):
    emulator_patches.apply_all()
    for name in ("sagemaker_stop_training_job", "sagemaker_jobs_start_in_progress"):
        getattr(emulator_patches.sagemaker_jobs, name)()  # called directly again: each replacement happens once
    training_job(sagemaker, "job-1")
    sagemaker.stop_training_job(TrainingJobName="job-1")
    assert sagemaker.describe_training_job(TrainingJobName="job-1")["TrainingJobStatus"] == "Stopping"


# --- The gaps Terraform meets ----------------------------------------------------------------------


@pytest.fixture
def aws():
    emulator_patches.apply_all()
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)


def test_a_rotating_key_reports_its_rotation_period(aws):
    kms = aws("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=180)
    status = kms.get_key_rotation_status(KeyId=key)
    assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (True, 180)


def test_a_rule_naming_a_group_keeps_its_description_and_can_change_it(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group, "Description": "self"}]}],
    )
    rule = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    ingress = next(r for r in rule if not r["IsEgress"])
    assert ingress["Description"] == "self"
    ec2.modify_security_group_rules(
        GroupId=group,
        SecurityGroupRules=[
            {
                "SecurityGroupRuleId": ingress["SecurityGroupRuleId"],
                "SecurityGroupRule": {"IpProtocol": "-1", "ReferencedGroupId": group, "Description": "renamed"},
            }
        ],
    )
    again = ec2.describe_security_group_rules(SecurityGroupRuleIds=[ingress["SecurityGroupRuleId"]])
    assert again["SecurityGroupRules"][0]["Description"] == "renamed"


def test_a_functions_dead_letter_queue_is_kept_and_returned(aws):
    iam, awslambda = aws("iam"), aws("lambda")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    queue = "arn:aws:sqs:us-east-1:123456789012:dlq"
    awslambda.create_function(
        FunctionName="fn",
        Runtime="python3.13",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        DeadLetterConfig={"TargetArn": queue},
    )
    assert awslambda.get_function(FunctionName="fn")["Configuration"]["DeadLetterConfig"] == {"TargetArn": queue}
    awslambda.update_function_configuration(FunctionName="fn", DeadLetterConfig={"TargetArn": queue + "2"})
    assert awslambda.get_function_configuration(FunctionName="fn")["DeadLetterConfig"] == {"TargetArn": queue + "2"}


def test_a_buckets_eventbridge_notifications_are_returned(aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="events-bucket")
    assert "EventBridgeConfiguration" not in s3.get_bucket_notification_configuration(Bucket="events-bucket")
    s3.put_bucket_notification_configuration(
        Bucket="events-bucket", NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    assert s3.get_bucket_notification_configuration(Bucket="events-bucket")["EventBridgeConfiguration"] == {}


# --- UpdateEndpoint (tools/promote_model.py) --------------------------------------------------------


def endpoint_config(sagemaker, name: str, model: str, shadow: str | None = None) -> None:
    variant = {
        "VariantName": "production",
        "ModelName": model,
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    }
    extra = {"ShadowProductionVariants": [{**variant, "VariantName": "shadow", "ModelName": shadow}]} if shadow else {}
    sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant], **extra)


def test_updating_an_endpoint_moves_it_to_the_new_configuration_in_service(sagemaker):
    # sagemaker_update_endpoint
    for name in ("blue", "green"):
        sagemaker.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    endpoint_config(sagemaker, "cfg-blue", "blue")
    endpoint_config(sagemaker, "cfg-green", "blue", shadow="green")
    sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="cfg-blue")
    before = sagemaker.describe_endpoint(EndpointName="ep")
    answer = sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="cfg-green")
    after = sagemaker.describe_endpoint(EndpointName="ep")
    assert answer["EndpointArn"] == before["EndpointArn"]
    assert (after["EndpointConfigName"], after["EndpointStatus"]) == ("cfg-green", "InService")
    assert [v["VariantName"] for v in after["ShadowProductionVariants"]] == ["shadow"]
    assert after["LastModifiedTime"] >= before["LastModifiedTime"]


@pytest.mark.parametrize(
    ("endpoint", "config", "missing"), [("nope", "cfg", "endpoint"), ("ep", "nope", "endpoint configuration")]
)
def test_updating_to_or_from_something_missing_says_could_not_find(sagemaker, endpoint, config, missing):
    sagemaker.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    endpoint_config(sagemaker, "cfg", "m")
    sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")
    with pytest.raises(ClientError) as refused:
        sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["Error"]["Message"].startswith(f"Could not find {missing} ")
    assert sagemaker.describe_endpoint(EndpointName="ep")["EndpointConfigName"] == "cfg"


def test_a_lifecycle_configuration_keeps_its_tags_and_answers_tag_calls(sagemaker):
    # sagemaker_lifecycle_config_tags: given a configuration created with tags, as Terraform does
    arn = sagemaker.create_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName="lc",
        OnCreate=[{"Content": "ZWNobw=="}],
        Tags=[{"Key": "managed-by", "Value": "terraform"}],
    )["NotebookInstanceLifecycleConfigArn"]
    # when its tags are read, added to and removed
    first = sagemaker.list_tags(ResourceArn=arn)["Tags"]
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "fraud"}])
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["managed-by"])
    # then each answer is what AWS gives
    assert first == [{"Key": "managed-by", "Value": "terraform"}]
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "fraud"}]


def test_the_untagged_job_patch_and_the_lifecycle_patch_both_hold(sagemaker):
    # Both wrap the same moto method: the second must not be skipped because the first is installed
    transform_job(sagemaker, "untagged")
    job = sagemaker.describe_transform_job(TransformJobName="untagged")["TransformJobArn"]
    arn = sagemaker.create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName="lc2")[
        "NotebookInstanceLifecycleConfigArn"
    ]
    assert sagemaker.list_tags(ResourceArn=job)["Tags"] == []
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == []


def test_a_scalable_target_keeps_its_tags_and_answers_tag_calls():
    # application_autoscaling_tags: given an endpoint variant registered with tags, as Terraform does
    emulator_patches.apply_all()
    with mock_aws():
        scaling = boto3.client("application-autoscaling", region_name=REGION)
        target = dict(
            ServiceNamespace="sagemaker",
            ResourceId="endpoint/ep/variant/production",
            ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        )
        arn = scaling.register_scalable_target(**target, MinCapacity=1, MaxCapacity=5, Tags={"unit": "endpoint"})[
            "ScalableTargetARN"
        ]
        # when its tags are read, added to and removed, and an unknown target's are asked for
        first = scaling.list_tags_for_resource(ResourceARN=arn)["Tags"]
        scaling.tag_resource(ResourceARN=arn, Tags={"team": "fraud"})
        scaling.untag_resource(ResourceARN=arn, TagKeys=["unit"])
        with pytest.raises(ClientError) as missing:
            scaling.list_tags_for_resource(ResourceARN=arn.replace("scalable-target/", "scalable-target/x"))
        # then each answer is what AWS gives
        assert first == {"unit": "endpoint"}
        assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"team": "fraud"}
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_models_network_isolation_is_kept_and_described(sagemaker):
    # sagemaker_kept_fields: given a model created isolated, as modules/endpoint does
    sagemaker.create_model(
        ModelName="isolated", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE}, EnableNetworkIsolation=True
    )
    # when it is described, then isolation is on (moto alone answers nothing, read as off)
    assert sagemaker.describe_model(ModelName="isolated")["EnableNetworkIsolation"] is True


def test_a_notebooks_platform_and_imds_setting_are_kept_and_described(sagemaker):
    # sagemaker_kept_fields: given a notebook created IMDSv2-only on a named platform, as modules/notebook does
    sagemaker.create_notebook_instance(
        NotebookInstanceName="nb",
        InstanceType="ml.t3.medium",
        RoleArn=ROLE,
        PlatformIdentifier="notebook-al2-v3",
        InstanceMetadataServiceConfiguration={"MinimumInstanceMetadataServiceVersion": "2"},
    )
    # when it is described
    described = sagemaker.describe_notebook_instance(NotebookInstanceName="nb")
    # then both are what was asked
    assert described["PlatformIdentifier"] == "notebook-al2-v3"
    assert described["InstanceMetadataServiceConfiguration"] == {"MinimumInstanceMetadataServiceVersion": "2"}


def test_an_empty_model_package_group_can_be_deleted_and_a_full_one_cannot(sagemaker):
    # sagemaker_delete_model_package_group: given an empty group and one holding a package
    sagemaker.create_model_package_group(ModelPackageGroupName="empty")
    sagemaker.create_model_package_group(ModelPackageGroupName="full")
    sagemaker.create_model_package(
        ModelPackageGroupName="full",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )
    # when both are deleted
    sagemaker.delete_model_package_group(ModelPackageGroupName="empty")
    with pytest.raises(ClientError) as refused:
        sagemaker.delete_model_package_group(ModelPackageGroupName="full")
    # then only the empty one is gone
    names = [g["ModelPackageGroupName"] for g in sagemaker.list_model_package_groups()["ModelPackageGroupSummaryList"]]
    assert names == ["full"]
    assert refused.value.response["Error"]["Code"] == "ConflictException"


def test_a_model_package_can_be_deleted_and_then_its_group(sagemaker):
    # sagemaker_delete_model_package: given a group holding one package
    sagemaker.create_model_package_group(ModelPackageGroupName="retired")
    arn = sagemaker.create_model_package(
        ModelPackageGroupName="retired",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]
    # when the package is deleted, then the group can go too, and the package is unknown
    sagemaker.delete_model_package(ModelPackageName=arn)
    sagemaker.delete_model_package_group(ModelPackageGroupName="retired")
    with pytest.raises(ClientError) as unknown:
        sagemaker.describe_model_package(ModelPackageName=arn)
    assert unknown.value.response["Error"]["Code"] == "ValidationException"


# --- ECR: what an image copy between accounts needs ------------------------------------------------


def pushed_layer(ecr, repository: str, data: bytes) -> str:
    ecr.create_repository(repositoryName=repository)
    upload = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    ecr.upload_layer_part(
        repositoryName=repository, uploadId=upload, partFirstByte=0, partLastByte=len(data) - 1, layerPartBlob=data
    )
    wanted = "sha256:" + hashlib.sha256(data).hexdigest()
    return ecr.complete_layer_upload(repositoryName=repository, uploadId=upload, layerDigests=[wanted])["layerDigest"]


def test_a_pushed_layer_is_served_at_the_url_get_download_url_for_layer_answers(aws):
    # ecr_layer_downloads: given a layer pushed into a repository
    ecr = aws("ecr")
    data = os.urandom(3000)
    layer = pushed_layer(ecr, "team/fraud-model", data)
    # when its download URL is asked for and fetched (in-process moto answers HTTP through requests)
    answer = ecr.get_download_url_for_layer(repositoryName="team/fraud-model", layerDigest=layer)
    fetched = requests.get(answer["downloadUrl"], timeout=10)
    # then the URL serves exactly the layer's bytes
    assert answer["layerDigest"] == layer
    assert (fetched.status_code, fetched.content) == (200, data)


def test_a_layer_the_repository_does_not_hold_is_layers_not_found(aws):
    ecr = aws("ecr")
    pushed_layer(ecr, "fraud-model", b"layer")
    with pytest.raises(ClientError) as missing:
        ecr.get_download_url_for_layer(repositoryName="fraud-model", layerDigest="sha256:" + "0" * 64)
    assert missing.value.response["Error"]["Code"] == "LayersNotFoundException"


def test_a_registry_id_naming_another_account_reads_that_accounts_registry(aws):
    # ecr_cross_account_registry: given a repository in the default account (123456789012)
    layer = pushed_layer(aws("ecr"), "fraud-model", b"layer")
    creds = aws("sts").assume_role(RoleArn="arn:aws:iam::222222222222:role/promotion", RoleSessionName="test")
    other = boto3.client(
        "ecr",
        region_name=REGION,
        aws_access_key_id=creds["Credentials"]["AccessKeyId"],
        aws_secret_access_key=creds["Credentials"]["SecretAccessKey"],
        aws_session_token=creds["Credentials"]["SessionToken"],
    )
    # when a principal of 222222222222 asks with and without registryId
    found = other.describe_repositories(registryId="123456789012", repositoryNames=["fraud-model"])
    url = other.get_download_url_for_layer(registryId="123456789012", repositoryName="fraud-model", layerDigest=layer)
    # then registryId reads that registry, and without it the caller's own (which has no such repository)
    assert found["repositories"][0]["repositoryArn"].split(":")[4] == "123456789012"
    assert url["layerDigest"] == layer
    with pytest.raises(ClientError) as own:
        other.describe_repositories(repositoryNames=["fraud-model"])
    assert own.value.response["Error"]["Code"] == "RepositoryNotFoundException"


def test_objects_pass_a_bucket_whose_policy_denies_only_under_conditions():
    # Given a bucket whose policy denies plain HTTP, requests from outside a VPC endpoint and SSE-S3
    emulator_patches.apply_all()
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="guarded")
        arn = "arn:aws:s3:::guarded"
        deny = [
            {"Sid": "Tls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, f"{arn}/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "Vpce", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, f"{arn}/*"],
             "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0123"}}},
            {"Sid": "Key", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{arn}/*",
             "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
        ]  # fmt: skip
        s3.put_bucket_policy(Bucket="guarded", Policy=json.dumps({"Version": "2012-10-17", "Statement": deny}))
        # When an object is written, read and deleted
        s3.put_object(Bucket="guarded", Key="a.txt", Body=b"x")
        body = s3.get_object(Bucket="guarded", Key="a.txt")["Body"].read()
        s3.delete_objects(Bucket="guarded", Delete={"Objects": [{"Key": "a.txt"}]})
    # Then the emulator lets it through (it evaluates no policy; the access matrix does)
    assert body == b"x"


# --- Route 53 Resolver DNS Firewall (modules/network/dns_firewall.tf) -------------------------------


def domain_list(resolver, name: str, domains: list[str], **extra) -> dict:
    """A domain list made as Terraform makes one: created empty, then its domains added."""
    created = resolver.create_firewall_domain_list(CreatorRequestId=f"req-{name}", Name=name, **extra)
    list_id = created["FirewallDomainList"]["Id"]
    resolver.update_firewall_domains(FirewallDomainListId=list_id, Operation="ADD", Domains=domains)
    return created["FirewallDomainList"]


def test_a_domain_list_is_complete_with_its_domains_fully_qualified(aws):
    # route53resolver_firewall_domain_lists: given a list created, then given three domains (one twice)
    resolver = aws("route53resolver")
    created = resolver.create_firewall_domain_list(CreatorRequestId="req-1", Name="allowed")["FirewallDomainList"]
    update = resolver.update_firewall_domains(
        FirewallDomainListId=created["Id"],
        Operation="ADD",
        Domains=["sts.us-east-1.amazonaws.com", "*.ec2.internal", "*.ec2.internal."],
    )
    # when it is read back, its domains a page at a time, and the account's lists
    got = resolver.get_firewall_domain_list(FirewallDomainListId=created["Id"])["FirewallDomainList"]
    pages = resolver.get_paginator("list_firewall_domains").paginate(
        FirewallDomainListId=created["Id"], PaginationConfig={"PageSize": 1}
    )
    lists = resolver.list_firewall_domain_lists()["FirewallDomainLists"]
    # then the update was UPDATING and the list is COMPLETE, each domain once and with AWS's trailing dot
    assert (created["Status"], created["DomainCount"], update["Status"]) == ("COMPLETE", 0, "UPDATING")
    assert (got["Status"], got["DomainCount"], got["Name"]) == ("COMPLETE", 2, "allowed")
    assert got["Arn"].endswith(f":firewall-domain-list/{created['Id']}")
    assert [p["Domains"] for p in pages] == [["sts.us-east-1.amazonaws.com."], ["*.ec2.internal."]]
    assert [(d["Id"], d["Name"]) for d in lists] == [(created["Id"], "allowed")]


def test_a_domain_lists_domains_are_replaced_and_removed_and_the_list_deleted(aws):
    resolver = aws("route53resolver")
    list_id = domain_list(resolver, "allowed", ["a.example.com", "b.example.com"])["Id"]
    resolver.update_firewall_domains(FirewallDomainListId=list_id, Operation="REPLACE", Domains=["c.example.com"])
    replaced = resolver.list_firewall_domains(FirewallDomainListId=list_id)["Domains"]
    resolver.update_firewall_domains(FirewallDomainListId=list_id, Operation="REMOVE", Domains=["c.example.com"])
    removed = resolver.get_firewall_domain_list(FirewallDomainListId=list_id)["FirewallDomainList"]
    deleted = resolver.delete_firewall_domain_list(FirewallDomainListId=list_id)["FirewallDomainList"]
    with pytest.raises(ClientError) as gone:
        resolver.get_firewall_domain_list(FirewallDomainListId=list_id)
    assert replaced == ["c.example.com."]
    assert (removed["DomainCount"], removed["Status"]) == (0, "COMPLETE")
    assert deleted["Status"] == "DELETING"
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_rule_group_lists_its_rules_by_priority(aws):
    # route53resolver_firewall_rule_groups, route53resolver_firewall_rules: given a group and two rules,
    # the lower priority made last, as modules/network makes its allow and block rules
    resolver = aws("route53resolver")
    allowed = domain_list(resolver, "allowed", ["sts.us-east-1.amazonaws.com"])["Id"]
    everything = domain_list(resolver, "everything", ["*"])["Id"]
    group = resolver.create_firewall_rule_group(CreatorRequestId="req-g", Name="dns-firewall")["FirewallRuleGroup"]
    common = {"FirewallRuleGroupId": group["Id"]}
    resolver.create_firewall_rule(
        CreatorRequestId="req-block", **common, FirewallDomainListId=everything, Priority=200, Action="BLOCK",
        BlockResponse="NODATA", Name="block-everything-else",
    )  # fmt: skip
    resolver.create_firewall_rule(
        CreatorRequestId="req-allow", **common, FirewallDomainListId=allowed, Priority=100, Action="ALLOW", Name="allow"
    )
    # when the group and its rules are read
    got = resolver.get_firewall_rule_group(FirewallRuleGroupId=group["Id"])["FirewallRuleGroup"]
    rules = resolver.list_firewall_rules(FirewallRuleGroupId=group["Id"])["FirewallRules"]
    # then both rules are there, by priority, as they were written
    assert (got["Status"], got["RuleCount"], got["ShareStatus"]) == ("COMPLETE", 2, "NOT_SHARED")
    assert [(r["Priority"], r["Action"], r["FirewallDomainListId"]) for r in rules] == [
        (100, "ALLOW", allowed),
        (200, "BLOCK", everything),
    ]
    assert rules[1]["BlockResponse"] == "NODATA"
    assert {r["FirewallDomainRedirectionAction"] for r in rules} == {"INSPECT_REDIRECTION_DOMAIN"}
    assert [g["Id"] for g in resolver.list_firewall_rule_groups()["FirewallRuleGroups"]] == [group["Id"]]


def test_a_rule_is_updated_and_deleted_and_a_block_rule_needs_a_block_response(aws):
    resolver = aws("route53resolver")
    list_id = domain_list(resolver, "everything", ["*"])["Id"]
    group = resolver.create_firewall_rule_group(CreatorRequestId="req-g", Name="g")["FirewallRuleGroup"]["Id"]
    rule = {"FirewallRuleGroupId": group, "FirewallDomainListId": list_id}
    with pytest.raises(ClientError) as refused:
        resolver.create_firewall_rule(CreatorRequestId="req-r", **rule, Priority=200, Action="BLOCK", Name="block")
    resolver.create_firewall_rule(CreatorRequestId="req-r2", **rule, Priority=200, Action="ALERT", Name="alert")
    updated = resolver.update_firewall_rule(**rule, Action="BLOCK", BlockResponse="NXDOMAIN", Name="block")
    resolver.delete_firewall_rule(**rule)
    with pytest.raises(ClientError) as gone:
        resolver.delete_firewall_rule(**rule)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert (updated["FirewallRule"]["Action"], updated["FirewallRule"]["Priority"]) == ("BLOCK", 200)
    assert resolver.list_firewall_rules(FirewallRuleGroupId=group)["FirewallRules"] == []
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_association_completes_and_is_gone_after_disassociation(aws):
    # route53resolver_firewall_rule_group_associations: given a rule group associated with a VPC
    # under mutation protection, as modules/network associates it
    resolver, ec2 = aws("route53resolver"), aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = resolver.create_firewall_rule_group(CreatorRequestId="req-g", Name="g")["FirewallRuleGroup"]["Id"]
    association = resolver.associate_firewall_rule_group(
        CreatorRequestId="req-a",
        FirewallRuleGroupId=group,
        VpcId=vpc,
        Priority=101,
        Name="a",
        MutationProtection="ENABLED",
    )["FirewallRuleGroupAssociation"]
    association_id = {"FirewallRuleGroupAssociationId": association["Id"]}
    # when it is read, then disassociated (refused until the protection is off), and read again
    got = resolver.get_firewall_rule_group_association(**association_id)["FirewallRuleGroupAssociation"]
    with pytest.raises(ClientError) as protected:
        resolver.disassociate_firewall_rule_group(**association_id)
    with pytest.raises(ClientError) as in_use:
        resolver.delete_firewall_rule_group(FirewallRuleGroupId=group)
    resolver.update_firewall_rule_group_association(**association_id, MutationProtection="DISABLED")
    gone = resolver.disassociate_firewall_rule_group(**association_id)["FirewallRuleGroupAssociation"]
    with pytest.raises(ClientError) as missing:
        resolver.get_firewall_rule_group_association(**association_id)
    # then it went UPDATING -> COMPLETE, then DELETING -> not found
    assert (association["Status"], got["Status"]) == ("UPDATING", "COMPLETE")
    assert (got["VpcId"], got["Priority"], got["MutationProtection"]) == (vpc, 101, "ENABLED")
    assert protected.value.response["Error"]["Code"] == "ValidationException"
    assert "mutation protection" in protected.value.response["Error"]["Message"]
    assert in_use.value.response["Error"]["Code"] == "ConflictException"
    assert gone["Status"] == "DELETING"
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert resolver.list_firewall_rule_group_associations()["FirewallRuleGroupAssociations"] == []


def test_a_vpcs_firewall_config_keeps_its_fail_open_setting(aws):
    # route53resolver_firewall_config: given a VPC, whose configuration fails closed until told
    resolver, ec2 = aws("route53resolver"), aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    before = resolver.get_firewall_config(ResourceId=vpc)["FirewallConfig"]
    # when fail-open is turned on and the configurations are listed
    resolver.update_firewall_config(ResourceId=vpc, FirewallFailOpen="ENABLED")
    after = resolver.get_firewall_config(ResourceId=vpc)["FirewallConfig"]
    listed = resolver.list_firewall_configs()["FirewallConfigs"]
    # then the same configuration reads back ENABLED
    assert (before["FirewallFailOpen"], after["FirewallFailOpen"]) == ("DISABLED", "ENABLED")
    assert after["Id"] == before["Id"] and after["Id"].startswith("rslvr-fc-")
    assert listed == [after]


def test_a_domain_lists_tags_are_kept_and_answer_tag_calls(aws):
    # route53resolver_firewall_tags: given a domain list created with the provider's default tags
    resolver = aws("route53resolver")
    created = domain_list(resolver, "allowed", ["a.example.com"], Tags=[{"Key": "project", "Value": "smenv"}])
    arn = created["Arn"]
    # when its tags are read, added to and removed, and read again once the list is deleted
    first = resolver.list_tags_for_resource(ResourceArn=arn)["Tags"]
    resolver.tag_resource(ResourceArn=arn, Tags=[{"Key": "unit", "Value": "network"}])
    resolver.untag_resource(ResourceArn=arn, TagKeys=["project"])
    after = resolver.list_tags_for_resource(ResourceArn=arn)["Tags"]
    resolver.delete_firewall_domain_list(FirewallDomainListId=created["Id"])
    with pytest.raises(ClientError) as gone:
        resolver.list_tags_for_resource(ResourceArn=arn)
    # then each answer is what AWS gives
    assert first == [{"Key": "project", "Value": "smenv"}]
    assert after == [{"Key": "unit", "Value": "network"}]
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("get_firewall_domain_list", {"FirewallDomainListId": "rslvr-fdl-0000000000000000"}),
        ("list_firewall_domains", {"FirewallDomainListId": "rslvr-fdl-0000000000000000"}),
        ("delete_firewall_domain_list", {"FirewallDomainListId": "rslvr-fdl-0000000000000000"}),
        ("get_firewall_rule_group", {"FirewallRuleGroupId": "rslvr-frg-0000000000000000"}),
        ("list_firewall_rules", {"FirewallRuleGroupId": "rslvr-frg-0000000000000000"}),
        ("get_firewall_rule_group_association", {"FirewallRuleGroupAssociationId": "rslvr-frgassoc-0000000000000000"}),
        ("disassociate_firewall_rule_group", {"FirewallRuleGroupAssociationId": "rslvr-frgassoc-0000000000000000"}),
        ("get_firewall_config", {"ResourceId": "vpc-00000000000000000"}),
    ],
)
def test_a_firewall_resource_that_does_not_exist_is_resource_not_found(aws, operation, params):
    with pytest.raises(ClientError) as missing:
        getattr(aws("route53resolver"), operation)(**params)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- SageMaker: the kinds the enforcer judges beyond jobs, models and notebooks ---------------------
# (sagemaker_monitoring_schedules, sagemaker_unguarded_jobs, sagemaker_studio_apps,
# sagemaker_update_calls, sagemaker_tags_of_enforcer_kinds)

from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402

WORKTEAM = "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/labelers"


def monitoring_schedule(sagemaker, name: str) -> str:
    config = {
        "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
        "MonitoringJobDefinition": {
            "MonitoringInputs": [{"EndpointInput": {"EndpointName": "live", "LocalPath": "/opt/ml/processing/input"}}],
            "MonitoringOutputConfig": {"MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://b/m", "LocalPath": "/o"}}]},
            "MonitoringResources": {
                "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}
            },
            "MonitoringAppSpecification": {"ImageUri": IMAGE},
            "RoleArn": ROLE,
        },
    }
    return sagemaker.create_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig=config)[
        "MonitoringScheduleArn"
    ]


def test_a_monitoring_schedule_is_scheduled_stopped_started_and_deleted(sagemaker):
    arn = monitoring_schedule(sagemaker, "monitor")
    statuses = [sagemaker.describe_monitoring_schedule(MonitoringScheduleName="monitor")["MonitoringScheduleStatus"]]
    sagemaker.stop_monitoring_schedule(MonitoringScheduleName="monitor")
    statuses.append(
        sagemaker.describe_monitoring_schedule(MonitoringScheduleName="monitor")["MonitoringScheduleStatus"]
    )
    with pytest.raises(ClientError) as again:
        sagemaker.stop_monitoring_schedule(MonitoringScheduleName="monitor")
    sagemaker.start_monitoring_schedule(MonitoringScheduleName="monitor")
    statuses.append(
        sagemaker.describe_monitoring_schedule(MonitoringScheduleName="monitor")["MonitoringScheduleStatus"]
    )
    sagemaker.delete_monitoring_schedule(MonitoringScheduleName="monitor")
    with pytest.raises(ClientError) as gone:
        sagemaker.describe_monitoring_schedule(MonitoringScheduleName="monitor")
    assert arn.endswith(":monitoring-schedule/monitor")
    assert statuses == ["Scheduled", "Stopped", "Scheduled"]
    assert again.value.response["Error"]["Code"] == "ValidationException"
    assert gone.value.response["Error"]["Code"] == "ResourceNotFound"


@dataclass(frozen=True)
class UnguardedJob:
    kind: str
    create: Callable
    describe: Callable
    stop: Callable
    status: str
    running: str
    stopping: str
    stopped: str


UNGUARDED_JOBS = [
    UnguardedJob(
        "optimization-job",
        lambda sm: sm.create_optimization_job(
            OptimizationJobName="job",
            RoleArn=ROLE,
            ModelSource={"S3": {"S3Uri": "s3://b/llm/"}},
            DeploymentInstanceType="ml.g5.2xlarge",
            OptimizationConfigs=[{"ModelQuantizationConfig": {}}],
            OutputConfig={"S3OutputLocation": "s3://b/o"},
            StoppingCondition={"MaxRuntimeInSeconds": 60},
        ),
        lambda sm: sm.describe_optimization_job(OptimizationJobName="job"),
        lambda sm: sm.stop_optimization_job(OptimizationJobName="job"),
        "OptimizationJobStatus",
        "STARTING",
        "STOPPING",
        "STOPPED",
    ),
    UnguardedJob(
        "labeling-job",
        lambda sm: sm.create_labeling_job(
            LabelingJobName="job",
            LabelAttributeName="label",
            InputConfig={"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://b/in.manifest"}}},
            OutputConfig={"S3OutputPath": "s3://b/o"},
            RoleArn=ROLE,
            HumanTaskConfig={
                "WorkteamArn": WORKTEAM,
                "UiConfig": {"UiTemplateS3Uri": "s3://b/t"},
                "PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:PRE-TextMultiClass",
                "TaskTitle": "t",
                "TaskDescription": "d",
                "NumberOfHumanWorkersPerDataObject": 1,
                "TaskTimeLimitInSeconds": 60,
                "AnnotationConsolidationConfig": {
                    "AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:ACS-TextMultiClass"
                },
            },
        ),
        lambda sm: sm.describe_labeling_job(LabelingJobName="job"),
        lambda sm: sm.stop_labeling_job(LabelingJobName="job"),
        "LabelingJobStatus",
        "Initializing",
        "Stopping",
        "Stopped",
    ),
    UnguardedJob(
        "inference-recommendations-job",
        lambda sm: sm.create_inference_recommendations_job(
            JobName="job", JobType="Default", RoleArn=ROLE, InputConfig={"ModelName": "m"}
        ),
        lambda sm: sm.describe_inference_recommendations_job(JobName="job"),
        lambda sm: sm.stop_inference_recommendations_job(JobName="job"),
        "Status",
        "PENDING",
        "STOPPING",
        "STOPPED",
    ),
    UnguardedJob(
        "compilation-job",
        lambda sm: sm.create_compilation_job(
            CompilationJobName="job",
            RoleArn=ROLE,
            InputConfig={"S3Uri": "s3://b/m.tar.gz", "DataInputConfig": "{}", "Framework": "PYTORCH"},
            OutputConfig={"S3OutputLocation": "s3://b/neo", "TargetDevice": "ml_c5"},
            StoppingCondition={"MaxRuntimeInSeconds": 60},
        ),
        lambda sm: sm.describe_compilation_job(CompilationJobName="job"),
        lambda sm: sm.stop_compilation_job(CompilationJobName="job"),
        "CompilationJobStatus",
        "INPROGRESS",
        "STOPPING",
        "STOPPED",
    ),
]


@pytest.mark.parametrize("job", UNGUARDED_JOBS, ids=lambda job: job.kind)
def test_a_job_the_guardrails_cannot_see_runs_until_stopped(sagemaker, job: UnguardedJob):
    # Given the job, created as AWS creates it: running
    arn = next(v for k, v in job.create(sagemaker).items() if k.endswith("Arn"))
    first = job.describe(sagemaker)[job.status]
    # When it is stopped, then it is stopping, then stopped; a second stop is refused
    job.stop(sagemaker)
    after = [job.describe(sagemaker)[job.status], job.describe(sagemaker)[job.status]]
    with pytest.raises(ClientError) as again:
        job.stop(sagemaker)
    assert arn.endswith(f":{job.kind}/job")
    assert (first, after) == (job.running, [job.stopping, job.stopped])
    assert again.value.response["Error"]["Code"] == "ValidationException"


def test_a_job_the_patch_keeps_that_does_not_exist_is_resource_not_found(sagemaker):
    for call in (
        lambda: sagemaker.describe_labeling_job(LabelingJobName="missing"),
        lambda: sagemaker.stop_optimization_job(OptimizationJobName="missing"),
        lambda: sagemaker.describe_inference_recommendations_job(JobName="missing"),
        lambda: sagemaker.stop_compilation_job(CompilationJobName="missing"),
    ):
        with pytest.raises(ClientError) as missing:
            call()
        assert missing.value.response["Error"]["Code"] == "ResourceNotFound"


def test_a_studio_app_is_created_in_its_domain_and_deleted(sagemaker):
    domain = sagemaker.create_domain(
        DomainName="studio",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
    )["DomainArn"].rsplit("/", 1)[1]
    app = {"DomainId": domain, "UserProfileName": "alice", "AppType": "JupyterLab", "AppName": "default"}
    arn = sagemaker.create_app(**app, ResourceSpec={"InstanceType": "ml.t3.medium"})["AppArn"]
    before = sagemaker.describe_app(**app)
    sagemaker.delete_app(**app)
    after = [sagemaker.describe_app(**app)["Status"], sagemaker.describe_app(**app)["Status"]]
    with pytest.raises(ClientError) as no_domain:
        sagemaker.create_app(**{**app, "DomainId": "d-missing"})
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:app/{domain}/alice/jupyterlab/default"
    assert (before["Status"], before["ResourceSpec"]["InstanceType"]) == ("InService", "ml.t3.medium")
    assert after == ["Deleting", "Deleted"]
    assert no_domain.value.response["Error"]["Code"] == "ResourceNotFound"


@pytest.mark.parametrize(
    ("owner", "propagation", "team"),
    [("UserProfileName", "DISABLED", "fraud"), ("SpaceName", "DISABLED", "domain"), ("SpaceName", "ENABLED", "fraud")],
    ids=["profile", "space", "space-with-custom-tag-propagation"],
)
def test_a_studio_app_carries_the_tags_of_its_domain_and_owner_under_its_own(sagemaker, owner, propagation, team):
    # Given a domain and a user profile (or space) tagged managed-by=terraform, as Terraform makes them
    # (a space's tags reach its apps only where the domain enables custom tag propagation)
    managed = [{"Key": "managed-by", "Value": "terraform"}]
    domain = sagemaker.create_domain(
        DomainName="studio",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
        TagPropagation=propagation,
        Tags=[*managed, {"Key": "team", "Value": "domain"}],
    )["DomainId"]
    if owner == "UserProfileName":
        sagemaker.create_user_profile(
            DomainId=domain, UserProfileName="alice", Tags=[*managed, {"Key": "team", "Value": "fraud"}]
        )
    else:
        sagemaker.create_space(DomainId=domain, SpaceName="alice", Tags=[*managed, {"Key": "team", "Value": "fraud"}])
    # When a user's app is created in it with its own tag x=y
    arn = sagemaker.create_app(
        DomainId=domain, **{owner: "alice"}, AppType="JupyterLab", AppName="default", Tags=[{"Key": "x", "Value": "y"}]
    )["AppArn"]
    # Then ListTags on the app shows the inherited tags (the owner's over the domain's) and its own
    tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]}
    assert tags == {"managed-by": "terraform", "team": team, "x": "y"}


def test_the_update_calls_change_what_they_say(sagemaker):
    # A notebook, only while stopped
    sagemaker.create_notebook_instance(NotebookInstanceName="nb", InstanceType="ml.t3.medium", RoleArn=ROLE)
    with pytest.raises(ClientError) as running:
        sagemaker.update_notebook_instance(NotebookInstanceName="nb", RootAccess="Enabled")
    sagemaker.stop_notebook_instance(NotebookInstanceName="nb")
    sagemaker.update_notebook_instance(
        NotebookInstanceName="nb",
        RootAccess="Enabled",
        LifecycleConfigName="lcc",
        InstanceMetadataServiceConfiguration={"MinimumInstanceMetadataServiceVersion": "1"},
    )
    notebook = sagemaker.describe_notebook_instance(NotebookInstanceName="nb")
    # A lifecycle configuration: its scripts and LastModifiedTime
    sagemaker.create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName="lcc")
    created = sagemaker.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName="lcc")
    sagemaker.update_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName="lcc", OnStart=[{"Content": "ZWNobwo="}]
    )
    updated = sagemaker.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName="lcc")
    # A domain's network access, and a cluster's instance groups
    sagemaker.create_domain(
        DomainName="studio", AuthMode="IAM", DefaultUserSettings={}, SubnetIds=["subnet-1"], VpcId="vpc-1"
    )
    sagemaker.update_domain(DomainId="d-studio", AppNetworkAccessType="VpcOnly")
    group = {
        "InstanceGroupName": "g",
        "InstanceType": "ml.t3.medium",
        "ExecutionRole": ROLE,
        "ThreadsPerCore": 1,
        "LifeCycleConfig": {"SourceS3Uri": "s3://sagemaker-x/", "OnCreate": "on_create.sh"},
    }
    sagemaker.create_cluster(ClusterName="pod", InstanceGroups=[{**group, "InstanceCount": 1}])
    sagemaker.update_cluster(ClusterName="pod", InstanceGroups=[{**group, "InstanceCount": 3}])
    assert running.value.response["Error"]["Code"] == "ValidationException"
    assert (notebook["RootAccess"], notebook["NotebookInstanceLifecycleConfigName"]) == ("Enabled", "lcc")
    assert notebook["InstanceMetadataServiceConfiguration"] == {"MinimumInstanceMetadataServiceVersion": "1"}
    assert updated["LastModifiedTime"] >= created["LastModifiedTime"]
    assert sagemaker.describe_domain(DomainId="d-studio")["AppNetworkAccessType"] == "VpcOnly"
    assert sagemaker.describe_cluster(ClusterName="pod")["InstanceGroups"][0]["TargetCount"] == 3


def test_the_added_kinds_answer_tag_calls_while_they_exist(sagemaker):
    arn = monitoring_schedule(sagemaker, "tagged")
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "smenv:enforcer", "Value": "v1"}])
    tags = sagemaker.list_tags(ResourceArn=arn)["Tags"]
    sagemaker.delete_monitoring_schedule(MonitoringScheduleName="tagged")
    with pytest.raises(ClientError) as gone:
        sagemaker.list_tags(ResourceArn=arn)
    assert tags == [{"Key": "smenv:enforcer", "Value": "v1"}]
    assert gone.value.response["Error"]["Code"] == "ValidationException"


# --- SageMaker Studio: what modules/studio applies and tools/sweep.py lists --------------------------
# (sagemaker_studio_user_profiles, sagemaker_studio_spaces, sagemaker_studio_lifecycle_configs,
# sagemaker_domain_not_found, sagemaker_tags_of_studio_kinds, sagemaker_studio_listings)


def studio_domain(sagemaker, name: str = "studio") -> str:
    return sagemaker.create_domain(
        DomainName=name,
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
    )["DomainArn"].rsplit("/", 1)[1]


def test_a_studio_user_profile_is_created_in_its_domain_updated_and_deleted(sagemaker):
    domain = studio_domain(sagemaker)
    settings = {"ExecutionRole": ROLE, "SecurityGroups": ["sg-1"]}
    arn = sagemaker.create_user_profile(DomainId=domain, UserProfileName="alice", UserSettings=settings)[
        "UserProfileArn"
    ]
    before = sagemaker.describe_user_profile(DomainId=domain, UserProfileName="alice")
    sagemaker.update_user_profile(DomainId=domain, UserProfileName="alice", UserSettings={"ExecutionRole": ROLE})
    after = sagemaker.describe_user_profile(DomainId=domain, UserProfileName="alice")["UserSettings"]
    with pytest.raises(ClientError) as taken:
        sagemaker.create_user_profile(DomainId=domain, UserProfileName="alice", UserSettings=settings)
    with pytest.raises(ClientError) as no_domain:
        sagemaker.create_user_profile(DomainId="d-missing", UserProfileName="bob")
    sagemaker.delete_user_profile(DomainId=domain, UserProfileName="alice")
    with pytest.raises(ClientError) as gone:
        sagemaker.describe_user_profile(DomainId=domain, UserProfileName="alice")
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:user-profile/{domain}/alice"
    assert (before["Status"], before["UserSettings"]) == ("InService", settings)
    assert after == {"ExecutionRole": ROLE}
    assert taken.value.response["Error"]["Code"] == "ResourceInUse"
    assert no_domain.value.response["Error"]["Code"] == gone.value.response["Error"]["Code"] == "ResourceNotFound"


def test_a_private_space_belongs_to_an_existing_profile_and_keeps_its_settings(sagemaker):
    domain = studio_domain(sagemaker)
    sagemaker.create_user_profile(DomainId=domain, UserProfileName="alice")
    space = {
        "DomainId": domain,
        "SpaceName": "alice-private",
        "OwnershipSettings": {"OwnerUserProfileName": "alice"},
        "SpaceSharingSettings": {"SharingType": "Private"},
        "SpaceSettings": {"AppType": "JupyterLab"},
    }
    arn = sagemaker.create_space(**space)["SpaceArn"]
    sagemaker.update_space(DomainId=domain, SpaceName="alice-private", SpaceSettings={"AppType": "CodeEditor"})
    described = sagemaker.describe_space(DomainId=domain, SpaceName="alice-private")
    with pytest.raises(ClientError) as no_owner:
        sagemaker.create_space(**{**space, "SpaceName": "x", "OwnershipSettings": {"OwnerUserProfileName": "bob"}})
    sagemaker.delete_space(DomainId=domain, SpaceName="alice-private")
    with pytest.raises(ClientError) as gone:
        sagemaker.describe_space(DomainId=domain, SpaceName="alice-private")
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:space/{domain}/alice-private"
    assert (described["Status"], described["SpaceSettings"]) == ("InService", {"AppType": "CodeEditor"})
    assert described["SpaceSharingSettings"] == {"SharingType": "Private"}
    assert no_owner.value.response["Error"]["Code"] == gone.value.response["Error"]["Code"] == "ResourceNotFound"


def test_a_studio_lifecycle_configuration_keeps_its_script_and_is_deleted(sagemaker):
    arn = sagemaker.create_studio_lifecycle_config(
        StudioLifecycleConfigName="smenv-studio-jupyterlab",
        StudioLifecycleConfigContent="IyEvYmluL2Jhc2g=",
        StudioLifecycleConfigAppType="JupyterLab",
    )["StudioLifecycleConfigArn"]
    described = sagemaker.describe_studio_lifecycle_config(StudioLifecycleConfigName="smenv-studio-jupyterlab")
    sagemaker.delete_studio_lifecycle_config(StudioLifecycleConfigName="smenv-studio-jupyterlab")
    with pytest.raises(ClientError) as gone:
        sagemaker.describe_studio_lifecycle_config(StudioLifecycleConfigName="smenv-studio-jupyterlab")
    assert arn.endswith(":studio-lifecycle-config/smenv-studio-jupyterlab")
    assert (described["StudioLifecycleConfigContent"], described["StudioLifecycleConfigAppType"]) == (
        "IyEvYmluL2Jhc2g=",
        "JupyterLab",
    )
    assert gone.value.response["Error"]["Code"] == "ResourceNotFound"


def test_a_new_domain_answers_its_id_and_keeps_its_tag_propagation(sagemaker):
    answer = sagemaker.create_domain(
        DomainName="studio",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE},
        SubnetIds=["s"],
        VpcId="v",
        TagPropagation="DISABLED",
    )
    assert answer["DomainId"] == answer["DomainArn"].rsplit("/", 1)[1]
    described = sagemaker.describe_domain(DomainId=answer["DomainId"])
    assert (described["DomainName"], described["TagPropagation"]) == ("studio", "DISABLED")


def test_a_deleted_domain_is_resource_not_found_as_aws_answers(sagemaker):
    domain = studio_domain(sagemaker)
    sagemaker.delete_domain(DomainId=domain)
    for call in (lambda: sagemaker.describe_domain(DomainId=domain), lambda: sagemaker.delete_domain(DomainId=domain)):
        with pytest.raises(ClientError) as gone:
            call()
        assert gone.value.response["Error"]["Code"] == "ResourceNotFound"


def test_studio_profiles_spaces_and_lifecycle_configurations_take_tags(sagemaker):
    domain = studio_domain(sagemaker)
    arns = [
        sagemaker.create_user_profile(DomainId=domain, UserProfileName="alice", Tags=[{"Key": "a", "Value": "1"}])[
            "UserProfileArn"
        ],
        sagemaker.create_space(DomainId=domain, SpaceName="shared", Tags=[{"Key": "a", "Value": "1"}])["SpaceArn"],
        sagemaker.create_studio_lifecycle_config(
            StudioLifecycleConfigName="lcc",
            StudioLifecycleConfigContent="eA==",
            StudioLifecycleConfigAppType="CodeEditor",
            Tags=[{"Key": "a", "Value": "1"}],
        )["StudioLifecycleConfigArn"],
    ]
    for arn in arns:
        sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "managed-by", "Value": "terraform"}])
        sagemaker.delete_tags(ResourceArn=arn, TagKeys=["a"])
        assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "managed-by", "Value": "terraform"}]


def test_studio_profiles_spaces_and_apps_are_listed_by_domain(sagemaker):
    domain, other = studio_domain(sagemaker), studio_domain(sagemaker, "other")
    sagemaker.create_user_profile(DomainId=domain, UserProfileName="alice")
    sagemaker.create_user_profile(DomainId=other, UserProfileName="bob")
    sagemaker.create_space(
        DomainId=domain, SpaceName="alice-private", OwnershipSettings={"OwnerUserProfileName": "alice"}
    )
    sagemaker.create_app(DomainId=domain, SpaceName="alice-private", AppType="JupyterLab", AppName="default")
    profiles = sagemaker.get_paginator("list_user_profiles").paginate(DomainIdEquals=domain).build_full_result()
    spaces = sagemaker.get_paginator("list_spaces").paginate().build_full_result()
    apps = sagemaker.get_paginator("list_apps").paginate(DomainIdEquals=domain).build_full_result()
    assert [(p["DomainId"], p["UserProfileName"], p["Status"]) for p in profiles["UserProfiles"]] == [
        (domain, "alice", "InService")
    ]
    assert [s["SpaceName"] for s in spaces["Spaces"]] == ["alice-private"]
    assert [(a["SpaceName"], a["AppType"], a["AppName"], a["Status"]) for a in apps["Apps"]] == [
        ("alice-private", "JupyterLab", "default", "InService")
    ]


# --- SageMaker Pipelines (sagemaker_pipeline_not_found) ---------------------------------------------


def test_a_missing_pipeline_is_resource_not_found_as_aws_answers(sagemaker):
    # Given no pipeline of that name (and one that exists, which the patch leaves alone)
    sagemaker.create_pipeline(PipelineName="there", PipelineDefinition='{"Steps": []}', RoleArn=ROLE)
    calls = (
        lambda: sagemaker.describe_pipeline(PipelineName="absent"),
        lambda: sagemaker.update_pipeline(PipelineName="absent", PipelineDefinition='{"Steps": []}'),
        lambda: sagemaker.delete_pipeline(PipelineName="absent", ClientRequestToken="t" * 32),
        lambda: sagemaker.start_pipeline_execution(PipelineName="absent"),
    )
    # When each call names it, Then each answers ResourceNotFound
    for call in calls:
        with pytest.raises(ClientError) as gone:
            call()
        assert gone.value.response["Error"]["Code"] == "ResourceNotFound"
    assert sagemaker.describe_pipeline(PipelineName="there")["PipelineName"] == "there"
    assert sagemaker.start_pipeline_execution(PipelineName="there")["PipelineExecutionArn"]


# --- SageMaker Pipelines: executions (sagemaker_pipeline_executions) ------------------------------------


def test_an_execution_runs_until_stopped_then_stops_and_a_running_pipeline_cannot_be_deleted(sagemaker):
    # Given a pipeline with a started execution
    sagemaker.create_pipeline(PipelineName="flow", PipelineDefinition='{"Steps": []}', RoleArn=ROLE)
    arn = sagemaker.start_pipeline_execution(PipelineName="flow")["PipelineExecutionArn"]

    def status() -> str:
        return sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]

    def listed() -> list[str]:
        summaries = sagemaker.list_pipeline_executions(PipelineName="flow")["PipelineExecutionSummaries"]
        return [s["PipelineExecutionStatus"] for s in summaries]

    # Then it is Executing, and DeletePipeline refuses the pipeline with a ConflictException
    assert status() == "Executing"
    assert listed() == ["Executing"]
    with pytest.raises(ClientError) as running:
        sagemaker.delete_pipeline(PipelineName="flow")
    assert running.value.response["Error"]["Code"] == "ConflictException"
    # When it is stopped (botocore fills the ClientRequestToken)
    assert sagemaker.stop_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionArn"] == arn
    # Then it is Stopping, Stopped after that answer, and a second stop is refused
    assert listed() == ["Stopping"]
    assert status() == "Stopping"
    assert status() == "Stopped"
    with pytest.raises(ClientError) as stopped:
        sagemaker.stop_pipeline_execution(PipelineExecutionArn=arn)
    assert stopped.value.response["Error"]["Code"] == "ValidationException"
    # And the pipeline can be deleted now
    sagemaker.delete_pipeline(PipelineName="flow")
    assert sagemaker.list_pipelines()["PipelineSummaries"] == []


def test_stopping_a_missing_execution_is_resource_not_found(sagemaker):
    arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/flow/execution/absent"
    with pytest.raises(ClientError) as gone:
        sagemaker.stop_pipeline_execution(PipelineExecutionArn=arn)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFound"
