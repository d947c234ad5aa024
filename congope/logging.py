"""JSON lines for the production log: one object per record, on stderr.

A log collector (journald, Loki, CloudWatch…) reads fields instead of parsing text, and a
traceback stays inside its record instead of spilling over many lines.
"""

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message"}`` plus, when present, the request's method,
    path, status and ``X-Request-ID`` (set by the proxy), and the exception's traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_request_fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _request_fields(record: logging.LogRecord) -> dict:
    """What ``django.request`` and ``django.server`` attach to their records."""
    fields = {}
    request = getattr(record, "request", None)
    meta = getattr(request, "META", None)
    if meta is not None:
        fields["method"] = request.method
        fields["path"] = request.path
        if meta.get("HTTP_X_REQUEST_ID"):
            fields["request_id"] = meta["HTTP_X_REQUEST_ID"]
    status = getattr(record, "status_code", None)
    if status is not None:
        fields["status"] = status
    return fields
