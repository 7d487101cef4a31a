"""lifecycle/autostop.py: when a notebook instance counts as idle, and what it does then.

The decision is a pure function over Jupyter's answers, the time and the uptime; the stop goes
through a moto-backed SageMaker client (in-process), and the command line reads a Jupyter
stand-in served on 127.0.0.1.
"""

from __future__ import annotations

import ast
import http.server
import json
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import boto3
import pytest
from lifecycle import autostop
from moto import mock_aws

from smenv_testing import REPO

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
HOUR = 60 * 60
REGION, INSTANCE = "eu-west-1", "team-a-notebook"


def stamp(minutes_ago: float) -> str:
    """A last_activity the way Jupyter writes it."""
    return (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def session(state: str = "idle", minutes_ago: float = 90, name: str = "python3") -> dict:
    return {
        "id": "s-1",
        "path": "analysis.ipynb",
        "type": "notebook",
        "kernel": {"id": "k-1", "name": name, "execution_state": state, "last_activity": stamp(minutes_ago)},
    }


# --- the decision -------------------------------------------------------------------------------


def test_a_busy_kernel_keeps_the_instance_running_however_old_its_last_activity():
    decision = autostop.decide([session("busy", minutes_ago=600)], NOW, 60, uptime_seconds=10 * HOUR)
    assert decision == autostop.Decision(False, "kernel python3 is busy")


def test_a_kernel_active_within_n_minutes_keeps_the_instance_running():
    decision = autostop.decide([session("idle", minutes_ago=59), session("idle", 300)], NOW, 60, 10 * HOUR)
    assert not decision.idle
    assert "active 59 min ago" in decision.reason


def test_idle_kernels_all_older_than_n_minutes_make_the_instance_idle():
    decision = autostop.decide([session("idle", 61), session("idle", 300, name="r")], NOW, 60, 10 * HOUR)
    assert decision.idle


def test_a_starting_kernel_is_not_idle():
    assert not autostop.decide([session("starting", 120)], NOW, 60, 10 * HOUR).idle


def test_a_dead_kernel_counts_by_its_last_activity():
    assert autostop.decide([session("dead", 120)], NOW, 60, 10 * HOUR).idle


def test_no_sessions_on_an_instance_up_longer_than_n_minutes_is_idle():
    decision = autostop.decide([], NOW, 60, uptime_seconds=61 * 60)
    assert decision == autostop.Decision(True, "no sessions, up for 61 min")


def test_no_sessions_on_an_instance_that_just_started_is_not_idle():
    decision = autostop.decide([], NOW, 60, uptime_seconds=5 * 60)
    assert decision == autostop.Decision(False, "no sessions, up for 5 min only")


def test_no_sessions_and_an_unknown_uptime_is_not_idle():
    assert not autostop.decide([], NOW, 60, uptime_seconds=None).idle


@pytest.mark.parametrize(
    "answer",
    [
        "{not json",
        b"\xff\xfe",
        '{"sessions": []}',
        "null",
        '[{"kernel": "k-1"}]',
        '[{"kernel": {"execution_state": "idle"}}]',
        '[{"kernel": {"execution_state": "idle", "last_activity": "yesterday"}}]',
        '[{"kernel": {"last_activity": "2025-03-01T09:00:00Z"}}]',
        '["a string"]',
    ],
    ids=[
        "not JSON",
        "not UTF-8",
        "an object",
        "null",
        "kernel is a string",
        "no last_activity",
        "unreadable last_activity",
        "no execution_state",
        "session is a string",
    ],
)
def test_an_answer_that_cannot_be_read_is_never_idle(answer):
    # Given an instance up for hours, and a sessions answer of an unexpected shape
    # When the decision is made, then the instance is left running
    assert not autostop.decide(answer, NOW, 60, 10 * HOUR).idle


def test_the_sessions_answer_may_come_as_json_text():
    assert autostop.decide(json.dumps([session("idle", 120)]), NOW, 60, 10 * HOUR).idle
    assert not autostop.decide(json.dumps([session("busy", 120)]), NOW, 60, 10 * HOUR).idle


def test_a_session_whose_kernel_is_gone_does_not_keep_the_instance_running():
    assert autostop.decide([{"id": "s-1", "kernel": None}], NOW, 60, 10 * HOUR).idle


def test_a_recently_used_terminal_keeps_the_instance_running():
    terminals = [{"name": "1", "last_activity": stamp(3)}]
    decision = autostop.decide([session("idle", 120)], NOW, 60, 10 * HOUR, terminals)
    assert decision == autostop.Decision(False, "terminal 1 was active 3 min ago")
    assert not autostop.decide([], NOW, 60, 10 * HOUR, terminals).idle
    assert autostop.decide([], NOW, 60, 10 * HOUR, [{"name": "1", "last_activity": stamp(61)}]).idle


@pytest.mark.parametrize("idle_minutes", [0, -5])
def test_zero_idle_minutes_disables_auto_stop(idle_minutes):
    decision = autostop.decide([], NOW, idle_minutes, uptime_seconds=100 * HOUR)
    assert decision == autostop.Decision(False, "auto-stop is disabled")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01T11:00:00.123456Z", datetime(2025, 3, 1, 11, 0, 0, 123456, tzinfo=UTC)),
        ("2025-03-01T11:00:00.123Z", datetime(2025, 3, 1, 11, 0, 0, 123000, tzinfo=UTC)),
        ("2025-03-01T11:00:00.123456789Z", datetime(2025, 3, 1, 11, 0, 0, 123456, tzinfo=UTC)),
        ("2025-03-01T11:00:00Z", datetime(2025, 3, 1, 11, 0, 0, tzinfo=UTC)),
        ("2025-03-01T12:00:00+01:00", datetime(2025, 3, 1, 11, 0, 0, tzinfo=UTC)),
        ("2025-03-01T11:00:00", datetime(2025, 3, 1, 11, 0, 0, tzinfo=UTC)),
        ("yesterday", None),
        (None, None),
        ("2025-13-01T11:00:00Z", None),
    ],
)
def test_jupyter_timestamps_are_read_as_utc(text, expected):
    assert autostop.parse_time(text) == expected


# --- the stop ----------------------------------------------------------------------------------


@pytest.fixture
def sagemaker(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("sagemaker", region_name=REGION)
        client.create_notebook_instance(
            NotebookInstanceName=INSTANCE,
            InstanceType="ml.t3.medium",
            RoleArn="arn:aws:iam::123456789012:role/team-a-execution",
        )
        yield client


def status(client) -> str:
    return client.describe_notebook_instance(NotebookInstanceName=INSTANCE)["NotebookInstanceStatus"]


class FakeJupyter(http.server.BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, tuple[int, str]]] = {}

    def do_GET(self):
        code, body = self.answers.get(self.path, (404, '{"message": "Not Found"}'))
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def jupyter() -> Iterator[str]:
    """A stand-in for the notebook server's API on 127.0.0.1, answering what the test sets."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeJupyter)
    FakeJupyter.answers = {}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def instance_files(tmp_path: Path) -> dict[str, Path]:
    metadata = tmp_path / "resource-metadata.json"
    metadata.write_text(json.dumps({"ResourceName": INSTANCE, "ResourceArn": f"arn:...:notebook-instance/{INSTANCE}"}))
    uptime = tmp_path / "uptime"
    uptime.write_text("36000.25 70000.00\n")  # up 10 hours
    return {"metadata": metadata, "uptime": uptime}


def run(jupyter: str, files: dict[str, Path], *extra: str, sagemaker=None) -> int:
    argv = [
        "--idle-minutes",
        "60",
        "--region",
        REGION,
        "--sessions-url",
        f"{jupyter}/api/sessions",
        "--terminals-url",
        f"{jupyter}/api/terminals",
        "--metadata-file",
        str(files["metadata"]),
        "--uptime-file",
        str(files["uptime"]),
        *extra,
    ]
    return autostop.main(argv, sagemaker=sagemaker, now=NOW)


def test_an_idle_instance_is_stopped(sagemaker, jupyter, instance_files, capsys):
    # Given an in-service instance whose only kernel has been idle for two hours
    FakeJupyter.answers = {"/api/sessions": (200, json.dumps([session("idle", 120)])), "/api/terminals": (200, "[]")}
    # When the cron run happens
    code = run(jupyter, instance_files, sagemaker=sagemaker)
    # Then the instance is stopping, and the run says so in one JSON line
    assert code == 0
    assert status(sagemaker) in ("Stopping", "Stopped")
    report = json.loads(capsys.readouterr().out)
    assert report["action"] == "stopped"
    assert report["instance"] == INSTANCE


def test_a_busy_instance_is_left_running(sagemaker, jupyter, instance_files, capsys):
    FakeJupyter.answers = {"/api/sessions": (200, json.dumps([session("busy", 120)])), "/api/terminals": (200, "[]")}
    assert run(jupyter, instance_files, sagemaker=sagemaker) == 0
    assert status(sagemaker) == "InService"
    assert json.loads(capsys.readouterr().out)["action"] == "none"


def test_a_dry_run_says_it_would_stop_and_stops_nothing(sagemaker, jupyter, instance_files, capsys):
    # Given no sessions on an instance up for ten hours, and a server without the terminals API
    FakeJupyter.answers = {"/api/sessions": (200, "[]")}
    # When a dry run happens
    assert run(jupyter, instance_files, "--dry-run", sagemaker=sagemaker) == 0
    # Then it would stop, and the instance is still in service
    assert json.loads(capsys.readouterr().out)["action"] == "would_stop"
    assert status(sagemaker) == "InService"


def test_jupyter_not_answering_is_one_error_line_and_no_stop(sagemaker, instance_files, capsys):
    # Given nothing listening where the notebook server should be
    code = run("http://127.0.0.1:9", instance_files, sagemaker=sagemaker)
    # Then the run fails with one line, and the instance keeps running
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("autostop: error: ")
    assert len(err.strip().splitlines()) == 1
    assert status(sagemaker) == "InService"


def test_a_stop_that_aws_refuses_is_one_error_line(sagemaker, jupyter, instance_files, capsys):
    # Given instance metadata naming an instance that AWS does not know, and no sessions
    instance_files["metadata"].write_text(json.dumps({"ResourceName": "not-this-one"}))
    FakeJupyter.answers = {"/api/sessions": (200, "[]"), "/api/terminals": (200, "[]")}
    # When the run tries to stop it, then AWS's refusal is one line and the exit code is 1
    assert run(jupyter, instance_files, sagemaker=sagemaker) == 1
    err = capsys.readouterr().err
    assert "StopNotebookInstance" in err
    assert len(err.strip().splitlines()) == 1


def test_zero_idle_minutes_reads_nothing_and_stops_nothing(sagemaker, instance_files, capsys):
    code = autostop.main(["--idle-minutes", "0", "--sessions-url", "http://127.0.0.1:9/x"], sagemaker=sagemaker)
    assert code == 0
    assert json.loads(capsys.readouterr().out)["reason"] == "auto-stop is disabled"
    assert status(sagemaker) == "InService"


def test_the_stop_client_uses_the_given_region_and_standard_retries(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = autostop.sagemaker_client(REGION)
    assert client.meta.region_name == REGION
    assert client.meta.config.retries["mode"] == "standard"


# --- what runs on the instance ----------------------------------------------------------------


def test_certificate_checks_are_off_for_the_local_notebook_server_only():
    local = autostop.ssl_context_for("https://localhost:8443/api/sessions")
    assert local.verify_mode == ssl.CERT_NONE
    assert not local.check_hostname
    remote = autostop.ssl_context_for("https://jupyter.example.com/api/sessions")
    assert remote.verify_mode == ssl.CERT_REQUIRED
    assert remote.check_hostname
    assert autostop.ssl_context_for("http://127.0.0.1:8888/api/sessions") is None


def test_the_script_is_python_3_8_syntax():
    # The instance's JupyterSystemEnv python may be older than ours: the script must parse on 3.8.
    source = (REPO / "lifecycle" / "autostop.py").read_text()
    ast.parse(source, feature_version=(3, 8))
