"""Screen domain: app and web screens (login, settings, dashboard, shopping cart, email inbox,
chat) rendered by Chromium at phone, tablet and desktop sizes, in light and dark themes.

A sample is a :class:`~synth.generators._page.PageSpec`: the app bar, form inputs, checkboxes,
switches, buttons, tables, message lists and bar graphics are blocks, so every control has a
box and a state. Questions are the page programs: pointing at buttons ("point to the Sign in
button"), switch and checkbox states, form values, cart arithmetic, counting messages...

    synth generate --domain screen --n 1000 --out data/screens
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

import numpy as np

from synth._errors import SpecError
from synth.generators._common import pick
from synth.generators._page import (
    Bars,
    Buttons,
    Column,
    Field,
    Fields,
    Items,
    PageSpec,
    Table,
    Text,
)
from synth.generators._page_domain import PageDomain, page_sample
from synth.generators._page_sample import (
    UNANSWERABLE_PCT,
    choose_in_order,
    email_for,
    leave_a_field_off,
    money_column,
    page_style,
    price,
)
from synth.pack import Sample
from synth.personas import LocalContent, Persona, load_vocabulary, sample_persona

__all__ = ["DOMAIN", "KINDS", "ScreenDomain", "ScreenGenerator", "sample_screen"]

VERSION = "2"
#: phone, tablet and desktop viewports (width, height)
SIZES = ((390, 760), (768, 960), (1024, 700), (1280, 800))


@dataclasses.dataclass(frozen=True)
class Ctx:
    rng: np.random.Generator
    persona: Persona
    local: LocalContent
    app: str

    def content(self) -> dict[str, Any]:
        screens: dict[str, Any] = load_vocabulary("page_content")["screens"]
        return screens


def _clock(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` increasing times of day."""
    start = int(rng.integers(7 * 60, 18 * 60))
    steps = np.cumsum(rng.integers(1, 25, size=n)) - 1
    return [f"{(start + int(s)) // 60 % 24:02d}:{(start + int(s)) % 60:02d}" for s in steps]


def login(c: Ctx) -> tuple[str, tuple[Any, ...]]:
    name = c.local.name("name", max_len=30)
    form = Fields(
        "form",
        "",
        (
            Field("email", "Email", email_for(name, "example.com")),
            Field("password", "Password", "•" * int(c.rng.integers(8, 14))),
        ),
        display="form",
    )
    remember = Items("remember", "", ("Remember me",), "checks", (bool(c.rng.random() < 0.5),))
    buttons = Buttons("actions", ("Sign in", str(pick(c.rng, ("Create account", "Use a passkey")))))
    note = Text("help", "", ("Forgot your password?",), "note")
    return "Sign in", (form, remember, buttons, note)


def settings(c: Ctx) -> tuple[str, tuple[Any, ...]]:
    rng = c.rng
    toggles = choose_in_order(rng, list(c.content()["toggles"]), int(rng.integers(4, 8)))
    states = tuple(bool(x) for x in rng.random(len(toggles)) < 0.5)
    fields = Fields(
        "account",
        "Account",
        tuple(
            Field(k, label, str(pick(rng, options)))
            for k, label, options in c.content()["settings_fields"]
        ),
    )
    return (
        "Settings",
        (
            Items("toggles", "Preferences", tuple(toggles), "toggles", states, noun="setting"),
            fields,
            Buttons("actions", ("Save changes", "Cancel")),
        ),
    )


def dashboard(c: Ctx) -> tuple[str, tuple[Any, ...]]:
    from synth.generators.chart._sample import sample_chart

    rng = c.rng
    chart = sample_chart(rng, "bar", "grouped", c.persona, "matplotlib").spec
    unit, d = chart.unit, chart.decimals
    col = Column(
        chart.y_label.split(" (")[0], numeric=True, decimals=d, suffix=f" {unit}" if unit else ""
    )
    first = chart.series[0]
    total = round(sum(first.values), d)
    stats = Fields(
        "kpis",
        "",
        (
            Field("kpi_total", f"Total ({first.name})", col.show(total)),
            Field("kpi_count", str(chart.x_label) + " count", str(len(chart.categories))),
        ),
        display="stat",
    )
    bars = Bars(
        "bars", f"{chart.title} ({first.name})", tuple(chart.categories), tuple(first.values), col
    )
    table = Table(
        "detail",
        "Details",
        (Column(chart.x_label), *(dataclasses.replace(col, name=s.name) for s in chart.series)),
        tuple(
            (cat, *(s.values[j] for s in chart.series)) for j, cat in enumerate(chart.categories)
        ),
        noun=chart.x_label.lower(),
    )
    nav = Items(
        "nav",
        "",
        tuple(pick(rng, c.content()["nav"])),
        "nav",
        (True, False, False, False),
        noun="link",
    )
    return "Overview", (nav, stats, bars, table)


def cart(c: Ctx) -> tuple[str, tuple[Any, ...]]:
    rng, p = c.rng, c.persona
    catalogs = load_vocabulary("document_items")["catalogs"]
    pool = [it for cat in catalogs for it in cat["items"]]
    own = [it for cat in catalogs if p.field in cat["fields"] for it in cat["items"]]
    chosen = choose_in_order(rng, own or pool, int(rng.integers(2, 6)))
    d = money_column("", p).decimals
    rows = []
    for desc, lo, hi in chosen:
        qty = int(rng.integers(1, 4))
        each = price(rng, lo, hi, p)
        rows.append((str(desc), qty, each, round(qty * each, d)))
    table = Table(
        "items",
        "",
        (
            Column("Product"),
            Column("Qty", numeric=True),
            money_column("Price", p, summable=False),
            money_column("Subtotal", p),
        ),
        tuple(rows),
        noun="product",
        totals=True,
        total_label="Total",
    )
    day = datetime.date(2025, 1, 1) + datetime.timedelta(days=int(rng.integers(0, 360)))
    delivery = Fields(
        "delivery",
        "Delivery",
        (
            Field(
                "delivery_option",
                "Option",
                str(pick(rng, ("Standard", "Express", "Click and collect"))),
            ),
            Field("arrival", "Estimated arrival", day.strftime(p.country.date_format)),
        ),
    )
    buttons = Buttons("actions", ("Checkout", "Continue shopping"))
    return "Your cart", (table, delivery, buttons)


def inbox(c: Ctx) -> tuple[str, tuple[Any, ...]]:
    rng = c.rng
    n = int(rng.integers(4, 9))
    subjects = choose_in_order(rng, list(c.content()["subjects"]), n)
    senders = c.local.names("name", n, max_len=24)
    times = _clock(rng, n)[::-1]  # newest first
    table = Table(
        "mail",
        "",
        (Column("From"), Column("Subject"), Column("Received")),
        tuple(zip(senders, subjects, times, strict=True)),
        noun="email",
        label_columns=(1,),
        display="inbox",
    )
    folders = tuple(c.content()["mail_folders"])
    nav = Items("folders", "", folders, "nav", tuple(f == "Inbox" for f in folders), noun="folder")
    return (
        "Inbox",
        (nav, table, Buttons("actions", ("Compose",))),
    )


def chat(c: Ctx) -> tuple[str, tuple[Any, ...]]:
    rng = c.rng
    lines = list(pick(rng, c.content()["chat"]))
    # a conversation shown from its start up to some message: how many there are is read
    # off the screen, not known from the kind
    lines = lines[: int(rng.integers(3, len(lines) + 1))]
    other = c.local.name("first_name", max_len=16)
    you_first = bool(rng.random() < 0.5)
    who = [("You" if (i % 2 == 0) == you_first else other) for i in range(len(lines))]
    table = Table(
        "messages",
        "",
        (Column("From"), Column("Message"), Column("Time")),
        tuple(zip(who, lines, _clock(rng, len(lines)), strict=True)),
        noun="message",
        label_columns=(1,),
        display="chat",
    )
    return other, (table, Buttons("actions", ("Send",)))


BUILDERS: dict[str, Callable[[Ctx], tuple[str, tuple[Any, ...]]]] = {
    "login": login,
    "settings": settings,
    "dashboard": dashboard,
    "cart": cart,
    "inbox": inbox,
    "chat": chat,
}
KINDS = tuple(BUILDERS)


def sample_screen(
    rng: np.random.Generator, kind: str | None = None, persona: Persona | None = None
) -> tuple[PageSpec, dict[str, Any]]:
    kind = kind or str(pick(rng, KINDS))
    if kind not in BUILDERS:
        raise SpecError(f"screen kind {kind!r} is not one of {KINDS}")
    persona = persona or sample_persona(rng)
    local = LocalContent(persona.country, rng=rng)
    city = local.name("city")
    org = local.organisation(persona, city)
    app = f"{local.name('last_name', max_len=12)} {pick(rng, load_vocabulary('page_content')['screens']['app_suffixes'])}"
    title, blocks = BUILDERS[kind](Ctx(rng, persona, local, app))
    width, height = SIZES[int(rng.integers(len(SIZES)))]
    style = page_style(
        rng, persona, theme=str(pick(rng, ("screen", "screen", "dark"))), height=height
    )
    spec = PageSpec(
        kind=kind,
        title=title,
        topic_id=f"screen_{kind}",
        header=app,
        blocks=blocks,
        style=dataclasses.replace(style, width_px=width),
        noun="screen",
    )
    details = {"city": city, "organisation": org, "name": local.name("name", max_len=40)}
    return spec, {**persona.to_json(), **details}


@dataclasses.dataclass(frozen=True)
class ScreenGenerator:
    """Draws screen samples; ``kind`` (one of :data:`KINDS`) and ``persona`` drawn when None."""

    kind: str | None = None
    persona: Persona | None = None
    #: percent of screens asked about a field they lack (see leave_a_field_off)
    unanswerable: int = UNANSWERABLE_PCT

    def sample(self, *, rng: np.random.Generator) -> Sample:
        spec, persona = sample_screen(rng, self.kind, self.persona)
        spec = leave_a_field_off(spec, rng, self.unanswerable)
        return page_sample("screen", VERSION, spec, persona, topic=f"{spec.header}: {spec.title}")


class ScreenDomain(PageDomain):
    """The screen domain pack (registered as ``screen``)."""

    name = "screen"
    version = VERSION

    def sample(self, *, rng: np.random.Generator) -> Sample:
        return ScreenGenerator(unanswerable=self.unanswerable).sample(rng=rng)


DOMAIN = ScreenDomain()
