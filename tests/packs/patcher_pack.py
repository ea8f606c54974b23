"""A pack whose samples change a library for whoever comes after them (issue 16, item 6).

The first draw of each sample's rng picks a mode: mode 0 (a quarter of the samples) makes
Matplotlib draw no text from then on in the process that sampled it. Run in-process, a
sample's image depends on which samples its worker made before it, so runs with 1 and 2
workers differ. Each sample also notes in its persona the pipes open in the process that
sampled it: a worker's protocol is a pair of pipes. Registered in tests with
$SYNTH_DOMAINS=patcher=patcher_pack:DOMAIN.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import matplotlib.text
import numpy as np
from chart_based import ChartBased

from synth.generators.chart import DOMAIN as CHART
from synth.pack import Sample

PATCH = 0
N_MODES = 4


def mode_of(rng: np.random.Generator) -> int:
    return int(rng.integers(N_MODES))


def _no_text(self: Any, renderer: Any) -> None:
    return None


class Patcher(ChartBased):
    name = "patcher"

    def sample(self, *, rng: np.random.Generator) -> Sample:
        if mode_of(rng) == PATCH:
            matplotlib.text.Text.draw = _no_text  # type: ignore[method-assign]
        s = CHART.sample(rng=rng)
        return dataclasses.replace(s, domain=self.name, persona={**s.persona, "pipes": pipes()})


def pipes() -> int:
    """How many pipes this process holds open."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:")
        except OSError:
            pass
    return count


DOMAIN = Patcher()
