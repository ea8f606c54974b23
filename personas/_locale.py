"""Names, places, organisations and money in a persona's locale (Faker), seeded per sample."""

from __future__ import annotations

import datetime
import string
from functools import cache
from typing import Any

import numpy as np

from synth._errors import SpecError
from synth.personas._persona import Country, Persona, tables

#: Faker methods a vocabulary may name with ``{faker: KIND}``.
KINDS = {
    "name": "name",
    "first_name": "first_name",
    "last_name": "last_name",
    "city": "city",
    "street": "street_name",
    "company": "company",
}
_SCALES = ("", "thousand ", "million ", "billion ")


@cache
def _faker(locale: str) -> Any:
    """A Faker for ``locale`` whose draws do not depend on the interpreter's hash seed."""
    from faker import Faker

    fake = Faker(locale)
    for provider in fake.providers:
        _canonical_order(provider)
    return fake


def _canonical_order(provider: Any) -> None:
    """Sort the provider's pools of words. Some locales build a pool from a set (it_IT cities),
    so its order, and with it what a seed draws, changes with PYTHONHASHSEED; a uniform draw
    from a sorted pool has the same distribution and is reproducible."""
    module = type(provider).__module__
    if not module.startswith(
        ("faker.providers.person", "faker.providers.address", "faker.providers.company")
    ):
        return
    for name in dir(type(provider)):
        value = getattr(type(provider), name, None)
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
            setattr(provider, name, type(value)(sorted(value)))


def warm_up() -> None:
    """Build every country's Faker now, not in the middle of a timed sample. Faker lists each
    provider package's locale modules from disk again for every locale; that listing is
    cached while they are built (~25 -> ~13 ms per locale, the same Fakers)."""
    from faker import factory

    listing = getattr(factory, "list_module")  # noqa: B009 - not in faker's public names
    setattr(factory, "list_module", cache(listing))  # noqa: B010
    try:
        for country in tables().countries:
            _faker(country.locale)
    finally:
        setattr(factory, "list_module", listing)  # noqa: B010


class LocalContent:
    """Locale-true content for one sample: every method draws from Faker's data for the
    persona's locale, reseeded from ``rng`` so the same rng gives the same names."""

    def __init__(self, country: Country, *, rng: np.random.Generator) -> None:
        self.country = country
        self._seed = int(rng.integers(2**62))
        self._calls = 0

    def _fake(self) -> Any:
        fake = _faker(self.country.locale)
        fake.seed_instance(self._seed + self._calls)  # one stream per call: order-independent
        self._calls += 1
        return fake

    def names(
        self, kind: str, k: int, *, max_len: int = 22, prefix: str = "", suffix: str = ""
    ) -> tuple[str, ...]:
        """``k`` distinct values of ``kind`` (see :data:`KINDS`), each at most ``max_len``
        characters with ``prefix``/``suffix``, in the order drawn."""
        if kind not in KINDS:
            raise SpecError(f"unknown name kind {kind!r}; choose one of {sorted(KINDS)}")
        fake = self._fake()
        method = getattr(fake, KINDS[kind])
        towns = tables().cities.get(self.country.locale) if kind == "city" else None
        if towns:

            def method() -> str:  # a real town: Faker's own are made up from first names
                return str(fake.random_element(towns))

        out: list[str] = []
        for _ in range(40 * k):
            value = f"{prefix}{method()}{suffix}".strip()
            if len(value) <= max_len and value not in out:
                out.append(value)
                if len(out) == k:
                    return tuple(out)
        raise SpecError(
            f"Faker locale {self.country.locale} gave fewer than {k} distinct {kind} values "
            f"of at most {max_len} characters"
        )

    def name(self, kind: str, *, max_len: int = 22) -> str:
        return self.names(kind, 1, max_len=max_len)[0]

    def address(self) -> str:
        """A postal address in the locale's format (lines joined by newlines)."""
        return str(self._fake().address())

    def date(self, start: datetime.date, end: datetime.date) -> tuple[datetime.date, str]:
        """A day in ``[start, end]`` and how the persona's country writes it."""
        fake = self._fake()
        day = fake.date_between_dates(date_start=start, date_end=end)
        return day, day.strftime(self.country.date_format)

    def money_text(self, amount: float, decimals: int = 2) -> str:
        """``amount`` with the country's currency symbol, e.g. "€1,234.50" (grouping and
        decimal point stay English: the rest of synth's text is English)."""
        return f"{self.country.symbol}{amount:,.{decimals}f}"

    def organisation(self, persona: Persona, city: str, vocab: dict[str, Any] | None = None) -> str:
        """The persona's organisation, from its type's name template in ``vocab`` (default:
        synth's persona vocabulary) over ``{city}``, ``{last_name}``, ``{first_name}``,
        ``{company}``; a type without a template is named like a company."""
        org = tables(vocab).org_types.get(persona.org_type, {})
        return self.named(str(org.get("name", "{company}")), city)

    def named(self, template: str, city: str) -> str:
        """A name from ``template`` over ``{city}`` (given), ``{last_name}``, ``{first_name}``
        and ``{company}`` (drawn): "{last_name} Building Supplies"."""
        # in template order: iterating a set of strings would follow PYTHONHASHSEED
        fields = list(dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(template) if f))
        values = {f: city if f == "city" else self.name(f, max_len=24) for f in fields}
        return template.format(**values)

    def money(
        self, lo: float, hi: float, unit: str, decimals: int
    ) -> tuple[float, float, str, int]:
        """A USD range and a unit template holding ``{currency}`` (optionally after "thousand"
        or "million") in this country's currency: ``(lo, hi, unit, decimals)``. Large numbers
        move up a scale word so tick labels stay short."""
        level = next((i for i, w in enumerate(_SCALES) if w and unit.startswith(w)), 0)
        rest = unit[len(_SCALES[level]) :]
        lo, hi = lo * self.country.per_usd, hi * self.country.per_usd
        while hi >= 100_000 and level < len(_SCALES) - 1 and "per" not in rest:
            lo, hi, level = lo / 1000, hi / 1000, level + 1
        if hi >= 100:
            decimals = 0
        elif hi >= 20:
            decimals = min(decimals, 1)
        text = _SCALES[level] + rest.format(currency=self.country.currency)
        return lo, hi, text, decimals
