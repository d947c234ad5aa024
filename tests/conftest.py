"""Personas shared by every test: one per role, plus a reporter of another unit."""

import pytest
from django.core.management import call_command

from planning import accounts
from planning.models import OrgUnit, Plan

PASSWORD = "Clave-de-prueba-2026"
PLAN_CODE = "CONGOPE-2017-2021"


def form_data(form) -> dict:
    """What a browser would post for ``form`` as shown (its current values)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)
    return data


@pytest.fixture
def official_plan(db) -> Plan:
    call_command("loaddata", "congope_2017_2021", verbosity=0)
    return Plan.objects.get(code=PLAN_CODE)


def _user(username, role, units=()):
    return accounts.user_create(username=username, role=role, unit_codes=units, password=PASSWORD)


@pytest.fixture
def admin_user(official_plan):
    return _user("ana_admin", "admin")


@pytest.fixture
def planner(official_plan):
    return _user("pablo_planificacion", "planificacion")


@pytest.fixture
def director(official_plan):
    return _user("diana_direccion", "direccion")


@pytest.fixture
def reporter(official_plan):
    """Reports for Planificación y Gestión de la Información (PGI)."""
    return _user("rosa_pgi", "responsable", ["PGI"])


@pytest.fixture
def other_reporter(official_plan):
    """Reports for Relaciones Internacionales (RI): must never touch PGI's numbers."""
    return _user("raul_ri", "responsable", ["RI"])


@pytest.fixture
def personas(admin_user, planner, director, reporter, other_reporter):
    return {
        "admin": admin_user,
        "planificacion": planner,
        "direccion": director,
        "responsable": reporter,
        "otro_responsable": other_reporter,
        "anonimo": None,
    }


@pytest.fixture
def unit(official_plan):
    return lambda code: OrgUnit.objects.get(code=code)


@pytest.fixture(autouse=True)
def _fresh_scorecard_cache():
    """Each test starts with no reused scorecards: a rolled-back test leaves the token as it was."""
    from scorecard import cache

    cache.clear()
    yield
    cache.clear()
