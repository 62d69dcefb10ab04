"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Without /usr/bin/chromium the tests are skipped with a clear message, except in CI
(CI_REQUIRE_BROWSER=1) where a missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
OTHER_HOST = "training.trainingops.test"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # A host name that is not "localhost": some front-end libraries only call home for other hosts.
    f"--host-resolver-rules=MAP {OTHER_HOST} 127.0.0.1",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


# Module scope: Playwright's event loop (and the async-safety switch below) end with each browser
# module, so later tests, and subprocesses they start, run with Django's normal checks.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI_REQUIRE_BROWSER"):
            pytest.fail("Debian's chromium is required in CI but /usr/bin/chromium is missing")
        pytest.skip("Browser tests need Debian's chromium: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself (arranging data, reading the outbox) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot of a finished flow under var/screenshots/."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _links_to_live_server(settings, live_server):
    """Links in emails, calendar files and certificates point at the server the browser talks to."""
    settings.SITE_URL = live_server.url


@pytest.fixture
def downloads():
    """Click something that downloads a file; return (suggested file name, bytes)."""

    def take(page, click) -> tuple[str, bytes]:
        with page.expect_download() as info:
            click()
        download = info.value
        return download.suggested_filename, Path(download.path()).read_bytes()

    return take


@pytest.fixture(autouse=True)
def _privacy_notice(django_db_blocker):
    """The first privacy notice, as the migration publishes it (a transactional test's flush empties it)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0004_first_privacy_notice")
    with django_db_blocker.unblock():
        migration.publish_first_notice(apps, None)
