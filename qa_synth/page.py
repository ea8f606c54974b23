"""Question programs over pages of blocks (documents, tables, screens), answer first.

Every program reads the :class:`~synth.generators._page.PageSpec`, computes its answer, and
asks only when the elements a reader needs (the cells, labels and headers it names) are in the
image and not clipped, according to the render facts. Numbers are answered as numbers;
``params["printed"]`` is the answer as the page prints it; ``params["result"]`` how a computed
answer (a sum, a difference) would be printed.

Programs: field_lookup, table_lookup, column_total, extreme, compare, difference, multi_hop
(the row with the extreme of one column, read in another), count_rows, count_above,
list_count, state (is a box ticked or a switch on), bar_extreme, bar_value, yes_no,
multiple_choice, unanswerable ("not stated"), point and box (grounding).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.qa_synth._phrasing import phrase, plural
from synth.qa_synth._programs import (
    ask,
    chain,
    inside_image,
    pick_or_none,
    point_qa,
    small_text,
)
from synth.record import QA, Element

if TYPE_CHECKING:
    from synth.generators._page import Bars, Items, PageSpec, Table

NOT_STATED = "not stated"
#: the least difference of two bars, as a share of the longest, for "which bar is longest"
BAR_GAP = 0.05
Program = Callable[["Ctx", np.random.Generator], "QA | None"]


class Ctx:
    def __init__(self, spec: PageSpec, elements: Any, width: int, height: int) -> None:
        self.spec = spec
        self.boxes = {e["key"]: e for e in elements if "key" in e}
        self.width, self.height = width, height
        self.kind = spec.noun or spec.kind.replace("_", " ")

    def visible(self, *keys: str) -> bool:
        """Every element is on the page, wholly inside the image and not clipped."""
        return inside_image(self.boxes, keys, self.width, self.height)

    def tables(self) -> list[Table]:
        return self.spec.blocks_of("table")

    def row_visible(self, t: Table, r: int, *cols: int) -> bool:
        """Row ``r``'s label cells and its cells in ``cols`` are visible."""
        return self.visible(*_label_keys(t, r), *(f"{t.key}-r{r}-c{c}" for c in cols))

    def column_visible(self, t: Table, c: int) -> bool:
        """Header and every cell of column ``c`` (and every row's label) are visible."""
        if t.display == "grid" and not self.visible(f"{t.key}-h{c}"):
            return False
        return all(self.row_visible(t, r, c) for r in range(len(t.rows)))


def _label_keys(t: Table, r: int) -> list[str]:
    """The keys of row ``r``'s label cells as drawn: a merged first cell sits on the first
    row of its run."""
    spans = t.merged()
    keys = []
    for c in t.label_columns:
        row = r
        if c == 0 and t.merge_first:
            row = max(k for k in range(r + 1) if spans[k])
        keys.append(f"{t.key}-r{row}-c{c}")
    return keys


def _row(t: Table, r: int) -> str:
    """Row ``r`` as a question names it: a message or subject line goes in quotes."""
    label = t.label(r)
    return f'"{label}"' if t.display in ("chat", "inbox") else label


def _where(t: Table) -> str:
    return f" in the {t.heading} table" if t.heading else ""


def _num(t: Table, c: int, value: float) -> float | int:
    return int(value) if t.columns[c].decimals == 0 else round(value, t.columns[c].decimals)


def field_lookup(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    fields = [
        f
        for b in ctx.spec.blocks_of("fields")
        for f in b.items
        if f.label and not f.value.startswith("•") and ctx.visible(f.key)
    ]
    f = pick_or_none(rng, fields)
    if f is None:
        return None
    q = phrase("page_questions", "field_lookup", rng, label=f.label, kind=ctx.kind)
    steps = [f"The {f.label} field reads {f.value}."]
    return QA.build(
        program="field_lookup",
        question=q,
        answer=f.value,
        answer_type="text",
        steps=steps,
        params={"key": f.key},
        skills=["text-reading", "key-value"],
        difficulty=1,
    )


def _cells(ctx: Ctx, numeric: bool | None) -> list[tuple[Table, int, int]]:
    out = []
    for t in ctx.tables():
        for c, col in enumerate(t.columns):
            if c in t.label_columns or (numeric is not None and col.numeric != numeric):
                continue
            for r in range(len(t.rows)):
                if t.rows[r][c] is not None and ctx.row_visible(t, r, c):
                    out.append((t, r, c))
    return out


def table_lookup(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    hit = pick_or_none(rng, _cells(ctx, None))
    if hit is None:
        return None
    t, r, c = hit
    col, printed = t.header_name(c), t.cell(r, c)
    value = t.rows[r][c]
    numeric = t.columns[c].numeric
    answer = _num(t, c, float(value)) if numeric else printed
    q = phrase("page_questions", "table_lookup", rng, column=col, row=_row(t, r), where=_where(t))
    steps = [f"Find the row of {t.label(r)}{_where(t)}.", f"Its {col} column shows {printed}."]
    return QA.build(
        program="table_lookup",
        question=q,
        answer=answer,
        answer_type="number" if numeric else "text",
        steps=steps,
        params={"table": t.key, "row": r, "column": c, "printed": printed},
        skills=["table-lookup"],
        difficulty=1,
    )


def _numeric_columns(ctx: Ctx, *, full: bool, summable: bool = False) -> list[tuple[Table, int]]:
    out = []
    for t in ctx.tables():
        cols = t.summed_columns() if summable else t.numeric_columns()
        for c in cols:
            if c in t.label_columns or len(t.rows) < 2:
                continue
            if full and any(v is None for v in t.column_values(c)):
                continue
            if ctx.column_visible(t, c):
                out.append((t, c))
    return out


def column_total(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    hit = pick_or_none(rng, _numeric_columns(ctx, full=False, summable=True))
    if hit is None:
        return None
    t, c = hit
    col = t.columns[c]
    total = t.total(c)
    shown = [t.cell(r, c) for r in range(len(t.rows)) if t.rows[r][c] is not None]
    if len(shown) < 2:
        return None  # a total of one value is that value: nothing to add up
    q = phrase("page_questions", "column_total", rng, column=t.header_name(c), where=_where(t))
    steps = [
        f"The {t.header_name(c)} column lists {', '.join(shown)}.",
        f"They add up to {col.show(total)}.",
    ]
    if t.totals:
        steps.append(f"The {t.total_label} row agrees.")
    return QA.build(
        program="column_total",
        question=q,
        answer=_num(t, c, total),
        answer_type="number",
        steps=steps,
        params={
            "table": t.key,
            "column": c,
            ("printed" if t.totals else "result"): col.show(total),
        },
        skills=["table-lookup", "arithmetic", "aggregation"],
        difficulty=2,
    )


def _extreme(t: Table, c: int, highest: bool) -> int | None:
    values = [float(v) for v in t.column_values(c)]  # type: ignore[arg-type]
    best = max(values) if highest else min(values)
    rows = [r for r, v in enumerate(values) if v == best]
    return rows[0] if len(rows) == 1 else None


def extreme(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    hit = pick_or_none(rng, _numeric_columns(ctx, full=True))
    if hit is None:
        return None
    t, c = hit
    highest = bool(rng.random() < 0.5)
    r = _extreme(t, c, highest)
    if r is None:
        return None
    word = "highest" if highest else "lowest"
    q = phrase(
        "page_questions",
        "extreme",
        rng,
        noun=t.noun,
        word=word,
        column=t.header_name(c),
        where=_where(t),
    )
    steps = [
        f"Compare the {t.header_name(c)} column: the {word} value is {t.cell(r, c)}.",
        f"It belongs to {t.label(r)}.",
    ]
    return QA.build(
        program="extreme",
        question=q,
        answer=t.label(r),
        answer_type="text",
        steps=steps,
        params={"table": t.key, "column": c, "highest": highest},
        skills=["table-lookup", "comparison"],
        difficulty=2,
    )


def multi_hop(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    hit = pick_or_none(rng, _numeric_columns(ctx, full=True))
    if hit is None:
        return None
    t, c = hit
    others = [k for k in range(len(t.columns)) if k != c and k not in t.label_columns]
    highest = bool(rng.random() < 0.5)
    r = _extreme(t, c, highest)
    k = pick_or_none(rng, others)
    if r is None or k is None or t.rows[r][k] is None or not ctx.row_visible(t, r, k):
        return None
    word = "highest" if highest else "lowest"
    printed = t.cell(r, k)
    answer = _num(t, k, float(t.rows[r][k])) if t.columns[k].numeric else printed
    q = phrase(
        "page_questions",
        "multi_hop",
        rng,
        noun=t.noun,
        word=word,
        column=t.header_name(c),
        other=t.header_name(k),
        where=_where(t),
    )
    steps = [
        f"The {word} {t.header_name(c)} is {t.cell(r, c)}, in the row of {t.label(r)}.",
        f"That row's {t.header_name(k)} is {printed}.",
    ]
    return QA.build(
        program="multi_hop",
        question=q,
        answer=answer,
        answer_type="number" if t.columns[k].numeric else "text",
        steps=steps,
        params={"table": t.key, "column": c, "other": k, "highest": highest, "printed": printed},
        skills=["table-lookup", "comparison", "multi-hop"],
        difficulty=3,
    )


def _pair(ctx: Ctx, rng: np.random.Generator) -> tuple[Table, int, int, int] | None:
    hit = pick_or_none(rng, _numeric_columns(ctx, full=True))
    if hit is None:
        return None
    t, c = hit
    a, b = (int(v) for v in rng.choice(len(t.rows), size=2, replace=False))
    va, vb = float(t.rows[a][c]), float(t.rows[b][c])
    if va == vb:
        return None
    return (t, c, a, b) if va > vb else (t, c, b, a)


def compare(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    hit = _pair(ctx, rng)
    if hit is None:
        return None
    t, c, hi, lo = hit
    a, b = (hi, lo) if rng.random() < 0.5 else (lo, hi)
    col = t.header_name(c)
    q = phrase(
        "page_questions", "compare", rng, column=col, a=_row(t, a), b=_row(t, b), where=_where(t)
    )
    steps = [
        f"{t.label(a)} has {t.cell(a, c)} and {t.label(b)} has {t.cell(b, c)}.",
        f"{t.cell(hi, c)} is the larger.",
    ]
    return QA.build(
        program="compare",
        question=q,
        answer=t.label(hi),
        answer_type="text",
        steps=steps,
        params={"table": t.key, "column": c, "a": a, "b": b},
        skills=["table-lookup", "comparison"],
        difficulty=2,
    )


def difference(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    hit = _pair(ctx, rng)
    if hit is None:
        return None
    t, c, hi, lo = hit
    col = t.columns[c]
    diff = round(float(t.rows[hi][c]) - float(t.rows[lo][c]), col.decimals)  # type: ignore[arg-type]
    q = phrase(
        "page_questions",
        "difference",
        rng,
        column=t.header_name(c),
        a=_row(t, hi),
        b=_row(t, lo),
        where=_where(t),
    )
    steps = [
        f"{t.label(hi)} has {t.cell(hi, c)}; {t.label(lo)} has {t.cell(lo, c)}.",
        f"{t.cell(hi, c)} - {t.cell(lo, c)} = {col.show(diff)}.",
    ]
    return QA.build(
        program="difference",
        question=q,
        answer=_num(t, c, diff),
        answer_type="number",
        steps=steps,
        params={"table": t.key, "column": c, "a": hi, "b": lo, "result": col.show(diff)},
        skills=["table-lookup", "arithmetic"],
        difficulty=2,
    )


def count_rows(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    tables = [
        t for t in ctx.tables() if all(ctx.visible(f"{t.key}-r{r}") for r in range(len(t.rows)))
    ]
    t = pick_or_none(rng, tables)
    if t is None:
        return None
    n = len(t.rows)
    q = phrase(
        "page_questions", "count_rows", rng, nouns=plural(t.noun), where=_where(t), kind=ctx.kind
    )
    steps = [f"Count the {plural(t.noun)}{_where(t)}: there are {n}."]
    return QA.build(
        program="count_rows",
        question=q,
        answer=n,
        answer_type="number",
        steps=steps,
        params={"table": t.key},
        skills=["counting"],
        difficulty=1,
    )


def count_above(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    hit = pick_or_none(rng, _numeric_columns(ctx, full=True))
    if hit is None:
        return None
    t, c = hit
    col = t.columns[c]
    values = sorted({float(v) for v in t.column_values(c)})
    if len(values) < 3:
        return None
    i = int(rng.integers(0, len(values) - 1))
    lo, hi = values[i], values[i + 1]
    threshold = round((lo + hi) / 2, col.decimals)
    if not lo < threshold < hi:
        return None
    n = sum(1 for v in t.column_values(c) if v is not None and v > threshold)
    q = phrase(
        "page_questions",
        "count_above",
        rng,
        nouns=plural(t.noun),
        column=t.header_name(c),
        threshold=col.show(threshold),
        where=_where(t),
    )
    above = [t.label(r) for r in range(len(t.rows)) if float(t.rows[r][c]) > threshold]
    steps = [
        f"Values of {t.header_name(c)} above {col.show(threshold)}: {', '.join(above) or 'none'}.",
        f"That is {n}.",
    ]
    return QA.build(
        program="count_above",
        question=q,
        answer=n,
        answer_type="number",
        steps=steps,
        params={"table": t.key, "column": c, "threshold": threshold},
        skills=["counting", "comparison"],
        difficulty=2,
    )


def _lists(ctx: Ctx, *, states: bool) -> list[Items]:
    return [
        b
        for b in ctx.spec.blocks_of("items")
        if b.display != "nav"
        and bool(b.states) == states
        and (states or len(b.entries) > 1)
        and ctx.visible(*(f"{b.key}-{i}" for i in range(len(b.entries))))
    ]


def list_count(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    lists = _lists(ctx, states=False) + _lists(ctx, states=True)
    # a list of one ("Remember me") is nothing to count
    b = pick_or_none(rng, [b for b in lists if len(b.entries) > 1])
    if b is None:
        return None
    n = len(b.entries)
    where = f" under {b.heading}" if b.heading else ""
    q = phrase(
        "page_questions", "list_count", rng, nouns=plural(b.noun), where=where, kind=ctx.kind
    )
    return QA.build(
        program="list_count",
        question=q,
        answer=n,
        answer_type="number",
        steps=[f"Count the {plural(b.noun)}{where}: {n}."],
        params={"list": b.key},
        skills=["counting"],
        difficulty=1,
    )


def state(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    b = pick_or_none(rng, _lists(ctx, states=True))
    if b is None:
        return None
    i = int(rng.integers(len(b.entries)))
    on = b.states[i]
    key = "toggle" if b.display == "toggles" else "checked"
    q = phrase("page_questions", key, rng, entry=b.entries[i])
    what = (
        ("switched on" if on else "switched off")
        if key == "toggle"
        else ("ticked" if on else "not ticked")
    )
    steps = [f"Next to {b.entries[i]} the {'switch' if key == 'toggle' else 'box'} is {what}."]
    return QA.build(
        program="state",
        question=q,
        answer=on,
        answer_type="bool",
        steps=steps,
        params={"list": b.key, "entry": i},
        skills=["text-reading", "ui-state"],
        difficulty=1,
    )


def _bars(ctx: Ctx) -> list[Bars]:
    return [
        b
        for b in ctx.spec.blocks_of("bars")
        if ctx.visible(*(f"{b.key}-{i}" for i in range(len(b.labels))))
        and ctx.visible(*(f"{b.key}-{i}-value" for i in range(len(b.labels))))
    ]


def bar_extreme(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    b = pick_or_none(rng, _bars(ctx))
    if b is None:
        return None
    highest = bool(rng.random() < 0.5)
    ranked = sorted(b.values, reverse=highest)
    best = ranked[0]
    # bars are drawn in proportion to their values: the runner-up visibly shorter (longer)
    if abs(ranked[1] - best) < BAR_GAP * max(b.values):
        return None
    i = list(b.values).index(best)
    word = "longest" if highest else "shortest"
    q = phrase("page_questions", "bar_extreme", rng, word=word)
    steps = [f"The {word} bar is labelled {b.labels[i]}, with {b.column.show(best)}."]
    return QA.build(
        program="bar_extreme",
        question=q,
        answer=b.labels[i],
        answer_type="text",
        steps=steps,
        params={"bars": b.key, "highest": highest},
        skills=["chart-reading", "comparison"],
        difficulty=1,
    )


def bar_value(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    b = pick_or_none(rng, _bars(ctx))
    if b is None:
        return None
    i = int(rng.integers(len(b.labels)))
    printed = b.column.show(b.values[i])
    q = phrase("page_questions", "bar_value", rng, label=b.labels[i])
    value = int(b.values[i]) if b.column.decimals == 0 else round(b.values[i], b.column.decimals)
    return QA.build(
        program="bar_value",
        question=q,
        answer=value,
        answer_type="number",
        steps=[f"The bar of {b.labels[i]} is labelled {printed}."],
        params={"bars": b.key, "index": i, "printed": printed},
        skills=["chart-reading"],
        difficulty=1,
    )


def yes_no(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    hit = pick_or_none(rng, _cells(ctx, True))
    if hit is None:
        return None
    t, r, c = hit
    col = t.columns[c]
    v = float(t.rows[r][c])
    if v <= 0:
        return None
    want = bool(rng.random() < 0.5)
    threshold = round(
        v * (rng.uniform(0.5, 0.85) if want else rng.uniform(1.15, 1.6)), col.decimals
    )
    if threshold <= 0 or abs(threshold - v) < 0.1 * v:
        return None
    answer = v > threshold
    q = phrase(
        "page_questions",
        "yes_no",
        rng,
        column=t.header_name(c),
        row=_row(t, r),
        threshold=col.show(threshold),
        where=_where(t),
    )
    steps = [
        f"The {t.header_name(c)} for {t.label(r)} is {t.cell(r, c)}.",
        f"{t.cell(r, c)} is {'more' if answer else 'not more'} than {col.show(threshold)}.",
    ]
    return QA.build(
        program="yes_no",
        question=q,
        answer=answer,
        answer_type="bool",
        steps=steps,
        params={"table": t.key, "row": r, "column": c, "threshold": threshold},
        skills=["table-lookup", "comparison"],
        difficulty=1,
    )


def multiple_choice(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    hit = pick_or_none(rng, _cells(ctx, True))
    if hit is None:
        return None
    t, r, c = hit
    col = t.columns[c]
    v = float(t.rows[r][c])
    right = col.show(v)
    options = {right}
    for _ in range(40):
        factor = float(rng.choice([-1, 1])) * rng.uniform(0.12, 0.5)
        w = round(v * (1 + factor), col.decimals) if v else float(rng.integers(1, 10))
        if w > 0:
            options.add(col.show(w))
        if len(options) == 4:
            break
    if len(options) < 4:
        return None
    choices = sorted(options - {right})
    choices.insert(int(rng.integers(4)), right)
    q = phrase(
        "page_questions", "choice", rng, column=t.header_name(c), row=_row(t, r), where=_where(t)
    )
    return QA.build(
        program="multiple_choice",
        question=q,
        answer=right,
        answer_type="choice",
        steps=[f"The {t.header_name(c)} for {t.label(r)} reads {right}."],
        params={"table": t.key, "row": r, "column": c, "options": choices},
        skills=["table-lookup"],
        difficulty=1,
        choices=choices,
    )


def unanswerable(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """A field the page lacks, asked as the fields it shows are; or a row a table lacks,
    asked for one of its columns as the rows it has are (answer: "not stated")."""
    rows = [
        (t, label, c)
        for t in ctx.tables()
        for label in t.absent_rows
        for c in range(len(t.columns))
        if c not in t.label_columns and ctx.column_visible(t, c)
    ]
    if not ctx.spec.absent and not rows:
        return None
    if not rows or (ctx.spec.absent and rng.random() < 0.5):
        label = str(pick_or_none(rng, list(ctx.spec.absent)))
        # worded as the questions about the fields pages of this kind do show
        q = phrase("page_questions", "field_lookup", rng, label=label, kind=ctx.kind)
        steps = [f"The {ctx.kind} has no {label} field."]
        params: dict[str, Any] = {"label": label}
    else:
        t, label, c = pick_or_none(rng, rows)
        row = f'"{label}"' if t.display in ("chat", "inbox") else label  # as _row names rows
        q = phrase("page_questions", "table_lookup", rng, column=t.header_name(c), row=row,
                   where=_where(t))  # fmt: skip
        steps = [f"No row of the table{_where(t)} is {label}."]
        params = {"table": t.key, "row_label": label, "column": c}
    return QA.build(
        program="unanswerable",
        question=q,
        answer=NOT_STATED,
        answer_type="text",
        steps=steps,
        params=params,
        skills=["unanswerable"],
        difficulty=2,
    )


def _targets(ctx: Ctx) -> list[tuple[str, str]]:
    """Things to point at: buttons, labelled fields' values, section headings, the title."""
    out = [
        (f"{b.key}-{i}", f"{lb} button")
        for b in ctx.spec.blocks_of("buttons")
        for i, lb in enumerate(b.labels)
    ]
    out += [
        (f.key, f"{f.label} value")
        for b in ctx.spec.blocks_of("fields")
        for f in b.items
        if f.label
    ]
    out += [
        (f"{b.key}-heading", f"{b.heading} heading")
        for b in ctx.spec.blocks
        if getattr(b, "heading", "")
    ]
    out.append(("title", "title"))
    return [(k, what) for k, what in out if ctx.visible(k)]


def point(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    targets = _targets(ctx)
    buttons = [t for t in targets if t[1].endswith(" button")]
    hit = pick_or_none(rng, buttons if buttons and rng.random() < 0.6 else targets)
    if hit is None:
        return None
    key, what = hit
    q = phrase("page_questions", "point", rng, target=what)
    return point_qa(q, what, ctx.boxes[key]["bbox"], {"key": key}, ["grounding"])


def box(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    hit = pick_or_none(rng, _targets(ctx))
    if hit is None:
        return None
    key, what = hit
    bbox = [round(float(v), 1) for v in ctx.boxes[key]["bbox"]]
    q = phrase("page_questions", "box", rng, target=what)
    return QA.build(
        program="box",
        question=q,
        answer=bbox,
        answer_type="box",
        steps=[
            f"The {what} spans x {bbox[0]} to {round(bbox[0] + bbox[2], 1)}, y {bbox[1]} to {round(bbox[1] + bbox[3], 1)}."
        ],
        params={"key": key},
        skills=["grounding"],
        difficulty=2,
    )


FIXED: tuple[Program, ...] = (unanswerable, point)
#: programs that look through every row of a table
SCANS = frozenset({"count_rows", "count_above", "extreme", "multi_hop", "column_total"})
POOL: tuple[Program, ...] = (
    field_lookup,
    table_lookup,
    column_total,
    extreme,
    multi_hop,
    compare,
    difference,
    count_rows,
    count_above,
    list_count,
    state,
    bar_extreme,
    bar_value,
    yes_no,
    multiple_choice,
    box,
)


def page_questions(
    spec: PageSpec, rendered: Any, *, rng: np.random.Generator, k: int = 6
) -> list[QA]:
    """Unanswerable and pointing, plus ``k`` drawn from the rest (those that can ask)."""
    ctx = Ctx(spec, rendered.elements, rendered.width, rendered.height)
    elements = list(rendered.elements)
    return [
        dataclasses.replace(q, difficulty=calibrated(ctx, q, elements))
        for q in ask(ctx, rng, FIXED, POOL, k)
    ]


#: a table of more rows than this makes a question that scans it harder
MANY_ROWS = 8


def calibrated(ctx: Ctx, q: QA, elements: list[Element]) -> int:
    """A page question's difficulty from what makes it hard to answer from the image: 1,
    plus one for a chain of three or more steps, one when the smallest text it reads is
    under SMALL_TEXT_PX tall, one for a table of more than MANY_ROWS rows it scans (a
    count, an extreme, a total, a look-up by another column), and one when it is
    unanswerable (the whole page must be searched)."""
    table = next((t for t in ctx.tables() if t.key == q.params.get("table")), None)
    scans = q.program in SCANS and table is not None and len(table.rows) > MANY_ROWS
    return 1 + (chain(q) >= 3) + small_text(q, elements) + scans + (q.program == "unanswerable")
