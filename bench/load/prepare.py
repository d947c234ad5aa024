"""Data and accounts for the load scenario, on the database of ``DATABASE_URL``.

- The official plan with its demo data (loaded when missing): what directors read.
- A plan of its own for the reporters, ``CARGA-2017-2021`` (replaced on every run, so that
  the check afterwards starts from no values): one unit per reporter, each with two monthly
  indicators (a value and a ratio × 100) and a target for every month. A reporter owns the
  (indicator, period) slots of its own unit, so that no two virtual users ever race on the
  same measurement.
- The accounts: ``carga_direccion_NNN`` (Dirección) and ``carga_responsable_NNN``
  (Responsable de unidad of ``CARGA-RNNN``), all with one password generated here.

The accounts, the password and each reporter's slots are written to ``--out`` (mode 0600,
under /tmp, never committed), which the locustfile and ``verify.py`` read.

    python -m bench.load.prepare [--directors 160] [--reporters 60] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction

from bench.synthetic_plan import delete_synthetic_plan
from planning import access, accounts
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
from scorecard import demo
from scorecard.models import Measurement

LOAD_PLAN = "CARGA-2017-2021"
INSTITUTION = "CARGA"
YEARS = (2017, 2021)
DEFAULT_OUT = Path("/tmp/congope-load/cuentas.json")
#: The monthly targets of a reporter's two indicators: a count, and a percentage.
VALUE_TARGET, RATIO_TARGET = Decimal(50), Decimal(80)


def official_plan() -> Plan:
    """The official plan with its demo data, loaded when missing (demo users get a random
    password: the load uses its own accounts)."""
    if not Plan.objects.filter(code=demo.PLAN_CODE).exists():
        call_command("loaddata", "congope_2017_2021", verbosity=0)
    if not Measurement.objects.filter(indicator__plan__code=demo.PLAN_CODE).exists():
        demo.seed_demo(password=accounts.generate_password())
    return Plan.objects.get(code=demo.PLAN_CODE)


def unit_code(n: int) -> str:
    return f"CARGA-R{n:03d}"


@transaction.atomic
def load_plan(reporters: int) -> Plan:
    """``CARGA-2017-2021`` anew: a unit and two monthly indicators per reporter, no values."""
    delete_synthetic_plan(LOAD_PLAN)
    institution, _ = Institution.objects.get_or_create(
        code=INSTITUTION, defaults={"name": "Institución de la prueba de carga"}
    )
    plan = Plan.objects.create(
        institution=institution,
        code=LOAD_PLAN,
        name="Plan de la prueba de carga (datos sintéticos)",
        start_year=YEARS[0],
        end_year=YEARS[1],
        notes="DATOS SINTÉTICOS: los reportes de la prueba de carga (bench/load).",
    )
    perspective = Perspective.objects.create(plan=plan, code="CAR", name="Carga", order=1)
    objective = StrategicObjective.objects.create(
        plan=plan, perspective=perspective, code="OE1", order=1, name="Reportar a tiempo"
    )
    indicators = []
    for n in range(1, reporters + 1):
        unit, _ = OrgUnit.objects.get_or_create(
            institution=institution,
            code=unit_code(n),
            defaults={"name": f"Unidad de carga {n}", "kind": OrgUnit.Kind.VALUE_ADDING},
        )
        indicators += [
            Indicator(
                plan=plan,
                objective=objective,
                code=f"R{n:03d}.1",
                order=2 * n - 1,
                name=f"Actividades realizadas por la unidad {n} (carga)",
                unit_of_measure="número",
                periodicity=MONTHLY,
                responsible_unit=unit,
            ),
            Indicator(
                plan=plan,
                objective=objective,
                code=f"R{n:03d}.2",
                order=2 * n,
                name=f"Trámites atendidos a tiempo por la unidad {n} (carga)",
                unit_of_measure="%",
                periodicity=MONTHLY,
                calculation=Indicator.Calculation.RATIO,
                factor=Decimal(100),
                responsible_unit=unit,
            ),
        ]
    Indicator.objects.bulk_create(indicators)
    months = [p.code for p in periods_between(*YEARS, MONTHLY)]
    Target.objects.bulk_create(
        Target(
            indicator=i,
            period=month,
            value=RATIO_TARGET if i.calculation == Indicator.Calculation.RATIO else VALUE_TARGET,
        )
        for i in indicators
        for month in months
    )
    return plan


def create_accounts(directors: int, reporters: int, password: str) -> dict:
    """The load's accounts through ``accounts.user_create``, all with ``password``.

    The password is hashed once: a production hash takes ~0.5 s here, and a few hundred of
    them would make this step longer than the load itself. Each account still gets a
    normal hash of the production hasher, which the login checks in full.
    """
    hashed = make_password(password)

    def set_password(user, raw):
        user.password = hashed

    names = {"directors": [], "reporters": []}
    with mock.patch.object(get_user_model(), "set_password", set_password):
        for n in range(1, directors + 1):
            user = accounts.user_create(
                username=f"carga_direccion_{n:03d}", role=access.DIRECTOR, password=password
            )
            names["directors"].append(user.username)
        for n in range(1, reporters + 1):
            user = accounts.user_create(
                username=f"carga_responsable_{n:03d}",
                role=access.REPORTER,
                unit_codes=[unit_code(n)],
                password=password,
            )
            names["reporters"].append(user.username)
    return names


def slots(reporters: int) -> dict[str, list[list[str]]]:
    """Per reporter, its (indicator, period) slots in the order it submits them."""
    months = [p.code for p in periods_between(*YEARS, MONTHLY)]
    return {
        f"carga_responsable_{n:03d}": [[f"R{n:03d}.{k}", month] for month in months for k in (1, 2)]
        for n in range(1, reporters + 1)
    }


def dashboard_pages(plan: Plan) -> dict:
    """What directors open: the official plan's objectives, indicators and cut-offs."""
    return {
        "plan": plan.code,
        "objectives": list(
            StrategicObjective.objects.filter(plan=plan)
            .order_by("order")
            .values_list("code", flat=True)
        ),
        "indicators": list(
            Indicator.objects.filter(plan=plan).order_by("code").values_list("code", flat=True)
        ),
        "periods": [str(year) for year in range(plan.start_year, plan.end_year + 1)],
    }


def write_private(path: Path, data: dict) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)


def prepare(directors: int, reporters: int, out: Path) -> dict:
    if not str(out.resolve()).startswith("/tmp/"):
        raise SystemExit(f"las contraseñas se escriben solo bajo /tmp, no en {out}")
    plan = official_plan()
    load_plan(reporters)
    password = secrets.token_urlsafe(18)
    data = {
        "password": password,
        "load_plan": LOAD_PLAN,
        **create_accounts(directors, reporters, password),
        "slots": slots(reporters),
        "dashboard": dashboard_pages(plan),
    }
    write_private(out, data)
    return data


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Prepara la base para la prueba de carga.")
    parser.add_argument("--directors", type=int, default=160)
    parser.add_argument("--reporters", type=int, default=60)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    data = prepare(args.directors, args.reporters, args.out)
    print(
        f"{len(data['directors'])} cuentas de Dirección, {len(data['reporters'])} de "
        f"responsables ({sum(len(s) for s in data['slots'].values())} reportes por enviar en "
        f"{LOAD_PLAN}); cuentas y contraseña en {args.out}"
    )


if __name__ == "__main__":
    main()
