"""A value's whole life in a real browser: reported, returned, corrected, validated, shown.

The official plan's indicator 11.2 (an annual value, «más es mejor») is given to PGI, the
reporter's unit, with a target of 100 for 2021; the plan's years have all ended, so 2021 is
due (and overdue). The reporter sends 60, Planificación returns it with a comment, the
reporter corrects it to 80 and Planificación validates it: only then does the director's
tablero show it, in yellow (80 % of the target; the plan's bands are 85 and 70).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from planning.models import Indicator, OrgUnit
from scorecard.models import Measurement
from tests.browser.conftest import (
    assert_accessible,
    login,
    login_with_keyboard,
    save_screenshot,
    tab_to,
    url,
)
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import make_target

CODE = "11.2"
PERIOD = "2021"
TARGET = "100"
FIRST_VALUE = "60"  # 60 % of the target: red, and an analysis is required
CORRECTED_VALUE = "80"  # 80 %: yellow
ANALYSIS = "La pandemia redujo los eventos presenciales con los GAD provinciales."
COMMENT = "El valor no coincide con el informe anual: revise la cifra de eventos."
EVIDENCE_NAME = "informe-eventos-2021.pdf"
TABLERO_PATH = f"/?plan={PLAN_CODE}&period={PERIOD}"
QUEUE_PATH = "/validacion/"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Evidence files go to a folder of this test's own, not to the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def indicator(official_plan, reporter) -> Indicator:
    """11.2, reported by PGI, with its 2021 target."""
    indicator = Indicator.objects.get(plan=official_plan, code=CODE)
    indicator.responsible_unit = OrgUnit.objects.get(code="PGI")
    indicator.save()
    make_target(indicator=indicator, period=PERIOD, value=TARGET)
    return indicator


@pytest.fixture
def evidence_pdf(tmp_path):
    """A small but real PDF: one empty page, with its cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path = tmp_path / EVIDENCE_NAME
    path.write_bytes(body)
    return path


# --- what each page shows ----------------------------------------------------------------


def nav_link(page: Page, name: str):
    nav = page.get_by_role("navigation", name="Navegación principal")
    return nav.get_by_role("link", name=name, exact=True)


def duty_row(page: Page):
    """The 2021 row of 11.2 on Mis indicadores."""
    return (
        page.locator("tr.duty-row")
        .filter(has=page.get_by_role("rowheader", name=PERIOD, exact=True))
        .filter(has_text=CODE)
    )


def queue_row(page: Page):
    return page.locator("table.validation-table tbody tr").filter(has_text=CODE)


def tablero_row(page: Page):
    table = page.locator("#tabla-indicadores")
    return table.locator("tbody tr").filter(
        has=page.get_by_role("link", name=f"Indicador {CODE}", exact=True)
    )


def report(indicator) -> Measurement:
    return Measurement.objects.get(indicator=indicator, period=PERIOD, gadp__isnull=True)


def expect_field_error(field, text: str) -> None:
    """The field is marked invalid and its description (read with it) is the error."""
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(text)))


# --- the journey ---------------------------------------------------------------------------


def test_a_value_is_reported_returned_corrected_validated_and_reaches_the_tablero(
    page: Page,
    live_server,
    indicator,
    reporter,
    planner,
    director,
    evidence_pdf,
    open_page,
    request,
):
    def shot(who: Page, step: str) -> None:
        save_screenshot(who, request.node.originalname, step)

    # Before anything is reported, the director's tablero has nothing for 11.2 in 2021.
    director_page = open_page()
    login(director_page, live_server, director.username, PASSWORD, next_path=TABLERO_PATH)
    row = tablero_row(director_page)
    expect(row).to_have_attribute("data-status", "gris")
    expect(row.locator("td.text-end").first).to_have_text("—")
    expect(row.locator(".semaforo")).to_contain_text("Sin dato")
    shot(director_page, "01-tablero-antes")

    # 1. The reporter finds the overdue period on Mis indicadores.
    login(page, live_server, reporter.username, PASSWORD)
    nav_link(page, "Mis indicadores").click()
    expect(page.get_by_role("heading", level=1, name="Mis indicadores")).to_be_visible()
    due = duty_row(page)
    expect(due).to_have_count(1)
    expect(due.locator(".duty-state")).to_have_text("Vencido")
    expect(due).to_contain_text("15/01/2022")  # the year's end plus the grace days
    shot(page, "02-mis-indicadores")
    assert_accessible(page)

    due.get_by_role("link", name=f"Reportar {CODE} {PERIOD}").click()
    heading = page.get_by_role("heading", level=2, name=f"Reporte del periodo {PERIOD}")
    expect(heading).to_be_visible()
    expect(page.locator(".ficha")).to_contain_text("Sin reportar")
    shot(page, "03-formulario")
    assert_accessible(page)

    # Below the target without an analysis: refused, and the error is the field's own.
    value = page.get_by_label("Valor del periodo")
    value.fill(FIRST_VALUE)
    page.get_by_role("button", name="Enviar a validación").click()
    expect(page.get_by_role("alert")).to_contain_text("Revise los campos marcados.")
    analysis = page.get_by_label("Análisis de variación")
    expect_field_error(analysis, "está por debajo de la meta (100): explique la variación.")
    expect(page.get_by_label("Valor del periodo")).to_have_value(FIRST_VALUE)
    assert not Measurement.objects.filter(indicator=indicator).exists()
    shot(page, "04-formulario-error")
    assert_accessible(page)

    analysis.fill(ANALYSIS)
    files = page.get_by_label("Añadir evidencias")
    expect(files).to_have_accessible_description(re.compile("Tipos aceptados: .*pdf"))
    files.set_input_files(evidence_pdf)
    page.get_by_role("button", name="Enviar a validación").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Reporte de {CODE} · {PERIOD} enviado a validación."
    )
    expect(duty_row(page).locator(".duty-state")).to_have_text("Reportado")
    shot(page, "05-reportado")
    m = report(indicator)
    assert (m.status, m.value, m.analysis) == ("reportado", 60, ANALYSIS)
    assert [e.original_name for e in m.evidence.all()] == [EVIDENCE_NAME]

    # Submitted is not validated: the director's tablero still has no value.
    director_page.reload()
    expect(tablero_row(director_page)).to_have_attribute("data-status", "gris")

    # 2. Planificación sees the value and its evidence, and returns it with a comment.
    planner_page = open_page()
    login(planner_page, live_server, planner.username, PASSWORD)
    nav_link(planner_page, "Validación").click()
    row = queue_row(planner_page)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("60,00")
    expect(row).to_contain_text(ANALYSIS)
    expect(row.locator(".semaforo")).to_contain_text("Rojo")
    file_link = row.get_by_role("link", name=EVIDENCE_NAME)
    download = planner_page.request.get(url(live_server, file_link.get_attribute("href")))
    assert download.ok and download.body().startswith(b"%PDF-")
    shot(planner_page, "06-cola")
    assert_accessible(planner_page)

    row.get_by_text("Devolver", exact=False).first.click()
    row.get_by_label("Observación para la unidad").fill(COMMENT)
    shot(planner_page, "07-devolver")
    row.get_by_role("button", name="Devolver a la unidad").click()
    expect(planner_page.get_by_role("status")).to_contain_text("Devuelto a la unidad")
    expect(queue_row(planner_page)).to_have_count(0)
    expect(planner_page.get_by_text("No hay valores por validar")).to_be_visible()
    m = report(indicator)
    assert (m.status, m.return_comment) == ("observado", COMMENT)
    shot(planner_page, "08-cola-vacia")

    # 3. The reporter reads the comment, on the list and in the form, and corrects the value.
    nav_link(page, "Mis indicadores").click()
    returned = duty_row(page)
    expect(returned.locator(".duty-state")).to_have_text("Observado")
    expect(returned.locator("td.analysis")).to_have_text(COMMENT)
    shot(page, "09-observado")
    returned.get_by_role("link", name=f"Corregir {CODE} {PERIOD}").click()
    expect(page.locator(".measurement-status")).to_have_text("Observado")
    expect(page.locator(".return-comment")).to_have_text(COMMENT)
    expect(page.get_by_role("link", name=EVIDENCE_NAME)).to_be_visible()
    value = page.get_by_label("Valor del periodo")
    expect(value).to_have_value(FIRST_VALUE)
    expect(page.get_by_label("Análisis de variación")).to_have_value(ANALYSIS)
    value.fill(CORRECTED_VALUE)
    shot(page, "10-corregir")
    page.get_by_role("button", name="Enviar a validación").click()
    expect(page.get_by_role("status")).to_contain_text("enviado a validación")
    expect(duty_row(page).locator(".duty-state")).to_have_text("Reportado")
    shot(page, "11-reportado-de-nuevo")

    # 4. Planificación validates the corrected value.
    nav_link(planner_page, "Validación").click()
    row = queue_row(planner_page)
    expect(row).to_contain_text("80,00")
    expect(row.locator(".semaforo")).to_contain_text("Amarillo")
    row.get_by_role("button", name=f"Validar {CODE} · {PERIOD}").click()
    expect(planner_page.get_by_role("status")).to_contain_text("Validado:")
    expect(queue_row(planner_page)).to_have_count(0)
    shot(planner_page, "12-validado")
    assert report(indicator).status == "validado"

    # 5. The director's tablero now shows the value and its status, and so does 11.2's page.
    director_page.reload()
    row = tablero_row(director_page)
    expect(row).to_have_attribute("data-status", "amarillo")
    expect(row.locator("td.text-end").first).to_have_text("80,00")
    expect(row.locator(".semaforo")).to_contain_text("Amarillo · 80,00 %")
    shot(director_page, "13-tablero-despues")
    row.get_by_role("link", name=f"Indicador {CODE}").click()
    expect(director_page.get_by_role("heading", level=1)).to_contain_text(CODE)
    situation = director_page.locator("section[aria-labelledby='situacion']")
    expect(situation.locator(".semaforo")).to_contain_text("Amarillo")
    expect(situation).to_contain_text("80,00")
    shot(director_page, "14-indicador")

    # And on Mis indicadores the duty is done.
    nav_link(page, "Mis indicadores").click()
    expect(duty_row(page).locator(".duty-state")).to_have_text("Validado")


# --- keyboard alone --------------------------------------------------------------------------


def press(page: Page, key: str, then) -> None:
    """Press ``key`` and expect the focus on ``then``: one step of the tab order."""
    page.keyboard.press(key)
    expect(then).to_be_focused()


def test_the_report_and_its_validation_are_done_with_the_keyboard_alone(
    page: Page, live_server, indicator, reporter, planner, evidence_pdf, open_page
):
    login_with_keyboard(page, live_server, reporter.username, PASSWORD)

    # The page opens with the skip link, then the navbar in reading order.
    press(page, "Tab", page.get_by_role("link", name="Saltar al contenido"))
    press(page, "Tab", page.get_by_role("link", name="CONGOPE · Plan estratégico", exact=True))
    press(page, "Tab", nav_link(page, "Tablero"))
    press(page, "Tab", nav_link(page, "Mis indicadores"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Mis indicadores")).to_be_visible()

    tab_to(page, duty_row(page).get_by_role("link", name=f"Reportar {CODE} {PERIOD}"))
    page.keyboard.press("Enter")

    # The form's controls, one Tab apart, in the order they are read.
    value = page.get_by_label("Valor del periodo")
    analysis = page.get_by_label("Análisis de variación")
    files = page.get_by_label("Añadir evidencias")
    draft = page.get_by_role("button", name="Guardar borrador")
    submit = page.get_by_role("button", name="Enviar a validación")
    tab_to(page, value)
    page.keyboard.type(FIRST_VALUE)
    press(page, "Tab", analysis)
    press(page, "Tab", files)
    press(page, "Tab", draft)
    press(page, "Tab", submit)
    press(page, "Shift+Tab", draft)
    press(page, "Tab", submit)
    page.keyboard.press("Enter")

    # Refused for the missing analysis; the keyboard user goes back to that field.
    expect_field_error(analysis, "explique la variación")
    tab_to(page, analysis)
    page.keyboard.type(ANALYSIS)
    press(page, "Tab", files)
    # Choosing a file opens the system's file dialog, which is not the page's to drive: the
    # file is set on the focused input directly, as the dialog would.
    files.set_input_files(evidence_pdf)
    press(page, "Tab", draft)
    press(page, "Tab", submit)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("enviado a validación")
    expect(duty_row(page).locator(".duty-state")).to_have_text("Reportado")

    # Planificación: navbar, then the row's controls in order, then «Validar» with Space.
    planner_page = open_page()
    login_with_keyboard(planner_page, live_server, planner.username, PASSWORD)
    tab_to(planner_page, nav_link(planner_page, "Validación"))
    planner_page.keyboard.press("Enter")
    row = queue_row(planner_page)
    expect(row).to_have_count(1)
    validate = row.get_by_role("button", name=f"Validar {CODE} · {PERIOD}")
    give_back = row.locator("summary")
    tab_to(planner_page, row.get_by_role("checkbox", name=f"Seleccionar {CODE} · {PERIOD}"))
    press(planner_page, "Tab", row.get_by_role("link", name=re.compile(rf"^{re.escape(CODE)} ")))
    press(planner_page, "Tab", row.get_by_role("link", name=EVIDENCE_NAME))
    press(planner_page, "Tab", validate)
    press(planner_page, "Tab", give_back)

    # «Devolver» opens with Enter and leads to its comment and button; Enter closes it again.
    planner_page.keyboard.press("Enter")
    expect(row.locator("details")).to_have_attribute("open", "")
    press(planner_page, "Tab", row.get_by_label("Observación para la unidad"))
    press(planner_page, "Tab", row.get_by_role("button", name="Devolver a la unidad"))
    press(planner_page, "Shift+Tab", row.get_by_label("Observación para la unidad"))
    press(planner_page, "Shift+Tab", give_back)
    planner_page.keyboard.press("Enter")
    expect(row.locator("details")).not_to_have_attribute("open", "")

    press(planner_page, "Shift+Tab", validate)
    planner_page.keyboard.press("Space")
    expect(planner_page.get_by_role("status")).to_contain_text("Validado:")
    expect(queue_row(planner_page)).to_have_count(0)
    m = report(indicator)
    assert (m.status, m.value, m.validated_by) == ("validado", 60, planner)
