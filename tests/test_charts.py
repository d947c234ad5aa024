"""Server-drawn SVG charts: well-formed, accessible, escaped, deterministic, CSP-friendly."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal as D

import pytest
from django.utils import translation

from scorecard import charts
from scorecard.arithmetic import Bands

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "comillas"'


@pytest.fixture(autouse=True)
def spanish():
    with translation.override("es"):
        yield


def _parse(markup: str) -> ET.Element:
    root = ET.fromstring(markup)
    assert root.tag == f"{SVG}svg"
    return root


def _all(root, tag):
    return root.findall(f".//{SVG}{tag}")


def _bars(*rows):
    return [
        charts.Bar(label, value, target, target_max, provisional)
        for label, value, target, target_max, provisional in rows
    ]


SAMPLES = {
    "line": lambda title: charts.line_chart(
        [("2017", None), ("2018", D("74.785")), ("2019", D("88.1"))], title=title, bands=Bands()
    ),
    "sparkline": lambda title: charts.sparkline(
        [D(50), None, D("120.5")], title=title, labels=["2017", "2018", "2019"]
    ),
    "bars": lambda title: charts.targets_vs_values(
        _bars(
            ("2018", D(72), D(80), None, False),
            ("2019", None, D(80), None, False),
            ("2020", D(90), D(85), None, True),
        ),
        title=title,
        unit="%",
    ),
}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_chart_is_well_formed_svg_with_a_title_and_an_accessible_name(kind):
    root = _parse(SAMPLES[kind]("Cumplimiento del plan"))
    assert root.get("role") == "img"
    assert root.get("aria-label").startswith("Cumplimiento del plan")
    assert root.find(f"{SVG}title").text.startswith("Cumplimiento del plan")
    assert root.find(f"{SVG}desc").text


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_chart_escapes_hostile_text(kind):
    markup = SAMPLES[kind](HOSTILE)
    assert "<script" not in markup
    root = _parse(markup)
    assert root.find(f"{SVG}title").text.startswith(HOSTILE)
    assert root.get("aria-label").startswith(HOSTILE)


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_no_chart_carries_scripts_or_inline_styles(kind):
    markup = SAMPLES[kind]("x")
    assert "<style" not in markup
    assert "style=" not in markup
    assert "<script" not in markup
    assert "javascript:" not in markup


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_charts_are_deterministic_and_coordinates_have_one_decimal_at_most(kind):
    assert SAMPLES[kind]("x") == SAMPLES[kind]("x")
    for value in re.findall(
        r' (?:x|y|x1|x2|y1|y2|cx|cy|width|height)="([^"]+)"', SAMPLES[kind]("x")
    ):
        assert re.fullmatch(r"-?\d+(\.\d)?", value), value


def test_a_line_chart_labels_its_points_rounded_half_up_with_a_decimal_comma():
    root = _parse(SAMPLES["line"]("x"))
    values = [t.text for t in _all(root, "text") if t.get("class") == "chart-value"]
    assert values == ["74,79", "88,10"]


def test_a_missing_value_breaks_the_line_instead_of_dropping_to_zero():
    markup = charts.line_chart(
        [("2017", D(60)), ("2018", None), ("2019", D(70)), ("2020", D(80))], title="x"
    )
    paths = [p for p in _all(_parse(markup), "path") if p.get("class") == "chart-line-path"]
    assert [p.get("d").count("L") for p in paths] == [0, 1]
    assert "2018: sin dato" in _parse(markup).find(f"{SVG}desc").text


def test_a_line_chart_shades_the_plan_bands_and_writes_their_thresholds():
    root = _parse(charts.line_chart([("2018", D(50))], title="x", bands=Bands(D(90), D(60))))
    zones = {r.get("class") for r in _all(root, "rect")}
    assert {"chart-band chart-band-verde", "chart-band chart-band-rojo"} <= zones
    texts = [t.text for t in _all(root, "text")]
    assert "90 %" in texts
    assert "60 %" in texts


def test_a_chart_without_any_value_says_so():
    markup = charts.line_chart([("2017", None)], title="x")
    assert "Sin datos para graficar" in markup
    _parse(markup)
    assert "Sin datos para graficar" in charts.targets_vs_values([], title="x")


def test_a_sparkline_names_every_point_in_its_accessible_name():
    root = _parse(SAMPLES["sparkline"]("13.2"))
    assert root.get("aria-label") == "13.2. 2017: 50,00 %; 2018: sin dato; 2019: 120,50 %"


def test_targets_vs_values_draws_one_bar_per_value_and_one_mark_per_target():
    root = _parse(SAMPLES["bars"]("x"))
    bars = [r for r in _all(root, "rect") if (r.get("class") or "").startswith("chart-bar")]
    marks = [line for line in _all(root, "line") if line.get("class") == "chart-target"]
    assert len(bars) == 2
    assert len(marks) == 3
    labels = [t.text for t in _all(root, "text") if t.get("class") == "chart-value"]
    assert labels == ["72,00", "90,00 *"]


def test_an_unvalidated_value_is_drawn_hollow_and_explained_in_the_legend():
    root = _parse(SAMPLES["bars"]("x"))
    hollow = [r for r in _all(root, "rect") if r.get("class") == "chart-bar chart-bar-provisional"]
    assert len(hollow) == 1
    assert hollow[0].get("fill") == "#ffffff"
    assert "Sin validar (*)" in [t.text for t in _all(root, "text")]


def test_a_range_target_is_drawn_as_a_band():
    markup = charts.targets_vs_values(_bars(("2019", D(12), D(10), D(15), False)), title="x")
    root = _parse(markup)
    assert [r for r in _all(root, "rect") if r.get("class") == "chart-target-band"]
    assert "Banda de la meta" in [t.text for t in _all(root, "text")]


def test_many_periods_leave_out_value_labels_and_thin_the_axis():
    many = _bars(*[(f"2019-{m:02d}", D(m), D(6), None, False) for m in range(1, 13)] * 3)
    root = _parse(charts.targets_vs_values(many, title="x"))
    texts = _all(root, "text")
    assert not [t for t in texts if t.get("class") == "chart-value"]
    assert len([t for t in texts if (t.text or "").startswith("2019-")]) <= charts.MAX_AXIS_LABELS


def test_negative_values_get_an_axis_below_zero():
    root = _parse(charts.targets_vs_values(_bars(("2019", D(-5), D(10), None, False)), title="x"))
    assert "-5" in [t.text for t in _all(root, "text")]
