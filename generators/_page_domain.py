"""What every HTML page domain (document, table, screen) shares: the warm Chromium back-end,
render facts, transcription and key-value targets, and the page question programs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from synth.generators._page import PageSpec, emit_page
from synth.generators._page_sample import UNANSWERABLE_PCT
from synth.pack import Code, DomainPack, OptionKind, Sample, read_options
from synth.record import QA, Rendered

LANGUAGE = "html"


def page_sample(
    domain: str, version: str, spec: PageSpec, persona: dict[str, Any], topic: str | None = None
) -> Sample:
    return Sample(
        domain=domain,
        family=spec.family,
        generator=f"{domain}@{version}",
        spec=spec,
        code=Code(LANGUAGE, emit_page(spec)),
        persona=persona,
        topic=topic if topic is not None else spec.title,
    )


class PageDomain(DomainPack):
    """Base of the page domain packs; a subclass sets ``name``, ``version`` and ``sample``."""

    install_hint = (
        "apt-get install chromium && pip install playwright jinja2 (bash scripts/setup.sh)"
    )
    languages = (LANGUAGE,)
    options: ClassVar[Mapping[str, OptionKind]] = {"unanswerable": range(0, 101)}
    #: percent of pages asked about a field they lack (--option NAME.unanswerable=PCT); a
    #: class default too, for a subclass whose __init__ does not call this one
    unanswerable: int = UNANSWERABLE_PCT

    def __init__(self, unanswerable: int = UNANSWERABLE_PCT) -> None:
        self.unanswerable = unanswerable

    def configure(self, options: Mapping[str, str]) -> DomainPack:
        return type(self)(**read_options(self.name, options, self.options))

    def warm_up_data(self) -> None:
        """Faker locales and vocabularies (the worker's main thread, while Chromium starts)."""
        from synth.personas import warm_up

        warm_up()

    def render(self, sample: Sample) -> Rendered:
        from synth.renderers.html import render_html

        st = sample.spec.style
        return render_html(sample.code.source, st.width_px, st.height_px)

    def refit(self, sample: Sample, rendered: Rendered, failed: tuple[str, ...]) -> Sample | None:
        """A page of fixed height whose content ran past its bottom (a dashboard's last
        table rows) is made as tall as its content: a full-page capture. Anything else (a
        box past the right edge) can't be fitted this way."""
        spec: PageSpec = sample.spec
        h = rendered.height
        if not spec.style.height_px or any(
            e["bbox"][0] < -1 or e["bbox"][0] + e["bbox"][2] > rendered.width + 1
            for e in rendered.elements
        ):
            return None
        if all(e["bbox"][1] + e["bbox"][3] <= h + 1 for e in rendered.elements):
            return None  # nothing ran past the bottom: something else failed
        fitted = dataclasses.replace(spec, style=dataclasses.replace(spec.style, height_px=0))
        return dataclasses.replace(sample, spec=fitted, code=Code(LANGUAGE, emit_page(fitted)))

    def targets(self, sample: Sample) -> dict[str, Any]:
        """Record annotations beyond boxes: full-text transcription and key-value parse."""
        return {
            "transcription": sample.spec.transcription(),
            "key_values": sample.spec.key_values(),
        }

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        from synth.qa_synth.page import page_questions

        return page_questions(sample.spec, rendered, rng=rng)
