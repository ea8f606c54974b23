"""The page kinds of the document domain beyond invoices and receipts.

Each builder makes one :class:`~synth.generators._page.PageSpec` for a persona: utility bill,
nutrition label, bank statement, form, timetable, menu, resume, letter, poster and
infographic. Content comes from ``personas/page_content.yaml`` and the persona's locale;
derived numbers (usage, per-serving values, running balances) are computed here, once.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

import numpy as np

from synth.generators._common import pick
from synth.generators._page import (
    Bars,
    Block,
    Buttons,
    Column,
    Field,
    Fields,
    Items,
    PageSpec,
    Table,
    Text,
)
from synth.generators._page_sample import (
    address_lines,
    choose_in_order,
    email_for,
    money_column,
    money_decimals,
    page_style,
    phone,
    price,
)
from synth.personas import LocalContent, Persona, load_vocabulary

START, END = datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)


@dataclasses.dataclass(frozen=True)
class Ctx:
    rng: np.random.Generator
    persona: Persona
    local: LocalContent
    city: str
    org: str

    def content(self) -> dict[str, Any]:
        return load_vocabulary("page_content")

    def date(self, start: datetime.date = START, end: datetime.date = END) -> datetime.date:
        return self.local.date(start, end)[0]

    def fmt(self, day: datetime.date) -> str:
        return day.strftime(self.persona.country.date_format)

    def address(self) -> tuple[str, ...]:
        return address_lines(self.local)


def utility_bill(c: Ctx) -> PageSpec:
    rng, p = c.rng, c.persona
    name, unit, r_lo, r_hi, u_lo, u_hi, s_lo, s_hi = pick(rng, c.content()["utilities"])
    provider = f"{c.city} {pick(rng, ('Energy', 'Utilities', 'Power & Water', 'Supply Co.'))}"
    start = c.date(START, datetime.date(2025, 10, 31))
    days = int(pick(rng, (30, 31, 61, 91)))
    end = start + datetime.timedelta(days=days - 1)
    previous = int(rng.integers(1000, 90000))
    used = int(rng.integers(u_lo, u_hi) * (days / 30))
    d = money_decimals(p)
    rate = round(float(rng.uniform(r_lo, r_hi)) * p.country.per_usd, 4 if d else 2)
    standing = round(float(rng.uniform(s_lo, s_hi)) * p.country.per_usd, 4 if d else 2)
    # charges some bills carry: how many rows a bill has is read off it, not known
    extras = []
    if rng.random() < 0.5:
        months = max(1, round(days / 30))
        fee = round(float(rng.uniform(0.8, 2.5)) * p.country.per_usd, 4 if d else 2)
        extras.append(("Meter rental (months)", months, fee, round(months * fee, d)))
    if rng.random() < 0.4:
        fee = round(float(rng.uniform(1.0, 3.0)) * p.country.per_usd, 4 if d else 2)
        extras.append(("Paper bill fee (bills)", 1, fee, round(fee, d)))
    rate_col = Column(
        "Rate", numeric=True, prefix=p.country.symbol, decimals=4 if d else 2, summable=False
    )
    charges = Table(
        "charges",
        "Charges this period",
        (
            Column("Description"),
            Column("Quantity", numeric=True, summable=False),
            rate_col,
            money_column("Amount", p),
        ),
        (
            (f"{name} used ({unit})", used, rate, round(used * rate, d)),
            ("Standing charge (days)", days, standing, round(days * standing, d)),
            *extras,
        ),
        noun="charge",
        totals=True,
        total_label="Total to pay",
    )
    holder = c.local.name("name", max_len=30)
    account = Fields(
        "account",
        "Your account",
        (
            Field("account_number", "Account number", f"{int(rng.integers(10**7, 10**8))}"),
            Field("account_holder", "Account holder", holder),
            Field("bill_date", "Bill date", c.fmt(end + datetime.timedelta(days=3))),
            Field("period", "Billing period", f"{c.fmt(start)} – {c.fmt(end)}"),
            Field("due_date", "Payment due", c.fmt(end + datetime.timedelta(days=24))),
        ),
        display="grid",
    )
    readings = Fields(
        "readings",
        "Meter readings",
        (
            Field("previous_reading", "Previous reading", f"{previous:,}"),
            Field("current_reading", "Current reading", f"{previous + used:,}"),
        ),
    )
    return PageSpec(
        kind="utility_bill",
        title=f"Your {name.lower()} bill",
        topic_id=f"utility_bill_{name.lower()}",
        header=provider,
        blocks=(account, readings, charges),
        style=page_style(rng, p, layouts=("one", "two")),
    )


def nutrition_label(c: Ctx) -> PageSpec:
    rng, p = c.rng, c.persona
    data = c.content()["nutrition"]
    product, serving, lo, hi = pick(rng, data["products"])
    per100 = [float(rng.uniform(a, b)) for a, b in zip(lo, hi, strict=True)]
    energy100 = round(per100[0])
    rows = []
    # fibre is optional on a label: how many nutrients it lists is read off it
    fibre = bool(rng.random() < 0.5)
    for i, nutrient in enumerate(data["nutrients"][1:], start=1):
        if nutrient.lower() == "fibre" and not fibre:
            continue
        v = round(per100[i], 1)
        per_serving = round(v * serving / 100, 1)
        ri = data["reference_intake"][i]
        pct = float(round(100 * per_serving / ri)) if ri else None
        rows.append((f"{nutrient} ({data['units'][i]})", v, per_serving, pct))
    serv = f"Per serving ({serving} g)"
    table = Table(
        "nutrients",
        "Nutrition information",
        (
            Column("Nutrient"),
            Column("Per 100 g", numeric=True, decimals=1, summable=False),
            Column(serv, numeric=True, decimals=1, summable=False),
            Column("%RI*", numeric=True, suffix="%", summable=False),
        ),
        tuple(rows),
        noun="nutrient",
        striped=bool(rng.random() < 0.5),
    )
    packs = int(pick(rng, (2, 4, 6, 8, 10)))
    energy = Fields(
        "energy",
        "",
        (
            Field("energy_100g", "Energy per 100 g", f"{energy100} kcal"),
            Field(
                "energy_serving", "Energy per serving", f"{round(energy100 * serving / 100)} kcal"
            ),
        ),
        display="stat",
    )
    facts = Fields(
        "facts",
        "",
        (
            Field("serving_size", "Serving size", f"{serving} g"),
            Field("servings", "Servings per pack", str(packs)),
            Field("pack_size", "Pack size", f"{serving * packs} g"),
        ),
    )
    note = Text(
        "note", "", ("*Reference intake of an average adult (8400 kJ / 2000 kcal).",), "note"
    )
    return PageSpec(
        kind="nutrition_label",
        title=str(product),
        topic_id=f"nutrition_{str(product).lower().replace(' ', '_')}",
        subtitle=f"Made by {c.org}" if p.field in ("food", "hospitality", "retail") else "",
        blocks=(facts, energy, table, note),
        # 420 px cut the %RI column off at the right (its four columns need ~450 px)
        style=page_style(rng, p, widths=(480, 540)),
    )


def bank_statement(c: Ctx) -> PageSpec:
    rng, p = c.rng, c.persona
    data = c.content()["bank"]
    d = money_decimals(p)
    start = c.date(START, datetime.date(2025, 11, 1))
    n_out = int(rng.integers(4, 9))
    n_in = int(rng.integers(1, 4))
    descs = choose_in_order(rng, list(data["merchants"]), n_out) + choose_in_order(
        rng, list(data["credits"]), n_in
    )
    order = rng.permutation(len(descs))
    days = sorted(int(x) for x in rng.integers(0, 29, size=len(descs)))
    balance = round(price(rng, 300, 4000, p), d)
    opening = balance
    rows: list[tuple[Any, ...]] = []
    for day, j in zip(days, order, strict=True):
        desc = descs[int(j)]
        credit = int(j) >= n_out
        amount = price(rng, 300, 2500, p) if credit else price(rng, 4, 180, p)
        balance = round(balance + (amount if credit else -amount), d)
        when = c.fmt(start + datetime.timedelta(days=day))
        rows.append((when, desc, None if credit else amount, amount if credit else None, balance))
    bank = f"{c.local.name('last_name', max_len=14)} {pick(rng, ('Bank', 'Savings Bank', 'Credit Union'))}"
    holder = c.local.name("name", max_len=30)
    table = Table(
        "transactions",
        "Transactions",
        (
            Column("Date"),
            Column("Description"),
            money_column("Money out", p),
            money_column("Money in", p),
            money_column("Balance", p, summable=False),
        ),
        tuple(rows),
        noun="transaction",
        label_columns=(1,),
        totals=bool(rng.random() < 0.5),
        total_label="Totals",
        striped=bool(rng.random() < 0.5),
    )
    end = start + datetime.timedelta(days=29)
    summary = Fields(
        "summary",
        "Summary",
        (
            Field("account_holder", "Account holder", holder),
            Field("account_number", "Account number", f"****{int(rng.integers(1000, 9999))}"),
            Field("period", "Statement period", f"{c.fmt(start)} – {c.fmt(end)}"),
            Field("opening_balance", "Opening balance", money_column("", p).show(opening)),
            Field("closing_balance", "Closing balance", money_column("", p).show(balance)),
        ),
        display=str(pick(rng, ("list", "grid"))),
    )
    return PageSpec(
        kind="bank_statement",
        title="Account statement",
        topic_id="bank_statement",
        header=bank,
        blocks=(summary, table),
        style=page_style(rng, p, widths=(720, 800, 880)),
    )


def form(c: Ctx) -> PageSpec:
    rng, p = c.rng, c.persona
    f = pick(rng, c.content()["forms"])
    name = c.local.name("name", max_len=30)
    addresses = [", ".join(c.address()), ", ".join(c.address())]
    day = c.date()
    values = {
        "name": name,
        "email": email_for(name, "example.org"),
        "phone": phone(rng),
        "birth_date": c.fmt(
            c.local.date(datetime.date(1950, 1, 1), datetime.date(2005, 12, 31))[0]
        ),
        "address": addresses[0],
        "old_address": addresses[1],
        "moving_date": c.fmt(day),
        "employee_id": f"E{int(rng.integers(1000, 99999))}",
        "student_id": f"S{int(rng.integers(100000, 999999))}",
        "start_date": c.fmt(day),
        "end_date": c.fmt(day + datetime.timedelta(days=int(rng.integers(1, 15)))),
        "manager": c.local.name("name", max_len=30),
        "course": str(pick(rng, c.content()["resume"]["subjects"])),
    }
    fields = Fields(
        "form", "", tuple(Field(k, label, values[k]) for k, label in f["fields"]), display="form"
    )
    options = list(f["options"])
    states = [bool(x) for x in rng.random(len(options)) < 0.5]
    states[int(rng.integers(len(states)))] = not any(states) or states[0]
    choices = Items(
        "options",
        "Please tick all that apply",
        tuple(options),
        "checks",
        tuple(states),
        noun="option",
    )
    buttons = Buttons("actions", ("Submit", str(pick(rng, ("Cancel", "Save draft", "Reset")))))
    return PageSpec(
        kind="form",
        title=str(f["title"]),
        topic_id=f"form_{str(f['title']).lower().replace(' ', '_')}",
        header=c.org,
        blocks=(fields, choices, buttons),
        style=page_style(rng, p, widths=(560, 640, 720)),
    )


def timetable(c: Ctx) -> PageSpec:
    rng, p = c.rng, c.persona
    mode, noun, stops = pick(rng, c.content()["timetable"])
    stops = choose_in_order(rng, list(stops), int(rng.integers(5, 9)))
    gaps = [int(g) for g in rng.integers(2, 8, size=len(stops) - 1)]
    weekday = int(rng.integers(3, 6))
    weekend = int(rng.integers(0, 3))
    route = f"{int(rng.integers(1, 99))}{pick(rng, ('', 'A', 'X'))}"
    columns = [Column(noun.capitalize())]
    starts: list[int] = []
    t = int(rng.integers(6 * 60, 9 * 60))
    for i in range(weekday + weekend):
        if i == weekday:
            t = int(rng.integers(8 * 60, 10 * 60))
        group = "Monday to Friday" if i < weekday else "Saturday"
        columns.append(Column(f"{route}-{i + 1:02d}", group=group if weekend else ""))
        starts.append(t)
        t += int(pick(rng, (15, 20, 30, 45, 60)))
    rows = []
    for s, stop in enumerate(stops):
        offset = sum(gaps[:s])
        times = [f"{(st + offset) // 60 % 24:02d}:{(st + offset) % 60:02d}" for st in starts]
        rows.append((stop, *times))
    table = Table(
        "times", "", tuple(columns), tuple(rows), noun=noun, striped=bool(rng.random() < 0.6)
    )
    info = Text(
        "info",
        "",
        (f"Times are departures from each {noun}. Services run every day except public holidays.",),
        "note",
    )
    return PageSpec(
        kind="timetable",
        title=f"{mode} {route} timetable",
        subtitle=f"{stops[0]} – {stops[-1]}",
        topic_id=f"timetable_{mode.lower()}",
        header=f"{c.city} {mode} Services",
        blocks=(table, info),
        style=page_style(rng, p, widths=(640, 720, 800)),
    )


def menu(c: Ctx) -> PageSpec:
    rng, p = c.rng, c.persona
    m = pick(rng, c.content()["menus"])
    blocks: list[Block] = []
    for s, (section, dishes) in enumerate(m["sections"].items()):
        chosen = choose_in_order(rng, list(dishes), int(rng.integers(3, len(dishes) + 1)))
        rows = tuple((str(d), price(rng, lo, hi, p)) for d, lo, hi in chosen)
        blocks.append(
            Table(
                f"section{s}",
                str(section),
                (Column("Dish"), money_column("Price", p)),
                rows,
                noun="dish",
                display="menu",
            )
        )
    hours = f"{int(rng.integers(7, 12))}:00 – {int(rng.integers(20, 24))}:00"
    blocks.append(
        Fields("info", "", (Field("hours", "Open", hours), Field("phone", "Bookings", phone(rng))))
    )
    name = (
        c.org
        if p.field in ("food", "hospitality")
        else f"{c.local.name('last_name', max_len=14)}'s {str(m['cuisine']).capitalize()}"
    )
    return PageSpec(
        kind="menu",
        title=name,
        subtitle="Menu",
        topic_id=f"menu_{m['cuisine']}",
        blocks=tuple(blocks),
        style=page_style(rng, p, widths=(560, 640, 720), layouts=("one", "two")),
    )


#: occupations that are not jobs: a résumé of such a persona lists a job of its field
NOT_JOBS = frozenset({"homeowner", "parent", "retiree", "student", "household budget keeper"})


def _job(rng: np.random.Generator, p: Persona) -> str:
    """The job a résumé is about: the persona's occupation, or, for one that is not a job
    ("Assistant homeowner"), an occupation drawn from the working ones."""
    if p.occupation not in NOT_JOBS:
        return p.occupation
    from synth.personas._persona import tables

    jobs = [o["name"] for o in tables().occupations if o["name"] not in NOT_JOBS]
    return str(pick(rng, jobs))


def resume(c: Ctx) -> PageSpec:
    rng, p = c.rng, c.persona
    r = c.content()["resume"]
    name = c.local.name("name", max_len=30)
    skills = choose_in_order(
        rng, list(r["skills"].get(p.field, [])) + list(r["skills"]["any"]), int(rng.integers(4, 8))
    )
    contact = Fields(
        "contact",
        "Contact",
        (
            Field("email", "Email", email_for(name, "mail.example")),
            Field("phone", "Phone", phone(rng)),
            Field("city", "City", c.city),
        ),
    )
    year = 2025
    jobs = []
    job = _job(rng, p)
    for j in range(int(rng.integers(2, 5))):
        length = int(rng.integers(1, 6))
        role = (
            job.capitalize()
            if j == 0
            else str(pick(rng, ("Assistant", "Junior", "Trainee", "Senior", "Lead"))) + " " + job
        )
        org = c.org if j == 0 else c.local.name("company", max_len=28)
        jobs.append((f"{year - length}–{'present' if j == 0 else year}", role, org, length))
        year -= length + int(rng.integers(0, 2))
    jobs = list({j[1]: j for j in reversed(jobs)}.values())[::-1]  # row labels (roles) unique
    experience = Table(
        "experience",
        "Experience",
        (
            Column("Years"),
            Column("Role"),
            Column("Organisation"),
            Column("Years in role", numeric=True),
        ),
        tuple(jobs),
        noun="role",
        label_columns=(1,),
    )
    grad = year - int(rng.integers(0, 3))
    education = Table(
        "education",
        "Education",
        (Column("Year"), Column("Qualification"), Column("Institution")),
        (
            (
                str(grad),
                f"{pick(rng, r['degrees'])} {pick(rng, r['subjects'])}",
                f"University of {c.local.name('city', max_len=20)}",
            ),
        ),
        noun="qualification",
        label_columns=(1,),
    )
    summary = Text(
        "profile",
        "Profile",
        (
            f"{p.seniority.capitalize()} {job} with {2025 - grad} years of experience, based in {c.city}.",
        ),
    )
    return PageSpec(
        kind="resume",
        title=name,
        subtitle=job.capitalize(),
        topic_id=f"resume_{p.field}",
        blocks=(
            contact,
            Items(
                "skills",
                "Skills",
                tuple(skills),
                str(pick(rng, ("chips", "bullets"))),
                noun="skill",
            ),
            summary,
            experience,
            education,
        ),
        style=page_style(rng, p, widths=(720, 800), layouts=("one", "sidebar")),
    )


def letter(c: Ctx) -> PageSpec:
    rng, p = c.rng, c.persona
    subject, first, second = pick(rng, c.content()["letters"])
    day = c.date()
    event = c.fmt(day + datetime.timedelta(days=int(rng.integers(7, 40))))
    recipient = c.local.name("name", max_len=30)
    signer = c.local.name("name", max_len=30)
    sender = Fields(
        "sender",
        "",
        tuple(Field(f"sender_{i}", "", line) for i, line in enumerate((c.org, *c.address()))),
        display="letterhead",
    )
    meta = Fields(
        "meta",
        "",
        (
            Field("date", "Date", c.fmt(day)),
            Field(
                "reference",
                "Our ref.",
                f"{pick(rng, ('HR', 'AC', 'CS', 'FN'))}/{int(rng.integers(100, 9999))}",
            ),
        ),
    )
    to = Fields(
        "recipient",
        "",
        tuple(
            Field(f"recipient_{i}", "", line) for i, line in enumerate((recipient, *c.address()))
        ),
    )
    body = Text(
        "body",
        "",
        (
            f"Dear {recipient},",
            str(first).format(date=event) + " " + str(second),
            "If you have any questions, please contact us at the address above.",
            "Yours sincerely,",
        ),
    )
    sign = Fields(
        "signature",
        "",
        (Field("signer", "", signer), Field("signer_role", "", p.occupation.capitalize())),
    )
    return PageSpec(
        kind="letter",
        title=str(subject),
        topic_id=f"letter_{str(subject).lower().replace(' ', '_')}",
        blocks=(sender, meta, to, body, sign),
        style=page_style(rng, p, widths=(640, 720, 800)),
    )


def poster(c: Ctx) -> PageSpec:
    rng, p = c.rng, c.persona
    event, activities = pick(rng, c.content()["posters"])
    day = c.date()
    entry = "Free" if rng.random() < 0.4 else money_column("", p).show(price(rng, 3, 25, p))
    details = Fields(
        "details",
        "",
        (
            Field("date", "Date", c.fmt(day)),
            Field("time", "Time", f"{int(rng.integers(9, 19))}:00"),
            Field(
                "venue",
                "Venue",
                f"{c.local.name('last_name', max_len=14)} {pick(rng, ('Park', 'Hall', 'Square', 'Centre'))}",
            ),
            Field("entry", "Entry", entry),
        ),
        display=str(pick(rng, ("grid", "stat"))),
    )
    acts = choose_in_order(rng, list(activities), int(rng.integers(3, len(activities) + 1)))
    return PageSpec(
        kind="poster",
        title=str(event),
        subtitle=f"{c.city} · {day.year}",
        topic_id=f"poster_{str(event).lower().replace(' ', '_')}",
        blocks=(
            details,
            Items("activities", "What's on", tuple(acts), "chips", noun="activity"),
            Text("organiser", "", (f"Organised by {c.org}",), "note"),
        ),
        style=page_style(rng, p, widths=(480, 560, 600), theme="poster"),
    )


def infographic(c: Ctx) -> PageSpec:
    from synth.generators.chart._sample import sample_chart

    rng, p = c.rng, c.persona
    chart = sample_chart(rng, "bar", "vertical", p, "matplotlib").spec
    values = chart.series[0].values
    unit = chart.unit
    col = Column(
        chart.y_label, numeric=True, decimals=chart.decimals, suffix=f" {unit}" if unit else ""
    )
    top = int(np.argmax(values))
    total = round(sum(values), chart.decimals)
    stats = Fields(
        "stats",
        "",
        (
            Field("total", f"Total {unit}".strip(), col.show(total)),
            Field("highest", f"Highest ({chart.categories[top]})", col.show(values[top])),
            Field("count", "Entries shown", str(len(values))),
        ),
        display="stat",
    )
    bars = Bars("bars", chart.y_label, tuple(chart.categories), tuple(values), col)
    return PageSpec(
        kind="infographic",
        title=chart.title,
        subtitle=f"{c.org}, {c.city}",
        topic_id=f"infographic_{chart.topic_id}",
        blocks=(stats, bars, Text("source", "", (f"Source: {c.org}",), "note")),
        style=page_style(rng, p, widths=(560, 640, 720), theme=str(pick(rng, ("paper", "poster")))),
    )


BUILDERS: dict[str, Callable[[Ctx], PageSpec]] = {
    "utility_bill": utility_bill,
    "nutrition_label": nutrition_label,
    "bank_statement": bank_statement,
    "form": form,
    "timetable": timetable,
    "menu": menu,
    "resume": resume,
    "letter": letter,
    "poster": poster,
    "infographic": infographic,
}
