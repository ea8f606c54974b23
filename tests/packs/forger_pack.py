"""A test domain pack whose samples, one in three, forge a protocol frame.

A forging sample writes a whole, well-formed frame answering a task that does not exist
(index 999999) to every pipe and socket it can write to, then renders as usual. Built in
a process of its own (a pack from outside), it holds none of its worker's protocol pipes,
only its own socket, so the frame can only answer for itself.
Registered in tests with $SYNTH_DOMAINS=forger=forger_pack:DOMAIN.
"""

from __future__ import annotations

import dataclasses
import json
import os

import numpy as np
from chart_based import ChartBased

from synth._seeding import sample_rng, sample_seed
from synth.generators.chart import ChartGenerator
from synth.pack import Sample
from synth.record import Rendered

FRAME = json.dumps({"op": "failed", "index": 999999, "kind": "x", "message": "forged", "blobs": []})


def forges(rng: np.random.Generator) -> bool:
    return int(rng.integers(3)) == 0


def forged_indices(n: int, seed: int) -> list[int]:
    return [i for i in range(n) if forges(sample_rng(sample_seed(seed, "forger", i)))]


def forge() -> None:
    data = len(FRAME).to_bytes(4, "big") + FRAME.encode()
    for name in sorted(os.listdir("/proc/self/fd"), key=int):
        fd = int(name)
        try:
            if fd > 2 and os.readlink(f"/proc/self/fd/{fd}").startswith(("pipe:", "socket:")):
                os.write(fd, data)
        except OSError:
            pass


class ForgerDomain(ChartBased):
    name = "forger"

    def sample(self, *, rng: np.random.Generator) -> Sample:
        forging = forges(rng)
        chart = ChartGenerator(renderer="matplotlib").sample(rng=rng)
        return dataclasses.replace(chart, domain="forger", persona={"forge": forging})

    def render(self, sample: Sample) -> Rendered:
        if sample.persona["forge"]:
            forge()
        return super().render(sample)


DOMAIN = ForgerDomain()
