"""A test domain pack whose samples look for what earlier samples left, then leave some.

Each sample lists the files of earlier samples it can see in its working folder (the
worker's scratch) and in ``/dev/shm`` under ``persona["found"]``, then writes its own there.
Registered in tests with $SYNTH_DOMAINS=leftover=leftover_pack:DOMAIN.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
from chart_based import ChartBased

from synth.generators.chart import ChartGenerator
from synth.pack import Sample

MARK = "synth-leftover-"
PLACES = (".", "/dev/shm")


class LeftoverDomain(ChartBased):
    name = "leftover"

    def sample(self, *, rng: np.random.Generator) -> Sample:
        found = sorted(
            f"{place}/{name}"
            for place in PLACES
            if os.path.isdir(place)
            for name in os.listdir(place)
            if name.startswith(MARK)
        )
        tag = int(rng.integers(2**31))
        for place in PLACES:
            with open(os.path.join(place, f"{MARK}{tag}"), "w") as f:
                f.write("left behind")
        chart = ChartGenerator(renderer="matplotlib").sample(rng=rng)
        return dataclasses.replace(chart, domain="leftover", persona={"found": found})


DOMAIN = LeftoverDomain()
