"""A director reads the scorecard in a real browser: tablero, CMI, strategy map, indicator.

The official plan carries the demo's settings, targets and values (``scorecard.demo``) and
three cause-effect links, so every page has figures, colours and arrows to show. Every page
is read at the 2019 cut-off, where all of the plan's indicators are due.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from planning.models import ObjectiveLink, StrategicObjective
from scorecard.demo import seed_demo
from tests.browser.conftest import assert_accessible, login, url
from tests.conftest import PASSWORD, PLAN_CODE

CUTOFF = "2019"
HOME_PATH = "/"
CMI_PATH = f"/planes/{PLAN_CODE}/cmi/"
MAP_PATH = f"/planes/{PLAN_CODE}/mapa/"
OBJECTIVES = ["OE1", "OE2", "OE3", "OE4"]
INDICATORS = ["11.1", "11.2", "12.1", "12.2", "12.3", "13.1", "13.2", "13.3", "14.1"]
LINKS = [("OE4", "OE3"), ("OE3", "OE1"), ("OE4", "OE2")]
# The semáforo's words (scorecard_tags.STATUS_LABELS): a status is never colour alone.
STATUS_WORDS = ("Verde", "Amarillo", "Rojo", "Sin dato")
STATUS_WORD = re.compile("|".join(STATUS_WORDS))


@pytest.fixture
def demo_plan(official_plan):
    """The official plan with the demo's figures and three arrows for the strategy map."""
    seed_demo(password=PASSWORD)
    objectives = {
        o.code: o for o in StrategicObjective.objects.filter(perspective__plan=official_plan)
    }
    ObjectiveLink.objects.bulk_create(
        ObjectiveLink(cause=objectives[cause], effect=objectives[effect]) for cause, effect in LINKS
    )
    return official_plan


def at_cutoff(path: str) -> str:
    return f"{path}?period={CUTOFF}"


def objective_path(code: str) -> str:
    return f"/planes/{PLAN_CODE}/objetivos/{code}/"


def indicator_path(code: str) -> str:
    return f"/planes/{PLAN_CODE}/indicadores/{code}/"


def press_tab_until_focused(page: Page, target, limit: int = 30) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user moves through a form."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_a_director_chooses_the_2019_cutoff_with_the_keyboard_and_reads_the_plan_score(
    page: Page, live_server, demo_plan, director, screenshot
):
    login(page, live_server, director.username, PASSWORD)
    expect(page).to_have_url(url(live_server, HOME_PATH))
    # The default cut-off is the last year with validated values: 2020 in the demo.
    expect(page.get_by_role("heading", level=1)).to_have_text("Tablero de control al corte 2020")

    # Keyboard only: focus the period select, type the year, Tab to «Aplicar», Enter.
    period = page.get_by_label("Periodo de corte")
    period.focus()
    expect(period).to_be_focused()
    page.keyboard.type(CUTOFF)  # type-ahead picks the first option: "2019 · año completo"
    expect(period).to_have_value(CUTOFF)
    apply = page.get_by_role("button", name="Aplicar")
    press_tab_until_focused(page, apply)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"[?&]period={CUTOFF}(&|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Tablero de control al corte {CUTOFF}"
    )
    expect(page.get_by_label("Periodo de corte")).to_have_value(CUTOFF)

    # The plan's score: a figure in percent, its semáforo word, and the coverage.
    score = page.locator(".score-card")
    expect(score.locator(".score-figure")).to_have_text(re.compile(r"^\d+(,\d+)? %$"))
    expect(score.locator(".semaforo")).to_contain_text(STATUS_WORD)
    expect(score).to_contain_text(re.compile(r"\d+ de 9 indicadores con dato"))

    # Every indicator has a semáforo with its word; the demo's values give several colours.
    table = page.locator("#tabla-indicadores")
    expect(table.locator("tbody tr")).to_have_count(len(INDICATORS))
    words = table.locator("tbody tr .semaforo").all_inner_texts()
    assert len(words) == len(INDICATORS)
    assert all(STATUS_WORD.search(w) for w in words), words
    shown = {w for w in STATUS_WORDS if any(w in text for text in words)}
    assert len(shown) >= 2, f"the demo should show several colours at {CUTOFF}, got {shown}"

    screenshot("tablero-2019")
    assert_accessible(page)


def test_the_cmi_at_2019_shows_every_objective_column_and_indicator_code(
    page: Page, live_server, demo_plan, director, screenshot
):
    login(page, live_server, director.username, PASSWORD, next_path=at_cutoff(CMI_PATH))
    expect(page).to_have_url(url(live_server, at_cutoff(CMI_PATH)))
    expect(page.get_by_role("heading", level=1, name="Cuadro de Mando Integral")).to_be_visible()

    table = page.locator("table.cmi-tabla")
    expect(table.locator("caption")).to_contain_text(f"al corte {CUTOFF}")
    for code in OBJECTIVES:
        expect(table.get_by_role("columnheader", name=code, exact=True)).to_be_visible()
        # Each objective's name links to its page, at the same cut-off.
        link = table.get_by_role("link", name=re.compile(rf"^{code}\s"))
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", f"{objective_path(code)}?period={CUTOFF}")
    for code in INDICATORS:
        expect(
            table.locator(".code-badge").filter(has_text=re.compile(rf"^{re.escape(code)}$"))
        ).to_be_visible()
    expect(page.locator(".cmi-resumen .semaforo")).to_contain_text(STATUS_WORD)

    screenshot("cmi-2019")
    assert_accessible(page)


def test_the_strategy_map_at_2019_draws_four_objectives_and_their_arrows(
    page: Page, live_server, demo_plan, director, screenshot
):
    login(page, live_server, director.username, PASSWORD, next_path=at_cutoff(MAP_PATH))
    expect(page).to_have_url(url(live_server, at_cutoff(MAP_PATH)))
    expect(page.get_by_role("heading", level=1, name="Mapa estratégico")).to_be_visible()

    svg = page.locator("svg.mapa-svg")
    expect(svg).to_be_visible()
    title = f"Mapa estratégico del plan {PLAN_CODE} al corte {CUTOFF}"
    expect(svg).to_have_accessible_name(re.compile(rf"^{re.escape(title)}\b"))
    nodes = svg.locator("g.mapa-nodo")
    expect(nodes).to_have_count(len(OBJECTIVES))
    assert sorted(n.get_attribute("data-code") for n in nodes.all()) == OBJECTIVES
    for node in nodes.all():
        expect(node.locator(".mapa-estado")).to_contain_text(STATUS_WORD)
    arrows = svg.locator("path.mapa-flecha")
    expect(arrows).to_have_count(len(LINKS))
    # Each arrow names its two ends (a <title>, read as a tooltip).
    titles = [a.locator("title").text_content() for a in arrows.all()]
    ends = {re.match(r"^(OE\d) .* contribuye a (OE\d) ", t).groups() for t in titles}
    assert ends == set(LINKS), titles
    # The same arrows in the text alternative under the map.
    alternative = page.locator("section.mapa-texto")
    for cause in sorted({c for c, _ in LINKS}):
        # The objective's own link names it in bold; its effects' links follow.
        item = alternative.get_by_role("listitem").filter(
            has=page.locator("strong", has_text=re.compile(rf"^{cause}$"))
        )
        expect(item).to_contain_text("Contribuye a:")
        for effect in (e for c, e in LINKS if c == cause):
            expect(item.get_by_role("link", name=re.compile(rf"^{effect} "))).to_be_visible()

    screenshot("mapa-2019")
    assert_accessible(page)


def test_a_keyboard_user_opens_an_objective_from_its_box_on_the_strategy_map(
    page: Page, live_server, demo_plan, director
):
    login(page, live_server, director.username, PASSWORD, next_path=at_cutoff(MAP_PATH))
    expect(page).to_have_url(url(live_server, at_cutoff(MAP_PATH)))

    # Tab through the page to the OE3 box's link, then Enter: its page, at the same cut-off.
    svg = page.locator("svg.mapa-svg")
    link = svg.locator("a").filter(has=page.locator("g[data-code='OE3']"))
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", f"{objective_path('OE3')}?period={CUTOFF}")
    press_tab_until_focused(page, link, limit=60)
    page.keyboard.press("Enter")
    expect(page).to_have_url(url(live_server, f"{objective_path('OE3')}?period={CUTOFF}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("OE3")


def test_the_indicator_page_of_the_ratio_13_2_shows_its_ficha_and_chart(
    page: Page, live_server, demo_plan, director, screenshot
):
    path = at_cutoff(indicator_path("13.2"))
    login(page, live_server, director.username, PASSWORD, next_path=path)
    expect(page).to_have_url(url(live_server, path))
    expect(page.get_by_role("heading", level=1)).to_contain_text("13.2")

    # The situation at the cut-off, with its semáforo.
    situation = page.locator("section[aria-labelledby='situacion']")
    expect(situation.get_by_role("heading", name=f"Situación al corte {CUTOFF}")).to_be_visible()
    expect(situation.locator(".semaforo")).to_contain_text(STATUS_WORD)

    # The chart (targets against values) and the table with numerators and denominators.
    chart = page.locator("figure.chart-figure svg.chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("role", "img")
    expect(page.get_by_text("Razón = numerador / denominador × factor.")).to_be_visible()
    periods = page.locator("table.period-table")
    expect(periods.get_by_role("columnheader", name="Numerador / denominador")).to_be_visible()
    expect(periods.get_by_role("cell", name=re.compile(r"^\d+ \/ \d+$")).first).to_be_visible()

    # The ficha metodológica and the calculation settings the demo gave it.
    ficha = page.locator("section[aria-labelledby='ficha']")
    expect(ficha.get_by_role("heading", name="Ficha metodológica")).to_be_visible()
    expect(ficha.locator("dt").first).to_be_visible()
    expect(ficha).to_contain_text("DATOS DE DEMOSTRACIÓN")
    expect(page.get_by_role("heading", name="Configuración del cálculo")).to_be_visible()

    screenshot("indicador-13.2-2019")
    assert_accessible(page)


# Everything a Tab can stop on, in document order, each marked with its position.
MARK_FOCUSABLE = """() => {
  const selector = 'a[href], area[href], button, input, select, textarea, summary, '
    + 'iframe, [tabindex], [contenteditable=""], [contenteditable="true"]';
  const all = [...document.querySelectorAll(selector)].filter(el =>
    !el.disabled
    && !(el.tagName === 'INPUT' && el.type === 'hidden')
    && el.getAttribute('tabindex') !== '-1'
    && !el.closest('[inert]')
    && el.checkVisibility({visibilityProperty: true})
  );
  all.forEach((el, i) => el.setAttribute('data-tab-id', String(i)));
  return all.map(el => el.getAttribute('data-tab-id'));
}"""

ACTIVE_ID = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return el.getAttribute('data-tab-id') ?? ('untracked ' + el.outerHTML.slice(0, 120));
}"""


def test_the_skip_link_comes_first_and_tab_reaches_every_control_of_the_tablero(
    page: Page, live_server, demo_plan, director, screenshot
):
    login(page, live_server, director.username, PASSWORD, next_path=at_cutoff(HOME_PATH))
    expect(page).to_have_url(url(live_server, at_cutoff(HOME_PATH)))

    # The first Tab lands on the skip link, which shows itself; Enter moves to the content.
    skip = page.get_by_role("link", name="Saltar al contenido")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    box = skip.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10, f"skip link drawn at {box}"
    screenshot("salto-enfocado")
    page.keyboard.press("Enter")
    expect(page.locator("main#contenido")).to_be_focused()
    # The next Tab goes on from the content, not back to the navigation bar.
    page.keyboard.press("Tab")
    first_in_main = page.evaluate(
        "() => document.querySelector('main').contains(document.activeElement)"
    )
    assert first_in_main, "after the skip link, Tab should move on inside <main>"
    screenshot("foco-en-el-contenido")

    # Every focusable element is reached by Tab, once each, in document order.
    page.reload()
    expected = page.evaluate(MARK_FOCUSABLE)
    assert len(expected) > 40, f"the tablero should have many controls, found {len(expected)}"
    reached = []
    for _ in range(len(expected) + 5):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE_ID)
        if active is None or (reached and active == reached[0]):
            break  # out of the document, or wrapped around
        reached.append(active)
    untracked = [r for r in reached if r.startswith("untracked")]
    assert not untracked, "Tab stopped on elements that are not controls:\n" + "\n".join(untracked)
    missing = sorted(set(expected) - set(reached), key=int)
    assert not missing, f"{len(missing)} control(s) never reached by Tab: ids {missing}"
    assert reached == expected, "Tab order differs from the document order"


def test_printing_the_cmi_hides_the_navigation_bar_and_keeps_the_matrix(
    page: Page, live_server, demo_plan, director, screenshot
):
    login(page, live_server, director.username, PASSWORD, next_path=at_cutoff(CMI_PATH))
    expect(page).to_have_url(url(live_server, at_cutoff(CMI_PATH)))
    navbar = page.get_by_role("navigation", name="Navegación principal")
    expect(navbar).to_be_visible()

    page.emulate_media(media="print")

    expect(navbar).to_be_hidden()
    expect(page.get_by_role("link", name="Saltar al contenido")).to_be_hidden()
    expect(page.locator("form.filter-form")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Vistas del plan")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.get_by_role("heading", level=1, name="Cuadro de Mando Integral")).to_be_visible()
    table = page.locator("table.cmi-tabla")
    expect(table).to_be_visible()
    for code in OBJECTIVES:
        expect(table.get_by_role("columnheader", name=code, exact=True)).to_be_visible()
    screenshot("cmi-2019-impresion")
