"""Graphs drawn by Graphviz: trees, state machines, dependency graphs and weighted networks.

A :class:`GraphSpec` is the graph itself (labelled nodes, edges with their labels or
weights, a start state and accepting states for a machine) and how it is drawn (the layout
engine, direction, shapes, colours, font). :func:`emit_dot` writes the DOT source the
``graphviz`` renderer draws; ``qa_synth/graph.py`` asks about the structure.

Kinds:

- ``tree``: an org chart, a folder tree or a family tree, drawn top-down or left-right;
  edges run from parent to child.
- ``state_machine``: a complete deterministic machine over the inputs 0 and 1, every state
  reachable from the start (the arrow from nowhere); accepting states have a double ring.
- ``dependency``: tasks and the tasks they must come before (an edge ``a -> b``: a before
  b); a share of them hold one cycle, which the questions then ask about.
- ``network``: places joined by weighted roads (undirected, connected), laid out by
  ``neato`` or ``circo``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from synth._errors import SampleRejected, SpecError
from synth.generators._common import pick, plain
from synth.pack import Code, DomainPack, OptionKind, Sample, read_options
from synth.personas import LocalContent, sample_persona
from synth.record import QA, Element, Rendered

__all__ = ["DOMAIN", "KINDS", "Edge", "GraphDomain", "GraphGenerator", "GraphSpec", "emit_dot"]

VERSION = "1"
LANGUAGE = "dot"
KINDS = ("tree", "state_machine", "dependency", "network", "matching")
ENGINES = ("dot", "neato", "circo")
#: the share of dependency graphs that hold a cycle (half: "is there a cycle?" is balanced)
CYCLE_SHARE = 0.5
#: the share of task graphs whose every other task leads to one last task
FINISH_SHARE = 0.5
#: fonts with lining figures (old-style ones draw 0 and 1 like o and I)
FONTS = ("Liberation Sans", "Lato", "Open Sans", "Comic Neue", "Liberation Serif", "DejaVu Sans")

ROLES = {
    "top": ("Director", "Head of Operations", "Managing Editor", "Principal", "Chief Engineer"),
    "mid": ("Finance", "Marketing", "Sales", "Research", "Support", "Logistics", "Legal",
            "Design", "Quality", "Training", "Purchasing", "IT"),
}  # fmt: skip
FOLDERS = ("src", "docs", "tests", "assets", "config", "data", "scripts", "build", "lib",
           "images", "notes", "reports", "drafts", "archive", "models", "fonts")  # fmt: skip
FILES = ("README.md", "main.py", "index.html", "style.css", "budget.xlsx", "plan.txt",
         "logo.png", "setup.cfg", "report.pdf", "app.js", "notes.md", "data.csv")  # fmt: skip
TASKS = ("Design", "Order parts", "Build frame", "Wire power", "Install pumps", "Paint",
         "Inspect", "Test run", "Train staff", "Launch", "Write manual", "Get permit",
         "Pour base", "Fit doors", "Survey site", "Sign off", "Print labels", "Pack")  # fmt: skip
TREE_TOPICS = ("org chart", "folder tree", "family tree")
#: a matching's topic -> (its left group, its right group, the right group's names)
MATCHINGS = {
    "shift rota": ("Staff", "Shifts", ("Mon early", "Mon late", "Tue early", "Tue late",
                                        "Wed early", "Wed late", "Sat", "Sun")),
    "project staffing": ("People", "Projects", ("Website", "Audit", "Launch", "Survey",
                                                "Migration", "Training", "Budget")),
    "tutoring plan": ("Tutors", "Subjects", ("Algebra", "Biology", "Chemistry", "French",
                                            "History", "Physics", "Spanish", "Writing")),
}  # fmt: skip
PALETTES = {
    "corporate": (("#dbe7f5", "#1f4e79"), ("#e8eef4", "#34495e"), ("#ffffff", "#2c3e50")),
    "scientific": (("#ffffff", "#000000"), ("#f2f2f2", "#333333")),
    "editorial": (("#fdf6e3", "#5b4636"), ("#f4ece1", "#3c3c3c")),
    "playful": (("#ffe08a", "#b35c00"), ("#c7f0d8", "#1b7f4b"), ("#f9c6d0", "#9b2242")),
    "casual": (("#e3f2fd", "#1565c0"), ("#fff3e0", "#e65100"), ("#ffffff", "#424242")),
    "official": (("#ffffff", "#000000"), ("#eeeeee", "#1a1a1a")),
}


@dataclasses.dataclass(frozen=True)
class Edge:
    """``src -> dst`` (indices into the nodes); ``label``: what is written on it (an
    input, a weight); ``weight``: a network road's length."""

    src: int
    dst: int
    label: str = ""
    weight: int | None = None


@dataclasses.dataclass(frozen=True)
class GraphStyle:
    engine: str  # dot | neato | circo
    rankdir: str  # TB | LR (dot only)
    shape: str  # box | ellipse | circle
    rounded: bool
    fill: str
    line: str
    font: str
    font_size: int
    dpi: int


@dataclasses.dataclass(frozen=True)
class GraphSpec:
    """A graph and how it is drawn. ``labels[i]`` names node ``i``; ``directed`` graphs
    draw arrows. A machine starts at ``start`` and accepts in ``accepting``."""

    kind: str
    topic: str
    labels: tuple[str, ...]
    edges: tuple[Edge, ...]
    directed: bool
    style: GraphStyle
    start: int | None = None
    accepting: tuple[int, ...] = ()
    #: where each node is pinned (inches; a network's map), or () for the engine to place
    positions: tuple[tuple[float, float], ...] = ()
    #: boxed groups of nodes (a matching's two sides): ``(title, node indices)``
    groups: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SpecError(f"graph kind {self.kind!r} is not one of {KINDS}")
        if len(set(self.labels)) != len(self.labels):
            raise SpecError(f"graph: node labels repeat: {self.labels}")
        n = len(self.labels)
        for e in self.edges:
            if not (0 <= e.src < n and 0 <= e.dst < n):
                raise SpecError(f"graph: edge {e.src}->{e.dst} names a node out of 0..{n - 1}")
        if self.style.engine not in ENGINES:
            raise SpecError(f"graph engine {self.style.engine!r} is not one of {ENGINES}")

    @property
    def family(self) -> str:
        return self.kind

    def to_json(self) -> dict[str, Any]:
        return plain(dataclasses.asdict(self))  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GraphSpec:
        d = dict(data)
        d["labels"] = tuple(d["labels"])
        d["edges"] = tuple(Edge(**e) for e in d["edges"])
        d["style"] = GraphStyle(**d["style"])
        d["accepting"] = tuple(d.get("accepting", ()))
        d["positions"] = tuple(tuple(p) for p in d.get("positions", ()))
        d["groups"] = tuple((str(t), tuple(m)) for t, m in d.get("groups", ()))
        return cls(**d)

    def caption(self) -> str:
        """The whole graph in words: every edge, true of the drawing."""
        arrow = " -> " if self.directed else " -- "
        parts = []
        for e in self.edges:
            text = f"{self.labels[e.src]}{arrow}{self.labels[e.dst]}"
            parts.append(f"{text} ({e.label})" if e.label else text)
        lead = f"A {self.topic} of {len(self.labels)} nodes"
        if self.start is not None:
            lead += f", starting at {self.labels[self.start]}"
        return f"{lead}: " + "; ".join(parts) + "."


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit_dot(spec: GraphSpec) -> str:
    """The DOT source of ``spec``: standalone, drawn by ``dot -Tpng`` as it is."""
    st = spec.style
    kind = "digraph" if spec.directed else "graph"
    arrow = "->" if spec.directed else "--"
    style = "filled,rounded" if st.rounded else "filled"
    lines = [
        f"{kind} G {{",
        f'  layout={st.engine}; dpi={st.dpi}; pad=0.25; bgcolor="white"; fontname="{st.font}";',
        f"  rankdir={st.rankdir}; nodesep=0.35; ranksep=0.45;",
        '  overlap=false; splines=true; start=7; sep="+16"; esep="+8";',
        f'  node [shape={st.shape}, style="{style}", fillcolor="{st.fill}", color="{st.line}",'
        f' fontname="{st.font}", fontsize={st.font_size}, fontcolor="#111111", margin="0.12,0.06"];',
        f'  edge [color="{st.line}", fontname="{st.font}", fontsize={st.font_size - 1},'
        ' fontcolor="#111111", arrowsize=0.8];',
    ]
    if spec.start is not None:
        lines.append('  __start [shape=point, width=0.01, style=invis, label=""];')
    for i, label in enumerate(spec.labels):
        extra = ", shape=doublecircle" if i in spec.accepting else ""
        if spec.positions:
            x, y = spec.positions[i]
            extra += f', pos="{x:g},{y:g}!"'
        lines.append(f"  n{i} [label={_quote(label)}{extra}];")
    for k, (title, members) in enumerate(spec.groups):
        inside = " ".join(f"n{i};" for i in members)
        lines.append(f'  subgraph cluster_{k} {{ label={_quote(title)}; color="{st.line}";'
                     f' style="rounded"; {inside} }}')  # fmt: skip
    if spec.start is not None:
        lines.append(f"  __start -> n{spec.start};")
    for e in spec.edges:
        attrs = f" [label={_quote(' ' + e.label + ' ')}]" if e.label else ""
        lines.append(f"  n{e.src} {arrow} n{e.dst}{attrs};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _style(rng: np.random.Generator, profile: str, kind: str) -> GraphStyle:
    fill, line = pick(rng, PALETTES.get(profile, PALETTES["casual"]))
    if kind == "network":
        engine, shape = "neato", str(pick(rng, ("ellipse", "box")))
    else:
        engine = "dot"
        shape = "circle" if kind == "state_machine" else str(pick(rng, ("box", "ellipse")))
    rankdir = "LR" if kind in ("state_machine", "matching") else str(pick(rng, ("TB", "TB", "LR")))
    return GraphStyle(
        engine=engine,
        rankdir=rankdir,
        shape=shape,
        rounded=shape == "box" and bool(rng.random() < 0.6),
        fill=str(fill),
        line=str(line),
        font=str(pick(rng, FONTS)),
        font_size=int(rng.integers(12, 17)),
        dpi=96,
    )


def _tree(rng: np.random.Generator, local: LocalContent) -> tuple[str, tuple[str, ...], list[Edge]]:
    topic = str(pick(rng, TREE_TOPICS))
    n = int(rng.integers(5, 12))
    parent = [-1]
    depth = [0]
    children = [0]
    for i in range(1, n):
        open_ = [p for p in range(i) if children[p] < 3 and depth[p] < 3]
        p = open_[int(rng.integers(len(open_)))]
        parent.append(p)
        depth.append(depth[p] + 1)
        children.append(0)
        children[p] += 1
    if topic == "org chart":
        mid = [str(r) for r in rng.permutation(ROLES["mid"])]
        labels: tuple[str, ...] = (str(pick(rng, ROLES["top"])), *mid[: n - 1])
    elif topic == "folder tree":
        leaves = {i for i in range(n) if children[i] == 0}
        folders = [str(f) for f in rng.permutation(FOLDERS)]
        files = [str(f) for f in rng.permutation(FILES)]
        labels = tuple(
            "project" if i == 0 else (files.pop() if i in leaves else folders.pop())
            for i in range(n)
        )
    else:
        labels = local.names("first_name", n, max_len=14)
    edges = [Edge(parent[i], i) for i in range(1, n)]
    return topic, labels, edges


def _machine(rng: np.random.Generator) -> tuple[tuple[str, ...], list[Edge], int, tuple[int, ...]]:
    n = int(rng.integers(3, 6))
    prefix = str(pick(rng, ("S", "q", "s")))
    for _ in range(100):
        delta = rng.integers(0, n, size=(n, 2))
        seen, todo = {0}, [0]
        while todo:
            s = todo.pop()
            for t in delta[s]:
                if int(t) not in seen:
                    seen.add(int(t))
                    todo.append(int(t))
        if len(seen) == n:
            break
    else:
        raise SpecError("graph: no machine with every state reachable in 100 draws")
    accepting = tuple(
        sorted(int(i) for i in rng.choice(n, size=int(rng.integers(1, n)), replace=False))
    )
    edges = []
    for s in range(n):
        a, b = int(delta[s][0]), int(delta[s][1])
        if a == b:
            edges.append(Edge(s, a, "0,1"))
        else:
            edges += [Edge(s, a, "0"), Edge(s, b, "1")]
    return tuple(f"{prefix}{i}" for i in range(n)), edges, 0, accepting


def _dependency(rng: np.random.Generator) -> tuple[tuple[str, ...], list[Edge]]:
    n = int(rng.integers(5, 10))
    labels = tuple(str(t) for t in rng.permutation(TASKS)[:n])
    edges: set[tuple[int, int]] = set()
    for j in range(1, n):  # every task after the first waits on at least one earlier one
        edges.add((int(rng.integers(0, j)), j))
    for _ in range(int(rng.integers(0, n // 2 + 1))):
        a, b = sorted(int(v) for v in rng.choice(n, size=2, replace=False))
        edges.add((a, b))
    if rng.random() < FINISH_SHARE:  # plans that end in one task ("Launch", "Sign off")
        edges |= {(j, n - 1) for j in range(n - 1) if not any(a == j for a, _ in edges)}
    if rng.random() < CYCLE_SHARE:  # a back edge along a path closes one cycle
        linked = [(a, b) for a in range(n) for b in range(a + 1, n) if _reaches(edges, a, b)]
        lo, hi = linked[int(rng.integers(len(linked)))]
        edges.add((hi, lo))
    order = [int(i) for i in rng.permutation(n)]  # the drawing does not give the order away
    return tuple(labels[i] for i in order), [
        Edge(order.index(a), order.index(b)) for a, b in sorted(edges)
    ]


def _reaches(edges: set[tuple[int, int]], a: int, b: int) -> bool:
    seen, todo = {a}, [a]
    while todo:
        s = todo.pop()
        for x, y in edges:
            if x == s and y not in seen:
                seen.add(y)
                todo.append(y)
    return b in seen


def _network(
    rng: np.random.Generator, local: LocalContent
) -> tuple[tuple[str, ...], list[Edge], tuple[tuple[float, float], ...]]:
    """Places on a map (inches), joined by roads that never cross, whose labels (at the
    roads' middles) stay clear of every place's box and of each other; drawn again until
    so."""
    n = int(rng.integers(5, 9))
    labels = local.names("city", n, max_len=16)
    # half a place's drawn width: ~0.1 in a character at the largest font, and the margins
    half = [0.05 * len(label) + 0.3 for label in labels]
    for _ in range(200):
        pos = _places(rng, n)
        if pos is None:
            continue
        pairs = _roads(rng, pos, half)
        if pairs is not None:
            break
    else:
        raise SpecError("graph: no road network with clear labels in 200 draws")
    edges = []
    for a, b in pairs:
        w = int(rng.integers(1, 21))
        edges.append(Edge(a, b, str(w), w))
    return labels, edges, tuple((round(x, 2), round(y, 2)) for x, y in pos)


#: a network's map: its size and how far apart places, and road labels, must be (inches)
MAP_W, MAP_H, PLACE_GAP, LABEL_GAP = 6.5, 4.5, 1.5, 0.6


def _places(rng: np.random.Generator, n: int) -> list[tuple[float, float]] | None:
    pos: list[tuple[float, float]] = []
    for _ in range(60 * n):
        p = (float(rng.uniform(0, MAP_W)), float(rng.uniform(0, MAP_H)))
        if all(math.dist(p, q) >= PLACE_GAP for q in pos):
            pos.append(p)
            if len(pos) == n:
                return pos
    return None


def _crosses(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float],
             s: tuple[float, float]) -> bool:  # fmt: skip
    """Segments pq and rs cross (sharing an end is not crossing)."""
    if {p, q} & {r, s}:
        return False

    def side(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    return side(p, q, r) * side(p, q, s) < 0 and side(r, s, p) * side(r, s, q) < 0


def _roads(
    rng: np.random.Generator, pos: list[tuple[float, float]], half: list[float]
) -> list[tuple[int, int]] | None:
    """A connected set of short roads, none crossing another or passing a place, with
    1 to n/2 roads beyond a spanning tree; None when the labels would crowd."""
    n = len(pos)
    order = sorted(((a, b) for a in range(n) for b in range(a + 1, n)),
                   key=lambda ab: math.dist(pos[ab[0]], pos[ab[1]]))  # fmt: skip
    group = list(range(n))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    chosen: list[tuple[int, int]] = []
    spare: list[tuple[int, int]] = []

    def fits(a: int, b: int) -> bool:
        mid = ((pos[a][0] + pos[b][0]) / 2, (pos[a][1] + pos[b][1]) / 2)
        if any(
            abs(mid[0] - p[0]) < h + 0.45 and abs(mid[1] - p[1]) < 0.45
            for p, h in zip(pos, half, strict=True)
        ):
            return False
        for c, d in chosen:
            if _crosses(pos[a], pos[b], pos[c], pos[d]):
                return False
            other = ((pos[c][0] + pos[d][0]) / 2, (pos[c][1] + pos[d][1]) / 2)
            if math.dist(mid, other) < LABEL_GAP:
                return False
        return True

    for a, b in order:
        if root(a) != root(b) and fits(a, b):
            group[root(a)] = root(b)
            chosen.append((a, b))
        elif root(a) == root(b):
            spare.append((a, b))
    if len(chosen) != n - 1:
        return None
    extra = int(rng.integers(1, n // 2 + 1))
    for a, b in spare[: 3 * extra]:
        if extra and fits(a, b):
            chosen.append((a, b))
            extra -= 1
    return sorted(chosen)


def _matching(
    rng: np.random.Generator, local: LocalContent
) -> tuple[str, tuple[str, ...], list[Edge], tuple[tuple[str, tuple[int, ...]], ...]]:
    """People on the left, what they can take on the right (an edge: can take). Half of
    them are built so that everyone can take a different one; the other half so that two
    people can take only the same one (then not everyone can)."""
    topic = str(pick(rng, tuple(MATCHINGS)))
    left_title, right_title, things = MATCHINGS[topic]
    n_left = int(rng.integers(3, 6))
    n_right = int(rng.integers(n_left, min(len(things), n_left + 2) + 1))
    people = local.names("first_name", n_left, max_len=12)
    right = tuple(str(t) for t in rng.permutation(things)[:n_right])
    pairs: set[tuple[int, int]] = set()
    if rng.random() < 0.5:
        for a, b in enumerate(rng.permutation(n_right)[:n_left]):
            pairs.add((a, int(b)))
        stuck: tuple[int, ...] = ()
    else:
        stuck = tuple(int(v) for v in rng.choice(n_left, size=2, replace=False))
        only = int(rng.integers(n_right))
        pairs |= {(a, only) for a in stuck}
    for a in range(n_left):
        if a in stuck:
            continue
        for b in rng.choice(n_right, size=int(rng.integers(1, 3)), replace=False):
            pairs.add((a, int(b)))
    labels = (*people, *right)
    edges = [Edge(a, n_left + b) for a, b in sorted(pairs)]
    groups = ((left_title, tuple(range(n_left))),
              (right_title, tuple(range(n_left, n_left + n_right))))  # fmt: skip
    return topic, labels, edges, groups


def overlapping(elements: Sequence[Element]) -> tuple[Element, Element] | None:
    """The first two drawn labels (nodes, edge labels) whose boxes overlap by more than a
    pixel each way, or None."""
    boxes = [e for e in elements if e["role"] in ("node", "edge_label") and e.get("label")]
    for i, a in enumerate(boxes):
        ax, ay, aw, ah = a["bbox"]
        for b in boxes[i + 1 :]:
            bx, by, bw, bh = b["bbox"]
            if min(ax + aw, bx + bw) - max(ax, bx) > 1 and min(ay + ah, by + bh) - max(ay, by) > 1:
                return a, b
    return None


def sample_graph(
    rng: np.random.Generator, kind: str | None = None
) -> tuple[GraphSpec, dict[str, Any]]:
    """A graph of ``kind`` (drawn from :data:`KINDS` when None), and the persona record."""
    kind = kind or str(pick(rng, KINDS))
    if kind not in KINDS:
        raise SpecError(f"graph kind {kind!r} is not one of {KINDS}")
    persona = sample_persona(rng)
    local = LocalContent(persona.country, rng=rng)
    style = _style(rng, persona.style, kind)
    start: int | None = None
    accepting: tuple[int, ...] = ()
    positions: tuple[tuple[float, float], ...] = ()
    groups: tuple[tuple[str, tuple[int, ...]], ...] = ()
    if kind == "tree":
        topic, labels, edges = _tree(rng, local)
    elif kind == "state_machine":
        topic = "state machine"
        labels, edges, start, accepting = _machine(rng)
    elif kind == "dependency":
        topic = "task dependency graph"
        labels, edges = _dependency(rng)
    elif kind == "network":
        topic = "road network"
        labels, edges, positions = _network(rng, local)
    else:
        topic, labels, edges, groups = _matching(rng, local)
    directed = kind not in ("network", "matching")
    spec = GraphSpec(kind, topic, labels, tuple(edges), directed, style, start, accepting,
                     positions, groups)  # fmt: skip
    return spec, persona.to_json()


@dataclasses.dataclass(frozen=True)
class GraphGenerator:
    """Draws graph samples of one ``kind`` (None: every kind in turn, at random)."""

    kind: str | None = None

    def sample(self, *, rng: np.random.Generator) -> Sample:
        spec, persona = sample_graph(rng, self.kind)
        return Sample(
            domain="graph",
            family=spec.family,
            generator=f"graph@{VERSION}",
            spec=spec,
            code=Code(LANGUAGE, emit_dot(spec)),
            persona=persona,
            topic=spec.topic,
        )


class GraphDomain(DomainPack):
    """The graph domain pack (registered as ``graph``)."""

    name = "graph"
    version = VERSION
    install_hint = "apt-get install graphviz  (or: bash scripts/setup.sh)"
    languages = (LANGUAGE,)
    #: ``--option graph.kind=tree``: only that kind of graph
    options: ClassVar[Mapping[str, OptionKind]] = {"kind": KINDS}

    def __init__(self, generator: GraphGenerator | None = None) -> None:
        self.generator = generator or GraphGenerator()

    def configure(self, options: Mapping[str, str]) -> GraphDomain:
        return GraphDomain(
            dataclasses.replace(self.generator, **read_options(self.name, options, self.options))
        )

    def sample(self, *, rng: np.random.Generator) -> Sample:
        return self.generator.sample(rng=rng)

    def targets(self, sample: Sample) -> dict[str, Any]:
        """A caption naming every edge."""
        return {"caption": sample.spec.caption()}

    def render(self, sample: Sample) -> Rendered:
        """Drawn by Graphviz; a drawing where two labels (of places, states, roads) overlap
        is rejected: which number belongs to which road could not be read."""
        from synth.renderers.graphviz import render_dot

        rendered = render_dot(sample.code.source)
        clash = overlapping(rendered.elements)
        if clash:
            a, b = clash
            raise SampleRejected(
                f"graph: the labels {a['label'].strip()!r} and {b['label'].strip()!r} overlap",
                ("labels_apart",),
            )
        return rendered

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        from synth.qa_synth.graph import graph_questions

        return graph_questions(sample.spec, rendered, rng=rng)


DOMAIN = GraphDomain()
