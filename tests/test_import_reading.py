"""Reading spreadsheets: csv variants, xlsx traps and hostile files (PITFALLS 3–5, 12, 20, 22)."""

import datetime
import io
import struct
import tracemalloc
import zipfile
import zlib
from decimal import Decimal

import openpyxl
import pytest

from planning.models import Indicator
from planning.resources import CellError, NumberWidget, PeriodWidget, YearWidget
from scorecard.imports import import_measurements, read_table
from scorecard.models import Measurement
from tests.factories import make_indicator
from tests.test_import_helpers import (
    DATA,
    example_file,
    run_plan,
    snapshot,
    write_csv,
    write_xlsx,
)

HEADER = ["indicador", "periodo", "valor"]


def _import(path, plan):
    before = snapshot()
    result = import_measurements(path, plan=plan)
    if not result.ok:
        assert snapshot() == before
    return result


def _stored(code, period):
    return Measurement.objects.get(indicator__code=code, period=period, gadp=None)


# --- csv --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [("utf-8", False, ","), ("utf-8", True, ","), ("cp1252", False, ";"), ("utf-8", True, ";")],
)
def test_csv_in_the_encodings_and_separators_spreadsheets_save(
    official_plan, tmp_path, encoding, bom, delimiter
):
    header = ["Indicador", "Período", "Valor", "Análisis"]
    rows = [["11.2", "2018", "5,5", "Ejecución según lo previsto: año difícil"]]
    path = write_csv(
        tmp_path / "m.csv", header, rows, encoding=encoding, bom=bom, delimiter=delimiter
    )
    result = _import(path, official_plan)
    assert result.messages() == [] and result.created == 1
    value = _stored("11.2", "2018")
    assert value.value == Decimal("5.5")
    assert value.analysis == "Ejecución según lo previsto: año difícil"


def test_a_semicolon_file_with_decimal_commas_and_quoted_commas(official_plan, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('indicador;periodo;valor;analisis\n11.2;2018;12,25;"sube, y mucho"\n')
    assert _import(path, official_plan).created == 1
    assert _stored("11.2", "2018").value == Decimal("12.25")


def test_blank_lines_are_skipped_but_rows_keep_their_numbers(official_plan, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("indicador,periodo,valor\n\n11.2,2018,1\n,,\n11.2,2019,x\n")
    assert _import(path, official_plan).messages() == [
        "fila 5, columna valor: «x» no es un número (use punto o coma decimal, sin separador de "
        "miles)"
    ]


# --- xlsx -------------------------------------------------------------------------------


def test_xlsx_reads_the_first_sheet_not_the_active_one(official_plan, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", HEADER, [["11.2", 2018, 5]], decoy_active_sheet=True)
    assert openpyxl.load_workbook(path).active.title == "otra hoja"
    assert _import(path, official_plan).created == 1
    assert _stored("11.2", "2018").value == 5


def test_xlsx_numbers_years_and_date_cells_read_as_what_they_show(official_plan, tmp_path):
    objective = Indicator.objects.get(plan=official_plan, code="11.2").objective
    make_indicator(objective=objective, code="M.1", periodicity="mensual")
    rows = [
        [11.2, 2018, 5.25],  # a code and a year retyped as numbers
        ["11.2", "2019", "7,5"],
        ["M.1", datetime.datetime(2018, 3, 1), 4],  # "2018-03" retyped as a date cell
        ["M.1", "2018-04", 0.1],
    ]
    path = write_xlsx(tmp_path / "m.xlsx", HEADER, rows)
    assert _import(path, official_plan).created == 4
    assert _stored("11.2", "2018").value == Decimal("5.25")
    assert _stored("11.2", "2019").value == Decimal("7.5")
    assert _stored("M.1", "2018-03").value == 4
    assert _stored("M.1", "2018-04").value == Decimal("0.1")


def test_xlsx_numbers_that_do_not_fit_are_refused_not_rounded(official_plan, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", HEADER, [["11.2", 2018, 1 / 3]])
    assert _import(path, official_plan).messages() == [
        "fila 2, columna valor: «0.3333333333333333» tiene más de 6 decimales"
    ]


def _rewrite(path, part, change):
    """Rewrite one part of an xlsx (the way a hostile or odd producer would write it)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


SHEET = "xl/worksheets/sheet1.xml"


def test_xlsx_whose_dimension_lies_still_imports_every_row(official_plan, tmp_path):
    objective = Indicator.objects.get(plan=official_plan, code="11.2").objective
    make_indicator(objective=objective, code="M.1", periodicity="mensual")
    rows = [["M.1", f"20{y}-{m:02d}", m] for y in range(17, 22) for m in range(1, 13)]
    path = write_xlsx(tmp_path / "m.xlsx", HEADER, rows)
    _rewrite(
        path, SHEET, lambda xml: xml.replace(b'<dimension ref="A1:C61"', b'<dimension ref="A1:B3"')
    )
    assert b'ref="A1:B3"' in zipfile.ZipFile(path).read(SHEET)
    assert len(read_table(path).rows) == 60
    assert _import(path, official_plan).created == 60


def test_a_formula_without_a_stored_value_is_a_problem_not_an_empty_cell(official_plan, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", HEADER, [["11.2", 2018, 1], ["11.2", 2019, "=2+3"]])
    assert _import(path, official_plan).messages() == [
        "fila 3, columna valor: la celda tiene una fórmula sin valor calculado: abra el archivo "
        "y guárdelo en su hoja de cálculo, o escriba el valor"
    ]


def test_a_formula_with_its_stored_value_imports_the_value(official_plan, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", HEADER, [["11.2", 2019, "=2+3"]])
    _rewrite(path, SHEET, lambda xml: xml.replace(b"<f>2+3</f><v />", b"<f>2+3</f><v>5</v>"))
    assert _import(path, official_plan).created == 1
    assert _stored("11.2", "2019").value == 5


# --- hostile and broken files -------------------------------------------------------------


def _refused(tmp_path, plan, data: bytes, name="m.xlsx") -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    return _import(path, plan).messages()


def _small_workbook(tmp_path) -> bytes:
    return write_xlsx(tmp_path / "base.xlsx", HEADER, [["11.2", 2018, 1]]).read_bytes()


def _with_parts(base: bytes, extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, extra.pop(info.filename, source.read(info)))
        for name, data in extra.items():
            target.writestr(name, data)
    return buffer.getvalue()


def test_not_a_zip_named_xlsx_is_refused(official_plan, tmp_path):
    assert _refused(tmp_path, official_plan, b"indicador,periodo\x00\x01") == [
        "archivo: no es un archivo xlsx válido"
    ]


def test_a_zip_that_is_not_a_workbook_is_refused(official_plan, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hola.txt", "hola")
    assert _refused(tmp_path, official_plan, buffer.getvalue()) == [
        "archivo: es un zip, pero no un libro xlsx"
    ]


def test_a_damaged_zip_is_refused(official_plan, tmp_path):
    data = _small_workbook(tmp_path)
    assert _refused(tmp_path, official_plan, data[: len(data) // 2]) == [
        "archivo: no es un archivo xlsx válido (el zip está dañado)"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "archivo: es un .xls antiguo o un libro cifrado; guárdelo como xlsx o csv",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00",
            "archivo: no es una hoja de cálculo: ni xlsx ni texto csv",
        ),
        (b"  \n", "archivo: está vacío"),
    ],
)
def test_files_that_are_no_spreadsheet_are_refused(official_plan, tmp_path, data, message):
    assert _refused(tmp_path, official_plan, data, name="m.csv") == [message]


def test_too_many_zip_entries_are_refused_from_the_directory(official_plan, tmp_path):
    extra = {f"xl/media/image{n}.png": b"x" for n in range(500)}
    data = _with_parts(_small_workbook(tmp_path), extra)
    messages = _refused(tmp_path, official_plan, data)
    assert len(messages) == 1
    assert messages[0].startswith("archivo: el xlsx tiene 5") and messages[0].endswith(
        "partes internas; el máximo es 500"
    )


def _bomb_part(size: int) -> bytes:
    """A sheet that inflates to ``size`` bytes of whitespace, compressed in a streaming way."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    chunk = b" " * (1024 * 1024)
    body = b"".join(compressor.compress(chunk) for _ in range(size // len(chunk)))
    return body + compressor.flush()


def _zip_with_raw_entry(base: bytes, name: str, raw: bytes, declared: int, crc: int) -> bytes:
    """Replace ``name`` in the workbook by an already-deflated entry declaring ``declared``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info), zipfile.ZIP_DEFLATED)
        offset = buffer.tell()
        encoded = name.encode()
        header = struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(raw),
            declared,
            len(encoded),
            0,
        )
        buffer.write(header + encoded + raw)
        info = zipfile.ZipInfo(name)
        info.compress_type, info.CRC = zipfile.ZIP_DEFLATED, crc
        info.compress_size, info.file_size, info.header_offset = len(raw), declared, offset
        target.filelist.append(info)
        target.NameToInfo[name] = info
        target.start_dir = buffer.tell()
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_from_the_directory_before_any_reader_opens_it(
    official_plan, tmp_path
):
    size = 300 * 1024 * 1024  # over the default limit of 256 MB uncompressed
    raw = _bomb_part(size)
    data = _zip_with_raw_entry(_small_workbook(tmp_path), SHEET, raw, size, 0)
    assert len(data) < 1024 * 1024
    tracemalloc.start()
    messages = _refused(tmp_path, official_plan, data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert messages == ["archivo: descomprimido ocuparía más de 256 MB (posible bomba zip)"]
    assert peak < 20 * 1024 * 1024


def test_a_zip_whose_directory_lies_about_sizes_is_stopped_while_inflating(official_plan, tmp_path):
    raw = _bomb_part(64 * 1024 * 1024)  # declares 10 KB, inflates to 64 MB
    data = _zip_with_raw_entry(_small_workbook(tmp_path), SHEET, raw, 10_000, 0)
    tracemalloc.start()
    messages = _refused(tmp_path, official_plan, data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert messages == ["archivo: el zip declara tamaños que no son los reales (posible bomba zip)"]
    assert peak < 20 * 1024 * 1024


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol3;</t></si></sst>
"""


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", SHEET, "xl/workbook.xml"])
def test_xml_with_entity_declarations_is_refused(official_plan, tmp_path, part):
    data = _with_parts(_small_workbook(tmp_path), {part: BILLION_LAUGHS})
    assert _refused(tmp_path, official_plan, data) == [
        "archivo: el xlsx contiene declaraciones XML no permitidas (DTD)"
    ]


def test_openpyxl_parses_xml_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_size_limits_come_from_settings(official_plan, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 2048
    settings.IMPORT_MAX_ROWS = 2
    big = tmp_path / "big.csv"
    big.write_text("indicador,periodo,valor\n" + "11.2,2018,1\n" * 300)
    assert _import(big, official_plan).messages() == [
        "archivo: pesa más de 2 KB, el máximo admitido"
    ]
    rows = tmp_path / "rows.csv"
    rows.write_text("indicador,periodo,valor\n11.2,2017,1\n11.2,2018,1\n11.2,2019,1\n")
    assert _import(rows, official_plan).messages() == [
        "archivo: tiene 3 filas de datos; el máximo es 2"
    ]


# --- cells ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        (" 3 ", "3"),
        ("-5", "-5"),
        ("+0,25", "0.25"),
        (",5", "0.5"),
        ("1.234", "1.234"),  # `.` is a decimal separator, never a thousands one
        (0.1, "0.1"),
        (2019.0, "2019"),
        (7, "7"),
        ("0.123456", "0.123456"),
        ("5.0000000", "5"),  # fits exactly: nothing to round
    ],
)
def test_numbers_read_the_same_for_every_user(cell, number):
    assert NumberWidget().parse(cell) == Decimal(number)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1.234,5", "«1.234,5» no es un número (use punto o coma decimal, sin separador de miles)"),
        ("1,234.5", "«1,234.5» no es un número (use punto o coma decimal, sin separador de miles)"),
        ("1 234", "«1 234» no es un número (use punto o coma decimal, sin separador de miles)"),
        ("12%", "«12%» no es un número (use punto o coma decimal, sin separador de miles)"),
        ("0,1234567", "«0,1234567» tiene más de 6 decimales"),
        (True, "«True» no es un número"),
        (datetime.date(2019, 3, 1), "«2019-03-01» no es un número"),
        ("NaN", "«NaN» no es un número (use punto o coma decimal, sin separador de miles)"),
    ],
)
def test_numbers_that_do_not_fit_are_refused(cell, message):
    with pytest.raises(CellError) as exc:
        NumberWidget().parse(cell)
    assert str(exc.value) == message


def test_an_integer_field_refuses_decimals_instead_of_rounding():
    assert YearWidget().parse(2019.0) == 2019
    with pytest.raises(CellError, match="no es un año"):
        YearWidget().parse("2019,5")


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("2019", "2019"),
        (2019, "2019"),
        (2019.0, "2019"),
        ("2019-s1", "2019-S1"),
        ("2019-Q2", "2019-T2"),
        (" 2019-t2 ", "2019-T2"),
        ("2019-03", "2019-03"),
        (datetime.date(2019, 3, 1), "2019-03"),
        (datetime.datetime(2019, 11, 1), "2019-11"),
    ],
)
def test_periods_read_as_the_cell_shows_them(cell, code):
    assert PeriodWidget().parse(cell).code == code


def test_a_csv_saved_by_a_spanish_spreadsheet_program(official_plan, tmp_path):
    """Windows-1252, semicolons, CRLF, decimal commas, accented headers (tests/data/imports)."""
    assert run_plan("import_indicators", example_file("indicadores.csv", tmp_path))[0] == 0
    path = DATA / "mediciones_excel_es.csv"
    assert _import(path, official_plan).summary() == "creados 5, actualizados 0, sin cambios 0"
    assert _stored("13.2", "2018").analysis == "Convenios en ejecución: 9 de 12"
    assert _stored("14.1", "2018").analysis == "Evaluación «positiva»"
    assert _stored("11.1", "2018-S2").value == 2
