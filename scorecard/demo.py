"""Demo data for the official plan: labelled, separate from the official fixture.

The source plan states no baselines, targets or values; everything here is invented to
show the app working, and says so (``DEMO_NOTE`` in each indicator's references).
"""

import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from planning import access, accounts, revision
from planning.models import Gadp, Indicator, OrgUnit, Plan, Target
from planning.periods import Period, periods_between
from scorecard.models import Measurement

PLAN_CODE = "CONGOPE-2017-2021"
DEMO_NOTE = "DATOS DE DEMOSTRACIÓN: configuración, metas y valores inventados para la demo."
# The demo's "today": the last year of the plan is reported but not yet validated.
LAST_VALIDATED_YEAR = 2020


@dataclass(frozen=True)
class DemoIndicator:
    unit: str
    periodicity: str = "anual"
    accumulation: str = "discreto"
    window: str = "anual"
    calculation: str = "valor"
    polarity: str = "creciente"
    reference: str = "meta"
    factor: int = 1
    unit_of_measure: str = "número"
    baseline: Decimal | None = None
    target: Decimal = Decimal(4)  # per period (for ratios: the percentage)
    by_gadp: bool = False


DEMO_INDICATORS = {
    "11.1": DemoIndicator("DAJ", accumulation="acumulado", window="plan", target=Decimal(1)),
    "11.2": DemoIndicator("GEDG", target=Decimal(3)),
    "12.1": DemoIndicator("PGI", periodicity="semestral", accumulation="acumulado", target=2),
    "12.2": DemoIndicator("GEDG", target=Decimal(6), by_gadp=True),
    "12.3": DemoIndicator("RI", accumulation="acumulado", target=Decimal(5)),
    "13.1": DemoIndicator("RI", periodicity="trimestral", target=Decimal(3)),
    "13.2": DemoIndicator(
        "RI", calculation="razon", factor=100, unit_of_measure="%", target=Decimal(80)
    ),
    "13.3": DemoIndicator("RI", accumulation="nivel", target=Decimal(4)),
    "14.1": DemoIndicator(
        "PGI",
        calculation="razon",
        factor=100,
        accumulation="nivel",
        reference="brecha",
        baseline=Decimal(60),
        unit_of_measure="%",
        target=Decimal(80),
    ),
}

DEMO_USERS = (
    ("admin", access.ADMIN, ()),
    ("planificacion", access.PLANNER, ()),
    ("direccion", access.DIRECTOR, ()),
    ("responsable_pgi", access.REPORTER, ("PGI",)),
    ("responsable_ri", access.REPORTER, ("RI",)),
)


def _configure(indicator: Indicator, demo: DemoIndicator, units: dict) -> None:
    indicator.responsible_unit = units[demo.unit]
    for field in (
        "periodicity",
        "accumulation",
        "window",
        "calculation",
        "polarity",
        "reference",
        "factor",
        "unit_of_measure",
        "baseline",
    ):
        setattr(indicator, field, getattr(demo, field))
    indicator.baseline_year = 2016 if demo.baseline is not None else None
    indicator.disaggregated_by_gadp = demo.by_gadp
    indicator.references = DEMO_NOTE
    indicator.full_clean()
    indicator.save()


def _value_row(indicator, demo, period: Period, rng, who, now) -> Measurement:
    # Achievement between ~55 % and ~115 % of the target, so every colour appears.
    share = Decimal(rng.randint(55, 115)) / 100
    row = Measurement(indicator=indicator, period=period.code, reported_by=who, reported_at=now)
    if demo.calculation == "razon":
        row.denominator = Decimal(rng.randint(15, 30))
        ratio = min(demo.target * share / 100, Decimal(1))
        row.numerator = (row.denominator * ratio).quantize(Decimal(1))
    else:
        row.value = (Decimal(demo.target) * share).quantize(Decimal(1))
    if period.year <= LAST_VALIDATED_YEAR:
        row.status, row.validated_by, row.validated_at = "validado", who, now
    else:
        row.status = "reportado"
    if share < 1:
        row.analysis = "Demo: el resultado quedó bajo la meta por retrasos en la contraparte."
    return row


def _gadp_parts(parent: Measurement, gadps, rng) -> list[Measurement]:
    chosen = rng.sample(list(gadps), k=min(int(parent.value or 0), len(gadps)))
    return [
        Measurement(
            indicator=parent.indicator,
            period=parent.period,
            gadp=g,
            value=1,
            status=parent.status,
            reported_by=parent.reported_by,
            reported_at=parent.reported_at,
            validated_by=parent.validated_by,
            validated_at=parent.validated_at,
        )
        for g in chosen
    ]


@transaction.atomic
def seed_demo(*, password: str) -> dict:
    """Configure the official plan's indicators with demo settings, targets and values."""
    plan = Plan.objects.get(code=PLAN_CODE)
    units = {u.code: u for u in OrgUnit.objects.filter(institution=plan.institution)}
    users = {
        name: accounts.user_create(
            username=name,
            role=role,
            unit_codes=codes,
            email=f"{name}@demo.congope.invalid",
            password=password,
        )
        for name, role, codes in DEMO_USERS
    }
    rng = random.Random(2017)
    now = timezone.now()
    gadps = Gadp.objects.all()
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan)}
    targets, values = [], []
    for code, demo in DEMO_INDICATORS.items():
        indicator = indicators[code]
        _configure(indicator, demo, units)
        Target.objects.filter(indicator=indicator).delete()
        Measurement.objects.filter(indicator=indicator).delete()
        reporter = users["responsable_pgi" if demo.unit == "PGI" else "responsable_ri"]
        for period in periods_between(plan.start_year, plan.end_year, demo.periodicity):
            targets.append(Target(indicator=indicator, period=period.code, value=demo.target))
            # Leave a gap now and then: the scorecard must show it grey, never as 0 %.
            if rng.random() < 0.1:
                continue
            row = _value_row(indicator, demo, period, rng, reporter, now)
            values.append(row)
            if demo.by_gadp:
                values.extend(_gadp_parts(row, gadps, rng))
    Target.objects.bulk_create(targets)
    Measurement.objects.bulk_create(values)
    revision.data_changed()  # bulk_create sends no history signal
    return {"users": list(users), "targets": len(targets), "measurements": len(values)}
