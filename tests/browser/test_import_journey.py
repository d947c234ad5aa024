"""A planner imports values from a workbook in a real browser: errors first, then the fix.

The first upload has two bad rows: the preview lists both (fila, columna, valor, motivo)
and offers no confirm. The corrected file's preview shows what will be created; the
confirm writes it, the history says so, and the indicator page shows the values.
"""

import re

import openpyxl
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, login, url
from tests.conftest import PASSWORD, PLAN_CODE

START_PATH = "/importar/"
HISTORY_PATH = "/importar/historial/"
HEADER = ["indicador", "periodo", "valor", "numerador", "denominador", "analisis"]
GOOD = [
    ["11.1", "2019", 42, None, None, "Meta superada en el segundo semestre"],
    ["13.2", "2019", None, 18, 24, None],
]
BAD = [
    ["11.2", "2019", "doce", None, None, None],
    ["99.9", "2019", 5, None, None, None],
]
FIXED = [["11.2", "2019", 12, None, None, None]]


def workbook(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "mediciones"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def upload(page: Page, path, *, validate: bool) -> None:
    form = page.locator("form[enctype='multipart/form-data']")
    form.get_by_label("Plan").select_option(PLAN_CODE)
    form.get_by_label("Formato").select_option("mediciones")
    form.get_by_label("Archivo").set_input_files(str(path))
    if validate:
        form.get_by_label("Marcar como validados").check()
    form.get_by_role("button", name="Revisar el archivo").click()


def test_a_planner_fixes_two_bad_rows_then_imports_and_sees_the_values(
    page: Page, live_server, official_plan, planner, screenshot, tmp_path
):
    login(page, live_server, planner.username, PASSWORD, next_path=START_PATH)
    expect(page).to_have_url(url(live_server, START_PATH))
    expect(page.get_by_role("heading", level=1)).to_have_text("Importar desde una hoja de cálculo")
    screenshot("1-formulario")
    assert_accessible(page)

    # First try: two bad rows. Both are listed; nothing can be confirmed.
    upload(page, workbook(tmp_path / "mediciones-2019.xlsx", GOOD + BAD), validate=True)
    expect(page).to_have_url(re.compile(r"/importar/\d+/$"))
    expect(page.get_by_role("heading", name="El archivo tiene 2 errores")).to_be_visible()
    errors = page.locator("#tabla-errores tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_have_text(
        re.compile(
            r"4\s*valor\s*doce\s*«doce» no es un número \(use punto o coma decimal, sin "
            r"separador de miles\)"
        )
    )
    expect(errors.nth(1)).to_have_text(
        re.compile(
            r"5\s*indicador\s*99\.9\s*no existe el indicador «99\.9» en el plan " + PLAN_CODE
        )
    )
    expect(page.get_by_role("button", name="Confirmar la importación")).to_have_count(0)
    screenshot("2-errores")
    assert_accessible(page)

    # The fixed file: its preview shows what will be created, and the confirm.
    page.get_by_role("link", name="Subir otro archivo").click()
    expect(page).to_have_url(url(live_server, START_PATH))
    upload(page, workbook(tmp_path / "mediciones-2019.xlsx", GOOD + FIXED), validate=True)
    expect(page.locator("#resumen")).to_have_text("creados 3, actualizados 0, sin cambios 0")
    created = page.get_by_role("table").filter(has=page.get_by_role("cell", name="11.2"))
    expect(created).to_be_visible()
    screenshot("3-vista-previa")
    assert_accessible(page)

    page.get_by_role("button", name="Confirmar la importación").click()
    expect(page).to_have_url(url(live_server, HISTORY_PATH))
    expect(page.get_by_role("status")).to_contain_text(
        "Importación hecha: creados 3, actualizados 0, sin cambios 0."
    )
    expect(page.locator("#tabla-importaciones tbody tr")).to_have_count(1)
    screenshot("4-historial")
    assert_accessible(page)

    # The scorecard: the indicator page lists the 2019 value, validated.
    page.goto(url(live_server, f"/planes/{PLAN_CODE}/indicadores/11.2/?period=2019"))
    row = page.locator("table.period-table tbody tr").filter(
        has=page.get_by_role("rowheader", name="2019", exact=True)
    )
    expect(row).to_contain_text("12,00")
    expect(row).to_contain_text("Validado")
    screenshot("5-indicador-11.2")
    page.goto(url(live_server, f"/planes/{PLAN_CODE}/indicadores/13.2/?period=2019"))
    row = page.locator("table.period-table tbody tr").filter(
        has=page.get_by_role("rowheader", name="2019", exact=True)
    )
    expect(row).to_contain_text("18 / 24")
    screenshot("6-indicador-13.2")
