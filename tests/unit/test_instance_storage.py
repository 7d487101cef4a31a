"""The one list of instance families with local NVMe storage, and of AWS's image registries.

SageMaker refuses a volume KMS key on instance types with local NVMe instance storage; the
guardrails, the enforcer and the endpoint module read modules/_instance_storage/instance_storage.json.
Every family botocore's SageMaker model knows must be classified there, on purpose.
"""

from __future__ import annotations

import json
import re

import botocore.session

from smenv_testing import REPO

INSTANCE_STORAGE = REPO / "modules" / "_instance_storage" / "instance_storage.json"
REGISTRIES = REPO / "modules" / "_image_registries" / "aws_registries.json"


def sagemaker_families() -> set[str]:
    model = botocore.session.get_session().get_service_model("sagemaker")
    families = set()
    for name in model.shape_names:
        shape = model.shape_for(name)
        if shape.type_name == "string" and shape.enum:
            families |= {
                value.split(".")[1] for value in shape.enum if value.startswith("ml.") and value.count(".") == 2
            }
    return families


def test_every_sagemaker_instance_family_is_classified_once():
    # Given the families botocore's SageMaker model knows (its instance-type enums)
    data = json.loads(INSTANCE_STORAGE.read_text())
    local, ebs = set(data["local_storage_families"]), set(data["ebs_only_families"])
    # Then each is in exactly one list: a new family fails here until someone classifies it
    assert local & ebs == set()
    assert sagemaker_families() - (local | ebs) == set(), "classify these families in instance_storage.json"


def test_the_list_is_sourced_and_dated_and_names_the_families_the_issue_reported():
    data = json.loads(INSTANCE_STORAGE.read_text())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["checked"])
    assert any("VolumeKmsKeyId" in source for source in data["sources"])
    assert {"g4dn", "g5", "g6", "p3dn", "p4d", "p4de", "p5", "trn1", "m5d", "c5d", "r5d"} <= set(
        data["local_storage_families"]
    )
    assert {"m5", "c5", "t3", "p3", "g7"} <= set(data["ebs_only_families"])


def test_every_region_names_its_deep_learning_and_framework_registries():
    data = json.loads(REGISTRIES.read_text())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["checked"]) and data["sources"]
    assert {"us-east-1", "eu-west-1"} <= set(data["regions"])
    for region, accounts in data["regions"].items():
        assert set(accounts) == {"deep_learning_containers", "sagemaker_framework_images"}, region
        assert all(re.fullmatch(r"\d{12}", a) for a in accounts.values()), region
    assert data["regions"]["eu-west-1"]["sagemaker_framework_images"] == "141502667606"
    assert data["regions"]["us-east-1"]["deep_learning_containers"] == "763104351884"
