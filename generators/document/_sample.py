"""Sampling invoices and receipts from a persona: issuer, customer, items, money and look."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import numpy as np

from synth._errors import SpecError
from synth.generators._common import pick
from synth.generators._page import Field, PageSpec
from synth.generators._page_sample import ACCENTS, FONTS, address_lines
from synth.generators.document._spec import KINDS, DocStyle, DocumentSpec, LineItem, Party
from synth.personas import LocalContent, Persona, load_vocabulary, sample_persona

LAYOUTS = ("classic", "band", "minimal")
TAX_LABELS = {"EUR": "VAT", "GBP": "VAT", "USD": "Sales tax", "CAD": "GST", "AUD": "GST"}


#: Every document kind: invoices and receipts (DocumentSpec), then the page kinds (PageSpec).
ALL_KINDS = (
    *KINDS,
    "utility_bill",
    "nutrition_label",
    "bank_statement",
    "form",
    "timetable",
    "menu",
    "resume",
    "letter",
    "poster",
    "infographic",
)


@dataclasses.dataclass(frozen=True)
class DocumentDraw:
    spec: DocumentSpec | PageSpec
    persona: dict[str, Any]
    topic: str


def _catalog(persona: Persona) -> dict[str, Any]:
    """What the persona's field buys: items, the organisation types that sell them, and how
    a supplier of them is named."""
    catalogs = load_vocabulary("document_items")["catalogs"]
    own = [c for c in catalogs if persona.field in c["fields"]]
    chosen: dict[str, Any] = own[0] if own else next(c for c in catalogs if "any" in c["fields"])
    return chosen


def _party(local: LocalContent, name: str) -> Party:
    return Party(name=name, address=address_lines(local))


def sample_document(
    rng: np.random.Generator, kind: str | None = None, persona: Persona | None = None
) -> DocumentDraw:
    """One document of ``kind`` (any of :data:`ALL_KINDS`; drawn when None) made by or for
    the persona's organisation."""
    from synth.generators.document._kinds import BUILDERS, Ctx

    kind = kind or str(pick(rng, ALL_KINDS))
    if kind not in ALL_KINDS:
        raise SpecError(f"document kind {kind!r} is not one of {ALL_KINDS}")
    persona = persona or sample_persona(rng)
    local = LocalContent(persona.country, rng=rng)
    city = local.name("city")
    if kind in BUILDERS:
        org = local.organisation(persona, city)
        page = BUILDERS[kind](Ctx(rng, persona, local, city, org))
        details = {"city": city, "organisation": org, "name": local.name("name", max_len=40)}
        return DocumentDraw(spec=page, persona={**persona.to_json(), **details}, topic=page.title)
    # who sells what: the persona's organisation issues the document when it sells the
    # catalog's items (a bakery, bread); else a supplier does, and bills the organisation
    # (no "Ministry of the Interior" invoice for timber)
    chosen, org = _catalog(persona), local.organisation(persona, city)
    sells = persona.org_type in chosen.get("sellers", ())
    issuer = _party(local, org if sells else local.named(str(chosen["supplier"]), city))
    catalog = list(chosen["items"])
    n_items = int(rng.integers(2, min(7, len(catalog)) + 1))
    idx = rng.choice(len(catalog), size=n_items, replace=False)
    rate = persona.country.per_usd
    decimals = 0 if rate >= 20 else 2
    items = []
    for i in idx:
        desc, lo, hi = catalog[int(i)]
        price = float(rng.uniform(float(lo), float(hi))) * rate
        price = (
            round(price, decimals) if decimals else float(round(price, -1 if price > 100 else 0))
        )
        qty = int(rng.integers(1, 6)) if hi < 100 else int(rng.integers(1, 3))
        items.append(LineItem(str(desc), qty, max(price, 10.0**-decimals)))
    items = _distinct_amounts(items, decimals)
    day, day_text = local.date(datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))
    fields: list[Field] = []
    if kind == "invoice":
        number = f"INV-{day.year}-{int(rng.integers(100, 9999)):04d}"
        due = day + datetime.timedelta(days=int(pick(rng, (14, 30, 45))))
        fields += [
            Field("number", "Invoice no.", number),
            Field("date", "Invoice date", day_text),
            Field("due_date", "Due date", due.strftime(persona.country.date_format)),
        ]
        if rng.random() < 0.6:
            fields.append(
                Field("customer_id", "Customer ID", f"C{int(rng.integers(10000, 99999))}")
            )
        customer = local.name("name", max_len=30) if sells else org
        recipient: Party | None = _party(local, customer)
        footer = f"Please pay within {(due - day).days} days. Thank you for your business."
        title = "Invoice"
    else:
        number = f"{int(rng.integers(1000, 99999)):05d}"
        fields += [
            Field("number", "Receipt no.", number),
            Field("date", "Date", day_text),
            Field("time", "Time", f"{int(rng.integers(7, 21)):02d}:{int(rng.integers(0, 60)):02d}"),
        ]
        if rng.random() < 0.5:
            fields.append(Field("cashier", "Served by", local.name("first_name")))
        recipient = None
        footer = "Thank you for your visit!"
        title = str(pick(rng, ("Receipt", "Sales receipt")))
    tax_rate = float(pick(rng, (5.0, 7.0, 10.0, 12.0, 19.0, 20.0, 21.0)))
    style = DocStyle(
        font_family=str(pick(rng, FONTS[persona.style])),
        font_px=int(pick(rng, (13, 14, 15))),
        accent=str(pick(rng, ACCENTS)),
        layout=str(pick(rng, LAYOUTS)),
        width_px=int(pick(rng, (640, 720, 800))),
        height_px=0,  # set below from the content
        profile=persona.style,
    )
    rows = len(items) + len(fields) + (len(recipient.address) + 1 if recipient else 0)
    height = 300 + rows * (style.font_px * 2 + 4) + len(issuer.address) * style.font_px * 2
    style = dataclasses.replace(style, height_px=int(height))
    spec = DocumentSpec(
        kind=kind,
        title=title,
        topic_id=f"{kind}_{persona.field}",
        issuer=issuer,
        recipient=recipient,
        fields=tuple(fields),
        items=tuple(items),
        currency=persona.country.currency,
        symbol=persona.country.symbol,
        decimals=decimals,
        tax_label=TAX_LABELS.get(persona.country.currency, "Tax"),
        tax_rate=tax_rate,
        footer=footer,
        style=style,
    )
    details = {"city": city, "organisation": issuer.name, "name": local.name("name", max_len=40)}
    topic = f"{title} from {issuer.name}"
    return DocumentDraw(spec=spec, persona={**persona.to_json(), **details}, topic=topic)


def _distinct_amounts(items: list[LineItem], decimals: int) -> list[LineItem]:
    """Reverse synthesis: line amounts all differ, so "the most expensive line" has one
    answer (bump a tied price by one unit of the last decimal)."""
    out: list[LineItem] = []
    seen: set[float] = set()
    step = 10.0**-decimals
    for item in items:
        while item.amount(decimals) in seen:
            item = dataclasses.replace(item, unit_price=round(item.unit_price + step, decimals))
        seen.add(item.amount(decimals))
        out.append(item)
    return out
