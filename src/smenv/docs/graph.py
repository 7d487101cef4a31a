"""Draw an environment as pictures: its units' dependency graph, and what it contains.

    python tools/graph.py                    # live/local -> docs/units-local.svg, docs/architecture-local.svg
    python tools/graph.py --env dev --out /tmp/pictures
    python tools/graph.py --check            # exit 1 when a picture in docs/ is not what the code draws now

The dependency graph is Terragrunt's own (`terragrunt dag graph`, no AWS call), laid out in
layers: a unit sits one layer below the deepest unit it depends on. The architecture picture is
laid out by hand but drawn from the repository: the teams, AZs, CIDR and endpoint from
live/<env>/env.hcl (with live/_envcommon/settings.hcl's defaults), the interface endpoints from
modules/network's default, the KMS keys from live/_envcommon/kms.hcl, and only the parts whose
unit is in live/<env>/. Both are plain SVG written by this file (no Graphviz), byte-for-byte the
same on every run. `make graph` runs it.
"""

from __future__ import annotations

import argparse
import ipaddress
import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape

import hcl2
from hcl2.utils import SerializationOptions

from smenv.core import cli
from smenv.core.project import (
    EMULATOR_CREDENTIALS,
    LIVE,
    REPO,
    Environment,
    UsageError,
    environment_settings,
    load_environment,
    module_default,
)

DOCS = REPO / "docs"
ENVCOMMON = LIVE / "_envcommon"
_PLAIN = SerializationOptions(with_comments=False, strip_string_quotes=True)
# Units the architecture picture knows how to draw; others are named in its footnote.
DRAWN_UNITS = (
    "kms",
    "network",
    "buckets",
    "log_groups",
    "guardrails",
    "notebook",
    "enforcer",
    "endpoint",
    "invoker",
    "params",
)
FONT = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"


class GraphError(Exception):
    """The picture cannot be drawn (Terragrunt failed, a cycle, ...): one line for the user."""


# --- SVG, written by hand --------------------------------------------------------------------------


def num(value: float) -> str:
    """Coordinates as short, stable text: 12, 12.5 (never 12.000000001)."""
    rounded = round(value * 2) / 2
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def text_width(text: str, size: float) -> float:
    """A generous estimate of the rendered width in the sans font (no font metrics here)."""
    wide = sum(1 for c in text if c in "mwMW@%")
    narrow = sum(1 for c in text if c in "il.,:;'|!()[] ")
    return size * (0.6 * len(text) + 0.3 * wide - 0.28 * narrow)


# Fill and stroke per kind of thing; the same colours in both pictures.
PALETTE: dict[str, tuple[str, str]] = {
    "keys": ("#fff4d6", "#b08900"),
    "network": ("#e3f0ff", "#2f6fcf"),
    "data": ("#e6f6ea", "#2b8a3e"),
    "controls": ("#fde8ec", "#c2255c"),
    "workloads": ("#efe9ff", "#6741d9"),
    "contract": ("#eef1f4", "#495057"),
    "outside": ("#ffffff", "#868e96"),
}
CATEGORY = {
    "kms": "keys",
    "network": "network",
    "buckets": "data",
    "log_groups": "data",
    "guardrails": "controls",
    "enforcer": "controls",
    "trail": "controls",
    "notebook": "workloads",
    "studio": "workloads",
    "pipelines": "workloads",
    "endpoint": "workloads",
    "invoker": "workloads",
    "promotion": "workloads",
    "params": "contract",
}
LEGEND = {
    "keys": "keys",
    "network": "network",
    "data": "data and logs",
    "controls": "controls",
    "workloads": "workloads",
    "contract": "contract",
    "outside": "other",
}


class Svg:
    def __init__(self, width: float, height: float, title: str) -> None:
        self.width, self.height, self.title = width, height, title
        self.parts: list[str] = []
        self.kinds: set[str] = set()  # the colours used, for the legend

    def rect(self, x: float, y: float, w: float, h: float, kind: str, *, rx: float = 6, dashed: bool = False) -> None:
        fill, stroke = PALETTE[kind]
        self.kinds.add(kind)
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        self.parts.append(
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" rx="{num(rx)}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}/>'
        )

    def frame(self, x: float, y: float, w: float, h: float, stroke: str, *, fill: str = "none", dashed: bool = False):
        dash = ' stroke-dasharray="8 5"' if dashed else ""
        self.parts.append(
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" rx="10" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="2"{dash}/>'
        )

    def text(self, x: float, y: float, content: str, cls: str = "label", anchor: str = "middle") -> None:
        self.parts.append(
            f'<text x="{num(x)}" y="{num(y)}" class="{cls}" text-anchor="{anchor}">{escape(content)}</text>'
        )

    def box(self, at: tuple[float, float, float, float], kind: str, title: str, *lines: str) -> None:
        """A rounded box (x, y, width, height) with a bold title and smaller lines under it, centred."""
        x, y, w, h = at
        self.rect(x, y, w, h, kind)
        rows = [title, *lines]
        top = y + h / 2 - (len(rows) - 1) * 7.5 + 4.5
        for i, row in enumerate(rows):
            self.text(x + w / 2, top + i * 15, row, "label" if i == 0 else "small")

    def path(self, d: str, *, dashed: bool = False, faint: bool = False) -> None:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        stroke, width, marker = ("#c3cad1", "1", "arrow-faint") if faint else ("#495057", "1.4", "arrow")
        self.parts.append(
            f'<path d="{d}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash} marker-end="url(#{marker})"/>'
        )

    def arrow(self, points: Sequence[tuple[float, float]], *, dashed: bool = False) -> None:
        self.path("M " + " L ".join(f"{num(x)} {num(y)}" for x, y in points), dashed=dashed)

    def render(self) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{num(self.width)}" height="{num(self.height)}" '
            f'viewBox="0 0 {num(self.width)} {num(self.height)}" role="img" aria-label="{escape(self.title)}">\n'
            f"<title>{escape(self.title)}</title>\n"
            "<defs>\n"
            '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
            'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#495057"/></marker>\n'
            '<marker id="arrow-faint" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
            'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#c3cad1"/></marker>\n'
            "<style>\n"
            f"text {{ font-family: {FONT}; fill: #212529; }}\n"
            ".title { font-size: 18px; font-weight: bold; }\n"
            ".subtitle { font-size: 12px; fill: #495057; }\n"
            ".label { font-size: 13px; font-weight: bold; }\n"
            ".small { font-size: 11px; fill: #343a40; }\n"
            ".frame { font-size: 13px; font-weight: bold; fill: #343a40; "
            "paint-order: stroke; stroke: #ffffff; stroke-width: 5px; stroke-linejoin: round; }\n"
            ".note { font-size: 11px; fill: #495057; "
            "paint-order: stroke; stroke: #ffffff; stroke-width: 4px; stroke-linejoin: round; }\n"
            "</style>\n"
            "</defs>\n"
            f'<rect width="{num(self.width)}" height="{num(self.height)}" fill="#ffffff"/>\n'
        )
        return head + "\n".join(self.parts) + "\n</svg>\n"


def legend(svg: Svg, kinds: Iterable[str], x: float, y: float) -> None:
    for kind in [k for k in LEGEND if k in set(kinds)]:
        svg.rect(x, y - 10, 14, 14, kind, rx=3)
        svg.text(x + 20, y + 1, LEGEND[kind], "small", anchor="start")
        x += 34 + text_width(LEGEND[kind], 11)


# --- the unit dependency graph --------------------------------------------------------------------

_NODE = re.compile(r'^\s*"([^"]+)"\s*;\s*$')
_EDGE = re.compile(r'^\s*"([^"]+)"\s*->\s*"([^"]+)"\s*;\s*$')


def unit_name(node: str, env_dir: Path) -> str:
    """A unit's name from a DOT node: Terragrunt prints absolute paths or paths relative to the env."""
    path = PurePosixPath(node)
    if path.is_absolute():
        try:
            return str(path.relative_to(PurePosixPath(env_dir.as_posix())))
        except ValueError:
            return path.name
    return str(path)


def parse_dot(dot: str, env_dir: Path) -> dict[str, set[str]]:
    """Terragrunt's DOT (`"unit" -> "dependency";`) as unit -> the units it depends on."""
    deps: dict[str, set[str]] = {}
    for line in dot.splitlines():
        if edge := _EDGE.match(line):
            unit, dependency = (unit_name(n, env_dir) for n in edge.groups())
            deps.setdefault(unit, set()).add(dependency)
            deps.setdefault(dependency, set())
        elif node := _NODE.match(line):
            deps.setdefault(unit_name(node.group(1), env_dir), set())
    return deps


def terragrunt_dot(env_dir: Path) -> str:
    """`terragrunt dag graph` for one environment. It reads the HCL only; the AWS settings
    here make sure that, should it ever try, it reaches nothing (no profile, a closed local port)."""
    terragrunt = shutil.which("terragrunt")
    if not terragrunt:
        raise UsageError("terragrunt is not on PATH: run `make bootstrap` (or `make graph`)")
    child = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    child.update(EMULATOR_CREDENTIALS, AWS_EC2_METADATA_DISABLED="true", SMENV_EMULATOR_URL="http://127.0.0.1:9")
    done = subprocess.run(
        [terragrunt, "dag", "graph", "--working-dir", str(env_dir), "--non-interactive"],
        cwd=REPO,
        env=child,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise GraphError(f"terragrunt dag graph failed for {env_dir.relative_to(REPO)}: {last}")
    return done.stdout


def longest_path_layers(deps: Mapping[str, set[str]]) -> dict[str, int]:
    """Layer 0: units that depend on nothing; every other unit one below its deepest dependency."""
    layer: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(unit: str) -> int:
        if unit in layer:
            return layer[unit]
        if unit in visiting:
            raise GraphError(f"the units' dependencies form a cycle through {unit}")
        visiting.add(unit)
        below = [visit(d) for d in sorted(deps.get(unit, ()))]
        visiting.discard(unit)
        layer[unit] = 1 + max(below) if below else 0
        return layer[unit]

    for unit in sorted(deps):
        visit(unit)
    return layer


def implied(deps: Mapping[str, set[str]]) -> set[tuple[str, str]]:
    """(dependency, unit) pairs that another path already orders: unit depends on X, which
    (through any chain) depends on dependency. Dropping them keeps the same order of apply."""
    reach: dict[str, set[str]] = {}

    def below(unit: str) -> set[str]:
        if unit not in reach:
            reach[unit] = set()
            for d in deps.get(unit, ()):
                reach[unit] |= {d} | below(d)
        return reach[unit]

    return {(d, u) for u in deps for d in deps[u] if any(d in below(other) for other in deps[u] - {d})}


def module_of(unit: str) -> str | None:
    """The module a unit deploys, from its live/_envcommon file's `source = ".../modules//<name>"`."""
    path = ENVCOMMON / f"{unit}.hcl"
    found = re.search(r"modules//([A-Za-z0-9_-]+)", path.read_text(encoding="utf-8")) if path.is_file() else None
    return f"modules/{found.group(1)}" if found else None


Node = tuple[str, ...]  # ("unit", name) or ("via", dependency, unit, layer): a waypoint of a long edge
Link = tuple[Node, Node]  # between consecutive layers, upper -> lower


@dataclass
class DagLayout:
    width: float
    height: float
    boxes: dict[str, tuple[float, float, float, float]]  # unit -> x, y, w, h
    edges: list[list[tuple[float, float]]]  # dependency -> unit, top to bottom, through the layers between
    pairs: list[tuple[str, str]]  # (dependency, unit) of each edge
    layers: dict[str, int]


TOP, BOX_H, LAYER_GAP, NODE_GAP, VIA_W = 96, 46, 58, 30, 14


def chains_of(deps: Mapping[str, set[str]], layers: Mapping[str, int]) -> list[list[Node]]:
    """Each dependency edge as the nodes it passes, one per layer: the dependency, waypoints, the unit."""
    chains = []
    for unit in sorted(deps):
        for dependency in sorted(deps[unit]):
            vias = [("via", dependency, unit, str(i)) for i in range(layers[dependency] + 1, layers[unit])]
            chains.append([("unit", dependency), *vias, ("unit", unit)])
    return chains


def crossings(order: Mapping[int, list[Node]], links: Sequence[Link]) -> int:
    pos = {n: i for nodes in order.values() for i, n in enumerate(nodes)}
    lay = {n: layer for layer, nodes in order.items() for n in nodes}
    total = 0
    for i, (a, b) in enumerate(links):
        for c, d in links[i + 1 :]:
            if lay[a] == lay[c] and a != c and b != d:
                total += (pos[a] - pos[c]) * (pos[b] - pos[d]) < 0
    return total


def order_layers(order: dict[int, list[Node]], links: Sequence[Link], sweeps: int = 8) -> dict[int, list[Node]]:
    """Sort each layer by the mean position of its neighbours in the layer above (then below, and
    so on); keep the order with the fewest crossings. Ties keep the current order: deterministic."""
    up: dict[Node, list[Node]] = {}
    down: dict[Node, list[Node]] = {}
    for top, bottom in links:
        down.setdefault(top, []).append(bottom)
        up.setdefault(bottom, []).append(top)
    depth = len(order)
    best, best_count = {k: list(v) for k, v in order.items()}, crossings(order, links)
    for sweep in range(sweeps):
        downwards = sweep % 2 == 0
        for layer in range(1, depth) if downwards else range(depth - 2, -1, -1):
            near_layer = order[layer - 1] if downwards else order[layer + 1]
            pos = {n: i for i, n in enumerate(near_layer)}
            here = {n: i for i, n in enumerate(order[layer])}
            neighbours = up if downwards else down

            def barycentre(node: Node, pos=pos, here=here, neighbours=neighbours) -> tuple[float, int]:
                near = [pos[n] for n in neighbours.get(node, []) if n in pos]
                return (sum(near) / len(near) if near else float(here[node]), here[node])

            order[layer].sort(key=barycentre)
        count = crossings(order, links)
        if count < best_count:
            best, best_count = {k: list(v) for k, v in order.items()}, count
    return best


def layout_dag(deps: Mapping[str, set[str]], width_of: Mapping[str, float]) -> DagLayout:
    """Layers top to bottom, long edges routed through waypoints in the layers they cross, each
    layer centred; a unit's arrows leave its bottom and reach its top spread out, in the order of
    their other ends."""
    layers = longest_path_layers(deps)
    depth = max(layers.values(), default=0) + 1
    chains = chains_of(deps, layers)
    order: dict[int, list[Node]] = {i: [] for i in range(depth)}
    for unit in sorted(deps):
        order[layers[unit]].append(("unit", unit))
    for chain in chains:
        for via in chain[1:-1]:
            order[int(via[3])].append(via)
    links: list[Link] = [link for chain in chains for link in itertools.pairwise(chain)]
    order = order_layers(order, links)

    def w(node: Node) -> float:
        return width_of[node[1]] if node[0] == "unit" else VIA_W

    layer_widths = {i: sum(w(n) for n in nodes) + NODE_GAP * (len(nodes) - 1) for i, nodes in order.items()}
    width = max(layer_widths.values(), default=0) + 80
    centre: dict[Node, float] = {}
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for layer, nodes in order.items():
        x = (width - layer_widths[layer]) / 2
        for node in nodes:
            centre[node] = x + w(node) / 2
            if node[0] == "unit":
                boxes[node[1]] = (x, TOP + layer * (BOX_H + LAYER_GAP), w(node), BOX_H)
            x += w(node) + NODE_GAP

    def ports(node: Node, others: list[Node]) -> dict[Node, float]:
        if node[0] != "unit":
            return {o: centre[node] for o in others}
        x, _, bw, _ = boxes[node[1]]
        ranked = sorted(others, key=lambda o: (centre[o], o))
        return {o: x + bw * (i + 1) / (len(ranked) + 1) for i, o in enumerate(ranked)}

    out_ports = {top: ports(top, [b for a, b in links if a == top]) for top, _ in links}
    in_ports = {bottom: ports(bottom, [a for a, b in links if b == bottom]) for _, bottom in links}

    def y_of(node: Node) -> float:
        return TOP + (layers[node[1]] if node[0] == "unit" else int(node[3])) * (BOX_H + LAYER_GAP)

    edges: list[list[tuple[float, float]]] = []
    for chain in chains:
        points = [(out_ports[chain[0]][chain[1]], y_of(chain[0]) + BOX_H)]
        for top_node, bottom_node in itertools.pairwise(chain):
            if top_node[0] == "via":  # straight down through the waypoint
                points.append((centre[top_node], y_of(top_node) + BOX_H))
            points.append((in_ports[bottom_node][top_node], y_of(bottom_node)))
        edges.append(points)
    height = TOP + depth * (BOX_H + LAYER_GAP) - LAYER_GAP + 24
    pairs = [(chain[0][1], chain[-1][1]) for chain in chains]
    return DagLayout(width, height, boxes, edges, pairs, layers)


def smooth(points: Sequence[tuple[float, float]]) -> str:
    """Through the points top to bottom: S-curves between layers, straight down through a waypoint."""
    (x0, y0), rest = points[0], points[1:]
    d = [f"M {num(x0)} {num(y0)}"]
    previous = (x0, y0)
    for i, (x, y) in enumerate(rest):
        px, py = previous
        if i % 2 == 1:  # from a waypoint's top to its bottom
            d.append(f"L {num(x)} {num(y)}")
        else:
            bend = (y - py) / 2
            d.append(f"C {num(px)} {num(py + bend)} {num(x)} {num(y - bend)} {num(x)} {num(y)}")
        previous = (x, y)
    return " ".join(d)


def render_units(env: Environment, deps: Mapping[str, set[str]]) -> str:
    modules = {u: module_of(u) for u in sorted(deps)}
    width_of = {u: max(120.0, text_width(u, 13) + 36, text_width(modules[u] or "", 11) + 30) for u in sorted(deps)}
    lay = layout_dag(deps, width_of)
    title = f"live/{env.name}: units and their dependencies"
    notes = [
        "From terragrunt dag graph. An arrow A \u2192 B: B uses A's outputs, so run --all apply",
        "makes A first and destroy removes it last. Grey: a dependency that a longer path already implies.",
    ]
    width = max(lay.width, max(text_width(n, 12) for n in notes) + 48)
    shift = (width - lay.width) / 2
    svg = Svg(width, lay.height + 30, title)
    svg.text(24, 34, title, "title", anchor="start")
    for i, note in enumerate(notes):
        svg.text(24, 56 + 16 * i, note, "subtitle", anchor="start")
    indirect = implied(deps)
    drawn = sorted(zip(lay.pairs, lay.edges, strict=True), key=lambda e: (e[0] not in indirect, e[0]))
    for pair, points in drawn:  # grey ones first, underneath
        svg.path(smooth([(x + shift, y) for x, y in points]), faint=pair in indirect)
    for unit, (x, y, w, h) in sorted(lay.boxes.items()):
        module = modules[unit]
        lines = [module] if module else []
        svg.box((x + shift, y, w, h), CATEGORY.get(unit, "outside"), unit, *lines)
    legend(svg, {CATEGORY.get(u, "outside") for u in deps}, 24, lay.height + 6)
    return svg.render()


# --- what one environment contains -----------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """Everything the architecture picture shows, read from the repository (plain data)."""

    env: str
    account_id: str
    region: str
    prefix: str
    parameter_prefix: str
    emulator: bool
    units: tuple[str, ...]
    teams: tuple[str, ...]
    azs: tuple[str, ...]
    vpc_cidr: str
    subnet_cidrs: tuple[str, ...]
    nat: bool
    interface_endpoints: tuple[str, ...]
    key_purposes: tuple[str, ...]
    endpoint_names: tuple[str, ...]  # env.hcl's endpoint.name: the endpoint is <prefix>-<name> (modules/endpoint)
    endpoint_shape: str
    enforcement_mode: str
    bucket_conditions: tuple[str, ...] = field(default=())

    def has(self, unit: str) -> bool:
        return unit in self.units


def kms_purposes() -> list[str]:
    path = ENVCOMMON / "kms.hcl"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        parsed = hcl2.load(handle, serialization_options=_PLAIN)
    keys = (parsed.get("inputs") or {}).get("keys") or {}
    return list(keys) if isinstance(keys, dict) else []


def subnets(vpc_cidr: str, count: int, newbits: int = 4) -> list[str]:
    """cidrsubnet(vpc_cidr, newbits, i) for each AZ, as modules/network computes them."""
    try:
        network = ipaddress.ip_network(vpc_cidr)
        return [str(s) for s in list(network.subnets(prefixlen_diff=newbits))[:count]]
    except ValueError:
        return ["?"] * count


def read_facts(env: Environment) -> Facts:
    values = environment_settings(env.name)
    azs = tuple(str(a) for a in values["azs"])
    newbits = int(module_default("network.subnet_newbits"))
    conditions = []
    if not values["buckets_enforce_tls"]:
        conditions.append("TLS-only policy off here")
    if not values["buckets_enforce_vpc_endpoint"]:
        conditions.append("VPC-endpoint-only policy off here")
    return Facts(
        env=env.name,
        account_id=env.account_id,
        region=env.region,
        prefix=env.resource_prefix,
        parameter_prefix=env.parameter_prefix,
        emulator=env.emulator,
        units=tuple(sorted(p.parent.name for p in env.path.glob("*/terragrunt.hcl"))),
        teams=env.teams,
        azs=azs,
        vpc_cidr=str(values["vpc_cidr"]),
        subnet_cidrs=tuple(subnets(str(values["vpc_cidr"]), len(azs), newbits)),
        nat=bool(values["enable_nat_gateway"]),
        interface_endpoints=tuple(str(s) for s in module_default("network.interface_endpoints")),
        key_purposes=tuple(kms_purposes()),
        endpoint_names=(str(values["endpoint"]["name"]),),
        endpoint_shape=str(values["endpoint_shape"]),
        enforcement_mode=str(values["enforcement_mode"]),
        bucket_conditions=tuple(conditions),
    )


# The picture is a grid of five slots across. Inside the VPC, columns line up under the boxes
# above that call into them: inference (slot 0), notebooks (1), the enforcer (2-4).
SLOT_W, SLOT_GAP, ROW_H, ROW_GAP = 176, 22, 50, 18
PITCH = SLOT_W + SLOT_GAP
SLOTS = 5
MARGIN, PAD = 20, 20
X0 = MARGIN + 2 * PAD  # left edge of slot 0 (account frame, then VPC frame)


def slot_x(i: int) -> float:
    return X0 + i * PITCH


def span(first: int, last: int) -> float:
    return (last - first + 1) * PITCH - SLOT_GAP


def cell(slot: int, y: float, slots: int = 1) -> tuple[float, float, float, float]:
    """A box in the grid: from slot, across slots, one row high."""
    return (slot_x(slot), y, span(slot, slot + slots - 1), ROW_H)


def mid(i: int) -> float:
    return slot_x(i) + SLOT_W / 2


def chip_rows(names: Sequence[str], width: float) -> list[list[tuple[str, float]]]:
    """Small labelled boxes flowing left to right, wrapped inside width: rows of (name, box width)."""
    rows: list[list[tuple[str, float]]] = [[]]
    used = 0.0
    for name in names:
        w = text_width(name, 11) + 16
        if used + w > width and rows[-1]:
            rows.append([])
            used = 0.0
        rows[-1].append((name, w))
        used += w + 6
    return rows if names else []


def chips_height(names: Sequence[str], width: float) -> float:
    return len(chip_rows(names, width)) * 26 - 6 if names else 0


def chips(svg: Svg, names: Sequence[str], *, x: float, y: float, width: float, kind: str) -> None:
    for r, row in enumerate(chip_rows(names, width)):
        cx = x
        for name, w in row:
            svg.rect(cx, y + r * 26, w, 20, kind, rx=4)
            svg.text(cx + w / 2, y + r * 26 + 14, name, "small")
            cx += w + 6


@dataclass(frozen=True)
class Grid:
    """The rows of the architecture picture, from what it has to show."""

    width: float
    height: float
    y_top: float  # callers and event sources, above the VPC
    y_vpc: float
    y_rows: float  # first row of workloads in the VPC
    y_endpoints: float
    endpoints_h: float
    y_vpc_end: float
    y_regional: float  # services outside the VPC, below it
    keys_h: float
    s3_h: float

    def row_y(self, i: int) -> float:
        return self.y_rows + i * (ROW_H + ROW_GAP)


def endpoints_of(f: Facts) -> list[str]:
    return list(f.endpoint_names) if f.has("endpoint") else []


def grid_for(f: Facts) -> Grid:
    serverless = f.endpoint_shape == "serverless"
    endpoints = endpoints_of(f)
    y_top = 124
    y_vpc = y_top + ROW_H + 44
    y_rows = y_vpc + 58
    inference_rows = (1 if f.has("invoker") else 0) + (0 if serverless else len(endpoints))
    enforcer_rows = (1 if f.has("enforcer") else 0) + (1 if f.has("guardrails") else 0)
    notebook_rows = len(f.teams) if f.has("notebook") else 0
    rows = max(1, notebook_rows, inference_rows, enforcer_rows)
    y_endpoints = y_rows + rows * (ROW_H + ROW_GAP) + 6
    endpoints_h = chips_height(f.interface_endpoints, span(1, 3) - 24) + 36 if f.has("network") else 0
    y_vpc_end = y_endpoints + max(endpoints_h, ROW_H + 12 if f.has("network") else 0) + 18
    y_regional = y_vpc_end + 36
    s3_h = 44 + (len(f.teams) + 1) * 30 if f.has("buckets") else 0
    keys_h = chips_height(f.key_purposes, span(1, 2) - 24) + 40 if f.has("kms") else 0
    left_h = keys_h + (ROW_H + ROW_GAP if f.has("params") or f.has("log_groups") else 0)
    y_end = y_regional + max(s3_h, left_h, ROW_H if serverless and endpoints else 0) + 16
    return Grid(
        width=SLOTS * PITCH - SLOT_GAP + 2 * (MARGIN + 2 * PAD),
        height=y_end + 66,
        y_top=y_top,
        y_vpc=y_vpc,
        y_rows=y_rows,
        y_endpoints=y_endpoints,
        endpoints_h=endpoints_h,
        y_vpc_end=y_vpc_end,
        y_regional=y_regional,
        keys_h=keys_h,
        s3_h=s3_h,
    )


Arrow = tuple[list[tuple[float, float]], bool]  # points, dashed


def draw_above(svg: Svg, f: Facts, g: Grid) -> list[Arrow]:
    """Who calls into the VPC, and where the enforcer's events come from and its findings go."""
    arrows: list[Arrow] = []
    y, bottom = g.y_top, g.y_top + ROW_H
    if f.has("invoker"):
        svg.box(cell(0, y), "outside", "caller", "IAM-signed HTTPS")
    if f.has("enforcer") or f.has("notebook"):
        svg.box(cell(1, y), "outside", "SageMaker API", "jobs, models, notebooks")
    if f.has("enforcer"):
        svg.box(cell(2, y), "controls", "EventBridge rules", "API calls, state changes")
        svg.box(cell(3, y), "controls", "SNS: findings", "KMS-encrypted topic")
        svg.box(cell(4, y), "controls", "SQS: dead letters", "events that failed")
        arrows.append(([(slot_x(1) + SLOT_W, y + ROW_H / 2), (slot_x(2), y + ROW_H / 2)], False))
        arrows.append(([(mid(2), bottom), (mid(2), g.row_y(0))], False))  # events -> the Lambda
        arrows.append(([(mid(3), g.row_y(0)), (mid(3), bottom)], False))  # findings
        arrows.append(([(mid(4), g.row_y(0)), (mid(4), bottom)], True))  # failed events
        back = [(slot_x(2) + 24, g.row_y(0)), (slot_x(2) + 24, bottom + 22), (slot_x(1) + SLOT_W - 24, bottom + 22)]
        arrows.append(([*back, (slot_x(1) + SLOT_W - 24, bottom)], True))  # stop / delete
    return arrows


def draw_vpc(svg: Svg, f: Facts, g: Grid) -> list[Arrow]:
    arrows: list[Arrow] = []
    has_net = f.has("network")
    svg.frame(
        X0 - PAD,
        g.y_vpc,
        span(0, SLOTS - 1) + 2 * PAD,
        g.y_vpc_end - g.y_vpc,
        "#2f6fcf",
        fill="#f7fbff",
        dashed=not has_net,
    )
    # Slot 0: inference, the invoker then the provisioned endpoints
    row = 0
    if f.has("invoker"):
        svg.box(cell(0, g.row_y(0)), "workloads", "invoker Lambda", "validates, then invokes")
        arrows.append(([(mid(0), g.y_top + ROW_H), (mid(0), g.row_y(0))], False))
        row = 1
    if f.endpoint_shape != "serverless":
        for i, name in enumerate(endpoints_of(f)):
            svg.box(cell(0, g.row_y(row + i)), "workloads", f"endpoint: {name}", f"{f.prefix}-{name}", "provisioned")
        if f.has("invoker") and endpoints_of(f):
            arrows.append(([(mid(0), g.row_y(0) + ROW_H), (mid(0), g.row_y(1))], False))
    # Slot 1: a notebook per team, team i in subnet i modulo their number
    if f.has("notebook"):
        for i, team in enumerate(f.teams):
            az = f.azs[i % len(f.azs)] if f.azs else "?"
            svg.box(cell(1, g.row_y(i)), "workloads", f"notebook: {team}", f"{az}, no internet")
        if f.teams:
            arrows.append(([(mid(1), g.row_y(0)), (mid(1), g.y_top + ROW_H)], False))
    # Slots 2-4: the enforcer, then the guardrail policy
    if f.has("enforcer"):
        mode = "stops, deletes, reports" if f.enforcement_mode == "enforce" else f"{f.enforcement_mode} mode: reports"
        svg.box(cell(2, g.row_y(0), 3), "controls", "enforcer Lambda", f"in the VPC; {mode}")
    if f.has("guardrails"):
        svg.box(
            cell(2, g.row_y(1 if f.has("enforcer") else 0), 3),
            "controls",
            "guardrail policy",
            "deny-only IAM on SageMaker roles: an unsafe Create* fails at once",
        )
    if has_net:
        svg.rect(slot_x(1), g.y_endpoints, span(1, 3), g.endpoints_h, "network")
        count = len(f.interface_endpoints)
        title = f"interface endpoints ({count}), private DNS, HTTPS from the VPC only"
        svg.text(slot_x(1) + 12, g.y_endpoints + 17, title, "small", anchor="start")
        chips(svg, f.interface_endpoints, x=slot_x(1) + 12, y=g.y_endpoints + 26, width=span(1, 3) - 24, kind="network")
        svg.box(cell(4, g.y_endpoints), "network", "S3 gateway endpoint", f"{f.prefix}-* buckets")
    return arrows


def draw_regional(svg: Svg, f: Facts, g: Grid) -> list[Arrow]:
    """What the VPC reaches through its endpoints: buckets, keys, the contract, logs."""
    arrows: list[Arrow] = []
    y = g.y_regional
    if f.has("buckets"):
        x, w = slot_x(3), span(3, 4)
        svg.rect(x, y, w, g.s3_h, "data")
        svg.text(x + 12, y + 18, "S3: a data and a model bucket per team", "label", anchor="start")
        rows = [(team, ["data \u00b7 data key", "model \u00b7 models key"]) for team in f.teams]
        for i, (label, names) in enumerate([*rows, ("logs", ["access-log bucket"])]):
            svg.text(x + 12, y + 45 + i * 30, label, "small", anchor="start")
            chips(svg, names, x=x + 90, y=y + 30 + i * 30, width=w - 100, kind="data")
        if f.has("network"):
            arrows.append(([(mid(4), g.y_endpoints + ROW_H), (mid(4), y)], False))
        if f.bucket_conditions:
            svg.text(x + w, y + g.s3_h + 14, "; ".join(f.bucket_conditions), "note", anchor="end")
    if f.has("kms"):
        x, w = slot_x(1), span(1, 2)
        svg.rect(x, y, w, g.keys_h, "keys")
        svg.text(x + 12, y + 18, "KMS: a key per purpose, rotated", "label", anchor="start")
        chips(svg, f.key_purposes, x=x + 12, y=y + 28, width=w - 24, kind="keys")
    below = y + g.keys_h + ROW_GAP
    if f.has("params"):
        svg.box(cell(1, below), "contract", "SSM: the contract", f"{f.parameter_prefix}/...")
    if f.has("log_groups"):
        svg.box(cell(2, below), "data", "CloudWatch Logs", "encrypted, retained")
    endpoints = endpoints_of(f)
    if endpoints and f.endpoint_shape == "serverless":
        svg.box(
            cell(0, y), "workloads", f"endpoint: {endpoints[0]}", f"{f.prefix}-{endpoints[0]}", "serverless: no VPC"
        )
        start = g.row_y(0) + ROW_H if f.has("invoker") else g.y_vpc_end
        arrows.append(([(mid(0), start), (mid(0), y)], False))
    return arrows


def render_architecture(f: Facts) -> str:
    g = grid_for(f)
    title = f"live/{f.env}: what one environment contains"
    svg = Svg(g.width, g.height, title)
    where = "on the local emulator" if f.emulator else f"in account {f.account_id}"
    svg.text(MARGIN, 34, title, "title", anchor="start")
    source = f"Drawn from live/{f.env}/env.hcl, live/{f.env}/*/, live/_envcommon and modules/network by tools/graph.py."
    svg.text(MARGIN, 56, f"{f.prefix}-* {where}, {f.region}. {source}", "subtitle", anchor="start")
    svg.frame(MARGIN, 84, g.width - 2 * MARGIN, g.height - 124, "#adb5bd")
    svg.text(MARGIN + 14, 104, f"AWS account {f.account_id} \u00b7 {f.region}", "frame", anchor="start")
    arrows = draw_vpc(svg, f, g) + draw_above(svg, f, g) + draw_regional(svg, f, g)
    for points, dashed in arrows:
        svg.arrow(points, dashed=dashed)
    # Titles over the arrows that cross them, with a halo.
    if f.has("network"):
        egress = "NAT egress (opted in)" if f.nat else "no internet gateway, no NAT"
        subnet_text = " \u00b7 ".join(f"{az} {c}" for az, c in zip(f.azs, f.subnet_cidrs, strict=False))
        vpc_title, vpc_note = f"VPC {f.vpc_cidr} \u00b7 {egress}", f"private subnets: {subnet_text}"
    else:
        vpc_title, vpc_note = "VPC", f"no network unit in live/{f.env}"
    svg.text(X0 - PAD + 14, g.y_vpc + 20, vpc_title, "frame", anchor="start")
    svg.text(X0 - PAD + 14, g.y_vpc + 38, vpc_note, "note", anchor="start")
    if f.has("enforcer"):
        svg.text(slot_x(2) + 32, g.y_top + ROW_H + 18, "stop / delete", "note", anchor="start")
    missing = [u for u in DRAWN_UNITS if u not in f.units]
    unknown = [u for u in f.units if u not in DRAWN_UNITS]
    notes = []
    if missing:
        notes.append(f"not in live/{f.env} yet, so not drawn: {', '.join(missing)}")
    if unknown:
        notes.append(f"also in live/{f.env}, not drawn here: {', '.join(unknown)}")
    legend(svg, svg.kinds, MARGIN, g.height - 16)
    if notes:
        svg.text(g.width - MARGIN, g.height - 16, "; ".join(notes), "small", anchor="end")
    return svg.render()


# --- the command ----------------------------------------------------------------------------------


def pictures(env: Environment) -> dict[str, str]:
    """File name -> SVG text, for one environment."""
    deps = parse_dot(terragrunt_dot(env.path), env.path)
    return {
        f"units-{env.name}.svg": render_units(env, deps),
        f"architecture-{env.name}.svg": render_architecture(read_facts(env)),
    }


def stale(drawn: Mapping[str, str], out: Path) -> list[str]:
    """The pictures in out that differ from what the code draws now (or are missing)."""
    found = []
    for name, content in sorted(drawn.items()):
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            found.append(name)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="local", help="environment under live/ (default: local)")
    parser.add_argument("--out", type=Path, default=DOCS, help="where the SVG files go (default: docs/)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a picture there is stale")
    args = parser.parse_args(argv)

    def body() -> int:
        env = load_environment(args.env)
        drawn = pictures(env)
        if args.check:
            old = stale(drawn, args.out)
            if old:
                where = args.out / old[0]
                print(f"graph: error: {where} is stale: run `make graph` and commit it", file=sys.stderr)
                return 1
            print(f"graph: {len(drawn)} pictures in {args.out} are up to date")
            return 0
        args.out.mkdir(parents=True, exist_ok=True)
        for name, content in sorted(drawn.items()):
            (args.out / name).write_text(content, encoding="utf-8")
            print(f"wrote {args.out / name}")
        return 0

    return cli.run("graph", body, failed=(GraphError, OSError, subprocess.TimeoutExpired))


if __name__ == "__main__":
    sys.exit(main())
