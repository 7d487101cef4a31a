"""The README and the pages under docs/ link to each other: every relative link lands.

The README keeps what the project is, the two commands, the pictures and the emulator; operations
live in docs/ (toolchain, contract, promotion, pipelines, validation, real accounts). A link to a
page that moved, or to a heading that was renamed, fails here instead of in a reader's browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted([REPO / "README.md", REPO / "CONTRIBUTING.md", *(REPO / "docs").rglob("*.md")])
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation but hyphens dropped, spaces to hyphens."""
    headings = re.findall(r"^#{1,6} (.+)$", FENCE.sub("", page.read_text()), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def relative_links(page: Path) -> list[str]:
    return [t for t in LINK.findall(FENCE.sub("", page.read_text())) if not re.match(r"[a-z]+:", t)]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_every_relative_link_of_the_page_lands_on_a_file_and_heading_that_exist(page):
    # Given the page's relative links (outside code blocks)
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        # When each is resolved from the page's own folder
        landing = (page.parent / path).resolve() if path else page
        # Then the file exists, and so does the heading an anchor names
        if not landing.exists():
            broken.append(f"{target}: no such file")
        elif anchor and landing.suffix == ".md" and anchor not in anchors(landing):
            broken.append(f"{target}: no heading #{anchor} in {landing.relative_to(REPO)}")
    assert broken == []


def test_the_readme_links_every_operations_page_under_docs():
    # Given the pages under docs/ (the decision records have their own index)
    pages = {p.relative_to(REPO).as_posix() for p in (REPO / "docs").glob("*.md")}
    # Then the README links each of them, so none is reachable only by browsing the folder
    linked = {t.partition("#")[0] for t in relative_links(REPO / "README.md")}
    assert pages - linked == set()
