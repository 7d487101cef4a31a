"""When a run-all fails, the user sees Terraform's errors, not a page of Terragrunt's noise."""

from __future__ import annotations

import live

LOG = """\
time=2026-11-29T11:00:20Z level=info msg=Executing hook: clock_end prefix=[/work/main/live/local/network]
\x1b[31m╷\x1b[0m\x1b[0m
\x1b[31m│\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1mlisting tags for Application Auto Scaling Target: StatusCode: 500\x1b[0m
\x1b[31m│\x1b[0m \x1b[0m
\x1b[31m╵\x1b[0m\x1b[0m
time=2026-11-29T11:00:20Z level=error msg=Module /work/main/live/local/endpoint has finished with an error
\x1b[31m│\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1mlisting tags for Application Auto Scaling Target: StatusCode: 500\x1b[0m
\x1b[31m│\x1b[0m Error: Invalid function argument
"""


def test_a_failed_runs_log_gives_each_terraform_error_once_without_colour(tmp_path):
    # Given a Terragrunt log with coloured Terraform errors, one of them twice
    log = tmp_path / "local-apply.log"
    log.write_text(LOG)
    # When the errors are picked out
    errors = live.terraform_errors(log)
    # Then each is one plain line, in order, once
    assert errors == [
        "Error: listing tags for Application Auto Scaling Target: StatusCode: 500",
        "Error: Invalid function argument",
    ]


def test_a_log_without_terraform_errors_gives_none(tmp_path):
    log = tmp_path / "local-apply.log"
    log.write_text("time=... level=error msg=Cannot process module\n")
    assert live.terraform_errors(log) == []
    assert live.terraform_errors(tmp_path / "missing.log") == []
