"""Cross-site request forgery: every POST endpoint refuses a request without a valid token.

A forged form on another site makes the victim's browser post with the victim's cookies
but without the token of a page of ours. The endpoints are enumerated from the URLconf
(every URL of the app, and every page of the admin for each registered model), posted
to as an administrator (who may do everything, so only the token can stop it), and the
database must be exactly as it was.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import get_resolver, reverse

from scorecard.models import Evidence
from tests.security.test_id_guessing import ROUTES, _routes

# What a forged form would send: enough for most endpoints to act if the token were not
# checked (an admin action, a confirmation, a value, a reason).
FORGED = {
    "version": "1",
    "reason": "forjado",
    "comment": "forjado",
    "value": "1",
    "action": "delete_selected",
    "post": "yes",
    "language": "en",
    "username": "ana_admin",
    "password": "x",
}


def database() -> dict:
    """Every row of every table, to prove a refused request wrote nothing anywhere."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
    }


def app_urls(scene) -> dict[str, str]:
    """Every URL of the app (not the admin), with real objects where it takes an id."""
    urls = {}
    for _route, name, namespace in _routes(get_resolver().url_patterns):
        if namespace == "admin":
            continue
        assert name, f"an unnamed URL ({_route}) cannot be enumerated"
        full = f"{namespace}:{name}" if namespace else name
        kwargs = ROUTES[name].target(scene) if name in ROUTES else {}
        urls[full] = reverse(full, kwargs=kwargs)
    return urls


def admin_urls() -> dict[str, str]:
    """The admin's own pages and, per registered model, add, list, change and delete."""
    urls = {
        f"admin:{name}": reverse(f"admin:{name}")
        for route, name, namespace in _routes(get_resolver().url_patterns)
        if namespace == "admin" and name and "<" not in route and "(?P<" not in route
    }
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls[f"{prefix}_add"] = reverse(f"{prefix}_add")
        urls[f"{prefix}_changelist"] = reverse(f"{prefix}_changelist")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            for action in ("change", "delete"):
                urls[f"{prefix}_{action}"] = reverse(f"{prefix}_{action}", args=[first.pk])
    return urls


@pytest.fixture
def forger(admin_user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    return client


def _csrf_refusal(response) -> bool:
    # Django's CSRF failure page, not a 403 the view would have given anyway.
    return response.status_code == 403 and b"CSRF" in response.content


def _refused(client, urls: dict[str, str], data: dict) -> dict[str, int]:
    """The endpoints that did not refuse the forged post for its token, with their answer."""
    answers = {name: client.post(url, data) for name, url in urls.items()}
    return {name: r.status_code for name, r in answers.items() if not _csrf_refusal(r)}


def test_a_forged_post_without_a_token_is_refused_by_every_endpoint_of_the_app(forger, scene):
    urls = app_urls(scene)
    assert {"login", "logout", "set_language", "report-edit", "import-start"} <= set(urls)
    before = database()
    assert _refused(forger, urls, FORGED) == {}
    assert database() == before


def test_a_forged_post_without_a_token_is_refused_by_every_page_of_the_admin(forger, scene):
    urls = admin_urls()
    assert "admin:auth_user_change" in urls and "admin:scorecard_measurement_change" in urls
    selected = {**FORGED, "_selected_action": [str(pk) for pk in range(1, 50)]}
    before = database()
    assert _refused(forger, urls, selected) == {}
    assert database() == before


def test_a_made_up_token_is_refused(forger, scene):
    url = reverse("evidence-delete", args=[scene["PGI"].evidence.pk])
    forger.get(reverse("plan-list"))  # the site sets its CSRF cookie
    before = database()
    assert _csrf_refusal(forger.post(url, {"csrfmiddlewaretoken": "a" * 64}))
    assert database() == before


def test_a_token_from_another_session_is_refused(forger, scene, planner):
    attacker = Client(enforce_csrf_checks=True)
    attacker.force_login(planner)
    page = attacker.get(reverse("validation-queue"))
    token = page.context["csrf_token"]
    forger.get(reverse("plan-list"))
    url = reverse("evidence-delete", args=[scene["PGI"].evidence.pk])
    before = database()
    assert _csrf_refusal(forger.post(url, {"csrfmiddlewaretoken": str(token)}))
    assert database() == before


def test_the_same_post_with_the_pages_own_token_goes_through(forger, scene):
    """The control: what the forged posts lacked was the token, nothing else."""
    evidence = scene["PGI"].evidence
    page = forger.get(reverse("validation-queue"))
    token = str(page.context["csrf_token"])
    url = reverse("evidence-delete", args=[evidence.pk])
    assert forger.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
