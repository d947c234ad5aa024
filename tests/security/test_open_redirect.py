"""Open redirect: ``next`` and ``Referer`` never send anyone off the site.

A link to our login page with ``next=https://evil.example/`` would hand the victim, just
signed in, to a look-alike page. Every spelling browsers read as another host is tried,
on the views known to honour ``next`` and, as a sweep, on every page of the app for every
role, so a view that starts honouring it later is covered too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from tests.conftest import PASSWORD, PLAN_CODE
from tests.security.test_csrf import app_urls

EVIL = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "///evil.example",
    "https:evil.example",
    "http://testserver@evil.example/",
    "https://evil.example\\@testserver/",
    "/\t/evil.example",  # browsers drop the tab: //evil.example
    " //evil.example",
    "javascript:alert(1)",
]
HOST = "testserver"


def stays_on_site(response) -> bool:
    """A response that is not a redirect, or one to a path of this site."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return True
    location = response["Location"]
    parts = urlsplit(location)
    return (
        url_has_allowed_host_and_scheme(location, allowed_hosts={HOST})
        and parts.netloc in ("", HOST)
        and not location.lstrip().startswith(("//", "/\\", "\\"))
    )


def test_login_with_a_foreign_next_lands_on_the_home_page(client, reporter):
    login = reverse("login")
    credentials = {"username": "rosa_pgi", "password": PASSWORD}
    for evil in EVIL:
        in_query = client.post(login + "?next=" + evil, credentials)
        assert (in_query.status_code, in_query["Location"]) == (302, reverse("home")), evil
        client.logout()
        in_form = client.post(login, {**credentials, "next": evil})
        assert in_form["Location"] == reverse("home"), evil
        client.logout()


def test_the_login_page_of_someone_signed_in_does_not_follow_a_foreign_next(client, reporter):
    client.force_login(reporter)
    for evil in EVIL:
        response = client.get(reverse("login"), {"next": evil})
        assert (response.status_code, response["Location"]) == (302, reverse("home")), evil


def test_changing_the_language_stays_on_the_site(client, official_plan):
    url = reverse("set_language")
    for evil in EVIL:
        assert client.post(url, {"language": "en", "next": evil})["Location"] == "/", evil
        assert client.post(url, {"language": "es"}, HTTP_REFERER=evil)["Location"] == "/", evil


def test_signing_out_with_a_foreign_next_lands_on_the_login_page(client, reporter):
    for evil in EVIL:
        client.force_login(reporter)
        response = client.post(reverse("logout"), {"next": evil})
        assert (response.status_code, response["Location"]) == (302, reverse("login")), evil


def test_the_admin_login_does_not_follow_a_foreign_next(client, admin_user):
    for evil in EVIL:
        url = reverse("admin:login") + "?next=" + evil
        response = client.post(url, {"username": "ana_admin", "password": PASSWORD})
        assert response.status_code == 302 and stays_on_site(response), evil
        client.logout()


def test_the_validation_actions_go_back_to_the_queue_not_to_a_foreign_next(client, scene, planner):
    client.force_login(planner)
    queue = reverse("validation-queue")
    pgi, ri = scene["PGI"].under_review, scene["RI"].under_review
    give_back = reverse("measurement-return", args=[ri.pk])
    for evil in EVIL:
        validate = client.post(
            reverse("measurement-validate", args=[pgi.pk]), {"version": pgi.version, "next": evil}
        )
        assert validate["Location"] == queue, evil
        page = client.get(give_back, {"next": evil})
        assert page.context["back"] == queue, evil
        assert evil not in page.content.decode(), evil
        returned = client.post(give_back, {"version": ri.version, "comment": "x", "next": evil})
        assert returned["Location"] == queue, evil
        bulk = client.post(reverse("measurements-validate-selected"), {"next": evil})
        assert bulk["Location"] == queue, evil


# The sweep tries the shapes of a foreign target that pass a naive «starts with /» check
# (scheme-relative, and backslash, which browsers read as a slash) on ``next``, and the
# absolute one on the Referer: a view that honours either without checking is caught.
SWEEP = [("//evil.example", "https://evil.example/"), ("/\\evil.example", "//evil.example")]


def _sweep(client: Client, urls: dict[str, str], method: str) -> list[str]:
    """The URLs whose answer redirected off the site, with ``next`` and Referer hostile."""
    escaped = []
    send = getattr(client, method)
    for name, url in urls.items():
        for evil, referer in SWEEP:
            response = send(url + f"?next={evil}", {"next": evil}, HTTP_REFERER=referer)
            if not stays_on_site(response):
                escaped.append(f"{method.upper()} {name} next={evil!r} → {response['Location']}")
    return escaped


def _swept_urls(scene) -> dict[str, str]:
    # Signing out and the language switch are tried above with every spelling; the PDFs
    # are rendered by require_GET views that read no ``next`` (and take seconds each).
    skip = ("logout", "set_language", "scorecard-pdf", "indicator-ficha-pdf")
    return {n: u for n, u in app_urls(scene).items() if n not in skip}


@pytest.mark.parametrize("role", ["admin", "planificacion", "direccion", "responsable", "anonimo"])
def test_no_page_follows_a_foreign_next_or_referer(scene, personas, role):
    client = Client()
    if personas[role] is not None:
        client.force_login(personas[role])
    assert _sweep(client, _swept_urls(scene), "get") == []


@pytest.mark.parametrize("role", ["admin", "responsable"])
def test_no_form_follows_a_foreign_next_or_referer_once_posted(scene, personas, role):
    client = Client()
    client.force_login(personas[role])
    assert _sweep(client, _swept_urls(scene), "post") == []


def test_a_next_on_the_site_is_still_followed(client, reporter):
    """The control: the checks refuse other hosts, not the site's own pages."""
    target = reverse("plan-detail", args=[PLAN_CODE])
    response = client.post(
        reverse("login"), {"username": "rosa_pgi", "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target
