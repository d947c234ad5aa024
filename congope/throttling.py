"""Login throttling with django-axes, keyed so that one person's typos lock only them.

PITFALLS 10: axes' defaults lock a whole institution out behind its proxy, and its proxy
support trusts ``X-Forwarded-For``, which any client can write. Here the client address is
``REMOTE_ADDR``, or ``X-Real-IP`` when ``BEHIND_PROXY`` says the proxy overwrites it; a
username is locked from one address after ``AXES_FAILURE_LIMIT`` failures, and an address
after ``AXES_IP_FAILURE_LIMIT`` failures whatever the usernames, each for
``AXES_COOLOFF_TIME``.
"""

from __future__ import annotations

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def client_ip(request) -> str | None:
    """The address a login attempt is counted against (``AXES_CLIENT_IP_CALLABLE``)."""
    remote = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_PROXY:
        return remote
    forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        # No header: the request reached the application without passing the proxy.
        return remote


def _total(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class ThrottlingHandler(AxesDatabaseHandler):
    """axes' database handler with a separate, higher limit for the per-address count.

    axes compares one number with one limit; with ``AXES_LOCKOUT_PARAMETERS`` =
    ``[["username", "ip_address"], "ip_address"]`` its querysets come in that order, and an
    address over its own limit counts as a username+address at the limit.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_user_and_ip, by_ip = (_total(q) for q in self.get_user_attempts(request, credentials))
        if by_ip >= settings.AXES_IP_FAILURE_LIMIT:
            return max(by_user_and_ip, settings.AXES_FAILURE_LIMIT)
        return by_user_and_ip


def lockout_response(request, original_response=None, credentials=None):
    """The Spanish page a locked-out login gets (``AXES_LOCKOUT_CALLABLE``), status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"cooloff_minutes": minutes}
    return render(request, "registration/lockout.html", context, status=429)


class LenientAxesBackend(AxesStandaloneBackend):
    """The test suite's axes backend: ``authenticate()`` without a request is let through.

    Tests of commands check a password with ``authenticate(username=…, password=…)``; the
    production backend refuses such calls outright, so that no code path can skip the
    throttle unnoticed. Web logins always pass their request and are throttled here too.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
