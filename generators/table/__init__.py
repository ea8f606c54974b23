"""Table domain: data tables in six styles, rendered by Chromium.

The data comes from the persona's chart topics (categories by series, in the persona's locale
and currency); the style decides the shape: ``multilevel`` (a header row of series over value
and share columns), ``merged`` (long format, a merged first column per series), ``striped``,
``units`` (every number printed with its unit), ``totals`` (a totals row) and ``row_totals``
(a derived total column). A sample is a :class:`~synth.generators._page.PageSpec` with one
table; questions are the page programs (lookup by row and column, column totals, extremes,
comparison, differences, counting, multi-hop, yes/no, multiple choice, pointing) and, for
``--option table.unanswerable=PCT`` percent of tables (default 20), a look-up of a row the
table lacks: a category drawn for it whose row was left off (answer "not stated").

    synth generate --domain table --n 1000 --out data/tables
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from synth._errors import SpecError
from synth.generators._common import pick
from synth.generators._page import Column, PageSpec, Table, Text
from synth.generators._page_domain import PageDomain, page_sample
from synth.generators._page_sample import UNANSWERABLE_PCT, page_style
from synth.pack import Sample
from synth.personas import Persona, sample_persona

__all__ = ["DOMAIN", "STYLES", "TableDomain", "TableGenerator", "sample_table"]

VERSION = "2"
STYLES = ("multilevel", "merged", "striped", "units", "totals", "row_totals")


def _quantity(label: str) -> str:
    """ "Cost (NZD)" -> "Cost"."""
    return label.split(" (")[0]


def _caption(quantity: str, unit: str) -> str:
    """ "Cost in NZD"; a unit that only counts the quantity says so: "Number of trees", not
    "Trees in trees"."""
    counted = unit.lower().removeprefix("thousand ")
    if counted in quantity.lower().split():  # "Trees (trees)", "New followers (followers)"
        return f"Number of {quantity.lower()}" + (
            " (thousands)" if unit.startswith("thousand") else ""
        )
    return f"{quantity} in {unit}"


#: a table keeps at least this many rows when one is left off
MIN_ROWS_KEPT = 3


def _leave_a_row_off(
    rng: np.random.Generator, cats: tuple[str, ...], ordered: bool, pct: int
) -> int | None:
    """For ``pct`` percent of tables, the index of a category whose row is left off (its
    label goes to the table's ``absent_rows``): the first or the last of a run such as
    months, so no gap shows in it, or any one of an unordered list. None: every row stays."""
    hide = bool(rng.random() * 100 < pct)
    u = float(rng.random())
    if not hide or len(cats) <= MIN_ROWS_KEPT:
        return None
    if ordered:
        return 0 if u < 0.5 else len(cats) - 1
    return int(u * len(cats))


def sample_table(
    rng: np.random.Generator,
    style: str | None = None,
    persona: Persona | None = None,
    unanswerable: int = UNANSWERABLE_PCT,
) -> tuple[PageSpec, dict[str, Any]]:
    """One table in ``style`` (drawn when None) for ``persona``; returns the spec and the
    persona record. For ``unanswerable`` percent of tables (long format excepted: its rows
    are named by two columns), the row of one category drawn for it is left off and asked
    about (:func:`_leave_a_row_off`)."""
    from synth.generators.chart._sample import sample_chart

    style = style or str(pick(rng, STYLES))
    if style not in STYLES:
        raise SpecError(f"table style {style!r} is not one of {STYLES}")
    persona = persona or sample_persona(rng)
    draw = sample_chart(rng, "bar", "grouped", persona, "matplotlib")
    chart = draw.spec
    unit, d = chart.unit, chart.decimals
    money = unit == persona.country.currency
    in_cells = style == "units"
    num = Column(
        "",
        numeric=True,
        decimals=d,
        prefix=persona.country.symbol if in_cells and money else "",
        suffix=f" {unit}" if in_cells and unit and not money else "",
    )
    axis = chart.x_label
    names = [s.name for s in chart.series]
    cats = chart.categories
    values = [[s.values[j] for s in chart.series] for j in range(len(cats))]
    off = _leave_a_row_off(rng, cats, chart.ordered, unanswerable)
    # the words around the table: a category they name (a title's "Aug–Dec") stays
    said = " ".join([chart.title, chart.y_label, unit, *names, str(draw.persona["organisation"])])
    absent: tuple[str, ...] = ()
    if off is not None and style != "merged" and cats[off].lower() not in said.lower():
        absent = (cats[off],)
        cats = cats[:off] + cats[off + 1 :]
        values = values[:off] + values[off + 1 :]
    table_kw: dict[str, Any] = {"noun": axis.lower()}
    if style == "multilevel":
        columns = [Column(axis)]
        for name in names:
            columns += [
                dataclasses.replace(num, name=_quantity(chart.y_label), group=name),
                Column("Share", group=name, numeric=True, decimals=1, suffix="%", summable=False),
            ]
        totals = [sum(values[j][i] for j in range(len(cats))) for i in range(len(names))]
        rows: list[tuple[Any, ...]] = [
            (cat, *[x for i, v in enumerate(row) for x in (v, round(100 * v / totals[i], 1))])
            for cat, row in zip(cats, values, strict=True)
        ]
    elif style == "merged":
        group = "Year" if all(n.isdigit() for n in names) else "Group"
        columns = [
            Column(group),
            Column(axis),
            dataclasses.replace(num, name=_quantity(chart.y_label)),
        ]
        rows = [
            (name, cat, row[i])
            for i, name in enumerate(names)
            for cat, row in zip(cats, values, strict=True)
        ]
        table_kw.update(merge_first=True, label_columns=(0, 1), noun="entry")
    else:
        columns = [Column(axis), *(dataclasses.replace(num, name=name) for name in names)]
        rows = [(cat, *row) for cat, row in zip(cats, values, strict=True)]
        if style == "row_totals":
            columns.append(dataclasses.replace(num, name="Total"))
            rows = [(*r, round(sum(r[1:]), d)) for r in rows]
    table_kw["striped"] = style == "striped" or (style != "merged" and rng.random() < 0.3)
    table_kw["totals"] = style == "totals"
    table = Table(
        "data", "", tuple(columns), tuple(tuple(r) for r in rows), absent_rows=absent, **table_kw
    )
    caption = "" if in_cells or not unit else _caption(_quantity(chart.y_label), unit)
    blocks: list[Any] = [table]
    source = Text("source", "", (f"Source: {draw.persona['organisation']}",), "note")
    blocks.append(source)
    width = min(1000, 220 + 110 * len(columns))
    spec = PageSpec(
        kind=style,
        title=chart.title,
        subtitle=caption,
        topic_id=f"table_{chart.topic_id}",
        blocks=tuple(blocks),
        style=dataclasses.replace(page_style(rng, persona), width_px=int(width)),
        noun="table",
    )
    words = spec.transcription().lower()
    if absent and absent[0].lower() in words:  # stated elsewhere (the title, a source)
        table = dataclasses.replace(table, absent_rows=())
        spec = dataclasses.replace(spec, blocks=(table, *spec.blocks[1:]))
    return spec, draw.persona


@dataclasses.dataclass(frozen=True)
class TableGenerator:
    """Draws table samples; ``style`` (one of :data:`STYLES`) and ``persona`` drawn when None."""

    style: str | None = None
    persona: Persona | None = None
    #: percent of tables asked about a row they lack (see sample_table)
    unanswerable: int = UNANSWERABLE_PCT

    def sample(self, *, rng: np.random.Generator) -> Sample:
        spec, persona = sample_table(rng, self.style, self.persona, self.unanswerable)
        return page_sample("table", VERSION, spec, persona)


class TableDomain(PageDomain):
    """The table domain pack (registered as ``table``)."""

    name = "table"
    version = VERSION

    def sample(self, *, rng: np.random.Generator) -> Sample:
        return TableGenerator(unanswerable=self.unanswerable).sample(rng=rng)


DOMAIN = TableDomain()
