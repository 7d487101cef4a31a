"""Gaps in moto 5.2.5 that Terraform (and the enforcer Lambda) run into, each filled as narrowly as possible.

A patch here makes the emulator answer a call it does not implement (or answers wrongly); it never
changes what the modules or the Lambda code ask for. Each has a test in
tests/moto/test_emulator_patches.py (in-process moto; apply_all() is also what tools/emulator.py
runs before the server starts).

Each patch is registered with the gap it fills, `@patch(gap=..., effect=...)`: README.md's "Emulator
gaps" table is generated from those, one row per gap in the order the patches are declared, so it
cannot drift (tests/unit/test_emulator_gap_table.py checks it):

    python tools/emulator_patches.py            # print the table
    python tools/emulator_patches.py --write    # write it into README.md between the markers
    python tools/emulator_patches.py --check    # exit 1 (one line) when README.md's table is stale

Importing this module patches nothing: apply_all() does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

from smenv.core.project import REPO

README = REPO / "README.md"
BEGIN, END = "<!-- BEGIN_EMULATOR_GAPS -->", "<!-- END_EMULATOR_GAPS -->"


@dataclass(frozen=True)
class Gap:
    """A patch's row in README.md's "Emulator gaps" table: what moto lacks, and what that breaks here.

    filled_by is the row's last cell where the patch's name alone would not say it (a row several
    patches share, a note); None gives the patch's name in backticks.
    """

    gap: str
    effect: str
    filled_by: str | None = None


PATCHES: list[Callable[[], None]] = []
GAPS: dict[str, Gap] = {}  # patch name -> the gap it fills


def patch(*, gap: str, effect: str, filled_by: str | None = None) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated function as a patch, with its row of README.md's gap table (markdown)."""

    def register(func: Callable[[], None]) -> Callable[[], None]:
        PATCHES.append(func)
        GAPS[func.__name__] = Gap(gap, effect, filled_by)
        return func

    return register


_APPLIED: set[str] = set()


def apply_all() -> None:
    """Apply every patch, once per process (tests call this in many places)."""
    for func in PATCHES:
        if func.__name__ not in _APPLIED:
            func()
            _APPLIED.add(func.__name__)


# The patches register themselves as they are imported, in the order of README.md's table.
# isort: off
from smenv.live.emulator_patches import basics  # noqa: E402  (after patch(), which they use)
from smenv.live.emulator_patches import sagemaker_jobs  # noqa: E402
from smenv.live.emulator_patches import ecr  # noqa: E402
from smenv.live.emulator_patches import dns_firewall  # noqa: E402
from smenv.live.emulator_patches import sagemaker_kinds  # noqa: E402
from smenv.live.emulator_patches import studio  # noqa: E402
from smenv.live.emulator_patches import sagemaker_pipelines  # noqa: E402
# isort: on

__all__ = ["BEGIN", "END", "GAPS", "PATCHES", "README", "apply_all", "gap_table", "main", "patch"]
SECTIONS = (basics, sagemaker_jobs, ecr, dns_firewall, sagemaker_kinds, studio, sagemaker_pipelines)


# --- README.md's "Emulator gaps" table, from the registrations above ---------------------------------


def gap_table() -> str:
    """The markdown table (no trailing newline): a header, then one row per gap, in the order the
    patches are declared; a row several patches share appears once."""
    rows = ["| gap | effect | filled by |", "| --- | --- | --- |"]
    for func in PATCHES:
        gap = GAPS[func.__name__]
        row = f"| {gap.gap} | {gap.effect} | {gap.filled_by or f'`{func.__name__}`'} |"
        if row not in rows:
            rows.append(row)
    return "\n".join(rows)


def with_gap_table(readme: str) -> str:
    """readme with gap_table() between the BEGIN and END markers; ValueError when either is missing."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return f"{readme[:start]}\n{gap_table()}\n{readme[end:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print README.md's emulator gap table, or write or check it there.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the table into README.md")
    mode.add_argument("--check", action="store_true", help="exit 1 when README.md's table is stale")
    args = parser.parse_args(argv)
    if not (args.write or args.check):
        print(gap_table())
        return 0
    try:
        readme = README.read_text()
        wanted = with_gap_table(readme)
    except OSError as error:
        print(f"emulator_patches: error: cannot read {README}: {error.strerror}", file=sys.stderr)
        return 1
    except ValueError:
        print(f"emulator_patches: error: README.md lacks the {BEGIN} ... {END} markers", file=sys.stderr)
        return 1
    rows = len(gap_table().splitlines()) - 2
    if args.check:
        if wanted != readme:
            print(
                "emulator_patches: error: README.md's emulator gap table is stale: "
                "run `python tools/emulator_patches.py --write`",
                file=sys.stderr,
            )
            return 1
        print(f"README.md lists all {rows} emulator gaps ({len(PATCHES)} patches)")
        return 0
    README.write_text(wanted)
    print(f"wrote {rows} emulator gaps ({len(PATCHES)} patches) into README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
