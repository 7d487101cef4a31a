"""The notebook lifecycle scripts as Terraform renders them: size, shellcheck, escaping, content.

Rendering is Terraform's own templatefile() (tests/helpers/templates.py), so `$${}` escapes and
`%{}` directives are checked as Terraform reads them. Running the scripts is in
tests/emulator/test_lifecycle_scripts.py.
"""

from __future__ import annotations

import base64
import gzip
import re
import subprocess

import pytest

from helpers.lifecycle import AUTOSTOP, CONTENT_LIMIT, render

ON_START_CASES = {"on-start.sh (idle 60)": {"idle_minutes": 60}, "on-start.sh (idle 0)": {"idle_minutes": 0}}
RENDERED = {"on-create.sh": ("on-create.sh", {}), **{k: ("on-start.sh", v) for k, v in ON_START_CASES.items()}}


@pytest.mark.parametrize("case", list(RENDERED))
def test_each_rendered_script_is_well_under_sagemakers_size_limit(case):
    # Given the script rendered with long but valid values
    name, overrides = RENDERED[case]
    script = render(
        name,
        data_bucket="x" * 63,
        notebooks_prefix="team-with-a-long-name/shared/notebooks/" * 3,
        notebook_dir="/home/ec2-user/SageMaker",
        **overrides,
    )
    # Then its base64 form (what SageMaker counts) keeps at least an eighth of the 16 KiB limit free
    # (on-start with auto-stop is the big one, ~13.9 k: autostop.py signs its own AWS call; see
    # lifecycle/README.md, "Rendering", for where the room went and how to win some back)
    encoded = len(base64.b64encode(script.encode()))
    assert encoded < CONTENT_LIMIT * 7 // 8, f"{case}: {encoded} base64 characters"


@pytest.mark.parametrize("case", list(RENDERED))
def test_each_rendered_script_is_shellcheck_clean(case, tmp_path):
    name, overrides = RENDERED[case]
    path = tmp_path / name
    path.write_text(render(name, **overrides))
    done = subprocess.run(["shellcheck", "--shell=bash", "--severity=style", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "value",
    ["<<DATA_BUCKET>>", "it's {{bucket}}", "$(touch /tmp/pwned) `id` ${HOME} %{x} \\ & / * . [ ^"],
    ids=["plain", "single quote", "shell and template syntax"],
)
def test_a_placeholder_reaches_the_script_exactly_as_written(value, tmp_path):
    # Given a placeholder full of characters the shell or Terraform would interpret
    script = render("on-create.sh", bucket_placeholder=value)
    # When the rendered assignment is evaluated by bash
    line = next(line for line in script.splitlines() if line.startswith("PLACEHOLDER="))
    done = subprocess.run(
        ["bash", "-c", f'{line}\nprintf %s "$PLACEHOLDER"'], capture_output=True, text=True, cwd=tmp_path
    )
    # Then the variable holds the value itself, and nothing ran
    assert done.stdout == value
    assert list(tmp_path.iterdir()) == []


def test_the_rendered_on_start_script_embeds_autostop_py_byte_for_byte():
    script = render("on-start.sh", idle_minutes=30)
    payload = re.search(r"<<'AUTOSTOP_PY'.*?\n(.*?)\nAUTOSTOP_PY\n", script, re.S)
    assert payload, "no embedded autostop.py"
    assert gzip.decompress(base64.b64decode(payload.group(1))) == AUTOSTOP.read_bytes()
    assert "--idle-minutes $IDLE_MINUTES --region $REGION" in script
    assert "IDLE_MINUTES='30'" in script


def test_on_start_runs_auto_stop_with_the_operating_systems_python_isolated_never_the_users():
    # Given on-start as Terraform renders it
    script = render("on-start.sh", idle_minutes=30)
    # Then its python is the OS's, unless a test overrides it, and the cron entry runs it isolated
    assert 'PYTHON="${AUTOSTOP_PYTHON:-/usr/bin/python3}"' in script
    assert "root $python -I -S $SCRIPT --idle-minutes" in script
    # And nothing it runs or names lives in a home directory (the notebook user's conda
    # environments are theirs to change), and its commands come from root's directories only
    assert "/home/" not in script
    assert "anaconda" not in script
    assert "import boto3" not in script
    assert "export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n" in script


def test_with_idle_minutes_zero_the_on_start_script_installs_nothing():
    script = render("on-start.sh", idle_minutes=0)
    assert "<<'AUTOSTOP_PY'" not in script
    assert "*/5" not in script
    assert 'rm -f "$CRON_FILE" "$SCRIPT"' in script


def test_nothing_in_either_script_reaches_the_internet():
    for script in (render("on-create.sh"), render("on-start.sh")):
        assert not re.search(r"\b(curl|wget|pip|conda|yum|git clone)\b", script)
        assert "http://" not in script
        assert "https://" not in script
