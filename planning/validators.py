from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from planning.periods import InvalidPeriod, Period


def validate_period_code(value: str):
    """A stored period is written in its canonical code (``2019-T2``, never ``2019-Q2``)."""
    try:
        canonical = Period.parse(value).code
    except InvalidPeriod:
        canonical = None
    if canonical != value:
        raise ValidationError(
            _("«%(value)s» no es un periodo (2019, 2019-S1, 2019-T2 o 2019-03)."),
            params={"value": value},
        )
