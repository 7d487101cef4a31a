"""Before an environment's network is destroyed: what SageMaker Studio left in its VPC.

SageMaker makes a Studio domain's home file system (EFS, with a mount target in each of the
domain's subnets) and two security groups for its NFS traffic, security-group-for-inbound-nfs-<domain>
and security-group-for-outbound-nfs-<domain>, in the VPC itself: none is in Terraform's state, and
none goes with the domain (the groups never; the file system only with the retention policy
Delete). Left there, they make the VPC's destroy fail half-way (DependencyViolation on its subnets
and groups). The network unit runs this before its destroy (live/_envcommon/network.hcl):

    python tools/studio_leftovers.py --env dev             # remove what Studio left, or say what holds data
    python tools/studio_leftovers.py --env dev --dry-run   # only say it

It removes the NFS groups (their rules on each other first) and their detached network interfaces.
A home file system still in the VPC holds the users' files (retain_home_file_system): it is never
removed here; the command names it in one line, with how to proceed, and exits 1 before anything is
removed. Exit 0 when nothing is left (or all was removed), 1 on a kept file system or an AWS failure,
2 on bad usage. Credentials as tools/sweep.py takes them (the emulator for local).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass

from botocore.exceptions import ProfileNotFound

from smenv.core import cli
from smenv.core.awsutil import client
from smenv.core.project import load_environment
from smenv.sweep.sweep import check_account, connect

# SageMaker's names and tag for what it makes in a domain's VPC (SageMaker Developer Guide,
# "Connect Studio notebooks in a VPC to external resources": the NFS groups; the EFS file system
# carries ManagedByAmazonSageMakerResource = the domain's ARN).
NFS_GROUP = re.compile(r"^security-group-for-(inbound|outbound)-nfs-(d-[a-z0-9]+)$")
SAGEMAKER_TAG = "ManagedByAmazonSageMakerResource"


@dataclass(frozen=True)
class Leftovers:
    vpc_id: str
    groups: tuple[str, ...] = ()  # SageMaker's NFS security groups
    interfaces: tuple[str, ...] = ()  # detached network interfaces in those groups
    file_systems: tuple[tuple[str, str], ...] = ()  # (file system id, the domain's ARN) kept in the VPC


def refusal(left: Leftovers) -> str | None:
    """One line when the VPC cannot go without losing data (a kept home file system), else None."""
    if not left.file_systems:
        return None
    fs, domain = left.file_systems[0]
    more = f" (and {len(left.file_systems) - 1} more)" if len(left.file_systems) > 1 else ""
    return (
        f"the Studio home file system {fs}{more} of {domain} is kept in {left.vpc_id} with the users' files "
        "(retain_home_file_system): copy what you need, delete its mount targets and the file system "
        "(aws efs delete-mount-target, aws efs delete-file-system), then run the destroy again"
    )


def find(ec2, efs, vpc_id: str) -> Leftovers:
    """What Studio left in the VPC: its NFS groups, their detached interfaces, its file systems."""
    groups = [
        g["GroupId"]
        for page in ec2.get_paginator("describe_security_groups").paginate(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
        )
        for g in page["SecurityGroups"]
        if NFS_GROUP.match(g.get("GroupName", ""))
    ]
    interfaces = []
    if groups:
        pages = ec2.get_paginator("describe_network_interfaces").paginate(
            Filters=[{"Name": "group-id", "Values": groups}, {"Name": "status", "Values": ["available"]}]
        )
        interfaces = [i["NetworkInterfaceId"] for page in pages for i in page["NetworkInterfaces"]]
    kept = []
    for page in efs.get_paginator("describe_file_systems").paginate():
        for fs in page["FileSystems"]:
            domain = next((t["Value"] for t in fs.get("Tags", []) if t["Key"] == SAGEMAKER_TAG), None)
            if domain is None:
                continue
            targets = efs.describe_mount_targets(FileSystemId=fs["FileSystemId"]).get("MountTargets", [])
            if any(t.get("VpcId") == vpc_id for t in targets):
                kept.append((fs["FileSystemId"], domain))
    return Leftovers(vpc_id, tuple(groups), tuple(interfaces), tuple(kept))


def remove(ec2, left: Leftovers) -> None:
    """Detached interfaces first, then each group's rules (they name each other), then the groups."""
    for interface in left.interfaces:
        ec2.delete_network_interface(NetworkInterfaceId=interface)
    described = ec2.describe_security_groups(GroupIds=list(left.groups))["SecurityGroups"] if left.groups else []
    for group in described:
        if group.get("IpPermissions"):
            ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
        if group.get("IpPermissionsEgress"):
            ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    for group in left.groups:
        ec2.delete_security_group(GroupId=group)


def vpc_of(ec2, name: str) -> str | None:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"]
    return vpcs[0]["VpcId"] if vpcs else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, help="environment under live/ (local, dev, staging, prod)")
    parser.add_argument("--dry-run", action="store_true", help="say what is left, remove nothing")
    args = parser.parse_args(argv)

    def body() -> int:
        env = load_environment(args.env)
        target = connect(env, None, None, True)
        check_account(client(target.session, "sts", target.endpoint_url), env)
        ec2 = client(target.session, "ec2", target.endpoint_url)
        efs = client(target.session, "efs", target.endpoint_url)
        vpc_id = vpc_of(ec2, f"{env.resource_prefix}-vpc")
        left = find(ec2, efs, vpc_id) if vpc_id else Leftovers("")
        stop = refusal(left)
        if stop:
            print(f"studio_leftovers: error: {stop}", file=sys.stderr)
            return 1
        if not (left.groups or left.interfaces):
            print(f"studio_leftovers: nothing Studio made is left in {vpc_id or 'the environment (no VPC)'}")
            return 0
        what = f"{len(left.groups)} NFS security group(s), {len(left.interfaces)} detached interface(s)"
        if args.dry_run:
            print(f"studio_leftovers: would remove {what} from {vpc_id}")
            return 0
        remove(ec2, left)
        print(f"studio_leftovers: removed {what} from {vpc_id}")
        return 0

    return cli.run("studio_leftovers", body, usage=(ProfileNotFound,))


if __name__ == "__main__":
    sys.exit(main())
