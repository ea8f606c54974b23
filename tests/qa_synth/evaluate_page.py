"""An independent evaluator: recomputes page answers (documents, tables, screens) from the spec
JSON alone, without importing synth's page code, so a wrong program cannot agree with itself."""

from __future__ import annotations

from typing import Any


def _show(col: dict[str, Any], v: Any) -> str:
    if v is None:
        return ""
    if not col["numeric"]:
        return str(v)
    sign = "-" if v < 0 else ""
    return f"{sign}{col['prefix']}{abs(v):,.{col['decimals']}f}{col['suffix']}"


def _block(spec: dict[str, Any], key: str) -> dict[str, Any]:
    (b,) = [b for b in spec["blocks"] if b["key"] == key]
    return b


def _label(t: dict[str, Any], r: int) -> str:
    return ", ".join(_show(t["columns"][c], t["rows"][r][c]) for c in t["label_columns"])


def _number(col: dict[str, Any], v: float) -> float | int:
    return int(v) if col["decimals"] == 0 else round(v, col["decimals"])


def _cell_answer(t: dict[str, Any], r: int, c: int) -> Any:
    col, v = t["columns"][c], t["rows"][r][c]
    return _number(col, float(v)) if col["numeric"] else _show(col, v)


def recompute(spec: dict[str, Any], qa: dict[str, Any]) -> Any:
    p, prm = qa["program"], qa["params"]
    fields = {
        f["key"]: f["value"] for b in spec["blocks"] if b["type"] == "fields" for f in b["items"]
    }
    t = _block(spec, prm["table"]) if "table" in prm else None
    if p == "field_lookup":
        return fields[prm["key"]]
    if p == "unanswerable" and "row_label" in prm:  # a row the table lacks
        labels = {_label(t, r) for r in range(len(t["rows"]))}  # type: ignore[index]
        assert prm["row_label"] in t["absent_rows"] and prm["row_label"] not in labels  # type: ignore[index]
        return "not stated"
    if p == "unanswerable":
        shown = {f["label"] for b in spec["blocks"] if b["type"] == "fields" for f in b["items"]}
        assert prm["label"] in spec["absent"] and prm["label"] not in shown
        return "not stated"
    if p in ("table_lookup",):
        return _cell_answer(t, prm["row"], prm["column"])  # type: ignore[arg-type]
    assert t is None or all(len(row) == len(t["columns"]) for row in t["rows"])
    if p == "column_total":
        col = t["columns"][prm["column"]]  # type: ignore[index]
        total = round(sum(row[prm["column"]] or 0 for row in t["rows"]), col["decimals"])  # type: ignore[index]
        return _number(col, total)
    if p in ("extreme", "multi_hop"):
        values = [row[prm["column"]] for row in t["rows"]]  # type: ignore[index]
        best = max(values) if prm["highest"] else min(values)
        assert values.count(best) == 1
        r = values.index(best)
        return _label(t, r) if p == "extreme" else _cell_answer(t, r, prm["other"])  # type: ignore[arg-type]
    if p == "compare":
        a, b, c = prm["a"], prm["b"], prm["column"]
        return _label(t, a if t["rows"][a][c] > t["rows"][b][c] else b)  # type: ignore[index, arg-type]
    if p == "difference":
        col = t["columns"][prm["column"]]  # type: ignore[index]
        c = prm["column"]
        return _number(col, round(t["rows"][prm["a"]][c] - t["rows"][prm["b"]][c], col["decimals"]))  # type: ignore[index]
    if p == "count_rows":
        return len(t["rows"])  # type: ignore[index]
    if p == "count_above":
        return sum(1 for row in t["rows"] if row[prm["column"]] > prm["threshold"])  # type: ignore[index]
    if p == "yes_no":
        return t["rows"][prm["row"]][prm["column"]] > prm["threshold"]  # type: ignore[index]
    if p == "multiple_choice":
        return _show(t["columns"][prm["column"]], t["rows"][prm["row"]][prm["column"]])  # type: ignore[index]
    if p == "list_count":
        return len(_block(spec, prm["list"])["entries"])
    if p == "state":
        return _block(spec, prm["list"])["states"][prm["entry"]]
    if p in ("bar_extreme", "bar_value"):
        b = _block(spec, prm["bars"])
        if p == "bar_value":
            return _number(b["column"], b["values"][prm["index"]])
        best = max(b["values"]) if prm["highest"] else min(b["values"])
        return b["labels"][b["values"].index(best)]
    raise KeyError(f"no recompute for program {p}")
