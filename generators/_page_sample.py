"""Sampling helpers the page domains share (documents, tables, screens): look and money."""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

import numpy as np

from synth.generators._common import pick
from synth.generators._page import Column, Fields, PageSpec, PageStyle
from synth.personas import LocalContent, Persona

#: Typefaces per persona register (each ships in a Debian font package setup.sh installs).
FONTS = {
    "corporate": ("Liberation Sans", "Open Sans", "Lato"),
    "scientific": ("Liberation Serif", "EB Garamond", "DejaVu Serif"),
    "editorial": ("Lato", "Open Sans", "Liberation Serif"),
    "playful": ("Comic Neue", "Lato"),
    "casual": ("DejaVu Sans", "Lato", "Open Sans", "Liberation Sans", "DejaVu Sans Mono"),
    "official": ("Liberation Serif", "Liberation Sans", "DejaVu Serif"),
}
ACCENTS = ("#1f4e79", "#2e7d32", "#8e24aa", "#c62828", "#00838f", "#ef6c00", "#37474f", "#283593")


def page_style(
    rng: np.random.Generator,
    persona: Persona,
    *,
    widths: tuple[int, ...] = (640, 720, 800),
    layouts: tuple[str, ...] = ("one",),
    theme: str = "paper",
    height: int = 0,
) -> PageStyle:
    """Typeface from the persona's register; accent, density, width and layout drawn."""
    return PageStyle(
        font_family=str(pick(rng, FONTS[persona.style])),
        font_px=int(pick(rng, (13, 14, 15))),
        accent=str(pick(rng, ACCENTS)),
        layout=str(pick(rng, layouts)),
        width_px=int(pick(rng, widths)),
        height_px=height,
        profile=persona.style,
        theme=theme,
        density=str(pick(rng, ("compact", "regular", "airy"))),
    )


def money_decimals(persona: Persona) -> int:
    """Whole units for currencies worth little per unit (yen, forint...), else cents."""
    return 0 if persona.country.per_usd >= 20 else 2


def money_column(name: str, persona: Persona, *, summable: bool = True) -> Column:
    return Column(
        name,
        numeric=True,
        prefix=persona.country.symbol,
        decimals=money_decimals(persona),
        summable=summable,
    )


def price(rng: np.random.Generator, lo: float, hi: float, persona: Persona) -> float:
    """A price drawn in USD ``[lo, hi]``, in the persona's currency, as a shop would write it."""
    d = money_decimals(persona)
    v = float(rng.uniform(lo, hi)) * persona.country.per_usd
    if d:
        return max(round(v, 1) - 0.01 if v > 2 else round(v, 2), 0.01)
    return float(max(round(v, -1 if v > 100 else 0), 1))


def choose_in_order(rng: np.random.Generator, items: list[Any], k: int) -> list[Any]:
    """``k`` distinct items (all when fewer), in the order they are listed."""
    idx = sorted(int(i) for i in rng.choice(len(items), size=min(k, len(items)), replace=False))
    return [items[i] for i in idx]


def address_lines(local: LocalContent) -> tuple[str, ...]:
    """A postal address in the persona's locale as at most three non-empty lines."""
    lines = (line.strip() for line in local.address().splitlines())
    return tuple(line for line in lines if line)[:3]


#: titles Faker writes before a name without a full stop
HONORIFICS = frozenset(
    {"Mr", "Mrs", "Ms", "Miss", "Dr", "Herr", "Frau", "Sr", "Sra", "Srta", "Jr", "II", "III", "IV"}
    | {"MD", "PhD", "DDS", "DVM"}
)


def email_for(name: str, domain: str) -> str:
    """``first.last@domain`` in ASCII (accents, titles and particles dropped)."""
    # honorifics and initials ("Sr(a).", "Dr.", "Prof.") are not part of an address
    name = " ".join(w for w in name.split() if not ("." in w or "(" in w or w in HONORIFICS))
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    parts = [p for p in "".join(ch if ch.isalpha() else " " for ch in ascii_name).split() if p]
    first_last = parts[:1] + parts[1:][-1:]  # "Maria da Silva" -> maria.silva
    return f"{'.'.join(first_last).lower() or 'user'}@{domain}"


def phone(rng: np.random.Generator) -> str:
    d = rng.integers(0, 10, size=10)
    return f"0{d[0] % 9 + 1}{d[1]} {''.join(map(str, d[2:6]))} {''.join(map(str, d[6:]))}"


#: percent of pages that lack one of the fields their kind shows and are asked about it, by
#: default (``--option DOMAIN.unanswerable=PCT``)
UNANSWERABLE_PCT = 20
#: fields never left off: what identifies a document, and readings its other figures follow
KEEP_FIELDS = frozenset(
    {"number", "date", "previous_reading", "current_reading", "opening_balance", "closing_balance"}
    | {"serving_size"}
)


def leave_a_field_off(spec: Any, rng: np.random.Generator, pct: int) -> Any:
    """``spec`` (a :class:`~synth.generators._page.PageSpec` or an invoice's or receipt's
    spec) with, for ``pct`` percent of specs, one of its labelled fields left off and its
    label in ``absent``: a question about it is unanswerable, and worded exactly as the
    questions about the fields pages of its kind do show, so the wording gives nothing
    away. Otherwise ``absent`` is empty. A field whose label or value the page states
    elsewhere is never left off."""
    hide = bool(rng.random() * 100 < pct)
    u = float(rng.random())
    if isinstance(spec, PageSpec):
        spots = [
            (bi, fi)
            for bi, b in enumerate(spec.blocks)
            if isinstance(b, Fields) and len(b.items) > 1
            for fi, f in enumerate(b.items)
            if f.label and f.key not in KEEP_FIELDS and not f.value.startswith("•")
        ]
    else:
        spots = [(-1, fi) for fi, f in enumerate(spec.fields) if f.key not in KEEP_FIELDS]
    if not hide or not spots:
        return dataclasses.replace(spec, absent=())
    bi, fi = spots[int(u * len(spots))]
    if isinstance(spec, PageSpec):
        block = spec.blocks[bi]
        assert isinstance(block, Fields)
        field = block.items[fi]
        kept = dataclasses.replace(block, items=block.items[:fi] + block.items[fi + 1 :])
        out = dataclasses.replace(
            spec, blocks=spec.blocks[:bi] + (kept,) + spec.blocks[bi + 1 :], absent=(field.label,)
        )
    else:
        field = spec.fields[fi]
        out = dataclasses.replace(
            spec, fields=spec.fields[:fi] + spec.fields[fi + 1 :], absent=(field.label,)
        )
    text = out.transcription().lower()
    if field.label.lower() in text or field.value.lower() in text:
        return dataclasses.replace(spec, absent=())  # stated elsewhere: not unanswerable
    return out
