"""Files in the import formats, from the same resources: what is exported imports back.

Text is escaped against formula injection by the resources' widgets (PITFALLS 2): a text
cell starting with ``= + - @``, a tab or a carriage return gets a leading ``'``, which the
import removes again; numbers and empty cells are left alone. The csv carries a UTF-8 BOM
so that spreadsheet programs open its accents right.
"""

from __future__ import annotations

from planning.resources import SpreadsheetResource

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_file(resource: SpreadsheetResource, queryset, file_format: str) -> bytes:
    """The rows of ``queryset`` as a csv or xlsx file with the resource's columns."""
    if file_format not in CONTENT_TYPES:
        raise ValueError(f"formato desconocido: {file_format}")
    native = file_format == "xlsx"  # numbers as numeric cells, blanks as empty cells
    dataset = resource.export(queryset=queryset, force_native_type=native)
    if native:
        return dataset.export("xlsx", freeze_panes=True, column_width="adaptive")
    return ("\ufeff" + dataset.export("csv")).encode("utf-8")
