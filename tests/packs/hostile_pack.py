"""A test domain pack whose samples misbehave on purpose.

The first draw of each sample's rng picks a mode: 3 -> the worker kills itself with SIGKILL,
5 -> it hangs, 7 -> render raises; anything else draws a normal chart. Tests recompute the
mode from the per-sample seed. Registered with $SYNTH_DOMAINS=hostile=hostile_pack:DOMAIN.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time

import numpy as np

from synth.generators.base import Rendered, Sample
from synth.generators.chart import DOMAIN as CHART
from synth.record import QA

CRASH, HANG, RAISE = 3, 5, 7


def mode_of(rng: np.random.Generator) -> int:
    return int(rng.integers(10))


class HostileDomain:
    name = "hostile"
    version = "1"
    install_hint = "nothing to install"

    def sample(self, *, rng: np.random.Generator) -> Sample:
        mode = mode_of(rng)
        chart = CHART.sample(rng=rng)
        return dataclasses.replace(chart, domain="hostile", persona={"mode": mode})

    def render(self, sample: Sample) -> Rendered:
        mode = sample.persona["mode"]
        if mode == CRASH:
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == HANG:
            time.sleep(3600)
        if mode == RAISE:
            raise ValueError("this sample refuses to render")
        return CHART.render(sample)

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        return CHART.questions(sample, rendered, rng=rng)


DOMAIN = HostileDomain()
