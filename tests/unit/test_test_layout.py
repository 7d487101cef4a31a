"""The test tree itself: pytest's default (prepend) import mode keys test modules by file name."""

from __future__ import annotations

from collections import Counter

from smenv_testing import REPO


def test_no_two_test_files_share_a_name():
    # Given every test module under tests/, when their file names are counted,
    # then none repeats (two would make pytest refuse the second with "import file mismatch")
    names = Counter(path.name for path in (REPO / "tests").rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
