"""Planners edit the plan in the browser: who may, each element's forms, and their history."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from planning.forms.structure import StrategyForm
from planning.models import (
    ExpectedResult,
    Indicator,
    ObjectiveLink,
    OrgUnit,
    Perspective,
    Plan,
    StrategicObjective,
    Strategy,
    Target,
)
from tests.conftest import PASSWORD, PLAN_CODE, form_data
from tests.factories import make_indicator, make_measurement, make_objective, make_target

User = get_user_model()
ROLES = ["admin", "planificacion", "direccion", "responsable", "otro_responsable", "anonimo"]
EDITORS = {"admin", "planificacion"}
KINDS = ["perspective", "objective", "strategy", "result", "indicator", "unit"]
# The elements the permission table edits and deletes (``spare`` makes them).
SPARE_CODES = {
    "perspective": "T-P",
    "objective": "T-OE",
    "strategy": "T-E",
    "result": "T-R",
    "indicator": "T-I",
    "unit": "T-U",
}
MODELS = {
    "perspective": Perspective,
    "objective": StrategicObjective,
    "strategy": Strategy,
    "result": ExpectedResult,
    "indicator": Indicator,
    "unit": OrgUnit,
}


def payload(form, **changes) -> dict:
    """What a browser posts for ``form`` as shown, with ``changes`` typed over it (None: left
    out)."""
    data = {**form_data(form), **changes}
    return {k: v for k, v in data.items() if v is not None}


def shown_form(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["form"]


def url(name: str, *args) -> str:
    return reverse(name, args=[PLAN_CODE, *args])


def fingerprint() -> dict:
    """Rows and history rows of everything the editing pages write."""
    counts = {
        model.__name__: (model.objects.count(), model.history.count())
        for model in [*MODELS.values(), Target, ObjectiveLink]
    }
    counts["members"] = OrgUnit.members.through.objects.count()
    counts["units_of_objectives"] = StrategicObjective.responsible_units.through.objects.count()
    return counts


@pytest.fixture
def plan(official_plan) -> Plan:
    return official_plan


@pytest.fixture
def spare(plan):
    """One element of each kind that nothing depends on."""
    gadp = Perspective.objects.get(plan=plan, code="GADP")
    oe1 = StrategicObjective.objects.get(plan=plan, code="OE1")
    return {
        "perspective": Perspective.objects.create(plan=plan, code="T-P", name="Perspectiva T"),
        "objective": StrategicObjective.objects.create(
            plan=plan, perspective=gadp, code="T-OE", name="Objetivo T"
        ),
        "strategy": Strategy.objects.create(plan=plan, objective=oe1, code="T-E", text="Est T"),
        "result": ExpectedResult.objects.create(
            plan=plan, objective=oe1, code="T-R", text="Resultado T"
        ),
        "indicator": Indicator.objects.create(
            plan=plan, objective=oe1, code="T-I", name="Indicador T"
        ),
        "unit": OrgUnit.objects.create(
            institution=plan.institution, code="T-U", name="Unidad T", kind=OrgUnit.Kind.SUPPORT
        ),
    }


def new_element(kind: str, plan: Plan) -> dict:
    """What a person types to create an element of ``kind`` (the rest keeps its default)."""
    oe1 = StrategicObjective.objects.get(plan=plan, code="OE1").pk
    gadp = Perspective.objects.get(plan=plan, code="GADP").pk
    return {
        "perspective": {"code": "N-P", "name": "Nueva perspectiva"},
        "objective": {"code": "N-OE", "name": "Nuevo objetivo", "perspective": str(gadp)},
        "strategy": {"code": "N-E", "objective": str(oe1), "text": "Nueva estrategia"},
        "result": {"code": "N-R", "objective": str(oe1), "text": "Nuevo resultado"},
        "indicator": {"code": "N-I", "objective": str(oe1), "name": "Nuevo indicador"},
        "unit": {"code": "N-U", "name": "Nueva unidad", "kind": "apoyo"},
    }[kind]


TEXT_FIELD = {
    "perspective": "name",
    "objective": "name",
    "strategy": "text",
    "result": "text",
    "indicator": "name",
    "unit": "name",
}


def edit_urls() -> dict:
    """Every edit URL of the spare elements → how an editor fills its POST."""
    actions = {"plan-edit": (lambda: url("plan-edit"), None)}
    for kind in KINDS:
        code = SPARE_CODES[kind]
        actions[f"{kind}-create"] = (
            lambda kind=kind: url(f"{kind}-create"),
            lambda form, plan, kind=kind: payload(form, **new_element(kind, plan)),
        )
        actions[f"{kind}-edit"] = (
            lambda kind=kind, code=code: url(f"{kind}-edit", code),
            lambda form, plan, kind=kind: payload(form, **{TEXT_FIELD[kind]: "Cambiado"}),
        )
        actions[f"{kind}-delete"] = (
            lambda kind=kind, code=code: url(f"{kind}-delete", code),
            lambda form, plan: payload(form),
        )
    actions["target-grid"] = (
        lambda: url("target-grid", "T-I"),
        lambda form, plan: payload(form, meta_2019="5"),
    )
    return actions


ACTIONS = edit_urls()


def expected(role: str, method: str) -> int:
    if role == "anonimo":
        return 302
    if role not in EDITORS:
        return 403
    return 200 if method == "GET" else 302


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_table_for_showing_every_edit_page(client, personas, spare, role, action):
    if personas[role]:
        client.force_login(personas[role])
    response = client.get(ACTIONS[action][0]())
    assert response.status_code == expected(role, "GET")
    if role == "anonimo":
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", [a for a, (_u, fill) in ACTIONS.items() if fill])
def test_permission_table_for_posting_every_edit_form(client, personas, spare, plan, role, action):
    """A refused post changes nothing; an editor's post is saved."""
    address, fill = ACTIONS[action]
    # The form as its user would see it; a refused user posts what an editor would.
    editor = Client()
    editor.force_login(personas[role] if role in EDITORS else personas["admin"])
    data = fill(shown_form(editor, address()), plan)
    if personas[role]:
        client.force_login(personas[role])
    before = fingerprint()
    response = client.post(address(), data)
    assert response.status_code == expected(role, "POST")
    if role in EDITORS:
        assert fingerprint() != before
    else:
        assert fingerprint() == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_an_account_without_a_role_finds_no_edit_page(client, spare, action):
    nobody = User.objects.create_user("sin_rol", password=PASSWORD)
    client.force_login(nobody)
    before = fingerprint()
    assert client.get(ACTIONS[action][0]()).status_code == 404
    assert client.post(ACTIONS[action][0](), {"code": "X"}).status_code == 404
    assert fingerprint() == before


def test_an_unknown_plan_has_no_editing_area(client, planner):
    client.force_login(planner)
    assert client.get(reverse("plan-edit", args=["NO-EXISTE"])).status_code == 404


def test_an_unknown_element_is_not_found(client, planner):
    client.force_login(planner)
    assert client.get(url("objective-edit", "OE99")).status_code == 404


# --- the editing area ---------------------------------------------------------------------


def test_the_editing_area_lists_every_element_with_its_links(client, planner, spare):
    client.force_login(planner)
    page = client.get(url("plan-edit")).content.decode()
    for name, code in [
        ("perspective-edit", "GADP"),
        ("objective-edit", "OE4"),
        ("objective-delete", "OE1"),
        ("strategy-edit", "E2.9"),
        ("result-delete", "R4.2"),
        ("indicator-edit", "14.1"),
        ("target-grid", "13.2"),
        ("unit-edit", "PGI"),
    ]:
        assert f'href="{url(name, code)}"' in page, (name, code)
    assert url("strategy-create") + "?objetivo=OE1" in page
    assert url("unit-create") in page


def test_the_plan_pages_link_to_the_editing_area_only_for_editors(client, planner, director):
    edit_link = f'href="{url("plan-edit")}"'
    client.force_login(director)
    assert edit_link not in client.get(url("plan-detail")).content.decode()
    assert edit_link not in client.get(reverse("plan-list")).content.decode()
    client.force_login(planner)
    assert edit_link in client.get(url("plan-detail")).content.decode()
    assert edit_link in client.get(reverse("plan-list")).content.decode()


def test_the_editing_area_does_not_grow_in_queries_with_the_plan(
    client, planner, plan, django_assert_max_num_queries
):
    client.force_login(planner)
    client.get(url("plan-edit"))  # session and role, as on any page
    # session, user, role; plan (access) + the plan's document: plan, principles, policies,
    # perspectives, objectives, strategies, results, indicators with units, objectives'
    # units; the institution's units with their parents.
    with django_assert_max_num_queries(14):
        assert client.get(url("plan-edit")).status_code == 200
    for _ in range(3):
        objective = make_objective(perspective=Perspective.objects.get(plan=plan, code="INST"))
        objective.responsible_units.add(*OrgUnit.objects.all()[:3])
        for _ in range(8):
            make_indicator(objective=objective, responsible_unit=OrgUnit.objects.first())
        OrgUnit.objects.create(
            institution=plan.institution, code=f"X{objective.pk}", name="X", kind="apoyo"
        )
    with django_assert_max_num_queries(14):
        assert client.get(url("plan-edit")).status_code == 200


# --- create, edit, delete each kind -------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_planner_creates_an_element_and_the_history_names_them(client, planner, plan, kind):
    client.force_login(planner)
    address = url(f"{kind}-create")
    response = client.post(address, payload(shown_form(client, address), **new_element(kind, plan)))
    assert response.status_code == 302
    created = MODELS[kind].objects.get(code=new_element(kind, plan)["code"])
    record = created.history.get()
    assert record.history_type == "+"
    assert record.history_user == planner


@pytest.mark.parametrize("kind", KINDS)
def test_a_planner_edits_an_element_with_a_reason_the_history_keeps(client, planner, spare, kind):
    client.force_login(planner)
    address = url(f"{kind}-edit", SPARE_CODES[kind])
    data = payload(shown_form(client, address), **{TEXT_FIELD[kind]: "Texto nuevo"})
    data["reason"] = "Corrección de redacción"
    assert client.post(address, data).status_code == 302
    element = MODELS[kind].objects.get(pk=spare[kind].pk)
    assert getattr(element, TEXT_FIELD[kind]) == "Texto nuevo"
    latest = element.history.latest("history_id")
    assert (latest.history_type, latest.history_user) == ("~", planner)
    assert latest.history_change_reason == "Corrección de redacción"


@pytest.mark.parametrize("kind", KINDS)
def test_a_planner_deletes_an_element_after_confirming(client, planner, spare, kind):
    client.force_login(planner)
    address = url(f"{kind}-delete", SPARE_CODES[kind])
    page = client.get(address)
    assert "¿Seguro que desea eliminarlo?" in page.content.decode()
    data = payload(page.context["form"], reason="Duplicado")
    assert client.post(address, data).status_code == 302
    model = MODELS[kind]
    assert not model.objects.filter(pk=spare[kind].pk).exists()
    record = model.history.filter(id=spare[kind].pk).latest("history_id")
    assert (record.history_type, record.history_user) == ("-", planner)
    assert record.history_change_reason == "Duplicado"


def test_saving_an_unchanged_form_writes_nothing(client, planner, spare):
    client.force_login(planner)
    address = url("objective-edit", "T-OE")
    before = fingerprint()
    response = client.post(address, payload(shown_form(client, address)), follow=True)
    assert "No había cambios que guardar." in response.content.decode()
    assert fingerprint() == before


DUPLICATES = {
    "perspective": "INST",
    "objective": "OE2",
    "strategy": "E1.2",
    "result": "R1.2",
    "indicator": "11.2",
    "unit": "RI",
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_duplicate_code_is_an_error_on_the_code_field(client, planner, spare, kind):
    client.force_login(planner)
    address = url(f"{kind}-edit", SPARE_CODES[kind])
    before = fingerprint()
    response = client.post(
        address, payload(shown_form(client, address), code=DUPLICATES[kind].lower())
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["code"]
    assert "ya lo usa otr" in errors["code"][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert fingerprint() == before


def test_a_refused_code_does_not_leak_into_the_pages_links(client, planner, spare):
    client.force_login(planner)
    address = url("indicator-edit", "T-I")
    page = client.post(address, payload(shown_form(client, address), code="11.2"))
    assert url("target-grid", "T-I") in page.content.decode()
    assert url("target-grid", "11.2") not in page.content.decode()


def test_a_duplicate_code_created_in_a_race_is_still_a_field_error(
    client, planner, plan, monkeypatch
):
    """The database's unique constraint answers on the field too, never with a 500."""
    client.force_login(planner)
    address = url("strategy-create")
    data = payload(shown_form(client, address), **new_element("strategy", plan))
    original = StrategyForm.duplicate
    calls = []

    def duplicate_after_race(self, code):
        calls.append(code)
        if len(calls) == 1:
            Strategy.objects.create(
                plan=plan, objective=StrategicObjective.objects.get(code="OE1"), code=code, text="x"
            )
            return False
        return original(self, code)

    # Someone else creates the same code once our form has passed its checks.
    monkeypatch.setattr(StrategyForm, "duplicate", duplicate_after_race)
    response = client.post(address, data)
    assert response.status_code == 200
    assert "ya lo usa otro elemento" in response.context["form"].errors["code"][0]


def test_model_rules_are_errors_on_their_fields(client, planner, spare):
    client.force_login(planner)
    address = url("indicator-edit", "T-I")
    data = payload(
        shown_form(client, address),
        reference="brecha",
        baseline=None,
        green_threshold="60",
        yellow_threshold="70",
    )
    response = client.post(address, data)
    errors = response.context["form"].errors
    assert "línea base" in errors["baseline"][0]
    assert "mayor que el amarillo" in errors["green_threshold"][0]
    assert Indicator.objects.get(code="T-I").reference == "meta"


def test_a_unit_cannot_become_its_own_ancestor(client, admin_user, plan):
    client.force_login(admin_user)
    sde = OrgUnit.objects.get(code="SDE")
    address = url("unit-edit", "DE")
    response = client.post(address, payload(shown_form(client, address), parent=str(sde.pk)))
    assert "ciclo" in response.context["form"].errors["parent"][0]


def test_numbers_are_read_with_comma_or_point_and_refused_when_not_numbers(client, planner, spare):
    client.force_login(planner)
    address = url("objective-edit", "T-OE")
    response = client.post(address, payload(shown_form(client, address), weight="0,5"))
    assert response.status_code == 302
    assert StrategicObjective.objects.get(code="T-OE").weight == Decimal("0.5")
    response = client.post(address, payload(shown_form(client, address), weight="1.000,5"))
    assert response.context["form"].errors["weight"] == ["Ingrese un número."]
    response = client.post(address, payload(shown_form(client, address), weight="-1"))
    assert response.context["form"].errors["weight"]


def test_an_objective_gets_its_units_and_cause_effect_links_with_history(
    client, planner, spare, unit
):
    client.force_login(planner)
    address = url("objective-edit", "T-OE")
    oe2 = StrategicObjective.objects.get(code="OE2")
    data = payload(
        shown_form(client, address),
        responsible_units=[str(unit("PGI").pk), str(unit("RI").pk)],
        effects=[str(oe2.pk)],
    )
    assert client.post(address, data).status_code == 302
    objective = StrategicObjective.objects.get(code="T-OE")
    assert {u.code for u in objective.responsible_units.all()} == {"PGI", "RI"}
    link = ObjectiveLink.objects.get(cause=objective)
    assert link.effect == oe2
    assert link.history.get().history_user == planner
    reason = objective.history.latest("history_id").history_change_reason
    assert "+PGI" in reason and "+OE2" in reason

    data = payload(shown_form(client, address), effects=[], responsible_units=[])
    assert client.post(address, data).status_code == 302
    assert not ObjectiveLink.objects.filter(cause=objective).exists()
    deleted = ObjectiveLink.history.filter(history_type="-").get()
    assert deleted.history_user == planner
    assert "−PGI" in objective.history.latest("history_id").history_change_reason


def test_an_objective_cannot_lead_to_itself_nor_to_another_plans_objective(client, planner, spare):
    client.force_login(planner)
    form = shown_form(client, url("objective-edit", "T-OE"))
    choices = set(form.fields["effects"].queryset)
    assert spare["objective"] not in choices
    foreign = make_objective()
    assert foreign not in choices
    response = client.post(url("objective-edit", "T-OE"), payload(form, effects=[str(foreign.pk)]))
    assert "effects" in response.context["form"].errors


def test_the_indicator_form_groups_the_whole_ficha_in_fieldsets(client, planner):
    client.force_login(planner)
    page = client.get(url("indicator-edit", "13.2")).content.decode()
    for legend in ["Identificación", "Ficha metodológica", "Cálculo", "Responsabilidad"]:
        assert f"<legend>{legend}</legend>" in page
    for field in ["definition", "formula", "verification_means", "polarity", "responsible_unit"]:
        assert f'for="id_{field}"' in page, field


def test_an_indicator_gets_its_responsible_unit_and_ficha(client, planner, unit):
    client.force_login(planner)
    address = url("indicator-edit", "13.2")
    data = payload(
        shown_form(client, address),
        responsible_unit=str(unit("PGI").pk),
        definition="Porcentaje de GADP con capacidades fortalecidas.",
        polarity="rango",
        factor="100",
    )
    assert client.post(address, data).status_code == 302
    indicator = Indicator.objects.get(code="13.2")
    assert indicator.responsible_unit.code == "PGI"
    assert indicator.definition.startswith("Porcentaje")
    assert (indicator.polarity, indicator.factor) == ("rango", Decimal(100))


def test_the_periodicity_of_an_indicator_with_targets_stays(client, planner, spare):
    make_target(indicator=spare["indicator"], period="2019", value="5")
    client.force_login(planner)
    address = url("indicator-edit", "T-I")
    response = client.post(address, payload(shown_form(client, address), periodicity="trimestral"))
    assert "periodicidad" in response.context["form"].errors["periodicity"][0]
    assert Indicator.objects.get(code="T-I").periodicity == "anual"


def test_only_an_administrator_changes_a_units_members(
    client, planner, admin_user, reporter, other_reporter
):
    client.force_login(planner)
    address = url("unit-edit", "PGI")
    form = shown_form(client, address)
    assert "members" not in form.fields
    page = client.get(address).content.decode()
    assert reporter.username in page  # shown, read only
    data = payload(form, members=[str(other_reporter.pk)], name="PGI renombrada")
    assert client.post(address, data).status_code == 302
    assert list(OrgUnit.objects.get(code="PGI").members.all()) == [reporter]

    client.force_login(admin_user)
    form = shown_form(client, address)
    data = payload(form, members=[str(reporter.pk), str(other_reporter.pk)])
    assert client.post(address, data).status_code == 302
    assert set(OrgUnit.objects.get(code="PGI").members.all()) == {reporter, other_reporter}
    record = OrgUnit.objects.get(code="PGI").history.latest("history_id")
    assert record.history_user == admin_user
    assert f"+{other_reporter.username}" in record.history_change_reason


# --- deletions refused while something depends on the element -----------------------------


@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("perspective", "GADP", "objetivos"),
        ("objective", "OE1", "2 indicadores"),
        ("unit", "PGI", "1 miembro"),
        ("unit", "SDE", "unidades dependientes"),
    ],
)
def test_a_deletion_is_refused_while_something_depends_on_the_element(
    client, planner, reporter, kind, code, words
):
    client.force_login(planner)
    address = url(f"{kind}-delete", code)
    page = client.get(address)
    assert words in page.content.decode()
    assert "No se puede eliminar" in page.content.decode()
    before = fingerprint()
    response = client.post(address, payload(page.context["form"]))
    assert response.status_code == 409
    assert words in response.content.decode()
    assert fingerprint() == before


def test_a_result_measured_by_an_indicator_cannot_be_deleted(client, planner, spare):
    spare["indicator"].result = spare["result"]
    spare["indicator"].save()
    client.force_login(planner)
    address = url("result-delete", "T-R")
    form = client.get(address).context["form"]
    before = fingerprint()
    response = client.post(address, payload(form))
    assert "1 indicador" in response.content.decode()
    assert fingerprint() == before


def test_an_indicator_with_reported_values_cannot_be_deleted(client, planner, spare):
    make_measurement(indicator=spare["indicator"], period="2018", value=Decimal(3))
    client.force_login(planner)
    address = url("indicator-delete", "T-I")
    form = client.get(address).context["form"]
    before = fingerprint()
    response = client.post(address, payload(form))
    assert "1 valor reportado" in response.content.decode()
    assert fingerprint() == before


def test_deleting_an_indicator_takes_its_targets_with_their_history(client, planner, spare):
    make_target(indicator=spare["indicator"], period="2019", value="5")
    client.force_login(planner)
    address = url("indicator-delete", "T-I")
    page = client.get(address)
    assert "Se elimina también 1 elemento" in page.content.decode()
    assert client.post(address, payload(page.context["form"])).status_code == 302
    assert not Target.objects.filter(indicator_id=spare["indicator"].pk).exists()
    record = Target.history.filter(history_type="-").get()
    assert record.history_user == planner


# --- what readers see right after an edit -------------------------------------------------


def test_the_plan_page_and_the_indicator_page_show_an_edit_at_once(client, planner, director):
    client.force_login(director)
    plan_page = url("plan-detail")
    indicator_page = reverse("indicator-detail", args=[PLAN_CODE, "13.2"])
    assert "Nombre corregido del indicador" not in client.get(plan_page).content.decode()
    assert "no-store" in client.get(plan_page)["Cache-Control"]

    editor = Client()
    editor.force_login(planner)
    address = url("indicator-edit", "13.2")
    data = payload(shown_form(editor, address), name="Nombre corregido del indicador")
    assert editor.post(address, data).status_code == 302

    assert "Nombre corregido del indicador" in client.get(plan_page).content.decode()
    assert "Nombre corregido del indicador" in client.get(indicator_page).content.decode()
