"""Commands of CONTRACT.md: add_user, seed_demo, and the set-up behind `make run`."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from planning import access
from planning.models import Indicator, Plan, Target
from scorecard.models import Measurement
from tests.conftest import PLAN_CODE

pytestmark = pytest.mark.django_db


@pytest.fixture
def development(settings):
    """Django's test runner turns DEBUG off; `make run` runs with it on."""
    settings.DEBUG = True


def test_add_user_gives_a_reporter_their_units_and_prints_a_one_time_password(
    official_plan, capsys
):
    call_command("add_user", "maria", "--role", "responsable", "--unit", "PGI", "--unit", "RI")
    out = capsys.readouterr().out
    password = out.strip().splitlines()[-1].split(": ")[-1]
    user = authenticate(username="maria", password=password)
    assert user is not None
    assert access.role_of(user) == access.REPORTER
    assert sorted(user.org_units.values_list("code", flat=True)) == ["PGI", "RI"]


def test_add_user_takes_the_password_from_the_environment(official_plan, monkeypatch, capsys):
    monkeypatch.setenv("PASSWORD", "Una-clave-larga-2026")
    call_command("add_user", "diego", "--role", "direccion", "--email", "d@example.org")
    assert "contraseña" not in capsys.readouterr().out
    user = authenticate(username="diego", password="Una-clave-larga-2026")
    assert access.role_of(user) == access.DIRECTOR
    assert user.email == "d@example.org"
    assert not user.is_staff


def test_add_user_refuses_an_unknown_unit(official_plan):
    with pytest.raises(CommandError, match="NOPE"):
        call_command("add_user", "x", "--role", "responsable", "--unit", "NOPE")
    assert not get_user_model().objects.filter(username="x").exists()


def test_add_user_refuses_a_reporter_without_units(official_plan):
    with pytest.raises(CommandError, match="unidad"):
        call_command("add_user", "x", "--role", "responsable")


def test_a_role_change_replaces_the_previous_role(official_plan, monkeypatch):
    monkeypatch.setenv("PASSWORD", "Una-clave-larga-2026")
    call_command("add_user", "eva", "--role", "admin")
    call_command("add_user", "eva", "--role", "direccion")
    user = get_user_model().objects.get(username="eva")
    assert access.role_of(user) == access.DIRECTOR
    assert not user.is_staff


def test_seed_demo_refuses_to_run_in_production(official_plan, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Target.objects.exists()


def test_seed_demo_can_be_forced_in_production(official_plan, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert Target.objects.exists()


def test_seed_demo_adds_labelled_data_and_one_user_per_role(official_plan, development, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    password = out.strip().splitlines()[-1].split(": ")[-1]
    roles = {}
    for name in ["admin", "planificacion", "direccion", "responsable_pgi", "responsable_ri"]:
        user = authenticate(username=name, password=password)
        assert user is not None, name
        roles[name] = access.role_of(user)
    assert roles["responsable_pgi"] == roles["responsable_ri"] == access.REPORTER
    assert Measurement.objects.filter(status="validado").exists()
    assert Measurement.objects.filter(status="reportado").exists()
    assert Measurement.objects.filter(gadp__isnull=False).exists()
    assert all("DEMOSTRACIÓN" in i.references for i in Indicator.objects.all())
    for row in Measurement.objects.select_related("indicator__plan"):
        row.full_clean()


def test_the_official_texts_survive_the_demo_data(official_plan, development):
    before = list(Indicator.objects.values_list("code", "name").order_by("code"))
    plan_before = Plan.objects.values("mission", "vision").get(code=PLAN_CODE)
    call_command("seed_demo")
    assert list(Indicator.objects.values_list("code", "name").order_by("code")) == before
    assert Plan.objects.values("mission", "vision").get(code=PLAN_CODE) == plan_before


def test_setup_site_loads_the_plan_and_demo_once_and_keeps_data_afterwards(development, capsys):
    call_command("setup_site")
    first = capsys.readouterr().out
    assert "Contraseña" in first
    counts = (Target.objects.count(), Measurement.objects.count())
    Measurement.objects.filter(status="reportado").update(analysis="editado a mano")
    call_command("setup_site")
    second = capsys.readouterr().out
    assert "ya está cargado" in second
    assert (Target.objects.count(), Measurement.objects.count()) == counts
    assert Measurement.objects.filter(analysis="editado a mano").exists()
