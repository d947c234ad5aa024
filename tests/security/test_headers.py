"""What a browser really receives: framing forbidden, cookies out of scripts' reach, and
error pages that tell an attacker nothing.

The production values of these settings are checked in ``tests/test_security_settings.py``
(and the 500 page there); here, the headers and cookies of real responses.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, PLAN_CODE


@pytest.mark.parametrize(
    "url",
    [
        reverse("login"),
        reverse("plan-detail", args=[PLAN_CODE]),
        reverse("cmi", args=[PLAN_CODE]),
        reverse("admin:index"),
        "/no-existe/",
    ],
)
def test_no_page_may_be_framed_by_another_site(client, director, url):
    client.force_login(director)
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_session_and_csrf_cookies_are_out_of_reach_of_scripts(client, reporter):
    page = client.get(reverse("login"))
    assert page.cookies["csrftoken"]["httponly"]
    response = client.post(reverse("login"), {"username": "rosa_pgi", "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


def test_a_page_that_does_not_exist_lists_no_urls_and_no_settings(client, director):
    client.force_login(director)
    response = client.get("/planes/no-existe/editar/x/y/z/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Using the URLconf" not in page and "urlpatterns" not in page
    assert "DEBUG" not in page and "congope.urls" not in page


def test_a_forbidden_page_says_so_without_details(client, director):
    client.force_login(director)
    response = client.get(reverse("plan-edit", args=[PLAN_CODE]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Traceback" not in page and "PermissionDenied" not in page
