"""Reused scorecards (scorecard/cache.py): fewer queries while nothing changes, never stale.

The other query-count tests pin the computing path (they empty the cache first); these pin
the reuse, and that every kind of change is seen: a write in this process at once, a write
in another process once its token is committed, a rollback never, and anything after
``SCORECARD_CACHE_SECONDS``.
"""

import json
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning import revision
from planning.models import DataRevision, Indicator
from scorecard import cache, workflow
from scorecard.models import Measurement
from tests.conftest import PLAN_CODE
from tests.test_scorecard_json import _load_example

PAGES = {
    "tablero": (reverse("home"), {"plan": PLAN_CODE, "period": "2018"}),
    "cmi": (reverse("cmi", args=[PLAN_CODE]), {"period": "2018"}),
    "mapa": (reverse("strategy-map", args=[PLAN_CODE]), {"period": "2018"}),
    "json": (reverse("api-scorecard", args=[PLAN_CODE]), {"period": "2018"}),
    "objetivo": (reverse("objective-detail", args=[PLAN_CODE, "OE3"]), {"period": "2018"}),
}


@pytest.fixture
def example(official_plan):
    _load_example(official_plan)
    return official_plan


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", PAGES)
def test_a_page_seen_again_skips_the_five_reads_of_the_scorecard(client, director, example, page):
    url, params = PAGES[page]
    client.force_login(director)
    _count(client, url, params)  # Django's own caches (content types, translations)
    cache.clear()
    computing = _count(client, url, params)
    reusing = _count(client, url, params)
    assert reusing == computing - 5
    assert _count(client, url, params) == reusing


def _indicator_json(client, code="11.2") -> dict:
    url, params = PAGES["json"]
    data = json.loads(client.get(url, params).content)
    return next(i for i in data["indicators"] if i["code"] == code)


def test_a_validated_report_shows_at_once_in_the_writing_process(
    client, director, planner, example
):
    client.force_login(director)
    indicator = Indicator.objects.get(plan=example, code="11.2")
    Measurement.objects.filter(indicator=indicator, period="2018").delete()
    assert _indicator_json(client)["status"] == "gris"
    measurement = workflow.save_report(
        planner,
        indicator,
        "2018",
        workflow.ReportInput(value=Decimal(20), analysis="Sobre la meta."),
        submit=True,
    )
    assert _indicator_json(client)["status"] == "gris"  # reported, not yet validated
    workflow.validate(planner, measurement, expected_version=measurement.version)
    assert _indicator_json(client)["value"] == 20


def test_another_process_s_committed_write_is_seen_through_the_token(client, director, example):
    client.force_login(director)
    before = _indicator_json(client)
    # Another process writes (no signal here: .update) and commits a new token.
    Measurement.objects.filter(indicator__code="11.2", period="2018").update(value=Decimal(1))
    assert _indicator_json(client) == before  # nothing told this process yet
    DataRevision.objects.update_or_create(pk=1, defaults={"token": "otro-proceso"})
    assert _indicator_json(client)["value"] == 1


def test_the_token_changes_after_commit_and_not_on_rollback(
    example, django_capture_on_commit_callbacks
):
    start, _ = revision.current()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        Indicator.objects.get(plan=example, code="13.2").save()
        assert revision.current()[0] == start  # not before the commit
    # Committed (the outermost test transaction aside): the token moves.
    for callback in callbacks:
        callback()
    after_commit, _ = revision.current()
    assert after_commit not in ("", start)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                Indicator.objects.get(plan=example, code="13.2").save()
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert revision.current()[0] == after_commit


def test_an_entry_expires_after_the_configured_seconds(
    client, director, example, settings, monkeypatch
):
    client.force_login(director)
    url, params = PAGES["json"]
    settings.SCORECARD_CACHE_SECONDS = 60
    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    client.get(url, params)
    reusing = _count(client, url, params)
    now[0] += 61
    assert _count(client, url, params) == reusing + 5


def test_zero_seconds_turns_the_reuse_off(client, director, example, settings):
    settings.SCORECARD_CACHE_SECONDS = 0
    client.force_login(director)
    url, params = PAGES["json"]
    client.get(url, params)
    first = _count(client, url, params)
    assert _count(client, url, params) == first
    Measurement.objects.filter(indicator__code="11.2", period="2018").update(value=Decimal(1))
    assert _indicator_json(client)["value"] == 1


def test_a_reused_scorecard_carries_the_plan_of_the_request(example):
    first = cache.scorecard(example, "2018")
    example.refresh_from_db()
    again = cache.scorecard(example, "2018")
    assert again.plan is example
    assert again.perspectives is first.perspectives  # the figures themselves are reused


def test_the_unvalidated_toggle_and_the_cut_off_are_separate_entries(example):
    validated = cache.scorecard(example, "2018")
    with_reported = cache.scorecard(example, "2018", include_unvalidated=True)
    other_period = cache.scorecard(example, "2018-T3")
    assert not validated.include_unvalidated and with_reported.include_unvalidated
    assert other_period.cutoff.code == "2018-T3"
