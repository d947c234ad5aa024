"""The navigation bar fits the screens people use, for the roles with the most items.

Administrators and planners see every item (Mis indicadores, Validación, Datos,
Administración) and their name with their role. At 1280 px the bar once ran "Salir" off the
right edge and squeezed the language selector until it showed no text; below the bar's
breakpoint the items live behind the "Mostrar menú" button and must fit once it is opened.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, login, tab_to, url
from tests.conftest import PASSWORD, PLAN_CODE

PLAN_PATH = f"/planes/{PLAN_CODE}/"
SIZES = [(1280, 800), (1024, 768), (1920, 1080)]
# The administrator gets a long, real-looking name; the planner keeps a username with no
# space to break at, as in the screenshot where "Salir" ran off the edge.
LONG_NAME = ("María Fernanda", "Villavicencio Sarmiento")

# Every item of the bar a person reads or operates, as drawn now (hidden ones left out).
NAV_ITEMS = """nav => [...nav.querySelectorAll(
    '.navbar-brand, .navbar-toggler, .nav-link, .navbar-text, select, button, .dropdown-item'
  )].filter(el => el.checkVisibility({visibilityProperty: true}))
   .map(el => {
     const r = el.getBoundingClientRect();
     return {
       text: (el.innerText || el.getAttribute('aria-label') || el.tagName).trim(),
       inMenu: !!el.closest('.dropdown-menu'),
       x: r.left, y: r.top, right: r.right, bottom: r.bottom,
       clipped: el.scrollWidth > el.clientWidth + 1,
     };
   })"""

# Whether the option shown in a <select> fits the room its box leaves beside the arrow.
SELECT_TEXT = """el => {
  const style = getComputedStyle(el);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const text = el.options[el.selectedIndex].text;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {text, needed: context.measureText(text).width, room};
}"""

FOCUS_RING = """el => {
  const style = getComputedStyle(el);
  return {outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
          color: style.outlineColor};
}"""


def _outside(item, width, height) -> bool:
    return item["x"] < 0 or item["y"] < 0 or item["right"] > width or item["bottom"] > height


def _overlap(a, b) -> bool:
    return (
        a["x"] < b["right"] - 1
        and b["x"] < a["right"] - 1
        and a["y"] < b["bottom"] - 1
        and b["y"] < a["bottom"] - 1
    )


def assert_items_fit(nav, width: int, height: int) -> list[dict]:
    items = nav.evaluate(NAV_ITEMS)
    outside = [i["text"] for i in items if _outside(i, width, height)]
    assert not outside, f"drawn outside the {width}×{height} window: {outside}"
    clipped = [i["text"] for i in items if i["clipped"]]
    assert not clipped, f"text cut off: {clipped}"
    bar = [i for i in items if not i["inMenu"]]
    overlapping = [
        (a["text"], b["text"]) for n, a in enumerate(bar) for b in bar[n + 1 :] if _overlap(a, b)
    ]
    assert not overlapping, f"items drawn over each other: {overlapping}"
    return items


def open_collapsed_menu(page: Page, nav) -> None:
    toggler = nav.get_by_role("button", name="Mostrar menú")
    if toggler.is_visible():
        toggler.click()
        expect(toggler).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#menu.collapse.show")).to_be_visible()  # the animation is over


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("role", ["admin", "planificacion"])
def test_every_navbar_item_is_inside_the_window_and_readable(
    page: Page, live_server, personas, role, size, screenshot
):
    width, height = size
    user = personas[role]
    if role == "admin":
        user.first_name, user.last_name = LONG_NAME
        user.save(update_fields=["first_name", "last_name"])
    shown_name = user.get_full_name() or user.username
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, user.username, PASSWORD, next_path=PLAN_PATH)
    expect(page).to_have_url(url(live_server, PLAN_PATH))

    nav = page.get_by_role("navigation", name="Navegación principal")
    open_collapsed_menu(page, nav)
    items = assert_items_fit(nav, width, height)
    texts = " ".join(i["text"] for i in items)
    labels = ("Tablero", "Mis indicadores", "Validación", "Planes", "Datos", "Administración")
    for label in (*labels, "Salir", shown_name):
        assert label in texts, f"{label!r} missing from the bar: {texts}"

    language = nav.get_by_label("Idioma")
    expect(language).to_be_visible()
    shown = language.evaluate(SELECT_TEXT)
    assert shown["text"] == "Español"
    assert shown["needed"] <= shown["room"], f"the language selector hides its text: {shown}"
    expect(nav.get_by_role("button", name="Cambiar")).to_be_visible()
    screenshot(f"{role}-{width}x{height}")
    assert_accessible(page)

    nav.get_by_role("button", name="Datos").click()
    expect(nav.get_by_role("link", name="Historial de importaciones")).to_be_visible()
    assert_items_fit(nav, width, height)
    screenshot(f"{role}-{width}x{height}-datos")
    assert_accessible(page)


@pytest.mark.parametrize("size", SIZES[:2], ids=lambda s: f"{s[0]}x{s[1]}")
def test_tab_reaches_every_navbar_control_and_shows_where_the_focus_is(
    page: Page, live_server, admin_user, size, screenshot
):
    """WCAG 2.0 SC 2.4.7 Focus Visible (AA), which axe-core cannot check."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, live_server, admin_user.username, PASSWORD, next_path=PLAN_PATH)
    nav = page.get_by_role("navigation", name="Navegación principal")
    toggler = nav.get_by_role("button", name="Mostrar menú")
    if toggler.is_visible():
        tab_to(page, toggler)
        page.keyboard.press("Enter")
        expect(page.locator("#menu.collapse.show")).to_be_visible()

    controls = [
        nav.get_by_role("link", name="Tablero"),
        nav.get_by_role("button", name="Datos"),
        nav.get_by_role("link", name="Administración"),
        nav.get_by_label("Idioma"),
        nav.get_by_role("button", name="Cambiar"),
        nav.get_by_role("button", name="Salir"),
    ]
    for control in controls:
        tab_to(page, control)
        ring = control.evaluate(FOCUS_RING)
        assert ring["outline"] != "none" and ring["width"] >= 2, f"no visible focus: {ring}"
    screenshot(f"foco-en-salir-{size[0]}x{size[1]}")


def test_the_bar_fits_in_english_too(page: Page, live_server, admin_user, screenshot):
    login(page, live_server, admin_user.username, PASSWORD, next_path=PLAN_PATH)
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    nav = page.get_by_role("navigation", name="Main navigation")
    texts = " ".join(i["text"] for i in assert_items_fit(nav, 1280, 800))
    assert "Administration" in texts and "Sign out" in texts, texts
    shown = nav.get_by_label("Language").evaluate(SELECT_TEXT)
    assert shown["text"] == "English" and shown["needed"] <= shown["room"], shown
    screenshot("admin-1280x800-en")
