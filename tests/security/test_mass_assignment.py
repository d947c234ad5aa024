"""Mass assignment: posting fields a role may not set, next to the ones it may.

A form posts what its page shows, but anyone can add fields to the request: a state
(``status=validado``), provenance (``validated_by``, ``reported_by``, ``imported_by``), the
lock (``version``), where the row belongs (``indicator``, ``plan``, ``unit``, ``batch``),
people's rights (``is_staff``, ``is_superuser``, a unit's members). Each must be ignored or
refused, and nothing but the fields the role may set may change.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from planning.models import Indicator, OrgUnit, Perspective, StrategicObjective
from scorecard.models import Evidence, ImportBatch, Measurement, PendingImport
from tests.conftest import PLAN_CODE, form_data
from tests.factories import make_plan
from tests.security.conftest import PDF, admin_form_data, csv_bytes

Status = Measurement.Status


@pytest.fixture
def intruder(official_plan):
    """Someone whose name a forged field would put on a record."""
    return get_user_model().objects.create_user("intruso")


def extra_fields(*, scene, intruder) -> dict:
    """Everything a role may not set on a report, with values an attacker would want."""
    ri = scene["RI"]
    return {
        "status": Status.VALIDATED,
        "validated_by": intruder.pk,
        "validated_at": "2019-01-01T00:00:00Z",
        "reported_by": intruder.pk,
        "indicator": ri.indicator.pk,
        "indicator_id": ri.indicator.pk,
        "plan": make_plan().pk,
        "unit": OrgUnit.objects.get(code="RI").pk,
        "period": "2019",
        "import_batch": ri.batch.pk,
        "batch": ri.batch.pk,
        "import_row": "7",
        "imported_by": intruder.pk,
        "return_comment": "forjado",
        "gadp": "1",
        "id": ri.under_review.pk,
        "pk": ri.under_review.pk,
    }


def _without(rows: list[dict], pk) -> list[dict]:
    return [row for row in rows if row["id"] != pk]


def _rows(queryset) -> list[dict]:
    return list(queryset.order_by("pk").values())


# --- the report form ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["draft", "submit"])
def test_the_report_form_ignores_state_provenance_and_ownership_fields(
    client, scene, reporter, intruder, action
):
    client.force_login(reporter)
    others = _rows(Measurement.objects.all())
    url = reverse("report-edit", args=[PLAN_CODE, "11.1", "2021"])
    data = {"value": "12", "analysis": "explicado", "action": action, "version": ""}
    response = client.post(url, {**extra_fields(scene=scene, intruder=intruder), **data})
    assert response.status_code == 302
    saved = Measurement.objects.get(indicator__code="11.1", period="2021", gadp=None)
    assert saved.status == (Status.REPORTED if action == "submit" else Status.DRAFT)
    assert (saved.validated_by, saved.validated_at) == (None, None)
    assert saved.reported_by == (reporter if action == "submit" else None)
    assert (saved.import_batch, saved.import_row, saved.return_comment) == (None, None, "")
    assert (saved.value, saved.analysis, saved.version) == (12, "explicado", 1)
    assert _without(_rows(Measurement.objects.all()), saved.pk) == others


def test_a_forged_version_does_not_overwrite_a_report_changed_since(client, scene, reporter):
    """``version`` is the lock: a made-up one is a conflict, never a way around it."""
    client.force_login(reporter)
    url = reverse("report-edit", args=[PLAN_CODE, "11.1", "2021"])
    data = {"value": "1", "analysis": "", "action": "draft", "version": ""}
    assert client.post(url, data).status_code == 302
    stored = _rows(Measurement.objects.all())
    response = client.post(url, {**data, "value": "2", "version": "99"})
    assert response.status_code == 200 and response.context["conflict"]
    assert _rows(Measurement.objects.all()) == stored


# --- the validation actions -----------------------------------------------------------------


def _posted(client, name: str, m: Measurement, extra: dict, **data):
    body = {**extra, "value": "999", "analysis": "cambiado", "version": m.version, **data}
    return client.post(reverse(name, args=[m.pk]), body)


def _unchanged_but(m: Measurement, before: dict, *fields: str) -> None:
    """``m`` as stored now equals ``before`` except in ``fields``, the lock and the clock."""
    moving = {"version", "updated_at", *fields, *(f"{f}_id" for f in fields)}
    now = Measurement.objects.values().get(pk=m.pk)
    assert {k: v for k, v in now.items() if k not in moving} == {
        k: v for k, v in before.items() if k not in moving
    }


@pytest.mark.parametrize(
    ("name", "kind", "data", "state", "moved"),
    [
        (
            "measurement-validate",
            "under_review",
            {},
            Status.VALIDATED,
            ("status", "validated_by", "validated_at"),
        ),
        (
            "measurement-return",
            "under_review",
            {"comment": "revisar"},
            Status.RETURNED,
            ("status", "return_comment"),
        ),
        (
            "measurement-reopen",
            "validated",
            {"reason": "revisar"},
            Status.RETURNED,
            ("status", "validated_by", "validated_at", "return_comment"),
        ),
    ],
)
def test_the_validation_actions_change_only_the_state_they_are_for(
    client, scene, planner, intruder, name, kind, data, state, moved
):
    m = getattr(scene["PGI"], kind)
    before = Measurement.objects.values().get(pk=m.pk)
    others = _without(_rows(Measurement.objects.all()), m.pk)
    client.force_login(planner)
    extra = extra_fields(scene=scene, intruder=intruder)
    response = _posted(client, name, m, {**extra, "status": Status.DRAFT}, **data)
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == state
    assert m.validated_by in (None, planner)
    _unchanged_but(m, before, *moved)
    assert _without(_rows(Measurement.objects.all()), m.pk) == others


def test_bulk_validation_validates_only_what_was_ticked_and_as_the_planner(
    client, scene, planner, intruder
):
    m = scene["PGI"].under_review
    others = _without(_rows(Measurement.objects.all()), m.pk)
    client.force_login(planner)
    body = {**extra_fields(scene=scene, intruder=intruder), "item": [f"{m.pk}:{m.version}"]}
    assert client.post(reverse("measurements-validate-selected"), body).status_code == 302
    m.refresh_from_db()
    assert (m.status, m.validated_by, m.value) == (Status.VALIDATED, planner, 5)
    assert _without(_rows(Measurement.objects.all()), m.pk) == others


# --- the plan's editing forms ---------------------------------------------------------------


def test_an_element_form_ignores_plan_and_id_and_saves_only_its_fields(client, scene, planner):
    client.force_login(planner)
    other = make_plan()
    url = reverse("indicator-edit", args=[PLAN_CODE, "11.1"])
    page = client.get(url)
    stored = Indicator.objects.get(plan__code=PLAN_CODE, code="11.1")
    data = {**form_data(page.context["form"]), "name": "Nombre nuevo"}
    forged = {"plan": other.pk, "plan_id": other.pk, "id": 999, "history_user": planner.pk}
    assert client.post(url, {**data, **forged}).status_code == 302
    indicator = Indicator.objects.get(pk=stored.pk)
    assert (indicator.plan_id, indicator.name) == (stored.plan_id, "Nombre nuevo")
    assert not Indicator.objects.filter(plan=other).exists()


def test_a_new_element_goes_into_the_plan_of_its_url(client, scene, planner):
    client.force_login(planner)
    other = make_plan()
    url = reverse("perspective-create", args=[PLAN_CODE])
    body = {"code": "NUEVA", "name": "Nueva", "weight": "1", "order": "9", "plan": other.pk}
    assert client.post(url, body).status_code == 302
    assert Perspective.objects.get(code="NUEVA").plan.code == PLAN_CODE
    assert not Perspective.objects.filter(plan=other).exists()


def test_a_planner_cannot_change_who_belongs_to_a_unit(client, scene, planner, intruder):
    """Members decide what a reporter reports: administrators only (access.can_manage_members)."""
    client.force_login(planner)
    unit = OrgUnit.objects.get(code="PGI")
    members = set(unit.members.values_list("pk", flat=True))
    url = reverse("unit-edit", args=[PLAN_CODE, "PGI"])
    page = client.get(url)
    assert "members" not in page.context["form"].fields
    forged = {"members": [intruder.pk, planner.pk], "institution": make_plan().institution_id}
    body = {**form_data(page.context["form"]), "name": "Otro nombre", **forged}
    assert client.post(url, body).status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Otro nombre"
    assert set(unit.members.values_list("pk", flat=True)) == members
    assert unit.institution_id == Indicator.objects.get(code="11.1").plan.institution_id


def test_an_objective_form_cannot_link_objectives_of_another_plan(client, scene, planner):
    client.force_login(planner)
    foreign = StrategicObjective.objects.create(
        plan=(other := make_plan()),
        perspective=Perspective.objects.create(plan=other, code="X", name="X"),
        code="OX",
        name="Otro plan",
    )
    url = reverse("objective-edit", args=[PLAN_CODE, "OE1"])
    page = client.get(url)
    body = {**form_data(page.context["form"]), "effects": [foreign.pk]}
    response = client.post(url, body)
    assert response.status_code == 200  # the choice is refused on the form
    assert not StrategicObjective.objects.get(plan__code=PLAN_CODE, code="OE1").effects.exists()


# --- the web import -------------------------------------------------------------------------


def _upload(client, period: str, **options):
    upload = SimpleUploadedFile(
        "valores.csv", csv_bytes([["11.1", period, "8", ""]]), content_type="text/csv"
    )
    body = {"plan": PLAN_CODE, "kind": "mediciones", "file": upload, **options}
    return client.post(reverse("import-start"), body)


def test_a_reporter_cannot_import_values_as_validated_or_overwrite(
    client, scene, reporter, intruder
):
    client.force_login(reporter)
    forged = {"validate": "on", "overwrite": "on", "reason": "x", "user": intruder.pk}
    assert _upload(client, "2016", **forged).status_code in (302, 400)
    pending = PendingImport.objects.filter(user=reporter).latest("pk")
    assert pending.options == {"validate": False, "overwrite": False}


def test_confirming_an_import_ignores_posted_options_owner_and_batch(
    client, scene, reporter, intruder
):
    client.force_login(reporter)
    batches = set(ImportBatch.objects.values_list("pk", flat=True))
    pending = scene["PGI"].pending
    forged = {
        "validate": "on",
        "overwrite": "on",
        "user": intruder.pk,
        "imported_by": intruder.pk,
        "batch": scene["RI"].batch.pk,
        "plan": make_plan().pk,
        "kind": "indicadores",
    }
    assert client.post(reverse("import-confirm", args=[pending.pk]), forged).status_code == 302
    (new,) = ImportBatch.objects.exclude(pk__in=batches)
    assert (new.user, new.validated, new.overwrite, new.kind) == (
        reporter,
        False,
        False,
        "mediciones",
    )
    assert new.plan.code == PLAN_CODE
    value = Measurement.objects.get(indicator__code="11.1", period="2021", gadp=None)
    assert (value.status, value.import_batch) == (Status.REPORTED, new)


def test_a_reporter_cannot_import_another_format_than_values(client, scene, reporter):
    client.force_login(reporter)
    upload = SimpleUploadedFile("i.csv", b"codigo,nombre\r\n11.1,Cambiado\r\n")
    before = (_rows(Indicator.objects.all()), PendingImport.objects.count())
    body = {"plan": PLAN_CODE, "kind": "indicadores", "file": upload}
    assert client.post(reverse("import-start"), body).status_code == 400
    assert (_rows(Indicator.objects.all()), PendingImport.objects.count()) == before


def test_planning_staff_may_import_as_validated(client, scene, planner):
    """The control: the same option posted by someone who may use it is honoured."""
    client.force_login(planner)
    assert _upload(client, "2016", validate="on").status_code in (302, 400)
    assert PendingImport.objects.filter(user=planner).latest("pk").options["validate"] is True


# --- the admin, for those who are not administrators ----------------------------------------


def _user_change(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


ESCALATION = {"is_staff": "on", "is_superuser": "on", "is_active": "on", "groups": ["1", "2"]}


@pytest.mark.parametrize("role", ["direccion", "responsable"])
def test_people_outside_the_admin_are_sent_to_its_login_and_change_nothing(
    client, scene, personas, role
):
    user = personas[role]
    client.force_login(user)
    before = _rows(get_user_model().objects.all())
    for url in (reverse("admin:index"), _user_change(user), reverse("admin:auth_user_add")):
        response = client.post(url, {"username": user.username, **ESCALATION})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert _rows(get_user_model().objects.all()) == before


def test_a_planner_cannot_give_anyone_admin_rights(client, scene, planner, reporter):
    client.force_login(planner)
    before = _rows(get_user_model().objects.all())
    for user in (planner, reporter):
        body = {"username": user.username, **ESCALATION}
        assert client.post(_user_change(user), body).status_code == 403
    assert client.post(reverse("admin:auth_user_add"), ESCALATION).status_code == 403
    assert _rows(get_user_model().objects.all()) == before


def test_a_planner_cannot_change_unit_members_through_the_admin(client, scene, planner, intruder):
    client.force_login(planner)
    unit = OrgUnit.objects.get(code="PGI")
    members = set(unit.members.values_list("pk", flat=True))
    url = reverse("admin:planning_orgunit_change", args=[unit.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = {**admin_form_data(page), "name": "PGI renombrada", "members": [intruder.pk]}
    response = client.post(url, body)
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "PGI renombrada"
    assert set(unit.members.values_list("pk", flat=True)) == members


def test_the_admin_does_not_let_anyone_forge_who_reported_or_validated_a_value(
    client, scene, planner, intruder
):
    m = scene["PGI"].validated
    before = Measurement.objects.values().get(pk=m.pk)
    client.force_login(planner)
    url = reverse("admin:scorecard_measurement_change", args=[m.pk])
    page = client.get(url)
    assert page.status_code == 200  # read only: values change through the workflow
    assert b'name="reported_by"' not in page.content and b'name="value"' not in page.content
    forged = {
        "reported_by": intruder.pk,
        "validated_by": intruder.pk,
        "reported_at_0": "01/01/2019",
        "reported_at_1": "00:00:00",
        "validated_at_0": "01/01/2019",
        "validated_at_1": "00:00:00",
        "import_batch": scene["RI"].batch.pk,
        "import_row": "3",
        "version": "99",
    }
    response = client.post(url, {**admin_form_data(page), **forged, "value": "1"})
    assert response.status_code == 403
    after = Measurement.objects.values().get(pk=m.pk)
    assert after["value"] == before["value"]
    for name in ("reported_by_id", "validated_by_id", "reported_at", "validated_at"):
        assert after[name] == before[name], name
    assert (after["import_batch_id"], after["import_row"]) == (None, None)
    assert after["version"] == before["version"]


def test_the_admin_takes_no_evidence_file_around_the_content_check(client, scene, planner):
    """Evidence enters through the report form, which checks what a file is (test_evidence):
    the admin neither adds one, nor replaces a file, nor attaches one to a value."""
    client.force_login(planner)
    item = scene["PGI"].evidence
    before = (_rows(Evidence.objects.all()), Evidence.history.count())

    def exe():
        return SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")

    add = reverse("admin:scorecard_evidence_add")
    body = {"measurement": item.measurement.pk, "file": exe(), "content_type": "text/html"}
    assert client.post(add, {**body, "original_name": "acta.pdf", "size": "4"}).status_code == 403
    change = reverse("admin:scorecard_evidence_change", args=[item.pk])
    assert (
        client.post(change, {**body, "original_name": "acta.pdf", "size": "4"}).status_code == 403
    )
    measurement = reverse("admin:scorecard_measurement_change", args=[item.measurement.pk])
    data = admin_form_data(client.get(measurement))
    total = int(data["evidence-TOTAL_FORMS"])
    data |= {"evidence-TOTAL_FORMS": str(total + 1), f"evidence-{total}-file": exe()}
    assert client.post(measurement, data).status_code == 403
    assert (_rows(Evidence.objects.all()), Evidence.history.count()) == before
    assert item.file.open("rb").read() == PDF
