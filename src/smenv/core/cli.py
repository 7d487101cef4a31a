"""How every command ends: one exit code and, on failure, one line on stderr, never a traceback.

The exit codes the README and each command's docstring document:

    0    done
    1    an AWS call failed, or the command's own work did (a failed copy, a failed apply)
    2    bad usage: a wrong argument, an unknown environment, a missing profile
    3    refused: the input is well formed but the command will not act on it (promote_model)
    130  interrupted (Ctrl-C)

`verdict` is the decision (pure); `run` applies it around a command's body, and `run_reporting`
around one that ends with a report (text, or JSON with --json).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn, Protocol

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

from smenv.core.awsutil import describe_error
from smenv.core.project import UsageError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_INTERRUPTED = 130

# Missing credentials are the caller's to fix: a command may count them as usage (`usage=CREDENTIALS`).
CREDENTIALS: tuple[type[Exception], ...] = (NoCredentialsError, PartialCredentialsError)
NO_CREDENTIALS = "no AWS credentials found (set a profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"

Kinds = tuple[type[BaseException], ...]


def verdict(
    exc: BaseException, *, usage: Kinds = (), refused: Kinds = (), failed: Kinds = ()
) -> tuple[int, str] | None:
    """(exit code, the line after "<tool>: error: ") for what a command ended on, or None for an
    exception no command expects (a bug: let it raise with its traceback).

    UsageError and `usage` -> 2 (missing credentials named as such); `refused` -> 3, its line
    prefixed "refused: "; botocore's ClientError and BotoCoreError -> 1, described by
    awsutil.describe_error; `failed` -> 1; KeyboardInterrupt -> 130. The order matters where the
    kinds overlap: ProfileNotFound is a BotoCoreError, and a command lists it under `usage`."""
    if isinstance(exc, (UsageError, *usage)):
        return EXIT_USAGE, NO_CREDENTIALS if isinstance(exc, CREDENTIALS) else str(exc)
    if isinstance(exc, refused):
        return EXIT_REFUSED, f"refused: {exc}"
    if isinstance(exc, (ClientError, BotoCoreError)):
        return EXIT_FAILURE, describe_error(exc)
    if isinstance(exc, failed):
        return EXIT_FAILURE, str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    return None


def run(
    tool: str,
    body: Callable[[], int],
    *,
    usage: Kinds = (),
    failed: Kinds = (),
    interrupted: str = "",
) -> int:
    """body()'s exit code; when it raises what `verdict` knows, that code and one line on stderr:
    "<tool>: error: <line>", or "<tool>: interrupted; <interrupted>" after Ctrl-C (what to do next)."""
    try:
        return body()
    except (Exception, KeyboardInterrupt) as exc:
        found = verdict(exc, usage=usage, failed=failed)
        if found is None:
            raise
        code, line = found
        if code == EXIT_INTERRUPTED and interrupted:
            print(f"{tool}: interrupted; {interrupted}", file=sys.stderr)
        else:
            print(f"{tool}: error: {line}", file=sys.stderr)
        return code


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, "<prog>: error: <message>", and exit 2 (not
    argparse's usage block above it)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def progress(as_json: bool) -> Callable[[str], None]:
    """say(line): progress on stderr for a person at a terminal; nothing under --json or when
    stderr is a file or a pipe (CI logs keep the result only)."""
    shown = sys.stderr.isatty() and not as_json

    def say(message: str) -> None:
        if shown:
            print(message, file=sys.stderr)

    return say


class Report(Protocol):
    """What a reporting command fills as it goes (promote_model's, pipeline's)."""

    def document(self) -> dict[str, Any]: ...

    def text(self) -> str: ...


def run_reporting(
    tool: str,
    body: Callable[[], None],
    report: Report,
    *,
    as_json: bool,
    usage: Kinds = (),
    refused: Kinds = (),
    failed: Kinds = (),
) -> int:
    """body() fills `report`; then the report on stdout (its text, or its document as JSON) and
    exit 0. When body raises what `verdict` knows: one line on stderr, and with `as_json` the
    document so far with status "refused" or "error", exit_code and error, on stdout."""
    try:
        body()
    except (Exception, KeyboardInterrupt) as exc:
        found = verdict(exc, usage=usage, refused=refused, failed=failed)
        if found is None:
            raise
        code, error = found
        print(f"{tool}: error: {error}", file=sys.stderr)
        if as_json:
            status = "refused" if code == EXIT_REFUSED else "error"
            ended = {**report.document(), "status": status, "exit_code": code, "error": error}
            print(json.dumps(ended, indent=2, default=str))
        return code
    print(json.dumps(report.document(), indent=2, default=str) if as_json else report.text())
    return EXIT_OK
