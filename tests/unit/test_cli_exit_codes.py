"""Every command ends the same way: the documented exit code and one line, never a traceback.

smenv.core.cli holds the ladder (usage 2, refused 3, AWS failure 1, interrupted 130) that each
command used to copy; these are its rules, read as a user meets them.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, ProfileNotFound

from smenv.core import cli
from smenv.core.project import UsageError


class CopyFailed(Exception):
    pass


class Refused(Exception):
    pass


def denied() -> ClientError:
    return ClientError({"Error": {"Code": "AccessDenied", "Message": "not yours"}}, "GetParameter")


@pytest.mark.parametrize(
    ("raised", "code", "line"),
    [
        (UsageError("--env: no live/qa/env.hcl"), 2, "--env: no live/qa/env.hcl"),
        (ProfileNotFound(profile="dev"), 2, "The config profile (dev) could not be found"),
        (NoCredentialsError(), 2, cli.NO_CREDENTIALS),
        (Refused("the package is PendingManualApproval"), 3, "refused: the package is PendingManualApproval"),
        (CopyFailed("the copy's ETag differs"), 1, "the copy's ETag differs"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
    ids=["usage", "missing-profile", "no-credentials", "refused", "own-failure", "interrupted"],
)
def test_each_kind_of_ending_gets_its_documented_exit_code_and_line(raised, code, line):
    # Given a command that counts a missing profile and missing credentials as usage
    kinds = {"usage": (ProfileNotFound, *cli.CREDENTIALS), "refused": (Refused,), "failed": (CopyFailed,)}
    # When it ends on the exception, then the verdict is the documented code and line
    assert cli.verdict(raised, **kinds) == (code, line)


def test_an_aws_error_is_exit_1_described_by_its_code_and_message():
    code, line = cli.verdict(denied())
    assert code == 1
    assert "AccessDenied" in line and "not yours" in line


def test_a_profile_error_is_an_aws_failure_unless_the_command_counts_it_as_usage():
    # Given a BotoCoreError that a command may call usage
    missing = ProfileNotFound(profile="dev")
    # Then by default it is an AWS failure, and as usage it is exit 2
    assert cli.verdict(missing)[0] == 1
    assert cli.verdict(missing, usage=(ProfileNotFound,))[0] == 2


def test_an_exception_no_command_expects_is_left_to_raise():
    # A bug keeps its traceback: the verdict knows nothing of it, and run re-raises it
    assert cli.verdict(ZeroDivisionError()) is None
    with pytest.raises(ZeroDivisionError):
        cli.run("tool", lambda: 1 // 0)


def test_run_prints_one_line_and_returns_the_code(capsys):
    def body() -> int:
        raise EndpointConnectionError(endpoint_url="https://sts.example")

    # When the body fails on an AWS call, then one line names the tool and the code is 1
    assert cli.run("sweep", body) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sweep: error: ")


def test_run_after_ctrl_c_says_what_to_do_next(capsys):
    def body() -> int:
        raise KeyboardInterrupt

    assert cli.run("live", body, interrupted="run the same command again") == 130
    assert capsys.readouterr().err == "live: interrupted; run the same command again\n"


def test_run_returns_the_bodys_own_code_when_it_ends_normally(capsys):
    assert cli.run("tool", lambda: 0) == 0
    assert cli.run("tool", lambda: 2) == 2
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("terminal", "as_json", "shown"), [(True, False, True), (True, True, False), (False, False, False)]
)
def test_progress_lines_reach_a_person_at_a_terminal_only(monkeypatch, capsys, terminal, as_json, shown):
    # Given stderr a terminal or not, and --json or not
    monkeypatch.setattr("sys.stderr.isatty", lambda: terminal)
    say = cli.progress(as_json)
    # When the command says where it is
    say("copying 3 artifacts")
    # Then only a person at a terminal, without --json, sees it
    assert capsys.readouterr().err == ("copying 3 artifacts\n" if shown else "")


def test_a_wrong_argument_is_one_line_and_exit_2(capsys):
    # Given a command's parser with a required option
    parser = cli.OneLineParser(prog="promote_model")
    parser.add_argument("--model-package-arn", required=True)
    # When it is called without it, then it exits 2 with one line and no usage block
    with pytest.raises(SystemExit) as ended:
        parser.parse_args([])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("promote_model: error: the following arguments are required")
