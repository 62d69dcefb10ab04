"""The API's documentation pages in Chromium: Swagger UI, Redoc and the browsable API, all served locally."""

import pytest

from tests.browser.conftest import OTHER_HOST
from tests.browser.helpers import sign_in, verified_user
from tests.factories import ManagerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(browser, live_server):
    """A page on the server under a real-looking host name, and every URL the browser asked for."""
    base_url = f"http://{OTHER_HOST}:{live_server.url.rsplit(':', 1)[1]}"
    context = browser.new_context(base_url=base_url, locale="en-US", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    requested: list[str] = []

    def forget_if_blocked(request):
        # A request that the page's Content-Security-Policy stopped in the browser never went out.
        if request.failure == "csp":
            requested.remove(request.url)

    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", forget_if_blocked)
    yield page, base_url, requested
    context.close()


@pytest.fixture
def manager(roles):
    return verified_user(ManagerFactory(email="lead@trainingops.example"))


def outside(requested: list[str], base_url: str) -> list[str]:
    return [url for url in requested if not url.startswith((base_url + "/", "data:", "blob:"))]


def test_swagger_ui_lists_operations_and_runs_one_without_leaving_the_server(site, screenshot, manager):
    page, base_url, requested = site
    TrainingSessionFactory(title="Tracing illicit funds")
    sign_in(page, manager.email)

    page.goto("/api/docs/")
    page.wait_for_selector(".opblock")
    paths = set(page.locator(".opblock-summary-path").evaluate_all("nodes => nodes.map(n => n.dataset.path)"))
    assert {"/api/v1/sessions/", "/api/v1/sessions/{id}/attendance/", "/api/v1/reports/yearly"} <= paths

    operation = page.locator("#operations-sessions-v1_sessions_list")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status")
    status.wait_for()
    assert status.inner_text() == "200"
    assert (
        "Tracing illicit funds"
        in operation.locator(".live-responses-table tbody .response-col_description").inner_text()
    )
    screenshot(page, "api_docs_swagger")

    assert outside(requested, base_url) == []


def test_redoc_renders_without_leaving_the_server(site, screenshot, manager):
    page, base_url, requested = site
    sign_in(page, manager.email)

    page.goto("/api/redoc/")
    page.wait_for_selector("h1:has-text('TrainingOps API')")
    assert page.get_by_text("Scheduling, registration and attendance data of the training program.").is_visible()
    screenshot(page, "api_docs_redoc")

    assert outside(requested, base_url) == []


def test_browsable_api_shows_the_session_list(site, screenshot, manager):
    page, base_url, requested = site
    TrainingSessionFactory(title="Tracing illicit funds")
    sign_in(page, manager.email)

    page.goto("/api/v1/sessions/")
    assert page.inner_text(".content-main h1") == "Session List"
    body = page.inner_text(".response-info")
    assert "HTTP 200 OK" in body
    assert '"title": "Tracing illicit funds"' in body
    screenshot(page, "api_browsable_sessions")

    assert outside(requested, base_url) == []
