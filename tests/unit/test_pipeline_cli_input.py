"""tools/pipeline.py on bad input: one line on stderr, exit 2, never a traceback, and no AWS call
(everything here is refused before the tool makes a client)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from smenv.pipelines import pipeline
from smenv_testing import REPO


@pytest.fixture(autouse=True)
def no_aws(monkeypatch):
    """Any attempt to reach AWS fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the tool reached for AWS on bad input")

    monkeypatch.setattr(pipeline, "connect", refuse)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["upsert", "--env", "nowhere", "--team", "fraud"], "unknown environment 'nowhere': choose one of"),
        (
            ["upsert", "--env", "dev", "--team", "nobody"],
            "team 'nobody' is not in live/dev/env.hcl (teams: fraud, pricing)",
        ),
        (
            ["start", "--env", "dev", "--team", "fraud", "--parameter", "AccuracyThreshold"],
            "--parameter 'AccuracyThreshold': expected NAME=VALUE",
        ),
        (["start", "--env", "dev", "--team", "fraud", "--parameter", "=1"], "--parameter '=1': expected NAME=VALUE"),
        (
            ["start", "--env", "dev", "--team", "fraud", "--parameter", "Nope=1"],
            "--parameter Nope: the pipeline has no such parameter (it has InputData, AccuracyThreshold)",
        ),
        (
            ["start", "--env", "dev", "--team", "fraud", "--parameter", "AccuracyThreshold=high"],
            "--parameter AccuracyThreshold=high: not a Float",
        ),
        (
            ["render", "--env", "dev", "--team", "fraud", "--definition", "/nonexistent.json"],
            "cannot read the pipeline definition /nonexistent.json",
        ),
        (["deploy", "--env", "dev", "--team", "fraud"], "argument command: invalid choice: 'deploy'"),
        (["upsert", "--team", "fraud"], "the following arguments are required: --env"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, error):
    # When the tool is given bad input
    code = pipeline.main(argv)
    out, err = capsys.readouterr()
    # Then it says what is wrong in one line and exits 2
    assert code == 2
    assert one_line(err).startswith(f"pipeline: error: {error}")
    assert out == ""


def test_with_json_a_bad_input_is_also_one_json_document(capsys):
    code = pipeline.main(["start", "--env", "dev", "--team", "nobody", "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and one_line(err).startswith("pipeline: error: team 'nobody'")
    assert '"exit_code": 2' in out


def test_the_command_itself_refuses_an_unknown_parameter_in_one_line():
    # Given the real command line, as a user runs it
    proc = subprocess.run(
        [sys.executable, "tools/pipeline.py", "start", "--env", "dev", "--team", "fraud", "--parameter", "Nope=1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Then one line and exit 2, and nothing on stdout
    assert proc.returncode == 2
    assert one_line(proc.stderr).startswith("pipeline: error: --parameter Nope: the pipeline has no such parameter")
    assert proc.stdout == ""
