"""The rendered lifecycle scripts, run for real with bash in a sandbox.

on-create: the AWS CLI (awscli 1.x from .venv) copies from a moto server on 127.0.0.1:4612
(started here with tools/local_aws.py and stopped at the end), jupyter nbconvert from .venv
clears outputs, and the notebooks land in a temporary notebook directory. on-start: the cron and
script directories are temporary (CRON_DIR, AUTOSTOP_DIR), the OS's python3 is stood in for by
the interpreter running the tests (AUTOSTOP_PYTHON), and the installed autostop.py is run in
dry-run mode against a Jupyter stand-in on 127.0.0.1; the notebook user's conda environment is
a virtual environment in a temporary home, booby-trapped to show that root never runs its code.
"""

from __future__ import annotations

import getpass
import http.server
import json
import os
import pwd
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import boto3
import nbformat
import pytest

from helpers.lifecycle import AUTOSTOP, render
from smenv.live import local_aws
from smenv_testing import REPO, toolchain_env

pytestmark = pytest.mark.emulator

PORT = 4612
REGION = "us-east-1"
BUCKET = "smenv-dev-team-a-data"
PLACEHOLDER = "<<DATA_BUCKET>>"
VENV_BIN = REPO / ".venv" / "bin"


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    running, started = local_aws.start(PORT)
    yield running.url
    if started:
        local_aws.stop(PORT)


@pytest.fixture(scope="module")
def base_env(moto_server: str) -> dict[str, str]:
    env = {k: v for k, v in toolchain_env().items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_ENDPOINT_URL=moto_server,
        JUPYTER=str(VENV_BIN / "jupyter"),
    )
    return env


@pytest.fixture
def sandbox(tmp_path: Path, base_env: dict[str, str]) -> dict:
    home = tmp_path / "home"
    home.mkdir()
    return {"root": tmp_path, "env": {**base_env, "HOME": str(home), "TMPDIR": str(tmp_path)}}


def notebook_user() -> str:
    """Someone else when we can chown to them (root), else ourselves."""
    return "nobody" if os.geteuid() == 0 else getpass.getuser()


def notebook_with_outputs(*sources: str) -> str:
    nb = nbformat.v4.new_notebook()
    for i, source in enumerate(sources, start=1):
        cell = nbformat.v4.new_code_cell(source, execution_count=i)
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=f"output of cell {i}: customer 4711\n"),
            nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=i),
        ]
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_markdown_cell(f"Data lives in `s3://{PLACEHOLDER}/raw/`."))
    return nbformat.writes(nb)


@pytest.fixture
def bucket(moto_server: str) -> Iterator:
    s3 = boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url=moto_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=BUCKET)
    yield s3
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def run_script(script: str, path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    path.write_text(script)
    return subprocess.run(["bash", str(path)], env=env, capture_output=True, text=True, timeout=300)


# --- on-create ----------------------------------------------------------------------------------


def test_on_create_copies_cleans_and_personalises_the_teams_notebooks(sandbox, bucket):
    # Given two notebooks under the prefix (with outputs, and the placeholder in a cell), a
    # non-notebook file beside them, a notebook outside the prefix, and a notebook directory
    # that already holds a file of root's
    bucket.put_object(
        Bucket=BUCKET, Key="notebooks/explore.ipynb", Body=notebook_with_outputs(f"path = 's3://{PLACEHOLDER}/x'")
    )
    bucket.put_object(
        Bucket=BUCKET, Key="notebooks/models/train.ipynb", Body=notebook_with_outputs("import pandas", "fit()")
    )
    bucket.put_object(Bucket=BUCKET, Key="notebooks/README.txt", Body=b"not a notebook")
    bucket.put_object(Bucket=BUCKET, Key="archive/old.ipynb", Body=notebook_with_outputs("old"))
    notebook_dir = sandbox["root"] / "SageMaker"
    notebook_dir.mkdir()
    (notebook_dir / "lost+found").mkdir()
    user = notebook_user()
    script = render(
        "on-create.sh",
        data_bucket=BUCKET,
        notebooks_prefix="notebooks/",
        bucket_placeholder=PLACEHOLDER,
        notebook_user=user,
        notebook_dir=str(notebook_dir),
        region=REGION,
    )
    # When the rendered on-create script runs
    done = run_script(script, sandbox["root"] / "on-create.sh", sandbox["env"])
    # Then it succeeds, and the notebook directory holds exactly the two notebooks
    assert done.returncode == 0, done.stdout + done.stderr
    copied = sorted(str(p.relative_to(notebook_dir)) for p in notebook_dir.rglob("*") if p.is_file())
    assert copied == ["explore.ipynb", "models/train.ipynb"]
    for path in (notebook_dir / "explore.ipynb", notebook_dir / "models" / "train.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        # outputs and execution counts are cleared
        assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
        # the placeholder is the team's bucket now
        text = path.read_text()
        assert PLACEHOLDER not in text
        assert f"s3://{BUCKET}/raw/" in text
        assert "customer 4711" not in text
    assert f"s3://{BUCKET}/x" in (notebook_dir / "explore.ipynb").read_text()
    # And what was copied belongs to the notebook user; what was there before does not change hands
    uid = pwd.getpwnam(user).pw_uid
    for path in [notebook_dir / "models", *(p for p in notebook_dir.rglob("*.ipynb"))]:
        assert path.stat().st_uid == uid, path
    assert (notebook_dir / "lost+found").stat().st_uid == os.geteuid()
    assert "2 notebook(s) ready" in done.stdout


def test_on_create_with_no_notebooks_under_the_prefix_succeeds_and_says_so(sandbox, bucket):
    bucket.put_object(Bucket=BUCKET, Key="elsewhere/a.ipynb", Body=notebook_with_outputs("x"))
    bucket.put_object(Bucket=BUCKET, Key="notebooks/notes.txt", Body=b"no notebooks here")
    notebook_dir = sandbox["root"] / "SageMaker"
    script = render(
        "on-create.sh", data_bucket=BUCKET, notebook_user=notebook_user(), notebook_dir=str(notebook_dir), region=REGION
    )
    done = run_script(script, sandbox["root"] / "on-create.sh", sandbox["env"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"no notebooks under s3://{BUCKET}/notebooks/" in done.stdout
    assert not notebook_dir.exists() or not any(notebook_dir.iterdir())


def test_on_create_fails_loudly_when_the_bucket_cannot_be_read(sandbox, bucket):
    # Given a bucket name that does not exist
    notebook_dir = sandbox["root"] / "SageMaker"
    script = render(
        "on-create.sh",
        data_bucket="no-such-bucket-here",
        notebook_user=notebook_user(),
        notebook_dir=str(notebook_dir),
        region=REGION,
    )
    # When on-create runs, then it fails (SageMaker marks the instance Failed) and copies nothing
    done = run_script(script, sandbox["root"] / "on-create.sh", sandbox["env"])
    assert done.returncode != 0
    assert "NoSuchBucket" in done.stderr or "does not exist" in done.stderr
    assert not notebook_dir.exists()


# --- on-start -----------------------------------------------------------------------------------


def start_env(sandbox: dict, python: str = sys.executable) -> dict[str, str]:
    root = sandbox["root"]
    return {
        **sandbox["env"],
        "CRON_DIR": str(root / "cron.d"),
        "AUTOSTOP_DIR": str(root / "smenv"),
        "AUTOSTOP_PYTHON": python,
    }


class EmptyJupyter(http.server.BaseHTTPRequestHandler):
    """A notebook server with no sessions and no terminals."""

    def do_GET(self):
        self.send_response(200 if self.path in ("/api/sessions", "/api/terminals") else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *args):
        pass


@pytest.fixture
def jupyter() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EmptyJupyter)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def cron_command(env: dict[str, str]) -> str:
    """The command of the installed cron entry, without its `2>&1 | logger` tail."""
    line = (Path(env["CRON_DIR"]) / "smenv-autostop").read_text().splitlines()[1]
    return line.split(" root ", 1)[1].split(" 2>&1 ", 1)[0]


def dry_run_args(sandbox: dict, jupyter: str) -> list[str]:
    """Point the installed script at the Jupyter stand-in and a fake instance up for 2 hours."""
    metadata = sandbox["root"] / "resource-metadata.json"
    metadata.write_text(json.dumps({"ResourceName": "team-a-notebook"}))
    uptime = sandbox["root"] / "uptime"
    uptime.write_text("7200.0 100.0\n")
    extra = ["--dry-run", "--sessions-url", f"{jupyter}/api/sessions", "--terminals-url", f"{jupyter}/api/terminals"]
    return [*extra, "--metadata-file", str(metadata), "--uptime-file", str(uptime)]


def test_on_start_installs_the_autostop_script_and_a_five_minute_cron_entry(sandbox, jupyter):
    # Given on-start rendered for a 45-minute idle limit
    env = start_env(sandbox)
    script = render("on-start.sh", idle_minutes=45, region=REGION)
    # When it runs
    done = run_script(script, sandbox["root"] / "on-start.sh", env)
    assert done.returncode == 0, done.stdout + done.stderr
    # Then autostop.py is installed, byte for byte, executable, owned by us
    installed = Path(env["AUTOSTOP_DIR"]) / "autostop.py"
    assert installed.read_bytes() == AUTOSTOP.read_bytes()
    assert stat.S_IMODE(installed.stat().st_mode) == 0o755
    # And a cron.d entry runs it every 5 minutes as root, with the python itself (symbolic links
    # resolved: .venv/bin/python is one) in isolated mode, no site-packages
    cron = Path(env["CRON_DIR"]) / "smenv-autostop"
    assert stat.S_IMODE(cron.stat().st_mode) == 0o644
    lines = cron.read_text().splitlines()
    assert lines[0].startswith("# smenv: stop this notebook instance after 45 idle minutes")
    python = os.path.realpath(sys.executable)
    assert lines[1] == (
        f"*/5 * * * * root {python} -I -S {installed} --idle-minutes 45 --region {REGION} "
        "2>&1 | /usr/bin/logger -t smenv-autostop"
    )
    assert sorted(p.name for p in Path(env["CRON_DIR"]).iterdir()) == ["smenv-autostop"]  # no temp files left
    # And the installed script, run as the cron entry runs it, decides (dry run, no sessions, up 2 h)
    command = [*cron_command(env).split(), *dry_run_args(sandbox, jupyter)]
    ran = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert (report["idle"], report["action"], report["instance"]) == (True, "would_stop", "team-a-notebook")


def test_on_start_with_idle_minutes_zero_installs_nothing_and_removes_an_earlier_install(sandbox):
    env = start_env(sandbox)
    # Given an instance that was started before with a 30-minute limit
    assert run_script(render("on-start.sh", idle_minutes=30), sandbox["root"] / "a.sh", env).returncode == 0
    assert (Path(env["CRON_DIR"]) / "smenv-autostop").exists()
    # When it starts with idle_minutes = 0
    done = run_script(render("on-start.sh", idle_minutes=0), sandbox["root"] / "b.sh", env)
    # Then the cron entry and the script are gone, and the log says auto-stop is off
    assert done.returncode == 0, done.stderr
    assert list(Path(env["CRON_DIR"]).iterdir()) == []
    assert list(Path(env["AUTOSTOP_DIR"]).iterdir()) == []
    assert "auto-stop disabled" in done.stdout


def test_on_start_with_idle_minutes_zero_on_a_fresh_instance_creates_nothing(sandbox):
    env = start_env(sandbox)
    done = run_script(render("on-start.sh", idle_minutes=0), sandbox["root"] / "on-start.sh", env)
    assert done.returncode == 0, done.stderr
    assert not Path(env["CRON_DIR"]).exists()
    assert not Path(env["AUTOSTOP_DIR"]).exists()


# --- root never runs the notebook user's code ---------------------------------------------------


@pytest.fixture
def user_home(sandbox: dict) -> dict:
    """ec2-user's home: a conda-like environment, a user site and a PYTHONPATH directory, each
    holding code that appends a line to `marker` whenever a Python starts there (a .pth file in
    site-packages runs at every interpreter start; sitecustomize.py too)."""
    home = sandbox["root"] / "home" / "ec2-user"
    marker = sandbox["root"] / "ran-as-root"
    conda_env = home / "anaconda3" / "envs" / "JupyterSystemEnv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(conda_env)], check=True, timeout=120)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    user_site = home / ".local" / "lib" / version / "site-packages"
    pythonpath = home / "lib"
    for directory in (user_site, pythonpath):
        directory.mkdir(parents=True)
    payload = f"import os; open({str(marker)!r}, 'a').write('{{}}\\n')\n"
    (next(conda_env.glob("lib/python3*/site-packages")) / "zz-smenv.pth").write_text(payload.format("conda .pth"))
    (user_site / "zz-smenv.pth").write_text(payload.format("user site .pth"))
    (pythonpath / "sitecustomize.py").write_text(payload.format("sitecustomize").removeprefix("import os; "))
    hostile = {
        "HOME": str(home),
        "PATH": f"{conda_env / 'bin'}:{os.environ['PATH']}",
        "PYTHONPATH": str(pythonpath),
        "PYTHONUSERBASE": str(home / ".local"),
        "PYTHONSTARTUP": str(pythonpath / "sitecustomize.py"),
    }
    return {"home": home, "conda_env": conda_env, "marker": marker, "env": hostile}


def test_the_root_job_never_runs_code_from_the_notebook_users_python_environment(sandbox, jupyter, user_home):
    marker = user_home["marker"]
    hostile = {**start_env(sandbox), **user_home["env"]}
    # Given the trap is armed: the user's environment runs the planted code at every start
    conda_python = user_home["conda_env"] / "bin" / "python"
    subprocess.run([str(conda_python), "-c", "pass"], env=hostile, check=True, timeout=60)
    assert "conda .pth" in marker.read_text()
    marker.unlink()
    # When on-start runs as SageMaker runs it (as root; here with the user's variables around it)
    done = run_script(render("on-start.sh", idle_minutes=45, region=REGION), sandbox["root"] / "on-start.sh", hostile)
    assert done.returncode == 0, done.stdout + done.stderr
    # Then it ran none of the planted code, and installed nothing that names the user's environment
    assert not marker.exists(), marker.read_text()
    assert "/home/" not in (Path(hostile["CRON_DIR"]) / "smenv-autostop").read_text()
    # And neither does the installed cron command line, run by the shell as cron runs it, as is
    # (no notebook server answers: one error line) and in dry-run mode against the stand-in
    as_is = subprocess.run(["/bin/sh", "-c", cron_command(hostile)], env=hostile, capture_output=True, text=True)
    assert as_is.returncode == 1
    assert as_is.stderr.startswith("autostop: error: ")
    command = " ".join([cron_command(hostile), *dry_run_args(sandbox, jupyter)])
    ran = subprocess.run(["/bin/sh", "-c", command], env=hostile, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["action"] == "would_stop"
    assert not marker.exists(), marker.read_text()


def wrapper(path: Path) -> Path:
    """A python at path (a script handing over to the real one): a file the user could rewrite."""
    path.unlink(missing_ok=True)  # a virtual environment's python is a link: never write through it
    path.write_text(f'#!/bin/sh\nexec {os.path.realpath(sys.executable)} "$@"\n')
    path.chmod(0o755)
    return path


def owned_by_the_notebook_user(conda_env: Path) -> Path:
    python = wrapper(conda_env / "bin" / "python")
    for path in (conda_env, *conda_env.rglob("*")):
        os.lchown(path, pwd.getpwnam("nobody").pw_uid, -1)
    return python


def group_writable(conda_env: Path) -> Path:
    python = wrapper(conda_env / "bin" / "python")
    python.chmod(0o775)
    return python


def in_a_world_writable_directory(conda_env: Path) -> Path:
    python = wrapper(conda_env / "bin" / "python")
    python.parent.chmod(0o777)
    return python


@pytest.mark.parametrize(
    "make_python",
    [
        pytest.param(
            owned_by_the_notebook_user,
            marks=pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to someone else takes root"),
        ),
        group_writable,
        in_a_world_writable_directory,
    ],
    ids=["owned by the user", "group-writable", "in a world-writable directory"],
)
def test_on_start_refuses_a_python_the_notebook_user_could_change(sandbox, user_home, make_python):
    # Given AUTOSTOP_PYTHON pointing at a python in the user's environment that others than root can change
    python = make_python(user_home["conda_env"])
    env = start_env(sandbox, python=str(python))
    # When on-start runs, then it fails naming the python, runs nothing, and installs nothing
    done = run_script(render("on-start.sh", idle_minutes=30), sandbox["root"] / "on-start.sh", env)
    assert done.returncode == 1
    assert f"ERROR: python {python}: " in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (Path(env["CRON_DIR"]) / "smenv-autostop").exists()
    assert not (Path(env["AUTOSTOP_DIR"]) / "autostop.py").exists()


def test_on_start_refuses_a_python_whose_library_others_can_change(sandbox):
    # Given a python whose standard library (what it reports for os.__file__) holds a module
    # the group can write, and whose site-packages (off the path with -S) holds another
    lib = sandbox["root"] / "python-lib"
    (lib / "site-packages").mkdir(parents=True)
    (lib / "os.py").write_text("")
    (lib / "site-packages" / "anything.py").write_text("")
    (lib / "site-packages" / "anything.py").chmod(0o666)
    python = sandbox["root"] / "bin" / "python3"
    python.parent.mkdir()
    real = os.path.realpath(sys.executable)
    python.write_text(f'#!/bin/sh\ncase "$*" in *os.__file__*) echo {lib}; exit;; esac\nexec {real} "$@"\n')
    python.chmod(0o755)
    env = start_env(sandbox, python=str(python))
    # When on-start runs, then site-packages does not matter, and it installs
    done = run_script(render("on-start.sh", idle_minutes=30), sandbox["root"] / "a.sh", env)
    assert done.returncode == 0, done.stderr
    # But once a module of the library itself is group-writable, it refuses
    (lib / "os.py").chmod(0o664)
    done = run_script(render("on-start.sh", idle_minutes=30), sandbox["root"] / "b.sh", env)
    assert done.returncode == 1
    assert f"ERROR: python library {lib}: others than root can write files in it" in done.stderr


def test_on_start_fails_loudly_when_there_is_no_python(sandbox):
    env = start_env(sandbox, python=str(sandbox["root"] / "no-python-here"))
    done = run_script(render("on-start.sh", idle_minutes=30), sandbox["root"] / "on-start.sh", env)
    assert done.returncode == 1
    assert "no python at" in done.stderr
    assert not (Path(env["CRON_DIR"]) / "smenv-autostop").exists()
