"""Indicators with their ficha metodológica, and programmed targets per period."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planning import periods
from planning.models.base import PlanElement, within_plan
from planning.models.structure import ExpectedResult, OrgUnit, StrategicObjective
from planning.validators import validate_period_code

DECIMAL = {"max_digits": 20, "decimal_places": 6}


class Indicator(PlanElement):
    """An indicator of an objective (or of one of its results), with its ficha metodológica.

    The calculation settings (polarity, accumulation, window, ratio, reference) say how its
    reported values become the comparable value and achievement of DOMAIN.md.
    """

    class Kind(models.TextChoices):
        RESULT = "resultado", _("Resultado")
        MANAGEMENT = "gestion", _("Gestión")
        PRODUCT = "producto", _("Producto")
        IMPACT = "impacto", _("Impacto")

    class Polarity(models.TextChoices):
        INCREASING = "creciente", _("Creciente (más es mejor)")
        DECREASING = "decreciente", _("Decreciente (menos es mejor)")
        RANGE = "rango", _("Rango (dentro de una banda)")
        MILESTONE = "hito", _("Hito (logrado / no logrado)")

    class Accumulation(models.TextChoices):
        DISCRETE = "discreto", _("Discreto (cada periodo)")
        CUMULATIVE = "acumulado", _("Acumulado (suma)")
        LEVEL = "nivel", _("Nivel (último dato)")
        AVERAGE = "promedio", _("Promedio")

    class Window(models.TextChoices):
        YEAR = "anual", _("Anual")
        PLAN = "plan", _("Todo el plan")

    class Calculation(models.TextChoices):
        VALUE = "valor", _("Valor")
        RATIO = "razon", _("Razón (numerador / denominador)")

    class Reference(models.TextChoices):
        TARGET = "meta", _("Meta")
        GAP = "brecha", _("Brecha desde la línea base")

    class Periodicity(models.TextChoices):
        MONTHLY = periods.MONTHLY, _("Mensual")
        QUARTERLY = periods.QUARTERLY, _("Trimestral")
        SEMESTRAL = periods.SEMESTRAL, _("Semestral")
        ANNUAL = periods.ANNUAL, _("Anual")

    objective = models.ForeignKey(
        StrategicObjective,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("objetivo"),
    )
    result = models.ForeignKey(
        ExpectedResult,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("resultado"),
    )
    name = models.TextField(_("nombre"))
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices, default=Kind.RESULT)
    unit_of_measure = models.CharField(_("unidad de medida"), max_length=100, blank=True)
    polarity = models.CharField(
        _("sentido"), max_length=12, choices=Polarity.choices, default=Polarity.INCREASING
    )
    accumulation = models.CharField(
        _("acumulación"),
        max_length=10,
        choices=Accumulation.choices,
        default=Accumulation.DISCRETE,
    )
    window = models.CharField(
        _("ventana"), max_length=5, choices=Window.choices, default=Window.YEAR
    )
    calculation = models.CharField(
        _("cálculo"), max_length=5, choices=Calculation.choices, default=Calculation.VALUE
    )
    factor = models.DecimalField(_("factor"), default=Decimal(1), **DECIMAL)
    reference = models.CharField(
        _("referencia"), max_length=6, choices=Reference.choices, default=Reference.TARGET
    )
    periodicity = models.CharField(
        _("periodicidad"),
        max_length=10,
        choices=Periodicity.choices,
        default=Periodicity.ANNUAL,
    )
    baseline = models.DecimalField(_("línea base"), null=True, blank=True, **DECIMAL)
    baseline_year = models.PositiveSmallIntegerField(_("año de línea base"), null=True, blank=True)
    baseline_source = models.CharField(_("fuente de línea base"), max_length=255, blank=True)
    final_target = models.DecimalField(_("meta final"), null=True, blank=True, **DECIMAL)
    final_target_year = models.PositiveSmallIntegerField(
        _("año de meta final"), null=True, blank=True
    )
    responsible_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("unidad responsable"),
    )
    green_threshold = models.DecimalField(
        _("umbral verde (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    yellow_threshold = models.DecimalField(
        _("umbral amarillo (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    weight = models.DecimalField(_("peso"), max_digits=8, decimal_places=4, default=Decimal(1))
    disaggregated_by_gadp = models.BooleanField(_("desagregado por GADP"), default=False)

    # Ficha metodológica (INEC / national planning format).
    definition = models.TextField(_("definición"), blank=True)
    formula = models.TextField(_("fórmula de cálculo"), blank=True)
    variables = models.TextField(_("definición de variables"), blank=True)
    calculation_method = models.TextField(_("metodología de cálculo"), blank=True)
    limitations = models.TextField(_("limitaciones técnicas"), blank=True)
    interpretation = models.TextField(_("interpretación"), blank=True)
    data_source = models.TextField(_("fuente de datos"), blank=True)
    verification_means = models.TextField(_("medio de verificación"), blank=True)
    data_availability = models.CharField(
        _("disponibilidad de los datos"), max_length=255, blank=True
    )
    disaggregation_level = models.CharField(_("nivel de desagregación"), max_length=255, blank=True)
    georeferenced = models.BooleanField(_("georreferenciado"), default=False)
    alignment = models.TextField(
        _("relación con instrumentos de planificación (PND, ODS)"), blank=True
    )
    references = models.TextField(_("referencias"), blank=True)
    sheet_made_on = models.DateField(_("fecha de elaboración"), null=True, blank=True)
    sheet_updated_on = models.DateField(_("fecha de actualización"), null=True, blank=True)
    sheet_made_by = models.CharField(_("elaborado por"), max_length=255, blank=True)

    #: The calculation settings, apart from the ficha itself (pages and forms group them).
    CALCULATION_FIELDS = (
        "periodicity",
        "polarity",
        "accumulation",
        "window",
        "calculation",
        "factor",
        "reference",
        "green_threshold",
        "yellow_threshold",
        "weight",
        "disaggregated_by_gadp",
    )

    class Meta(PlanElement.Meta):
        verbose_name = _("indicador")
        verbose_name_plural = _("indicadores")
        constraints = [
            within_plan("indicator"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="indicator_factor_positive"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="indicator_weight_positive"),
            models.CheckConstraint(
                condition=Q(green_threshold__isnull=True)
                | Q(yellow_threshold__isnull=True)
                | Q(green_threshold__gt=F("yellow_threshold")),
                name="indicator_bands_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(reference="brecha") | Q(baseline__isnull=False),
                name="indicator_gap_needs_baseline",
            ),
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.objective_id and self.plan_id and self.objective.plan_id != self.plan_id:
            errors["objective"] = _("El objetivo es de otro plan.")
        if self.result_id and self.result.objective_id != self.objective_id:
            errors["result"] = _("El resultado pertenece a otro objetivo.")
        if self.reference == self.Reference.GAP and self.baseline is None:
            errors["baseline"] = _("La referencia «brecha» necesita una línea base.")
        if (
            self.green_threshold is not None
            and self.yellow_threshold is not None
            and self.green_threshold <= self.yellow_threshold
        ):
            errors["green_threshold"] = _("El umbral verde debe ser mayor que el amarillo.")
        if errors:
            raise ValidationError(errors)

    def accepts_period(self, code: str) -> bool:
        """True when ``code`` is one of this indicator's periods within its plan's years."""
        try:
            period = periods.Period.parse(code)
        except periods.InvalidPeriod:
            return False
        return period.periodicity == self.periodicity and (
            self.plan.start_year <= period.year <= self.plan.end_year
        )

    def check_period(self, code: str, field: str = "period"):
        """Raise a ValidationError naming ``field`` when ``code`` is not one of its periods."""
        if not self.accepts_period(code):
            raise ValidationError(
                {
                    field: _(
                        "El periodo %(period)s no corresponde a un indicador %(periodicity)s "
                        "del plan %(start)s–%(end)s."
                    )
                    % {
                        "period": code,
                        "periodicity": self.get_periodicity_display().lower(),
                        "start": self.plan.start_year,
                        "end": self.plan.end_year,
                    }
                }
            )


class Target(models.Model):
    """The programmed target (meta) of an indicator for one of its periods.

    ``value_max`` is the top of the band for a ``rango`` indicator (``value`` … ``value_max``).
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicador")
    )
    period = models.CharField(_("periodo"), max_length=7, validators=[validate_period_code])
    value = models.DecimalField(_("meta"), **DECIMAL)
    value_max = models.DecimalField(_("meta máxima"), null=True, blank=True, **DECIMAL)
    # A reforma of an approved plan changes the target but keeps the one first programmed.
    original_value = models.DecimalField(_("meta original"), null=True, blank=True, **DECIMAL)
    original_value_max = models.DecimalField(
        _("meta máxima original"), null=True, blank=True, **DECIMAL
    )
    reform_reason = models.TextField(_("motivo de la reforma"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meta por periodo")
        verbose_name_plural = _("metas por periodo")
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="target_unique_period"),
            models.CheckConstraint(
                condition=Q(value_max__isnull=True) | Q(value_max__gte=F("value")),
                name="target_band_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.period}: {self.value}"

    def clean(self):
        if self.indicator_id and self.period:
            self.indicator.check_period(self.period)
        if self.value_max is not None and self.value is not None and self.value_max < self.value:
            raise ValidationError({"value_max": _("La meta máxima es menor que la meta.")})
