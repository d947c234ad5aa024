"""A file's columns read cell by cell with their widget's ``parse``, made cheap for large files.

A file of 100,000 rows spent most of its reading time calling the widgets' general checks
once per cell. A column is read here in one loop, and two shortcuts give exactly what
``widget.parse`` gives, values and error messages alike (``tests/test_import_cells.py``
compares them):

- coded columns (indicator and GADP codes, periods, choices) repeat a few thousand distinct
  cells at most: each distinct cell is read once and remembered, with its error;
- a plain number (``12.5``, ``12,5``, ``-3``, or a numeric cell) that clearly fits its field
  becomes a Decimal straight away; anything else goes through the widget.
"""

from __future__ import annotations

import re
from decimal import Decimal

from planning.resources import CellError, ChoiceWidget, CodeWidget, NumberWidget, PeriodWidget

#: Digits, optionally a sign and decimals: the text ``NumberWidget`` reads without surprises.
_PLAIN = re.compile(r"[+-]?(\d+)(?:[.,](\d+))?")
_MISSING = object()


class Refused:
    """A value refused, and why: remembered beside the good ones, told apart by type."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


def read_column(widget, cells: list) -> tuple[list, list[tuple[int, str]]]:
    """Each cell as ``widget.parse`` reads it (None for a blank or refused cell), and the
    refused ones as (position in ``cells``, reason)."""
    if type(widget).parse is NumberWidget.parse and widget.minimum is None:
        values = _numbers(widget, cells)
    elif isinstance(widget, CodeWidget | ChoiceWidget | PeriodWidget):
        values = _remembered(widget.parse, cells)
    else:
        values = [None if _blank(cell) else _parse(widget.parse, cell) for cell in cells]
    failures = []
    for position, value in enumerate(values):
        if type(value) is Refused:
            failures.append((position, value.message))
            values[position] = None
    return values, failures


def _blank(cell) -> bool:
    return cell is None or cell == "" or (type(cell) is str and cell.isspace())


def _parse(parse, cell):
    try:
        return parse(cell)
    except CellError as exc:
        return Refused(str(exc))


def _remembered(parse, cells: list) -> list:
    """``parse`` once per distinct cell: a coded column repeats a few thousand at most."""
    known = {"": None, None: None}
    values = []
    for cell in cells:
        # 1 == 1.0 == True as dict keys: only text is its own key, other cells go by type.
        key = cell if type(cell) is str else (type(cell), cell)
        value = known.get(key, _MISSING)
        if value is _MISSING:
            value = known[key] = None if _blank(cell) else _parse(parse, cell)
        values.append(value)
    return values


def _numbers(widget: NumberWidget, cells: list) -> list:
    """Plain numbers that clearly fit become Decimals here; the widget reads the rest."""
    places, integers, parse = widget.decimal_places, widget.integer_digits, widget.parse
    plain = _PLAIN.fullmatch
    values = []
    for cell in cells:
        kind = type(cell)
        if kind is str:
            text = cell.strip()
            if not text:
                values.append(None)
                continue
        elif kind is float:
            text = repr(cell)  # what the widget reads a numeric cell as
        elif cell is None:
            values.append(None)
            continue
        else:
            values.append(_parse(parse, cell))
            continue
        match = plain(text)
        if match is None:
            values.append(_parse(parse, cell))
            continue
        whole, decimals = match.groups()
        if (decimals is not None and len(decimals) > places) or len(whole.lstrip("0")) > integers:
            values.append(_parse(parse, cell))  # may still fit (trailing zeros), or says why
            continue
        values.append(Decimal(text.replace(",", ".")))
    return values
