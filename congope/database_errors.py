"""A plain 503 page when the database stops answering in the middle of a request.

A restart or failover of PostgreSQL raises ``OperationalError`` (or ``InterfaceError`` on a
connection that already died) inside the view. The write, if any, was inside a transaction
that died with the connection, so nothing was changed: the person is told so, and to try
again in a moment, instead of getting the generic 500 page. The log gets one error line with
the path and the error, without a traceback: the cause is outside the code.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

#: Seconds a client is asked to wait before retrying (a restart takes a few seconds).
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection during a view into ``templates/503.html``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "database unavailable: %s %s (%s)",
            request.method,
            request.path,
            _first_line(exception),
            extra={"request": request, "status_code": 503},
        )
        return unavailable_response()


def _first_line(exception) -> str:
    """The error's class and the first line of its message (psycopg adds hints below it)."""
    lines = str(exception).strip().splitlines()
    name = type(exception).__name__
    return f"{name}: {lines[0]}" if lines else name


def unavailable_response() -> HttpResponse:
    """The 503 page, rendered without the request: its context processors read the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # Logged above; without this, django.request logs it again and mails ADMINS for every
    # request while the database is down.
    response._has_been_logged = True
    return response
