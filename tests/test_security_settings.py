"""Production settings: cookies, HSTS, proxy trust, passwords, errors, logs.

Settings are read once per process, so production is checked in a subprocess with a
production environment (no DEBUG), as a server would start.
"""

import json
import logging
import sys

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import path

from congope.logging import JsonFormatter
from tests.test_settings import _run

PRODUCTION = {"SECRET_KEY": "p" * 60 + "-Ab3$", "ALLOWED_HOSTS": "plan.congope.gob.ec"}
NAMES = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
    "LOG_FORMAT",
    "ADMINS",
    "AUTHENTICATION_BACKENDS",
)


def production_settings(**env) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}))"
    )
    result = _run("shell", "--no-imports", "-c", code, env={**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_http_only_and_same_site_lax():
    s = production_settings()
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["CSRF_COOKIE_HTTPONLY"]
    assert s["SESSION_COOKIE_SAMESITE"] == s["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert s["SESSION_COOKIE_AGE"] == 8 * 3600
    assert s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def test_production_sends_hsts_for_a_year_with_subdomains_and_forbids_framing():
    s = production_settings()
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"


def test_session_and_hsts_follow_the_environment():
    s = production_settings(
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SESSION_COOKIE_AGE="1800",
        SESSION_EXPIRE_AT_BROWSER_CLOSE="no",
        ADMINS="ti@congope.gob.ec, soporte@congope.gob.ec",
    )
    assert s["SECURE_HSTS_SECONDS"] == 3600
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert s["SESSION_COOKIE_AGE"] == 1800
    assert s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is False
    assert [email for _, email in s["ADMINS"]] == ["ti@congope.gob.ec", "soporte@congope.gob.ec"]


def test_production_checks_the_lockout_before_any_password():
    backends = production_settings()["AUTHENTICATION_BACKENDS"]
    assert backends[0] == "axes.backends.AxesStandaloneBackend"


def test_the_https_header_of_a_proxy_is_believed_only_when_the_environment_says_so():
    assert production_settings()["SECURE_PROXY_SSL_HEADER"] is None
    header = production_settings(BEHIND_PROXY="1")["SECURE_PROXY_SSL_HEADER"]
    assert header == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECURE_HSTS_SECONDS", "un año"),
        ("SESSION_COOKIE_AGE", "8h"),
        ("BEHIND_PROXY", "quizas"),
        ("LOG_FORMAT", "xml"),
        ("LOG_LEVEL", "verbose"),
        ("AXES_FAILURE_LIMIT", "cinco"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(variable, value):
    result = _run("check", env={**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_production_logs_are_json_lines():
    assert production_settings()["LOG_FORMAT"] == "json"
    assert production_settings(LOG_FORMAT="plain")["LOG_FORMAT"] == "plain"


@pytest.mark.parametrize(
    "password",
    ["Corta-2026", "123456789012345", "password1234", "rosa_pgi_2026"],
)
def test_weak_passwords_are_refused(password, django_user_model, db):
    user = django_user_model(username="rosa_pgi_2026", email="rosa@congope.gob.ec")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted(django_user_model, db):
    validate_password("Mapa-estrategico-del-2026", django_user_model(username="rosa"))


# --- errors reach the log, never the user ------------------------------------------------


def _boom(request):
    raise RuntimeError("secreto: la base está en 10.0.0.5")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.urls("tests.test_security_settings")
def test_an_error_shows_the_error_page_without_details(db, caplog):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Error del servidor" in page
    assert "secreto" not in page and "Traceback" not in page
    assert any("secreto" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_the_json_log_line_carries_the_request_and_the_traceback(rf):
    request = rf.get("/planes/x/", HTTP_X_REQUEST_ID="abc-123")
    try:
        raise ValueError("falló")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Error: %s", ("/planes/x/",), None
        )
        record.exc_info = sys.exc_info()
    record.request, record.status_code = request, 500
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "django.request"
    assert entry["message"] == "Error: /planes/x/"
    assert entry["method"] == "GET" and entry["path"] == "/planes/x/"
    assert entry["status"] == 500 and entry["request_id"] == "abc-123"
    assert "ValueError: falló" in entry["exception"]
