"""Diagram question programs (flowcharts and sequence diagrams), answer first, from the graph.

Flowcharts: next_step, previous_step, branch (what happens on a decision's Yes or No),
count_decisions, count_steps, path_exists (yes/no, balanced), fewest_steps (multi-hop over
the graph), point. Sequence diagrams: sender, receiver, next_message, count_from,
count_messages, sends_to (yes/no), point. A question names only elements the render facts
place inside the image. Each question's difficulty is measured, not set per program
(:func:`calibrated`): the route of arrows it follows, the elements it checks, its text's size.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.qa_synth._phrasing import phrase
from synth.qa_synth._programs import ask, inside_image, pick_or_none, point_qa, small_text
from synth.record import QA, Element

if TYPE_CHECKING:
    from synth.generators.diagram import DiagramSpec

Program = Callable[["Ctx", np.random.Generator], "QA | None"]


class Ctx:
    def __init__(self, spec: DiagramSpec, elements: Any, width: int, height: int) -> None:
        self.spec = spec
        self.boxes = {e["key"]: e for e in elements if "key" in e}
        self.width, self.height = width, height

    def visible(self, *keys: str) -> bool:
        return inside_image(self.boxes, keys, self.width, self.height)


def _q(key: str, rng: np.random.Generator, **kw: Any) -> str:
    return phrase("diagram_questions", key, rng, **kw)


def next_step(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    s = ctx.spec
    cands = [
        n
        for n in s.nodes
        if n.shape != "decision"
        and len(s.successors(n.id)) == 1
        and ctx.visible(n.id, s.successors(n.id)[0].dst)
    ]
    n = pick_or_none(rng, cands)
    if n is None:
        return None
    nxt = s.node(s.successors(n.id)[0].dst)
    steps = [f'One arrow leaves "{n.label}".', f'It points to "{nxt.label}".']
    return QA.build(
        program="next_step",
        question=_q("next_step", rng, step=n.label),
        answer=nxt.label,
        answer_type="text",
        steps=steps,
        params={"node": n.id},
        skills=["diagram-reading", "relation"],
        difficulty=1,
    )


def previous_step(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    s = ctx.spec
    cands = [
        n
        for n in s.nodes
        if len(s.predecessors(n.id)) == 1 and ctx.visible(n.id, s.predecessors(n.id)[0].src)
    ]
    n = pick_or_none(rng, cands)
    if n is None:
        return None
    prev = s.node(s.predecessors(n.id)[0].src)
    steps = [f'Only one arrow enters "{n.label}".', f'It comes from "{prev.label}".']
    return QA.build(
        program="previous_step",
        question=_q("previous_step", rng, step=n.label),
        answer=prev.label,
        answer_type="text",
        steps=steps,
        params={"node": n.id},
        skills=["diagram-reading", "relation"],
        difficulty=1,
    )


def branch(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    s = ctx.spec
    cands = [e for e in s.edges if e.label and ctx.visible(e.src, e.dst)]
    e = pick_or_none(rng, cands)
    if e is None:
        return None
    q, dst = s.node(e.src), s.node(e.dst)
    steps = [f'From the decision "{q.label}", the arrow marked {e.label} leads to "{dst.label}".']
    return QA.build(
        program="branch",
        question=_q("branch", rng, question=q.label, answer=e.label),
        answer=dst.label,
        answer_type="text",
        steps=steps,
        params={"node": e.src, "label": e.label},
        skills=["diagram-reading", "conditional"],
        difficulty=2,
    )


def _all_nodes_visible(ctx: Ctx) -> bool:
    return ctx.visible(*(n.id for n in ctx.spec.nodes))


def count_decisions(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not ctx.spec.nodes or not _all_nodes_visible(ctx):
        return None
    n = sum(1 for x in ctx.spec.nodes if x.shape == "decision")
    return QA.build(
        program="count_decisions",
        question=_q("count_decisions", rng),
        answer=n,
        answer_type="number",
        steps=[f"Count the diamond-shaped decision nodes: {n}."],
        params={},
        skills=["counting", "diagram-reading"],
        difficulty=1,
    )


def count_steps(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not ctx.spec.nodes or not _all_nodes_visible(ctx):
        return None
    n = sum(1 for x in ctx.spec.nodes if x.shape == "process")
    return QA.build(
        program="count_steps",
        question=_q("count_steps", rng),
        answer=n,
        answer_type="number",
        steps=[f"Count the rectangular process boxes: {n}."],
        params={},
        skills=["counting", "diagram-reading"],
        difficulty=1,
    )


def path_exists(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    s = ctx.spec
    ids = [n.id for n in s.nodes if ctx.visible(n.id)]
    if len(ids) < 3:
        return None
    want = bool(rng.random() < 0.5)
    pairs = [
        (a, b)
        for a in ids
        for b in ids
        if a != b and (s.distance(a, b) is not None) == want and a != s.start and b != s.end
    ]
    pair = pick_or_none(rng, pairs)
    if pair is None:
        return None
    a, b = pair
    la, lb = s.node(a).label, s.node(b).label
    steps = [
        f'Follow the arrows from "{la}".',
        f'"{lb}" can be reached.' if want else f'No route of arrows reaches "{lb}".',
    ]
    return QA.build(
        program="path_exists",
        question=_q("path_exists", rng, a=la, b=lb),
        answer=want,
        answer_type="bool",
        steps=steps,
        params={"a": a, "b": b},
        skills=["diagram-reading", "path-finding"],
        difficulty=2,
    )


def fewest_steps(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    s = ctx.spec
    if not s.nodes or not _all_nodes_visible(ctx):
        return None
    d = s.distance(s.start, s.end)
    if d is None:
        return None
    steps = [f"The shortest route of arrows from Start to End takes {d} arrows."]
    return QA.build(
        program="fewest_steps",
        question=_q("fewest_steps", rng),
        answer=d,
        answer_type="number",
        steps=steps,
        params={},
        skills=["diagram-reading", "path-finding", "multi-hop"],
        difficulty=3,
    )


def _message(ctx: Ctx, rng: np.random.Generator) -> int | None:
    js = [j for j in range(len(ctx.spec.messages)) if ctx.visible(f"m{j}")]
    return int(js[int(rng.integers(len(js)))]) if js else None


def sender(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    j = _message(ctx, rng)
    if j is None:
        return None
    s, m = ctx.spec, ctx.spec.messages[j]
    who = s.participants[m.src]
    if not ctx.visible(f"p{m.src}"):
        return None
    steps = [f'The arrow labelled "{m.text}" starts at {who}\'s lifeline.']
    return QA.build(
        program="sender",
        question=_q("sender", rng, text=m.text),
        answer=who,
        answer_type="text",
        steps=steps,
        params={"message": j},
        skills=["diagram-reading"],
        difficulty=1,
    )


def receiver(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    j = _message(ctx, rng)
    if j is None:
        return None
    s, m = ctx.spec, ctx.spec.messages[j]
    who = s.participants[m.dst]
    if not ctx.visible(f"p{m.dst}"):
        return None
    steps = [f'The arrow labelled "{m.text}" ends at {who}\'s lifeline.']
    return QA.build(
        program="receiver",
        question=_q("receiver", rng, text=m.text),
        answer=who,
        answer_type="text",
        steps=steps,
        params={"message": j},
        skills=["diagram-reading"],
        difficulty=1,
    )


def _varies(s: DiagramSpec, j: int) -> bool:
    """What follows message ``j`` differs between samples of its scenario: one that may be
    left out was left out between them, or the next one may be left out and another message
    would then follow (a last message that may be left out would leave nothing to ask)."""
    a, b = s.messages[j], s.messages[j + 1]
    return b.order > a.order + 1 or (b.optional and j + 2 < len(s.messages))


def next_message(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """Asked only where the scenario lets the next message vary (:func:`_varies`): elsewhere
    a reader who knows the scenario answers from the question's words alone."""
    s = ctx.spec
    js = [
        j for j in range(len(s.messages) - 1) if _varies(s, j) and ctx.visible(f"m{j}", f"m{j + 1}")
    ]
    j = pick_or_none(rng, js)
    if j is None:
        return None
    a, b = s.messages[j].text, s.messages[j + 1].text
    steps = [f'Below "{a}" the next arrow is labelled "{b}".']
    return QA.build(
        program="next_message",
        question=_q("next_message", rng, text=a),
        answer=b,
        answer_type="text",
        steps=steps,
        params={"message": j},
        skills=["diagram-reading", "order"],
        difficulty=1,
    )


def _all_messages_visible(ctx: Ctx) -> bool:
    return bool(ctx.spec.messages) and ctx.visible(
        *(f"m{j}" for j in range(len(ctx.spec.messages)))
    )


def count_messages(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not _all_messages_visible(ctx):
        return None
    n = len(ctx.spec.messages)
    return QA.build(
        program="count_messages",
        question=_q("count_messages", rng),
        answer=n,
        answer_type="number",
        steps=[f"Count the message arrows: {n}."],
        params={},
        skills=["counting"],
        difficulty=1,
    )


def count_from(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    s = ctx.spec
    if not _all_messages_visible(ctx):
        return None
    i = int(rng.integers(len(s.participants)))
    if not ctx.visible(f"p{i}"):
        return None
    n = sum(1 for m in s.messages if m.src == i)
    who = s.participants[i]
    steps = [f"Count the arrows that start at {who}'s lifeline: {n}."]
    return QA.build(
        program="count_from",
        question=_q("count_from", rng, who=who),
        answer=n,
        answer_type="number",
        steps=steps,
        params={"participant": i},
        skills=["counting", "diagram-reading"],
        difficulty=2,
    )


def sends_to(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    s = ctx.spec
    if not _all_messages_visible(ctx) or len(s.participants) < 2:
        return None
    want = bool(rng.random() < 0.5)
    pairs = [
        (a, b)
        for a in range(len(s.participants))
        for b in range(len(s.participants))
        if a != b
        and any(m.src == a and m.dst == b for m in s.messages) == want
        and ctx.visible(f"p{a}", f"p{b}")
    ]
    pair = pick_or_none(rng, pairs)
    if pair is None:
        return None
    a, b = pair
    pa, pb = s.participants[a], s.participants[b]
    steps = [f"{'An' if want else 'No'} arrow goes from {pa} to {pb}."]
    return QA.build(
        program="sends_to",
        question=_q("sends_to", rng, a=pa, b=pb),
        answer=want,
        answer_type="bool",
        steps=steps,
        params={"a": a, "b": b},
        skills=["diagram-reading", "relation"],
        difficulty=2,
    )


def point(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    s = ctx.spec
    if s.kind == "flowchart":
        targets = [(n.id, f'"{n.label}" node') for n in s.nodes]
    else:
        targets = [(f"p{i}", f"{p} participant") for i, p in enumerate(s.participants)]
    hit = pick_or_none(rng, [t for t in targets if ctx.visible(t[0])])
    if hit is None:
        return None
    key, what = hit
    return point_qa(
        _q("point", rng, target=what), what, ctx.boxes[key]["bbox"], {"key": key}, ["grounding"]
    )


FLOW: tuple[Program, ...] = (
    next_step,
    previous_step,
    branch,
    count_decisions,
    count_steps,
    path_exists,
    fewest_steps,
)
SEQUENCE: tuple[Program, ...] = (
    sender,
    receiver,
    next_message,
    count_messages,
    count_from,
    sends_to,
)


def diagram_questions(
    spec: DiagramSpec, rendered: Any, *, rng: np.random.Generator, k: int = 5
) -> list[QA]:
    """Pointing, plus ``k`` drawn from the kind's programs (those that can ask)."""
    ctx = Ctx(spec, rendered.elements, rendered.width, rendered.height)
    pool = FLOW if spec.kind == "flowchart" else SEQUENCE
    elements = list(rendered.elements)
    return [
        dataclasses.replace(q, difficulty=calibrated(spec, q, elements))
        for q in ask(ctx, rng, (point,), pool, k)
    ]


#: arrows followed one after another: this many make a question harder, twice as many
#: harder again
LONG_ROUTE = 3
#: a question that checks more elements than this (every node, every message) is harder
MANY_ELEMENTS = 8
#: programs that check every node (flowcharts) or every message (sequences)
SCANS = frozenset(
    {"count_decisions", "count_steps", "fewest_steps", "count_messages", "count_from", "sends_to"}
)


def route(spec: DiagramSpec, q: QA) -> int:
    """How many arrows ``q`` follows one after another: one for what comes next or before,
    a branch or a message's ends; the route for "is there a path" (when there is none, the
    farthest any route from its start goes) and for the fewest steps; none otherwise."""
    if q.program == "fewest_steps":
        return int(q.answer)
    if q.program == "path_exists":
        a, b = q.params["a"], q.params["b"]
        d = spec.distance(a, b)
        if d is not None:
            return d
        reach = [spec.distance(a, n.id) for n in spec.nodes]
        return max(r for r in reach if r is not None)
    one = {"next_step", "previous_step", "branch", "sender", "receiver", "next_message"}
    return 1 if q.program in one else 0


def calibrated(spec: DiagramSpec, q: QA, elements: Sequence[Element]) -> int:
    """A diagram question's difficulty from what makes it hard to answer from the image: 1,
    plus one for a route of LONG_ROUTE arrows or more and one more for twice that, one for
    checking more than MANY_ELEMENTS nodes or messages, and one when the smallest text it
    reads is small (:func:`~synth.qa_synth._programs.small_text`)."""
    n = route(spec, q)
    checked = len(spec.nodes) if spec.kind == "flowchart" else len(spec.messages)
    return (
        1
        + (n >= LONG_ROUTE)
        + (n >= 2 * LONG_ROUTE)
        + (q.program in SCANS and checked > MANY_ELEMENTS)
        + small_text(q, elements)
    )
