"""Exports in the import formats: they import back unchanged, and carry no live formula."""

import csv
import io

import openpyxl
import pytest
import tablib

from planning.models import Indicator
from planning.resources import (
    IndicatorResource,
    TargetResource,
    escape_formula,
    unescape_formula,
)
from scorecard.imports import import_indicators, import_measurements, import_targets
from scorecard.imports.exporting import export_file
from scorecard.resources import MeasurementResource
from tests.test_import_helpers import import_example, snapshot

HOSTILE = {
    "definition": '=HYPERLINK("http://example.com/x","clic")',
    "formula": "==1+1",
    "data_source": "+593 2 000 0000",
    "verification_means": "-informe anual",
    "interpretation": "@SUM(A1:A9)",
    "limitations": "\tcon tabulador",
}


@pytest.fixture
def example(official_plan, tmp_path):
    import_example(tmp_path)
    Indicator.objects.filter(plan=official_plan, code="11.1").update(**HOSTILE)
    Indicator.objects.filter(plan=official_plan, code="11.2").update(
        baseline=-5, definition="'=ya escrito con apóstrofo"
    )
    return official_plan


FORMATS = [
    (IndicatorResource, import_indicators, "indicadores"),
    (TargetResource, import_targets, "metas"),
    (MeasurementResource, import_measurements, "mediciones"),
]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(("resource_class", "importer", "name"), FORMATS)
def test_an_exported_file_imports_back_unchanged(
    example, tmp_path, file_format, resource_class, importer, name
):
    data = export_file(resource_class(), resource_class.queryset_for(example), file_format)
    path = tmp_path / f"{name}.{file_format}"
    path.write_bytes(data)
    before = snapshot()
    result = importer(path, plan=example)
    assert result.messages() == []
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == {"indicadores": 9, "metas": 14, "mediciones": 12}[name]
    assert snapshot() == before


def _csv_rows(example):
    data = export_file(IndicatorResource(), IndicatorResource.queryset_for(example), "csv")
    assert data.startswith("\ufeff".encode())
    return {row["codigo"]: row for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}


def test_exported_text_is_escaped_and_numbers_and_blanks_are_left_alone(example):
    rows = _csv_rows(example)
    assert rows["11.1"]["definicion"] == "'" + HOSTILE["definition"]
    assert rows["11.1"]["formula"] == "'==1+1"
    assert rows["11.1"]["fuente_datos"] == "'+593 2 000 0000"
    assert rows["11.1"]["medio_verificacion"] == "'-informe anual"
    assert rows["11.1"]["interpretacion"] == "'@SUM(A1:A9)"
    assert rows["11.1"]["limitaciones"] == "'\tcon tabulador"
    assert rows["11.2"]["definicion"] == "''=ya escrito con apóstrofo"
    assert rows["11.2"]["linea_base"] == "-5"  # a number, not text
    assert rows["11.2"]["umbral_verde"] == ""  # not "None"
    assert rows["14.1"]["linea_base"] == "60"  # not 60.000000


def test_the_xlsx_export_has_no_formula_cells_and_numbers_are_numbers(example, tmp_path):
    data = export_file(IndicatorResource(), IndicatorResource.queryset_for(example), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "11.2")
    baseline = row[header.index("linea_base")]
    assert (baseline.data_type, baseline.value) == ("n", -5)
    assert row[header.index("umbral_verde")].value is None


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("'hola", "'hola"),
        ("'=1", "''=1"),
    ],
)
def test_escape_formula_prefixes_only_what_a_spreadsheet_would_run(text, escaped):
    assert escape_formula(text) == escaped
    assert unescape_formula(escaped) == text


def test_the_resources_row_by_row_import_is_switched_off(official_plan):
    dataset = tablib.Dataset(headers=["codigo", "nombre"])
    dataset.append(["11.2", "x"])
    with pytest.raises(NotImplementedError, match="scorecard.imports"):
        IndicatorResource().import_data(dataset)
