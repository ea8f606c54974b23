"""Graph question programs, answer first, from a :class:`~synth.generators.graph.GraphSpec`.

Every program computes its answer from the spec's structure (parents, paths, a machine's
transitions, road lengths) with its own small walks, never from the drawing, then writes
the question and a chain of thought from its own steps. ``params`` hold what recomputes the
answer from the spec alone (``tests/qa_synth/evaluate_graph.py`` does, with networkx).
Yes/no answers are drawn before the claim is chosen, so they are balanced.

Programs: count_nodes, point (every kind); parent, children, depth, common_ancestor,
leaves (trees); run, accepts (state machines); before, cycle, prerequisites, first_task,
last_task, all_before (dependency graphs); road_length, shortest_route, roads_at (networks);
matching_size, everyone_placed, options (matchings).
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.qa_synth._phrasing import phrase
from synth.qa_synth._programs import ask, chain, pick_or_none, point_qa
from synth.record import QA, Rendered

if TYPE_CHECKING:
    from synth.generators.graph import GraphSpec

Program = Callable[["Ctx", np.random.Generator], "QA | None"]

#: what a question calls the nodes of each topic (plural)
NOUNS = {
    "org chart": "roles",
    "folder tree": "folders and files",
    "family tree": "people",
    "state machine": "states",
    "task dependency graph": "tasks",
    "road network": "places",
}
#: a matching's topic -> (one on the left, one on the right, the right in the plural)
SIDES = {
    "shift rota": ("staff member", "shift", "shifts"),
    "project staffing": ("person", "project", "projects"),
    "tutoring plan": ("tutor", "subject", "subjects"),
}
#: a tree topic's wording key
TREE_KEY = {"org chart": "org", "folder tree": "folder", "family tree": "family"}


class Ctx:
    """One graph's structure, computed once: out- and in-neighbours, and the render facts."""

    def __init__(self, spec: GraphSpec, rendered: Rendered | None) -> None:
        self.spec = spec
        self.labels = spec.labels
        n = len(spec.labels)
        self.out: list[list[int]] = [[] for _ in range(n)]
        self.into: list[list[int]] = [[] for _ in range(n)]
        for e in spec.edges:
            self.out[e.src].append(e.dst)
            self.into[e.dst].append(e.src)
        self.boxes = {
            str(e["ref"]): e
            for e in (rendered.elements if rendered is not None else ())
            if e["role"] == "node"
        }

    # trees -------------------------------------------------------------------------------
    def parent(self, i: int) -> int | None:
        return self.into[i][0] if self.into[i] else None

    def ancestors(self, i: int) -> list[int]:
        """``i``, its parent, ... up to the root."""
        out = [i]
        while (p := self.parent(out[-1])) is not None:
            out.append(p)
        return out

    # directed graphs ---------------------------------------------------------------------
    def reach(self, a: int) -> dict[int, int]:
        """Every node reachable from ``a`` (not ``a`` itself unless on a cycle) -> the node it
        was first reached from, in breadth-first order."""
        came: dict[int, int] = {}
        todo = [a]
        while todo:
            s = todo.pop(0)
            for t in self.out[s]:
                if t not in came:
                    came[t] = s
                    todo.append(t)
        return came

    def path(self, a: int, b: int) -> list[int]:
        """A shortest chain of arrows from ``a`` to ``b`` (b reachable)."""
        came = self.reach(a)
        out = [b]
        while out[-1] != a:
            out.append(came[out[-1]])
        return out[::-1]

    def cycle(self) -> list[int] | None:
        """Some cycle's nodes in order, or None for a graph without one."""
        for a in range(len(self.labels)):
            came = self.reach(a)
            if a in came:
                start = came[a]
                if start == a:
                    return [a]
                return [*self.path(a, start)]
        return None

    # networks ----------------------------------------------------------------------------
    def road(self, a: int, b: int) -> int | None:
        for e in self.spec.edges:
            if {e.src, e.dst} == {a, b}:
                return e.weight
        return None

    def dijkstra(self, a: int) -> tuple[dict[int, int], dict[int, int]]:
        """Shortest road distance from ``a`` to every place, and each place's predecessor."""
        dist, prev = {a: 0}, {}
        heap = [(0, a)]
        while heap:
            d, s = heapq.heappop(heap)
            if d > dist[s]:
                continue
            for e in self.spec.edges:
                if s not in (e.src, e.dst):
                    continue
                t = e.dst if e.src == s else e.src
                nd = d + int(e.weight or 0)
                if nd < dist.get(t, 1 << 30):
                    dist[t], prev[t] = nd, s
                    heapq.heappush(heap, (nd, t))
        return dist, prev


def _q(name: str, rng: np.random.Generator, **fields: Any) -> str:
    return phrase("graph_questions", name, rng, **fields)


def _counted(
    program: str,
    question: str,
    said: str,
    n: int,
    *,
    params: dict[str, Any],
    skills: list[str],
    difficulty: int,
) -> QA:
    """A counting question: what was counted, said in one sentence, then "That is n"."""
    return QA.build(
        program=program,
        question=question,
        answer=n,
        answer_type="number",
        steps=[said, f"That is {n}."],
        params=params,
        skills=skills,
        difficulty=difficulty,
    )


def count_nodes(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.topic not in NOUNS:
        return None
    n, noun = len(ctx.labels), NOUNS[ctx.spec.topic]
    return QA.build(
        program="count_nodes",
        question=_q("count_nodes", rng, nodes=noun),
        answer=n,
        answer_type="number",
        steps=[f"Count the {noun}: {', '.join(ctx.labels)}.", f"There are {n}."],
        params={},
        skills=["counting"],
        difficulty=1 + (n > 8),
    )


def point(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    i = int(rng.integers(len(ctx.labels)))
    el = ctx.boxes.get(f"n{i}")
    if el is None:
        return None
    q = _q("point", rng, node=ctx.labels[i])
    return point_qa(q, f"node {ctx.labels[i]}", el["bbox"], {"node": i}, ["grounding"])


def _tree(ctx: Ctx) -> bool:
    return ctx.spec.kind == "tree"


def parent(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not _tree(ctx):
        return None
    i = int(rng.integers(1, len(ctx.labels)))
    p = ctx.parent(i)
    assert p is not None
    key = TREE_KEY[ctx.spec.topic]
    return QA.build(
        program="parent",
        question=_q(f"parent_{key}", rng, node=ctx.labels[i]),
        answer=ctx.labels[p],
        answer_type="text",
        steps=[f"Follow the line up from {ctx.labels[i]}: it leads to {ctx.labels[p]}."],
        params={"node": i},
        skills=["structure"],
        difficulty=1,
    )


def children(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not _tree(ctx):
        return None
    inner = [i for i in range(len(ctx.labels)) if ctx.out[i]]
    counts = sorted({len(ctx.out[i]) for i in inner})  # the answer first, as prerequisites
    want = counts[int(rng.integers(len(counts)))]
    i = int(pick_or_none(rng, [i for i in inner if len(ctx.out[i]) == want]))
    kids = ctx.out[i]
    key = TREE_KEY[ctx.spec.topic]
    names = ", ".join(ctx.labels[k] for k in kids)
    return _counted(
        "children",
        _q(f"children_{key}", rng, node=ctx.labels[i]),
        f"The lines going down from {ctx.labels[i]} lead to {names}.",
        len(kids),
        params={"node": i},
        skills=["structure", "counting"],
        difficulty=1,
    )


def depth(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not _tree(ctx):
        return None
    i = int(rng.integers(1, len(ctx.labels)))
    up = ctx.ancestors(i)
    chain_text = " -> ".join(ctx.labels[k] for k in reversed(up))
    return QA.build(
        program="depth",
        question=_q("depth", rng, node=ctx.labels[i], root=ctx.labels[0]),
        answer=len(up) - 1,
        answer_type="number",
        steps=[
            f"From the top: {chain_text}.",
            f"That is {len(up) - 1} level{'s' if len(up) != 2 else ''} down.",
        ],  # fmt: skip
        params={"node": i},
        skills=["structure", "multi-hop"],
        difficulty=2,
    )


def common_ancestor(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not _tree(ctx):
        return None
    n = len(ctx.labels)
    pairs = [
        (a, b)
        for a in range(1, n)
        for b in range(a + 1, n)
        if a not in ctx.ancestors(b) and b not in ctx.ancestors(a)
    ]
    hit = pick_or_none(rng, pairs)
    if hit is None:
        return None
    a, b = hit
    up_a, up_b = ctx.ancestors(a), ctx.ancestors(b)
    lca = next(k for k in up_a if k in up_b)
    key = TREE_KEY[ctx.spec.topic]
    return QA.build(
        program="common_ancestor",
        question=_q(f"common_{key}", rng, node=ctx.labels[a], other=ctx.labels[b]),
        answer=ctx.labels[lca],
        answer_type="text",
        steps=[
            f"Above {ctx.labels[a]}: {', '.join(ctx.labels[k] for k in up_a[1:])}.",
            f"Above {ctx.labels[b]}: {', '.join(ctx.labels[k] for k in up_b[1:])}.",
            f"The first they share is {ctx.labels[lca]}.",
        ],
        params={"a": a, "b": b},
        skills=["structure", "multi-hop"],
        difficulty=3,
    )


def leaves(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not _tree(ctx):
        return None
    ends = [i for i in range(len(ctx.labels)) if not ctx.out[i]]
    key = TREE_KEY[ctx.spec.topic]
    return _counted(
        "leaves",
        _q(f"leaves_{key}", rng),
        f"Nothing hangs below {', '.join(ctx.labels[i] for i in ends)}.",
        len(ends),
        params={},
        skills=["structure", "counting"],
        difficulty=2,
    )


def _step(ctx: Ctx, s: int, symbol: str) -> int:
    for e in ctx.spec.edges:
        if e.src == s and symbol in e.label.split(","):
            return e.dst
    raise AssertionError(f"state {s} has no move on {symbol}")


def _run(ctx: Ctx, word: str) -> list[int]:
    assert ctx.spec.start is not None
    states = [ctx.spec.start]
    for symbol in word:
        states.append(_step(ctx, states[-1], symbol))
    return states


def _word(rng: np.random.Generator) -> str:
    return "".join(str(int(b)) for b in rng.integers(0, 2, size=int(rng.integers(3, 6))))


def _trace(ctx: Ctx, word: str, states: list[int]) -> list[str]:
    moves = ", ".join(
        f"{symbol}: {ctx.labels[a]} -> {ctx.labels[b]}"
        for symbol, a, b in zip(word, states, states[1:], strict=False)
    )
    return [f"Start at {ctx.labels[states[0]]}.", f"Read {word}: {moves}."]


def run(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind != "state_machine":
        return None
    word = _word(rng)
    states = _run(ctx, word)
    return QA.build(
        program="run",
        question=_q("run", rng, input=word, state=ctx.labels[states[0]]),
        answer=ctx.labels[states[-1]],
        answer_type="text",
        steps=[*_trace(ctx, word, states), f"It ends in {ctx.labels[states[-1]]}."],
        params={"input": word},
        skills=["state-tracking", "multi-hop"],
        difficulty=2 + (len(word) > 4),
    )


def accepts(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind != "state_machine":
        return None
    target = bool(rng.random() < 0.5)
    for _ in range(40):
        word = _word(rng)
        states = _run(ctx, word)
        if (states[-1] in ctx.spec.accepting) == target:
            break
    else:
        return None
    end = ctx.labels[states[-1]]
    ring = "a double ring" if target else "a single ring"
    return QA.build(
        program="accepts",
        question=_q("accepts", rng, input=word),
        answer=target,
        answer_type="bool",
        steps=[*_trace(ctx, word, states), f"{end} has {ring}."],
        params={"input": word},
        skills=["state-tracking", "verification"],
        difficulty=2 + (len(word) > 4),
    )


def _dag(ctx: Ctx) -> bool:
    return ctx.spec.kind == "dependency" and ctx.cycle() is None


def before(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """Must A be done before B: a chain of arrows from A to B (the answer drawn first)."""
    if not _dag(ctx):
        return None
    target = bool(rng.random() < 0.5)
    n = len(ctx.labels)
    pairs = [(a, b) for a in range(n) for b in range(n)
             if a != b and (b in ctx.reach(a)) == target]  # fmt: skip
    hit = pick_or_none(rng, pairs)
    if hit is None:
        return None
    a, b = hit
    if target:
        steps = [f"Follow the arrows: {' -> '.join(ctx.labels[k] for k in ctx.path(a, b))}."]
    else:
        steps = [f"No chain of arrows leads from {ctx.labels[a]} to {ctx.labels[b]}."]
    return QA.build(
        program="before",
        question=_q("before", rng, node=ctx.labels[a], other=ctx.labels[b]),
        answer=target,
        answer_type="bool",
        steps=steps,
        params={"a": a, "b": b},
        skills=["paths", "verification"],
        difficulty=2,
    )


def cycle(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind != "dependency":
        return None
    loop = ctx.cycle()
    if loop is None:
        steps = ["Every chain of arrows ends; none comes back to where it started."]
    else:
        names = " -> ".join(ctx.labels[k] for k in [*loop, loop[0]])
        steps = [f"The arrows {names} come back to where they started."]
    return QA.build(
        program="cycle",
        question=_q("cycle", rng),
        answer=loop is not None,
        answer_type="bool",
        steps=steps,
        params={},
        skills=["paths", "verification"],
        difficulty=3,
    )


def prerequisites(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind != "dependency":
        return None
    # the answer first, from the counts this graph has, then a task with it: "1" (the most
    # common count) is no better a guess than any other
    counts = sorted({len(ctx.into[k]) for k in range(len(ctx.labels))})
    want = counts[int(rng.integers(len(counts)))]
    i = pick_or_none(rng, [k for k in range(len(ctx.labels)) if len(ctx.into[k]) == want])
    pre = ctx.into[i]
    names = ", ".join(ctx.labels[k] for k in pre) or "none"
    return _counted(
        "prerequisites",
        _q("prerequisites", rng, node=ctx.labels[i]),
        f"Arrows into {ctx.labels[i]} come from: {names}.",
        len(pre),
        params={"node": i},
        skills=["structure", "counting"],
        difficulty=1,
    )


def first_task(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """The one task nothing points into, where there is exactly one."""
    if ctx.spec.kind != "dependency":
        return None
    starts = [i for i in range(len(ctx.labels)) if not ctx.into[i]]
    said = "Every task but {} has an arrow coming into it."
    return _sole(ctx, rng, "first_task", starts, said, ["structure"])


def last_task(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """The one task nothing waits on, in a plan without a cycle, where there is exactly one."""
    if not _dag(ctx):
        return None
    ends = [i for i in range(len(ctx.labels)) if not ctx.out[i]]
    said = "Every task but {} has an arrow leading out of it to a later one."
    return _sole(ctx, rng, "last_task", ends, said, ["structure", "ordering"])


def _sole(
    ctx: Ctx,
    rng: np.random.Generator,
    program: str,
    found: list[int],
    said: str,
    skills: list[str],
) -> QA | None:
    """The task that alone is ``found`` (None unless exactly one is); ``said`` names it."""
    if len(found) != 1:
        return None
    name = ctx.labels[found[0]]
    return QA.build(
        program=program,
        question=_q(program, rng),
        answer=name,
        answer_type="text",
        steps=[said.format(name)],
        params={},
        skills=skills,
        difficulty=2,
    )


def all_before(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """How many tasks must be done before X, directly or through others (plans without a
    cycle; X with at least one)."""
    if not _dag(ctx):
        return None
    n = len(ctx.labels)
    earlier = {i: [a for a in range(n) if i in ctx.reach(a)] for i in range(n)}
    i = pick_or_none(rng, [i for i in range(n) if earlier[i]])
    if i is None:
        return None
    names = ", ".join(ctx.labels[a] for a in earlier[i])
    return _counted(
        "all_before",
        _q("all_before", rng, node=ctx.labels[i]),
        f"Follow the arrows back from {ctx.labels[i]}: {names}.",
        len(earlier[i]),
        params={"node": i},
        skills=["paths", "counting", "multi-hop"],
        difficulty=3,
    )


def _sides(ctx: Ctx) -> tuple[list[int], list[int]] | None:
    if ctx.spec.kind != "matching":
        return None
    (_, left), (_, right) = ctx.spec.groups
    return list(left), list(right)


def _max_matching(ctx: Ctx, left: list[int]) -> dict[int, int]:
    """A largest set of (right -> left) pairs along edges, each used once: augmenting paths."""
    taken: dict[int, int] = {}

    def place(a: int, seen: set[int]) -> bool:
        for b in ctx.out[a]:
            if b in seen:
                continue
            seen.add(b)
            if b not in taken or place(taken[b], seen):
                taken[b] = a
                return True
        return False

    for a in left:
        place(a, set())
    return taken


def matching_size(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    sides = _sides(ctx)
    if sides is None:
        return None
    left, _ = sides
    pairs = _max_matching(ctx, left)
    one, _, many = SIDES[ctx.spec.topic]
    listed = "; ".join(
        f"{ctx.labels[a]}: {ctx.labels[b]}" for b, a in sorted(pairs.items(), key=lambda p: p[1])
    )
    return QA.build(
        program="matching_size",
        question=_q("matching_size", rng, nodes=plural_of(one), things=many),
        answer=len(pairs),
        answer_type="number",
        steps=[
            f"One way to pair them, each {SIDES[ctx.spec.topic][1]} once: {listed}.",
            f"No pairing reaches more: {len(pairs)}.",
        ],  # fmt: skip
        params={},
        skills=["matching", "multi-hop"],
        difficulty=3,
    )


def everyone_placed(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    sides = _sides(ctx)
    if sides is None:
        return None
    left, _ = sides
    pairs = _max_matching(ctx, left)
    one, thing, _ = SIDES[ctx.spec.topic]
    answer = len(pairs) == len(left)
    if answer:
        listed = "; ".join(
            f"{ctx.labels[a]}: {ctx.labels[b]}"
            for b, a in sorted(pairs.items(), key=lambda p: p[1])
        )
        steps = [f"Give each their own {thing}: {listed}."]
    else:
        crowd = _crowded(ctx, left)
        names = " and ".join(ctx.labels[a] for a in crowd)
        only = ", ".join(sorted({ctx.labels[b] for a in crowd for b in ctx.out[a]}))
        steps = [f"{names} can only take {only}: too few for all of them."]
    return QA.build(
        program="everyone_placed",
        question=_q("everyone_placed", rng, node=one, thing=thing),
        answer=answer,
        answer_type="bool",
        steps=steps,
        params={},
        skills=["matching", "verification"],
        difficulty=3,
    )


def _crowded(ctx: Ctx, left: list[int]) -> list[int]:
    """The smallest set of people on the left who, together, can take fewer things than
    they are (Hall's condition broken), found by trying sets by size."""
    from itertools import combinations

    for k in range(1, len(left) + 1):
        for group in combinations(left, k):
            if len({b for a in group for b in ctx.out[a]}) < k:
                return list(group)
    raise AssertionError("a full matching was missed")


def options(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    sides = _sides(ctx)
    if sides is None:
        return None
    left, _ = sides
    a = left[int(rng.integers(len(left)))]
    _, _, many = SIDES[ctx.spec.topic]
    can = [ctx.labels[b] for b in ctx.out[a]]
    return _counted(
        "options",
        _q("options", rng, node=ctx.labels[a], things=many),
        f"Lines from {ctx.labels[a]} lead to {', '.join(can)}.",
        len(can),
        params={"node": a},
        skills=["structure", "counting"],
        difficulty=1,
    )


def plural_of(noun: str) -> str:
    return "people" if noun == "person" else noun + "s"


def _network(ctx: Ctx) -> bool:
    return ctx.spec.kind == "network"


def road_length(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not _network(ctx):
        return None
    e = ctx.spec.edges[int(rng.integers(len(ctx.spec.edges)))]
    a, b = (e.src, e.dst) if rng.random() < 0.5 else (e.dst, e.src)
    return QA.build(
        program="road_length",
        question=_q("road_length", rng, node=ctx.labels[a], other=ctx.labels[b]),
        answer=e.weight,
        answer_type="number",
        steps=[f"The road between {ctx.labels[a]} and {ctx.labels[b]} is marked {e.weight}."],
        params={"a": a, "b": b},
        skills=["lookup"],
        difficulty=1,
    )


def shortest_route(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """The length of the shortest route between two places with no road between them."""
    if not _network(ctx):
        return None
    n = len(ctx.labels)
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n) if ctx.road(a, b) is None]
    hit = pick_or_none(rng, pairs)
    if hit is None:
        return None
    a, b = hit
    dist, prev = ctx.dijkstra(a)
    route = [b]
    while route[-1] != a:
        route.append(prev[route[-1]])
    route.reverse()
    legs = [int(ctx.road(x, y) or 0) for x, y in zip(route, route[1:], strict=False)]
    steps = [
        f"The shortest route is {' - '.join(ctx.labels[k] for k in route)}.",
        f"{' + '.join(str(v) for v in legs)} = {dist[b]}.",
    ]
    return QA.build(
        program="shortest_route",
        question=_q("shortest_route", rng, node=ctx.labels[a], other=ctx.labels[b]),
        answer=dist[b],
        answer_type="number",
        steps=steps,
        params={"a": a, "b": b},
        skills=["paths", "arithmetic", "multi-hop"],
        difficulty=3,
    )


def roads_at(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not _network(ctx):
        return None
    i = int(rng.integers(len(ctx.labels)))
    ends = [e.dst if e.src == i else e.src for e in ctx.spec.edges if i in (e.src, e.dst)]
    return _counted(
        "roads_at",
        _q("roads_at", rng, node=ctx.labels[i]),
        f"Roads from {ctx.labels[i]} lead to {', '.join(ctx.labels[k] for k in ends)}.",
        len(ends),
        params={"node": i},
        skills=["structure", "counting"],
        difficulty=1,
    )


#: asked of every graph it fits: "is there a cycle?" of every task graph, so its answers are
#: as even as the graphs (half hold a cycle); drawn from the pool it came up more often for
#: graphs with a cycle, which fewer other programs fit (64% "yes")
FIXED: tuple[Program, ...] = (point, cycle)
POOL: tuple[Program, ...] = (
    count_nodes,
    parent,
    children,
    depth,
    common_ancestor,
    leaves,
    run,
    accepts,
    before,
    prerequisites,
    first_task,
    last_task,
    all_before,
    road_length,
    shortest_route,
    roads_at,
    matching_size,
    everyone_placed,
    options,
)


def graph_questions(
    spec: GraphSpec, rendered: Rendered | None, *, rng: np.random.Generator, k: int = 4
) -> list[QA]:
    """Pointing (with render facts), plus ``k`` drawn from the programs that fit the kind;
    each question's difficulty rises by one for a chain of three or more steps."""
    ctx = Ctx(spec, rendered)
    return [
        dataclasses.replace(q, difficulty=min(5, q.difficulty + (chain(q) >= 3)))
        for q in ask(ctx, rng, FIXED, POOL, k)
    ]
