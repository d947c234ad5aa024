"""Administrators and planners reach nothing but the second-factor pages until verified."""

from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse

from congope.second_factor import devices

# Reachable before the second factor: signing in and out, the steps themselves, the
# language switch and the load balancer's health check (static files never get here:
# WhiteNoise, or runserver's handler, serves them before any view).
OPEN_VIEWS = frozenset(
    {
        "login",
        "logout",
        "admin:logout",
        "set_language",
        "health",
        devices.ENROL,
        devices.VERIFY,
        devices.CODES,
    }
)
# The JSON API reads a Bearer token instead of the session: not a password login.
TOKEN_VIEWS = frozenset({"api-scorecard"})


class SecondFactorMiddleware:
    """After ``django_otp.middleware.OTPMiddleware``: sends an unverified administrator or
    planner to enrol or verify (a redirect for GET, 403 for anything that could write)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _open(request):
            return None
        step = devices.pending_step(request.user)
        if step is None:
            return None
        step_url = f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
        if request.method in ("GET", "HEAD"):
            return redirect(step_url)
        context = {"step_url": step_url, "enrol": step == devices.ENROL}
        return render(request, "registration/second_factor_required.html", context, status=403)


def _open(request) -> bool:
    view_name = request.resolver_match.view_name
    if view_name in OPEN_VIEWS:
        return True
    return view_name in TOKEN_VIEWS and "HTTP_AUTHORIZATION" in request.META
