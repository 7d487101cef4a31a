"""docs/validation.md's table of checkov skips, generated from the inline skips so it cannot drift.

    python tools/skips.py            # print the table
    python tools/skips.py --write    # write it into docs/validation.md between the markers
    python tools/skips.py --check    # exit 1 (one line) when docs/validation.md's table is stale

A skip is a comment inside a resource block: `# checkov:skip=CKV_AWS_123: reason a reviewer accepts`.
A skip without a reason of at least six words is an error.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from smenv.core.project import REPO

SKIP = re.compile(r"#\s*checkov:skip=(?P<id>[A-Z0-9_]+)\s*(?::(?P<reason>.*))?$")
BLOCK = re.compile(r'^(resource|data)\s+"(?P<type>[^"]+)"\s+"(?P<name>[^"]+)"')
BEGIN, END = "<!-- BEGIN_CHECKOV_SKIPS -->", "<!-- END_CHECKOV_SKIPS -->"
MIN_REASON_WORDS = 6
TABLE_PAGE = REPO / "docs" / "validation.md"  # where the table lives, between the markers


@dataclass(frozen=True)
class Skip:
    check: str
    module: str
    resource: str
    reason: str
    where: str


def find_skips(root: Path = REPO) -> list[Skip]:
    skips = []
    for path in sorted((root / "modules").rglob("*.tf")):
        block = "?"
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if header := BLOCK.match(line):
                prefix = "data." if line.startswith("data") else ""
                block = f"{prefix}{header['type']}.{header['name']}"
            if match := SKIP.search(line.strip()):
                skips.append(
                    Skip(
                        check=match["id"],
                        module=path.parent.name,
                        resource=block,
                        reason=(match["reason"] or "").strip(),
                        where=f"{path.relative_to(root)}:{number}",
                    )
                )
    return skips


def unreasoned(skips: list[Skip]) -> list[Skip]:
    return [s for s in skips if len(s.reason.split()) < MIN_REASON_WORDS]


def table(skips: list[Skip]) -> str:
    rows = ["| check | module | resource | reason |", "| --- | --- | --- | --- |"]
    rows += [f"| {s.check} | {s.module} | `{s.resource}` | {s.reason} |" for s in skips]
    return "\n".join(rows)


def with_table(readme: str, skips: list[Skip]) -> str:
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return f"{readme[:start]}\n{table(skips)}\n{readme[end:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the table into docs/validation.md")
    mode.add_argument("--check", action="store_true", help="exit 1 when docs/validation.md's table is stale")
    args = parser.parse_args(argv)
    skips = find_skips()
    bad = unreasoned(skips)
    if bad:
        print(f"skips: error: {bad[0].where}: {bad[0].check} is skipped without a reason", file=sys.stderr)
        return 1
    if not (args.write or args.check):
        print(table(skips))
        return 0
    readme_path = TABLE_PAGE
    readme = readme_path.read_text()
    if BEGIN not in readme or END not in readme:
        print(f"skips: error: docs/validation.md lacks the {BEGIN} ... {END} markers", file=sys.stderr)
        return 1
    wanted = with_table(readme, skips)
    if args.check:
        if wanted != readme:
            print(
                "skips: error: docs/validation.md's checkov skip table is stale: run `python tools/skips.py --write`",
                file=sys.stderr,
            )
            return 1
        print(f"docs/validation.md lists all {len(skips)} checkov skips")
        return 0
    readme_path.write_text(wanted)
    print(f"wrote {len(skips)} checkov skips into docs/validation.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
