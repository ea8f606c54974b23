"""A document pack whose samples fail on purpose, to test the worker's render thread.

Like the built-in ``document`` pack it renders on a worker's render thread while the main
thread samples and finishes; the first draw of each sample's rng picks a mode (see MODES).
Registered in tests with $SYNTH_DOMAINS=pipelined=pipelined_pack:DOMAIN.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from synth.generators.document import DocumentDomain
from synth.pack import Sample
from synth.record import Rendered

#: mode -> the failure kind it must produce (None: a normal document)
MODES: dict[int, str | None] = {
    0: "exception",  # sampling raises (on the worker's main thread)
    1: "exception",  # rendering raises (on the render thread)
    2: "timeout",  # rendering never returns
}
N_MODES = 8  # modes 3..7 draw a normal document


def mode_of(rng: np.random.Generator) -> int:
    return int(rng.integers(N_MODES))


class PipelinedDomain(DocumentDomain):
    name = "pipelined"

    def __init__(self) -> None:
        self._modes: dict[int, int] = {}  # id(sample) -> mode, from sample() to render()

    def sample(self, *, rng: np.random.Generator) -> Sample:
        mode = mode_of(rng)
        if mode == 0:
            raise ValueError("this sample refuses to be sampled")
        sample = dataclasses.replace(super().sample(rng=rng), domain=self.name)
        self._modes[id(sample)] = mode
        return sample

    def render(self, sample: Sample) -> Rendered:
        mode = self._modes.pop(id(sample), None)
        if mode == 1:
            raise ValueError("this sample refuses to render")
        if mode == 2:
            time.sleep(3600)
        return super().render(sample)


DOMAIN = PipelinedDomain()
