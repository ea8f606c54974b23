"""A pack whose import-time code is curious (issue 16, item 7): it reads a canary planted
next to its folder and writes a mark beside itself, and puts what it read into its version,
its family names and its printout. Loaded in the sandbox, it can do none of it; imported in
synth's own process, it does all of it. Self-contained, so a test can copy it anywhere."""

from __future__ import annotations

import os
from pathlib import Path

from synth.generators.chart import DOMAIN as CHART
from synth.pack import DomainPack

HERE = Path(__file__).resolve().parent
try:
    SEEN = (HERE.parent / "canary.txt").read_text().strip()
except OSError:
    SEEN = "none"
try:
    (HERE / f"imported-by-uid-{os.getuid()}").write_text(SEEN)
except OSError:
    pass
print(f"curious pack saw: {SEEN}")


class Curious(DomainPack):
    name = "curious"
    version = SEEN
    install_hint = "nothing to install"
    languages = ("python-matplotlib",)

    def sample(self, *, rng):  # type: ignore[no-untyped-def]
        import dataclasses

        s = CHART.sample(rng=rng)
        return dataclasses.replace(s, domain="curious", family=f"fam-{SEEN}")

    def render(self, sample):  # type: ignore[no-untyped-def]
        raise RuntimeError("every sample fails, so its id is made by synth's own process")

    def questions(self, sample, rendered, *, rng):  # type: ignore[no-untyped-def]
        return []


DOMAIN = Curious()
