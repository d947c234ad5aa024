"""The web import: upload → preview (writes nothing) → confirm (all or nothing), per role.

The rows, options and messages are the commands' (``tests/test_import_measurements.py``);
here the same files go through the page, and what a person sees is checked: the preview's
counts and rows, the table of problems (fila, columna, valor, motivo), and the database
unchanged until the confirm.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from planning.models import Indicator, OrgUnit, Target
from scorecard.imports.pending import expire_pending
from scorecard.models import ClosedPeriod, ImportBatch, Measurement, PendingImport
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import make_measurement
from tests.test_import_helpers import example_file, run_plan, snapshot
from tests.test_import_measurements import HEADER, ROW_ERRORS

START = reverse("import-start")
HISTORY = reverse("import-history")


def upload(rows, header=HEADER, name="mediciones.csv") -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode("utf-8"), content_type="text/csv")


def post(client, file, kind="mediciones", **options):
    return client.post(START, {"plan": PLAN_CODE, "kind": kind, "file": file, **options})


def preview_of(response) -> PendingImport:
    assert response.status_code == 302, response.content.decode()[:2000]
    pending = PendingImport.objects.latest("pk")
    assert response["Location"] == reverse("import-preview", args=[pending.pk])
    return pending


def confirm(client, pending):
    return client.post(reverse("import-confirm", args=[pending.pk]))


@pytest.fixture
def pgi(official_plan):
    """11.2 and 13.2 (a ratio) are PGI's; the others belong to no unit."""
    unit = OrgUnit.objects.get(code="PGI")
    for code in ("11.2", "13.2"):
        indicator = Indicator.objects.get(plan=official_plan, code=code)
        indicator.responsible_unit = unit
        indicator.save()
    return unit


def _value(code, period):
    return Measurement.objects.get(indicator__code=code, period=period, gadp=None)


# --- who may use the page -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("planificacion", 200),
        ("direccion", 403),
        ("responsable", 200),
        ("otro_responsable", 200),
    ],
)
def test_the_import_page_by_role(client, personas, role, status):
    client.force_login(personas[role])
    assert client.get(START).status_code == status
    assert post(client, upload([["11.2", "2018", "5", "", ""]])).status_code in (status, 302)
    if status != 200:
        assert not PendingImport.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, official_plan):
    for url in (START, HISTORY, reverse("import-template")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_account_without_a_role_finds_no_import_page(client, official_plan):
    nobody = get_user_model().objects.create_user("sin_rol", password=PASSWORD)
    client.force_login(nobody)
    assert client.get(START).status_code == 404
    assert client.get(HISTORY).status_code == 404


def test_a_reporter_is_offered_values_only_and_no_options(client, reporter):
    client.force_login(reporter)
    page = client.get(START)
    form = page.context["form"]
    assert list(form.fields) == ["plan", "kind", "file"]
    assert [value for value, _label in form.fields["kind"].choices] == ["mediciones"]
    units = page.context["template_form"].fields["unidad"].queryset
    assert list(units.values_list("code", flat=True)) == ["PGI"]


def test_planning_staff_get_every_format_and_the_options(client, planner):
    client.force_login(planner)
    page = client.get(START)
    form = page.context["form"]
    assert list(form.fields) == ["plan", "kind", "file", "validate", "overwrite", "reason"]
    assert [v for v, _label in form.fields["kind"].choices] == [
        "indicadores",
        "metas",
        "mediciones",
    ]
    html = page.content.decode()
    assert "Marcar como validados" in html
    assert "Reemplazar valores validados y de periodos cerrados" in html


def test_a_reporter_cannot_choose_another_format(client, reporter):
    client.force_login(reporter)
    response = post(
        client,
        upload([["11.2", "2018", "5"]], header=["indicador", "periodo", "meta"]),
        kind="metas",
    )
    assert response.status_code == 400
    assert not PendingImport.objects.exists()


# --- preview, then confirm ------------------------------------------------------------------


def test_the_preview_shows_what_would_change_and_writes_nothing(client, official_plan, planner):
    make_measurement(
        indicator=Indicator.objects.get(code="11.1"),
        period="2018",
        value=3,
        status=Measurement.Status.REPORTED,
    )
    client.force_login(planner)
    before = snapshot()
    rows = [
        ["11.2", "2018", "5", "", ""],
        ["13.2", "2018", "", "9", "12"],
        ["11.1", "2018", "3", "", ""],
    ]
    pending = preview_of(post(client, upload(rows)))
    assert snapshot() == before
    assert (pending.user, pending.state, pending.kind) == (planner, "pendiente", "mediciones")
    page = client.get(reverse("import-preview", args=[pending.pk]))
    html = page.content.decode()
    assert "creados 2, actualizados 0, sin cambios 1" in html
    created = page.context["sections"][0]
    assert created[2] == 2 and [number for number, _cells in created[3]] == [2, 3]
    assert created[3][1][1] == ["13.2", "2018", "", "9", "12"]
    assert "Confirmar la importación" in html
    assert snapshot() == before


def test_confirm_writes_everything_and_shows_the_counts_on_the_history(
    client, official_plan, planner
):
    client.force_login(planner)
    pending = preview_of(
        post(client, upload([["11.2", "2018", "5", "", ""], ["13.2", "2018", "", "9", "12"]]))
    )
    response = confirm(client, pending)
    assert response.status_code == 302 and response["Location"] == HISTORY
    page = client.get(HISTORY)
    assert "Importación hecha: creados 2, actualizados 0, sin cambios 0." in page.content.decode()
    batch = ImportBatch.objects.get()
    assert (batch.user, batch.file_name, batch.created, batch.validated) == (
        planner,
        "mediciones.csv",
        2,
        False,
    )
    value = _value("11.2", "2018")
    assert (value.value, value.status, value.reported_by, value.import_batch) == (
        5,
        Measurement.Status.REPORTED,
        planner,
        batch,
    )
    pending.refresh_from_db()
    assert (pending.state, pending.batch, bytes(pending.content)) == ("importada", batch, b"")


def test_the_validate_option_marks_the_values_validated(client, official_plan, planner):
    client.force_login(planner)
    pending = preview_of(post(client, upload([["11.2", "2018", "5", "", ""]]), validate="on"))
    assert pending.options == {"validate": True, "overwrite": False}
    confirm(client, pending)
    value = _value("11.2", "2018")
    assert (value.status, value.validated_by) == (Measurement.Status.VALIDATED, planner)
    assert ImportBatch.objects.get().validated


def test_targets_of_an_approved_plan_are_reformed_with_the_reason(client, official_plan, planner):
    indicator = Indicator.objects.get(code="11.2")
    Target.objects.create(indicator=indicator, period="2018", value=4)
    client.force_login(planner)
    header = ["indicador", "periodo", "meta"]
    pending = preview_of(post(client, upload([["11.2", "2018", "6"]], header=header), kind="metas"))
    assert pending.state == "con_errores"
    assert pending.preview["problems"][0][3] == (
        "cambiar la meta de un plan aprobado es una reforma: indique el motivo (--reason)"
    )
    reason = "Resolución 12-2018"
    pending = preview_of(
        post(client, upload([["11.2", "2018", "6"]], header=header), kind="metas", reason=reason)
    )
    confirm(client, pending)
    target = Target.objects.get(indicator=indicator, period="2018")
    assert (target.value, target.original_value, target.reform_reason) == (6, 4, reason)
    assert ImportBatch.objects.get().reason == reason


def test_importing_the_same_file_again_changes_nothing(client, official_plan, planner):
    client.force_login(planner)
    rows = [["11.2", "2018", "5", "", ""]]
    confirm(client, preview_of(post(client, upload(rows))))
    before = snapshot()
    pending = preview_of(post(client, upload(rows)))
    assert pending.preview["created"] == pending.preview["updated"] == 0
    confirm(client, pending)
    assert "creados 0, actualizados 0, sin cambios 1" in client.get(HISTORY).content.decode()
    assert snapshot() == before


def test_a_second_confirm_of_the_same_upload_does_nothing(client, official_plan, planner):
    client.force_login(planner)
    pending = preview_of(post(client, upload([["11.2", "2018", "5", "", ""]])))
    confirm(client, pending)
    before = snapshot()
    response = confirm(client, pending)
    assert response["Location"] == reverse("import-preview", args=[pending.pk])
    assert "ya no está pendiente" in client.get(response["Location"]).content.decode()
    assert snapshot() == before


# --- problems -------------------------------------------------------------------------------


@pytest.fixture
def configured(official_plan, tmp_path):
    """The worked example's indicator settings and targets (the rows' messages assume them)."""
    for command, name in (
        ("import_indicators", "indicadores.csv"),
        ("import_targets", "metas.csv"),
    ):
        assert run_plan(command, example_file(name, tmp_path))[0] == 0
    return official_plan


@pytest.mark.parametrize(("row", "message"), ROW_ERRORS)
def test_every_row_error_is_shown_exactly_and_nothing_is_written(
    client, configured, planner, row, message
):
    client.force_login(planner)
    before = snapshot()
    pending = preview_of(post(client, upload([row, ["11.2", "2019", "4", "", ""]])))
    assert pending.state == "con_errores"
    assert [line for *_cells, line in pending.preview["problems"]] == [message]
    html = client.get(reverse("import-preview", args=[pending.pk])).content.decode()
    reason = message.split(": ", 1)[1]
    assert escape(reason) in html
    assert "Confirmar la importación" not in html
    confirm(client, pending)
    assert snapshot() == before


def test_the_table_of_problems_names_row_column_value_and_reason(client, official_plan, planner):
    client.force_login(planner)
    rows = [["11.2", "2018", "x", "", ""], ["99", "2018", "1", "", ""]]
    pending = preview_of(post(client, upload(rows)))
    assert [cells[:4] for cells in pending.preview["problems"]] == [
        [2, "valor", "x", "«x» no es un número (use punto o coma decimal, sin separador de miles)"],
        [3, "indicador", "99", "no existe el indicador «99» en el plan CONGOPE-2017-2021"],
    ]
    html = client.get(reverse("import-preview", args=[pending.pk])).content.decode()
    table = html.split('id="tabla-errores"', 1)[1].split("</table>", 1)[0]
    for header in ("Fila", "Columna", "Valor", "Motivo"):
        assert f'<th scope="col">{header}</th>' in table
    assert '<th scope="row">3</th><td>indicador</td><td>99</td>' in table
    assert "El archivo tiene 2 errores: no se importará nada." in html


@pytest.mark.parametrize(
    ("kind", "header", "row", "message"),
    [
        (
            "metas",
            ["indicador", "periodo", "meta"],
            ["11.2", "2018", ""],
            "fila 2, columna meta: falta la meta",
        ),
        (
            "metas",
            ["indicador", "periodo", "meta", "meta_max"],
            ["11.2", "2018", "5", "7"],
            "fila 2, columna meta_max: el indicador 11.2 no es de sentido «rango»: "
            "no lleva meta_max",
        ),
        (
            "indicadores",
            ["codigo", "nombre"],
            ["", "Sin código"],
            "fila 2, columna codigo: falta el código",
        ),
        (
            "indicadores",
            ["codigo", "objetivo"],
            ["11.2", "OE9"],
            "fila 2, columna objetivo: no existe el objetivo «OE9» en el plan CONGOPE-2017-2021",
        ),
        (
            "mediciones",
            ["indicador", "periodo", "observacion"],
            ["11.2", "2018", "x"],
            "fila 1, columna observacion: columna desconocida; las columnas de este formato son: "
            "indicador, periodo, gadp, valor, numerador, denominador, analisis",
        ),
    ],
)
def test_problems_of_every_format_are_shown_exactly_and_nothing_is_written(
    client, official_plan, planner, kind, header, row, message
):
    client.force_login(planner)
    before = snapshot()
    pending = preview_of(post(client, upload([row], header=header), kind=kind))
    assert [line for *_cells, line in pending.preview["problems"]] == [message]
    html = client.get(reverse("import-preview", args=[pending.pk])).content.decode()
    assert escape(message.split(": ", 1)[1]) in html
    assert confirm(client, pending).status_code == 302
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"\xd0\xcf\x11\xe0rest",
            "archivo: es un .xls antiguo o un libro cifrado; guárdelo como xlsx o csv",
        ),
        (b"PK\x03\x04broken", "archivo: no es un archivo xlsx válido (el zip está dañado)"),
        (b"   ", "archivo: está vacío"),
    ],
)
def test_a_file_that_is_no_spreadsheet_is_refused_as_a_whole(
    client, official_plan, planner, data, message
):
    client.force_login(planner)
    response = post(client, SimpleUploadedFile("m.xlsx", data))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [message]
    assert escape(message) in response.content.decode()
    assert not PendingImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused_and_not_stored(
    client, official_plan, planner, settings
):
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(planner)
    rows = [["11.2", "2018", "5", "", "x" * 2000]]
    response = post(client, upload(rows, header=[*HEADER[:4], "analisis"]))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "archivo: pesa más de 1 KB, el máximo admitido"
    ]
    assert not PendingImport.objects.exists()


def test_a_file_over_the_row_limit_is_refused_and_not_stored(
    client, official_plan, planner, settings
):
    settings.IMPORT_MAX_ROWS = 2
    client.force_login(planner)
    rows = [["11.2", str(year), "5", "", ""] for year in (2017, 2018, 2019)]
    response = post(client, upload(rows))
    assert response.context["form"].errors["file"] == [
        "archivo: tiene 3 filas de datos; el máximo es 2"
    ]
    assert not PendingImport.objects.exists()


def test_the_default_limits_are_20_mb_and_200000_rows(client, planner):
    client.force_login(planner)
    html = client.get(START).content.decode()
    assert "Máximo 20 MB y 200000 filas de datos." in html


# --- pending uploads are their owner's ---------------------------------------------------------


@pytest.mark.parametrize("other", ["admin", "planificacion", "responsable"])
def test_nobody_else_sees_or_confirms_an_upload(client, personas, other):
    client.force_login(personas["planificacion"] if other != "planificacion" else personas["admin"])
    pending = preview_of(post(client, upload([["11.2", "2018", "5", "", ""]])))
    before = snapshot()
    client.force_login(personas[other])
    assert client.get(reverse("import-preview", args=[pending.pk])).status_code == 404
    assert confirm(client, pending).status_code == 404
    assert snapshot() == before
    assert PendingImport.objects.get().state == "pendiente"


def test_the_preview_and_confirm_take_only_their_methods(client, official_plan, planner):
    client.force_login(planner)
    pending = preview_of(post(client, upload([["11.2", "2018", "5", "", ""]])))
    assert client.get(reverse("import-confirm", args=[pending.pk])).status_code == 405
    assert client.post(reverse("import-preview", args=[pending.pk])).status_code == 405


def test_uploads_older_than_a_day_are_deleted_when_a_new_one_is_made(
    client, official_plan, planner
):
    client.force_login(planner)
    old = preview_of(post(client, upload([["11.2", "2018", "5", "", ""]])))
    PendingImport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    recent = preview_of(post(client, upload([["11.2", "2019", "5", "", ""]])))
    assert list(PendingImport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert expire_pending(timezone.now() + datetime.timedelta(days=2)) == 1


def test_the_confirm_checks_again_and_shows_what_changed_meanwhile(client, official_plan, planner):
    client.force_login(planner)
    pending = preview_of(post(client, upload([["11.2", "2018", "5", "", ""]])))
    # Meanwhile someone records and validates the same value with another figure.
    make_measurement(indicator=Indicator.objects.get(code="11.2"), period="2018", value=7)
    before = snapshot()
    response = confirm(client, pending)
    assert response["Location"] == reverse("import-preview", args=[pending.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Los datos cambiaron desde la vista previa" in html
    assert (
        escape("la medición 11.2 2018 ya está validada; para reemplazarla use --overwrite") in html
    )
    assert snapshot() == before
    pending.refresh_from_db()
    assert pending.state == "con_errores"


# --- reporters, closed periods ------------------------------------------------------------------


def test_a_reporter_imports_their_units_values_as_reported(client, pgi, reporter):
    client.force_login(reporter)
    pending = preview_of(
        post(client, upload([["11.2", "2018", "5", "", ""]]), validate="on", overwrite="on")
    )
    assert pending.options == {"validate": False, "overwrite": False}  # not offered: ignored
    confirm(client, pending)
    value = _value("11.2", "2018")
    assert (value.status, value.reported_by, value.validated_by) == ("reportado", reporter, None)


def test_a_reporter_cannot_import_another_units_values(client, pgi, reporter, other_reporter):
    client.force_login(other_reporter)
    before = snapshot()
    pending = preview_of(post(client, upload([["11.2", "2018", "5", "", ""]])))
    assert [p[4] for p in pending.preview["problems"]] == [
        "fila 2, columna indicador: no puede reportar el indicador 11.2: no es de sus unidades"
    ]
    client.force_login(reporter)
    pending = preview_of(
        post(client, upload([["11.2", "2018", "5", "", ""], ["11.1", "2018", "1", "", ""]]))
    )
    assert [p[4] for p in pending.preview["problems"]] == [
        "fila 3, columna indicador: no puede reportar el indicador 11.1: no es de sus unidades"
    ]
    assert snapshot() == before


@pytest.fixture
def closed_2018(official_plan, planner):
    return ClosedPeriod.objects.create(plan=official_plan, period="2018", closed_by=planner)


def test_a_value_in_a_closed_period_is_a_row_error_unless_overwrite(client, closed_2018, planner):
    client.force_login(planner)
    before = snapshot()
    pending = preview_of(post(client, upload([["11.2", "2018", "5", "", ""]])))
    assert [p[4] for p in pending.preview["problems"]] == [
        "fila 2, columna periodo: el periodo 2018 está cerrado; para cambiarlo use --overwrite"
    ]
    assert snapshot() == before
    pending = preview_of(post(client, upload([["11.2", "2018", "5", "", ""]]), overwrite="on"))
    confirm(client, pending)
    assert _value("11.2", "2018").value == 5
    assert ImportBatch.objects.get().overwrite


def test_a_reporter_cannot_change_a_closed_period(client, pgi, closed_2018, reporter):
    make_measurement(
        indicator=Indicator.objects.get(code="11.2"),
        period="2018",
        value=4,
        status=Measurement.Status.REPORTED,
    )
    client.force_login(reporter)
    before = snapshot()
    pending = preview_of(
        post(client, upload([["11.2", "2018", "5", "", ""], ["13.2", "2018", "", "1", "2"]]))
    )
    assert [p[4] for p in pending.preview["problems"]] == [
        "fila 2, columna periodo: el periodo 2018 está cerrado; para cambiarlo use --overwrite",
        "fila 3, columna periodo: el periodo 2018 está cerrado; para cambiarlo use --overwrite",
    ]
    assert snapshot() == before


def test_an_unchanged_row_of_a_closed_period_is_no_error(client, closed_2018, planner):
    make_measurement(
        indicator=Indicator.objects.get(code="11.2"), period="2018", value=Decimal("4.5")
    )
    client.force_login(planner)
    pending = preview_of(post(client, upload([["11.2", "2018", "4,5", "", ""]])))
    assert pending.state == "pendiente"
    assert (
        pending.preview["created"],
        pending.preview["updated"],
        pending.preview["unchanged"],
    ) == (0, 0, 1)


def test_the_pages_have_no_inline_script_or_style(client, official_plan, planner):
    client.force_login(planner)
    pending = preview_of(post(client, upload([["11.2", "2018", "x", "", ""]])))
    for url in (START, HISTORY, reverse("import-preview", args=[pending.pk])):
        html = client.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and " on" + "click" not in html
        assert html.count("<table") == html.count("<caption")


def test_a_long_preview_shows_its_first_rows_and_says_so(
    client, official_plan, planner, monkeypatch
):
    monkeypatch.setattr("scorecard.imports.pending.PREVIEW_ROWS", 2)
    client.force_login(planner)
    rows = [["11.2", str(year), "5", "", ""] for year in (2017, 2018, 2019)]
    pending = preview_of(post(client, upload(rows)))
    html = client.get(reverse("import-preview", args=[pending.pk])).content.decode()
    assert "Se crearán (3)" in html
    assert "Se muestran las primeras 2 filas de 3." in html
    assert pending.preview["rows"]["creado"] == [
        [2, ["11.2", "2017", "5", "", ""]],
        [3, ["11.2", "2018", "5", "", ""]],
    ]
