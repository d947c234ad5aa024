"""The one way a spreadsheet gets into the database: read, validate in memory, write at once.

Every entry point (the three commands, the web import) calls :func:`run_import` with an
importer of one format. The importer looks codes up once per kind, checks every row in
memory (no query per row), and writes set-based; all of it inside one transaction, so that
any problem in any row leaves the database as it was (PITFALLS 7, 13).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, connection, connections, router, transaction

from planning.resources import SpreadsheetResource
from scorecard.imports.reading import FileProblem, read_table
from scorecard.imports.sheet import Layout, Problem, Row, match_header, parse_rows, shown
from scorecard.models import ImportBatch

#: Rows per INSERT / UPDATE statement.
BATCH_SIZE = 1000
#: SQLite's page cache during an import, in KiB (see :func:`sqlite_page_cache`).
SQLITE_CACHE_KIB = 128 * 1024

CREATED = "creado"
UPDATED = "actualizado"
UNCHANGED = "sin cambios"
CONCURRENT = "otra operación cambió los mismos datos a la vez; no se guardó nada: vuelva a importar"
DATABASE_DOWN = (
    "la base de datos no respondió (¿se reinició?); no se guardó nada: vuelva a importar"
)


def history_reason(batch: ImportBatch) -> str:
    """The change reason of the history rows a batch writes (``importación #N: file …``)."""
    return batch.change_reason


class ImportRefused(Exception):
    """The import cannot even start (who asks, or with which options); nothing was read."""


@dataclass
class ImportResult:
    """What an import did, or would do (``dry_run``), or why it did nothing (``problems``).

    ``outcomes`` maps each data row to ``creado``, ``actualizado`` or ``sin cambios``;
    ``batch`` is the provenance record, written only when something changed. With
    ``keep_rows``, ``columns`` are the file's columns as it writes them and ``sample`` keeps,
    per outcome, the first rows as ``(row number, [cell text per column])``.
    """

    kind: str
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    outcomes: dict[int, str] = field(default_factory=dict)
    batch: ImportBatch | None = None
    columns: list[str] = field(default_factory=list)
    sample: dict[str, list[tuple[int, list[str]]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, outcome: str) -> int:
        return list(self.outcomes.values()).count(outcome)

    @property
    def created(self) -> int:
        return self.count(CREATED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    def summary(self) -> str:
        """The contract's one-line summary."""
        return f"creados {self.created}, actualizados {self.updated}, sin cambios {self.unchanged}"

    def messages(self) -> list[str]:
        """One line per problem, in the order of the file (rows, then columns)."""
        ordered = sorted(self.problems, key=lambda p: (p.row, p.position, p.message))
        return [str(problem) for problem in ordered]


class Importer:
    """One format's rules. Subclasses set ``kind`` and ``resource_class`` and implement
    :meth:`check_user`, :meth:`validate` (fill ``result``, keep the writes) and :meth:`write`.
    """

    kind: str
    resource_class: type[SpreadsheetResource]

    def __init__(self, *, plan, user=None):
        self.plan = plan
        self.user = user  # None: the command line, trusted like the server's operator

    def check_user(self) -> None:
        """Raise ImportRefused when the user may not import this format at all."""

    def validate(self, rows: list[Row], layout: Layout, result: ImportResult, lock: bool):
        raise NotImplementedError

    def write(self, batch: ImportBatch) -> None:
        raise NotImplementedError

    def batch_fields(self) -> dict:
        """Extra fields of the provenance record (a reforma's reason, the options used)."""
        return {}


def run_import(
    importer: Importer,
    source,
    *,
    file_name: str = "",
    dry_run: bool = False,
    keep_rows: int = 0,
):
    """Import ``source`` (a path, bytes or a binary file) with ``importer``: all or nothing.

    Returns an :class:`ImportResult`; nothing is written when it has problems or when
    ``dry_run``. Raises :class:`ImportRefused` before reading when the user may not import.
    ``keep_rows``: keep up to that many rows of each outcome in the result, for a preview.
    """
    importer.check_user()
    with cyclic_gc_paused(), sqlite_page_cache(SQLITE_CACHE_KIB):
        return _run(importer, source, file_name, dry_run, keep_rows)


@contextmanager
def cyclic_gc_paused():
    """Python's cycle collector off for the duration: a large file becomes a few hundred
    thousand lists, tuples and dicts at once, none in a cycle, and the collector would walk
    all of them again every few thousand new ones (a third of a 100,000-row import's time,
    measured). Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def sqlite_page_cache(kib: int):
    """SQLite's page cache at ``kib`` for the duration (PostgreSQL: nothing changes).

    Django leaves SQLite's default, 2 MB: a 100,000-row import touches tens of MB of table
    and index pages (values, history), which would go out to disk and back again before
    the commit. SQLite takes the memory only as pages are read.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _run(importer: Importer, source, file_name: str, dry_run: bool, keep_rows: int):
    result = ImportResult(kind=importer.kind, dry_run=dry_run)
    try:
        table = read_table(source, file_name)
    except FileProblem as exc:
        result.problems.append(Problem.file(str(exc)))
        return result
    layout, result.problems = match_header(table, importer.resource_class())
    if result.problems:
        return result
    rows, result.problems = parse_rows(table, layout)
    del table  # the typed rows replace the raw cells: half the memory of a large file
    try:
        with transaction.atomic():
            importer.validate(rows, layout, result, lock=not dry_run)
            if keep_rows:
                _keep_sample(result, rows, layout, keep_rows)
            del rows  # the importer keeps what it writes: the rest is memory a large file needs
            if result.problems or dry_run or not (result.created or result.updated):
                return result
            result.batch = _record(importer, result, file_name or _name_of(source))
            importer.write(result.batch)
    except IntegrityError:
        # Another import or editor wrote the same keys meanwhile; everything was rolled back.
        result.batch = None
        result.problems.append(Problem.file(CONCURRENT))
    except DatabaseError:
        # The server went away mid-import: its transaction died with the connection, so
        # nothing is half-written. Drop the dead connection; the next request opens anew.
        result.batch = None
        result.problems.append(Problem.file(DATABASE_DOWN))
        connections[router.db_for_write(ImportBatch)].close_if_unusable_or_obsolete()
    return result


def _keep_sample(result: ImportResult, rows: list[Row], layout: Layout, limit: int) -> None:
    names = sorted(layout.index, key=layout.index.get)
    result.columns = [layout.written[name] for name in names]
    result.sample = {CREATED: [], UPDATED: [], UNCHANGED: []}
    for row in rows:
        kept = result.sample.get(result.outcomes.get(row.number))
        if kept is not None and len(kept) < limit:
            kept.append((row.number, [shown(row.values.get(name)) for name in names]))


def _record(importer: Importer, result: ImportResult, file_name: str) -> ImportBatch:
    return ImportBatch.objects.create(
        kind=importer.kind,
        plan=importer.plan,
        file_name=_base_name(file_name),
        user=importer.user,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        **importer.batch_fields(),
    )


def _name_of(source) -> str:
    name = getattr(source, "name", None)
    if name is None and not isinstance(source, bytes):
        name = str(source)
    return name or ""


def _base_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255]


class Keys:
    """The keys seen so far in a file: a repeated key is a problem of its later row."""

    def __init__(self):
        self.first_row = {}

    def repeated(self, key, row: int) -> int | None:
        """The earlier row with this key, or None (and remember this one)."""
        earlier = self.first_row.setdefault(key, row)
        return None if earlier == row else earlier
