"""Document domain: invoices and receipts as HTML pages rendered by Chromium.

Each sample is a :class:`DocumentSpec` (issuer, customer, fields, line items, tax, look) made
for a persona (its organisation issues it; names, addresses, dates and money in its locale)
plus the self-contained HTML page that renders it. Render facts are the boxes of every field,
table cell and text node. Question programs (``synth.qa_synth.document``): field lookup,
issuer, total, line amount and quantity, difference of two lines, total before tax
(multi-hop), counting lines, most expensive line, yes/no, multiple choice, unanswerable
("not stated") and pointing.

    synth generate --domain document --n 1000 --out data/documents
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from synth.generators.base import Code, Rendered, Sample
from synth.generators.document._code import LANGUAGE, emit_html
from synth.generators.document._sample import sample_document
from synth.generators.document._spec import KINDS, DocStyle, DocumentSpec, Field, LineItem, Party
from synth.personas import Persona
from synth.record import QA

__all__ = [
    "DOMAIN",
    "KINDS",
    "DocStyle",
    "DocumentDomain",
    "DocumentGenerator",
    "DocumentSpec",
    "Field",
    "LineItem",
    "Party",
]

VERSION = "1"


@dataclasses.dataclass(frozen=True)
class DocumentGenerator:
    """Draws document samples; ``kind`` (invoice, receipt) and ``persona`` drawn when None."""

    kind: str | None = None
    persona: Persona | None = None

    def sample(self, *, rng: np.random.Generator) -> Sample:
        draw = sample_document(rng, self.kind, self.persona)
        return make_sample(draw.spec, persona=draw.persona, topic=draw.topic)


def make_sample(
    spec: DocumentSpec, *, persona: dict[str, Any] | None = None, topic: str | None = None
) -> Sample:
    return Sample(
        domain="document",
        family=spec.family,
        generator=f"document@{VERSION}",
        spec=spec,
        code=Code(LANGUAGE, emit_html(spec)),
        persona=persona if persona is not None else {},
        topic=topic if topic is not None else spec.title,
    )


class DocumentDomain:
    """The document domain pack (registered as ``document``)."""

    name = "document"
    version = VERSION
    install_hint = (
        "apt-get install chromium && pip install playwright jinja2 (bash scripts/setup.sh)"
    )
    #: Chromium reserves far more address space than it uses: an RLIMIT_AS would kill it.
    limit_address_space = False

    def warm_up(self) -> None:
        from synth.personas import warm_up as personas_warm_up
        from synth.renderers.html import warm_up

        personas_warm_up()
        warm_up()

    def helper_dirs(self) -> tuple[str, ...]:
        from synth.renderers.html import helper_dirs

        return helper_dirs()

    def sample(self, *, rng: np.random.Generator) -> Sample:
        return DocumentGenerator().sample(rng=rng)

    def render(self, sample: Sample) -> Rendered:
        from synth.renderers.html import render_html

        st = sample.spec.style
        return render_html(sample.code.source, st.width_px, st.height_px)

    def targets(self, sample: Sample) -> dict[str, Any]:
        """Record annotations beyond boxes: full-text transcription and key-value parse."""
        return {
            "transcription": sample.spec.transcription(),
            "key_values": sample.spec.key_values(),
        }

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        from synth.qa_synth.document import document_questions

        return document_questions(sample.spec, rendered.elements, rng=rng)

    def spec_from_json(self, data: dict[str, Any]) -> DocumentSpec:
        return DocumentSpec.from_json(data)


DOMAIN = DocumentDomain()
