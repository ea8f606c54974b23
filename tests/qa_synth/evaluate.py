"""An independent evaluator for chart QA: recomputes answers from the spec JSON alone.

It shares no code with synth.qa_synth: plain Python over dicts, written from the program
definitions, so a bug in the synthesiser cannot hide itself here.
"""

from __future__ import annotations

import math
from typing import Any


def series_values(spec: dict[str, Any], name: str) -> list[float]:
    if name == "__total__":
        return [sum(s["values"][j] for s in spec["series"]) for j in range(len(spec["categories"]))]
    for s in spec["series"]:
        if s["name"] == name:
            return list(s["values"])
    raise KeyError(name)


def expected(spec: dict[str, Any], qa: dict[str, Any]) -> Any:
    """The answer the program must give, unrounded."""
    p, prog, cats = qa["params"], qa["program"], spec["categories"]
    if prog == "share":
        vals = spec["series"][0]["values"]
        return 100.0 * vals[cats.index(p["category"])] / sum(vals)
    if prog == "correlation":
        xs, ys = spec["x_values"], spec["series"][0]["values"]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
        positive = cov > 0
        if p["wording"] == "rise-fall":
            return "rise" if positive else "fall"
        return "positive" if positive else "negative"
    vals = series_values(spec, p["series"])

    def at(c: str) -> float:
        return vals[cats.index(c)]

    if prog == "value_lookup":
        return at(p["category"])
    if prog in ("extremum", "multiple_choice"):
        pick = max if p["target"] == "max" else min
        return cats[vals.index(pick(vals))]
    if prog == "compare_two":
        return p["a"] if at(p["a"]) > at(p["b"]) else p["b"]
    if prog == "difference":
        return at(p["a"]) - at(p["b"])
    if prog == "sum":
        return sum(vals)
    if prog == "average":
        return sum(vals) / len(vals)
    if prog == "count_if":
        return sum(1 for v in vals if v > p["threshold"])
    if prog == "rank_k":
        ranked = sorted(range(len(vals)), key=lambda i: vals[i], reverse=True)
        return cats[ranked[p["k"] - 1]]
    if prog == "trend":
        return "rose" if at(p["b"]) > at(p["a"]) else "fell"
    if prog == "yes_no":
        if p["claim"] == "greater":
            return at(p["a"]) > at(p["b"])
        return at(p["category"]) > p["threshold"]
    if prog == "max_minus_mean":
        return max(vals) - sum(vals) / len(vals)
    if prog == "point":
        pick = max if p["target"] == "max" else min
        return vals.index(pick(vals))
    raise AssertionError(f"no evaluator for program {prog}")


def check(
    spec: dict[str, Any], qa: dict[str, Any], elements: list[dict[str, Any]] | None = None
) -> None:
    """Raise AssertionError if ``qa``'s answer does not follow from ``spec``."""
    want = expected(spec, qa)
    got = qa["answer"]
    where = f"{qa['program']} {qa['params']}: {qa['question']!r}"
    if qa["program"] == "point":
        series_idx = [s["name"] for s in spec["series"]].index(qa["params"]["series"])
        assert qa["params"]["ref"] == f"{series_idx}|{want}", where
        if elements is not None:
            el = next(
                e
                for e in elements
                if e["role"] == qa["params"]["role"] and e.get("ref") == qa["params"]["ref"]
            )
            x, y, w, h = el["bbox"]
            px, py = got
            assert x <= px <= x + w and y <= py <= y + h, (
                f"{where}: point {got} outside {el['bbox']}"
            )
        return
    if isinstance(want, bool) or isinstance(want, str):
        assert got == want, f"{where}: answer {got!r}, spec says {want!r}"
        if qa["answer_type"] == "choice":
            assert got in qa["choices"], where
        return
    tol = qa.get("tolerance") or 0.0
    # answers are rounded to the chart's decimals (+1 for means and shares)
    slack = (
        0.5
        * 10.0 ** -(spec["decimals"] + (1 if qa["program"] in ("average", "max_minus_mean") else 0))
        + 1e-9
    )
    if qa["program"] == "share":
        slack = 0.05 + 1e-9
    assert math.isclose(got, want, abs_tol=slack) if tol == 0 else abs(got - want) <= tol + slack, (
        f"{where}: answer {got}, spec says {want} (tolerance {tol})"
    )
