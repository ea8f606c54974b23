"""An independent evaluator: recomputes document answers from the spec JSON alone (no import
of synth's document code), so a wrong program cannot agree with itself."""

from __future__ import annotations

from typing import Any


def _amounts(spec: dict[str, Any]) -> list[float]:
    d = spec["decimals"]
    return [round(i["quantity"] * i["unit_price"], d) for i in spec["items"]]


def recompute(spec: dict[str, Any], qa: dict[str, Any]) -> Any:
    d = spec["decimals"]
    amounts = _amounts(spec)
    subtotal = round(sum(amounts), d)
    tax = round(subtotal * spec["tax_rate"] / 100, d)
    total = round(subtotal + tax, d)
    p, prm = qa["program"], qa["params"]
    fields = {f["key"]: f["value"] for f in spec["fields"]}
    if p == "field_lookup":
        return fields[prm["key"]]
    if p == "issuer":
        return spec["issuer"]["name"]
    if p == "total":
        return total
    if p == "item_amount":
        return amounts[prm["item"]]
    if p == "item_quantity":
        return spec["items"][prm["item"]]["quantity"]
    if p == "difference":
        return round(amounts[prm["a"]] - amounts[prm["b"]], d)
    if p == "pre_tax":
        return round(total - tax, d)
    if p == "count_items":
        return len(spec["items"])
    if p == "most_expensive":
        return spec["items"][amounts.index(max(amounts))]["description"]
    if p == "yes_no":
        return total > prm["threshold"]
    if p == "multiple_choice":
        listed = {i["description"] for i in spec["items"]}
        (right,) = [c for c in prm["options"] if c in listed]
        return right
    if p == "unanswerable":
        labels = {f["label"] for f in spec["fields"]}
        assert prm["label"] in spec["absent"] and prm["label"] not in labels
        return "not stated"
    if p == "point":
        return None  # checked against the render facts instead
    raise KeyError(f"no evaluator for program {p}")
