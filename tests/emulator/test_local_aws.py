"""tools/local_aws.py: the emulator starts once, answers, stops only itself, and says why it can't."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from smenv.live import local_aws
from smenv_testing import REPO, TEST_EMULATOR_PORT

pytestmark = pytest.mark.emulator
PORT = TEST_EMULATOR_PORT + 1  # apart from the session's emulator


def cli(*args: str, port: int = PORT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "tools/local_aws.py", *args, "--port", str(port)], cwd=REPO, capture_output=True, text=True
    )


@pytest.fixture
def stopped_afterwards() -> Iterator[None]:
    yield
    local_aws.stop(PORT)


def test_start_twice_is_one_emulator_that_answers_and_holds_the_state_bucket(stopped_afterwards):
    # Given no emulator on the port
    assert cli("status").returncode == local_aws.NOT_RUNNING
    # When it is started twice
    first, second = cli("start"), cli("start")
    # Then the second start finds the first one running
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "emulator started at http://127.0.0.1:" in first.stdout
    assert "emulator already running" in second.stdout
    pid = json.loads(local_aws.record_path(PORT).read_text())["pid"]
    assert f"pid {pid}" in first.stdout and f"pid {pid}" in second.stdout
    # And it answers AWS calls, with the local state bucket made
    s3 = local_aws.emulator_session("us-east-1").client("s3", endpoint_url=local_aws.emulator_url(PORT))
    assert "smenv-local-tfstate-123456789012-us-east-1" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert cli("status").returncode == 0


def test_stop_ends_the_emulator_and_a_second_stop_is_harmless(stopped_afterwards):
    assert cli("start").returncode == 0
    pid = json.loads(local_aws.record_path(PORT).read_text())["pid"]
    stop = cli("stop")
    assert stop.returncode == 0 and f"emulator stopped (pid {pid})" in stop.stdout
    assert not local_aws.is_ours(pid)
    assert not local_aws.port_in_use(PORT)
    again = cli("stop")
    assert again.returncode == 0 and "emulator was not running" in again.stdout


def test_a_port_held_by_another_program_is_one_clear_line_and_that_program_lives_on():
    # Given another program listening on the port
    with socket.socket() as other:
        other.bind(("127.0.0.1", PORT))
        other.listen()
        # When the emulator is asked to start there
        proc = cli("start")
        # Then it refuses in one line, and the other program is untouched
        assert proc.returncode == 1
        assert proc.stderr.strip() == (
            f"local_aws: error: port {PORT} is in use by another program; "
            "free it or choose another port (SMENV_EMULATOR_PORT=<port> or --port)"
        )
        assert local_aws.port_in_use(PORT)
    assert not local_aws.record_path(PORT).exists()


def test_stop_never_kills_a_process_it_did_not_start():
    # Given a stale record naming someone else's process (a recycled pid)
    other = subprocess.Popen(["sleep", "60"])
    try:
        local_aws.STATE_DIR.mkdir(exist_ok=True)
        local_aws.record_path(PORT).write_text(json.dumps({"pid": other.pid, "port": PORT}))
        # When stop runs, then that process is left alone
        proc = cli("stop")
        assert proc.returncode == 0 and "emulator was not running" in proc.stdout
        assert other.poll() is None
    finally:
        other.send_signal(signal.SIGTERM)
        other.wait()


def test_a_port_out_of_range_is_bad_usage():
    proc = cli("start", port=80)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "local_aws: error: --port must be from 1024 to 65535, got 80"
