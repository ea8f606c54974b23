"""The chart kinds, one object each (see :class:`ChartKind`). A new kind is a module beside
these and one entry in :data:`ALL`."""

from __future__ import annotations

from synth._errors import SpecError
from synth.generators.chart.kinds._base import ChartKind, Look
from synth.generators.chart.kinds.bar import Bar
from synth.generators.chart.kinds.histogram import Histogram
from synth.generators.chart.kinds.line import Area, Line
from synth.generators.chart.kinds.pie import Pie
from synth.generators.chart.kinds.scatter import Scatter

#: every kind, in the order the sampler's weights are listed
ALL: tuple[ChartKind, ...] = (Bar(), Line(), Pie(), Area(), Scatter(), Histogram())

BY_NAME = {k.name: k for k in ALL}
#: kind -> its variants
KINDS = {k.name: k.variants for k in ALL}

__all__ = ["ALL", "BY_NAME", "KINDS", "ChartKind", "Look", "kind_of"]


def kind_of(name: str) -> ChartKind:
    found = BY_NAME.get(name)
    if found is None:
        raise SpecError(f"chart kind {name!r} is not one of {sorted(BY_NAME)}")
    return found
