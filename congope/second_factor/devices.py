"""The second factor's rules: which step is pending, enrolment, verification, reset.

Codes are digits only: 6 from the authenticator app, 10 for a recovery code, so that one
numeric field takes either (``inputmode="numeric"`` on a phone) and the length tells which
device to ask. django-otp refuses a code it has already accepted and, after each wrong one,
makes the next attempt wait twice as long (1, 2, 4 … seconds) per device, up to
:data:`LONGEST_WAIT_FAILURES` failures: django-otp keeps doubling for a century, so someone
who had stolen only the password could lock the owner out until an administrator reset the
factor. At the cap one guess in 8½ minutes leaves a 6-digit code out of reach for years.
"""

import logging
import math
import secrets
from base64 import b32encode

import segno
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from planning import access

# URL names of the steps (congope/second_factor/urls.py).
ENROL = "second-factor-enrol"
VERIFY = "second-factor-verify"
CODES = "second-factor-codes"

TOTP_DIGITS = 6
RECOVERY_DIGITS = 10
RECOVERY_CODE_COUNT = 10
#: Failures after which the wait stops doubling: 2 ** (10 - 1) = 512 seconds at most.
LONGEST_WAIT_FAILURES = 10

log = logging.getLogger(__name__)


class CodeRefused(Exception):
    """A code that did not verify; ``message`` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def pending_step(user) -> str | None:
    """The URL name of the step the user must take before anything else, or None."""
    if not access.requires_second_factor(user) or user.is_verified():
        return None
    return VERIFY if confirmed_authenticator(user) else ENROL


def confirmed_authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def enrolment_device(user) -> TOTPDevice:
    """The authenticator being set up: the same secret on every visit until confirmed."""
    pending = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return pending or TOTPDevice.objects.create(user=user, name="Autenticador", confirmed=False)


def enrolment_confirm(device: TOTPDevice, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with a code it shows; its recovery codes, to show once."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
        problem = _problem(device, code, _wrong_enrolment_code)
        if problem is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = recovery_codes_issue(device.user)
    # Raised outside the transaction, which must keep django-otp's count of failures.
    if problem is not None:
        raise CodeRefused(problem)
    return device, codes


def second_factor_verify(user, code: str):
    """The device that accepts ``code`` (the app's 6 digits or a 10-digit recovery code)."""
    model = TOTPDevice if len(code) == TOTP_DIGITS else StaticDevice
    with transaction.atomic():
        device = model.objects.devices_for_user(user, confirmed=True).select_for_update().first()
        problem = _problem(device, code, _wrong_code)
    if problem is not None:
        log.warning("segundo factor rechazado para %s", user.get_username())
        raise CodeRefused(problem)
    return device


def recovery_codes_issue(user) -> list[str]:
    """New recovery codes for ``user``, replacing any earlier ones; each works once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Códigos de recuperación")
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(f"{secrets.randbelow(10**RECOVERY_DIGITS):0{RECOVERY_DIGITS}d}")
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return sorted(codes)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_reset(user) -> bool:
    """Forget the user's authenticator and recovery codes; whether there was any.

    Their sessions verified with them stop counting as verified at once, and the next
    step is to enrol a new authenticator.
    """
    with transaction.atomic():
        had = TOTPDevice.objects.filter(user=user).exists()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    return had


def qr_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` address as inline SVG: no script, no style, no data: URI."""
    label = _("Código QR para agregar la cuenta a su aplicación de autenticación")
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", svgclass="qr-code")
    # segno writes no role: as an image with a name, screen readers announce what it is.
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(named)  # segno's markup; the address is drawn as modules, not text


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32 (what apps ask for) in groups of four, easier to copy by hand."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _problem(device, code: str, wrong) -> str | None:
    """None when ``device`` accepts ``code``; otherwise why not (``wrong()`` for a bad code)."""
    if device is None:
        return wrong()
    allowed, extra = device.verify_is_allowed()
    if not allowed:
        return _throttled(extra.get("locked_until"))
    if device.verify_token(code):
        return None
    if device.throttling_failure_count > LONGEST_WAIT_FAILURES:
        device.throttling_failure_count = LONGEST_WAIT_FAILURES
        device.save(update_fields=["throttling_failure_count"])
    return wrong()


def _wrong_code() -> str:
    return _(
        "El código no es correcto o ya fue usado. Escriba el código que muestra ahora su "
        "aplicación de autenticación, o uno de sus códigos de recuperación sin usar."
    )


def _wrong_enrolment_code() -> str:
    return _(
        "El código no es correcto. Escriba los 6 dígitos que muestra ahora la aplicación "
        "para esta cuenta (cambian cada 30 segundos)."
    )


def _throttled(locked_until) -> str:
    seconds = 1
    if locked_until is not None:
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return ngettext(
        "Demasiados códigos incorrectos seguidos. Espere %(seconds)d segundo e intente de nuevo.",
        "Demasiados códigos incorrectos seguidos. Espere %(seconds)d segundos e intente de nuevo.",
        seconds,
    ) % {"seconds": seconds}
