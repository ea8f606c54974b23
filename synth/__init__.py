"""synth: programmed training and evaluation data for vision-language models.

from synth.generators.chart import BarChart
sample = BarChart().sample(rng=np.random.default_rng(7))
result = synth.render(sample)          # result.record (the record's JSON dict), result.png
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# In a source checkout (the repo root on sys.path) the top-level folders generators/,
# renderers/, ... are siblings of synth/; installed, setuptools maps them inside synth/.
# The checkout's finder resolves ``synth.generators`` and its siblings (and nothing else of
# the checkout: not tests/) the same in both.
from synth import _layout  # noqa: E402

_finder = _layout.checkout_finder(Path(__file__).resolve().parent)
if _finder is not None:
    sys.meta_path.insert(0, _finder)

from synth._errors import (  # noqa: E402
    ConfigError,
    MissingDependencyError,
    OutputError,
    RegistryError,
    RenderError,
    RenderTimeout,
    SampleRejected,
    SpecError,
    SynthError,
    TooManyFailures,
)
from synth.config import RunConfig  # noqa: E402
from synth.record import QA, Record  # noqa: E402

if TYPE_CHECKING:
    from synth.pack import Sample

__all__ = [
    "QA",
    "ConfigError",
    "MissingDependencyError",
    "OutputError",
    "Record",
    "RegistryError",
    "RenderError",
    "RenderTimeout",
    "RenderedSample",
    "RunConfig",
    "SampleRejected",
    "SpecError",
    "SynthError",
    "TooManyFailures",
    "__version__",
    "render",
]


@dataclasses.dataclass(frozen=True)
class RenderedSample:
    """One rendered sample: ``record`` is the record as a shard stores it and
    ``synth.dataset.iter_samples`` yields it (a JSON dict), ``png`` the image's bytes."""

    record: dict[str, Any]
    png: bytes
    files: dict[str, bytes] = dataclasses.field(default_factory=dict)  # masks, depth...


def render(
    sample: Sample, *, index: int = 0, seed: int = 0, run_seed: int = 0, degrade: str = "none"
) -> RenderedSample:
    """Render one sample in this process and synthesise its QA: image bytes + record.

    ``index``/``seed``/``run_seed`` only label the record (its id and provenance); the image
    and questions depend on the sample alone.
    """
    from synth import registry
    from synth.build import finish

    record, png, files = finish(
        registry.get(sample.domain),
        sample,
        index=index,
        seed=seed,
        run_seed=run_seed,
        degrade=degrade,
    )
    return RenderedSample(record=record.to_json(), png=png, files=files)
