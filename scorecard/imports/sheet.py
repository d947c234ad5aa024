"""From a read table to rows of typed values: the header matched to a format's columns.

Headers match case- and accent-insensitively, in any order; an unknown or repeated column
and a missing key column are problems of row 1. Each present column's cells are read by
its resource widget; a cell that does not read is a problem of its row and column, named
as the file writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from planning.periods import Period
from planning.resources import Column, SpreadsheetResource, cell_text, is_blank, normalize
from scorecard.imports.cells import read_column
from scorecard.imports.reading import Table

UNCACHED_FORMULA = (
    "la celda tiene una fórmula sin valor calculado: abra el archivo y guárdelo en su hoja de "
    "cálculo, o escriba el valor"
)


def shown(value) -> str:
    """A cell's value as people read it in a preview: a period's code, a plain number."""
    if isinstance(value, Period):
        return value.code
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return cell_text(value)


@dataclass(frozen=True)
class Problem:
    """One reason an import cannot go ahead: a row's column, or the file as a whole (row 0).

    ``value`` is the cell as the file holds it, for the web's table of problems; it is not
    part of the message (nor of equality).
    """

    row: int
    position: int
    column: str
    message: str
    value: str = field(default="", compare=False)

    @classmethod
    def file(cls, message: str) -> Problem:
        return cls(0, 0, "", message)

    def __str__(self) -> str:
        if self.row == 0:
            return f"archivo: {self.message}"
        return f"fila {self.row}, columna {self.column}: {self.message}"


def column_letter(index: int) -> str:
    """Spreadsheet letters of a 0-based column index: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Layout:
    """Which of a format's columns the file has: where, and as the file writes them."""

    columns: dict[str, Column]
    index: dict[str, int] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.index

    def problem(self, row: int, name: str, message: str, value=None) -> Problem:
        """A problem of ``row`` in column ``name`` (the contract's name when it is absent)."""
        position = self.index.get(name, 10_000 + list(self.columns).index(name))
        return Problem(row, position, self.written.get(name, name), message, shown(value))


def match_header(table: Table, resource: SpreadsheetResource) -> tuple[Layout, list[Problem]]:
    """Map the header row to the resource's columns; problems are all on row 1."""
    columns = {c.column_name: c for c in resource.columns()}
    by_normal = {normalize(name): name for name in columns}
    layout, problems = Layout(columns), []
    for index, cell in enumerate(table.header):
        written = cell_text(cell)
        if not written:
            continue
        name = by_normal.get(normalize(written))
        if name is None:
            message = f"columna desconocida; las columnas de este formato son: {', '.join(columns)}"
            problems.append(Problem(1, index, written, message, written))
        elif name in layout.index:
            first = column_letter(layout.index[name])
            message = f"columna repetida (ya está en {first})"
            problems.append(Problem(1, index, written, message, written))
        else:
            layout.index[name] = index
            layout.written[name] = written
    for name, column in columns.items():
        if column.key and name not in layout.index:
            problems.append(layout.problem(1, name, "falta esta columna, que es obligatoria"))
    return layout, problems


NONE_FAILED = frozenset()


class Row(NamedTuple):
    """A data row's readable cells by column name (``None`` for blank), and those that failed."""

    number: int
    values: dict
    failed: frozenset = NONE_FAILED


def parse_rows(table: Table, layout: Layout) -> tuple[list[Row], list[Problem]]:
    """Read every present column of every row with its widget; collect the cells that fail.

    Column by column (:mod:`.cells`): one loop per column instead of one call per cell.
    """
    columns, failed, problems = _read_columns(table, layout)
    names = list(layout.index)
    make = tuple.__new__  # a NamedTuple without its Python-level __new__: 100,000 times
    by_row = zip(*columns, strict=True) if names else ((),) * len(table.rows)
    rows = [
        make(Row, (number, dict(zip(names, values, strict=True)), NONE_FAILED))
        for (number, _cells), values in zip(table.rows, by_row, strict=True)
    ]
    for position, names_failed in failed.items():
        rows[position] = rows[position]._replace(failed=frozenset(names_failed))
    if table.uncached_formulas:
        problems += _uncached(table, layout, rows)
    unnamed, width = _unnamed_columns(table), len(table.header)
    for number, cells in table.rows:
        if unnamed or len(cells) > width:
            problems.extend(_stray_cells(number, cells, unnamed, width))
    return rows, problems


def _read_columns(table: Table, layout: Layout):
    """The values of each present column (in ``layout.index`` order), the names of the
    columns that failed per row position, and their problems."""
    records = [cells for _number, cells in table.rows]
    full = min(map(len, records), default=0)
    columns, failed, problems = [], {}, []
    for name, index in layout.index.items():
        if index < full:  # every row reaches this column
            cells = list(map(itemgetter(index), records))
        else:
            cells = [c[index] if index < len(c) else None for c in records]
        values, failures = read_column(layout.columns[name].widget, cells)
        for position, message in failures:
            failed.setdefault(position, set()).add(name)
            number = table.rows[position][0]
            problems.append(layout.problem(number, name, message, cells[position]))
        columns.append(values)
    return columns, failed, problems


def _uncached(table: Table, layout: Layout, rows: list[Row]) -> list[Problem]:
    """Blank cells of formulas whose result the file never stored: problems, not blanks."""
    problems = []
    positions = {number: position for position, (number, _cells) in enumerate(table.rows)}
    names = {index: name for name, index in layout.index.items()}
    for number, index in sorted(table.uncached_formulas):
        name, position = names.get(index), positions.get(number)
        if name is None or position is None:
            continue
        cells = table.rows[position][1]
        if is_blank(cells[index] if index < len(cells) else None):
            row = rows[position]
            rows[position] = row._replace(failed=row.failed | {name})
            problems.append(layout.problem(number, name, UNCACHED_FORMULA))
    return problems


def _unnamed_columns(table: Table) -> list[int]:
    return [i for i, cell in enumerate(table.header) if not cell_text(cell)]


def _stray_cells(number: int, cells: list, unnamed: list[int], width: int) -> list[Problem]:
    """Data in a column without a header would be silently lost: it is a problem instead."""
    indexes = unnamed + list(range(width, len(cells)))
    message = "hay un dato en una columna sin encabezado"
    return [
        Problem(number, i, column_letter(i), message, shown(cells[i]))
        for i in indexes
        if i < len(cells) and cell_text(cells[i])
    ]
