"""The plan's spreadsheet columns (CONTRACT.md, "Spreadsheet formats"), defined once.

Each format is a django-import-export resource: its columns by their contract names, the
model attribute each fills, whether blank keeps or clears what is stored, and a widget that
reads a cell strictly and writes it back for export. The widgets read numbers with `.` or
`,` as decimal separator the same for every user (never by locale) and refuse what does not
fit instead of rounding (PITFALLS 5); coded values and headers compare case- and
accent-insensitively; exported text is escaped against formula injection (PITFALLS 2).

The bulk import behind these definitions is ``scorecard.imports``: one lookup of codes, all
rows validated in memory, one set-based transaction (PITFALLS 6, 7, 13). The resources' own
row-by-row import is switched off so that no entry point can bypass it.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from decimal import Context, Decimal

from import_export import fields, resources, widgets

from planning.models import ExpectedResult, Gadp, Indicator, OrgUnit, StrategicObjective, Target
from planning.periods import InvalidPeriod, Period

#: Text starting with one of these is a formula to a spreadsheet program (PITFALLS 2).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
_SEPARATORS = re.compile(r"[\s_\-]+")
# Wide enough that quantizing any cell to a field's decimals never fails.
_WIDE = Context(prec=60)


class CellError(ValueError):
    """A cell that cannot be read as its column asks; the message is the reason, in Spanish."""


@functools.lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """How headers and coded values compare: no accents, lower case, ``_`` between words."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub("_", plain.strip()).strip("_")


def escape_formula(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula; other text is unchanged.

    Text already written that way (``'=1``) gets one more ``'``, so that the import's
    :func:`unescape_formula` gives every text back exactly.
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unescape_formula(text: str) -> str:
    """Undo :func:`escape_formula`: one ``'`` less before what would be a formula."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


def is_blank(value) -> bool:
    """An empty cell: nothing, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
    """A cell as the text it shows: ``2019`` for the number 2019.0, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def quoted(value, limit: int = 40) -> str:
    """A cell in a message, between «», cut short when long."""
    text = cell_text(value)
    return f"«{text if len(text) <= limit else text[: limit - 1] + '…'}»"


class TextWidget(widgets.CharWidget):
    """Free text, optionally with a maximum length; exported escaped against formulas."""

    def __init__(self, max_length: int | None = None):
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.max_length = max_length

    def parse(self, value) -> str:
        text = unescape_formula(cell_text(value))
        if self.max_length is not None and len(text) > self.max_length:
            raise CellError(f"admite como máximo {self.max_length} caracteres (tiene {len(text)})")
        return text

    def clean(self, value, row=None, **kwargs):
        return self.parse(value)

    def render(self, value, obj=None, **kwargs):
        if value is None or value == "":
            return None if kwargs.get("force_native_type") else ""
        return escape_formula(str(value))


class CodeWidget(TextWidget):
    """A reference to another object of the plan by its code (looked up in bulk, never here).

    ``pad`` left-pads digit-only codes, for codes that spreadsheets turn into numbers
    (the GADP code ``01`` arrives as 1).
    """

    def __init__(self, model, *, pad: int = 0):
        super().__init__(max_length=model._meta.get_field("code").max_length)
        self.model = model
        self.pad = pad

    def parse(self, value) -> str:
        code = super().parse(value)
        return code.zfill(self.pad) if self.pad and code.isdigit() else code

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return escape_formula(value.code)


class ChoiceWidget(TextWidget):
    """One of a field's coded values, read case- and accent-insensitively."""

    def __init__(self, choices):
        super().__init__()
        self.values = {normalize(value): value for value, _label in choices}
        self.allowed = ", ".join(value for value, _label in choices)

    def parse(self, value) -> str:
        text = super().parse(value)
        try:
            return self.values[normalize(text)]
        except KeyError:
            raise CellError(f"{quoted(text)} no es un valor admitido ({self.allowed})") from None


class NumberWidget(widgets.DecimalWidget):
    """A decimal number that must fit its model field exactly: never rounded, never by locale.

    Numeric cells are taken as they are; text uses ``.`` or ``,`` as the decimal separator
    and no thousands separator. ``minimum`` (with ``exclusive``) bounds it from below.
    """

    def __init__(self, *, max_digits=20, decimal_places=6, minimum=None, exclusive=False):
        super().__init__(coerce_to_string=True)
        self.decimal_places = decimal_places
        self.quantum = Decimal(1).scaleb(-decimal_places)
        self.integer_digits = max_digits - decimal_places
        self.minimum = None if minimum is None else Decimal(minimum)
        self.exclusive = exclusive

    @classmethod
    def for_field(cls, model, name, **kwargs):
        field = model._meta.get_field(name)
        return cls(max_digits=field.max_digits, decimal_places=field.decimal_places, **kwargs)

    def parse(self, value) -> Decimal:
        number = self._read(value)
        misfit = self._misfit(number)
        if misfit:
            raise CellError(f"{quoted(value)} {misfit}")
        return number

    def _read(self, value) -> Decimal:
        if isinstance(value, bool | datetime.date | datetime.time):
            raise CellError(f"{quoted(value)} no es un número")
        if isinstance(value, int | float | Decimal):
            return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        text = cell_text(value)
        if not _NUMBER.fullmatch(text):
            raise CellError(
                f"{quoted(text)} no es un número (use punto o coma decimal, sin separador de miles)"
            )
        return Decimal(text.replace(",", "."))

    def _misfit(self, number: Decimal) -> str | None:
        """Why the number does not fit the field, or None."""
        if not number.is_finite():
            return "no es un número"
        exponent = number.as_tuple().exponent  # quantize only when decimals may not fit
        if exponent < -self.decimal_places and number != number.quantize(
            self.quantum, context=_WIDE
        ):
            return f"tiene más de {self.decimal_places} decimales"
        if number and number.adjusted() >= self.integer_digits:
            return "es demasiado grande"
        if self.minimum is not None:
            if self.exclusive and number <= self.minimum:
                return f"debe ser mayor que {self.minimum}"
            if number < self.minimum:
                return f"no puede ser menor que {self.minimum}"
        return None

    def clean(self, value, row=None, **kwargs):
        return None if is_blank(value) else self.parse(value)

    def render(self, value, obj=None, **kwargs):
        native = kwargs.get("force_native_type")
        if value is None:
            return None if native else ""
        text = format(Decimal(value).normalize(), "f")  # 5.000000 → 5, never 1E+2
        return Decimal(text) if native else text


class YearWidget(NumberWidget):
    """A calendar year, as a number or a text (``2019``)."""

    def __init__(self):
        super().__init__(max_digits=4, decimal_places=0)

    def parse(self, value) -> int:
        try:
            year = super().parse(value)
        except CellError:
            raise CellError(f"{quoted(value)} no es un año") from None
        if not 1900 <= year <= 2100:
            raise CellError(f"{quoted(value)} no es un año entre 1900 y 2100")
        return int(year)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else str(value)


@functools.lru_cache(maxsize=4096)
def _period(value) -> Period:
    # A file repeats a few periods many times; Period is immutable, so sharing is safe.
    return Period.parse(value)


class PeriodWidget(TextWidget):
    """A period as the cell shows it: a code, a year number or a date cell (its month)."""

    def parse(self, value) -> Period:
        try:
            return _period(value.strip() if isinstance(value, str) else value)
        except (InvalidPeriod, TypeError):  # TypeError: an unhashable cell, never a period
            raise CellError(
                f"{quoted(value)} no es un periodo (2019, 2019-S1, 2019-T2 o 2019-03)"
            ) from None


class Column(fields.Field):
    """One spreadsheet column of a format.

    ``key``: part of the row's key; the header must have it.
    ``keep_blank``: every object has this value, so a blank cell keeps the stored one
    (a blank optional cell clears it instead, so that an exported file imports back).
    ``needed_new``: a new object cannot be created without it.
    """

    def __init__(self, name, attribute, widget, *, key=False, keep_blank=False, needed_new=False):
        super().__init__(attribute=attribute, column_name=name, widget=widget)
        self.key = key
        self.keep_blank = keep_blank or key
        self.needed_new = needed_new or key


class SpreadsheetResource(resources.ModelResource):
    """A resource whose columns are :class:`Column` and whose import is the bulk service."""

    def columns(self) -> list[Column]:
        """The format's columns, in the order of the contract (and of exports)."""
        return [f for f in self.get_export_fields() if isinstance(f, Column)]

    def import_data(self, *args, **kwargs):
        raise NotImplementedError(
            "Las importaciones pasan por scorecard.imports (masivas, todo o nada, con permisos)."
        )


def _choice(name):
    return ChoiceWidget(Indicator._meta.get_field(name).choices)


def _number(name, **kwargs):
    return NumberWidget.for_field(Indicator, name, **kwargs)


def _text(name):
    return TextWidget(max_length=Indicator._meta.get_field(name).max_length)


class IndicatorResource(SpreadsheetResource):
    """**indicadores**: create or update the indicators of a plan, keyed by ``codigo``."""

    codigo = Column("codigo", "code", _text("code"), key=True)
    nombre = Column("nombre", "name", TextWidget(), keep_blank=True, needed_new=True)
    objetivo = Column(
        "objetivo",
        "objective",
        CodeWidget(StrategicObjective),
        keep_blank=True,
        needed_new=True,
    )
    resultado = Column("resultado", "result", CodeWidget(ExpectedResult))
    tipo = Column("tipo", "kind", _choice("kind"), keep_blank=True)
    unidad_medida = Column("unidad_medida", "unit_of_measure", _text("unit_of_measure"))
    sentido = Column("sentido", "polarity", _choice("polarity"), keep_blank=True, needed_new=True)
    acumulacion = Column(
        "acumulacion", "accumulation", _choice("accumulation"), keep_blank=True, needed_new=True
    )
    ventana = Column("ventana", "window", _choice("window"), keep_blank=True)
    calculo = Column(
        "calculo", "calculation", _choice("calculation"), keep_blank=True, needed_new=True
    )
    factor = Column(
        "factor", "factor", _number("factor", minimum=0, exclusive=True), keep_blank=True
    )
    referencia = Column("referencia", "reference", _choice("reference"), keep_blank=True)
    periodicidad = Column(
        "periodicidad", "periodicity", _choice("periodicity"), keep_blank=True, needed_new=True
    )
    linea_base = Column("linea_base", "baseline", _number("baseline"))
    anio_linea_base = Column("anio_linea_base", "baseline_year", YearWidget())
    meta_final = Column("meta_final", "final_target", _number("final_target"))
    anio_meta_final = Column("anio_meta_final", "final_target_year", YearWidget())
    unidad_responsable = Column(
        "unidad_responsable",
        "responsible_unit",
        CodeWidget(OrgUnit),
    )
    umbral_verde = Column("umbral_verde", "green_threshold", _number("green_threshold", minimum=0))
    umbral_amarillo = Column(
        "umbral_amarillo", "yellow_threshold", _number("yellow_threshold", minimum=0)
    )
    peso = Column("peso", "weight", _number("weight", minimum=0), keep_blank=True)
    definicion = Column("definicion", "definition", TextWidget())
    formula = Column("formula", "formula", TextWidget())
    fuente_datos = Column("fuente_datos", "data_source", TextWidget())
    medio_verificacion = Column("medio_verificacion", "verification_means", TextWidget())
    interpretacion = Column("interpretacion", "interpretation", TextWidget())
    limitaciones = Column("limitaciones", "limitations", TextWidget())

    class Meta:
        model = Indicator
        fields = (
            "codigo",
            "nombre",
            "objetivo",
            "resultado",
            "tipo",
            "unidad_medida",
            "sentido",
            "acumulacion",
            "ventana",
            "calculo",
            "factor",
            "referencia",
            "periodicidad",
            "linea_base",
            "anio_linea_base",
            "meta_final",
            "anio_meta_final",
            "unidad_responsable",
            "umbral_verde",
            "umbral_amarillo",
            "peso",
            "definicion",
            "formula",
            "fuente_datos",
            "medio_verificacion",
            "interpretacion",
            "limitaciones",
        )
        export_order = fields
        import_id_fields = ("codigo",)

    @staticmethod
    def queryset_for(plan):
        """The plan's indicators as exported, with the codes they refer to in one query."""
        return (
            Indicator.objects.filter(plan=plan)
            .select_related("objective", "result", "responsible_unit")
            .order_by("order", "code")
        )


def indicator_key_widget() -> CodeWidget:
    """The ``indicador`` column of targets and measurements: an indicator's code."""
    return CodeWidget(Indicator)


def gadp_widget() -> CodeWidget:
    """The ``gadp`` column: INEC's two-digit province code (``1`` reads as ``01``)."""
    return CodeWidget(Gadp, pad=2)


class TargetResource(SpreadsheetResource):
    """**metas**: the programmed targets, keyed by (``indicador``, ``periodo``)."""

    indicador = Column("indicador", "indicator", indicator_key_widget(), key=True)
    periodo = Column("periodo", "period", PeriodWidget(), key=True)
    meta = Column(
        "meta",
        "value",
        NumberWidget.for_field(Target, "value"),
        keep_blank=True,
        needed_new=True,
    )
    meta_max = Column("meta_max", "value_max", NumberWidget.for_field(Target, "value_max"))

    class Meta:
        model = Target
        fields = ("indicador", "periodo", "meta", "meta_max")
        export_order = fields
        import_id_fields = ("indicador", "periodo")

    @staticmethod
    def queryset_for(plan):
        return (
            Target.objects.filter(indicator__plan=plan)
            .select_related("indicator")
            .order_by("indicator__order", "indicator__code", "period")
        )
