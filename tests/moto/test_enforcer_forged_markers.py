"""The enforcer never trusts a marker it did not write (in-process moto, with its KMS HMAC key).

The marker tag smenv:enforcer says "already stopped or reported"; its value carries a KMS HMAC over
the resource's ARN, its CreationTime and the verdict (lambda/enforcer/markers.py). A value set by the
creator, copied from another resource or made with another key does not verify: the resource is
judged as if it had none, and the log line and the finding say a marker was ignored.
"""

from __future__ import annotations

import json
from unittest.mock import patch

import pytest
from botocore.exceptions import ClientError
from enforcer_world import UNSET, World, cloudtrail_event, handler, state_change_event, world

MODEL, NOTEBOOK, CLUSTER = "model", "notebook-instance", "cluster"
FORGED = "v1:reported:0123456789abcdef:" + "A" * 43


@pytest.fixture
def aws():
    with world() as w:
        yield w


def ignored_markers(capsys) -> list[dict]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [line for line in lines if line["message"] == "marker_ignored"]


def in_use_model(aws: World, name: str, tags: dict[str, str] | None = None) -> str:
    """A model without a VPC that an endpoint configuration serves: reported once, kept."""
    model_arn = aws.model(name, vpc=UNSET, tags=tags)
    aws.endpoint_config(f"{name}-cfg", name)
    return model_arn


@pytest.mark.parametrize(
    "value",
    [FORGED, "reported", "stopped", "v1:reported:zz:not-a-mac", ""],
    ids=["well-formed-forgery", "first-version-value", "stopped", "malformed", "empty"],
)
def test_a_marker_the_creator_sets_at_create_is_ignored_and_the_model_reported(aws: World, value, capsys):
    # Given a model outside the VPC, in use, whose creator tagged it smenv:enforcer at CreateModel
    model_arn = in_use_model(aws, "pre-marked", tags={"smenv:enforcer": value})
    capsys.readouterr()
    # When its CreateModel event arrives
    result = aws.process(cloudtrail_event(MODEL, "pre-marked"))
    # Then the marker is ignored (logged), the model judged and reported, and the finding says so
    assert (result["action"], result["violations"]) == ("retained_in_use", ["vpc.required"])
    [ignored] = ignored_markers(capsys)
    assert (ignored["level"], ignored["resource_name"]) == ("WARNING", "pre-marked")
    assert ignored["reason"] in ("malformed", "mac_not_verified")
    [published] = aws.findings()
    assert published["finding"]["marker_ignored"] == ignored["reason"]
    # And the enforcer's own marker replaces it: the next event is a no-op
    assert aws.marker(model_arn) != value
    assert aws.process(state_change_event(MODEL, "pre-marked"))["reason"] == "already_handled"


def test_a_forged_marker_on_a_stopped_notebook_does_not_hide_it(aws: World):
    # Given a notebook with direct internet access, tagged as "reported" by its creator, then stopped
    aws.notebook("hidden", internet="Enabled", tags={"smenv:enforcer": FORGED})
    aws.sagemaker.stop_notebook_instance(NotebookInstanceName="hidden")
    # When its Stopped event arrives, then it is reported
    result = aws.process(state_change_event(NOTEBOOK, "hidden", "Stopped"))
    assert (result["action"], result["marker_ignored"]) == ("reported", "mac_not_verified")


def test_a_forged_marker_on_a_running_notebook_does_not_spare_its_stopped_event_a_report(aws: World):
    # Given a running notebook tagged "stopped" by its creator
    nb_arn = aws.notebook(
        "running-hidden", root="Enabled", tags={"smenv:enforcer": FORGED.replace("reported", "stopped")}
    )
    # When it is stopped by the enforcer, the enforcer writes its own marker over the forged one
    assert aws.process(state_change_event(NOTEBOOK, "running-hidden", "InService"))["action"] == "stopped"
    assert aws.marker(nb_arn) != FORGED
    # So its Stopped event is a no-op, and one finding is published in all
    assert aws.process(state_change_event(NOTEBOOK, "running-hidden", "Stopped"))["reason"] == "already_handled"
    assert len(aws.findings()) == 1


def test_a_genuine_marker_copied_to_another_resource_does_not_verify(aws: World):
    # Given a model the enforcer reported (its genuine marker), and a second one carrying a copy of it
    first = in_use_model(aws, "reported-one")
    aws.process(cloudtrail_event(MODEL, "reported-one"))
    copied = aws.marker(first)
    in_use_model(aws, "copycat", tags={"smenv:enforcer": copied})
    # When the second one's event arrives, then the copy is ignored (the ARN differs) and it is reported
    result = aws.process(cloudtrail_event(MODEL, "copycat"))
    assert (result["action"], result["marker_ignored"]) == ("retained_in_use", "mac_not_verified")


def test_a_marker_of_an_earlier_resource_with_the_same_name_does_not_verify(aws: World):
    # Given a reported model, deleted, and a new one of the same name carrying the old marker
    old = in_use_model(aws, "reborn")
    aws.process(cloudtrail_event(MODEL, "reborn"))
    marker = aws.marker(old)
    aws.sagemaker.delete_model(ModelName="reborn")
    aws.model("reborn", vpc=UNSET, tags={"smenv:enforcer": marker})
    # When the new one's event arrives, then the marker is ignored (its CreationTime differs)
    result = aws.process(cloudtrail_event(MODEL, "reborn"))
    assert result["marker_ignored"] == "mac_not_verified"


def test_a_marker_made_with_another_hmac_key_does_not_verify(aws: World):
    # Given a marker its creator made with an HMAC key of their own, over the right message
    markers = handler.markers
    own_key = aws.kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]
    model_arn = in_use_model(aws, "self-signed")
    description = aws.sagemaker.describe_model(ModelName="self-signed")
    digest = markers.verdict_digest([("vpc.required", "not attached to a VPC (no subnets or security groups)")])
    message = markers.message(model_arn, description["CreationTime"], "reported", digest)
    mac = aws.kms.generate_mac(KeyId=own_key, Message=message, MacAlgorithm="HMAC_SHA_256")["Mac"]
    aws.forge_marker(model_arn, markers.value("reported", digest, mac))
    # When its event arrives, then the marker is ignored: only the enforcer's key makes one that verifies
    result = aws.process(cloudtrail_event(MODEL, "self-signed"))
    assert (result["action"], result["marker_ignored"]) == ("retained_in_use", "mac_not_verified")


def test_without_a_marker_key_nothing_is_trusted_and_every_event_reports(aws: World):
    # Given a HyperPod cluster outside the VPC, and an enforcer without its marker key
    cluster_arn = aws.cluster("unkeyed-pod", vpc=UNSET)
    # When two events arrive
    first = aws.process(cloudtrail_event(CLUSTER, "unkeyed-pod"), MARKER_KEY_ARN="")
    second = aws.process(state_change_event(CLUSTER, "unkeyed-pod", "InService"), MARKER_KEY_ARN="")
    # Then each is reported (noisy, never silent), and no marker is written
    assert (first["action"], second["action"]) == ("reported", "reported")
    assert aws.marker(cluster_arn) is None
    # And a genuine marker is not trusted either without the key to verify it
    aws.process(cloudtrail_event(CLUSTER, "unkeyed-pod"))
    third = aws.process(cloudtrail_event(CLUSTER, "unkeyed-pod"), MARKER_KEY_ARN="")
    assert (third["action"], third["marker_ignored"]) == ("reported", "no_marker_key")


def test_a_marker_that_cannot_be_made_never_holds_back_a_stop(aws: World, capsys):
    # Given a running notebook outside the rules, and KMS refusing to make the marker's MAC
    aws.notebook("urgent", root="Enabled")
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "GenerateMac")
    # When its event arrives
    with patch.object(aws.kms, "generate_mac", side_effect=denied):
        result = aws.process(state_change_event(NOTEBOOK, "urgent", "InService"))
    # Then it is stopped all the same, and the missing marker is logged
    assert result["action"] == "stopped"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(line["message"] == "marker_not_written" for line in lines)


def test_kms_failing_to_verify_is_raised_for_a_retry(aws: World):
    in_use_model(aws, "unverifiable", tags={"smenv:enforcer": FORGED})
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "VerifyMac")
    with patch.object(aws.kms, "verify_mac", side_effect=throttled), pytest.raises(ClientError):
        aws.process(cloudtrail_event(MODEL, "unverifiable"))
    assert aws.findings() == []


def test_the_key_named_by_its_alias_arn_as_terraform_passes_it_makes_and_checks_markers(aws: World):
    # Given the marker key named as modules/enforcer names it: by its alias's ARN
    aws.kms.create_alias(AliasName="alias/smenv-local-enforcer-markers", TargetKeyId=aws.marker_key_arn)
    alias_arn = "arn:aws:kms:us-east-1:123456789012:alias/smenv-local-enforcer-markers"
    cluster_arn = aws.cluster("aliased-pod", vpc=UNSET)
    # When two events arrive
    first = aws.process(cloudtrail_event(CLUSTER, "aliased-pod"), MARKER_KEY_ARN=alias_arn)
    second = aws.process(state_change_event(CLUSTER, "aliased-pod", "InService"), MARKER_KEY_ARN=alias_arn)
    # Then the first reports and marks, the second finds the enforcer's own marker (the same key behind both names)
    assert (first["action"], second["reason"]) == ("reported", "already_handled")
    assert aws.marker(cluster_arn).startswith("v1:reported:")
    assert aws.process(state_change_event(CLUSTER, "aliased-pod", "InService"))["reason"] == "already_handled"
