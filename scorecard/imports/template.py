"""The **mediciones** template of a unit for a period: a workbook to fill in and import back.

Its first sheet is the import format itself (CONTRACT.md), one row per indicator of the unit
and period of it inside the chosen period (a year gives its months, quarters, semesters or
the year itself, by the indicator's periodicity), plus one row per GADP for an indicator
disaggregated by province. Stored values come written; the rest is left blank, and a row
left blank is *sin datos* for the importer (skipped, «sin cambios»), so the template
imports back unchanged as downloaded. A second sheet, «Referencia», tells each indicator's
name, unit of measure, periodicity, targets, and whether the period is closed; a third,
«Instrucciones», how to fill it in.

Every text cell is escaped against formula injection with the importer's own escape
(``planning.resources.escape_formula``, PITFALLS 2), which the import undoes exactly.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from planning.models import Gadp, Indicator, Target
from planning.periods import Period, periods_of_year
from planning.resources import escape_formula
from scorecard.models import Measurement
from scorecard.workflow import closed_periods, is_closed

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_APPLICABLE = PatternFill("solid", fgColor="D9D9D9")
BOLD = Font(bold=True)
#: Largest magnitude the value fields hold (20 digits, 6 of them decimals).
LIMIT = "99999999999999"


@dataclass
class Line:
    """One row of the first sheet: an indicator at a period (and a GADP), as stored now."""

    code: str
    period: str
    gadp: str | None
    ratio: bool
    stored: tuple = (None, None, None, "")  # value, numerator, denominator, analysis


@dataclass
class Template:
    """What the workbook shows, read in a fixed number of queries."""

    plan: object
    unit: object
    period: Period
    indicators: list[Indicator]
    periods: dict[int, list[str]]
    lines: list[Line] = field(default_factory=list)
    targets: dict[tuple, tuple] = field(default_factory=dict)
    statuses: dict[tuple, str] = field(default_factory=dict)
    closed: dict[str, bool] = field(default_factory=dict)
    gadp_codes: list[str] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return f"plantilla-mediciones-{self.plan.code}-{self.unit.code}-{self.period.code}.xlsx"


def template_for(plan, unit, period: Period) -> Template:
    """The unit's indicators of the plan at the periods inside ``period``: five queries."""
    indicators = list(
        Indicator.objects.filter(plan=plan, responsible_unit=unit).order_by("order", "code")
    )
    periods = {
        i.pk: [p.code for p in periods_of_year(period.year, i.periodicity) if period.contains(p)]
        for i in indicators
    }
    codes = {code for codes in periods.values() for code in codes}
    template = Template(plan, unit, period, indicators, periods)
    fields = ("indicator_id", "period", "gadp_id", "value", "numerator", "denominator")
    stored = {
        (i, p, g): (v, n, d, a, s)
        for i, p, g, v, n, d, a, s in Measurement.objects.filter(
            indicator__in=indicators, period__in=codes
        ).values_list(*fields, "analysis", "status")
    }
    template.targets = {
        (i, p): (v, m)
        for i, p, v, m in Target.objects.filter(
            indicator__in=indicators, period__in=codes
        ).values_list("indicator_id", "period", "value", "value_max")
    }
    gadps = []
    if any(i.disaggregated_by_gadp for i in indicators):
        gadps = list(Gadp.objects.order_by("code").values_list("pk", "code"))
    template.gadp_codes = [code for _pk, code in gadps]
    closed = closed_periods(plan)
    template.closed = {code: is_closed(plan, code, closed) for code in codes}
    _fill_lines(template, stored, gadps)
    return template


def _fill_lines(template: Template, stored: dict, gadps: list) -> None:
    for indicator in template.indicators:
        ratio = indicator.calculation == Indicator.Calculation.RATIO
        parts = [(None, None)] + (gadps if indicator.disaggregated_by_gadp else [])
        for period in template.periods[indicator.pk]:
            for gadp_pk, gadp_code in parts:
                found = stored.get((indicator.pk, period, gadp_pk))
                line = Line(indicator.code, period, gadp_code, ratio)
                if found is not None:
                    line.stored = found[:4]
                    if gadp_pk is None:
                        template.statuses[(indicator.pk, period)] = found[4]
                template.lines.append(line)


# --- the workbook -------------------------------------------------------------------------


def _number(value: Decimal | None):
    """A stored number as a numeric cell, or as text when a float would not keep it exactly."""
    if value is None:
        return None
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else format(value.normalize(), "f")


def _text(value) -> str | None:
    return escape_formula(str(value)) if value not in (None, "") else None


def _columns(template: Template) -> list[str]:
    indicators = template.indicators
    columns = ["indicador", "periodo"]
    if any(i.disaggregated_by_gadp for i in indicators):
        columns.append("gadp")
    if not indicators or any(i.calculation != Indicator.Calculation.RATIO for i in indicators):
        columns.append("valor")
    if any(i.calculation == Indicator.Calculation.RATIO for i in indicators):
        columns += ["numerador", "denominador"]
    return [*columns, "analisis"]


def _cells(line: Line) -> dict:
    value, numerator, denominator, analysis = line.stored
    return {
        "indicador": _text(line.code),
        "periodo": line.period,
        "gadp": line.gadp,
        "valor": _number(value),
        "numerador": _number(numerator),
        "denominador": _number(denominator),
        "analisis": _text(analysis),
    }


def _header(ws, columns: list[str], widths: dict[str, int], default: int = 14) -> None:
    ws.append(columns)
    for cell in ws[1]:
        cell.font = BOLD
    ws.freeze_panes = "A2"
    for index, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = widths.get(name, default)


def _values_sheet(ws, template: Template) -> None:
    columns = _columns(template)
    _header(ws, columns, {"analisis": 60})
    for number, line in enumerate(template.lines, start=2):
        cells = _cells(line)
        ws.append([cells[name] for name in columns])
        # Grey marks the cells that do not belong to the row's kind of indicator.
        grey = {"valor"} if line.ratio else {"numerador", "denominador"}
        for index, name in enumerate(columns, start=1):
            cell = ws.cell(row=number, column=index)
            if name in ("indicador", "periodo", "gadp"):
                cell.number_format = "@"  # typed periods stay text, never dates
            elif name in grey:
                cell.fill = NOT_APPLICABLE
    _validations(ws, columns, template)


def _rule(name: str, template: Template) -> DataValidation | None:
    if name in ("valor", "numerador"):
        rule = DataValidation("decimal", operator="between", formula1=f"-{LIMIT}", formula2=LIMIT)
    elif name == "denominador":
        rule = DataValidation("decimal", operator="greaterThan", formula1="0")
    elif name == "gadp":
        rule = DataValidation("list", formula1='"' + ",".join(template.gadp_codes) + '"')
    else:
        return None
    rule.allow_blank = True
    rule.showErrorMessage = True
    rule.errorTitle = _("Dato no válido")
    rule.error = (
        _("Elija un código de GAD provincial de la lista.")
        if name == "gadp"
        else _("Escriba un número (punto o coma decimal, sin separador de miles).")
    )
    return rule


def _validations(ws, columns: list[str], template: Template) -> None:
    last = len(template.lines) + 1
    if last < 2:
        return
    for index, name in enumerate(columns, start=1):
        rule = _rule(name, template)
        if rule is not None:
            letter = get_column_letter(index)
            rule.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(rule)


def _yes_no(flag: bool) -> str:
    return _("sí") if flag else _("no")


def _reference_rows(template: Template):
    status_labels = dict(Measurement.Status.choices)
    for indicator in template.indicators:
        calculation = indicator.get_calculation_display()
        for period in template.periods[indicator.pk]:
            target, target_max = template.targets.get((indicator.pk, period), (None, None))
            status = template.statuses.get((indicator.pk, period))
            yield [
                _text(indicator.code),
                _text(indicator.name),
                _text(indicator.unit_of_measure),
                _text(indicator.get_periodicity_display()),
                _text(calculation),
                _yes_no(indicator.disaggregated_by_gadp),
                period,
                _number(target),
                _number(target_max),
                _yes_no(template.closed[period]),
                str(status_labels[status]) if status else _("sin valor"),
            ]


def _reference_sheet(ws, template: Template) -> None:
    columns = [
        _("indicador"),
        _("nombre"),
        _("unidad de medida"),
        _("periodicidad"),
        _("cálculo"),
        _("desagregado por GADP"),
        _("periodo"),
        _("meta"),
        _("meta máxima"),
        _("periodo cerrado"),
        _("estado del valor"),
    ]
    _header(ws, columns, {columns[1]: 60, columns[4]: 30})
    for row in _reference_rows(template):
        ws.append(row)


def instructions(template: Template) -> list[str]:
    """The «Instrucciones» sheet, one paragraph per line."""
    return [
        _("Plantilla de mediciones del plan %(plan)s, unidad %(unit)s, periodo %(period)s.")
        % {"plan": template.plan.code, "unit": template.unit.code, "period": template.period},
        _(
            "Complete la primera hoja («mediciones») y súbala en «Importar», formato "
            "«mediciones». Solo se importa la primera hoja: no cambie su orden ni sus "
            "encabezados."
        ),
        _(
            "Cada fila es un indicador en un periodo. En un indicador desagregado por GAD "
            "provincial, las filas con código en «gadp» son la parte de cada provincia y la "
            "fila sin «gadp» es el valor del indicador."
        ),
        _(
            "Indicadores de valor: escriba «valor». Indicadores de razón: escriba «numerador» "
            "y «denominador» (mayor que 0) y deje «valor» vacío. Las celdas en gris no "
            "corresponden al indicador de su fila."
        ),
        _(
            "Números con punto o coma decimal, sin separador de miles, hasta 6 decimales. "
            "«analisis» es el análisis de variación (texto, opcional)."
        ),
        _(
            "Filas sin datos: una fila cuyas celdas valor, numerador, denominador y analisis "
            "están todas vacías se omite y cuenta como «sin cambios»; no es un error ni borra "
            "nada. Deje vacías las filas que no vaya a reportar. Una fila con análisis pero "
            "sin número es un error (falta el valor)."
        ),
        _(
            "Los valores ya registrados vienen escritos: si no los cambia, quedan como están. "
            "Importar la plantilla tal como se descargó no cambia nada."
        ),
        _(
            "Los valores importados quedan «reportados» hasta que Planificación los valide. "
            "Los valores validados y los de periodos cerrados (hoja «Referencia») solo los "
            "cambia Planificación, con la opción «reemplazar valores validados y de periodos "
            "cerrados»."
        ),
        _(
            "Antes de guardar, la importación muestra una vista previa: lo que se creará, lo "
            "que se actualizará y los errores (fila, columna, valor y motivo). Si alguna fila "
            "tiene un error no se guarda nada: corrija el archivo y vuelva a subirlo."
        ),
    ]


def _instructions_sheet(ws, template: Template) -> None:
    ws.column_dimensions["A"].width = 110
    for line in instructions(template):
        ws.append([_text(line)])


def template_xlsx(template: Template) -> bytes:
    """The workbook: «mediciones» (first, the import format), «Referencia», «Instrucciones»."""
    book = Workbook()
    values = book.active
    values.title = "mediciones"
    _values_sheet(values, template)
    _reference_sheet(book.create_sheet("Referencia"), template)
    _instructions_sheet(book.create_sheet("Instrucciones"), template)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
