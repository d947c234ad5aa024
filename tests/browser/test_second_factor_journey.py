"""A planner's first sign-in with the second factor on: enrol with the keyboard alone."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, login_with_keyboard, tab_to, url
from tests.conftest import PASSWORD, PLAN_CODE

PLAN_PATH = f"/planes/{PLAN_CODE}/"


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.SECOND_FACTOR_REQUIRED = True


def code_from(secret_text: str, *, offset: int = 0) -> str:
    """What an authenticator app shows for the key typed from the page (plus ``offset``)."""
    secret = secret_text.replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{(totp(key) + offset) % 1_000_000:06d}"


def test_a_planner_enrols_an_authenticator_with_the_keyboard(
    page: Page, live_server, official_plan, planner, screenshot
):
    login_with_keyboard(page, live_server, planner.username, PASSWORD, next_path=PLAN_PATH)

    # Straight to the enrolment, keeping the page that was asked for.
    expect(page).to_have_url(re.compile(r"/segundo-factor/activar/\?next=%2Fplanes%2F"))
    expect(
        page.get_by_role("heading", level=1, name="Active la verificación en dos pasos")
    ).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Código QR"))).to_be_visible()
    secret = page.locator("#clave-secreta").inner_text()
    code_field = page.get_by_label("Código de verificación")
    expect(code_field).to_be_focused()
    screenshot("enrol")
    assert_accessible(page)

    # A mistyped code: the error is announced with the field, which keeps the focus.
    page.keyboard.type(code_from(secret, offset=3))
    page.keyboard.press("Enter")
    error = page.locator("#id_code_error")
    expect(error).to_contain_text("El código no es correcto")
    expect(code_field).to_have_attribute("aria-describedby", re.compile("id_code_error"))
    expect(code_field).to_be_focused()
    screenshot("wrong-code")
    assert_accessible(page)

    # django-otp makes the next attempt wait a second after a wrong code.
    page.wait_for_timeout(1100)
    page.keyboard.type(code_from(secret))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Sus códigos de recuperación")).to_be_visible()
    expect(page.get_by_role("list", name="Códigos de recuperación").locator("li")).to_have_count(10)
    screenshot("recovery-codes")
    assert_accessible(page)
    onward = page.get_by_role("link", name="Ya los guardé, continuar")
    tab_to(page, onward)
    page.keyboard.press("Enter")

    expect(page).to_have_url(url(live_server, PLAN_PATH))
    expect(page.get_by_role("heading", level=1, name=official_plan.name)).to_be_visible()
