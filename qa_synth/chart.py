"""Chart question programs, answer first.

Every program reads the :class:`~synth.generators.chart.ChartSpec` (and, for pointing, the
render facts), computes its answer, checks that a person could decide it by looking (no ties,
a minimum gap relative to the axis, tolerances from the axis step), and only then writes the
question and a chain of thought from its own steps. ``params`` hold what is needed to
recompute the answer from the spec alone.

Programs: value_lookup, extremum, compare_two, difference, sum, average, share, count_if,
rank_k, trend, yes_no, multiple_choice, max_minus_mean (multi-hop), correlation, point.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.qa_synth._phrasing import head_noun, is_plural, phrase, plural
from synth.qa_synth._programs import ask
from synth.record import QA, Element

if TYPE_CHECKING:
    from synth.generators.chart._spec import ChartSpec
    from synth.generators.chart.kinds import ChartKind

TOTAL = "__total__"
ORDINALS = {2: "second", 3: "third", 4: "fourth"}
Program = Callable[["Ctx", np.random.Generator], "QA | None"]


class Ctx:
    """What every program needs to know about one chart, computed once."""

    def __init__(self, spec: ChartSpec, elements: Sequence[Element], kind: ChartKind) -> None:
        self.spec = spec
        self.elements = elements
        self.kind = kind
        self.cats = list(spec.categories)
        st = spec.style
        if spec.kind == "pie":
            self.exact = st.pie_labels != "none"
            self.span = 100.0
        else:
            self.exact = st.value_labels and spec.kind != "scatter"
            assert spec.value_axis is not None
            self.span = spec.value_axis.span
        self.step = spec.value_axis.step if spec.value_axis else 5.0
        self.ppu = pixels_per_unit(elements) if spec.kind != "pie" else None
        # how far two values must be apart to be told apart by eye; hard mode goes down to
        # MIN_DECIDING_PX pixels (1.5% of the circle for pies, of the span when the render
        # facts are not at hand) and prefers pairs closer than the normal gap
        self.hard = spec.difficulty == "hard"
        self.fine_gap = (0.02 if self.exact else 0.045) * self.span
        self.gap = self.fine_gap
        if self.hard:
            floor = MIN_DECIDING_PX / self.ppu if self.ppu else 0.015 * self.span
            self.gap = max(floor, 0.01 * self.span)
        self.tol = 0.0 if self.exact else _round_tol(0.25 * self.step)
        self.quantity = quantity_noun(spec.y_label) if spec.kind != "histogram" else "count"

    def series_names(self) -> list[str]:
        if self.spec.variant == "stacked":
            return [TOTAL] + [s.name for s in self.spec.series]
        return [s.name for s in self.spec.series]

    def values(self, series: str) -> list[float]:
        if series == TOTAL:
            return list(self.spec.totals())
        for s in self.spec.series:
            if s.name == series:
                return list(s.values)
        raise KeyError(series)

    def reading_tol(self, series: str) -> float:
        """Tolerance of reading one value of ``series`` (a stacked segment spans two readings)."""
        if self.exact:
            return 0.0
        if self.spec.variant == "stacked" and series != TOTAL and self.spec.kind == "bar":
            return 2 * self.tol
        return self.tol

    def subject(self, series: str) -> str:
        q = self.quantity
        if series == TOTAL:
            return f"total {q}"
        if len(self.spec.series) == 1:
            return q
        return f'"{series}" {q}'

    def fields(self, series: str) -> dict[str, Any]:
        axis = self.kind.category_noun(self.spec)
        unit = self.spec.unit
        return {
            "subject": self.subject(series),
            "axis": axis,
            "axis_plural": plural(axis),
            "unit_in": f" (in {unit})" if unit else "",
        }

    def fmt(self, v: float, extra: int = 0) -> str:
        return f"{v:,.{self.spec.decimals + extra}f}"

    def num(self, v: float, extra: int = 0) -> float | int:
        r = round(v, self.spec.decimals + extra)
        return int(r) if self.spec.decimals + extra == 0 else r

    def reading(self, v: float) -> float:
        """What reading ``v`` off the axis gives: the nearest multiple of the reading
        tolerance (a quarter of a gridline step; within half of it of ``v``), or ``v`` when
        the values are printed."""
        if self.exact or not self.tol:
            return v
        return round(round(v / self.tol) * self.tol, 10)

    def answer(self, v: float) -> float | int:
        """A number as the answer gives it: at the chart's decimals when printed, the reading
        itself (a multiple of the tolerance) when read off the axis."""
        if self.exact:
            return self.num(v)
        return int(v) if float(v).is_integer() else v

    def shown(self, series: str, j: int) -> str:
        """Value ``j`` of ``series`` as the image shows it: its printed label, or, when none
        is printed, the axis reading ("about 2,175") or a slice's share of the circle ("about
        23% of the circle"), never digits the image does not show."""
        v = self.values(series)[j]
        if self.spec.kind == "pie":
            pct = 100.0 * v / sum(self.values(series))
            labels = self.spec.style.pie_labels
            if labels == "percent":
                return f"{pct:.1f}%"
            return self.fmt(v) if labels == "value" else f"about {pct:.0f}% of the circle"
        return self.fmt(v) if self.exact else f"about {_tnum(self.reading(v))}"

    def decidable_pairs(self, vals: list[float]) -> list[tuple[int, int]]:
        """(higher, lower) pairs far enough apart to be told apart; in hard mode only the
        fine ones (closer than the normal gap) when there are any."""
        pairs = [
            (i, j)
            for i in range(len(vals))
            for j in range(len(vals))
            if vals[i] - vals[j] >= self.gap
        ]
        if self.hard:
            fine = [(i, j) for i, j in pairs if vals[i] - vals[j] < self.fine_gap]
            return fine or pairs
        return pairs


#: the least difference, in pixels, between two marks that hard mode asks to compare: bar
#: ends or points this far apart are told apart at a glance next to each other
MIN_DECIDING_PX = 4.0
#: deciding gaps under these many pixels make a comparison harder (difficulty +1 each)
NARROW_PX = (12.0, 5.0)
#: programs that compare marks (their deciding gap counts toward difficulty)
COMPARING = ("compare_two", "extremum", "multiple_choice", "point", "rank_k", "trend", "yes_no")


def pixels_per_unit(elements: Sequence[Element]) -> float | None:
    """Pixels per value unit along the value axis, from its two outermost numeric tick
    labels (y ticks; x ticks for horizontal bars); None without two."""
    for role, axis in (("ytick", 1), ("xtick", 0)):
        ticks = []
        for e in elements:
            if e["role"] != role:
                continue
            try:
                v = float(e.get("label", "").replace(",", "").replace("−", "-"))
            except ValueError:
                continue
            x, y, w, h = e["bbox"]
            ticks.append((v, (x + w / 2, y + h / 2)[axis]))
        ticks.sort()
        if len(ticks) >= 2 and ticks[-1][0] != ticks[0][0]:
            return abs(ticks[-1][1] - ticks[0][1]) / (ticks[-1][0] - ticks[0][0])
    return None


def deciding_gap(ctx: Ctx, q: QA) -> float | None:
    """The difference in value (percent of the circle for pies) that decides a comparison
    question: between the two compared marks, the best and the runner-up, or a ranked mark
    and its nearer neighbour; None for questions that compare nothing."""
    p = q.params
    if q.program not in COMPARING or "series" not in p:
        return None
    vals = _decision_values(ctx, p["series"])
    if "a" in p and "b" in p:
        return abs(vals[ctx.cats.index(p["a"])] - vals[ctx.cats.index(p["b"])])
    if "category" in p and "threshold" in p:
        return abs(vals[ctx.cats.index(p["category"])] - float(p["threshold"]))
    if p.get("target") in ("max", "min"):
        ranked = sorted(vals, reverse=p["target"] == "max")
        return abs(ranked[0] - ranked[1])
    if "k" in p:
        ranked = sorted(vals, reverse=True)
        k = int(p["k"])
        return min(ranked[k - 2] - ranked[k - 1], ranked[k - 1] - ranked[k])
    return None


def calibrated(ctx: Ctx, q: QA) -> int:
    """A question's difficulty from what makes it hard to answer from the image: 1, plus one
    for a chain of three or more steps, one for a value read off the axis (not printed),
    one for a deciding gap under 12 px and one more under 5 px, and one for more than 8
    marks to look through."""
    chain = q.reasoning.count(". ")  # sentences before "So the answer is ..."
    gap = deciding_gap(ctx, q)
    px = gap * ctx.ppu if gap is not None and ctx.ppu else None
    return (
        1
        + (chain >= 3)
        + (isinstance(q.tolerance, int | float) and q.answer_type == "number")
        + sum(px is not None and px < limit for limit in NARROW_PX)
        + (len(ctx.cats) > 8)
    )


#: plural nouns that are measured, not counted ("the amount of emissions")
MASS_PLURALS = frozenset({"emissions", "earnings", "savings", "sales", "expenses", "proceeds"})


def quantity_noun(y_label: str) -> str:
    """How a question names a chart's quantity, from its axis label: a noun phrase that
    takes singular words ("the ... for March is"), so "Trees (trees)" is the "number of
    trees", "Emissions (t CO₂)" the "amount of emissions", "Saved (EUR)" the "amount saved";
    "Rainfall (mm)" stays "rainfall", "On time (%)" is the "share on time" and "PM2.5" keeps
    its capitals."""
    name, _, unit = y_label.partition(" (")
    keep = len(name) > 1 and (name[1].isupper() or any(c.isdigit() for c in name))
    q = name if keep else name[:1].lower() + name[1:]
    words = q.lower().split()
    if len(words) == 1 and words[0].endswith("ed"):
        return f"amount {q}"
    if words[0] in ("on", "in", "at") and unit.startswith("%"):
        return f"share {q}"
    if is_plural(q):
        return f"{'amount' if head_noun(q) in MASS_PLURALS else 'number'} of {q}"
    return q


def chart_questions(
    spec: ChartSpec,
    elements: Sequence[Element],
    *,
    kind: ChartKind,
    rng: np.random.Generator,
    k: int = 4,
) -> list[QA]:
    """One yes/no, one multiple-choice and one pointing question (where they can be decided)
    plus ``k`` others drawn from the programs that fit this chart. ``kind``: the chart's
    kind, which names the programs it adds to the common ones (``share``, ``trend``,
    ``correlation``), its marks and its categories."""
    ctx = Ctx(spec, elements, kind)
    asks = kind.asks
    fixed: list[Program] = [yes_no, multiple_choice, point]
    pool: list[Program] = [
        value_lookup,
        extremum,
        compare_two,
        difference,
        average,
        count_if,
        rank_k,
        max_minus_mean,
    ]
    if ctx.exact:
        pool.append(sum_values)
    if "share" in asks or ctx.exact:
        pool.append(share)
    if spec.ordered and "trend" in asks:
        pool.append(trend)
    if "correlation" in asks:
        pool.append(correlation)
    return [
        dataclasses.replace(q, difficulty=calibrated(ctx, q)) for q in ask(ctx, rng, fixed, pool, k)
    ]


def _series(ctx: Ctx, rng: np.random.Generator) -> str:
    names = ctx.series_names()
    return names[int(rng.integers(len(names)))]


def _read(ctx: Ctx, series: str, j: int) -> str:
    how = "The label shows" if ctx.exact else "Reading against the axis gives"
    if series == TOTAL:
        how = "The segments' labels add up to" if ctx.exact else "The top of the stack reads"
    return f"{how} {ctx.shown(series, j)} for {ctx.cats[j]}."


def _pair(ctx: Ctx, series: str, a: int, b: int) -> str:
    """Where two values lie, as the image shows them; two readings that round alike are
    told apart by the marks themselves (the pair is decidable: their gap is visible)."""
    sa, sb = ctx.shown(series, a), ctx.shown(series, b)
    if sa == sb:
        return f"{ctx.cats[a]} and {ctx.cats[b]} both read {sa}, their marks visibly apart."
    return f"{ctx.cats[a]} is at {sa} and {ctx.cats[b]} at {sb}."


def _readings(ctx: Ctx, series: str) -> list[float]:
    return [ctx.reading(v) for v in ctx.values(series)]


def value_lookup(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind == "pie":
        return None
    if ctx.spec.variant == "stacked" and not ctx.exact:
        series = TOTAL
    else:
        series = _series(ctx, rng)
        if series == TOTAL and ctx.exact:  # totals are not printed on stacked bars
            series = ctx.spec.series[0].name
    j = int(rng.integers(len(ctx.cats)))
    v = ctx.reading(ctx.values(series)[j])
    tol = ctx.reading_tol(series)
    q = phrase("chart_questions", "value_lookup", rng, category=ctx.cats[j], **ctx.fields(series))
    skills = ["value-lookup"] + ([] if ctx.exact else ["axis-reading"])
    return QA.build(
        program="value_lookup",
        question=q,
        answer=ctx.answer(v),
        answer_type="number",
        steps=[_read(ctx, series, j)],
        params={"series": series, "category": ctx.cats[j]},
        skills=skills,
        difficulty=1 if ctx.exact else 2,
        tolerance=tol,
    )


def _extremes_ok(ctx: Ctx, vals: list[float], target: str) -> int | None:
    order = sorted(range(len(vals)), key=lambda i: vals[i])
    best, runner = (order[-1], order[-2]) if target == "max" else (order[0], order[1])
    if abs(vals[best] - vals[runner]) < ctx.gap:
        return None
    return best


def _pie_values(ctx: Ctx) -> list[float]:
    vals = ctx.values(ctx.spec.series[0].name)
    total = sum(vals)
    return [100.0 * v / total for v in vals]


def _decision_values(ctx: Ctx, series: str) -> list[float]:
    """Values on the scale the eye compares (percent of the circle for pies)."""
    return _pie_values(ctx) if ctx.spec.kind == "pie" else ctx.values(series)


#: the chance that an extreme at the first or last category gives way to the other extreme
#: when that one lies inside: trends put their highs and lows at the ends, so without it
#: "the first or the last" answered half of the extremum questions (1,500 charts: 0.49 of
#: answers at an end against 0.37 for answers spread evenly over the categories)
END_SWAP = 0.5


#: the chance that a 2nd or 3rd highest inside the chart gives way to the other rank when
#: that one sits at the first or last category: the highest sits at an end often, so the
#: ranks below it did less often than an even spread (1,500 charts: 0.25 of rank answers at
#: an end against 0.34 for answers spread evenly; with it, 0.35)
END_PULL = 0.5


def _extreme_target(ctx: Ctx, series: str, rng: np.random.Generator) -> tuple[str, int | None]:
    """ "max" or "min" (even odds) and the category holding it, where it is decidable; an
    answer at either end gives way to the other extreme, if that one lies inside and is
    decidable, with chance END_SWAP (so the layout alone does not give the answer)."""
    vals = _decision_values(ctx, series)
    target = "max" if rng.random() < 0.5 else "min"
    j = _extremes_ok(ctx, vals, target)
    ends = (0, len(vals) - 1)
    if j in ends and rng.random() < END_SWAP:
        other = "min" if target == "max" else "max"
        k = _extremes_ok(ctx, vals, other)
        if k is not None and k not in ends:
            return other, k
    return target, j


def extremum(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    series = _series(ctx, rng)
    target, j = _extreme_target(ctx, series, rng)
    if j is None:
        return None
    vals = ctx.values(series)
    q = phrase("chart_questions", f"extremum_{target}", rng, **ctx.fields(series))
    word = "highest" if target == "max" else "lowest"
    steps = [
        f"Comparing all {len(vals)} values, {ctx.cats[j]} is the {word} at {ctx.shown(series, j)}."
    ]
    return QA.build(
        program="extremum",
        question=q,
        answer=ctx.cats[j],
        answer_type="text",
        steps=steps,
        params={"series": series, "target": target},
        skills=["comparison", "extremum"],
        difficulty=1,
    )


def compare_two(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    series = _series(ctx, rng)
    pairs = ctx.decidable_pairs(_decision_values(ctx, series))
    if not pairs:
        return None
    hi, lo = pairs[int(rng.integers(len(pairs)))]
    a, b = (hi, lo) if rng.random() < 0.5 else (lo, hi)
    q = phrase(
        "chart_questions", "compare_two", rng, a=ctx.cats[a], b=ctx.cats[b], **ctx.fields(series)
    )
    steps = [_pair(ctx, series, a, b), f"{ctx.cats[hi]} is higher."]
    return QA.build(
        program="compare_two",
        question=q,
        answer=ctx.cats[hi],
        answer_type="text",
        steps=steps,
        params={"series": series, "a": ctx.cats[a], "b": ctx.cats[b]},
        skills=["comparison"],
        difficulty=1,
    )


def difference(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind == "pie":
        return None
    series = _series(ctx, rng)
    vals, read = ctx.values(series), _readings(ctx, series)
    tol = 2 * ctx.reading_tol(series)
    # a tolerance as wide as the difference would grade "equal" (or the other sign) right
    pairs = [
        (a, b)
        for a, b in ctx.decidable_pairs(vals)
        if min(ctx.num(vals[a] - vals[b]), ctx.num(read[a] - read[b])) > tol
    ]
    if not pairs:
        return None
    a, b = pairs[int(rng.integers(len(pairs)))]
    d = round(read[a] - read[b], 10)
    q = phrase(
        "chart_questions", "difference", rng, a=ctx.cats[a], b=ctx.cats[b], **ctx.fields(series)
    )
    steps = [
        _read(ctx, series, a),
        _read(ctx, series, b),
        f"{_tnum(read[a])} − {_tnum(read[b])} = {_tnum(d)}."
        if not ctx.exact
        else f"{ctx.fmt(vals[a])} − {ctx.fmt(vals[b])} = {ctx.fmt(d)}.",
    ]
    return QA.build(
        program="difference",
        question=q,
        answer=ctx.answer(d),
        answer_type="number",
        steps=steps,
        params={"series": series, "a": ctx.cats[a], "b": ctx.cats[b]},
        skills=["value-lookup", "arithmetic"],
        difficulty=2,
        tolerance=tol,
    )


def sum_values(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind in ("pie", "scatter"):
        return None
    series = _series(ctx, rng)
    if series == TOTAL:
        series = ctx.spec.series[0].name
    vals = ctx.values(series)
    total = sum(vals)
    q = phrase("chart_questions", "sum", rng, **ctx.fields(series))
    steps = [
        f"The values are {', '.join(ctx.fmt(v) for v in vals)}.",
        f"Their sum is {ctx.fmt(total)}.",
    ]
    return QA.build(
        program="sum",
        question=q,
        answer=ctx.num(total),
        answer_type="number",
        steps=steps,
        params={"series": series},
        skills=["value-lookup", "arithmetic", "aggregation"],
        difficulty=2,
    )


def average(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind == "pie":
        return None
    series = _series(ctx, rng)
    vals = _readings(ctx, series)
    mean = sum(vals) / len(vals)
    tol = ctx.reading_tol(series) if not ctx.exact else 10.0 ** -(ctx.spec.decimals + 1)
    q = phrase("chart_questions", "average", rng, **ctx.fields(series))
    listed = ", ".join(ctx.shown(series, j) for j in range(len(vals)))
    steps = [
        f"The {len(vals)} values are {listed}.",
        f"They sum to {ctx.fmt(sum(vals)) if ctx.exact else 'about ' + _tnum(sum(vals))};"
        f" divided by {len(vals)} that is {ctx.fmt(mean, 1)}.",
    ]
    return QA.build(
        program="average",
        question=q,
        answer=ctx.num(mean, 1),
        answer_type="number",
        steps=steps,
        params={"series": series},
        skills=["value-lookup", "arithmetic", "aggregation"],
        difficulty=3,
        tolerance=_round_tol(tol),
    )


def share(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind in ("scatter", "histogram") or len(ctx.spec.series) > 1:
        return None
    vals = ctx.values(ctx.spec.series[0].name)
    j = int(rng.integers(len(vals)))
    pct = 100.0 * vals[j] / sum(vals)
    printed = ctx.spec.kind == "pie" and ctx.spec.style.pie_labels == "percent"
    if printed:
        steps = [f"The slice for {ctx.cats[j]} is labelled {pct:.1f}%."]
        tol = 0.0
    elif ctx.exact:
        steps = [
            f"{ctx.cats[j]} is {ctx.fmt(vals[j])} of a total {ctx.fmt(sum(vals))}.",
            f"{ctx.fmt(vals[j])} / {ctx.fmt(sum(vals))} × 100 = {pct:.1f}%.",
        ]
        tol = 0.1
    else:
        pct = float(round(pct))  # what the eye makes of a slice: whole percents at best
        steps = [f"The slice for {ctx.cats[j]} covers about {pct:.0f}% of the circle."]
        tol = 3.0
    q = phrase("chart_questions", "share", rng, category=ctx.cats[j])
    return QA.build(
        program="share",
        question=q,
        answer=round(pct, 1),
        answer_type="number",
        steps=steps,
        params={"category": ctx.cats[j]},
        skills=["proportion", "arithmetic"],
        difficulty=2,
        tolerance=tol,
    )


def _threshold(ctx: Ctx, vals: list[float], rng: np.random.Generator) -> float | None:
    """A round threshold that no value is within the visual gap of."""
    assert ctx.spec.value_axis is not None
    unit = ctx.step / 2
    lo, hi = min(vals), max(vals)
    candidates = [
        t
        for t in np.arange(math.ceil(lo / unit) * unit, hi, unit)
        if all(abs(v - t) >= ctx.gap for v in vals)
    ]
    if not candidates:
        return None
    return round(float(candidates[int(rng.integers(len(candidates)))]), 10)


def count_if(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind == "pie":
        return None
    series = _series(ctx, rng)
    vals = ctx.values(series)
    t = _threshold(ctx, vals, rng)
    if t is None:
        return None
    hits = [ctx.cats[j] for j, v in enumerate(vals) if v > t]
    q = phrase("chart_questions", "count_if", rng, threshold=_tnum(t), **ctx.fields(series))
    steps = [
        f"Values above {_tnum(t)}: {', '.join(hits) if hits else 'none'}.",
        f"That is {len(hits)}.",
    ]
    return QA.build(
        program="count_if",
        question=q,
        answer=len(hits),
        answer_type="number",
        steps=steps,
        params={"series": series, "threshold": t},
        skills=["counting", "comparison"],
        difficulty=2,
    )


def rank_k(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    series = _series(ctx, rng)
    dvals = _decision_values(ctx, series)
    if len(dvals) < 4:
        return None
    k = int(rng.integers(2, 4))
    order = sorted(range(len(dvals)), key=lambda i: -dvals[i])

    def decidable(k: int) -> bool:
        j = order[k - 1]
        return dvals[order[k - 2]] - dvals[j] >= ctx.gap and dvals[j] - dvals[order[k]] >= ctx.gap

    ends = (0, len(dvals) - 1)
    other = 5 - k  # 2nd <-> 3rd
    if order[k - 1] not in ends and order[other - 1] in ends and rng.random() < END_PULL:
        k = other if decidable(other) else k
    if not decidable(k):
        return None
    j = order[k - 1]
    q = phrase("chart_questions", "rank_k", rng, k_ord=ORDINALS[k], **ctx.fields(series))
    ranked = ", ".join(ctx.cats[i] for i in order[:k])
    steps = [f"From the highest down: {ranked}.", f"Number {k} is {ctx.cats[j]}."]
    return QA.build(
        program="rank_k",
        question=q,
        answer=ctx.cats[j],
        answer_type="text",
        steps=steps,
        params={"series": series, "k": k},
        skills=["ranking", "comparison"],
        difficulty=2,
    )


def trend(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    series = _series(ctx, rng)
    vals = ctx.values(series)
    n = len(vals)
    if n < 3:
        return None
    a = int(rng.integers(0, n - 1))
    b = int(rng.integers(a + 1, n))
    if abs(vals[b] - vals[a]) < ctx.gap:
        return None
    answer = "rose" if vals[b] > vals[a] else "fell"
    q = phrase("chart_questions", "trend", rng, a=ctx.cats[a], b=ctx.cats[b], **ctx.fields(series))
    steps = [
        f"At {ctx.cats[a]} it is {ctx.shown(series, a)}; at {ctx.cats[b]} it is {ctx.shown(series, b)}.",
        f"It {answer}.",
    ]
    return QA.build(
        program="trend",
        question=q,
        answer=answer,
        answer_type="text",
        steps=steps,
        params={"series": series, "a": ctx.cats[a], "b": ctx.cats[b]},
        skills=["trend"],
        difficulty=1,
    )


def yes_no(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """The answer is drawn first (yes or no, even odds); then a claim with that truth."""
    target = bool(rng.random() < 0.5)
    series = _series(ctx, rng)
    dvals = _decision_values(ctx, series)
    vals = ctx.values(series)
    if ctx.spec.kind != "pie" and rng.random() < 0.4:
        t = _threshold(ctx, vals, rng)
        if t is not None:
            side = [j for j, v in enumerate(vals) if (v > t) == target]
            if side:
                j = side[int(rng.integers(len(side)))]
                q = phrase(
                    "chart_questions",
                    "yes_no_above",
                    rng,
                    category=ctx.cats[j],
                    threshold=_tnum(t),
                    **ctx.fields(series),
                )
                steps = [
                    f"{ctx.cats[j]} is at {ctx.shown(series, j)}, which is {'above' if target else 'not above'} {_tnum(t)}."
                ]
                return QA.build(
                    program="yes_no",
                    question=q,
                    answer=target,
                    answer_type="bool",
                    steps=steps,
                    params={
                        "claim": "above",
                        "series": series,
                        "category": ctx.cats[j],
                        "threshold": t,
                    },
                    skills=["comparison", "verification"],
                    difficulty=1,
                )
    pairs = ctx.decidable_pairs(dvals)
    if not pairs:
        return None
    hi, lo = pairs[int(rng.integers(len(pairs)))]
    a, b = (hi, lo) if target else (lo, hi)
    q = phrase(
        "chart_questions", "yes_no_greater", rng, a=ctx.cats[a], b=ctx.cats[b], **ctx.fields(series)
    )
    steps = [_pair(ctx, series, a, b)]
    return QA.build(
        program="yes_no",
        question=q,
        answer=target,
        answer_type="bool",
        steps=steps,
        params={"claim": "greater", "series": series, "a": ctx.cats[a], "b": ctx.cats[b]},
        skills=["comparison", "verification"],
        difficulty=1,
    )


def multiple_choice(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """The right option's position is drawn uniformly before the distractors are placed."""
    series = _series(ctx, rng)
    target, j = _extreme_target(ctx, series, rng)
    if j is None or len(ctx.cats) < 3:
        return None
    n_opt = min(4, len(ctx.cats))
    others = [i for i in range(len(ctx.cats)) if i != j]
    distractors = [others[int(i)] for i in rng.choice(len(others), size=n_opt - 1, replace=False)]
    pos = int(rng.integers(n_opt))
    opts = distractors[:pos] + [j] + distractors[pos:]
    choices = [ctx.cats[i] for i in opts]
    letters = "ABCD"
    options = "; ".join(f"({letters[i]}) {c}" for i, c in enumerate(choices))
    q = phrase("chart_questions", f"choice_{target}", rng, options=options, **ctx.fields(series))
    steps = [
        f"Of the options, {', '.join(f'{ctx.cats[i]} is at {ctx.shown(series, i)}' for i in opts)}.",
        f"The {'highest' if target == 'max' else 'lowest'} is {ctx.cats[j]}, option ({letters[pos]}).",
    ]
    return QA.build(
        program="multiple_choice",
        question=q,
        answer=ctx.cats[j],
        answer_type="choice",
        steps=steps,
        params={"series": series, "target": target},
        skills=["comparison", "extremum"],
        difficulty=1,
        choices=choices,
    )


def max_minus_mean(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if ctx.spec.kind in ("pie", "scatter"):
        return None
    series = _series(ctx, rng)
    exact = ctx.values(series)
    j = _extremes_ok(ctx, exact, "max")
    if j is None:
        return None
    vals = _readings(ctx, series)
    mean = sum(vals) / len(vals)
    gap = vals[j] - mean
    tol = 10.0 ** -(ctx.spec.decimals + 1) if ctx.exact else 2 * ctx.reading_tol(series)
    true_gap = exact[j] - sum(exact) / len(exact)
    if min(ctx.num(gap, 1), ctx.num(true_gap, 1)) <= _round_tol(tol):
        return None  # a tolerance that holds 0 would grade "no gap" right
    q = phrase("chart_questions", "max_minus_mean", rng, **ctx.fields(series))
    top = ctx.fmt(vals[j]) if ctx.exact else _tnum(vals[j])
    total = ctx.fmt(sum(vals)) if ctx.exact else _tnum(sum(vals))
    steps = [
        f"The highest value is {ctx.cats[j]} at {ctx.shown(series, j)}.",
        f"The average of all {len(vals)} values is {total} / {len(vals)} = {ctx.fmt(mean, 1)}.",
        f"{top} − {ctx.fmt(mean, 1)} = {ctx.fmt(gap, 1)}.",
    ]
    return QA.build(
        program="max_minus_mean",
        question=q,
        answer=ctx.num(gap, 1),
        answer_type="number",
        steps=steps,
        params={"series": series},
        skills=["extremum", "aggregation", "arithmetic", "multi-hop"],
        difficulty=3,
        tolerance=_round_tol(tol),
    )


def correlation(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    xs = np.array(ctx.spec.x_values)
    ys = np.array(ctx.spec.series[0].values)
    r = float(np.corrcoef(xs, ys)[0, 1])
    if abs(r) < 0.6:
        return None
    answer = "positive" if r > 0 else "negative"
    xq, yq = ctx.spec.x_label.split(" (")[0].lower(), ctx.spec.y_label.split(" (")[0].lower()
    q = phrase("chart_questions", "correlation", rng, x=xq, y=yq)
    if "rise or fall" in q:
        answer = "rise" if r > 0 else "fall"
    steps = [
        f"The points run from {'lower left to upper right' if r > 0 else 'upper left to lower right'},"
        f" {'tightly' if abs(r) >= 0.85 else 'loosely'} around a line."
    ]
    return QA.build(
        program="correlation",
        question=q,
        answer=answer,
        answer_type="text",
        steps=steps,
        params={"wording": "rise-fall" if answer in ("rise", "fall") else "sign"},
        skills=["trend", "correlation"],
        difficulty=2,
    )


def point(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """Grounding: a point inside the mark (bar, point, slice) holding the max or min value."""
    series_names = [s.name for s in ctx.spec.series]
    s_idx = int(rng.integers(len(series_names)))
    series = series_names[s_idx]
    target = "max" if rng.random() < 0.5 else "min"
    j = _extremes_ok(ctx, _decision_values(ctx, series), target)
    if j is None:
        return None
    role, mark = ctx.kind.mark_role, ctx.kind.mark(ctx.spec)
    ref = f"{s_idx}|{j}"
    el = next((e for e in ctx.elements if e["role"] == role and e.get("ref") == ref), None)
    if el is None or el["bbox"][2] <= 0 or el["bbox"][3] <= 0:
        return None
    x, y, w, h = el["bbox"]
    pt = el.get("point") or [round(x + w / 2, 1), round(y + h / 2, 1)]
    fields = ctx.fields(series)
    q = phrase("chart_questions", f"point_{target}", rng, mark=mark, **fields)
    steps = [
        f"The {'highest' if target == 'max' else 'lowest'} {fields['subject']} is {ctx.cats[j]} ({ctx.shown(series, j)}).",
        f"Its {mark} is centred near ({pt[0]:.0f}, {pt[1]:.0f}).",
    ]
    return QA.build(
        program="point",
        question=q,
        answer=pt,
        answer_type="point",
        steps=steps,
        params={"series": series, "target": target, "role": role, "ref": ref},
        skills=["grounding", "extremum"],
        difficulty=2,
        tolerance={"box": [x, y, w, h]},
    )


def _round_tol(t: float) -> float:
    if t <= 0:
        return 0.0
    mag = 10 ** math.floor(math.log10(t))
    return float(round(round(t / mag, 1) * mag, 10))


def _tnum(t: float) -> str:
    return f"{t:,.0f}" if float(t).is_integer() else f"{t:,g}"
