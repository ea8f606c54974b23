"""Document question programs, answer first (invoices and receipts).

Every program reads the :class:`~synth.generators.document.DocumentSpec`, computes its answer
and the text a reader sees for it, and needs that text on the page: inside the image and not
clipped (the render facts say where every field and cell landed). Money answers are numbers in
the document's currency; ``params["printed"]`` is the answer as the page prints it.

Programs: field_lookup, issuer, total, item_amount, item_quantity, difference (arithmetic over
two lines), pre_tax (total minus tax, multi-hop), count_items, most_expensive, yes_no,
multiple_choice, unanswerable (a field the document does not have: "not stated"), point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from synth.qa_synth._phrasing import phrase
from synth.qa_synth._programs import ask, inside_image, point_qa
from synth.record import QA, Element

if TYPE_CHECKING:
    from synth.generators.document._spec import DocumentSpec

NOT_STATED = "not stated"
#: Fields a document of this kind might have; those it lacks make unanswerable questions.
Program = Callable[["Ctx", np.random.Generator], "QA | None"]


class Ctx:
    def __init__(self, spec: DocumentSpec, elements: Sequence[Element]) -> None:
        self.spec = spec
        self.boxes = {e["key"]: e for e in elements if "key" in e}
        self.width, self.height = spec.style.width_px, spec.style.height_px

    def visible(self, key: str) -> bool:
        """The element is on the page, wholly inside the image and not clipped."""
        return inside_image(self.boxes, (key,), self.width, self.height)

    def item_key(self, j: int, col: str) -> str:
        return f"item-{j}-{col}"


def field_lookup(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    fields = [f for f in ctx.spec.fields if ctx.visible(f.key)]
    if not fields:
        return None
    f = fields[int(rng.integers(len(fields)))]
    q = phrase("document_questions", "field_lookup", rng, label=f.label.lower(), kind=ctx.spec.kind)
    return QA.build(
        program="field_lookup",
        question=q,
        answer=f.value,
        answer_type="text",
        steps=[f"The {f.label} field reads {f.value}."],
        params={"key": f.key},
        skills=["text-reading", "key-value"],
        difficulty=1,
    )


def issuer(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not ctx.visible("issuer_name"):
        return None
    name = ctx.spec.issuer.name
    q = phrase("document_questions", "issuer", rng, kind=ctx.spec.kind)
    return QA.build(
        program="issuer",
        question=q,
        answer=name,
        answer_type="text",
        steps=[f"The header names the issuer: {name}."],
        params={},
        skills=["text-reading", "layout"],
        difficulty=1,
    )


def total(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not ctx.visible("total"):
        return None
    s = ctx.spec
    due = " due" if s.kind == "invoice" else ""
    q = phrase("document_questions", "total", rng, kind=s.kind, due=due)
    return QA.build(
        program="total",
        question=q,
        answer=s.total(),
        answer_type="number",
        steps=[f"The Total{due} row shows {s.money(s.total())}."],
        params={"printed": s.money(s.total())},
        skills=["text-reading", "key-value"],
        difficulty=1,
    )


def _item(ctx: Ctx, rng: np.random.Generator, col: str) -> int | None:
    js = [
        j
        for j in range(len(ctx.spec.items))
        if ctx.visible(ctx.item_key(j, col)) and ctx.visible(ctx.item_key(j, "description"))
    ]
    return js[int(rng.integers(len(js)))] if js else None


def item_amount(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    j = _item(ctx, rng, "amount")
    if j is None:
        return None
    s, it = ctx.spec, ctx.spec.items[j]
    amount = it.amount(s.decimals)
    q = phrase("document_questions", "item_amount", rng, item=it.description)
    steps = [f"Find the {it.description} row.", f"Its Amount column shows {s.money(amount)}."]
    return QA.build(
        program="item_amount",
        question=q,
        answer=amount,
        answer_type="number",
        steps=steps,
        params={"item": j, "printed": s.money(amount)},
        skills=["table-lookup"],
        difficulty=1,
    )


def item_quantity(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    j = _item(ctx, rng, "quantity")
    if j is None:
        return None
    it = ctx.spec.items[j]
    q = phrase("document_questions", "item_quantity", rng, item=it.description, kind=ctx.spec.kind)
    steps = [f"Find the {it.description} row.", f"Its Qty column shows {it.quantity}."]
    return QA.build(
        program="item_quantity",
        question=q,
        answer=it.quantity,
        answer_type="number",
        steps=steps,
        params={"item": j},
        skills=["table-lookup"],
        difficulty=1,
    )


def difference(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    js = [j for j in range(len(ctx.spec.items)) if ctx.visible(ctx.item_key(j, "amount"))]
    if len(js) < 2:
        return None
    a, b = (int(v) for v in rng.choice(js, size=2, replace=False))
    s = ctx.spec
    amounts = s.amounts()
    if amounts[a] < amounts[b]:
        a, b = b, a
    diff = round(amounts[a] - amounts[b], s.decimals)
    q = phrase(
        "document_questions", "difference", rng, a=s.items[a].description, b=s.items[b].description
    )
    steps = [
        f"The {s.items[a].description} line is {s.money(amounts[a])}.",
        f"The {s.items[b].description} line is {s.money(amounts[b])}.",
        f"{s.money(amounts[a])} - {s.money(amounts[b])} = {s.money(diff)}.",
    ]
    return QA.build(
        program="difference",
        question=q,
        answer=diff,
        answer_type="number",
        steps=steps,
        params={"a": a, "b": b},
        skills=["table-lookup", "arithmetic"],
        difficulty=2,
    )


def pre_tax(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not (ctx.visible("total") and ctx.visible("tax")):
        return None
    s = ctx.spec
    q = phrase("document_questions", "pre_tax", rng, tax=s.tax_label)
    answer = round(s.total() - s.tax(), s.decimals)
    steps = [
        f"The total is {s.money(s.total())}.",
        f"The {s.tax_label} is {s.money(s.tax())}.",
        f"{s.money(s.total())} - {s.money(s.tax())} = {s.money(answer)}, "
        "which matches the subtotal.",
    ]
    return QA.build(
        program="pre_tax",
        question=q,
        answer=answer,
        answer_type="number",
        steps=steps,
        params={},
        skills=["key-value", "arithmetic", "multi-hop"],
        difficulty=2,
    )


def count_items(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    n = len(ctx.spec.items)
    if not all(ctx.visible(f"item-{j}") for j in range(n)):
        return None
    q = phrase("document_questions", "count_items", rng, kind=ctx.spec.kind)
    return QA.build(
        program="count_items",
        question=q,
        answer=n,
        answer_type="number",
        steps=[f"The table has {n} item rows below its header."],
        params={},
        skills=["counting", "table-structure"],
        difficulty=1,
    )


def most_expensive(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    s = ctx.spec
    if not all(ctx.visible(ctx.item_key(j, "amount")) for j in range(len(s.items))):
        return None
    amounts = s.amounts()
    j = int(np.argmax(amounts))  # amounts are distinct (the sampler makes them so)
    q = phrase("document_questions", "most_expensive", rng, kind=s.kind)
    steps = [
        f"Compare the Amount column: the largest is {s.money(amounts[j])}.",
        f"That is the {s.items[j].description} line.",
    ]
    return QA.build(
        program="most_expensive",
        question=q,
        answer=s.items[j].description,
        answer_type="text",
        steps=steps,
        params={},
        skills=["table-lookup", "comparison"],
        difficulty=2,
    )


def yes_no(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not ctx.visible("total"):
        return None
    s = ctx.spec
    t = s.total()
    want = bool(rng.random() < 0.5)
    # a round threshold at least 10% away from the total, on the side that gives ``want``
    factor = rng.uniform(0.5, 0.9) if want else rng.uniform(1.1, 1.6)
    threshold = float(np.round(t * factor, -max(0, len(str(int(t))) - 2)))
    if threshold <= 0 or abs(threshold - t) < 0.05 * t:
        return None
    answer = t > threshold
    q = phrase("document_questions", "yes_no", rng, threshold=s.money(threshold))
    steps = [
        f"The total is {s.money(t)}.",
        f"{s.money(t)} is {'more' if answer else 'not more'} than {s.money(threshold)}.",
    ]
    return QA.build(
        program="yes_no",
        question=q,
        answer=answer,
        answer_type="bool",
        steps=steps,
        params={"threshold": threshold},
        skills=["key-value", "comparison"],
        difficulty=1,
    )


def multiple_choice(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    from synth.personas import load_vocabulary

    s = ctx.spec
    listed = {it.description for it in s.items}
    others = sorted(
        {str(it[0]) for c in load_vocabulary("document_items")["catalogs"] for it in c["items"]}
        - listed
    )
    if len(others) < 3 or not ctx.visible("item-0-description"):
        return None
    right = s.items[int(rng.integers(len(s.items)))].description
    wrong = [others[int(i)] for i in rng.choice(len(others), size=3, replace=False)]
    choices = [*wrong]
    choices.insert(int(rng.integers(4)), right)
    q = phrase("document_questions", "choice", rng, kind=s.kind)
    return QA.build(
        program="multiple_choice",
        question=q,
        answer=right,
        answer_type="choice",
        steps=[f"Of the options only {right} is a line of the table."],
        params={"options": choices},
        skills=["text-reading", "table-lookup"],
        difficulty=1,
        choices=choices,
    )


def unanswerable(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """A field invoices (receipts) show that this one lacks, asked as field_lookup asks."""
    if not ctx.spec.absent:
        return None
    label = ctx.spec.absent[int(rng.integers(len(ctx.spec.absent)))]
    q = phrase("document_questions", "field_lookup", rng, label=label.lower(), kind=ctx.spec.kind)
    steps = [f"The {ctx.spec.kind} has no {label} field."]
    return QA.build(
        program="unanswerable",
        question=q,
        answer=NOT_STATED,
        answer_type="text",
        steps=steps,
        params={"label": label},
        skills=["unanswerable"],
        difficulty=2,
    )


def point(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    targets = [
        ("total", "total amount"),
        ("issuer_name", "name of the issuer"),
        ("number", f"{ctx.spec.kind} number"),
    ]
    targets = [t for t in targets if ctx.visible(t[0])]
    if not targets:
        return None
    key, what = targets[int(rng.integers(len(targets)))]
    q = phrase("document_questions", "point", rng, target=what)
    return point_qa(q, what, ctx.boxes[key]["bbox"], {"key": key}, ["grounding"])


def document_questions(
    spec: DocumentSpec, elements: Sequence[Element], *, rng: np.random.Generator, k: int = 4
) -> list[QA]:
    """yes/no, multiple choice, unanswerable and pointing, plus ``k`` drawn from the rest."""
    ctx = Ctx(spec, elements)
    fixed: list[Program] = [yes_no, multiple_choice, unanswerable, point]
    pool: list[Program] = [
        field_lookup,
        issuer,
        total,
        item_amount,
        item_quantity,
        difference,
        pre_tax,
        count_items,
        most_expensive,
    ]
    return ask(ctx, rng, fixed, pool, k)
