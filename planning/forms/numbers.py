"""Numbers typed in the plan's forms, read the same way for every user (PITFALLS 5).

``12,5`` and ``12.5`` are the same number whatever the interface language; there is no
thousands separator; a number that does not fit its column is refused, never rounded.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from planning.concurrency import show_number

NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def parse_number(text, *, max_digits: int = 20, decimal_places: int = 6) -> Decimal | None:
    """The number written in ``text``; None when blank; a ValidationError when it is not one.

    ``max_digits`` and ``decimal_places`` are those of the column that keeps it.
    """
    text = str(text if text is not None else "").strip()
    if not text:
        return None
    if not NUMBER.fullmatch(text):
        raise ValidationError(_("Ingrese un número."), code="invalid")
    value = Decimal(text.replace(",", "."))
    _sign, digits, exponent = value.normalize().as_tuple()
    decimals = max(0, -exponent)
    if decimals > decimal_places:
        raise ValidationError(
            _("Admite como máximo %(n)s decimales.") % {"n": decimal_places}, code="decimals"
        )
    if len(digits) + exponent > max_digits - decimal_places:
        raise ValidationError(_("El número es demasiado grande."), code="too_large")
    return value


class NumberField(forms.CharField):
    """A decimal typed with ``.`` or ``,`` (see :func:`parse_number`), shown without zeros."""

    def __init__(self, *, max_digits: int = 20, decimal_places: int = 6, **kwargs):
        self.max_digits, self.decimal_places = max_digits, decimal_places
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return parse_number(
            super().to_python(value),
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
        )

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return show_number(value)
        return value
