"""More of what a model gets wrong: weights on families and question programs, and the
recipe ``synth target`` writes from ``synth eval`` reports.

A run's ``weights`` (a recipe's ``weights: {family: {...}, program: {...}}``, keys
``domain/family`` and ``domain/program``) change what it makes, deterministically:

* a family of weight w is kept with probability w / (the domain's largest weight) each time
  a sample of it is drawn, and drawn again otherwise (:func:`draw_sample`), so families of
  weight 3 come about three times as often as those of weight 1 (given as many of each);
* the question programs of a domain are tried in an order drawn with weights
  (Efraimidis-Spirakis: each its uniform draw raised to ``1 / w``, largest first), so a
  program of weight 3 is asked before one of weight 1 more often.

Without weights, sampling is exactly what it was (the same bytes).

``synth target`` turns error rates into such weights: a slice's error rate is shrunk toward
the run's overall rate by ``prior`` questions' worth of it (a slice seen 5 times moves less
than one seen 500 times), divided by the overall rate, and kept between ``floor`` and
``ceiling``, so no slice is forgotten and none takes over.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synth._errors import ConfigError

#: the active weights of this process: ("family" | "program", "domain/name") -> weight
_ACTIVE: dict[tuple[str, str], float] = {}
_DOMAIN: list[str] = []
KINDS = ("family", "program")
#: draws of a sample before one of an unlikely family is taken as it comes
MAX_DRAWS = 64


def parse(data: Any) -> tuple[tuple[str, float], ...]:
    """A recipe's ``weights`` mapping as the config stores it: ``("family:chart/bar", 2.0)``."""
    if data in (None, {}):
        return ()
    if not isinstance(data, Mapping) or not set(data) <= set(KINDS):
        raise ConfigError(
            "weights: give {family: {domain/family: w}, program: {domain/program: w}}"
        )
    out = []
    for kind, table in data.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f"weights.{kind}: a mapping of domain/name to a weight")
        for key, w in table.items():
            if not isinstance(key, str) or key.count("/") != 1:
                raise ConfigError(f"weights.{kind}: {key!r} is not domain/name")
            if isinstance(w, bool) or not isinstance(w, int | float) or not 0 < float(w) <= 1000:
                raise ConfigError(f"weights.{kind}.{key}: a number above 0 and at most 1000")
            out.append((f"{kind}:{key}", float(w)))
    return tuple(sorted(out))


def activate(weights: Sequence[Sequence[Any]]) -> None:
    """Make ``weights`` (the config's pairs) this process's."""
    _ACTIVE.clear()
    for key, w in weights:
        kind, _, name = str(key).partition(":")
        _ACTIVE[kind, name] = float(w)


@contextlib.contextmanager
def asking(domain: str) -> Iterator[None]:
    """Questions asked inside are ``domain``'s (its program weights apply)."""
    _DOMAIN.append(domain)
    try:
        yield
    finally:
        _DOMAIN.pop()


def program_order(rng: np.random.Generator, names: Sequence[str]) -> list[int]:
    """The order to try a domain's programs in: a plain permutation without weights (as
    ever), else a weighted one."""
    domain = _DOMAIN[-1] if _DOMAIN else ""
    weights = [_ACTIVE.get(("program", f"{domain}/{n}"), 1.0) for n in names]
    if not _ACTIVE or all(w == 1.0 for w in weights):
        return [int(i) for i in rng.permutation(len(names))]
    keys = rng.random(len(names)) ** (1.0 / np.asarray(weights))
    return [int(i) for i in np.argsort(-keys, kind="stable")]


def draw_sample(draw: Callable[[np.random.Generator], Any], domain: str, seed: int) -> Any:
    """``draw(rng)`` for the sample of ``seed``, with the family weights of ``domain``: a
    sample of a family of weight w is kept with probability w / the domain's largest
    weight, else drawn again from the same stream. Without weights: the one draw."""
    from synth._seeding import sample_rng

    rng = sample_rng(seed)
    sample = draw(rng)
    table = {
        k[1]: w for k, w in _ACTIVE.items() if k[0] == "family" and k[1].startswith(f"{domain}/")
    }
    if not table:
        return sample
    top = max([*table.values(), 1.0])
    keep = np.random.default_rng([seed, 0x7A46])
    for _ in range(MAX_DRAWS):
        w = table.get(f"{domain}/{sample.family}", 1.0)
        if keep.random() < w / top:
            return sample
        sample = draw(rng)
    return sample


# synth target ------------------------------------------------------------------------------


def merge(reports: Sequence[dict[str, Any]]) -> dict[str, dict[str, tuple[int, float]]]:
    """``kind -> slice -> (questions, errors)`` over several eval reports (family, program,
    domain)."""
    out: dict[str, dict[str, tuple[int, float]]] = {}
    for report in reports:
        for kind in ("family", "program", "domain"):
            for name, cell in report.get("slices", {}).get(kind, {}).items():
                n0, e0 = out.setdefault(kind, {}).get(name, (0, 0.0))
                n = int(cell["n"])
                out[kind][name] = (n0 + n, e0 + n * (1.0 - float(cell["accuracy"])))
    return out


def recipe(
    reports: Sequence[dict[str, Any]],
    n: int,
    *,
    prior: float = 20.0,
    floor: float = 0.25,
    ceiling: float = 8.0,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The recipe (domains, mix, n, weights) that asks more where the model fails, and the
    report of each slice: its questions, error rate, weight, and old and new expected share."""
    merged = merge(reports)
    if not merged.get("domain"):
        raise ConfigError("the eval reports hold no scored questions; run synth eval first")
    total_n = sum(n for n, _ in merged["domain"].values())
    overall = sum(e for _, e in merged["domain"].values()) / total_n
    base = max(overall, 1e-3)

    def weight(questions: int, errors: float) -> float:
        rate = (errors + prior * overall) / (questions + prior)
        return round(min(ceiling, max(floor, rate / base)), 3)

    rows = []
    weights: dict[str, dict[str, float]] = {"family": {}, "program": {}}
    for kind in ("family", "program"):
        cells = merged.get(kind, {})
        kind_n = sum(q for q, _ in cells.values()) or 1
        ws = {name: weight(q, e) for name, (q, e) in cells.items()}
        mass = sum(ws[name] * q for name, (q, _) in cells.items()) or 1.0
        for name, (q, e) in sorted(cells.items()):
            if ws[name] != 1.0:
                weights[kind][name] = ws[name]
            rows.append({"slice": f"{kind}: {name}", "questions": q,
                         "error_rate": round(e / q, 4) if q else 0.0, "weight": ws[name],
                         "old_share": round(q / kind_n, 4),
                         "new_share": round(ws[name] * q / mass, 4)})  # fmt: skip
    domains = sorted(merged["domain"])
    mix = [weight(*merged["domain"][d]) * merged["domain"][d][0] for d in domains]
    out: dict[str, Any] = {
        "domains": domains,
        "mix": [round(m / sum(mix), 4) for m in mix],
        "n": n,
        "weights": {k: v for k, v in weights.items() if v},
    }
    return out, rows


def write_recipe(path: Path, data: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    import yaml

    head = "# written by synth target: more of what the model got wrong (see synth/targeting.py)\n"
    why = "".join(
        f"# {r['slice']}: error {r['error_rate']:.1%} over {r['questions']}, weight {r['weight']}, "
        f"share {r['old_share']:.1%} -> {r['new_share']:.1%}\n"
        for r in sorted(rows, key=lambda r: -r["weight"])
    )
    path.write_text(head + why + yaml.safe_dump(data, sort_keys=True), encoding="utf-8")
