"""Diagram domain: flowcharts and sequence diagrams, written as Mermaid and drawn by
mermaid.js in the warm Chromium page.

A sample is a :class:`DiagramSpec`: a graph of nodes (terminal, process, decision) and
labelled edges, or participants and the messages between them, made from the persona's
field (``personas/diagram_content.yaml``). The Mermaid text is the sample's code. Questions
(``synth.qa_synth.diagram``) come from the graph: what comes after a step, what happens on a
decision's "No", how many decisions, is there a path from A to B, the fewest steps from start
to end, who sends a message, what comes next, counting messages, pointing at a node.

    synth generate --domain diagram --n 1000 --out data/diagrams
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from synth._errors import SpecError
from synth.generators._common import pick, plain
from synth.generators._page_domain import PageDomain
from synth.generators._page_sample import FONTS
from synth.pack import Code, DomainPack, OptionKind, Sample
from synth.personas import LocalContent, Persona, load_vocabulary, sample_persona
from synth.record import QA, Rendered

__all__ = [
    "DOMAIN",
    "END",
    "KINDS",
    "START",
    "DiagramDomain",
    "DiagramGenerator",
    "DiagramSpec",
    "DiagramStyle",
    "Edge",
    "Message",
    "Node",
    "emit_mermaid",
]

VERSION = "2"
KINDS = ("flowchart", "sequence")
LANGUAGE = "mermaid"
#: a left-to-right flowchart of more nodes is wider than the 2,000 px image (measured: 11 to
#: 14 nodes drew 2,114 to 2,479 px wide); it is drawn top-down
MAX_LR_NODES = 9
START, END = "t0", "t1"  # node ids of Start and End ("end" is a Mermaid keyword)
SHAPES = {"terminal": ("([", "])"), "process": ("[", "]"), "decision": ("{", "}")}


@dataclasses.dataclass(frozen=True)
class Node:
    id: str
    label: str
    shape: str  # terminal | process | decision


@dataclasses.dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    label: str = ""  # "Yes" / "No" out of a decision


@dataclasses.dataclass(frozen=True)
class Message:
    src: int  # index into participants
    dst: int
    text: str
    reply: bool  # drawn dashed
    #: the scenario may leave it out; ``order``: its place in the scenario's full list (a
    #: gap in the orders is an optional message left out). Where either holds, what comes
    #: after the message before it differs from sample to sample
    optional: bool = False
    order: int = 0


@dataclasses.dataclass(frozen=True)
class DiagramStyle:
    theme: str  # mermaid theme: default | neutral | forest | base | dark
    font_family: str
    font_px: int
    direction: str  # flowcharts: TD | LR
    curve: str  # flowcharts: basis | linear | step
    autonumber: bool  # sequence diagrams: numbered messages
    profile: str


@dataclasses.dataclass(frozen=True)
class DiagramSpec:
    #: the node ids of Start and End (what a question about "from start to end" follows)
    start: ClassVar[str] = START
    end: ClassVar[str] = END

    kind: str
    title: str
    topic_id: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    participants: tuple[str, ...]
    messages: tuple[Message, ...]
    style: DiagramStyle

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SpecError(f"diagram kind {self.kind!r} is not one of {KINDS}")
        ids = [n.id for n in self.nodes]
        if len(set(ids)) != len(ids) or len({n.label for n in self.nodes}) != len(ids):
            raise SpecError(f"{self.title}: node ids and labels must be unique")
        for e in self.edges:
            if e.src not in ids or e.dst not in ids:
                raise SpecError(f"{self.title}: edge {e.src}->{e.dst} names a missing node")
        if len(set(self.participants)) != len(self.participants):
            raise SpecError(f"{self.title}: participants repeat")
        if len({m.text for m in self.messages}) != len(self.messages):
            raise SpecError(f"{self.title}: message texts must be unique")

    @property
    def family(self) -> str:
        return self.kind

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def successors(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.src == node_id]

    def predecessors(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.dst == node_id]

    def distance(self, a: str, b: str) -> int | None:
        """Fewest arrows from ``a`` to ``b`` (None: no path)."""
        seen, todo = {a: 0}, deque([a])
        while todo:
            n = todo.popleft()
            if n == b:
                return seen[n]
            for e in self.successors(n):
                if e.dst not in seen:
                    seen[e.dst] = seen[n] + 1
                    todo.append(e.dst)
        return None

    def transcription(self) -> str:
        """Every label, in the order the Mermaid text gives them."""
        if self.kind == "flowchart":
            return "\n".join([self.title, *(n.label for n in self.nodes)])
        return "\n".join([self.title, *self.participants, *(m.text for m in self.messages)])

    def key_values(self) -> dict[str, Any]:
        """The parse of the diagram: the graph, or the message list."""
        if self.kind == "flowchart":
            return {
                "kind": self.kind,
                "nodes": {n.id: {"label": n.label, "shape": n.shape} for n in self.nodes},
                "edges": [[e.src, e.dst, e.label] for e in self.edges],
            }
        return {
            "kind": self.kind,
            "participants": list(self.participants),
            "messages": [
                [self.participants[m.src], self.participants[m.dst], m.text] for m in self.messages
            ],
        }

    def to_json(self) -> dict[str, Any]:
        return plain(dataclasses.asdict(self))  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DiagramSpec:
        d = dict(data)
        d["nodes"] = tuple(Node(**n) for n in d["nodes"])
        d["edges"] = tuple(Edge(**e) for e in d["edges"])
        d["participants"] = tuple(d["participants"])
        d["messages"] = tuple(Message(**m) for m in d["messages"])
        d["style"] = DiagramStyle(**d["style"])
        return cls(**d)


def _text(s: str) -> str:
    """A label inside Mermaid's quotes (a quote becomes its entity)."""
    return s.replace('"', "#quot;")


def emit_mermaid(spec: DiagramSpec) -> str:
    """The Mermaid source that draws ``spec``; the front matter holds the title and the look
    (theme, typeface, size, curve), so the text alone redraws the same image."""
    st = spec.style
    head = (
        f'---\ntitle: "{_text(spec.title)}"\nconfig:\n  theme: {st.theme}\n'
        f'  fontFamily: "{st.font_family}"\n  themeVariables:\n    fontSize: "{st.font_px}px"\n'
        f"  flowchart:\n    curve: {st.curve}\n---\n"
    )
    if spec.kind == "flowchart":
        lines = [f"flowchart {st.direction}"]
        for n in spec.nodes:
            a, b = SHAPES[n.shape]
            lines.append(f'  {n.id}{a}"{_text(n.label)}"{b}')
        for e in spec.edges:
            lines.append(
                f"  {e.src} -->|{e.label}| {e.dst}" if e.label else f"  {e.src} --> {e.dst}"
            )
        return head + "\n".join(lines) + "\n"
    lines = ["sequenceDiagram"]
    if st.autonumber:
        lines.append("  autonumber")
    for i, name in enumerate(spec.participants):
        lines.append(f"  participant p{i} as {name}")
    for m in spec.messages:
        arrow = "-->>" if m.reply else "->>"
        lines.append(f"  p{m.src}{arrow}p{m.dst}: {m.text}")
    return head + "\n".join(lines) + "\n"


def _style(rng: np.random.Generator, persona: Persona) -> DiagramStyle:
    return DiagramStyle(
        theme=str(pick(rng, ("default", "neutral", "forest", "base", "dark"))),
        font_family=str(pick(rng, FONTS[persona.style])),
        font_px=int(pick(rng, (14, 15, 16, 18))),
        direction=str(pick(rng, ("TD", "TD", "LR"))),
        curve=str(pick(rng, ("basis", "linear", "step"))),
        autonumber=bool(rng.random() < 0.4),
        profile=persona.style,
    )


def _suits(item: dict[str, Any], persona: Persona) -> bool:
    return persona.field in item["fields"] or "any" in item["fields"]


#: the chance that a middle step of a process is left out of its flowchart
SKIP_STEP = 0.3


def _flowchart(
    rng: np.random.Generator, persona: Persona
) -> tuple[str, str, tuple[Node, ...], tuple[Edge, ...]]:
    procs = [p for p in load_vocabulary("diagram_content")["processes"] if _suits(p, persona)]
    proc = pick(rng, procs)
    steps = list(proc["steps"])
    decisions = list(proc["decisions"])
    k = int(rng.integers(1, len(decisions) + 1))
    chosen = sorted(
        (decisions[int(i)] for i in rng.choice(len(decisions), size=k, replace=False)),
        key=lambda d: int(d[0]),
    )
    # a middle step no chosen decision follows is left out now and then: what comes after a
    # step then depends on the drawing, not on the step's words
    fixed = {0, len(steps) - 1} | {int(d[0]) for d in chosen}
    kept = [i for i in range(len(steps)) if i in fixed or rng.random() >= SKIP_STEP]
    steps = [steps[i] for i in kept]
    # what happens on "No": one of the decision's actions, so the words of the question
    # don't give it away
    chosen = [[kept.index(int(d[0])), d[1], str(pick(rng, list(d[2]))), d[3]] for d in chosen]
    nodes = [Node(START, "Start", "terminal")]
    nodes += [Node(f"s{i}", str(s), "process") for i, s in enumerate(steps)]
    nodes.append(Node(END, "End", "terminal"))
    edges: list[Edge] = []
    after = {int(d[0]): d for d in chosen}
    chain = [START, *(f"s{i}" for i in range(len(steps))), END]
    labels = {n.label for n in nodes}
    for j in range(len(chain) - 1):
        here, there = chain[j], chain[j + 1]
        i = j - 1  # step index of ``here``
        if i in after and after[i][1] not in labels and after[i][2] not in labels:
            _, question, action, goes = after[i]
            q, side = f"d{i}", f"x{i}"
            nodes += [Node(q, str(question), "decision"), Node(side, str(action), "process")]
            labels |= {str(question), str(action)}
            edges += [Edge(here, q), Edge(q, there, "Yes"), Edge(q, side, "No")]
            back = {"end": END, "retry": here, "skip": there}[str(goes)]
            edges.append(Edge(side, back))
        else:
            edges.append(Edge(here, there))
    return (
        str(proc["name"]),
        "flow_" + str(proc["name"]).lower().replace(" ", "_"),
        tuple(nodes),
        tuple(edges),
    )


def _sequence(
    rng: np.random.Generator, persona: Persona, local: LocalContent, city: str
) -> tuple[str, str, tuple[str, ...], tuple[Message, ...]]:
    seqs = [s for s in load_vocabulary("diagram_content")["sequences"] if _suits(s, persona)]
    seq = pick(rng, seqs)
    person = local.name("first_name", max_len=16)
    parts = tuple(
        local.named(str(p).replace("{person}", person), city) for p in seq["participants"]
    )
    msgs = []
    for order, m in enumerate(seq["messages"]):
        optional = len(m) > 4
        if optional and rng.random() < 0.5:  # an optional message, left out
            continue
        # one of the message's wordings: what follows a message is then read off the
        # drawing, not guessed from the words of the one before
        text = m[2] if isinstance(m[2], str) else pick(rng, list(m[2]))
        msgs.append(Message(int(m[0]), int(m[1]), str(text), bool(m[3]), optional, order))
    return str(seq["name"]), "seq_" + str(seq["name"]).lower().replace(" ", "_"), parts, tuple(msgs)


def sample_diagram(
    rng: np.random.Generator, kind: str | None = None, persona: Persona | None = None
) -> tuple[DiagramSpec, dict[str, Any]]:
    kind = kind or str(pick(rng, KINDS))
    if kind not in KINDS:
        raise SpecError(f"diagram kind {kind!r} is not one of {KINDS}")
    persona = persona or sample_persona(rng)
    local = LocalContent(persona.country, rng=rng)
    city = local.name("city")
    org = local.organisation(persona, city)
    style = _style(rng, persona)
    if kind == "flowchart":
        name, topic, nodes, edges = _flowchart(rng, persona)
        parts: tuple[str, ...] = ()
        msgs: tuple[Message, ...] = ()
    else:
        name, topic, parts, msgs = _sequence(rng, persona, local, city)
        nodes, edges = (), ()
    if style.direction == "LR" and len(nodes) > MAX_LR_NODES:  # too wide: top-down instead
        style = dataclasses.replace(style, direction="TD")
    title = name if rng.random() < 0.5 else f"{name} at {org}"
    spec = DiagramSpec(kind, title, topic, nodes, edges, parts, msgs, style)
    details = {"city": city, "organisation": org, "name": local.name("name", max_len=40)}
    return spec, {**persona.to_json(), **details}


@dataclasses.dataclass(frozen=True)
class DiagramGenerator:
    """Draws diagram samples; ``kind`` (flowchart, sequence) and ``persona`` drawn when None."""

    kind: str | None = None
    persona: Persona | None = None

    def sample(self, *, rng: np.random.Generator) -> Sample:
        spec, persona = sample_diagram(rng, self.kind, self.persona)
        return Sample(
            domain="diagram",
            family=spec.family,
            generator=f"diagram@{VERSION}",
            spec=spec,
            code=Code(LANGUAGE, emit_mermaid(spec)),
            persona=persona,
            topic=spec.title,
        )


class DiagramDomain(PageDomain):
    """The diagram domain pack (registered as ``diagram``)."""

    name = "diagram"
    version = VERSION
    install_hint = "bash scripts/setup.sh (apt-get install chromium npm; npm ci installs mermaid)"

    languages = (LANGUAGE,)
    options: ClassVar[Mapping[str, OptionKind]] = {}  # no fields to leave off

    def configure(self, options: Mapping[str, str]) -> DomainPack:
        return DomainPack.configure(self, options)  # "takes no options"

    def sample(self, *, rng: np.random.Generator) -> Sample:
        return DiagramGenerator().sample(rng=rng)

    def render(self, sample: Sample) -> Rendered:
        from synth.renderers.html import render_mermaid

        st = sample.spec.style
        return render_mermaid(
            sample.code.source,
            theme=st.theme,
            font=st.font_family,
            font_px=st.font_px,
            curve=st.curve,
        )

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        from synth.qa_synth.diagram import diagram_questions

        return diagram_questions(sample.spec, rendered, rng=rng)


DOMAIN = DiagramDomain()
