"""A large synthetic plan for the scorecard benchmark: code ``BENCH-2020-2024``.

By default 4 perspectives, 20 objectives, 2,000 monthly indicators over 5 years (60 periods):
120,000 targets and 120,000 validated measurements, written with ``bulk_create`` in batches.
The indicators mix every calculation setting (polarity, accumulation, window, ratio,
reference, own bands, weight) from a seeded random generator, so each run writes the same
plan. Nothing here is real data: every name says "sintético".

    python -m bench.synthetic_plan [--replace] [--indicators 2000] …
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from planning import revision
from planning.models import (
    Indicator,
    Institution,
    OrgUnit,
    Perspective,
    Plan,
    StrategicObjective,
    Target,
)
from planning.periods import MONTHLY, periods_between
from scorecard.models import Measurement

PLAN_CODE = "BENCH-2020-2024"
INSTITUTION_CODE = "BENCH"
PERSPECTIVES = (
    ("FIN", "Financiera"),
    ("CLI", "Ciudadanía y usuarios"),
    ("PRO", "Procesos internos"),
    ("APR", "Aprendizaje y crecimiento"),
)
UNITS = ("BENCH-PLA", "BENCH-FIN", "BENCH-TEC", "BENCH-COM", "BENCH-OPE")
BATCH_SIZE = 5000
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Settings:
    """The calculation settings of one synthetic indicator."""

    polarity: str
    accumulation: str
    window: str
    calculation: str
    reference: str
    base: Decimal  # the programmed figure per period (a percentage for ratios)
    bands: tuple[Decimal, Decimal] | None
    weight: Decimal


def _pick(rng: random.Random, weighted: dict[str, int]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _settings(rng: random.Random) -> Settings:
    """A realistic mix: mostly creciente discreto/acumulado, some of every other setting."""
    polarity = _pick(rng, {"creciente": 60, "decreciente": 20, "rango": 12, "hito": 8})
    accumulation = "discreto"
    if polarity != "hito":
        accumulation = _pick(rng, {"discreto": 40, "acumulado": 25, "nivel": 20, "promedio": 15})
    window = _pick(rng, {"anual": 80, "plan": 20}) if accumulation != "nivel" else "anual"
    calculation = "valor"
    if polarity in ("creciente", "decreciente") and rng.random() < 0.3:
        calculation = "razon"
    reference = "meta"
    if polarity in ("creciente", "decreciente") and rng.random() < 0.1:
        reference = "brecha"
    if calculation == "razon":
        base = Decimal(rng.randint(50, 95))
    else:
        base = Decimal(rng.choice((4, 10, 25, 60, 120, 500)))
    bands = (Decimal(90), Decimal(75)) if rng.random() < 0.1 else None
    weight = Decimal(rng.choice((1, 1, 1, 2, 3)))
    return Settings(polarity, accumulation, window, calculation, reference, base, bands, weight)


def _structure(code: str, years: tuple[int, int], objectives: int):
    institution, _ = Institution.objects.get_or_create(
        code=INSTITUTION_CODE, defaults={"name": "Institución sintética (benchmark)"}
    )
    units = [
        OrgUnit.objects.get_or_create(
            institution=institution,
            code=unit,
            defaults={"name": f"Unidad sintética {unit}", "kind": OrgUnit.Kind.VALUE_ADDING},
        )[0]
        for unit in UNITS
    ]
    plan = Plan.objects.create(
        institution=institution,
        code=code,
        name=f"Plan sintético para pruebas de rendimiento {years[0]}–{years[1]}",
        start_year=years[0],
        end_year=years[1],
        status=Plan.Status.DRAFT,
        notes="DATOS SINTÉTICOS para medir el rendimiento del Cuadro de Mando Integral.",
    )
    count = len(PERSPECTIVES) if objectives >= len(PERSPECTIVES) else 2
    perspectives = [
        Perspective.objects.create(plan=plan, code=p_code, name=name, order=n)
        for n, (p_code, name) in enumerate(PERSPECTIVES[:count], start=1)
    ]
    objective_rows = StrategicObjective.objects.bulk_create(
        StrategicObjective(
            plan=plan,
            perspective=perspectives[n % count],
            code=f"OE{n + 1}",
            order=n + 1,
            name=f"Objetivo sintético {n + 1}",
            short_name=f"Objetivo {n + 1}",
        )
        for n in range(objectives)
    )
    return plan, units, objective_rows


def _indicators(plan, units, objectives, per_objective: int, rng) -> list[tuple]:
    rows = []
    for o, objective in enumerate(objectives, start=1):
        for n in range(1, per_objective + 1):
            s = _settings(rng)
            baseline = None
            if s.reference == "brecha":
                baseline = s.base * (Decimal("0.5") if s.polarity == "creciente" else Decimal(2))
            indicator = Indicator(
                plan=plan,
                objective=objective,
                code=f"{o}.{n}",
                order=n,
                name=f"Indicador sintético {o}.{n} ({s.polarity}, {s.accumulation})",
                unit_of_measure="%" if s.calculation == "razon" else "número",
                periodicity=MONTHLY,
                polarity=s.polarity,
                accumulation=s.accumulation,
                window=s.window,
                calculation=s.calculation,
                factor=Decimal(100) if s.calculation == "razon" else Decimal(1),
                reference=s.reference,
                baseline=baseline,
                baseline_year=plan.start_year - 1 if baseline is not None else None,
                green_threshold=s.bands[0] if s.bands else None,
                yellow_threshold=s.bands[1] if s.bands else None,
                weight=s.weight,
                responsible_unit=units[(o + n) % len(units)],
            )
            rows.append((indicator, s))
    Indicator.objects.bulk_create([i for i, _ in rows], batch_size=BATCH_SIZE)
    return rows


def _target(s: Settings, month_index: int) -> tuple[Decimal, Decimal | None]:
    if s.polarity == "hito":
        return Decimal(1), None
    if s.accumulation == "acumulado" and s.calculation == "valor":
        value = (s.base / 12).quantize(HUNDREDTH)  # a flow: the year's target spread by month
    elif s.accumulation == "nivel":
        value = (s.base * (1 + Decimal(month_index) / 100)).quantize(HUNDREDTH)  # a growing stock
    else:
        value = s.base
    if s.polarity == "rango":
        return (value * Decimal("0.9")).quantize(HUNDREDTH), (value * Decimal("1.1")).quantize(
            HUNDREDTH
        )
    return value, None


def _measurement(indicator, s: Settings, period: str, target: Decimal, rng, now) -> Measurement:
    """A validated value between ~55 % and ~120 % of the target, so every colour appears."""
    share = Decimal(rng.randint(55, 120)) / 100
    row = Measurement(
        indicator=indicator, period=period, status=Measurement.Status.VALIDATED, validated_at=now
    )
    if s.polarity == "hito":
        row.value = Decimal(1 if rng.random() < 0.8 else 0)
    elif s.calculation == "razon":
        row.denominator = Decimal(rng.randint(20, 400))
        ratio = min(target * share / 100, Decimal(1))
        row.numerator = (row.denominator * ratio).quantize(Decimal(1))
    else:
        row.value = (target * share).quantize(HUNDREDTH)
    return row


def _flush(model, rows: list) -> int:
    model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    count = len(rows)
    rows.clear()
    return count


def _progress(indicators: list[tuple], years: tuple[int, int], rng) -> tuple[int, int]:
    periods = [p.code for p in periods_between(years[0], years[1], MONTHLY)]
    now = timezone.now()
    targets, values = [], []
    written_targets = written_values = 0
    for indicator, s in indicators:
        for month_index, period in enumerate(periods):
            value, value_max = _target(s, month_index)
            targets.append(
                Target(indicator=indicator, period=period, value=value, value_max=value_max)
            )
            values.append(_measurement(indicator, s, period, value, rng, now))
        if len(values) >= BATCH_SIZE:
            written_targets += _flush(Target, targets)
            written_values += _flush(Measurement, values)
    written_targets += _flush(Target, targets)
    written_values += _flush(Measurement, values)
    revision.data_changed()  # bulk_create sends no history signal
    return written_targets, written_values


def delete_synthetic_plan(code: str = PLAN_CODE) -> None:
    """Remove a synthetic plan, children first (objectives and indicators are PROTECTed)."""
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        return
    with transaction.atomic():
        Measurement.objects.filter(indicator__plan=plan)._raw_delete(Measurement.objects.db)
        Target.objects.filter(indicator__plan=plan)._raw_delete(Target.objects.db)
        Indicator.objects.filter(plan=plan).delete()
        StrategicObjective.objects.filter(plan=plan).delete()
        plan.delete()
        revision.data_changed()


@transaction.atomic
def create_synthetic_plan(
    *,
    code: str = PLAN_CODE,
    objectives: int = 20,
    indicators_per_objective: int = 100,
    years: tuple[int, int] = (2020, 2024),
    seed: int = 2020,
) -> dict:
    """Write the synthetic plan and return what was written (counts per kind of row).

    Every indicator is monthly and has a target and a validated value for each month of
    ``years`` (both included). Raises if a plan with ``code`` exists already.
    """
    rng = random.Random(seed)
    plan, units, objective_rows = _structure(code, years, objectives)
    indicators = _indicators(plan, units, objective_rows, indicators_per_objective, rng)
    targets, values = _progress(indicators, years, rng)
    return {
        "plan": plan.code,
        "perspectives": Perspective.objects.filter(plan=plan).count(),
        "objectives": len(objective_rows),
        "indicators": len(indicators),
        "targets": targets,
        "measurements": values,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Crea el plan sintético del benchmark.")
    parser.add_argument("--code", default=PLAN_CODE)
    parser.add_argument("--objectives", type=int, default=20)
    parser.add_argument("--indicators-per-objective", type=int, default=100)
    parser.add_argument("--first-year", type=int, default=2020)
    parser.add_argument("--last-year", type=int, default=2024)
    parser.add_argument("--replace", action="store_true", help="borrar antes el plan si existe")
    args = parser.parse_args(argv)
    if args.replace:
        delete_synthetic_plan(args.code)
    started = time.perf_counter()
    summary = create_synthetic_plan(
        code=args.code,
        objectives=args.objectives,
        indicators_per_objective=args.indicators_per_objective,
        years=(args.first_year, args.last_year),
    )
    elapsed = time.perf_counter() - started
    print(", ".join(f"{k}: {v}" for k, v in summary.items()) + f" ({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
