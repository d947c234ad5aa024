"""The second factor (issue 6): administrators and planners confirm a code after the password.

Until their session is verified they reach only the enrolment or verification page (a
redirect for pages, 403 and nothing written for anything else); directors and reporters
are never asked. Codes are computed here from the device's key, as the phone would.
"""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from congope.second_factor import devices
from planning import access
from planning.models import Perspective
from scorecard.tokens import token_issue
from tests.conftest import PASSWORD, PLAN_CODE
from tests.test_csp import directives
from tests.test_plan_editing import payload, shown_form
from tests.test_settings import _run

ENROL = "/segundo-factor/activar/"
VERIFY = "/segundo-factor/verificar/"
CODES = "/segundo-factor/codigos-de-recuperacion/"
PLAN = f"/planes/{PLAN_CODE}/"
PAGES = ["/", PLAN, "/admin/", f"/planes/{PLAN_CODE}/cmi.xlsx"]
CREATE_PERSPECTIVE = f"/planes/{PLAN_CODE}/editar/perspectivas/nuevo/"
NEW_PERSPECTIVE = {"code": "N-P", "name": "Nueva perspectiva"}
ASKED = ["admin", "planificacion"]
NOT_ASKED = ["direccion", "responsable"]
WRONG_CODE = "El código no es correcto"


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.SECOND_FACTOR_REQUIRED = True


def code_of(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrolled(user) -> TOTPDevice:
    """An authenticator confirmed earlier (its next code not used yet)."""
    return TOTPDevice.objects.create(user=user, name="Autenticador", confirmed=True)


def signed_in(user) -> Client:
    """A session after the password, before any second factor."""
    client = Client()
    client.force_login(user)
    return client


def verified(user) -> Client:
    client = signed_in(user)
    device = enrolled(user)
    response = client.post(VERIFY, {"code": code_of(device)})
    assert response.status_code == 302, response.content.decode()
    return client


# --- who is asked ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "required", "expected"),
    [
        ("admin", True, True),
        ("planificacion", True, True),
        ("direccion", True, False),
        ("responsable", True, False),
        ("anonimo", True, False),
        ("admin", False, False),
        ("planificacion", False, False),
    ],
)
def test_only_administrators_and_planners_require_a_second_factor(
    settings, personas, role, required, expected
):
    settings.SECOND_FACTOR_REQUIRED = required
    user = personas[role]
    assert access.requires_second_factor(user or AnonymousUser()) is expected


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ASKED)
def test_a_staff_member_without_an_authenticator_is_sent_to_enrol(personas, role, page):
    response = signed_in(personas[role]).get(page)
    assert response.status_code == 302
    assert response.url == f"{ENROL}?next={page.replace('/', '%2F')}"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ASKED)
def test_a_staff_member_with_an_authenticator_is_sent_to_verify(personas, role, page):
    enrolled(personas[role])
    response = signed_in(personas[role]).get(page)
    assert response.status_code == 302
    assert response.url.startswith(f"{VERIFY}?next=")


@pytest.mark.parametrize("has_authenticator", [False, True])
@pytest.mark.parametrize("role", ASKED)
def test_a_post_before_the_second_factor_is_refused_and_writes_nothing(
    settings, personas, role, has_authenticator
):
    if has_authenticator:
        enrolled(personas[role])
    client = signed_in(personas[role])
    # The form as it would be shown: a post that would save if the session were verified.
    settings.SECOND_FACTOR_REQUIRED = False
    data = payload(shown_form(client, CREATE_PERSPECTIVE), **NEW_PERSPECTIVE)
    settings.SECOND_FACTOR_REQUIRED = True
    response = client.post(CREATE_PERSPECTIVE, data)
    assert response.status_code == 403
    assert "No se guardó ningún cambio" in response.content.decode()
    assert not Perspective.objects.filter(code="N-P").exists()


@pytest.mark.parametrize("page", ["/", PLAN])
@pytest.mark.parametrize("role", NOT_ASKED)
def test_directors_and_reporters_are_not_asked(personas, role, page):
    client = signed_in(personas[role])
    assert client.get(page).status_code == 200
    assert client.get(VERIFY).url == "/"


def test_with_the_setting_off_nobody_is_asked(settings, planner):
    settings.SECOND_FACTOR_REQUIRED = False
    assert signed_in(planner).get(PLAN).status_code == 200


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/ingresar/", {}),
        ("get", "/salud/", {}),
        ("get", ENROL, {}),
        ("post", "/i18n/setlang/", {"language": "en", "next": "/"}),
        ("post", "/salir/", {}),
    ],
)
def test_signing_in_and_out_the_language_and_the_health_check_stay_open(planner, method, url, data):
    response = getattr(signed_in(planner), method)(url, data)
    assert response.status_code in (200, 302)
    assert "segundo-factor" not in response.get("Location", "")


# --- enrolment -----------------------------------------------------------------------------


def test_the_enrolment_page_draws_the_qr_inline_and_gives_the_key_as_text(planner):
    response = signed_in(planner).get(ENROL)
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=planner, confirmed=False)
    assert re.search(r'<svg role="img" aria-label="[^"]+"', page)
    assert "<img" not in page and "data:" not in page
    groups = devices.secret_for_typing(device).split()
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert " ".join(groups) in page
    assert '<label class="form-label fw-semibold" for="id_code">' in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert "no-store" in response["Cache-Control"]
    # The same secret on a second visit: a reload does not invalidate a scan already made.
    signed_in(planner).get(ENROL)
    assert TOTPDevice.objects.filter(user=planner).count() == 1


def test_the_enrolment_page_sends_the_strict_content_policy(planner):
    response = signed_in(planner).get(ENROL)
    policy = directives(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_enrolling_with_the_apps_code_shows_ten_recovery_codes_once(planner):
    client = signed_in(planner)
    client.get(f"{ENROL}?next={PLAN}")
    device = TOTPDevice.objects.get(user=planner)
    response = client.post(ENROL, {"code": code_of(device), "next": PLAN})
    assert response.status_code == 302
    assert response.url == f"{CODES}?next={PLAN.replace('/', '%2F')}"
    shown = client.get(response.url)
    stored = StaticToken.objects.filter(device__user=planner).values_list("token", flat=True)
    assert len(stored) == 10
    page = shown.content.decode()
    assert all(f"{code[:5]}-{code[5:]}" in page for code in stored)
    assert "no-store" in shown["Cache-Control"]
    assert f'href="{PLAN}"' in page
    again = client.get(CODES)
    assert again.status_code == 302 and stored[0] not in again.content.decode()
    assert client.get(PLAN).status_code == 200


def test_a_wrong_code_at_enrolment_is_refused_with_a_linked_message(planner):
    client = signed_in(planner)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=planner)
    wrong = f"{(int(code_of(device)) + 1) % 1000000:06d}"
    response = client.post(ENROL, {"code": wrong})
    page = response.content.decode()
    assert response.status_code == 200
    assert WRONG_CODE in page
    assert 'id="id_code_error"' in page
    assert re.search(r'aria-describedby="[^"]*id_code_error', page)
    assert 'aria-invalid="true"' in page
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(PLAN).status_code == 302


def test_someone_already_enrolled_cannot_enrol_another_authenticator(planner):
    enrolled(planner)
    response = signed_in(planner).get(ENROL)
    assert response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=planner).count() == 1


# --- verification ----------------------------------------------------------------------


def test_a_wrong_code_is_refused_in_spanish_and_the_session_stays_unverified(admin_user):
    client = signed_in(admin_user)
    device = enrolled(admin_user)
    wrong = f"{(int(code_of(device)) + 500000) % 1000000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_code_that_is_not_digits_is_refused_before_any_device_is_asked(admin_user):
    device = enrolled(admin_user)
    response = signed_in(admin_user).post(VERIFY, {"code": "abc"})
    assert "6 dígitos (aplicación) o 10" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_after_a_wrong_code_django_otp_makes_the_next_attempt_wait(admin_user):
    client = signed_in(admin_user)
    device = enrolled(admin_user)
    right = code_of(device)
    client.post(VERIFY, {"code": f"{(int(right) + 1) % 1000000:06d}"})
    refused = client.post(VERIFY, {"code": right})
    assert "Demasiados códigos incorrectos seguidos. Espere 1 segundo" in refused.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timezone.timedelta(seconds=2)
    )
    assert client.post(VERIFY, {"code": right}).status_code == 302


def test_the_wait_stops_doubling_so_a_stolen_password_cannot_lock_the_owner_out(admin_user):
    client = signed_in(admin_user)
    device = enrolled(admin_user)
    right = code_of(device)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _attempt in range(40):  # each after the wait the one before asked for
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=timezone.now() - timezone.timedelta(days=400)
        )
        client.post(VERIFY, {"code": wrong})
    refused = client.post(VERIFY, {"code": right}).content.decode()
    assert "Espere 512 segundos" in refused  # not 2 ** 39 seconds (17,000 years)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timezone.timedelta(seconds=513)
    )
    assert client.post(VERIFY, {"code": right}).status_code == 302


def test_a_verified_session_reaches_pages_the_admin_and_saves(planner):
    client = verified(planner)
    assert client.get(PLAN).status_code == 200
    assert client.get("/admin/").status_code == 200
    data = payload(shown_form(client, CREATE_PERSPECTIVE), **NEW_PERSPECTIVE)
    assert client.post(CREATE_PERSPECTIVE, data).status_code == 302
    assert Perspective.objects.filter(code="N-P").exists()


def test_the_whole_journey_from_the_login_form_keeps_next(planner):
    client = Client()
    device = enrolled(planner)
    login = client.post(
        f"/ingresar/?next={PLAN}",
        {"username": planner.username, "password": PASSWORD, "next": PLAN},
    )
    assert login.url == PLAN
    to_verify = client.get(PLAN)
    assert to_verify.url == f"{VERIFY}?next={PLAN.replace('/', '%2F')}"
    form = client.get(to_verify.url).content.decode()
    assert f'name="next" value="{PLAN}"' in form
    done = client.post(VERIFY, {"code": code_of(device), "next": PLAN})
    assert done.url == PLAN


def test_logging_out_forgets_the_verification(planner):
    client = verified(planner)
    client.post("/salir/")
    client.force_login(planner)
    assert client.get(PLAN).url.startswith(VERIFY)


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "https:/evil.example"]
)
def test_a_foreign_next_address_lands_on_the_home_page(admin_user, next_url):
    client = signed_in(admin_user)
    device = enrolled(admin_user)
    form = client.get(VERIFY, {"next": next_url}).content.decode()
    assert '<input type="hidden" name="next" value="">' in form
    response = client.post(VERIFY, {"code": code_of(device), "next": next_url})
    assert response.url == "/"


def test_a_recovery_code_works_once(planner):
    enrolled(planner)
    code = devices.recovery_codes_issue(planner)[0]
    first = signed_in(planner)
    response = first.post(VERIFY, {"code": f"{code[:5]}-{code[5:]}"}, follow=True)
    assert response.status_code == 200
    assert "Ingresó con un código de recuperación. Le quedan 9" in response.content.decode()
    again = signed_in(planner).post(VERIFY, {"code": code})
    assert again.status_code == 200 and WRONG_CODE in again.content.decode()


# --- what stays as it was -------------------------------------------------------------


def test_the_api_token_still_works_for_a_planner(planner):
    _token, raw = token_issue(user=planner, name="integración")
    url = f"/api/v1/plans/{PLAN_CODE}/scorecard/?period=2019"
    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["plan"] == PLAN_CODE
    beside_a_session = signed_in(planner).get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert beside_a_session.status_code == 200


def test_production_requires_it_unless_the_environment_says_0():
    code = "from django.conf import settings; print(settings.SECOND_FACTOR_REQUIRED)"
    production = {"SECRET_KEY": "x" * 60 + "-Ab3$", "ALLOWED_HOSTS": "plan.congope.gob.ec"}
    on = _run("shell", "--no-imports", "-c", code, env=production)
    off = _run(
        "shell", "--no-imports", "-c", code, env={**production, "SECOND_FACTOR_REQUIRED": "0"}
    )
    assert (on.stdout.strip(), off.stdout.strip()) == ("True", "False")
    bad = _run("check", env={**production, "SECOND_FACTOR_REQUIRED": "quizas"})
    assert bad.returncode != 0 and "SECOND_FACTOR_REQUIRED" in bad.stderr
    deploy = _run("check", "--deploy", "--fail-level", "WARNING", env=production)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr


# --- resetting a lost phone ------------------------------------------------------------


def test_an_administrator_resets_a_planners_second_factor_from_the_admin(admin_user, planner):
    enrolled(planner)
    devices.recovery_codes_issue(planner)
    planners_session = verified_again(planner)
    admin = verified(admin_user)
    listing = admin.get("/admin/second_factor/authenticator/").content.decode()
    assert "Autenticadores" in listing and planner.username in listing
    device = TOTPDevice.objects.get(user=planner)
    response = admin.post(
        "/admin/second_factor/authenticator/",
        {"action": "reset", "_selected_action": [device.pk]},
        follow=True,
    )
    assert "Segundo factor restablecido para pablo_planificacion" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=planner).exists()
    assert not StaticToken.objects.filter(device__user=planner).exists()
    assert planners_session.get(PLAN).url.startswith(ENROL)


def verified_again(user) -> Client:
    client = signed_in(user)
    assert client.post(VERIFY, {"code": code_of(TOTPDevice.objects.get(user=user))}).url == "/"
    return client


@pytest.mark.parametrize(("role", "expected"), [("admin", 200), ("planificacion", 403)])
def test_only_administrators_see_who_has_an_authenticator(settings, personas, role, expected):
    settings.SECOND_FACTOR_REQUIRED = False
    enrolled(personas["planificacion"])
    client = signed_in(personas[role])
    assert client.get("/admin/second_factor/authenticator/").status_code == expected


def test_nobody_opens_a_devices_configuration_in_the_admin(settings, admin_user, planner):
    settings.SECOND_FACTOR_REQUIRED = False
    device = enrolled(planner)
    client = signed_in(admin_user)
    assert client.get(f"/admin/second_factor/authenticator/{device.pk}/change/").status_code in (
        302,
        403,
    )
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 404


def test_the_reset_command_prints_one_line_and_the_next_login_enrols(planner, capsys):
    enrolled(planner)
    call_command("reset_second_factor", planner.username)
    out = capsys.readouterr().out
    assert (
        out
        == "segundo factor de pablo_planificacion restablecido: activará uno nuevo al ingresar\n"
    )
    assert signed_in(planner).get(PLAN).url.startswith(ENROL)


def test_the_reset_command_refuses_an_unknown_username(db):
    with pytest.raises(CommandError, match="no existe el usuario nadie"):
        call_command("reset_second_factor", "nadie")
