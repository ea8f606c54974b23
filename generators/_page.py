"""Pages made of blocks: the spec shared by text-rich domains (documents, tables, screens).

A :class:`PageSpec` is a title and a list of blocks: labelled :class:`Fields`, a
:class:`Table` (typed columns, optional header groups, merged first column, totals row), a
:class:`Text`, a list of :class:`Items` (bullets, chips, checkboxes, toggles, navigation), a
row of :class:`Buttons` and :class:`Bars` (a bar graphic made of boxes). Printed text is
derived from values (a numeric cell is stored as a number and printed by its column), and
totals are derived too, so what the page says always adds up. One Jinja2 template draws
every block; question programs (``synth.qa_synth.page``) read the same blocks.

Element keys (``data-key`` on the page, ``key`` in render facts): a field is its own key;
table ``T``: ``T-h{c}`` header, ``T-r{r}`` row, ``T-r{r}-c{c}`` cell, ``T-total-c{c}``
totals cell; items, buttons and bars ``K-{i}`` (bar values ``K-{i}-value``); every block
``K`` and its heading ``K-heading``.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any, ClassVar

from synth._errors import SpecError
from synth.generators._common import jsonable, plain

Value = str | float | None


@dataclasses.dataclass(frozen=True)
class Field:
    """A labelled value printed on the page (``key`` is stable: "number", "date", ...)."""

    key: str
    label: str
    value: str


@dataclasses.dataclass(frozen=True)
class Column:
    """A table column: text, or numbers printed with ``prefix``/``suffix`` and ``decimals``.
    ``group`` is the upper header the column sits under (multi-level headers)."""

    name: str
    numeric: bool = False
    prefix: str = ""
    suffix: str = ""
    decimals: int = 0
    group: str = ""
    summable: bool = True  # a totals row sums it (not rates, balances or readings)

    def show(self, value: Value) -> str:
        if value is None:
            return ""
        if not self.numeric:
            return str(value)
        v = float(value)
        sign = "-" if v < 0 else ""
        return f"{sign}{self.prefix}{abs(v):,.{self.decimals}f}{self.suffix}"


@dataclasses.dataclass(frozen=True)
class Fields:
    key: str
    heading: str
    items: tuple[Field, ...]
    display: str = "list"  # list | grid | stat | form | letterhead
    type: ClassVar[str] = "fields"


@dataclasses.dataclass(frozen=True)
class Table:
    """Rows of values under typed columns. The ``label_columns`` name a row (together they
    are unique). ``totals``: a derived row of column sums is printed.
    ``merge_first``: runs of equal first-column values print as one merged cell."""

    key: str
    heading: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    noun: str = "row"  # what one row is ("transaction", "dish", "stop")
    label_columns: tuple[int, ...] = (0,)
    totals: bool = False
    total_label: str = "Total"
    merge_first: bool = False
    striped: bool = False
    display: str = "grid"  # grid | menu | chat | inbox
    #: row labels a reader might look up that the table does not have (a row its kind of
    #: table often has): a question about one is unanswerable, worded as the look-ups of
    #: the rows it does have
    absent_rows: tuple[str, ...] = ()
    type: ClassVar[str] = "table"

    def cell(self, r: int, c: int) -> str:
        return self.columns[c].show(self.rows[r][c])

    def label(self, r: int) -> str:
        """How a question names row ``r`` ("North, Apples" for two label columns)."""
        return ", ".join(self.cell(r, c) for c in self.label_columns)

    def numeric_columns(self) -> list[int]:
        return [c for c, col in enumerate(self.columns) if col.numeric]

    def summed_columns(self) -> list[int]:
        return [c for c, col in enumerate(self.columns) if col.numeric and col.summable]

    def column_values(self, c: int) -> list[float | None]:
        return [None if row[c] is None else float(row[c]) for row in self.rows]  # type: ignore[arg-type]

    def total(self, c: int) -> float:
        """The sum of column ``c`` as printed (rounded to its decimals)."""
        col = self.columns[c]
        return round(sum(v for v in self.column_values(c) if v is not None), col.decimals)

    def group_spans(self) -> list[tuple[str, int]]:
        """Upper header cells: consecutive columns of one group share one cell."""
        spans: list[tuple[str, int]] = []
        for col in self.columns:
            if spans and col.group and spans[-1][0] == col.group:
                spans[-1] = (col.group, spans[-1][1] + 1)
            else:
                spans.append((col.group, 1))
        return spans

    def merged(self) -> list[int]:
        """Row span of the first cell of each row (0: covered by the merged cell above)."""
        spans = [1] * len(self.rows)
        if not self.merge_first:
            return spans
        start = 0
        for r in range(1, len(self.rows) + 1):
            if r == len(self.rows) or self.rows[r][0] != self.rows[start][0]:
                spans[start] = r - start
                for k in range(start + 1, r):
                    spans[k] = 0
                start = r
        return spans

    def header_name(self, c: int) -> str:
        col = self.columns[c]
        return f"{col.group} {col.name}" if col.group else col.name


@dataclasses.dataclass(frozen=True)
class Text:
    key: str
    heading: str
    paragraphs: tuple[str, ...]
    display: str = "body"  # body | lead | note
    type: ClassVar[str] = "text"


@dataclasses.dataclass(frozen=True)
class Items:
    """A list; ``states`` (checkboxes, toggles) says which entries are ticked or on."""

    key: str
    heading: str
    entries: tuple[str, ...]
    display: str = "bullets"  # bullets | chips | checks | toggles | nav
    states: tuple[bool, ...] = ()
    noun: str = "item"
    type: ClassVar[str] = "items"


@dataclasses.dataclass(frozen=True)
class Buttons:
    key: str
    labels: tuple[str, ...]
    primary: int = 0
    heading: str = ""
    type: ClassVar[str] = "buttons"


@dataclasses.dataclass(frozen=True)
class Bars:
    """A bar graphic (boxes with value labels): infographics and dashboards."""

    key: str
    heading: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    column: Column  # how values print
    type: ClassVar[str] = "bars"

    def width_pct(self, i: int) -> float:
        return round(100.0 * self.values[i] / max(self.values), 2)

    def value_room_em(self) -> float:
        """Room beside the longest bar for the widest printed value, in em of its bold font
        (bars are drawn in proportion within what is left of the track)."""
        return round(0.5 + 0.65 * max(len(self.column.show(v)) for v in self.values), 2)


Block = Fields | Table | Text | Items | Buttons | Bars
BLOCK_TYPES: dict[str, type] = {b.type: b for b in (Fields, Table, Text, Items, Buttons, Bars)}


@dataclasses.dataclass(frozen=True)
class PageStyle:
    font_family: str
    font_px: int
    accent: str  # hex colour of headings, rules and primary buttons
    layout: str  # one | two | sidebar
    width_px: int
    height_px: int  # 0: as tall as the content
    profile: str  # the persona's visual register
    theme: str = "paper"  # paper | poster | screen | dark
    density: str = "regular"  # compact | regular | airy


@dataclasses.dataclass(frozen=True)
class PageSpec:
    """One page. ``absent``: things a reader might ask about that the page does not state
    (unanswerable questions); ``header``: the short line over the title (an app bar or a
    sender); ``subtitle`` under it."""

    kind: str
    title: str
    topic_id: str
    blocks: tuple[Block, ...]
    style: PageStyle
    subtitle: str = ""
    header: str = ""
    absent: tuple[str, ...] = ()
    noun: str = ""  # what a reader calls the page ("table", "screen"); "" : the kind

    def __post_init__(self) -> None:
        keys = [b.key for b in self.blocks]
        fields = [f.key for b in self.blocks if isinstance(b, Fields) for f in b.items]
        everything = keys + fields
        if len(set(everything)) != len(everything):
            raise SpecError(f"{self.kind}: block and field keys repeat: {everything}")
        for b in self.blocks:
            if isinstance(b, Table):
                _check_table(self.kind, b)
            if isinstance(b, Items) and b.states and len(b.states) != len(b.entries):
                raise SpecError(f"{self.kind} list {b.key}: one state per entry")
            if isinstance(b, Bars) and (len(b.labels) != len(b.values) or min(b.values) <= 0):
                raise SpecError(f"{self.kind} bars {b.key}: one positive value per label")

    @property
    def family(self) -> str:
        return self.kind

    def blocks_of(self, kind: str) -> list[Any]:
        """The blocks of one type, by its name (``"table"``, ``"fields"``...), in order."""
        return [b for b in self.blocks if b.type == kind]

    def field(self, key: str) -> Field | None:
        return next((f for b in self.blocks_of("fields") for f in b.items if f.key == key), None)

    def transcription(self) -> str:
        """Every text on the page in reading order, one line per row or paragraph."""
        lines = [t for t in (self.header, self.title, self.subtitle) if t]
        for b in self.blocks:
            if getattr(b, "heading", ""):
                lines.append(b.heading)
            if isinstance(b, Fields):
                lines += [f"{f.label} {f.value}" if f.label else f.value for f in b.items]
            elif isinstance(b, Table):
                lines += _table_lines(b)
            elif isinstance(b, Text):
                lines += list(b.paragraphs)
            elif isinstance(b, Items):
                lines += list(b.entries)
            elif isinstance(b, Buttons):
                lines.append(" ".join(b.labels))
            elif isinstance(b, Bars):
                lines += [
                    f"{lb} {b.column.show(v)}" for lb, v in zip(b.labels, b.values, strict=True)
                ]
        return "\n".join(lines)

    def key_values(self) -> dict[str, Any]:
        """The parse of the page: fields by key, tables as records with numbers, lists,
        texts, buttons and bars (the document-understanding target)."""
        out: dict[str, Any] = {"kind": self.kind, "title": self.title}
        for b in self.blocks:
            if isinstance(b, Fields):
                out.update({f.key: f.value for f in b.items})
            elif isinstance(b, Table):
                names = [b.header_name(c) for c in range(len(b.columns))]
                out[b.key] = {
                    "rows": [dict(zip(names, row, strict=True)) for row in plain(b.rows)],
                    **({"totals": _totals(b)} if b.totals else {}),
                }
            elif isinstance(b, Text):
                out[b.key] = "\n".join(b.paragraphs)
            elif isinstance(b, Items):
                out[b.key] = (
                    dict(zip(b.entries, b.states, strict=True)) if b.states else list(b.entries)
                )
            elif isinstance(b, Buttons):
                out[b.key] = list(b.labels)
            elif isinstance(b, Bars):
                out[b.key] = dict(zip(b.labels, b.values, strict=True))
        return out

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            f.name: jsonable(getattr(self, f.name)) if f.name != "blocks" else None
            for f in dataclasses.fields(self)
        }
        d["blocks"] = [{"type": b.type, **jsonable(b)} for b in self.blocks]
        return d

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageSpec:
        d = dict(data)
        d["blocks"] = tuple(_block_from_json(b) for b in d["blocks"])
        d["style"] = PageStyle(**d["style"])
        d["absent"] = tuple(d.get("absent", ()))
        return cls(**d)


def _check_table(kind: str, t: Table) -> None:
    n = len(t.columns)
    if not t.rows or any(len(row) != n for row in t.rows):
        raise SpecError(f"{kind} table {t.key}: every row needs {n} cells")
    labels = [t.label(r) for r in range(len(t.rows))]
    if len(set(labels)) != len(labels):
        raise SpecError(f"{kind} table {t.key}: row labels repeat: {labels}")
    for c in t.numeric_columns():
        if any(v is not None and not isinstance(v, (int, float)) for v in (r[c] for r in t.rows)):
            raise SpecError(f"{kind} table {t.key}: column {t.columns[c].name!r} is numeric")


def _totals(t: Table) -> dict[str, float]:
    return {t.header_name(c): t.total(c) for c in t.summed_columns()}


def _table_lines(t: Table) -> list[str]:
    groups = [g for g, _ in t.group_spans() if g]
    lines = [" ".join(groups)] if groups else []
    lines.append(" ".join(col.name for col in t.columns))
    spans = t.merged()
    for r in range(len(t.rows)):
        cells = [t.cell(r, c) for c in range(len(t.columns)) if c or spans[r]]
        lines.append(" ".join(x for x in cells if x))
    if t.totals:
        nums = set(t.summed_columns())
        lines.append(
            " ".join(
                [t.total_label]
                + [t.columns[c].show(t.total(c)) for c in range(len(t.columns)) if c in nums]
            )
        )
    return lines


def _block_from_json(data: dict[str, Any]) -> Block:
    d = {k: v for k, v in data.items() if k != "type"}
    kind = BLOCK_TYPES.get(data.get("type", ""))
    if kind is None:
        raise SpecError(f"unknown block type {data.get('type')!r}; one of {sorted(BLOCK_TYPES)}")
    if kind is Fields:
        d["items"] = tuple(Field(**f) for f in d["items"])
    elif kind is Table:
        d["columns"] = tuple(Column(**c) for c in d["columns"])
        d["rows"] = tuple(tuple(r) for r in d["rows"])
        d["label_columns"] = tuple(d["label_columns"])
        d["absent_rows"] = tuple(d.get("absent_rows", ()))
    elif kind is Bars:
        d["column"] = Column(**d["column"])
        d["labels"], d["values"] = tuple(d["labels"]), tuple(d["values"])
    elif kind is Text:
        d["paragraphs"] = tuple(d["paragraphs"])
    elif kind is Items:
        d["entries"], d["states"] = tuple(d["entries"]), tuple(d["states"])
    elif kind is Buttons:
        d["labels"] = tuple(d["labels"])
    return kind(**d)  # type: ignore[no-any-return]


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("synth.templates", "pages"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def emit_page(spec: PageSpec) -> str:
    """The complete, self-contained HTML page (no external resources) that renders ``spec``."""
    return str(_environment().get_template("page.html.j2").render(s=spec))
