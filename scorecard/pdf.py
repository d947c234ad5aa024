"""PDF documents: the scorecard of a plan at a cut-off, and an indicator's ficha metodológica.

WeasyPrint lays out a Django template (``templates/scorecard/pdf/``) styled by
``static/css/pdf.css``. The figures come from ``scorecard.assembly`` and the pictures from
the same server-side SVG functions the pages use (``scorecard.charts``,
``scorecard.strategy_map``; WeasyPrint runs no script, PITFALLS 19), so a page and its PDF
show the same numbers and the same drawing. Nothing is computed here.

WeasyPrint would fetch any URL the markup names. Every text is escaped by the templates,
and on top of that the fetcher reads only ``data:`` URIs and files under the static folder:
no text a user wrote can make the server reach the network or read another file.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from planning import selectors as plan_selectors
from planning.models import Indicator, Plan, Target
from planning.periods import Period
from scorecard import strategy_map, trend
from scorecard.formatting import plain
from scorecard.models import Measurement
from scorecard.views import cmi, pages

STYLESHEET = "css/pdf.css"
REPORT_TEMPLATE = "scorecard/pdf/report.html"
FICHA_TEMPLATE = "scorecard/pdf/ficha.html"
# Tagged PDF (headings, tables, reading order) for screen readers, as the pages are.
PDF_OPTIONS = {"pdf_tags": True}


class LocalFetcher(URLFetcher):
    """WeasyPrint's fetcher narrowed to ``data:`` URIs and files under ``root``.

    Anything else (http, https, ftp, a file elsewhere) raises, which WeasyPrint logs and
    skips: the resource is left out of the PDF and nothing is fetched.
    """

    def __init__(self, root: Path):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1)
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        scheme = url.partition(":")[0].lower()
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if not path.is_relative_to(self.root):
                raise ValueError(f"archivo fuera de los estáticos rechazado: {url}")
        elif scheme != "data":
            raise ValueError(f"recurso externo rechazado: {url}")
        return super().fetch(url, headers)


def _stylesheet() -> Path:
    found = finders.find(STYLESHEET)
    if not found:
        raise ImproperlyConfigured(f"no se encuentra el estático {STYLESHEET}")
    return Path(found)


def render_document(html: str):
    """Lay out ``html`` with pdf.css: a WeasyPrint document (``.pages``, ``.write_pdf()``).

    Relative URLs resolve against the static folder that holds pdf.css.
    """
    css = _stylesheet()
    root = css.parent.parent
    fetcher = LocalFetcher(root)
    stylesheet = CSS(filename=str(css), url_fetcher=fetcher)
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher)
    return document.render(stylesheets=[stylesheet])


def html_to_pdf(html: str) -> bytes:
    """The PDF of ``html`` laid out with pdf.css, fetching nothing outside the static folder."""
    return render_document(html).write_pdf(**PDF_OPTIONS)


# --- Scorecard report ----------------------------------------------------------------------


def _anchor(code: str) -> str:
    """Objectives link to their own page inside the PDF (the map's boxes, the CMI's columns)."""
    return f"#objetivo-{code}"


def _statuses(include_unvalidated: bool) -> list[str]:
    statuses = [Measurement.Status.VALIDATED]
    if include_unvalidated:
        statuses.append(Measurement.Status.REPORTED)
    return statuses


def _history(plan: Plan, cutoff: Period, include_unvalidated: bool):
    """The plan's targets, and its own values up to the cut-off, by indicator (two queries)."""
    targets = defaultdict(list)
    for target in Target.objects.filter(indicator__plan=plan).order_by("period"):
        targets[target.indicator_id].append(target)
    values = defaultdict(list)
    rows = Measurement.objects.filter(
        indicator__plan=plan,
        gadp__isnull=True,
        status__in=_statuses(include_unvalidated),
        period__lt=str(cutoff.year + 1),  # codes sort by date: nothing after the cut-off's year
    ).order_by("period")
    last = (cutoff.year, cutoff.end_month)
    for measurement in rows:
        period = Period.parse(measurement.period)
        if (period.year, period.end_month) <= last:  # a report at a cut-off stops there
            values[measurement.indicator_id].append(measurement)
    return targets, values


def printable(svg: str) -> SafeString:
    """A chart of ``scorecard.charts`` for the report's template, as the page shows it."""
    # Safe: charts escapes every text it writes.
    return mark_safe(svg)


# An objective's charts go two to a row; one with many periods (quarters, months) takes a
# whole row, so that its labels do not collide. Sizes in SVG units, for an A4 column.
HALF = {"width": 400, "height": 200}
WHOLE = {"width": 720, "height": 180}
MANY_PERIODS = 6


def indicator_chart(indicator: Indicator, periods: list[pages.PeriodRow], **size) -> str:
    """The indicator page's targets-vs-values chart (the same bars), at ``size``."""
    return pages.targets_chart(indicator, periods, **size)


def _chart_item(row, indicator: Indicator, targets, measurements) -> dict:
    periods = pages._period_rows(indicator, targets, measurements)
    own = [p for p in periods if p.period.periodicity == indicator.periodicity]
    wide = len(own) > MANY_PERIODS
    svg = indicator_chart(indicator, periods, **(WHOLE if wide else HALF))
    return {"row": row, "indicator": indicator, "chart": printable(svg), "wide": wide}


def _objective_pages(document: Plan, columns, cutoff, include_unvalidated) -> list[dict]:
    """Per objective: its CMI column, and each indicator with its chart."""
    indicators = {
        i.pk: i
        for p in document.perspective_set.all()
        for o in p.objectives.all()
        for i in o.indicators.all()
    }
    targets, values = _history(document, cutoff, include_unvalidated)
    result = []
    for column in columns:
        items = []
        for row in column.indicators:
            indicator = indicators[row.pk]
            indicator.plan = document  # known already: no query per indicator
            items.append(_chart_item(row, indicator, targets[row.pk], values[row.pk]))
        result.append({"column": column, "indicators": items})
    return result


def _strategy_map(document: Plan, card):
    bands = cmi.map_bands(card, _anchor)
    links = cmi._links(document)
    title = _("Mapa estratégico del plan %(plan)s al corte %(period)s") % {
        "plan": document.code,
        "period": card.cutoff.code,
    }
    description = cmi._map_description(bands, links, card.cutoff)
    return strategy_map.render_svg(bands, links, title=title, description=description)


def scorecard_context(plan: Plan, cutoff, *, include_unvalidated: bool = False) -> dict:
    """Everything the report shows, read in a fixed number of queries.

    The plan document (9), its figures read once and evaluated at the cut-off and at each
    year of the trend (5), the cause-effect links (1), targets and values for the charts (2).
    """
    period = Period.parse(cutoff)
    document = plan_selectors.plan_document(plan.code)
    cards = trend.scorecards(document, period, include_unvalidated=include_unvalidated)
    card = cards[-1]
    trend_svg, trend_rows = trend.chart(document, cards)
    columns = cmi.matrix_columns(document, card, _anchor)
    return {
        "plan": document,
        "institution": document.institution,
        "card": card,
        "cutoff": period,
        "unvalidated": include_unvalidated,
        "issued": timezone.localdate(),
        "trend_svg": printable(trend_svg),
        "trend": trend_rows,
        "columns": columns,
        "perspectives": [p for p in card.perspectives if p.objectives],
        "policies": list(document.institutionalpolicy_set.all()),
        "map_svg": _strategy_map(document, card),
        "objectives": _objective_pages(document, columns, period, include_unvalidated),
    }


def scorecard_report_html(plan: Plan, cutoff, *, include_unvalidated: bool = False) -> str:
    """The report's HTML, as WeasyPrint receives it (the tests read it too)."""
    context = scorecard_context(plan, cutoff, include_unvalidated=include_unvalidated)
    return render_to_string(REPORT_TEMPLATE, context)


def scorecard_pdf(plan: Plan, cutoff, *, include_unvalidated: bool = False) -> bytes:
    """The scorecard report of ``plan`` at ``cutoff`` (a Period or a code such as "2019-T2").

    Cover, plan score with its trend, the CMI matrix, the strategy map, then one section
    per objective. Only validated values count unless ``include_unvalidated`` (the caller
    asks the access helper); the cover says which.
    """
    return html_to_pdf(scorecard_report_html(plan, cutoff, include_unvalidated=include_unvalidated))


# --- Ficha metodológica --------------------------------------------------------------------


def ficha_context(indicator: Indicator) -> dict:
    """The ficha's fields with their Spanish labels, its settings, targets, values and chart.

    Validated values only: the ficha is a document for anyone who reads the plan.
    """
    indicator = _with_ficha_relations(indicator)
    targets = list(Target.objects.filter(indicator=indicator).order_by("period"))
    values = list(
        Measurement.objects.filter(
            indicator=indicator, gadp__isnull=True, status=Measurement.Status.VALIDATED
        ).order_by("period")
    )
    periods = pages._period_rows(indicator, targets, values)
    return {
        "plan": indicator.plan,
        "institution": indicator.plan.institution,
        "indicator": indicator,
        "issued": timezone.localdate(),
        "ficha": pages._fields(indicator, lambda f: f.name not in pages.CALCULATION_FIELDS),
        "settings": pages._fields(indicator, lambda f: f.name in pages.CALCULATION_FIELDS),
        "baseline": plain(indicator.baseline),
        "final_target": plain(indicator.final_target),
        "periods": periods,
        "chart": printable(indicator_chart(indicator, periods)),
    }


def _with_ficha_relations(indicator: Indicator) -> Indicator:
    """The indicator with what its ficha names (plan, institution, objective, result, unit)."""
    return Indicator.objects.select_related(
        "plan__institution", "objective__perspective", "result", "responsible_unit"
    ).get(pk=indicator.pk)


def ficha_html(indicator: Indicator) -> str:
    """The ficha's HTML, as WeasyPrint receives it."""
    return render_to_string(FICHA_TEMPLATE, ficha_context(indicator))


def ficha_pdf(indicator: Indicator) -> bytes:
    """The ficha metodológica of ``indicator`` as a PDF (validated values only)."""
    return html_to_pdf(ficha_html(indicator))
