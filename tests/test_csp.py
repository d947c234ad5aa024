"""Content-Security-Policy: the header each page really sends (django-csp 4, PITFALLS 18)."""

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.urls import include, path

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {name: values for name, *values in parts}


def test_the_login_page_sends_a_strict_policy(client):
    policy = directives(client.get("/ingresar/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "script-src-attr" not in policy and "style-src-attr" not in policy


def test_a_signed_in_page_sends_it_and_never_allows_inline_scripts(client, director):
    client.force_login(director)
    response = client.get("/planes/CONGOPE-2017-2021/")
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


def test_the_admin_runs_under_the_same_strict_policy(client, admin_user):
    client.force_login(admin_user)
    for page in ("/admin/", "/admin/planning/indicator/", "/admin/axes/accesslog/"):
        policy = directives(client.get(page))
        assert policy["script-src"] == ["'self'"], page
        assert "script-src-attr" not in policy and "style-src-attr" not in policy, page


def _import_export_page(request):
    return HttpResponse("<input type=checkbox onchange='toggle(event)'>")


urlpatterns = [
    path(
        "admin/",
        include(
            (
                [
                    path(
                        "planning/indicator/export/",
                        _import_export_page,
                        name="planning_indicator_export",
                    ),
                    path(
                        "planning/indicator/",
                        _import_export_page,
                        name="planning_indicator_changelist",
                    ),
                ],
                "admin",
            )
        ),
    )
]


@pytest.mark.urls("tests.test_csp")
def test_import_export_pages_allow_inline_attributes_but_still_no_inline_script_elements(client):
    # django-import-export's export page has onchange= and style= (PITFALLS 15).
    policy = directives(client.get("/admin/planning/indicator/export/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["script-src-attr"] == ["'unsafe-inline'"]
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    other = directives(client.get("/admin/planning/indicator/"))
    assert "script-src-attr" not in other


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style", re.I)


def test_no_template_of_ours_has_inline_script_handlers_or_styles():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        if "pdf" not in path.parts  # WeasyPrint reads the PDFs' HTML, no browser does
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line)
    ]
    assert offenders == []
