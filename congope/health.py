"""``/salud/``: is the application up and does its database answer? For load balancers.

No login, no details: the reason of a failure is the exception's class name (the message
may name hosts or accounts); the full error goes to the log.
"""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_status() -> str:
    """``"ok"`` when ``SELECT 1`` answers, else the name of the error that stopped it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.exception("health check: the database did not answer")
        return type(exc).__name__
    return "ok"


@never_cache
@require_safe
def health(request):
    database = database_status()
    if database != "ok":
        return JsonResponse({"status": "error", "database": database}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
