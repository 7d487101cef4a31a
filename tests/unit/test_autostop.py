"""modules/notebook/lifecycle/autostop.py: when a notebook instance counts as idle, and what it does then.

The decision is a pure function over Jupyter's answers (shaped as Jupyter Server 2.x and
notebook 6 return GET /api/sessions and /api/terminals), the time and the uptime. The stop is a
SigV4-signed HTTPS call made with the standard library alone: it is checked against botocore's
own signer, and run for real against moto's server (in-process, on a free port), with the
instance role's credentials from an IMDSv2 stand-in. Jupyter and IMDS stand-ins are served on
127.0.0.1.
"""

from __future__ import annotations

import ast
import http.server
import json
import ssl
import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotocoreCredentials
from moto.server import ThreadedMotoServer

from helpers.lifecycle import AUTOSTOP, load_autostop

autostop = load_autostop()

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
HOUR = 60 * 60
REGION, INSTANCE = "eu-west-1", "team-a-notebook"
ROLE = "BaseNotebookInstanceEc2InstanceRole"
TRANSITIONAL = ["starting", "restarting", "autorestarting"]


def stamp(minutes_ago: float) -> str:
    """A last_activity the way Jupyter writes it (jupyter_server._tz.isoformat: UTC, "Z")."""
    return (NOW - timedelta(minutes=minutes_ago)).isoformat().replace("+00:00", "Z")


def session(state: str = "idle", minutes_ago: float = 90, name: str = "python3", path: str = "analysis.ipynb") -> dict:
    """One entry of GET /api/sessions, as Jupyter Server 2.x (and notebook 6) answers it."""
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"session:{path}")),
        "path": path,
        "name": path.rsplit("/", 1)[-1],
        "type": "notebook",
        "kernel": {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"kernel:{path}")),
            "name": name,
            "last_activity": stamp(minutes_ago),
            "execution_state": state,
            "connections": 1,
        },
        "notebook": {"path": path, "name": path.rsplit("/", 1)[-1]},
    }


def terminal(name: str = "1", minutes_ago: float = 90) -> dict:
    """One entry of GET /api/terminals."""
    return {"name": name, "last_activity": stamp(minutes_ago)}


# --- the decision: kernel states ---------------------------------------------------------------


@pytest.mark.parametrize("state", TRANSITIONAL)
def test_a_kernel_stuck_starting_or_restarting_past_the_idle_window_does_not_keep_the_instance_up(state):
    # Given a kernel that has been starting (or restarting) for two hours, with a 60-minute window
    sessions = [session(state, minutes_ago=120)]
    # When the decision is made
    decision = autostop.decide(sessions, NOW, 60, uptime_seconds=10 * HOUR)
    # Then it is stuck: the instance is idle, and the reason names the stuck kernel
    assert decision == autostop.Decision(
        True, f"no kernel or terminal activity for 60 min; kernel python3 stuck {state} for 120 min"
    )


@pytest.mark.parametrize("state", TRANSITIONAL)
def test_a_kernel_starting_or_restarting_within_the_idle_window_keeps_the_instance_up(state):
    decision = autostop.decide([session(state, minutes_ago=3)], NOW, 60, uptime_seconds=10 * HOUR)
    assert decision == autostop.Decision(False, f"kernel python3 is {state}, was active 3 min ago")


def test_a_busy_kernel_keeps_the_instance_running_however_long_its_cell_has_been_silent():
    # Given a cell that has printed nothing for ten hours (Jupyter's last_activity is its start)
    sessions = [session("busy", minutes_ago=600)]
    # Then the instance is left running: a long training cell must not be killed
    decision = autostop.decide(sessions, NOW, 60, uptime_seconds=11 * HOUR)
    assert decision == autostop.Decision(False, "kernel python3 is busy")
    assert not autostop.decide([session("busy", minutes_ago=23 * 60 + 59)], NOW, 60, 24 * HOUR).idle


def test_a_busy_kernel_silent_for_longer_than_max_busy_hours_is_taken_for_hung():
    # Given a busy kernel that has sent nothing for 25 hours, with the default cap of 24 hours
    sessions = [session("busy", minutes_ago=25 * 60)]
    # When the decision is made, then it no longer keeps the instance up, and the reason says why
    decision = autostop.decide(sessions, NOW, 60, uptime_seconds=26 * HOUR)
    assert decision.idle
    assert "kernel python3 busy but silent for 1500 min" in decision.reason
    # And a shorter cap takes effect sooner
    assert autostop.decide([session("busy", 5 * 60)], NOW, 60, 26 * HOUR, max_busy_hours=4).idle


def test_max_busy_hours_zero_never_gives_up_on_a_busy_kernel():
    sessions = [session("busy", minutes_ago=1000 * 60)]
    assert not autostop.decide(sessions, NOW, 60, 1001 * HOUR, max_busy_hours=0).idle


def test_a_cap_shorter_than_the_idle_window_never_stops_a_recently_busy_kernel():
    # Given a 30-minute cap under a 60-minute idle window, and a cell silent for 45 minutes
    decision = autostop.decide([session("busy", minutes_ago=45)], NOW, 60, 10 * HOUR, max_busy_hours=0.5)
    # Then the kernel still counts as active: the cap never cuts below the idle window
    assert not decision.idle


def test_a_dead_kernel_counts_by_its_last_activity():
    assert autostop.decide([session("dead", 120)], NOW, 60, 10 * HOUR).idle
    decision = autostop.decide([session("dead", 5)], NOW, 60, 10 * HOUR)
    assert decision == autostop.Decision(False, "kernel python3 is dead, was active 5 min ago")


def test_a_stuck_kernel_does_not_hide_one_that_is_in_use():
    # Given a kernel stuck starting for hours, beside a notebook used 10 minutes ago
    sessions = [session("starting", 300, name="r"), session("idle", 10, path="train.ipynb")]
    # Then the instance is not idle
    assert autostop.decide(sessions, NOW, 60, 10 * HOUR) == autostop.Decision(
        False, "kernel python3 was active 10 min ago"
    )
    # And a recently used terminal keeps it up too
    assert not autostop.decide([session("starting", 300)], NOW, 60, 10 * HOUR, [terminal("2", 4)]).idle


def test_an_unknown_kernel_state_counts_by_its_last_activity():
    assert autostop.decide([session("unknown", 120)], NOW, 60, 10 * HOUR).idle
    assert not autostop.decide([session("unknown", 20)], NOW, 60, 10 * HOUR).idle


# Two sessions (a notebook, a console) and a terminal, as Jupyter Server 2.x writes them.
JUPYTER_SESSIONS = """[
  {"id": "8f2c7b1e-5d7a-4c1f-9f55-2f3b9a0d6e11", "path": "fraud/train.ipynb", "name": "train.ipynb",
   "type": "notebook",
   "kernel": {"id": "c0b7d6a2-1e4f-4d8b-a3c9-7e2f5b1d9a40", "name": "conda_pytorch_p310",
              "last_activity": "2025-03-01T08:14:03.512871Z", "execution_state": "busy", "connections": 0},
   "notebook": {"path": "fraud/train.ipynb", "name": "train.ipynb"}},
  {"id": "41d9e3f0-7b2a-4e65-8c1d-0a9f6b3e2c77", "path": "Console 1", "name": "Console 1", "type": "console",
   "kernel": {"id": "5a3e9c1b-2d7f-4b08-9e6a-1c4d8f2b7e93", "name": "python3",
              "last_activity": "2025-03-01T09:02:41.007Z", "execution_state": "idle", "connections": 1}}
]"""
JUPYTER_TERMINALS = '[{"name": "1", "last_activity": "2025-03-01T09:30:00.000000Z"}]'


def test_jupyter_servers_own_answers_are_read_as_they_come():
    # Given a training cell silent for 3 h 46 min, an idle console and a terminal used 2.5 hours ago
    # When the decision is made with a 60-minute window, then the training cell keeps the instance up
    decision = autostop.decide(JUPYTER_SESSIONS, NOW, 60, 10 * HOUR, JUPYTER_TERMINALS)
    assert decision == autostop.Decision(False, "kernel conda_pytorch_p310 is busy")
    # And once the cell has finished (idle since then), nothing does
    finished = JUPYTER_SESSIONS.replace('"busy"', '"idle"')
    assert autostop.decide(finished, NOW, 60, 10 * HOUR, JUPYTER_TERMINALS).idle


# --- the decision: everything else -------------------------------------------------------------


def test_a_kernel_active_within_n_minutes_keeps_the_instance_running():
    decision = autostop.decide([session("idle", minutes_ago=59), session("idle", 300, "r")], NOW, 60, 10 * HOUR)
    assert not decision.idle
    assert "active 59 min ago" in decision.reason


def test_idle_kernels_all_older_than_n_minutes_make_the_instance_idle():
    decision = autostop.decide([session("idle", 61), session("idle", 300, name="r")], NOW, 60, 10 * HOUR)
    assert decision == autostop.Decision(True, "no kernel or terminal activity for 60 min")


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
        '[{"kernel": {"execution_state": "busy", "last_activity": "yesterday"}}]',
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
        "busy, unreadable last_activity",
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
    assert autostop.decide([{**session(), "kernel": None}], NOW, 60, 10 * HOUR).idle


def test_a_recently_used_terminal_keeps_the_instance_running():
    terminals = [terminal("1", 3)]
    decision = autostop.decide([session("idle", 120)], NOW, 60, 10 * HOUR, terminals)
    assert decision == autostop.Decision(False, "terminal 1 was active 3 min ago")
    assert not autostop.decide([], NOW, 60, 10 * HOUR, terminals).idle
    assert autostop.decide([], NOW, 60, 10 * HOUR, [terminal("1", 61)]).idle


def test_a_terminal_that_cannot_be_read_is_never_idle():
    assert not autostop.decide([], NOW, 60, 10 * HOUR, [{"name": "1"}]).idle
    assert not autostop.decide([], NOW, 60, 10 * HOUR, '{"terminals": []}').idle


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


class StandIn(http.server.BaseHTTPRequestHandler):
    """Answers (method, path) from its server's `answers`: (code, body), or a function of the request."""

    def _answer(self) -> None:
        self.server.seen.append((self.command, self.path))
        answer = self.server.answers.get((self.command, self.path), (404, '{"message": "Not Found"}'))
        code, body = answer(self) if callable(answer) else answer
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_PUT = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def serve() -> Iterator:
    """serve(answers): a stand-in HTTP server on 127.0.0.1, with .url, .answers and .seen."""
    servers = []

    def start(answers: dict) -> http.server.ThreadingHTTPServer:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
        server.answers, server.seen = dict(answers), []
        server.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def jupyter(serve):
    """The notebook server's API; the test sets what /api/sessions and /api/terminals answer."""
    return serve({("GET", "/api/sessions"): (200, "[]"), ("GET", "/api/terminals"): (200, "[]")})


CREDENTIALS = {
    "Code": "Success",
    "LastUpdated": "2025-03-01T11:40:00Z",
    "Type": "AWS-HMAC",
    "AccessKeyId": "ASIAEXAMPLEEXAMPLE00",
    "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "Token": "IQoJb3JpZ2luX2VjEXAMPLE",
    "Expiration": "2025-03-01T18:00:00Z",
}


def with_token(body: str):
    """An IMDSv2 answer: 401 without the session token from PUT /latest/api/token."""
    return lambda request: (200, body) if request.headers.get("X-aws-ec2-metadata-token") == "imds-token" else (401, "")


@pytest.fixture
def imds(serve):
    """The EC2 instance metadata service, IMDSv2 only, holding the notebook role's credentials."""
    base = "/latest/meta-data/iam/security-credentials/"
    return serve(
        {
            ("PUT", "/latest/api/token"): (200, "imds-token"),
            ("GET", base): with_token(ROLE),
            ("GET", base + ROLE): with_token(json.dumps(CREDENTIALS)),
        }
    )


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """moto's server, in-process on a free port: the SageMaker API the stop is sent to."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class Notebook:
    """An in-service notebook instance, and what autostop reads and calls on it."""

    sagemaker: Any  # a boto3 client of the emulator, to look at the instance
    endpoint: str
    jupyter: Any
    imds: Any
    metadata: Path
    uptime: Path

    def status(self) -> str:
        answer = self.sagemaker.describe_notebook_instance(NotebookInstanceName=INSTANCE)
        return answer["NotebookInstanceStatus"]

    def answers(self, sessions: list, terminals: list | None = None) -> None:
        """What Jupyter answers to GET /api/sessions (and /api/terminals)."""
        self.jupyter.answers[("GET", "/api/sessions")] = (200, json.dumps(sessions))
        if terminals is not None:
            self.jupyter.answers[("GET", "/api/terminals")] = (200, json.dumps(terminals))

    def cron_run(self, *extra: str, region: str | None = REGION, jupyter: str = "") -> int:
        """One run, as cron's (--idle-minutes 60), against the stand-ins."""
        jupyter = jupyter or self.jupyter.url
        argv = ["--idle-minutes", "60", *(["--region", region] if region else [])]
        argv += ["--sessions-url", f"{jupyter}/api/sessions", "--terminals-url", f"{jupyter}/api/terminals"]
        argv += ["--metadata-file", str(self.metadata), "--uptime-file", str(self.uptime)]
        argv += ["--imds-url", self.imds.url, "--endpoint-url", self.endpoint]
        return autostop.main([*argv, *extra], now=NOW)


@pytest.fixture
def notebook(moto_server: str, jupyter, imds, tmp_path: Path) -> Notebook:
    """An instance up for 10 hours, in service in the emulator, with no sessions or terminals yet."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")).close()
    client = boto3.client(
        "sagemaker",
        region_name=REGION,
        endpoint_url=moto_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_notebook_instance(
        NotebookInstanceName=INSTANCE,
        InstanceType="ml.t3.medium",
        RoleArn="arn:aws:iam::123456789012:role/team-a-execution",
    )
    metadata = tmp_path / "resource-metadata.json"
    arn = f"arn:aws:sagemaker:{REGION}:123456789012:notebook-instance/{INSTANCE}"
    metadata.write_text(json.dumps({"ResourceArn": arn, "ResourceName": INSTANCE}))
    uptime = tmp_path / "uptime"
    uptime.write_text("36000.25 70000.00\n")
    return Notebook(client, moto_server, jupyter, imds, metadata, uptime)


STOPPED = ("Stopping", "Stopped")


def test_an_idle_instance_is_stopped_with_the_instance_roles_credentials(notebook, capsys):
    # Given an in-service instance whose only kernel has been idle for two hours
    notebook.answers([session("idle", 120)], [])
    # When the cron run happens
    code = notebook.cron_run()
    # Then the instance is stopping, and the run says so in one JSON line
    assert code == 0, capsys.readouterr().err
    assert notebook.status() in STOPPED
    report = json.loads(capsys.readouterr().out)
    assert (report["action"], report["instance"]) == ("stopped", INSTANCE)
    # And the credentials came from IMDSv2: a session token first, then the role's keys
    assert notebook.imds.seen == [
        ("PUT", "/latest/api/token"),
        ("GET", "/latest/meta-data/iam/security-credentials/"),
        ("GET", f"/latest/meta-data/iam/security-credentials/{ROLE}"),
    ]


def test_a_kernel_stuck_starting_does_not_keep_the_instance_billing(notebook, capsys):
    # Given a kernel that has been "starting" for three hours, and nothing else
    notebook.answers([session("starting", 180)], [])
    # When the cron run happens, then the instance is stopped, and the log names the stuck kernel
    assert notebook.cron_run() == 0
    assert notebook.status() in STOPPED
    assert "kernel python3 stuck starting for 180 min" in json.loads(capsys.readouterr().out)["reason"]


def test_a_stop_without_region_is_one_error_line_and_no_stop(notebook, capsys):
    assert notebook.cron_run(region=None) == 1
    assert capsys.readouterr().err == "autostop: error: ValueError: stopping needs --region\n"
    assert notebook.status() == "InService"


def test_a_busy_instance_is_left_running(notebook, capsys):
    notebook.answers([session("busy", 600)], [])
    assert notebook.cron_run() == 0
    assert notebook.status() == "InService"
    assert json.loads(capsys.readouterr().out)["action"] == "none"
    assert notebook.imds.seen == []  # no credentials asked for


def test_max_busy_hours_on_the_command_line_stops_a_long_silent_cell(notebook):
    notebook.answers([session("busy", 600)], [])
    assert notebook.cron_run("--max-busy-hours", "8") == 0
    assert notebook.status() in STOPPED


def test_a_dry_run_says_it_would_stop_and_stops_nothing(notebook, capsys):
    # Given no sessions on an instance up for ten hours, and a server without the terminals API
    del notebook.jupyter.answers[("GET", "/api/terminals")]
    # When a dry run happens
    assert notebook.cron_run("--dry-run") == 0
    # Then it would stop, and the instance is still in service
    assert json.loads(capsys.readouterr().out)["action"] == "would_stop"
    assert notebook.status() == "InService"
    assert notebook.imds.seen == []


def test_jupyter_not_answering_is_one_error_line_and_no_stop(notebook, capsys):
    # Given nothing listening where the notebook server should be
    code = notebook.cron_run(jupyter="http://127.0.0.1:9")
    # Then the run fails with one line, and the instance keeps running
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("autostop: error: ")
    assert len(err.strip().splitlines()) == 1
    assert notebook.status() == "InService"


def test_a_stop_that_aws_refuses_is_one_error_line(notebook, capsys):
    # Given instance metadata naming an instance that AWS does not know, and no sessions
    notebook.metadata.write_text(json.dumps({"ResourceName": "not-this-one"}))
    # When the run tries to stop it, then AWS's refusal is one line and the exit code is 1
    assert notebook.cron_run() == 1
    err = capsys.readouterr().err
    assert err.startswith("autostop: error: AwsError: StopNotebookInstance: ")
    assert len(err.strip().splitlines()) == 1
    assert notebook.status() == "InService"


@pytest.mark.parametrize(("code", "roles"), [(404, "Not Found"), (200, "")], ids=["no role", "empty list"])
def test_no_role_credentials_in_the_instance_metadata_is_one_error_line(notebook, code, roles, capsys):
    # Given an instance metadata service with no role attached
    notebook.imds.answers[("GET", "/latest/meta-data/iam/security-credentials/")] = (code, roles)
    # When an idle run tries to stop, then it says so in one line, and nothing is stopped
    assert notebook.cron_run() == 1
    err = capsys.readouterr().err
    assert err.startswith("autostop: error: ")
    assert len(err.strip().splitlines()) == 1
    assert notebook.status() == "InService"


def test_zero_idle_minutes_reads_nothing_and_stops_nothing(notebook, capsys):
    argv = ["--idle-minutes", "0", "--sessions-url", "http://127.0.0.1:9/x", "--imds-url", notebook.imds.url]
    assert autostop.main(argv) == 0
    assert json.loads(capsys.readouterr().out)["reason"] == "auto-stop is disabled"
    assert notebook.status() == "InService"
    assert notebook.jupyter.seen == notebook.imds.seen == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--idle-minutes", "an hour"], "argument --idle-minutes: invalid int value: 'an hour'"),
        (["--idle-minutes", "-5"], "--idle-minutes must be 0 or more"),
        (["--idle-minutes", "60", "--max-busy-hours", "-1"], "--max-busy-hours must be between 0 and 8760 (a year)"),
        (["--idle-minutes", "60", "--max-busy-hours", "inf"], "--max-busy-hours must be between 0 and 8760 (a year)"),
        (["--idle-minutes", "60", "--region", "eu west 1"], "--region 'eu west 1' is not an AWS region"),
        ([], "the following arguments are required: --idle-minutes"),
    ],
    ids=["idle not a number", "idle negative", "cap negative", "cap infinite", "region not a region", "no idle"],
)
def test_bad_arguments_are_one_clear_line_and_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exited:
        autostop.main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err == f"autostop: error: {message}\n"


# --- the signature -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["https://api.sagemaker.eu-west-1.amazonaws.com", "http://127.0.0.1:4566", "https://vpce.example:8443/"]
)
@pytest.mark.parametrize("token", ["IQoJb3JpZ2luX2VjEXAMPLE", None], ids=["session token", "no token"])
def test_the_stop_request_is_signed_exactly_as_botocore_signs_it(url, token, monkeypatch):
    # Given the same request, credentials and time
    body = json.dumps({"NotebookInstanceName": INSTANCE}).encode()
    target = "SageMaker.StopNotebookInstance"
    keys = ("ASIAEXAMPLEEXAMPLE00", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda remove_tzinfo=True: NOW.replace(tzinfo=None))
    reference = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
    )
    botocore.auth.SigV4Auth(BotocoreCredentials(*keys, token), "sagemaker", REGION).add_auth(reference)
    # When autostop signs it
    ours = autostop.sign_v4(url, target, body, autostop.Credentials(*keys, token), REGION, NOW)
    # Then the signature and the signed headers are botocore's
    assert ours["Authorization"] == reference.headers["Authorization"]
    for name in ("X-Amz-Date", "X-Amz-Target", "Content-Type"):
        assert ours[name] == reference.headers[name]
    assert ours.get("X-Amz-Security-Token") == reference.headers.get("X-Amz-Security-Token")


@pytest.mark.parametrize(
    ("region", "endpoint"),
    [
        ("eu-west-1", "https://api.sagemaker.eu-west-1.amazonaws.com"),
        ("us-gov-west-1", "https://api.sagemaker.us-gov-west-1.amazonaws.com"),
        ("cn-north-1", "https://api.sagemaker.cn-north-1.amazonaws.com.cn"),
    ],
)
def test_the_stop_goes_to_the_regional_sagemaker_api(region, endpoint, monkeypatch):
    calls = []
    monkeypatch.setattr(autostop, "fetch", lambda url, *args, **kwargs: calls.append((url, kwargs)) or "{}")
    autostop.stop_instance(INSTANCE, region, autostop.Credentials("AKIDEXAMPLE", "secret"))
    [(url, request)] = calls
    assert url == endpoint
    assert request["method"] == "POST"
    assert json.loads(request["data"]) == {"NotebookInstanceName": INSTANCE}
    assert f"/{region}/sagemaker/aws4_request" in request["headers"]["Authorization"]


# --- what runs on the instance ----------------------------------------------------------------


def test_certificate_checks_are_off_for_the_local_notebook_server_only():
    local = autostop.ssl_context_for("https://localhost:8443/api/sessions")
    assert local.verify_mode == ssl.CERT_NONE
    assert not local.check_hostname
    remote = autostop.ssl_context_for("https://api.sagemaker.eu-west-1.amazonaws.com")
    assert remote.verify_mode == ssl.CERT_REQUIRED
    assert remote.check_hostname
    assert autostop.ssl_context_for("http://127.0.0.1:8888/api/sessions") is None


def test_the_script_is_python_3_7_syntax():
    # Root's cron runs it with the OS's python3: 3.7 on Amazon Linux 2 (notebook-al2-*).
    ast.parse(AUTOSTOP.read_text(), feature_version=(3, 7))


def test_the_script_imports_nothing_but_the_standard_library():
    # It runs as root with python3 -I -S: a third-party import would not even be found (and,
    # found in a user-writable place, would be code the notebook user could change).
    tree = ast.parse(AUTOSTOP.read_text())
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported - {"__future__"} <= sys.stdlib_module_names, imported - sys.stdlib_module_names


def test_the_script_runs_isolated_without_site_packages():
    done = subprocess.run([sys.executable, "-I", "-S", str(AUTOSTOP), "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--max-busy-hours" in done.stdout
