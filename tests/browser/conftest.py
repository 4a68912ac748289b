"""Browser tests drive real pages in Debian's Chromium through Playwright
(never a downloaded browser). Skipped, with the reason, where Chromium or the
Playwright package is missing."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ONETEAM_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _load(labels: set[str] | None):
    import io

    from django.db import transaction

    from oneteam.core.demo import DemoContext, demo_modules
    from oneteam.org import geo

    geo.invalidate()
    ctx = DemoContext(stdout=io.StringIO(), verbosity=0)
    for config, module in demo_modules():
        if labels is None or config.label in labels:
            with transaction.atomic():
                module.load(ctx)
    return ctx


@pytest.fixture
def demo(transactional_db):
    """The real Rui'an demo (organisation part), loaded as `oneteam demo` does."""
    return _load({"org"})


@pytest.fixture
def command_demo(transactional_db):
    """Organisation, catalogs and command demo: enough for the closed loop."""
    return _load({"org", "catalog", "command"})


def login(page, live_server, username: str, password: str = "oneteam2026") -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
