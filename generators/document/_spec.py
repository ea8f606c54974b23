"""Document specs: typed, frozen, JSON-serialisable. The single source of truth for a page."""

from __future__ import annotations

import dataclasses
from typing import Any

from synth._errors import SpecError
from synth.generators._common import plain
from synth.generators._page import Field

KINDS = ("invoice", "receipt")


@dataclasses.dataclass(frozen=True)
class Party:
    name: str
    address: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class LineItem:
    description: str
    quantity: int
    unit_price: float

    def amount(self, decimals: int) -> float:
        return round(self.quantity * self.unit_price, decimals)


@dataclasses.dataclass(frozen=True)
class DocStyle:
    font_family: str
    font_px: int
    accent: str  # hex colour of headings and rules
    layout: str  # classic | band | minimal
    width_px: int
    height_px: int
    profile: str  # the persona's visual register


@dataclasses.dataclass(frozen=True)
class DocumentSpec:
    """One invoice or receipt. Money values are in ``currency`` with ``decimals`` places;
    subtotal, tax and total are derived (never stored), so they always add up."""

    kind: str
    title: str
    topic_id: str
    issuer: Party
    recipient: Party | None
    fields: tuple[Field, ...]
    items: tuple[LineItem, ...]
    currency: str
    symbol: str
    decimals: int
    tax_label: str
    tax_rate: float  # percent
    footer: str
    style: DocStyle
    #: labels of fields this document lacks that others of its kind show (unanswerable)
    absent: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SpecError(f"document kind {self.kind!r} is not one of {KINDS}")
        if not self.items:
            raise SpecError(f"{self.kind} {self.title!r} has no line items")
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise SpecError(f"{self.kind} fields repeat a key: {keys}")
        if any(i.quantity <= 0 or i.unit_price <= 0 for i in self.items):
            raise SpecError("line items need a positive quantity and price")

    @property
    def family(self) -> str:
        return self.kind

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)

    def amounts(self) -> tuple[float, ...]:
        return tuple(i.amount(self.decimals) for i in self.items)

    def subtotal(self) -> float:
        return round(sum(self.amounts()), self.decimals)

    def tax(self) -> float:
        return round(self.subtotal() * self.tax_rate / 100, self.decimals)

    def total(self) -> float:
        return round(self.subtotal() + self.tax(), self.decimals)

    def money(self, value: float) -> str:
        """How the page prints an amount, e.g. "€1,234.50"."""
        return f"{self.symbol}{value:,.{self.decimals}f}"

    def transcription(self) -> str:
        """Every text on the page in reading order, one line per visual line (the OCR target)."""
        lines = [self.title, self.issuer.name, *self.issuer.address]
        lines += [f"{f.label} {f.value}" for f in self.fields]
        if self.recipient is not None:
            lines += ["Bill to", self.recipient.name, *self.recipient.address]
        lines.append("Description Qty Unit price Amount")
        d = self.decimals
        lines += [
            f"{i.description} {i.quantity} {self.money(i.unit_price)} {self.money(i.amount(d))}"
            for i in self.items
        ]
        total = "Total due" if self.kind == "invoice" else "Total"
        lines += [
            f"Subtotal {self.money(self.subtotal())}",
            f"{self.tax_label} ({self.tax_rate:g}%) {self.money(self.tax())}",
            f"{total} {self.money(self.total())}",
            self.footer,
        ]
        return "\n".join(lines)

    def key_values(self) -> dict[str, Any]:
        """The parse of the page (the document-understanding target): fields, parties, items
        and totals as numbers in ``currency``."""
        return {
            "kind": self.kind,
            "issuer": {"name": self.issuer.name, "address": list(self.issuer.address)},
            "recipient": None
            if self.recipient is None
            else {"name": self.recipient.name, "address": list(self.recipient.address)},
            **{f.key: f.value for f in self.fields},
            "currency": self.currency,
            "items": [
                {
                    "description": i.description,
                    "quantity": i.quantity,
                    "unit_price": i.unit_price,
                    "amount": i.amount(self.decimals),
                }
                for i in self.items
            ],
            "subtotal": self.subtotal(),
            "tax_rate": self.tax_rate,
            "tax": self.tax(),
            "total": self.total(),
        }

    def to_json(self) -> dict[str, Any]:
        return plain(dataclasses.asdict(self))  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocumentSpec:
        d = dict(data)
        d["issuer"] = Party(d["issuer"]["name"], tuple(d["issuer"]["address"]))
        r = d["recipient"]
        d["recipient"] = Party(r["name"], tuple(r["address"])) if r else None
        d["fields"] = tuple(Field(**f) for f in d["fields"])
        d["items"] = tuple(LineItem(**i) for i in d["items"])
        d["style"] = DocStyle(**d["style"])
        d["absent"] = tuple(d.get("absent", ()))
        return cls(**d)
