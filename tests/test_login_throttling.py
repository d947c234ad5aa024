"""Login throttling (django-axes, PITFALLS 10): one person's typos lock only them.

5 failures lock a username from one address for 15 minutes; other people at the same
address, and the same person elsewhere, still sign in. An address trying many usernames is
locked at a higher limit. The address is REMOTE_ADDR, or X-Real-IP behind the proxy that
overwrites it; X-Forwarded-For, which any client writes, is never read.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = "/ingresar/"
OFFICE, HOME = "10.1.1.10", "181.39.7.20"


def attempt(username, password, *, ip=OFFICE, client=None, **headers):
    client = client or Client(REMOTE_ADDR=ip)
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def fail(username, times, **kw):
    return [attempt(username, "no-es-la-clave", **kw) for _ in range(times)]


def signed_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("home")


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_PROXY = True


def test_five_wrong_passwords_lock_that_user_from_that_address(reporter):
    *before, fifth = fail(reporter.username, 5)
    assert [r.status_code for r in before] == [200] * 4  # the form again, with its error
    assert fifth.status_code == 429
    refused = attempt(reporter.username, PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.client.session


def test_the_lockout_page_is_in_spanish_and_says_how_long(reporter):
    response = fail(reporter.username, 5)[-1]
    page = response.content.decode()
    assert "Ingreso bloqueado temporalmente" in page
    assert "15 minutos" in page
    assert "Traceback" not in page and "Forbidden" not in page


def test_four_wrong_passwords_do_not_lock(reporter):
    fail(reporter.username, 4)
    assert signed_in(attempt(reporter.username, PASSWORD))


def test_the_same_user_from_another_address_still_signs_in(reporter):
    fail(reporter.username, 5, ip=OFFICE)
    assert signed_in(attempt(reporter.username, PASSWORD, ip=HOME))


def test_another_user_at_the_same_address_still_signs_in(reporter, other_reporter):
    fail(reporter.username, 5, ip=OFFICE)
    assert signed_in(attempt(other_reporter.username, PASSWORD, ip=OFFICE))


def test_the_lock_lifts_after_the_cool_off(reporter):
    fail(reporter.username, 5)
    assert attempt(reporter.username, PASSWORD).status_code == 429
    # Fifteen minutes and a second later: what the clock would have done.
    for record in AccessAttempt.objects.all():
        record.attempt_time -= timedelta(minutes=15, seconds=1)
        record.save()
    assert signed_in(attempt(reporter.username, PASSWORD))


def test_retrying_while_locked_does_not_extend_the_lock(reporter):
    fail(reporter.username, 5)
    first_lock = AccessAttempt.objects.get().attempt_time
    fail(reporter.username, 3)
    assert AccessAttempt.objects.get().attempt_time == first_lock


def test_one_address_trying_many_usernames_is_locked_at_its_own_limit(settings, reporter):
    settings.AXES_IP_FAILURE_LIMIT = 8
    for n in range(7):
        attempt(f"adivinado{n}", "x")
    assert signed_in(attempt(reporter.username, PASSWORD))
    attempt("adivinado7", "x")
    assert attempt(reporter.username, PASSWORD, ip=OFFICE).status_code == 429
    assert signed_in(attempt(reporter.username, PASSWORD, ip=HOME))


def test_a_spoofed_forwarded_for_header_does_not_change_the_address(reporter):
    for n in range(5):
        attempt(reporter.username, "x", HTTP_X_FORWARDED_FOR=f"200.0.0.{n}")
    assert AccessAttempt.objects.get().ip_address == OFFICE
    response = attempt(reporter.username, PASSWORD, HTTP_X_FORWARDED_FOR="200.0.0.99")
    assert response.status_code == 429


def test_without_a_proxy_even_x_real_ip_is_ignored(reporter):
    fail(reporter.username, 5, HTTP_X_REAL_IP="200.0.0.1")
    assert AccessAttempt.objects.get().ip_address == OFFICE
    assert attempt(reporter.username, PASSWORD, HTTP_X_REAL_IP=HOME).status_code == 429


def test_behind_the_proxy_the_address_is_the_one_it_writes_in_x_real_ip(behind_proxy, reporter):
    proxy = "127.0.0.1"
    for n in range(5):
        attempt(
            reporter.username,
            "x",
            ip=proxy,
            HTTP_X_REAL_IP=OFFICE,
            HTTP_X_FORWARDED_FOR=f"200.0.0.{n}",
        )
    assert AccessAttempt.objects.get().ip_address == OFFICE
    locked = attempt(reporter.username, PASSWORD, ip=proxy, HTTP_X_REAL_IP=OFFICE)
    assert locked.status_code == 429
    assert signed_in(attempt(reporter.username, PASSWORD, ip=proxy, HTTP_X_REAL_IP=HOME))


def test_logins_and_failures_are_kept_for_the_audit(reporter):
    fail(reporter.username, 2)
    assert signed_in(attempt(reporter.username, PASSWORD))
    assert AccessFailureLog.objects.filter(username=reporter.username).count() == 2
    assert AccessLog.objects.filter(username=reporter.username, ip_address=OFFICE).count() == 1


# --- safe redirects --------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "https:/evil.example"]
)
def test_a_foreign_next_address_lands_on_the_home_page(reporter, next_url):
    response = Client(REMOTE_ADDR=OFFICE).post(
        f"{LOGIN}?next={next_url}",
        {"username": reporter.username, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_local_next_address_is_followed(reporter):
    target = "/planes/CONGOPE-2017-2021/"
    response = Client(REMOTE_ADDR=OFFICE).post(
        LOGIN, {"username": reporter.username, "password": PASSWORD, "next": target}
    )
    assert response.url == target


# --- the audit in the admin ----------------------------------------------------------------

AUDIT_PAGES = [
    "/admin/axes/accesslog/",
    "/admin/axes/accessfailurelog/",
    "/admin/axes/accessattempt/",
]


@pytest.mark.parametrize("page", AUDIT_PAGES)
@pytest.mark.parametrize(("role", "expected"), [("admin", 200), ("planificacion", 403)])
def test_only_administrators_read_the_login_audit(client, personas, page, role, expected):
    fail(personas["responsable"].username, 1)
    client.force_login(personas[role])
    assert client.get(page).status_code == expected


def test_the_login_log_is_read_only_even_for_administrators(client, admin_user, reporter):
    attempt(reporter.username, PASSWORD)
    entry = AccessLog.objects.get(username=reporter.username)
    client.force_login(admin_user)
    assert client.get("/admin/axes/accesslog/add/").status_code == 403
    assert (
        client.post(f"/admin/axes/accesslog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_an_administrator_lifts_a_lockout_by_deleting_its_attempts(client, admin_user, reporter):
    fail(reporter.username, 5)
    locked = AccessAttempt.objects.get()
    client.force_login(admin_user)
    response = client.post(f"/admin/axes/accessattempt/{locked.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert signed_in(attempt(reporter.username, PASSWORD))
