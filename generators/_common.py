"""Small helpers every generator uses: drawing one item, and plain JSON of a frozen spec."""

from __future__ import annotations

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
