"""The first sheet of an xlsx, read only after the zip has been checked from the outside.

Neither xlsx reader guards against a zip bomb, and a zip's directory may lie about the
sizes it declares (PITFALLS 22). So before python-calamine (fast, PITFALLS 20) opens the
workbook: the entry count and the declared sizes are capped, and every entry is inflated
here once, in bounded chunks, and refused as soon as it grows past its declared size or
carries a DTD (entity bombs; PITFALLS 12). Calamine reads every row whatever the sheet's
``<dimension>`` says (PITFALLS 3) and is told the first sheet by position, not the active
one (PITFALLS 4). Formula cells without a stored value are found in the sheet's XML with
defusedxml and reported, never read as empty.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib

import python_calamine
from defusedxml.ElementTree import iterparse
from defusedxml.ElementTree import parse as parse_xml

from scorecard.imports.reading import ZIP_MAGIC, FileProblem, Table, data_rows, limit, size_text

CHUNK = 256 * 1024
BROKEN = "no es un archivo xlsx válido (el zip está dañado)"
LYING = "el zip declara tamaños que no son los reales (posible bomba zip)"
NO_SHEET = "no es un archivo xlsx válido (no se encuentra la primera hoja)"
DTD_MARKERS = (
    b"<!DOCTYPE",
    b"<!ENTITY",
    "<!DOCTYPE".encode("utf-16-le"),
    "<!DOCTYPE".encode("utf-16-be"),
)
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s/>]")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def read_xlsx(data: bytes) -> Table:
    """The first sheet's rows; raises FileProblem for a hostile or unreadable workbook."""
    archive = _open_zip(data)
    infos = _check_directory(archive)
    formula_parts = _inflate_all(data, infos)
    sheet_path = _first_sheet_path(archive)
    uncached = _uncached_formulas(archive, sheet_path) if sheet_path in formula_parts else set()
    rows = _calamine_rows(data)
    if not rows:
        raise FileProblem("la primera hoja está vacía")
    return Table(header=rows[0], rows=data_rows(rows), uncached_formulas=uncached)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem(BROKEN) from None


def _check_directory(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Refuse by the zip's directory alone: too many entries, too large, not a workbook."""
    infos = archive.infolist()
    if len(infos) > limit("IMPORT_MAX_ZIP_ENTRIES"):
        raise FileProblem(
            f"el xlsx tiene {len(infos)} partes internas; el máximo es "
            f"{limit('IMPORT_MAX_ZIP_ENTRIES')}"
        )
    if sum(i.file_size for i in infos) > limit("IMPORT_MAX_UNCOMPRESSED_BYTES"):
        raise FileProblem(_too_large())
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileProblem("es un zip, pero no un libro xlsx")
    for info in infos:
        if info.flag_bits & 0x1:
            raise FileProblem("el xlsx está cifrado")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileProblem("el xlsx usa una compresión no admitida")
    return infos


def _too_large() -> str:
    maximum = size_text(limit("IMPORT_MAX_UNCOMPRESSED_BYTES"))
    return f"descomprimido ocuparía más de {maximum} (posible bomba zip)"


def _inflate_all(data: bytes, infos) -> set[str]:
    """Inflate every entry once; return the names of the XML parts that contain formulas."""
    with_formulas = set()
    for info in infos:
        is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
        tail = b""
        for chunk in _inflate(data, info):
            if is_xml:
                window = tail + chunk
                if any(marker in window for marker in DTD_MARKERS):
                    raise FileProblem("el xlsx contiene declaraciones XML no permitidas (DTD)")
                if _has_formula(window):
                    with_formulas.add(info.filename)
                tail = window[-32:]
    return with_formulas


def _has_formula(window: bytes) -> bool:
    # A plain substring search first: ten times faster than the pattern over a large sheet.
    return (b"<f" in window or b":f" in window) and FORMULA_TAG.search(window) is not None


def _inflate(data: bytes, info: zipfile.ZipInfo):
    """Yield the entry's bytes; refuse it as soon as it outgrows its declared size."""
    raw = _raw_entry(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) != info.file_size:
            raise FileProblem(BROKEN)
        yield from (raw[i : i + CHUNK] for i in range(0, len(raw), CHUNK))
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    try:
        for start in range(0, len(raw), CHUNK):
            pending = raw[start : start + CHUNK]
            while pending:
                out = inflater.decompress(pending, CHUNK)
                produced += len(out)
                if produced > info.file_size:
                    raise FileProblem(LYING)
                yield out
                pending = inflater.unconsumed_tail
    except zlib.error:
        raise FileProblem(BROKEN) from None


def _raw_entry(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """The entry's compressed bytes, located through its local header."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or not header.startswith(ZIP_MAGIC):
        raise FileProblem(BROKEN)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise FileProblem(BROKEN)
    return raw


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The part of the workbook's first sheet (in tab order, whichever one is active)."""
    try:
        workbook = parse_xml(archive.open("xl/workbook.xml")).getroot()
        sheet = next(el for el in workbook.iter() if _local(el.tag) == "sheet")
        rel_id = next(value for key, value in sheet.attrib.items() if _local(key) == "id")
        rels = parse_xml(archive.open("xl/_rels/workbook.xml.rels")).getroot()
        target = next(el.get("Target") for el in rels if el.get("Id") == rel_id)
    except (StopIteration, KeyError, SyntaxError, ValueError):
        raise FileProblem(NO_SHEET) from None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _uncached_formulas(archive: zipfile.ZipFile, path: str) -> set[tuple[int, int]]:
    """Cells (row, 0-based column) holding a formula whose result was never stored."""
    found = set()
    row_number = column = 0
    for event, element in iterparse(archive.open(path), events=("start", "end")):
        tag = _local(element.tag)
        if event == "start" and tag == "row":
            row_number = int(element.get("r") or row_number + 1)
            column = -1
        elif event == "end" and tag == "c":
            column = _column_of(element.get("r"), column)
            if _is_uncached(element):
                found.add((row_number, column))
            element.clear()
        elif event == "end" and tag == "row":
            element.clear()
    return found


def _column_of(ref: str | None, previous: int) -> int:
    match = _CELL_REF.fullmatch(ref or "")
    if not match:
        return previous + 1
    index = 0
    for letter in match.group(1):
        index = index * 26 + ord(letter) - 64
    return index - 1


def _is_uncached(cell) -> bool:
    children = {_local(child.tag): child for child in cell}
    if "f" not in children:
        return False
    value = children.get("v")
    return value is None or (not value.text and cell.get("t") != "str")


def _calamine_rows(data: bytes) -> list[list]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own, unrelated exception types
        raise FileProblem(f"no se pudo leer el xlsx ({type(exc).__name__})") from None
