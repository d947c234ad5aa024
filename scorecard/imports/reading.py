"""Read an uploaded spreadsheet (xlsx or csv) into plain rows, refusing hostile files.

What comes out is a :class:`Table`: the header row as written and the data rows numbered as
a spreadsheet program shows them (the header is row 1). Cells are ``str`` for csv, and for
xlsx whatever the cell holds (text, float, date, bool). Blank rows are left out.

Limits (settings, with these defaults): ``IMPORT_MAX_FILE_BYTES`` 25 MB,
``IMPORT_MAX_ROWS`` 200,000 data rows, and for xlsx ``IMPORT_MAX_UNCOMPRESSED_BYTES``
256 MB and ``IMPORT_MAX_ZIP_ENTRIES`` 500 (PITFALLS 13, 22).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field

from django.conf import settings

from planning.resources import is_blank

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and encrypted xlsx)
UTF8_BOM = b"\xef\xbb\xbf"
DEFAULTS = {
    "IMPORT_MAX_FILE_BYTES": 25 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 200_000,
    "IMPORT_MAX_UNCOMPRESSED_BYTES": 256 * 1024 * 1024,
    "IMPORT_MAX_ZIP_ENTRIES": 500,
}


def limit(name: str) -> int:
    """One of the import's size limits, from the settings or its default."""
    return int(getattr(settings, name, DEFAULTS[name]))


def size_text(size: int) -> str:
    """A size as people read it: ``25 MB``, ``512 KB``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(size // 1024, 1)} KB"


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message (Spanish) says why."""


@dataclass
class Table:
    """A sheet's header and data rows, plus the cells whose formulas have no stored value."""

    header: list
    rows: list[tuple[int, list]]
    uncached_formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column index)


def read_table(source, name: str = "") -> Table:
    """Read the first sheet of an xlsx, or a csv, from a path or a binary file object.

    The format is told by the content, not the name: a zip is an xlsx, text is a csv.
    Raises :class:`FileProblem` for anything that is not a readable spreadsheet.
    """
    data = _read_bytes(source)
    name = name or _name_of(source)
    if data.startswith(ZIP_MAGIC):
        from scorecard.imports.xlsx import read_xlsx  # calamine is loaded only when needed

        table = read_xlsx(data)
    elif data.startswith(OLE_MAGIC):
        raise FileProblem("es un .xls antiguo o un libro cifrado; guárdelo como xlsx o csv")
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem("no es un archivo xlsx válido")
    else:
        table = read_csv(data)
    if len(table.rows) > limit("IMPORT_MAX_ROWS"):
        raise FileProblem(
            f"tiene {len(table.rows)} filas de datos; el máximo es {limit('IMPORT_MAX_ROWS')}"
        )
    return table


def _name_of(source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return getattr(source, "name", "") or ""


def _read_bytes(source) -> bytes:
    maximum = limit("IMPORT_MAX_FILE_BYTES")
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as fh:
                data = _read_limited(fh, maximum)
        except OSError as exc:
            raise FileProblem(f"no se pudo abrir ({exc.strerror or exc})") from None
    else:
        data = _read_limited(source, maximum)
    if len(data) > maximum:
        raise FileProblem(f"pesa más de {size_text(maximum)}, el máximo admitido")
    if not data.strip():
        raise FileProblem("está vacío")
    return data


def _read_limited(fh, maximum: int) -> bytes:
    """At most ``maximum + 1`` bytes, read in chunks (``read(n)`` reserves n bytes at once)."""
    chunks, size = [], 0
    while size <= maximum and (chunk := fh.read(1024 * 1024)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252: what spreadsheet programs save."""
    if b"\x00" in data[:8192]:
        raise FileProblem("no es una hoja de cálculo: ni xlsx ni texto csv")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileProblem("el texto no está en UTF-8 ni en Windows-1252") from None


def sniff_delimiter(first_line: str) -> str:
    """``;`` when the header has more semicolons than commas (outside quotes), else ``,``."""
    counts = {",": 0, ";": 0}
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","


def data_rows(records: list[list]) -> list[tuple[int, list]]:
    """The rows after the header, numbered as a spreadsheet shows them; blank ones left out."""
    return [
        (n, r)
        for n, r in enumerate(records[1:], start=2)
        # Most rows start with a key: the first cell alone tells they are not blank.
        if (r and type(r[0]) is str and r[0].strip()) or not all(map(is_blank, r))
    ]


def read_csv(data: bytes) -> Table:
    """A csv's rows as text cells; separator and encoding detected from the file itself."""
    text = decode_text(data)
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise FileProblem(f"csv mal formado cerca de la fila {reader.line_num}: {exc}") from None
    if not records:
        raise FileProblem("está vacío")
    return Table(header=records[0], rows=data_rows(records))
