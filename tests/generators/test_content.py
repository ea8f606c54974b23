"""Content reads as real (issue 19): no job titles made of non-jobs ("Assistant homeowner"),
no towns made of first names ("Kirstie Ville", "JeannineBourg"), no honorifics in email
addresses ("sr.a.maria@"), no invoice from an organisation that does not sell its items (a
"Ministry of the Interior" invoice for timber)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from synth.generators._page_sample import email_for
from synth.generators.document._kinds import NOT_JOBS
from synth.generators.document._sample import _catalog, sample_document
from synth.personas import LocalContent, sample_persona
from synth.personas._persona import tables
from synth.qa_synth.grammar import problems


def _persona_with(occupation: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    while True:
        p = sample_persona(rng)
        if p.occupation == occupation:
            return p


@pytest.mark.parametrize("occupation", sorted(NOT_JOBS & {"homeowner", "student", "retiree"}))
def test_a_resume_of_someone_without_a_job_title_lists_real_jobs(occupation: str) -> None:
    persona = _persona_with(occupation)
    for seed in range(5):
        spec = sample_document(np.random.default_rng(seed), "resume", persona=persona).spec
        roles = [row[1] for b in spec.blocks if b.key == "experience" for row in b.rows]
        assert roles, "a résumé lists jobs"
        text = " ".join([spec.subtitle, *roles]).lower()
        assert occupation not in text, (spec.subtitle, roles)


def test_towns_are_never_made_of_first_names() -> None:
    for country in tables().countries:
        towns = LocalContent(country, rng=np.random.default_rng(3)).names("city", 6)
        for town in towns:
            assert not town.endswith(" Ville") and not problems(town), (country.locale, town)
            assert not town.startswith(("North ", "South ", "East ", "West ", "New ", "Port ")) or (
                country.locale not in tables().cities
            ), (country.locale, town)


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("Sr(a). Maria da Silva", "maria.silva@x.org"),
        ("Dr. Hans Müller", "hans.muller@x.org"),
        ("Mrs Jane Doe", "jane.doe@x.org"),
        ("John Smith Jr.", "john.smith@x.org"),
    ],
)
def test_email_addresses_leave_titles_and_particles_out(name: str, email: str) -> None:
    assert email_for(name, "x.org") == email


def test_an_invoice_comes_from_whoever_sells_its_items() -> None:
    """The persona's organisation issues it only when its type sells the catalog's items;
    otherwise a supplier bills that organisation."""
    own = other = 0
    for seed in range(120):
        draw = sample_document(np.random.default_rng(seed), "invoice")
        org_type = draw.persona["org_type"]
        catalog = _catalog(SimpleNamespace(field=draw.persona["field"]))  # type: ignore[arg-type]
        items = {str(i[0]) for i in catalog["items"]}
        assert {it.description for it in draw.spec.items} <= items
        if org_type in catalog["sellers"]:
            own += 1
        else:
            other += 1
            assert draw.spec.issuer.name != "Ministry of the Interior"
            assert draw.spec.recipient is not None
    assert own and other, "both cases are drawn"
