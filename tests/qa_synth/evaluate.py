"""An independent evaluator for chart QA: recomputes answers from the spec JSON alone.

It shares no code with synth.qa_synth: plain Python over dicts, written from the program
definitions, so a bug in the synthesiser cannot hide itself here.
"""

from __future__ import annotations

import math
import re
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
    widest = widest_tolerance(spec, qa, elements)
    assert tol <= widest, f"{where}: tolerance {tol} is wider than a reader needs ({widest:g})"
    if qa["program"] in ("difference", "max_minus_mean") and tol:
        # within the tolerance, "they are equal" (0) or the other sign would grade right
        assert abs(want) > tol, f"{where}: tolerance {tol} admits no difference (answer {want})"
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


def _labels_printed(spec: dict[str, Any]) -> bool:
    """Whether each value is written on the chart (then nothing is read off an axis)."""
    style = spec["style"]
    if spec["kind"] == "pie":
        return style["pie_labels"] != "none"
    return bool(style["value_labels"]) and spec["kind"] != "scatter"


def _number(label: str) -> float | None:
    text = re.sub(r"[^0-9.\-]", "", label.replace("\u2212", "-").replace(",", ""))
    try:
        return float(text)
    except ValueError:
        return None


def pixels_per_unit(spec: dict[str, Any], elements: list[dict[str, Any]]) -> float | None:
    """The value axis's scale in the image, from where its numeric tick labels were drawn."""
    for role, centre in (("ytick", 1), ("xtick", 0)):
        ticks = [
            (v, e["bbox"][centre] + e["bbox"][centre + 2] / 2)
            for e in elements
            if e["role"] == role and (v := _number(str(e.get("label", "")))) is not None
        ]
        values = {v for v, _ in ticks}
        if len(values) >= 2 and len(ticks) >= 2:
            (v0, p0), (v1, p1) = min(ticks), max(ticks)
            return abs(p1 - p0) / (v1 - v0)
    return None


def widest_tolerance(
    spec: dict[str, Any], qa: dict[str, Any], elements: list[dict[str, Any]] | None
) -> float:
    """The widest tolerance a person reading this chart needs for ``qa``, worked out here:
    nothing beyond rounding where the values are printed; else, per value read off the axis,
    a quarter of a grid step (or two pixels, if a quarter step is narrower than that), a
    stacked segment being two readings, a difference or a gap to the mean two values; a pie
    slice's share read by eye, 3 percentage points."""
    prog, printed = qa["program"], _labels_printed(spec)
    rounding = 10.0 ** -(spec["decimals"] + 1)
    if prog == "share":
        return 0.1 if printed else 3.0
    if printed:
        return rounding if prog in ("average", "max_minus_mean") else 0.0
    step = spec["value_axis"]["step"]
    reading = step / 4
    scale = pixels_per_unit(spec, elements) if elements else None
    if scale:
        reading = max(reading, 2 / scale)
    if (
        spec["variant"] == "stacked"
        and spec["kind"] == "bar"
        and qa["params"].get("series") != "__total__"
    ):
        reading *= 2
    readings = {"value_lookup": 1, "average": 1, "difference": 2, "max_minus_mean": 2}
    return readings.get(prog, 0) * reading * 1.02  # 2%: tolerances are rounded to 2 digits
