"""The strategy map: server-drawn SVG of perspectives, objectives and cause-effect arrows."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.models import ObjectiveLink, Plan, StrategicObjective
from scorecard import cache
from scorecard import strategy_map as sm
from scorecard.demo import seed_demo
from scorecard.models import Measurement
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import make_objective
from tests.test_cmi import _grow
from tests.test_scorecard_json import _load_example

SVG = "{http://www.w3.org/2000/svg}"
ROLES = ["admin", "planificacion", "direccion", "responsable", "otro_responsable"]

# The director's map at an explicit cut-off: session, user, the user's groups (role), the
# plan, the plan's indicators (who may see unvalidated values), the scorecard's five
# (indicators, measurements, objectives, perspectives, targets), the cause-effect links,
# the data's freshness token (the cache is emptied before each count).
QUERIES = 12


def _url(code=PLAN_CODE):
    return reverse("strategy-map", args=[code])


def _svg(response) -> ET.Element:
    html = response.content.decode()
    return ET.fromstring(html[html.index("<svg") : html.index("</svg>") + len("</svg>")])


def _nodes(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if "mapa-nodo" in g.get("class", "").split()]


def _arrows(svg: ET.Element) -> list[ET.Element]:
    return [p for p in svg.iter(f"{SVG}path") if p.get("class") == "mapa-flecha"]


def _link(plan, cause, effect, description=""):
    objectives = StrategicObjective.objects.filter(plan=plan)
    return ObjectiveLink.objects.create(
        cause=objectives.get(code=cause),
        effect=objectives.get(code=effect),
        description=description,
    )


@pytest.fixture
def linked(official_plan):
    """The official plan with demo data and three arrows (demo only: not in the fixture)."""
    seed_demo(password=PASSWORD)
    _link(official_plan, "OE4", "OE3")
    _link(official_plan, "OE3", "OE1", "la incidencia abre espacios de diálogo")
    _link(official_plan, "OE4", "OE2")
    return official_plan


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_strategy_map_of_the_demo_plan(client, personas, linked, role):
    client.force_login(personas[role])
    response = client.get(_url())
    assert response.status_code == 200
    assert len(_nodes(_svg(response))) == 4


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, official_plan):
    response = client.get(_url())
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_account_without_a_role_sees_no_map(client, official_plan):
    nobody = get_user_model().objects.create_user("sin_rol", password=PASSWORD)
    client.force_login(nobody)
    assert client.get(_url()).status_code == 404


def test_an_unknown_plan_is_not_found(client, director):
    client.force_login(director)
    assert client.get(_url("NO-EXISTE")).status_code == 404


def test_the_map_is_a_labelled_group_whose_links_name_each_objective(client, director, linked):
    client.force_login(director)
    svg = _svg(client.get(_url()))
    # A group, not an image: an image may not contain links (axe nested-interactive).
    assert svg.get("role") == "group"
    labels = [a.get("aria-label") for a in svg.iter(f"{SVG}a")]
    assert len(labels) == 4
    assert all(label.startswith(f"OE{n} ") for n, label in enumerate(labels, start=1))
    assert svg.find(f"{SVG}title").text.startswith("Mapa estratégico del plan")
    assert "3 relaciones causa-efecto" in svg.find(f"{SVG}desc").text


def test_the_map_has_one_node_per_objective_and_one_arrow_per_link(client, director, linked):
    client.force_login(director)
    svg = _svg(client.get(_url()))
    assert [g.get("data-code") for g in _nodes(svg)] == ["OE1", "OE2", "OE3", "OE4"]
    arrows = _arrows(svg)
    assert len(arrows) == ObjectiveLink.objects.count() == 3
    assert all(a.get("marker-end") == "url(#mapa-punta)" for a in arrows)
    assert svg.find(f".//{SVG}marker").get("id") == "mapa-punta"


def test_each_node_says_its_status_in_words_and_links_to_its_objective(client, director, linked):
    client.force_login(director)
    response = client.get(_url(), {"period": "2018"})
    objectives = {o.code: o for o in response.context["card"].objectives}
    labels = {"verde": "Verde", "amarillo": "Amarillo", "rojo": "Rojo", "gris": "Sin dato"}
    for node in _nodes(_svg(response)):
        code = node.get("data-code")
        text = " ".join("".join(t.itertext()) for t in node.iter(f"{SVG}text"))
        assert labels[objectives[code].node.status] in text
        assert "%" in text  # the achievement, not only the colour
    anchors = [a.get("href") for a in _svg(response).iter(f"{SVG}a")]
    # Each objective's page, at the same cut-off.
    assert anchors == [f"/planes/{PLAN_CODE}/objetivos/OE{n}/?period=2018" for n in range(1, 5)]


def test_the_worked_example_colours_oe4_red_in_the_map(client, director, official_plan):
    _load_example(official_plan)
    client.force_login(director)
    svg = _svg(client.get(_url(), {"period": "2018"}))
    oe4 = next(n for n in _nodes(svg) if n.get("data-code") == "OE4")
    assert "mapa-nodo-rojo" in oe4.get("class")
    assert "Rojo · 50,00 %" in " ".join(oe4.itertext())
    assert oe4.find(f"{SVG}rect").get("fill") == sm.COLOURS["rojo"][0]


def test_a_node_fed_by_unvalidated_values_says_provisional(client, director, official_plan):
    _load_example(official_plan)
    indicator = official_plan.indicator_set.get(code="12.1")
    Measurement.objects.create(
        indicator=indicator, period="2018-T4", value=15, status=Measurement.Status.REPORTED
    )
    client.force_login(director)
    plain = _svg(client.get(_url(), {"period": "2018"}))
    asked = _svg(client.get(_url(), {"period": "2018", "unvalidated": "1"}))

    def oe2(svg):
        return " ".join(next(n for n in _nodes(svg) if n.get("data-code") == "OE2").itertext())

    assert "provisional" not in oe2(plain)
    assert "OE2 · provisional" in oe2(asked)


def test_a_hostile_objective_name_is_escaped(client, director, official_plan):
    StrategicObjective.objects.filter(plan=official_plan, code="OE2").update(
        name="<script>alert(1)</script>", short_name=""
    )
    client.force_login(director)
    response = client.get(_url())
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    oe2 = next(n for n in _nodes(_svg(response)) if n.get("data-code") == "OE2")
    assert "<script>alert(1)</script>" in "".join(oe2.itertext())


def test_long_names_wrap_over_several_lines(client, director, official_plan):
    client.force_login(director)
    svg = _svg(client.get(_url()))
    for node in _nodes(svg):
        name = next(t for t in node.iter(f"{SVG}text") if t.get("class") == "mapa-nombre")
        assert len(name.findall(f"{SVG}tspan")) >= 2


def test_the_text_alternative_lists_each_objective_and_what_it_contributes_to(
    client, director, linked
):
    client.force_login(director)
    html = client.get(_url()).content.decode()
    alternative = html[html.index('id="mapa-texto"') :]
    for code in ("OE1", "OE2", "OE3", "OE4"):
        assert f"<strong>{code}</strong>" in alternative
    item = alternative[alternative.index("<strong>OE4</strong>") :]
    item = item[: item.index("</li>")]
    assert "Contribuye a" in item
    assert f'href="/planes/{PLAN_CODE}/objetivos/OE3/?period=' in item
    assert f'href="/planes/{PLAN_CODE}/objetivos/OE2/?period=' in item


def test_the_map_has_no_inline_script_or_style(client, director, linked):
    client.force_login(director)
    html = client.get(_url()).content.decode()
    assert "<style" not in html
    assert "style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


def test_the_map_is_drawn_the_same_every_time(client, director, linked):
    client.force_login(director)
    first = ET.tostring(_svg(client.get(_url(), {"period": "2019"})))
    assert ET.tostring(_svg(client.get(_url(), {"period": "2019"}))) == first


def test_links_to_another_plans_objectives_are_not_drawn(client, director, official_plan):
    stranger = make_objective()
    ObjectiveLink.objects.create(
        cause=StrategicObjective.objects.get(plan=official_plan, code="OE1"), effect=stranger
    )
    client.force_login(director)
    assert _arrows(_svg(client.get(_url()))) == []


def test_the_map_reads_a_fixed_number_of_queries(client, director, linked):
    client.force_login(director)

    def count(params):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(), params).status_code == 200
        return len(ctx.captured_queries)

    assert count({"period": "2018"}) == QUERIES
    assert count({}) == QUERIES + 1  # the latest year with a validated value
    _grow(Plan.objects.get(code=PLAN_CODE))
    assert ObjectiveLink.objects.count() == 5
    assert count({"period": "2018"}) == QUERIES
    assert count({}) == QUERIES + 1


# The drawing itself, without the database -------------------------------------------------


def _node(code, status="verde", label=None):
    return sm.Node(
        code=code,
        label=label or f"Objetivo {code}",
        title=f"Objetivo {code}",
        status=status,
        achievement=Decimal("87.5") if status in ("verde", "amarillo", "rojo") else None,
        with_data=1,
        total=1 if status != "no_aplica" else 0,
        provisional=False,
        href=f"/o/{code}/",
    )


def _band(code, *nodes):
    return sm.Band(
        code=code, name=f"Perspectiva {code}", status="verde", achievement=None, nodes=tuple(nodes)
    )


def _parse(bands, links):
    return ET.fromstring(str(sm.render_svg(bands, links, title="t", description="d")))


def test_arrows_between_any_two_objectives_parse_and_end_at_their_boxes():
    bands = [
        _band("A", _node("A1"), _node("A2"), _node("A3")),
        _band("B", _node("B1", "gris")),
        _band("C", *[_node(f"C{n}", "rojo") for n in range(1, 7)]),
    ]
    links = [
        sm.Link("A1", "A2"),  # neighbours in one row: straight
        sm.Link("A1", "A3"),  # same row, not neighbours: curve below the row
        sm.Link("B1", "A2"),  # adjacent bands: curve in the gap
        sm.Link("C1", "A1"),  # skips a band: through the gaps and a side strip
        sm.Link("C5", "C1"),  # second row of a band to its first row
    ]
    svg = _parse(bands, links)
    arrows = _arrows(svg)
    assert len(arrows) == 5
    assert arrows[0].get("d").count("L") == 1
    assert " L" in arrows[3].get("d") and arrows[3].get("d").count("L") == 5
    lay = sm.layout(bands)
    end = arrows[2].get("d").split()[-1].split(",")
    assert float(end[1]) == lay.boxes["A2"].y + lay.boxes["A2"].h  # enters A2 from below


def test_a_perspective_without_objectives_is_still_a_labelled_band():
    svg = _parse([_band("A"), _band("B", _node("B1", "no_aplica"))], [])
    texts = " ".join(svg.itertext())
    assert "Sin objetivos" in texts
    assert "No aplica" in texts
    assert len(_nodes(svg)) == 1


def test_a_very_long_name_is_cut_with_an_ellipsis_after_the_last_line():
    svg = _parse([_band("A", _node("A1", label="palabra " * 200))], [])
    tspans = [t.text for t in svg.iter(f"{SVG}tspan")]
    assert len(tspans) == sm.MAX_LINES
    assert tspans[-1].endswith("…")
