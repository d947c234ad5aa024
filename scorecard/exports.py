"""The scorecard at a cut-off as an xlsx workbook: one sheet per level, for people and LOTAIP.

Sheets ``Plan``, ``Perspectivas``, ``Objetivos`` and ``Indicadores``, in the plan's order,
with the figures of the JSON (``scorecard.serializers``): rounded half up to 2 decimals and
written as numbers, never as text. Each status is a word (the contract's: verde, amarillo,
rojo, gris, no_aplica) and the colour of its cell, never colour alone. Headers are Spanish
and fixed (not translated): scripts read the columns by name.

Every text cell is escaped against formula injection (PITFALLS 2): text that starts with
``= + - @``, a tab or a carriage return gets a leading ``'`` so that no spreadsheet program
runs it. Numbers and empty cells are left alone.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from scorecard import arithmetic as ar
from scorecard.assembly import Scorecard

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The traffic light's backgrounds of the pages (static/css/app.css, .semaforo-*).
FILLS = {
    ar.GREEN: "D7F0DD",
    ar.YELLOW: "FFF1C2",
    ar.RED: "FBDADA",
    ar.GREY: "ECECEC",
}
REASONS = {ar.NO_VALUE: "sin dato", ar.NO_TARGET: "sin meta", ar.NO_BASELINE: "sin línea base"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIGURE_FORMAT = "0.00"
MIN_WIDTH, MAX_WIDTH = 8, 60


def escape_text(value):
    """``value`` made safe for a cell: text starting like a formula gets a leading ``'``.

    Numbers, None and other non-text values are returned as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _figure(value: Decimal | None) -> float | None:
    """As in the JSON: rounded half up to 2 decimals, a number; None stays empty."""
    rounded = ar.round_half_up(value)
    return None if rounded is None else float(rounded)


@dataclass(frozen=True)
class Column:
    header: str
    figure: bool = False  # shown with two decimals
    status: bool = False  # filled with the colour of the status it holds


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple[Column, ...]
    rows: list[list]


def _coverage(node) -> list:
    return [node.with_data, node.total, f"{node.with_data} de {node.total}"]


COVERAGE = (Column("Con dato"), Column("Vigentes"), Column("Cobertura"))
NODE = (Column("Cumplimiento (%)", figure=True), Column("Estado", status=True), *COVERAGE)


def _node(node: ar.NodeResult) -> list:
    return [_figure(node.achievement), node.status, *_coverage(node)]


def plan_sheet(card: Scorecard) -> Sheet:
    columns = (
        Column("Plan"),
        Column("Nombre"),
        Column("Corte"),
        *NODE,
        Column("Incluye valores sin validar"),
    )
    row = [
        card.plan.code,
        card.plan.name,
        card.cutoff.code,
        *_node(card.node),
        "sí" if card.include_unvalidated else "no",
    ]
    return Sheet("Plan", columns, [row])


def perspectives_sheet(card: Scorecard) -> Sheet:
    columns = (Column("Código"), Column("Perspectiva"), Column("Peso"), *NODE)
    rows = [[p.code, p.name, float(p.weight), *_node(p.node)] for p in card.perspectives]
    return Sheet("Perspectivas", columns, rows)


def objectives_sheet(card: Scorecard) -> Sheet:
    columns = (
        Column("Perspectiva"),
        Column("Código"),
        Column("Nombre corto"),
        Column("Objetivo"),
        Column("Peso"),
        *NODE,
    )
    rows = [
        [p.code, o.code, o.short_name, o.name, float(o.weight), *_node(o.node)]
        for p in card.perspectives
        for o in p.objectives
    ]
    return Sheet("Objetivos", columns, rows)


INDICATOR_COLUMNS = (
    Column("Perspectiva"),
    Column("Objetivo"),
    Column("Código"),
    Column("Indicador"),
    Column("Unidad responsable"),
    Column("Unidad de medida"),
    Column("Periodo evaluado"),
    Column("Valor", figure=True),
    Column("Meta", figure=True),
    Column("Meta máxima", figure=True),
    Column("Cumplimiento (%)", figure=True),
    Column("Estado", status=True),
    Column("Motivo"),
    Column("Último dato"),
    Column("Peso"),
    Column("Provisional"),
)


def _indicator(perspective, objective, row) -> list:
    result = row.result
    value_period = result.value_period if result.value_period != result.period else None
    return [
        perspective.code,
        objective.code,
        row.code,
        row.name,
        row.unit_code,
        row.unit_of_measure,
        result.period.code if result.period else None,
        _figure(result.value),
        _figure(result.target),
        _figure(result.target_max),  # rango only: the top of the band
        _figure(result.achievement),
        result.status,
        REASONS.get(result.reason),
        value_period.code if value_period else None,  # nivel: the carried-forward value's
        float(row.weight),
        "sí" if row.provisional else None,
    ]


def indicators_sheet(card: Scorecard) -> Sheet:
    rows = [
        _indicator(p, o, i) for p in card.perspectives for o in p.objectives for i in o.indicators
    ]
    return Sheet("Indicadores", INDICATOR_COLUMNS, rows)


def sheets(card: Scorecard) -> list[Sheet]:
    """The workbook's content as plain rows, one sheet per level (for xlsx, or csv later)."""
    return [
        plan_sheet(card),
        perspectives_sheet(card),
        objectives_sheet(card),
        indicators_sheet(card),
    ]


def _write(ws, sheet: Sheet) -> None:
    """Stream ``sheet`` into a write-only worksheet: layout first, then the rows."""
    last = get_column_letter(len(sheet.columns))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
    for n, width in enumerate(_widths(sheet), start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    bold = Font(bold=True)
    ws.append([_cell(ws, escape_text(c.header), font=bold) for c in sheet.columns])
    fills = {status: PatternFill("solid", fgColor=color) for status, color in FILLS.items()}
    for values in sheet.rows:
        ws.append(
            [_styled(ws, column, v, fills) for column, v in zip(sheet.columns, values, strict=True)]
        )


def _styled(ws, column: Column, value, fills):
    value = escape_text(value)
    if column.figure and value is not None:
        return _cell(ws, value, number_format=FIGURE_FORMAT)
    if column.status and value in fills:
        return _cell(ws, value, fill=fills[value])
    return value


def _cell(ws, value, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _widths(sheet: Sheet) -> list[float]:
    """Each column as wide as its longest text (within bounds), in characters."""
    widths = []
    for n, column in enumerate(sheet.columns):
        longest = max([len(column.header), *(len(_shown(row[n])) for row in sheet.rows)])
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def _shown(value) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def scorecard_workbook(card: Scorecard) -> Workbook:
    """The scorecard ``card`` as a write-only workbook, ready to save (no queries)."""
    workbook = Workbook(write_only=True)
    for sheet in sheets(card):
        _write(workbook.create_sheet(sheet.title), sheet)
    return workbook


def scorecard_xlsx(card: Scorecard) -> bytes:
    """The workbook of ``card`` as the bytes of an xlsx file."""
    buffer = io.BytesIO()
    scorecard_workbook(card).save(buffer)
    return buffer.getvalue()


def filename(card: Scorecard) -> str:
    return f"cmi-{card.plan.code}-{card.cutoff.code}.xlsx"
