"""tools/studio_leftovers.py: what SageMaker Studio leaves in a VPC is removed before the network's
destroy, and a home file system that holds the users' files stops it in one line.

In-process moto (mock_aws): there SageMaker makes nothing in a VPC, so each test lays out what it
makes in AWS (SageMaker Developer Guide: the NFS groups; the tagged EFS file system).
"""

from __future__ import annotations

from dataclasses import dataclass

import boto3
import pytest
from moto import mock_aws

from smenv.sweep import studio_leftovers, sweep

REGION = "us-east-1"
DOMAIN = "d-abc123def456"
DOMAIN_ARN = f"arn:aws:sagemaker:us-east-1:123456789012:domain/{DOMAIN}"


@dataclass
class Vpc:
    ec2: object
    efs: object
    vpc_id: str
    subnet_id: str

    def nfs_groups(self) -> tuple[str, str]:
        """SageMaker's two NFS groups of a domain, each naming the other in a rule."""
        ids = [
            self.ec2.create_security_group(
                GroupName=f"security-group-for-{way}-nfs-{DOMAIN}", Description=f"NFS {way}", VpcId=self.vpc_id
            )["GroupId"]
            for way in ("inbound", "outbound")
        ]
        nfs = {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049}
        self.ec2.authorize_security_group_ingress(
            GroupId=ids[0], IpPermissions=[nfs | {"UserIdGroupPairs": [{"GroupId": ids[1]}]}]
        )
        self.ec2.authorize_security_group_egress(
            GroupId=ids[1], IpPermissions=[nfs | {"UserIdGroupPairs": [{"GroupId": ids[0]}]}]
        )
        return ids[0], ids[1]

    def groups(self) -> set[str]:
        found = self.ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}])
        return {g["GroupName"] for g in found["SecurityGroups"]}

    def home_file_system(self) -> str:
        fs = self.efs.create_file_system(
            CreationToken=DOMAIN, Tags=[{"Key": "ManagedByAmazonSageMakerResource", "Value": DOMAIN_ARN}]
        )
        self.efs.create_mount_target(FileSystemId=fs["FileSystemId"], SubnetId=self.subnet_id)
        return fs["FileSystemId"]  # fmt: skip


@pytest.fixture
def vpc(monkeypatch):
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        monkeypatch.setattr(studio_leftovers, "connect", lambda *_args: sweep.Target(session, None, "moto"))
        ec2 = session.client("ec2")
        vpc_id = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": "smenv-local-vpc"}])
        subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.10.0.0/20", AvailabilityZone="us-east-1a")["Subnet"]
        ec2.create_security_group(GroupName="smenv-local-fraud", Description="team", VpcId=vpc_id)
        yield Vpc(ec2, session.client("efs"), vpc_id, subnet["SubnetId"])


def test_the_nfs_groups_studio_left_go_with_their_detached_interfaces_and_nothing_else(vpc, capsys):
    # Given SageMaker's NFS groups of a deleted domain, naming each other, and an interface left in one
    inbound, _ = vpc.nfs_groups()
    vpc.ec2.create_network_interface(SubnetId=vpc.subnet_id, Groups=[inbound])
    # When the network's destroy runs the tool first
    code = studio_leftovers.main(["--env", "local"])
    out = capsys.readouterr().out
    # Then the groups and the interface are gone, and the team's group is still there
    assert code == 0
    assert vpc.groups() == {"default", "smenv-local-fraud"}
    assert vpc.ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert (
        out.strip() == f"studio_leftovers: removed 2 NFS security group(s), 1 detached interface(s) from {vpc.vpc_id}"
    )


def test_a_dry_run_says_what_it_would_remove_and_removes_nothing(vpc, capsys):
    vpc.nfs_groups()
    code = studio_leftovers.main(["--env", "local", "--dry-run"])
    assert code == 0
    assert "would remove 2 NFS security group(s)" in capsys.readouterr().out
    assert len(vpc.groups()) == 4


def test_a_kept_home_file_system_stops_the_destroy_in_one_line_and_nothing_is_removed(vpc, capsys):
    # Given a domain whose home file system was retained (staging, prod), still mounted in the VPC
    vpc.nfs_groups()
    fs = vpc.home_file_system()
    # When the tool runs before the network's destroy
    code = studio_leftovers.main(["--env", "local"])
    err = capsys.readouterr().err.strip().splitlines()
    # Then it refuses in one line naming the file system, the domain and how to proceed
    assert code == 1
    assert len(err) == 1
    assert f"the Studio home file system {fs} of {DOMAIN_ARN} is kept in {vpc.vpc_id}" in err[0]
    assert "retain_home_file_system" in err[0] and "then run the destroy again" in err[0]
    # And nothing was removed
    assert len(vpc.groups()) == 4


def test_an_environment_without_its_vpc_has_nothing_left(capsys, monkeypatch):
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        monkeypatch.setattr(studio_leftovers, "connect", lambda *_args: sweep.Target(session, None, "moto"))
        assert studio_leftovers.main(["--env", "local"]) == 0
    assert "nothing Studio made is left" in capsys.readouterr().out


def test_an_unknown_environment_is_refused_in_one_line_with_exit_2(capsys):
    assert studio_leftovers.main(["--env", "qa"]) == 2
    assert capsys.readouterr().err.strip().startswith("studio_leftovers: error: unknown environment 'qa'")
