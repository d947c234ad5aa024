"""Id guessing: a reporter of PGI (rosa) asks for RI's objects by changing ids and codes.

The rule (``planning.access``): 404 for what a user may not see, 403 for what they may see
but not change. A unit's reports, evidence, imports and uploads are not visible to another
unit, so asking for RI's answers exactly what asking for an id that does not exist answers
(no existence leak), and nothing is written. The plan itself (structure, CMI, map, fichas,
validated figures) is public information of the institution: every role reads it, and a
reporter who asks to change it gets 403.

:data:`ROUTES` lists every URL of the app that takes an id or a code; a test walks the
URLconf, so a new URL that takes one fails until it is listed here with its expectation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from scorecard.models import ClosedPeriod
from tests.conftest import PLAN_CODE
from tests.security.conftest import SECRET, snapshot

MISSING = 999999
PUBLIC, EDIT, UNIT = "public", "edit", "unit"


@dataclass(frozen=True)
class Route:
    """How the attack reaches a URL: RI's object, a missing one, and what rosa gets."""

    scope: str  # PUBLIC: everyone reads it; EDIT: planners change it; UNIT: RI's alone
    target: Callable[[dict], dict]  # scene → URL kwargs naming RI's object
    get: int
    post: int
    missing: Callable[[dict], dict] | None = None  # URL kwargs of an object that does not exist


def _plan(scene):
    return {"code": PLAN_CODE}


def _ri_indicator(scene):
    return {"code": PLAN_CODE, "ind_code": "11.2"}


def _item(item):
    return lambda scene: {"code": PLAN_CODE, "item": item}


def _pk(attribute, key="pk"):
    return lambda scene: {key: _attr(scene["RI"], attribute).pk}


def _attr(objects, dotted):
    for name in dotted.split("."):
        objects = getattr(objects, name)
    return objects


def _missing(key="pk"):
    return lambda scene: {key: MISSING}


ELEMENTS = {
    "perspective": "GADP",
    "objective": "OE1",
    "strategy": "E1.1",
    "result": "R1.1",
    "indicator": "11.2",
    "unit": "RI",
}

ROUTES: dict[str, Route] = {
    # Public: the plan, its scorecard and the fichas (validated values only for rosa).
    # Plain page views answer any method; the downloads and the API are GET only.
    "plan-detail": Route(PUBLIC, _plan, 200, 200),
    "cmi": Route(PUBLIC, _plan, 200, 405),
    "strategy-map": Route(PUBLIC, _plan, 200, 405),
    "scorecard-xlsx": Route(PUBLIC, _plan, 200, 405),
    "scorecard-pdf": Route(PUBLIC, _plan, 200, 405),
    "api-scorecard": Route(PUBLIC, _plan, 400, 405),  # 400: the API needs ?period=
    "objective-detail": Route(PUBLIC, lambda s: {"code": PLAN_CODE, "obj_code": "OE1"}, 200, 200),
    "indicator-detail": Route(PUBLIC, _ri_indicator, 200, 200),
    "indicator-ficha-pdf": Route(PUBLIC, _ri_indicator, 200, 405),
    # Editing the plan: rosa may read it, so 403 (also for a code that does not exist: the
    # role is checked before the element is looked up).
    "plan-edit": Route(EDIT, _plan, 403, 403),
    "target-grid": Route(EDIT, _ri_indicator, 403, 403),
    **{
        f"{kind}-{action}": Route(EDIT, _item(item) if action != "create" else _plan, 403, 403)
        for kind, item in ELEMENTS.items()
        for action in ("create", "edit", "delete")
    },
    # A closed period is listed for everyone; only validators reopen it.
    "closed-period-reopen": Route(EDIT, lambda s: {"pk": ClosedPeriod.objects.get().pk}, 405, 403),
    # RI's own objects: hidden from PGI, exactly like an id that does not exist.
    "report-edit": Route(
        UNIT,
        lambda s: {"code": PLAN_CODE, "ind_code": "11.2", "period": "2018"},
        404,
        404,
        lambda s: {"code": PLAN_CODE, "ind_code": "99.9", "period": "2018"},
    ),
    "evidence-download": Route(UNIT, _pk("evidence"), 404, 405, _missing()),
    "evidence-delete": Route(UNIT, _pk("evidence"), 405, 404, _missing()),
    "measurement-validate": Route(UNIT, _pk("under_review"), 405, 404, _missing()),
    "measurement-return": Route(UNIT, _pk("under_review"), 404, 404, _missing()),
    "measurement-reopen": Route(UNIT, _pk("validated"), 404, 404, _missing()),
    "import-preview": Route(UNIT, _pk("pending"), 404, 405, _missing()),
    "import-confirm": Route(UNIT, _pk("pending"), 405, 404, _missing()),
    "import-undo": Route(UNIT, _pk("batch", "batch_pk"), 405, 404, _missing("batch_pk")),
}


# --- every URL that takes an id or a code is in the table ---------------------------------


def _routes(patterns, prefix="", namespace=None):
    """(route, URL name, namespace) of every pattern, nested includes flattened."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name, namespace


def parametrized_url_names() -> set[str]:
    """Names of the app's URLs with an id or code in the path (the admin has its own rules:
    ``test_mass_assignment`` tries it as non-administrators)."""
    return {
        name
        for route, name, namespace in _routes(get_resolver().url_patterns)
        if namespace != "admin" and ("<" in route or "(?P<" in route)
    }


def test_every_url_that_takes_an_id_or_a_code_is_in_the_attack_table():
    found = parametrized_url_names()
    assert None not in found, "a URL with a parameter has no name: the suite cannot reach it"
    assert found - set(ROUTES) == set(), "new URLs: add them to ROUTES with their expectation"
    assert set(ROUTES) - found == set(), "ROUTES names URLs that no longer exist"


# --- the attack ---------------------------------------------------------------------------


def _statuses(client, name: str, kwargs: dict) -> tuple[int, int]:
    url = reverse(name, kwargs=kwargs)
    return client.get(url).status_code, client.post(url, {"version": "1"}).status_code


def _texts_of(response) -> str:
    content_type = response.get("Content-Type", "")
    if content_type.startswith(("text/", "application/json")):
        return response.content.decode()
    return ""


UNIT_ROUTES = sorted(name for name, route in ROUTES.items() if route.scope == UNIT)


@pytest.mark.parametrize("name", UNIT_ROUTES)
def test_guessing_another_units_id_answers_like_a_missing_one_and_changes_nothing(
    client, scene, reporter, name
):
    route = ROUTES[name]
    client.force_login(reporter)
    before = snapshot()
    got = _statuses(client, name, route.target(scene))
    assert got == (route.get, route.post)
    assert _statuses(client, name, route.missing(scene)) == got  # no existence leak
    assert snapshot() == before


def test_the_plan_pages_answer_as_public_or_read_only_and_never_show_another_units_drafts(
    client, scene, reporter
):
    client.force_login(reporter)
    before = snapshot()
    for name, route in ROUTES.items():
        if route.scope == UNIT:
            continue
        url = reverse(name, kwargs=route.target(scene))
        response = client.get(url)
        assert response.status_code == route.get, name
        assert SECRET not in _texts_of(response), f"{name} shows RI's unvalidated data"
        assert client.post(url, {"version": "1", "reason": "x"}).status_code == route.post, name
    assert snapshot() == before


def test_the_indicator_page_of_another_unit_shows_validated_values_only(
    client, scene, reporter, director
):
    url = reverse("indicator-detail", args=[PLAN_CODE, "11.2"])
    client.force_login(director)  # the control: who may see RI's drafts does see them
    assert SECRET in client.get(url + "?period=2018&unvalidated=1").content.decode()
    client.force_login(reporter)
    for query in ("", "?unvalidated=1", "?period=2018&unvalidated=1"):
        page = client.get(url + query).content.decode()
        assert SECRET not in page, query
        assert reverse("evidence-download", args=[scene["RI"].evidence.pk]) not in page


def test_a_units_own_objects_stay_reachable_by_it(client, scene, reporter):
    """The control: rosa reaches PGI's objects, so the 404s above are about RI, not bugs."""
    client.force_login(reporter)
    pgi = scene["PGI"]
    assert client.get(reverse("evidence-download", args=[pgi.evidence.pk])).status_code == 200
    assert client.get(reverse("import-preview", args=[pgi.pending.pk])).status_code == 200
    url = reverse("report-edit", args=[PLAN_CODE, "11.1", "2018"])
    assert client.get(url).status_code == 200


def test_guessing_another_units_template_is_not_found(client, scene, reporter):
    client.force_login(reporter)
    url = reverse("import-template")
    asked = {"plan": PLAN_CODE, "periodo": "2018"}
    assert client.get(url, {**asked, "unidad": "PGI"}).status_code == 200
    assert client.get(url, {**asked, "unidad": "RI"}).status_code == 404


def test_filtering_my_indicators_by_another_units_code_shows_nothing_of_it(client, scene, reporter):
    client.force_login(reporter)
    page = client.get(reverse("my-indicators"), {"plan": PLAN_CODE, "indicator": "11.2"})
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert not [d for d in page.context["duties"] if d.indicator.code == "11.2"]


def test_the_import_history_lists_only_the_reporters_own_imports(client, scene, reporter):
    client.force_login(reporter)
    page = client.get(reverse("import-history")).content.decode()
    assert "pgi-2020.csv" in page
    assert SECRET not in page
    assert reverse("import-undo", args=[scene["RI"].batch.pk]) not in page
