"""README.md's "Emulator gaps" table is the one src/smenv/live/emulator_patches/'s registrations declare.

Each patch carries its row (`@patch(gap=..., effect=...)`); `python tools/emulator_patches.py --write`
rewrites the table between the README's markers. Importing the module patches nothing and starts
no server, so these tests need no moto.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys

from smenv.live import emulator_patches
from smenv_testing import REPO

WRITE = "python tools/emulator_patches.py --write"


def readme_table() -> str:
    readme = (REPO / "README.md").read_text()
    assert emulator_patches.BEGIN in readme, f"README.md lacks {emulator_patches.BEGIN}: run `{WRITE}` after adding it"
    assert emulator_patches.END in readme, f"README.md lacks {emulator_patches.END}"
    return readme.split(emulator_patches.BEGIN, 1)[1].split(emulator_patches.END, 1)[0].strip("\n")


def test_the_readme_table_is_the_one_the_patches_declare():
    # Given the README's table between the markers, when the patches' declarations are rendered,
    # then the two are the same text
    assert readme_table() == emulator_patches.gap_table(), (
        f"README.md's emulator gap table differs from src/smenv/live/emulator_patches/'s declarations: run `{WRITE}`"
    )


def test_every_patch_has_a_row_that_names_it():
    # Given every registered patch, when the table's "filled by" cells are read,
    # then each patch is named by one (its own name, or a `prefix_*` several share) with a gap and an effect
    assert [f.__name__ for f in emulator_patches.PATCHES] == list(emulator_patches.GAPS)
    rows = emulator_patches.gap_table().splitlines()[2:]
    named = [re.findall(r"`([a-z0-9_*]+)`", row.rsplit(" | ", 1)[1]) for row in rows]
    undocumented = [
        f.__name__
        for f in emulator_patches.PATCHES
        if not any(fnmatch.fnmatchcase(f.__name__, name) for names in named for name in names)
    ]
    assert undocumented == [], f"patches with no row in the gap table: {undocumented}"
    blank = [name for name, gap in emulator_patches.GAPS.items() if not (gap.gap.strip() and gap.effect.strip())]
    assert blank == [], f"patches whose gap or effect is empty: {blank}"
    assert not any("|" in cell for g in emulator_patches.GAPS.values() for cell in (g.gap, g.effect)), (
        "a `|` in a gap or effect would split the markdown row"
    )


def test_write_replaces_only_the_table_between_the_markers(tmp_path, monkeypatch, capsys):
    # Given a README whose table is stale, when --check and then --write run on it,
    # then --check fails naming the command, and --write replaces the table and nothing else
    readme = tmp_path / "README.md"
    before = f"# title\n\ntext\n\n{emulator_patches.BEGIN}\n| old |\n{emulator_patches.END}\n\nmore text\n"
    readme.write_text(before)
    monkeypatch.setattr(emulator_patches, "README", readme)

    assert emulator_patches.main(["--check"]) == 1
    assert WRITE in capsys.readouterr().err
    assert emulator_patches.main(["--write"]) == 0

    after = readme.read_text()
    assert after.startswith(f"# title\n\ntext\n\n{emulator_patches.BEGIN}\n| gap | effect | filled by |\n")
    assert after.endswith(f"\n{emulator_patches.END}\n\nmore text\n")
    assert emulator_patches.main(["--check"]) == 0


def test_a_readme_without_the_markers_is_one_clear_error(tmp_path, monkeypatch, capsys):
    # Given a README without the markers, when --write runs, then it exits 1 with one line and changes nothing
    readme = tmp_path / "README.md"
    readme.write_text("# title\n")
    monkeypatch.setattr(emulator_patches, "README", readme)

    assert emulator_patches.main(["--write"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lacks the <!-- BEGIN_EMULATOR_GAPS -->" in err
    assert readme.read_text() == "# title\n"


def test_importing_the_patches_patches_nothing():
    # Given a fresh interpreter, when the module is imported and its table rendered,
    # then moto is not even loaded (no patch applied, no server started)
    code = "import sys; from smenv.live import emulator_patches; emulator_patches.gap_table(); print('moto' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout.strip()) == (0, "False"), proc.stderr
