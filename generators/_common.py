"""Small helpers every generator uses: drawing one item, plain JSON of a frozen spec."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np


def pick(rng: np.random.Generator, items: Any) -> Any:
    """One element of the sequence ``items``, uniformly."""
    return items[int(rng.integers(len(items)))]


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` output as plain JSON values (tuples become lists)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def jsonable(value: Any) -> Any:
    """``plain(dataclasses.asdict(value))`` in one pass, without asdict's deep copies: for
    specs, whose leaves are immutable (str, numbers, bools, None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value
