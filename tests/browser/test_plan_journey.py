"""A person reads the official plan in a real browser: login, plan page, language."""

import re

from playwright.sync_api import Page, expect

from planning.models import StrategicObjective
from tests.browser.conftest import assert_accessible, login, url
from tests.conftest import PASSWORD, PLAN_CODE

PLAN_PATH = f"/planes/{PLAN_CODE}/"
LOGIN_PATH = "/ingresar/"


def objective_heading(page: Page, objective: StrategicObjective):
    return page.get_by_role("heading", level=4, name=f"{objective.code} {objective.name}")


def test_a_director_logs_in_with_the_keyboard_and_reads_the_official_plan(
    page: Page, live_server, official_plan, director, screenshot
):
    # A bookmark to the plan: it needs an account, so first the login page, in Spanish.
    page.goto(url(live_server, PLAN_PATH))
    expect(page).to_have_url(url(live_server, f"{LOGIN_PATH}?next={PLAN_PATH}"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1, name="Ingresar al sistema")).to_be_visible()
    username = page.get_by_label("Nombre de usuario")
    password = page.get_by_label("Contraseña")
    expect(username).to_be_visible()
    expect(password).to_be_visible()
    screenshot("login")
    assert_accessible(page)

    # Keyboard only: type the name, Tab to the password, type it, Enter submits.
    expect(username).to_be_focused()  # Django autofocuses the first field
    page.keyboard.type(director.username)
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # Back to the page that was asked for.
    expect(page).to_have_url(url(live_server, PLAN_PATH))
    expect(page.get_by_role("heading", level=1, name=official_plan.name)).to_be_visible()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()

    # The mission, the four objectives, and each objective's chain.
    expect(page.get_by_role("heading", name="Misión")).to_be_visible()
    expect(page.get_by_text(official_plan.mission, exact=True)).to_be_visible()
    objectives = list(
        StrategicObjective.objects.filter(perspective__plan=official_plan).order_by("code")
    )
    assert [o.code for o in objectives] == ["OE1", "OE2", "OE3", "OE4"]
    for objective in objectives:
        expect(objective_heading(page, objective)).to_be_visible()
    expect(page.locator("article.objective-card")).to_have_count(4)

    oe1 = objectives[0]
    strategy = oe1.strategy_set.order_by("order").first()
    result = oe1.expectedresult_set.order_by("order").first()
    indicator = oe1.indicators.order_by("order").first()
    card = page.get_by_role("article", name=f"{oe1.code} {oe1.name}")
    for code, text in (
        (strategy.code, strategy.text),
        (result.code, result.text),
        (indicator.code, indicator.name),
    ):
        item = card.get_by_role("listitem").filter(has_text=re.compile(rf"^\s*{re.escape(code)}\s"))
        expect(item).to_be_visible()
        expect(item).to_contain_text(text)

    screenshot("plan")
    assert_accessible(page)


def test_an_anonymous_visit_to_the_plan_ends_on_the_login_page(
    page: Page, live_server, official_plan, screenshot
):
    page.goto(url(live_server, PLAN_PATH))

    expect(page).to_have_url(url(live_server, f"{LOGIN_PATH}?next={PLAN_PATH}"))
    expect(page.get_by_role("heading", level=1, name="Ingresar al sistema")).to_be_visible()
    expect(page.get_by_text(official_plan.mission)).to_have_count(0)
    expect(page.get_by_role("button", name="Salir")).to_have_count(0)
    screenshot("login")


def test_choosing_english_in_the_language_selector_shows_the_login_page_in_english(
    page: Page, live_server, screenshot
):
    page.goto(url(live_server, LOGIN_PATH))
    expect(page.locator("html")).to_have_attribute("lang", "es")

    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH)))
    # Django's own catalogue names the form's fields.
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.get_by_label("Nombre de usuario")).to_have_count(0)
    screenshot("login-en")
    assert_accessible(page)


def test_choosing_english_in_the_language_selector_shows_the_plan_page_in_english(
    page: Page, live_server, official_plan, reporter, screenshot
):
    login(page, live_server, reporter.username, PASSWORD, next_path=PLAN_PATH)
    expect(page).to_have_url(url(live_server, PLAN_PATH))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    nav = page.get_by_role("navigation", name="Navegación principal")
    expect(nav.get_by_role("link", name="Planes", exact=True)).to_be_visible()

    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()

    # Back on the same page, now in English (the project's catalogue, locale/en).
    expect(page).to_have_url(url(live_server, PLAN_PATH))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Language")).to_have_value("en")
    nav = page.get_by_role("navigation", name=re.compile("main", re.IGNORECASE))
    expect(nav.get_by_role("link", name="Plans", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Planes", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", name="Misión", exact=True)).to_have_count(0)
    # The plan's own texts are data: they stay as the source document wrote them.
    expect(page.get_by_text(official_plan.mission, exact=True)).to_be_visible()
    screenshot("plan-en")
    assert_accessible(page)


def test_the_plans_spanish_texts_stay_marked_as_spanish_when_the_interface_is_in_english(
    page: Page, live_server, official_plan, reporter
):
    """WCAG 2.0 SC 3.1.2 Language of Parts (AA), which axe-core cannot check.

    The plan's texts are data, written in Spanish; on a page whose <html lang> is "en" a
    screen reader reads them with English pronunciation unless an element around them says
    lang="es".
    """
    login(page, live_server, reporter.username, PASSWORD, next_path=PLAN_PATH)
    expect(page).to_have_url(url(live_server, PLAN_PATH))
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    oe1 = StrategicObjective.objects.get(perspective__plan=official_plan, code="OE1")
    spanish = page.locator("[lang|='es']")
    for label, text in (
        ("plan name", official_plan.name),
        ("mission", official_plan.mission),
        ("vision", official_plan.vision),
        ("objective OE1", oe1.name),
        ("strategy", oe1.strategy_set.order_by("order").first().text),
    ):
        expect(
            spanish.get_by_text(text).first,
            f"the {label} is Spanish text on an English page but no element around it "
            'has lang="es" (WCAG 3.1.2)',
        ).to_be_visible()
