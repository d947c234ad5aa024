"""Small ``make_*`` helpers with keyword overrides, for tests that build their own plans."""

from decimal import Decimal
from itertools import count

from planning.models import (
    Indicator,
    Institution,
    OrgUnit,
    Perspective,
    Plan,
    StrategicObjective,
    Target,
)
from scorecard.models import Measurement

_seq = count(1)


def make_institution(**kw) -> Institution:
    n = next(_seq)
    return Institution.objects.create(**{"code": f"T-INST{n}", "name": f"Institución {n}", **kw})


def make_unit(*, institution=None, **kw) -> OrgUnit:
    n = next(_seq)
    institution = institution or make_institution()
    defaults = {"code": f"T-U{n}", "name": f"Unidad {n}", "kind": OrgUnit.Kind.VALUE_ADDING}
    return OrgUnit.objects.create(institution=institution, **{**defaults, **kw})


def make_plan(*, institution=None, **kw) -> Plan:
    n = next(_seq)
    institution = institution or make_institution()
    defaults = {"code": f"T-PLAN-{n}", "name": f"Plan {n}", "start_year": 2017, "end_year": 2021}
    return Plan.objects.create(institution=institution, **{**defaults, **kw})


def make_perspective(*, plan=None, **kw) -> Perspective:
    n = next(_seq)
    plan = plan or make_plan()
    return Perspective.objects.create(plan=plan, **{"code": f"T-P{n}", "name": f"P {n}", **kw})


def make_objective(*, perspective=None, **kw) -> StrategicObjective:
    n = next(_seq)
    perspective = perspective or make_perspective()
    return StrategicObjective.objects.create(
        plan=perspective.plan,
        perspective=perspective,
        **{"code": f"T-OE{n}", "name": f"O{n}", **kw},
    )


def make_indicator(*, objective=None, **kw) -> Indicator:
    n = next(_seq)
    objective = objective or make_objective()
    defaults = {"code": f"T-I{n}", "name": f"Indicador {n}"}
    return Indicator.objects.create(plan=objective.plan, objective=objective, **{**defaults, **kw})


def make_target(*, indicator, period, value, **kw) -> Target:
    return Target.objects.create(indicator=indicator, period=period, value=Decimal(value), **kw)


def make_measurement(*, indicator, period, **kw) -> Measurement:
    defaults = {"status": Measurement.Status.VALIDATED}
    return Measurement.objects.create(indicator=indicator, period=period, **{**defaults, **kw})
