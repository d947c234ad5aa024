"""PDF documents: the scorecard report of a plan at a cut-off, and the ficha metodológica.

A report takes seconds to lay out, so each dataset is rendered once per module (loaded,
rendered and rolled back inside one transaction). Views are tested with the renderer
replaced, except the ficha, which is rendered for real.
"""

import importlib.util
import io
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape, strip_tags
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from planning.models import Indicator, Plan, StrategicObjective
from scorecard import pdf
from scorecard.demo import seed_demo
from tests.conftest import PASSWORD, PLAN_CODE
from tests.test_scorecard_json import _load_example

OBJECTIVES = ["OE1", "OE2", "OE3", "OE4"]
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
ROLES = ["admin", "planificacion", "direccion", "responsable", "otro_responsable"]
SEES_ALL_UNVALIDATED = {"admin", "planificacion", "direccion"}
FOOTER = "CONGOPE — Cuadro de Mando Integral — CONGOPE-2017-2021 — corte 2018"

# The plan document (plan, principles, policies, perspectives, objectives, strategies,
# results, indicators with their unit, responsible units); its figures (indicators,
# measurements, objectives, perspectives, targets); the cause-effect links; the targets
# and values of the charts; the data's freshness token.
REPORT_QUERIES = 18


def _report(django_db_blocker, prepare, period, **options) -> dict:
    """The official plan, ``prepare``d, rendered once at ``period``; then all rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "congope_2017_2021", verbosity=0)
        plan = Plan.objects.get(code=PLAN_CODE)
        prepare(plan)
        html = pdf.scorecard_report_html(plan, period, **options)
        transaction.set_rollback(True)
    document = pdf.render_document(html)
    anchors = {
        name: number for number, page in enumerate(document.pages, 1) for name in page.anchors
    }
    return {
        "html": html,
        "pages": len(document.pages),
        "anchors": anchors,  # id → the page it is on
        "pdf": document.write_pdf(**pdf.PDF_OPTIONS),
    }


@pytest.fixture(scope="module")
def demo_report(django_db_setup, django_db_blocker):
    return _report(django_db_blocker, lambda plan: seed_demo(password=PASSWORD), "2020")


@pytest.fixture(scope="module")
def example_report(django_db_setup, django_db_blocker):
    return _report(django_db_blocker, _load_example, "2018")


@pytest.fixture
def example(official_plan):
    _load_example(official_plan)
    return official_plan


def _text(document: bytes, html: str) -> str:
    """The PDF's text: by pdftotext or pypdf when the machine has one, else the HTML's text."""
    if shutil.which("pdftotext"):
        run = subprocess.run(["pdftotext", "-", "-"], input=document, capture_output=True)
        return run.stdout.decode()
    if importlib.util.find_spec("pypdf"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    return strip_tags(html)


# --- The report -----------------------------------------------------------------------------


def test_the_demo_report_is_a_pdf_with_cover_score_cmi_map_and_a_page_per_objective(demo_report):
    assert demo_report["pdf"].startswith(b"%PDF-")
    assert demo_report["pages"] >= 8
    anchors = demo_report["anchors"]
    assert [anchors["puntaje"], anchors["cmi"], anchors["mapa"]] == [2, 3, 4]
    starts = [anchors[f"objetivo-{code}"] for code in OBJECTIVES]
    assert starts[0] == 5
    assert starts == sorted(set(starts)), "each objective starts a page of its own"
    text = _text(demo_report["pdf"], demo_report["html"])
    for heading in ["Cumplimiento del plan al corte 2020", "Mapa estratégico al corte 2020"]:
        assert heading in text
    assert "Cuadro de Mando Integral al corte 2020" in text


def test_the_report_shows_the_worked_examples_plan_score_and_every_objective(example_report):
    text = _text(example_report["pdf"], example_report["html"])
    assert "74,79" in text
    assert "7 de 9 indicadores con dato" in text
    for code in OBJECTIVES:
        assert code in text
        assert f'id="objetivo-{code}"' in example_report["html"]


def test_every_page_after_the_cover_names_the_plan_and_the_cut_off_in_its_footer(
    example_report,
):
    assert f'<p class="pie" aria-hidden="true">{FOOTER}</p>' in example_report["html"]
    if shutil.which("pdftotext"):
        text = " ".join(_text(example_report["pdf"], "").split())
        assert text.count(FOOTER) == example_report["pages"] - 1


def test_the_cover_says_the_values_are_validated(example_report):
    assert "Valores validados" in example_report["html"]
    assert "Incluye valores sin validar" not in example_report["html"]


def test_the_cover_says_when_unvalidated_values_are_included(example):
    html = pdf.scorecard_report_html(example, "2018", include_unvalidated=True)
    assert "Incluye valores sin validar" in html
    assert "Valores validados" not in html


def test_the_report_draws_the_same_charts_as_the_pages(example_report):
    html = example_report["html"]
    assert html.count('class="chart chart-bars"') == 9  # one per indicator
    assert html.count('class="chart chart-line"') == 1  # the plan's trend
    assert 'class="mapa-svg"' in html


def test_the_report_reads_the_plan_in_a_fixed_number_of_queries(example, django_assert_num_queries):
    with django_assert_num_queries(REPORT_QUERIES):
        pdf.scorecard_context(example, "2018")


def test_hostile_names_are_escaped_in_the_report_and_the_ficha(official_plan):
    indicator = Indicator.objects.get(plan=official_plan, code="13.2")
    indicator.name = HOSTILE
    indicator.save()
    StrategicObjective.objects.filter(plan=official_plan, code="OE1").update(
        name=HOSTILE, short_name=HOSTILE
    )
    for html in [pdf.scorecard_report_html(official_plan, "2018"), pdf.ficha_html(indicator)]:
        assert "<img src=x" not in html
        assert "<script>" not in html
        assert escape("<img src=x onerror=alert(1)>") in html


# --- Nothing is fetched ---------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    """A server on 127.0.0.1 that records every request it receives."""
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.hits
    server.shutdown()
    server.server_close()


def _hostile_markup(base: str) -> str:
    return (
        f'<link rel="stylesheet" href="{base}/hoja.css">'
        f'<p>Vea {base}/texto</p><img src="{base}/imagen.png">'
        f'<div style="background: url({base}/fondo.png)">x</div>'
    )


def test_the_renderer_fetches_no_url_even_from_raw_markup(web_server):
    base, hits = web_server
    HTML(string=_hostile_markup(base), url_fetcher=URLFetcher()).write_pdf()
    assert hits, "the test server must be reachable for this test to mean anything"
    hits.clear()
    assert pdf.html_to_pdf(_hostile_markup(base)).startswith(b"%PDF-")
    assert hits == []


def test_a_url_in_an_indicators_name_is_printed_not_fetched(official_plan, web_server):
    base, hits = web_server
    indicator = Indicator.objects.get(plan=official_plan, code="13.2")
    indicator.name = f'Véase <img src="{base}/imagen.png"> y {base}/informe'
    indicator.save()
    assert pdf.ficha_pdf(indicator).startswith(b"%PDF-")
    assert hits == []


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/x.png", "https://example.org/x.css", "ftp://h/x", "file:///etc/passwd"],
)
def test_the_fetcher_refuses_the_network_and_files_outside_the_static_folder(url):
    fetcher = pdf.LocalFetcher(settings.BASE_DIR / "static")
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_the_fetcher_reads_data_uris_and_the_static_folder():
    fetcher = pdf.LocalFetcher(settings.BASE_DIR / "static")
    assert fetcher.fetch("data:text/plain,hola").read() == b"hola"
    assert b"@page" in fetcher.fetch((settings.BASE_DIR / "static/css/pdf.css").as_uri()).read()


# --- Views ----------------------------------------------------------------------------------


def _report_url(code=PLAN_CODE):
    return reverse("scorecard-pdf", args=[code])


def _ficha_url(code=PLAN_CODE, indicator="13.2"):
    return reverse("indicator-ficha-pdf", args=[code, indicator])


@pytest.fixture
def fake_renderer(monkeypatch):
    """Replaces the report's renderer: records what the view asked for."""
    calls = []

    def render(plan, cutoff, *, include_unvalidated=False):
        calls.append((plan.code, cutoff.code, include_unvalidated))
        return b"%PDF-1.7 falso"

    monkeypatch.setattr("scorecard.views.pdf.scorecard_pdf", render)
    return calls


def test_the_report_urls_are_the_documented_ones():
    assert _report_url() == f"/planes/{PLAN_CODE}/cmi.pdf"
    assert _ficha_url() == f"/planes/{PLAN_CODE}/indicadores/13.2/ficha.pdf"


@pytest.mark.parametrize("url", [_report_url, _ficha_url])
def test_anonymous_users_are_sent_to_the_login_page(client, official_plan, url):
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("url", [_report_url, _ficha_url])
def test_an_account_without_a_role_gets_404(client, official_plan, url):
    client.force_login(get_user_model().objects.create_user("sin_rol", password=PASSWORD))
    assert client.get(url()).status_code == 404


@pytest.mark.parametrize(
    "url", [_report_url("NO-EXISTE"), _ficha_url("NO-EXISTE"), _ficha_url(indicator="99.9")]
)
def test_an_unknown_plan_or_indicator_is_404(client, director, url):
    client.force_login(director)
    assert client.get(url).status_code == 404


def test_a_director_downloads_the_report_named_after_the_plan_and_the_cut_off(
    client, example, director, fake_renderer
):
    client.force_login(director)
    response = client.get(_report_url(), {"period": "2018"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="cmi-{PLAN_CODE}-2018.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert fake_renderer == [(PLAN_CODE, "2018", False)]


def test_without_a_period_the_report_is_at_the_last_year_with_validated_values(
    client, example, director, fake_renderer
):
    client.force_login(director)
    response = client.get(_report_url())
    assert response["Content-Disposition"] == f'attachment; filename="cmi-{PLAN_CODE}-2018.pdf"'


@pytest.mark.parametrize("role", ROLES)
def test_unvalidated_values_count_only_for_who_may_see_all_of_them(
    client, personas, official_plan, fake_renderer, role
):
    client.force_login(personas[role])
    assert client.get(_report_url(), {"period": "2019", "unvalidated": "1"}).status_code == 200
    assert fake_renderer == [(PLAN_CODE, "2019", role in SEES_ALL_UNVALIDATED)]


def test_the_ficha_is_a_pdf_with_the_indicators_name_and_fields(client, example, reporter):
    client.force_login(reporter)
    response = client.get(_ficha_url())
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ficha-13.2.pdf"'
    assert response.content.startswith(b"%PDF-")
    indicator = Indicator.objects.get(plan=example, code="13.2")
    html = pdf.ficha_html(indicator)
    text = " ".join(_text(response.content, html).split())
    assert " ".join(indicator.name.split()) in text
    for label in ["Fórmula de cálculo", "Línea base", "Unidad responsable", "Periodicidad"]:
        assert label in html
    assert "Metas y valores por periodo" in text


def test_the_command_writes_the_pdf_report(official_plan, tmp_path):
    from django.core.management import call_command

    target = tmp_path / "cmi.pdf"
    call_command(
        "scorecard",
        "--plan",
        official_plan.code,
        "--period",
        "2018",
        "--format",
        "pdf",
        "-o",
        str(target),
    )
    assert target.read_bytes().startswith(b"%PDF")
