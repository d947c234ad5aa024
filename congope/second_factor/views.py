"""The three pages of the second factor: enrol, verify, and the recovery codes (once)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from congope.second_factor import devices
from congope.second_factor.forms import CodeForm

# The fresh recovery codes wait here between the enrolment and the page that shows them.
CODES_SESSION_KEY = "second_factor_recovery_codes"


@never_cache
@login_required
def enrol(request):
    if (elsewhere := _elsewhere(request, devices.ENROL)) is not None:
        return elsewhere
    device = devices.enrolment_device(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device, codes = devices.enrolment_confirm(device, form.cleaned_data["code"])
        except devices.CodeRefused as refused:
            form.add_error("code", refused.message)
        else:
            _mark_verified(request, device)
            request.session[CODES_SESSION_KEY] = codes
            return redirect(_with_next(reverse(devices.CODES), _next(request)))
    context = {
        "form": form,
        "qr": devices.qr_svg(device),
        "secret": devices.secret_for_typing(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "next": _next(request),
    }
    return render(request, "registration/second_factor_enrol.html", context)


@never_cache
@login_required
def verify(request):
    if (elsewhere := _elsewhere(request, devices.VERIFY)) is not None:
        return elsewhere
    form = CodeForm(request.POST or None, recovery=True)
    if form.is_valid():
        try:
            device = devices.second_factor_verify(request.user, form.cleaned_data["code"])
        except devices.CodeRefused as refused:
            form.add_error("code", refused.message)
        else:
            _mark_verified(request, device)
            if isinstance(device, StaticDevice):
                _recovery_code_used(request)
            return redirect(_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    context = {"form": form, "next": _next(request)}
    return render(request, "registration/second_factor_verify.html", context)


@never_cache
@login_required
def recovery_codes(request):
    codes = request.session.pop(CODES_SESSION_KEY, None)
    if not codes:
        return redirect(_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    context = {
        "codes": codes,
        "continue_url": _next(request) or resolve_url(settings.LOGIN_REDIRECT_URL),
    }
    return render(request, "registration/second_factor_codes.html", context)


def _mark_verified(request, device) -> None:
    # A new session key for the session's new rights, as at a password login.
    request.session.cycle_key()
    otp_login(request, device)


def _recovery_code_used(request) -> None:
    left = devices.recovery_codes_left(request.user)
    messages.warning(
        request,
        ngettext(
            "Ingresó con un código de recuperación. Le queda %(left)d; si perdió su teléfono, "
            "pida al administrador que restablezca su segundo factor.",
            "Ingresó con un código de recuperación. Le quedan %(left)d; si perdió su teléfono, "
            "pida al administrador que restablezca su segundo factor.",
            left,
        )
        % {"left": left},
    )


def _elsewhere(request, here: str):
    """A redirect when the user's pending step is not this page, else None."""
    step = devices.pending_step(request.user)
    if step == here:
        return None
    if step is None:
        return redirect(_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    return redirect(_with_next(reverse(step), _next(request)))


def _next(request) -> str:
    """The local address to go on to afterwards; '' for none or a foreign one."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
