"""tools/graph.py: the pictures in docs/ are what the code draws now, from Terragrunt's own graph.

Rendering needs terragrunt (for `dag graph`, which reads HCL only and calls no AWS): the
tests take it from the toolchain environment `make` uses.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from smenv.core import project
from smenv.docs import graph
from smenv_testing import REPO

SAMPLE_DOT = """digraph {
\t"/work/repo/live/qa/buckets" ;
\t"/work/repo/live/qa/buckets" -> "/work/repo/live/qa/kms";
\t"/work/repo/live/qa/buckets" -> "/work/repo/live/qa/network";
\t"/work/repo/live/qa/kms" ;
\t"/work/repo/live/qa/network" ;
\t"/work/repo/live/qa/network" -> "/work/repo/live/qa/kms";
\t"params" -> "buckets";
}
"""


def draw(tool_env: dict[str, str], out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "tools/graph.py", "--out", str(out), *args],
        cwd=REPO,
        env=tool_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- the committed pictures ------------------------------------------------------------------------


def test_the_pictures_in_docs_are_what_the_code_draws_now(tool_env, tmp_path):
    # Given the code as it is, drawing into an empty folder
    done = draw(tool_env, tmp_path)
    assert done.returncode == 0, done.stderr
    drawn = sorted(p.name for p in tmp_path.glob("*.svg"))
    assert drawn == ["architecture-local.svg", "units-local.svg"]
    # Then every picture is byte for byte the one committed in docs/
    for name in drawn:
        committed = REPO / "docs" / name
        assert committed.is_file(), f"docs/{name} is missing: run `make graph` and commit it"
        assert (tmp_path / name).read_bytes() == committed.read_bytes(), (
            f"docs/{name} is stale: run `make graph` and commit it"
        )


def test_check_names_the_stale_picture_in_one_line_and_exits_1(tool_env, tmp_path):
    # Given the current pictures, one of them then edited by hand
    assert draw(tool_env, tmp_path).returncode == 0
    assert draw(tool_env, tmp_path, "--check").returncode == 0
    picture = tmp_path / "units-local.svg"
    picture.write_text(picture.read_text().replace("kms", "kms2", 1))
    # When --check runs
    done = draw(tool_env, tmp_path, "--check")
    # Then it fails in one line naming that file, and writes nothing
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert f"{picture} is stale" in done.stderr
    assert "kms2" in picture.read_text()


def test_drawing_twice_gives_the_same_bytes(tool_env, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert draw(tool_env, first).returncode == 0
    assert draw(tool_env, second, "--env", "local").returncode == 0
    for picture in sorted(first.iterdir()):
        assert picture.read_bytes() == (second / picture.name).read_bytes()


def test_an_unknown_environment_is_refused_in_one_line_with_exit_2(tool_env, tmp_path):
    done = draw(tool_env, tmp_path, "--env", "qa")
    assert done.returncode == 2
    assert done.stderr.startswith("graph: error: unknown environment 'qa'")
    assert done.stderr.count("\n") == 1


# --- the dependency graph --------------------------------------------------------------------------


def test_the_dot_parse_gives_unit_names_and_their_dependencies():
    # Given Terragrunt's DOT with absolute paths (and one relative edge, as it prints from elsewhere)
    deps = graph.parse_dot(SAMPLE_DOT, Path("/work/repo/live/qa"))
    # Then each unit maps to the units it depends on, named as in live/qa/
    assert deps == {
        "buckets": {"kms", "network"},
        "kms": set(),
        "network": {"kms"},
        "params": {"buckets"},
    }


def test_layers_put_a_unit_one_below_its_deepest_dependency():
    deps = graph.parse_dot(SAMPLE_DOT, Path("/work/repo/live/qa"))
    assert graph.longest_path_layers(deps) == {"kms": 0, "network": 1, "buckets": 2, "params": 3}


def test_a_cycle_is_refused_with_the_unit_it_runs_through():
    with pytest.raises(graph.GraphError, match="cycle through a"):
        graph.longest_path_layers({"a": {"b"}, "b": {"a"}})


def test_live_local_layers_start_with_kms_and_end_with_params(tool_env, monkeypatch):
    # Given Terragrunt's own graph of live/local
    monkeypatch.setenv("PATH", tool_env["PATH"])
    assert shutil.which("terragrunt"), "terragrunt is on the toolchain's PATH after `make bootstrap`"
    env = project.load_environment("local")
    deps = graph.parse_dot(graph.terragrunt_dot(env.path), env.path)
    # When it is layered
    layers = graph.longest_path_layers(deps)
    # Then it has every unit of live/local, kms alone first and params alone last
    assert set(layers) == {p.parent.name for p in env.path.glob("*/terragrunt.hcl")}
    last = max(layers.values())
    assert [u for u, layer in layers.items() if layer == 0] == ["kms"]
    assert [u for u, layer in layers.items() if layer == last] == ["params"]


def test_a_dependency_a_longer_path_implies_is_drawn_grey():
    deps = {"kms": set(), "network": {"kms"}, "buckets": {"kms", "network"}}
    assert graph.implied(deps) == {("kms", "buckets")}


def test_every_edge_is_drawn_from_its_dependency_down_to_its_unit():
    deps = {"kms": set(), "network": {"kms"}, "buckets": {"kms", "network"}, "params": {"kms", "buckets"}}
    lay = graph.layout_dag(deps, dict.fromkeys(deps, 120.0))
    assert sorted(lay.pairs) == sorted((d, u) for u in deps for d in deps[u])
    for (dependency, unit), points in zip(lay.pairs, lay.edges, strict=True):
        _, dep_y, _, dep_h = lay.boxes[dependency]
        _, unit_y, _, _ = lay.boxes[unit]
        assert points[0][1] == dep_y + dep_h  # leaves the dependency's bottom
        assert points[-1][1] == unit_y  # reaches the unit's top
        assert [y for _, y in points] == sorted(y for _, y in points)  # always downwards


# --- the architecture ------------------------------------------------------------------------------


def local_facts(**changes) -> graph.Facts:
    return dataclasses.replace(graph.read_facts(project.load_environment("local")), **changes)


def test_the_architecture_is_drawn_from_the_repository():
    # Given live/local as it is
    facts = local_facts()
    svg = graph.render_architecture(facts)
    # Then its teams, AZs, interface endpoints and key purposes are in the picture
    assert facts.teams == ("fraud", "pricing")
    assert facts.interface_endpoints[:2] == ("sagemaker.api", "sagemaker.runtime")
    assert facts.subnet_cidrs == ("10.10.0.0/20", "10.10.16.0/20")
    for name in (*facts.interface_endpoints, *facts.key_purposes, *facts.teams):
        assert f">{name}</text>" in svg, name  # a chip or a row label of its own
    assert "private subnets: us-east-1a 10.10.0.0/20 \u00b7 us-east-1b 10.10.16.0/20" in svg
    assert "VPC 10.10.0.0/16" in svg


def test_the_endpoint_is_labelled_with_its_name_and_the_name_it_is_deployed_under():
    # Given live/local, whose env.hcl names its endpoint churn
    facts = local_facts()
    assert facts.endpoint_names == ("churn",)
    svg = graph.render_architecture(facts)
    # Then the box names it, and the endpoint SageMaker runs (modules/endpoint: <name_prefix>-<name>)
    assert ">endpoint: churn</text>" in svg
    assert ">smenv-local-churn</text>" in svg
    assert "endpoint: endpoint" not in svg


def test_a_unit_missing_from_the_environment_is_left_out_and_named():
    # Given an environment with only kms and buckets
    svg = graph.render_architecture(local_facts(units=("buckets", "kms")))
    # Then no enforcer is drawn, the VPC is a dashed outline, and the footnote names what is missing
    assert "enforcer Lambda" not in svg
    assert "no network unit in live/local" in svg
    assert "not in live/local yet, so not drawn: network, log_groups, guardrails" in svg


def test_every_unit_the_design_names_is_drawn_and_an_unknown_one_is_named():
    units = (*graph.DRAWN_UNITS, "warehouse")
    svg = graph.render_architecture(local_facts(units=units, endpoint_names=("churn",)))
    for text in ("notebook: fraud", "notebook: pricing", "invoker Lambda", "endpoint: churn", "guardrail policy"):
        assert text in svg
    assert "also in live/local, not drawn here: warehouse" in svg
    assert "not in live/local yet" not in svg


def test_a_serverless_endpoint_is_drawn_outside_the_vpc():
    svg = graph.render_architecture(
        local_facts(units=graph.DRAWN_UNITS, endpoint_names=("churn",), endpoint_shape="serverless")
    )
    assert "serverless: no VPC" in svg
    assert ">provisioned<" not in svg
