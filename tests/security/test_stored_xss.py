"""Stored XSS: hostile text in everything a user writes, as every page, picture and document
shows it.

The texts are written the way people write them — the report form, the validation
actions, the plan's editing forms, the targets grid, the web import and the evidence
upload — except what only the admin (Django's own forms) writes: people's names, the
plan's name and mission, the cause-effect arrows. Each text carries a tag naming where it
came from, so a test can check it is *shown*, escaped, and not only absent.

What must never reach a browser: a ``<script>`` element, an ``<img … onerror>`` that
breaks out of an attribute, a ``javascript:`` URL in a link. Spreadsheets have their own
attack, formula injection (``test_formula_injection``).
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from planning.models import (
    Indicator,
    InstitutionalPolicy,
    ObjectiveLink,
    Plan,
    StrategicObjective,
)
from scorecard import pdf
from scorecard.models import Measurement, PendingImport
from tests.conftest import PLAN_CODE
from tests.security.conftest import PDF, csv_bytes, edit_through_page

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'


def hostile(tag: str) -> str:
    """A text that tries all three: an element, an attribute break-out, a javascript: URL."""
    return f"[{tag}]{SCRIPT}{BREAKOUT}javascript:alert(1)"


#: Upload names cannot carry «/» (the browser sends the last path segment): no <script>.
EVIDENCE_NAME = f"[evidencia]{BREAKOUT}.pdf"
IMPORT_NAME = f"[importacion]{BREAKOUT}.csv"
RAW = ("<script>alert", "<img src=x", "onerror=alert(1)>")
JS_URL = re.compile(r"""(href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:""", re.I)


def assert_escaped(markup: str, *tags: str) -> None:
    """No hostile markup survives, and each tag's text is there, escaped."""
    for raw in RAW:
        assert raw not in markup, f"raw {raw!r} in the output"
    assert JS_URL.search(markup) is None, "a javascript: URL in a link"
    for tag in tags:
        assert escape(f"[{tag}]{SCRIPT}") in markup, f"[{tag}] is not shown"


# --- writing the hostile texts as people do -------------------------------------------------


def _edit_url(kind: str, item: str) -> str:
    return reverse(f"{kind}-edit", args=[PLAN_CODE, item])


def _plan_edits(client) -> None:
    """A planner writes hostile names and descriptions through the plan's editing forms."""
    edits = {
        ("perspective", "GADP"): {"name": "perspectiva", "description": "perspectiva-desc"},
        ("objective", "OE1"): {
            "name": "objetivo",
            "short_name": "corto",
            "description": "objetivo-desc",
        },
        ("strategy", "E1.1"): {"text": "estrategia"},
        ("result", "R1.1"): {"text": "resultado"},
        ("indicator", "11.1"): {
            "name": "indicador",
            "unit_of_measure": "medida",
            "definition": "definicion",
        },
        ("unit", "PGI"): {"name": "unidad"},
    }
    for (kind, item), fields in edits.items():
        changes = {field: hostile(tag) for field, tag in fields.items()}
        edit_through_page(client, _edit_url(kind, item), **changes)
    grid = reverse("target-grid", args=[PLAN_CODE, "11.1"])
    edit_through_page(client, grid, meta_2018="10", meta_2019="10", meta_2020="10")
    edit_through_page(client, grid, meta_2018="12", reason=hostile("reforma"))


def submit_report(client, period: str, analysis: str, files=()) -> None:
    url = reverse("report-edit", args=[PLAN_CODE, "11.1", period])
    data = {"value": "5", "analysis": analysis, "action": "submit", "version": ""}
    response = client.post(url, {**data, "evidence": list(files)})
    assert response.status_code == 302, response.content.decode()[:3000]


def _measurement(period: str) -> Measurement:
    return Measurement.objects.get(indicator__code="11.1", period=period, gadp=None)


def _act(client, name: str, period: str, **data) -> None:
    m = _measurement(period)
    response = client.post(reverse(name, args=[m.pk]), {"version": m.version, **data})
    assert response.status_code == 302


def _import(client, period: str) -> PendingImport:
    rows = [["11.1", period, "3", hostile("analisis-importado")]]
    upload = SimpleUploadedFile(IMPORT_NAME, csv_bytes(rows), content_type="text/csv")
    response = client.post(
        reverse("import-start"), {"plan": PLAN_CODE, "kind": "mediciones", "file": upload}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return PendingImport.objects.latest("pk")


def _admin_written(plan: Plan, reporter) -> None:
    """What only the admin's own forms write: stored as typed, like any text field."""
    reporter.first_name, reporter.last_name = hostile("nombre"), hostile("apellido")
    reporter.save()
    plan.name, plan.mission, plan.vision = hostile("plan"), hostile("mision"), hostile("vision")
    plan.save()
    InstitutionalPolicy.objects.filter(plan=plan).update(text=hostile("politica"))
    objectives = StrategicObjective.objects.filter(plan=plan)
    ObjectiveLink.objects.create(
        cause=objectives.get(code="OE1"),
        effect=objectives.get(code="OE2"),
        description=hostile("flecha"),
    )


@pytest.fixture
def hostile_plan(official_plan, reporter, planner, media, client, unit):
    """Every text people write, hostile, written through the pages that write it."""
    Indicator.objects.filter(plan=official_plan, code="11.1").update(responsible_unit=unit("PGI"))
    client.force_login(planner)
    _plan_edits(client)
    client.force_login(reporter)
    evidence = SimpleUploadedFile(EVIDENCE_NAME, PDF, content_type="application/pdf")
    submit_report(client, "2018", hostile("analisis"), [evidence])  # stays under review
    submit_report(client, "2019", hostile("analisis-devuelto"))
    submit_report(client, "2017", hostile("analisis-validado"))
    client.force_login(planner)
    _act(client, "measurement-return", "2019", comment=hostile("devolucion"))
    _act(client, "measurement-validate", "2017")
    _act(client, "measurement-reopen", "2017", reason=hostile("reapertura"))
    response = client.post(
        reverse("closed-periods") + f"?plan={PLAN_CODE}",
        {"period": "2021", "reason": hostile("cierre")},
    )
    assert response.status_code == 302
    client.force_login(reporter)
    confirm = reverse("import-confirm", args=[_import(client, "2020").pk])
    assert client.post(confirm).status_code == 302
    _import(client, "2016")  # outside the plan: a preview with problems, never confirmed
    _admin_written(official_plan, reporter)
    client.logout()
    return official_plan


# --- pages ------------------------------------------------------------------------------


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_indicator_page_escapes_analysis_comments_reasons_names_and_files(
    client, hostile_plan, director
):
    url = reverse("indicator-detail", args=[PLAN_CODE, "11.1"]) + "?period=2021&unvalidated=1"
    page = _page(client, director, url)
    assert_escaped(
        page,
        "indicador",
        "definicion",
        "analisis",
        "devolucion",
        "reapertura",
        "reforma",
        "nombre",
    )
    assert escape(EVIDENCE_NAME) in page


def test_the_validation_queue_escapes_analysis_reporter_names_and_file_names(
    client, hostile_plan, planner
):
    page = _page(client, planner, reverse("validation-queue"))
    assert_escaped(page, "analisis", "nombre", "apellido")
    assert escape(EVIDENCE_NAME) in page


def test_the_validation_action_page_escapes_what_the_reviewer_reads(client, hostile_plan, planner):
    url = reverse("measurement-return", args=[_measurement("2018").pk])
    assert_escaped(_page(client, planner, url), "analisis", "nombre")


def test_mis_indicadores_escapes_the_return_comment_and_names(client, hostile_plan, reporter):
    url = reverse("my-indicators") + f"?plan={PLAN_CODE}"
    assert_escaped(_page(client, reporter, url), "devolucion", "nombre")


def test_the_report_form_escapes_the_comment_the_analysis_and_file_names(
    client, hostile_plan, reporter
):
    returned = reverse("report-edit", args=[PLAN_CODE, "11.1", "2019"])
    assert_escaped(_page(client, reporter, returned), "devolucion", "analisis-devuelto", "medida")
    under_review = _page(client, reporter, reverse("report-edit", args=[PLAN_CODE, "11.1", "2018"]))
    assert_escaped(under_review, "medida")  # under review: the form is read only
    assert escape(EVIDENCE_NAME) in under_review


def test_the_import_history_and_preview_escape_file_names(client, hostile_plan, reporter):
    history = _page(client, reporter, reverse("import-history"))
    assert_escaped(history)
    assert escape(IMPORT_NAME) in history
    pending = PendingImport.objects.latest("pk")
    preview = _page(client, reporter, reverse("import-preview", args=[pending.pk]))
    assert_escaped(preview)
    assert escape(IMPORT_NAME) in preview


def test_the_scorecard_pages_escape_the_plans_texts(client, hostile_plan, director):
    home = reverse("home") + f"?plan={PLAN_CODE}&period=2021&unvalidated=1"
    assert_escaped(_page(client, director, home), "indicador", "corto", "perspectiva")
    cmi = reverse("cmi", args=[PLAN_CODE]) + "?period=2021"
    assert_escaped(
        _page(client, director, cmi),
        "objetivo",
        "resultado",
        "indicador",
        "perspectiva",
        "mision",
        "politica",
    )
    objective = reverse("objective-detail", args=[PLAN_CODE, "OE1"]) + "?period=2021"
    assert_escaped(_page(client, director, objective), "objetivo", "indicador")


def test_the_strategy_map_svg_escapes_names_and_arrow_descriptions(client, hostile_plan, director):
    page = _page(client, director, reverse("strategy-map", args=[PLAN_CODE]))
    assert_escaped(page)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "&lt;script&gt;" in svg  # the objective's name is drawn, escaped
    assert escape("[flecha]") in svg


def test_the_plan_pages_and_editing_forms_escape_the_plans_texts(client, hostile_plan, planner):
    detail = _page(client, planner, reverse("plan-detail", args=[PLAN_CODE]))
    assert_escaped(detail, "plan", "mision", "vision", "objetivo", "estrategia", "resultado")
    assert_escaped(_page(client, planner, reverse("plan-edit", args=[PLAN_CODE])), "unidad")
    for kind, item, tag in [("objective", "OE1", "objetivo"), ("indicator", "11.1", "medida")]:
        assert_escaped(_page(client, planner, _edit_url(kind, item)), tag)
    grid = _page(client, planner, reverse("target-grid", args=[PLAN_CODE, "11.1"]))
    assert_escaped(grid, "reforma")
    closed = _page(client, planner, reverse("closed-periods") + f"?plan={PLAN_CODE}")
    assert_escaped(closed, "cierre")


def test_the_navbar_escapes_the_users_own_name(client, hostile_plan, reporter):
    assert_escaped(_page(client, reporter, reverse("plan-list")), "nombre")


# --- documents: PDFs, JSON ------------------------------------------------------------------


def test_the_html_given_to_weasyprint_is_escaped(hostile_plan):
    report = pdf.scorecard_report_html(hostile_plan, "2021", include_unvalidated=True)
    assert_escaped(report, "objetivo", "indicador", "perspectiva", "resultado", "politica")
    ficha = pdf.ficha_html(Indicator.objects.get(plan=hostile_plan, code="11.1"))
    assert_escaped(ficha, "indicador", "definicion", "unidad", "corto")


def test_the_pdfs_carry_no_script_and_no_javascript_action(client, hostile_plan, director):
    client.force_login(director)
    urls = [
        reverse("scorecard-pdf", args=[PLAN_CODE]) + "?period=2021&unvalidated=1",
        reverse("indicator-ficha-pdf", args=[PLAN_CODE, "11.1"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf"
        body = response.content
        assert body.startswith(b"%PDF-")
        for marker in (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/OpenAction"):
            assert marker not in body, (url, marker)


def test_the_json_is_served_as_json_and_never_sniffed_as_a_page(client, hostile_plan, director):
    objective = StrategicObjective.objects.get(plan=hostile_plan, code="OE1")
    objective.code = '"><b id=x>'  # codes are short, but a planner writes them too
    objective.save()
    client.force_login(director)
    response = client.get(reverse("api-scorecard", args=[PLAN_CODE]), {"period": "2021"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert '"><b id=x>' in [o["code"] for o in response.json()["objectives"]]


# --- GET parameters echoed back (reflected) -------------------------------------------------


def test_filters_echoed_in_notices_are_escaped(client, hostile_plan, director, planner, reporter):
    bad = hostile("filtro")
    pages = [
        (director, reverse("home"), {"plan": PLAN_CODE, "unit": bad, "perspective": bad}),
        (director, reverse("cmi", args=[PLAN_CODE]), {"period": bad}),
        (director, reverse("indicator-detail", args=[PLAN_CODE, "11.1"]), {"period": bad}),
        (planner, reverse("validation-queue"), {"period": bad}),
        (reporter, reverse("my-indicators"), {"plan": PLAN_CODE, "state": bad, "indicator": bad}),
        (director, reverse("closed-periods"), {"plan": bad}),
    ]
    for user, url, query in pages:
        client.force_login(user)
        response = client.get(url, query)
        assert response.status_code in (200, 302, 404), url
        assert_escaped(response.content.decode())


def test_a_refused_export_period_is_echoed_as_plain_text(client, hostile_plan, director):
    client.force_login(director)
    response = client.get(reverse("scorecard-xlsx", args=[PLAN_CODE]), {"period": SCRIPT})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_ordinary_text_is_shown_as_written(client, director):
    """The control: escaping does not mangle accents and ampersands."""
    director.first_name = "Inés & Cía."
    director.save()
    assert "Inés &amp; Cía." in _page(client, director, reverse("plan-list"))
