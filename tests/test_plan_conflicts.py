"""No lost updates (PITFALLS 9): two people edit the same element or grid, the second is told."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from planning import concurrency
from planning.models import OrgUnit, StrategicObjective, Target
from tests.conftest import PLAN_CODE
from tests.factories import make_objective, make_target
from tests.test_plan_editing import fingerprint, payload, shown_form

# --- the mechanism, as small functions ----------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "kept"),
    [
        (Decimal("1.500000"), "1.5"),
        (Decimal("100"), "100"),
        (Decimal("0E-6"), "0"),
        (datetime.date(2019, 3, 1), "2019-03-01"),
        (None, None),
        ("texto", "texto"),
        (7, 7),
    ],
)
def test_stored_values_are_compared_in_one_canonical_form(stored, kept):
    assert concurrency.canonical(stored) == kept


def test_a_token_gives_back_what_it_carries_and_nothing_if_forged():
    values = {"name": "OE1", "weight": "1.5", "responsible_units": [3, 9]}
    token = concurrency.token(values)
    assert concurrency.read_token(token) == values
    assert concurrency.read_token(token[:-2] + "xx") is None
    assert concurrency.read_token("") is None
    assert concurrency.read_token(None) is None


def test_a_snapshot_holds_fields_and_sorted_many_to_many_ids(official_plan, unit):
    objective = StrategicObjective.objects.get(code="OE1")
    objective.responsible_units.set([unit("RI"), unit("PGI")])
    values = concurrency.snapshot(objective, ["code", "perspective", "weight", "responsible_units"])
    assert values == {
        "code": "OE1",
        "perspective": objective.perspective_id,
        "weight": "1",
        "responsible_units": sorted([unit("RI").pk, unit("PGI").pk]),
    }


def _check(seen, current, history):
    concurrency.check(
        concurrency.token(seen),
        current,
        label=str.upper,
        show=lambda _key, value: str(value),
        history=history,
    )


def test_check_accepts_the_values_the_form_showed(db):
    _check({"a": "1"}, {"a": "1"}, Target.history.none())


def test_check_lists_each_change_with_who_made_the_last_one(official_plan, planner):
    target = make_target(
        indicator=official_plan.indicator_set.get(code="13.2"), period="2019", value="80"
    )
    target._history_user = planner
    target.value = Decimal(70)
    target.save()
    with pytest.raises(concurrency.Conflict) as caught:
        _check(
            {"a": "1", "b": "2", "gone": "3"},
            {"a": "1", "b": "20", "new": "4"},
            Target.history.all(),
        )
    conflict = caught.value
    assert conflict.changes == [
        concurrency.Change("B", "2", "20"),
        concurrency.Change("NEW", "None", "4"),
        concurrency.Change("GONE", "3", "None"),
    ]
    assert conflict.changed_by == planner
    assert conflict.changed_at is not None
    assert "no se guardó nada" in str(conflict)


def test_a_missing_or_forged_token_is_a_conflict(db):
    with pytest.raises(concurrency.Conflict):
        concurrency.check(
            "falso", {"a": "1"}, label=str, show=lambda k, v: v, history=Target.history.none()
        )


# --- two people, one objective ------------------------------------------------------------


@pytest.fixture
def two_editors(admin_user, planner):
    """Ana (administration) and Pablo (planning), each in a browser of their own."""
    ana, pablo = Client(), Client()
    ana.force_login(admin_user)
    pablo.force_login(planner)
    return ana, pablo


def objective_url(code="OE1"):
    return reverse("objective-edit", args=[PLAN_CODE, code])


def test_the_second_save_of_an_objective_is_refused_and_shows_what_changed(two_editors, admin_user):
    ana, pablo = two_editors
    anas_form = shown_form(ana, objective_url())
    pablos_form = shown_form(pablo, objective_url())
    seen_name = StrategicObjective.objects.get(code="OE1").name

    response = ana.post(objective_url(), payload(anas_form, name="Enunciado de Ana"))
    assert response.status_code == 302
    before = fingerprint()

    response = pablo.post(objective_url(), payload(pablos_form, weight="2", axis="Eje de Pablo"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "otra persona cambió estos datos" in page
    conflict = response.context["conflict"]
    assert conflict.changes == [concurrency.Change("Enunciado", seen_name, "Enunciado de Ana")]
    assert conflict.changed_by == admin_user
    assert '<th scope="row">Enunciado</th><td>' in page and "Enunciado de Ana" in page
    assert admin_user.username in page

    objective = StrategicObjective.objects.get(code="OE1")
    assert (objective.name, objective.weight, objective.axis) == (
        "Enunciado de Ana",
        Decimal(1),
        anas_form["axis"].value(),
    )
    assert fingerprint() == before
    # The form now shows the current values, with a token for them: a new try goes through.
    fresh = response.context["form"]
    assert fresh["name"].value() == "Enunciado de Ana"
    response = pablo.post(objective_url(), payload(fresh, weight="2"))
    assert response.status_code == 302
    assert StrategicObjective.objects.get(code="OE1").weight == Decimal(2)


def test_a_change_of_responsible_units_by_someone_else_is_a_conflict_too(two_editors, unit):
    ana, pablo = two_editors
    anas_form = shown_form(ana, objective_url())
    pablos_form = shown_form(pablo, objective_url())
    ana.post(objective_url(), payload(anas_form, responsible_units=[str(unit("PGI").pk)]))

    response = pablo.post(objective_url(), payload(pablos_form, short_name="Otro nombre"))
    assert response.status_code == 409
    [change] = response.context["conflict"].changes
    assert (change.label, change.seen) == ("Unidades responsables", "—")
    assert "PGI" in change.current
    assert StrategicObjective.objects.get(code="OE1").short_name != "Otro nombre"


def test_a_forged_version_saves_nothing(client, planner):
    client.force_login(planner)
    before = fingerprint()
    data = payload(shown_form(client, objective_url()), name="X", version="inventado")
    assert client.post(objective_url(), data).status_code == 409
    assert fingerprint() == before


def test_an_element_deleted_meanwhile_is_reported_not_recreated(two_editors, official_plan):
    ana, pablo = two_editors
    spare = make_objective(perspective=official_plan.perspective_set.get(code="INST"))
    edit = objective_url(spare.code)
    delete = reverse("objective-delete", args=[PLAN_CODE, spare.code])
    pablos_form = shown_form(pablo, edit)
    assert ana.post(delete, payload(shown_form(ana, delete))).status_code == 302

    response = pablo.post(edit, payload(pablos_form, name="Nuevo"), follow=True)
    assert "Otra persona eliminó este elemento" in response.content.decode()
    assert response.status_code == 200  # back in the editing area, told why
    assert not StrategicObjective.objects.filter(code=spare.code).exists()


def test_a_deletion_confirmed_after_someone_changed_the_element_is_refused(
    two_editors, official_plan
):
    ana, pablo = two_editors
    spare = make_objective(perspective=official_plan.perspective_set.get(code="INST"))
    delete = reverse("objective-delete", args=[PLAN_CODE, spare.code])
    confirmation = shown_form(pablo, delete)
    edit = objective_url(spare.code)
    ana.post(edit, payload(shown_form(ana, edit), name="Cambiado"))

    response = pablo.post(delete, payload(confirmation))
    assert response.status_code == 409
    assert "Cambiado" in response.content.decode()
    assert StrategicObjective.objects.filter(pk=spare.pk).exists()


def test_a_unit_edited_by_two_people_keeps_the_first_change(two_editors, official_plan):
    ana, pablo = two_editors
    address = reverse("unit-edit", args=[PLAN_CODE, "RI"])
    anas_form, pablos_form = shown_form(ana, address), shown_form(pablo, address)
    assert ana.post(address, payload(anas_form, name="Relaciones Exteriores")).status_code == 302
    assert pablo.post(address, payload(pablos_form, name="Cooperación")).status_code == 409
    assert OrgUnit.objects.get(code="RI").name == "Relaciones Exteriores"


# --- two people, one targets grid ---------------------------------------------------------


def grid_url(code="13.2"):
    return reverse("target-grid", args=[PLAN_CODE, code])


@pytest.fixture
def programmed(official_plan):
    indicator = official_plan.indicator_set.get(code="13.2")
    make_target(indicator=indicator, period="2019", value="80")
    return indicator


def test_the_second_save_of_a_grid_is_refused_and_shows_the_changed_cells(
    two_editors, admin_user, programmed
):
    ana, pablo = two_editors
    anas_grid, pablos_grid = shown_form(ana, grid_url()), shown_form(pablo, grid_url())
    assert ana.post(grid_url(), payload(anas_grid, meta_2020="85")).status_code == 302
    history = Target.history.count()

    response = pablo.post(grid_url(), payload(pablos_grid, meta_2019="75", reason="Reforma"))
    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert conflict.changes == [concurrency.Change("Meta 2020", "—", "85")]
    assert conflict.changed_by == admin_user
    assert "Meta 2020" in response.content.decode()
    values = {t.period: t.value for t in programmed.targets.all()}
    assert values == {"2019": Decimal(80), "2020": Decimal(85)}
    assert Target.history.count() == history
    assert response.context["form"]["meta_2020"].value() == "85"


def test_a_target_cleared_by_someone_else_is_a_conflict(two_editors, programmed):
    ana, pablo = two_editors
    anas_grid, pablos_grid = shown_form(ana, grid_url()), shown_form(pablo, grid_url())
    ana.post(grid_url(), payload(anas_grid, meta_2019="", reason="Se elimina la meta"))
    assert not programmed.targets.exists()

    response = pablo.post(grid_url(), payload(pablos_grid, meta_2021="90"))
    assert response.status_code == 409
    assert response.context["conflict"].changes == [concurrency.Change("Meta 2019", "80", "—")]
    assert not programmed.targets.exists()
