"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Every test in this folder is marked ``browser`` and runs against ``live_server`` with a
transactional database, so that the rows a test creates (the official plan, the personas)
are committed and visible to the server thread. The database is restored from its
serialized state before each test (``django_db_serialized_rollback``): the flush that ends
a transactional test would otherwise wipe the role groups that a data migration creates.
"""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

BROWSER_DIR = Path(__file__).resolve().parent
SCREENSHOTS_DIR = BROWSER_DIR.parents[1] / "screenshots"

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium's background connections are refused on this
# closed network (PITFALLS 16).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

AXE_TAGS = ["wcag2a", "wcag2aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Chromium announces its own locale (en-US) in Accept-Language; the users are in
    # Ecuador, and the app's default language is Spanish.
    return {
        **browser_context_args,
        "locale": "es-EC",
        "viewport": {"width": 1280, "height": 800},
    }


_restore = {}


@pytest.fixture(scope="session", autouse=True)
def _serialized_db_on_playwright_connection(django_db_setup, django_db_blocker, playwright):
    """Give the connection the tests really use the serialized database to restore.

    Playwright's sync API leaves an asyncio loop marked as running in the main thread, and
    from then on Django's thread-critical ``connections`` live in a context variable instead
    of a thread-local: the tests get a new connection object, without the
    ``_test_serialized_contents`` that ``django_db_setup`` stored on the old one, and
    ``serialized_rollback`` silently restores nothing. Serialize again, on the new one.
    """
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if not hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    _restore["blocker"] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a browser test's flush, put back what the migrations created (the role groups).

    Django runs transactional tests last so that their flush harms no one, but pytest
    regroups tests by the session-scoped ``browser_name`` parameter (any test with an
    argument named ``page`` gets it), and ordinary ``db`` tests may run after these.
    """
    try:
        return (yield)
    finally:
        blocker = _restore.get("blocker")
        if nextitem is not None and blocker is not None:
            from django.db import connections

            with blocker.unblock():
                for connection in connections.all():
                    contents = getattr(connection, "_test_serialized_contents", None)
                    if contents:
                        connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _live_server_db(django_db_serialized_rollback, transactional_db, live_server):
    """Requested before any data fixture, so that ``db`` (and with it ``official_plan``
    and the personas) is transactional and shared with the live server."""


# --- helpers ---------------------------------------------------------------------------


def url(live_server, path: str) -> str:
    return live_server.url.rstrip("/") + path


def login(page: Page, live_server, username: str, password: str, *, next_path: str = "") -> None:
    """Log in through the real login form, as a person would."""
    page.goto(url(live_server, "/ingresar/" + (f"?next={next_path}" if next_path else "")))
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page).not_to_have_url(re.compile(r"/ingresar/"))


def save_screenshot(page: Page, test_name: str, step: str) -> Path:
    """Full-page screenshot in ``screenshots/<test-name>-<step>.png``."""
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", f"{test_name}-{step}")
    path = SCREENSHOTS_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(request, page):
    """``screenshot("step")`` saves the current page under this test's name."""
    return lambda step: save_screenshot(page, request.node.originalname, step)


def accessibility_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.0 A/AA violations whose impact is serious or critical."""
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": AXE_TAGS},
            "resultTypes": ["violations"],
        },
    )
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node['html'][:200]}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail listing every serious or critical WCAG 2.0 A/AA violation axe-core finds."""
    violations = accessibility_violations(page)
    if violations:
        pytest.fail(
            f"{len(violations)} serious/critical accessibility violation(s) on {page.url}:\n"
            + format_violations(violations),
            pytrace=False,
        )


# --- several people, and the keyboard ------------------------------------------------------


@pytest.fixture
def open_page(browser, browser_context_args):
    """``open_page()`` gives a page in a browser context of its own: another person's
    browser, with its own session cookie, beside the ``page`` fixture's."""
    contexts = []

    def _open() -> Page:
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def login_with_keyboard(
    page: Page, live_server, username: str, password: str, *, next_path: str = ""
) -> None:
    """Log in with the keyboard alone: the form focuses the name field itself."""
    page.goto(url(live_server, "/ingresar/" + (f"?next={next_path}" if next_path else "")))
    expect(page.get_by_label("Nombre de usuario")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Contraseña")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/ingresar/"))


def is_focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target, *, limit: int = 40, key: str = "Tab") -> int:
    """Press Tab (or ``key``, e.g. "Shift+Tab") until ``target`` has the focus, as a keyboard
    user moves through a page; how many presses it took. Fails when it never gets there."""
    for presses in range(limit + 1):
        if is_focused(target):
            return presses
        if presses < limit:
            page.keyboard.press(key)
    expect(target).to_be_focused()
    return limit
