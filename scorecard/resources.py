"""The spreadsheet columns of reported values (CONTRACT.md, **mediciones**), defined once.

Keyed by (``indicador``, ``periodo``) and, for indicators disaggregated by province, ``gadp``.
A ratio row gives ``numerador`` and ``denominador``; any other row gives ``valor``. The rules
that tie the columns together (and the bulk write) are in ``scorecard.imports``.
"""

from planning.resources import (
    Column,
    NumberWidget,
    PeriodWidget,
    SpreadsheetResource,
    TextWidget,
    gadp_widget,
    indicator_key_widget,
)
from scorecard.models import Measurement


def _number(name, **kwargs):
    return NumberWidget.for_field(Measurement, name, **kwargs)


class MeasurementResource(SpreadsheetResource):
    """**mediciones**: values reported per indicator and period (and GADP)."""

    indicador = Column("indicador", "indicator", indicator_key_widget(), key=True)
    periodo = Column("periodo", "period", PeriodWidget(), key=True)
    gadp = Column("gadp", "gadp", gadp_widget())
    valor = Column("valor", "value", _number("value"))
    numerador = Column("numerador", "numerator", _number("numerator"))
    denominador = Column("denominador", "denominator", _number("denominator"))
    analisis = Column("analisis", "analysis", TextWidget())

    class Meta:
        model = Measurement
        fields = ("indicador", "periodo", "gadp", "valor", "numerador", "denominador", "analisis")
        export_order = fields
        import_id_fields = ("indicador", "periodo", "gadp")

    @staticmethod
    def queryset_for(plan, indicators=None):
        """The plan's values as exported (``indicators`` narrows them, e.g. to a unit's)."""
        rows = Measurement.objects.filter(indicator__plan=plan)
        if indicators is not None:
            rows = rows.filter(indicator__in=indicators)
        return rows.select_related("indicator", "gadp").order_by(
            "indicator__order", "indicator__code", "period", "gadp__code"
        )
