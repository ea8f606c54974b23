"""Document domain: twelve kinds of page rendered by Chromium.

Invoices and receipts are a :class:`DocumentSpec` (issuer, customer, fields, line items, tax,
look); utility bills, nutrition labels, bank statements, forms, timetables, menus, resumes,
letters, posters and infographics are a :class:`~synth.generators._page.PageSpec` of blocks
(fields, tables, texts, lists, buttons, bars). Each is made for a persona (names, addresses,
dates and money in its locale) and comes with the self-contained HTML page that renders it.
Render facts are the boxes of every field, table cell and text node. Question programs:
``synth.qa_synth.document`` (invoices and receipts: field lookup, totals, line arithmetic,
total before tax...) and ``synth.qa_synth.page`` (every page: field and table lookup, column
totals, extremes, comparison, counting, multi-hop, yes/no, multiple choice, unanswerable,
pointing and boxes).

    synth generate --domain document --n 1000 --out data/documents
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from synth.generators._page import Field, PageSpec, emit_page
from synth.generators._page_domain import PageDomain
from synth.generators._page_sample import UNANSWERABLE_PCT, leave_a_field_off
from synth.generators.document._code import LANGUAGE, emit_html
from synth.generators.document._sample import ALL_KINDS, sample_document
from synth.generators.document._spec import KINDS, DocStyle, DocumentSpec, LineItem, Party
from synth.pack import Code, Sample
from synth.personas import Persona
from synth.record import QA, Rendered

__all__ = [
    "ALL_KINDS",
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

VERSION = "3"


@dataclasses.dataclass(frozen=True)
class DocumentGenerator:
    """Draws document samples; ``kind`` (one of :data:`ALL_KINDS`) and ``persona`` drawn
    when None."""

    kind: str | None = None
    persona: Persona | None = None
    #: percent of documents asked about a field they lack (see leave_a_field_off)
    unanswerable: int = UNANSWERABLE_PCT

    def sample(self, *, rng: np.random.Generator) -> Sample:
        draw = sample_document(rng, self.kind, self.persona)
        spec = leave_a_field_off(draw.spec, rng, self.unanswerable)
        return make_sample(spec, persona=draw.persona, topic=draw.topic)


def make_sample(
    spec: DocumentSpec | PageSpec,
    *,
    persona: dict[str, Any] | None = None,
    topic: str | None = None,
) -> Sample:
    return Sample(
        domain="document",
        family=spec.family,
        generator=f"document@{VERSION}",
        spec=spec,
        code=Code(LANGUAGE, emit_page(spec) if isinstance(spec, PageSpec) else emit_html(spec)),
        persona=persona if persona is not None else {},
        topic=topic if topic is not None else spec.title,
    )


class DocumentDomain(PageDomain):
    """The document domain pack (registered as ``document``)."""

    name = "document"
    version = VERSION

    def sample(self, *, rng: np.random.Generator) -> Sample:
        return DocumentGenerator(unanswerable=self.unanswerable).sample(rng=rng)

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        if isinstance(sample.spec, PageSpec):
            return super().questions(sample, rendered, rng=rng)
        from synth.qa_synth.document import document_questions

        return document_questions(sample.spec, rendered.elements, rng=rng)


DOMAIN = DocumentDomain()
