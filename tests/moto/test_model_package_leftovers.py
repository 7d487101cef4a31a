"""tools/model_package_leftovers.py: the model versions a team's pipelines registered are deleted
before the pipelines unit's destroy, or, where they are kept, the destroy stops in one line.

In-process moto (mock_aws) with src/smenv/live/emulator_patches/ applied (DeleteModelPackage, and a
group that still holds versions is refused, as AWS refuses it).
"""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from smenv.live import emulator_patches
from smenv.sweep import model_package_leftovers, sweep

REGION = "us-east-1"
FRAUD, PRICING = "smenv-local-fraud-models", "smenv-local-pricing-models"


@pytest.fixture
def sagemaker(monkeypatch):
    emulator_patches.apply_all()
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        monkeypatch.setattr(model_package_leftovers, "connect", lambda *_args: sweep.Target(session, None, "moto"))
        sm = session.client("sagemaker")
        for group in (FRAUD, PRICING):
            sm.create_model_package_group(ModelPackageGroupName=group)
        yield sm


def register(sm, group: str) -> str:
    return sm.create_model_package(
        ModelPackageGroupName=group,
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]


def versions(sm, group: str) -> list[str]:
    return [
        p["ModelPackageArn"] for p in sm.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"]
    ]


def test_versions_kept_stop_the_destroy_in_one_line_naming_the_group_and_nothing_is_deleted(sagemaker, capsys):
    # Given fraud's pipelines registered two versions (pricing's group is empty)
    first = register(sagemaker, FRAUD)
    register(sagemaker, FRAUD)
    # When the hook runs where registered models are kept (protect_stateful: no --delete-versions)
    code = model_package_leftovers.main(["--env", "local"])
    err = capsys.readouterr().err.strip().splitlines()
    # Then it refuses in one line naming the group, the count, the first version and how to proceed
    assert code == 1
    assert len(err) == 1
    assert (
        f"the model package group {FRAUD} holds 2 version(s) the team's pipelines registered, first {first}" in err[0]
    )
    assert err[0].endswith("then run the destroy again")
    assert len(versions(sagemaker, FRAUD)) == 2


def test_with_delete_versions_the_registered_versions_go_and_the_groups_can_be_deleted(sagemaker, capsys):
    register(sagemaker, FRAUD)
    register(sagemaker, PRICING)
    # A group that holds versions cannot be deleted (the destroy would stop half-way)
    with pytest.raises(sagemaker.exceptions.ClientError):
        sagemaker.delete_model_package_group(ModelPackageGroupName=FRAUD)
    # When the hook runs with --delete-versions (protect_stateful off)
    code = model_package_leftovers.main(["--env", "local", "--delete-versions"])
    # Then every version is deleted, and the groups can go
    assert code == 0
    assert capsys.readouterr().out.strip() == (
        f"model_package_leftovers: deleted 2 model version(s) from {FRAUD}, {PRICING}"
    )
    assert versions(sagemaker, FRAUD) == versions(sagemaker, PRICING) == []
    sagemaker.delete_model_package_group(ModelPackageGroupName=FRAUD)


def test_a_dry_run_deletes_nothing(sagemaker, capsys):
    register(sagemaker, FRAUD)
    assert model_package_leftovers.main(["--env", "local", "--delete-versions", "--dry-run"]) == 0
    assert f"would delete 1 model version(s) from {FRAUD}" in capsys.readouterr().out
    assert len(versions(sagemaker, FRAUD)) == 1


def test_nothing_registered_or_no_groups_lets_the_destroy_go_on(sagemaker, capsys):
    sagemaker.delete_model_package_group(ModelPackageGroupName=PRICING)
    assert model_package_leftovers.main(["--env", "local"]) == 0
    assert "no model versions registered in local's team groups" in capsys.readouterr().out


def test_an_unknown_environment_is_refused_in_one_line_with_exit_2(capsys):
    assert model_package_leftovers.main(["--env", "qa"]) == 2
    assert capsys.readouterr().err.strip().startswith("model_package_leftovers: error: unknown environment 'qa'")
