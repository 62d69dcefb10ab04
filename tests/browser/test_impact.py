import io
import json

import pytest
from allauth.account.models import EmailAddress
from pypdf import PdfReader

from reports.models import PublishedImpactSummary
from sessions.models import Survey, SurveyResponse
from tests.browser.accessibility import DESKTOP, PHONE, assert_fits_width, assert_no_serious_violations
from tests.factories import AgencyFactory, CountryFactory, ManagerFactory, OfficerFactory, SurveyResponseFactory
from tests.reports.conftest import attend, held_session, local

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def program(roles, countries):
    """2024: four sessions, 12 officers trained in Mexico and Singapore (a small country); two quotes."""
    manager = ManagerFactory(email="lead@trainingops.example")
    EmailAddress.objects.update_or_create(
        user=manager, email=manager.email, defaults={"verified": True, "primary": True}
    )
    policia = AgencyFactory(country=CountryFactory(code="MX"))
    singapore = AgencyFactory(country=CountryFactory(code="SG"))
    for month in (1, 3, 6, 9):
        session = held_session(local(2024, month, 12, 9))
        attend(session, OfficerFactory(agency=policia))
        registration = attend(session, OfficerFactory(agency=policia)).registration
        attend(session, OfficerFactory(agency=singapore))
        SurveyResponseFactory(
            survey=Survey.objects.get_or_create(session=session)[0],
            registration=registration,
            submitted_at=local(2024, month, 13),
            overall_rating=5,
            recommend_score=10,
            comments=f"Month {month}: we traced a wallet the week after.",
            quote_consent=month in (1, 3),
        )
    return manager


def open_summary(page, manager) -> None:
    page.goto("/admin/login/?next=/reports/impact/%3Fyear%3D2024")
    page.fill("input[name=login]", manager.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("h1:has-text('Training impact 2024')")


def test_manager_opens_impact_summary_on_desktop_and_phone(page, screenshot, program):
    page.set_viewport_size(DESKTOP)
    open_summary(page, program)

    assert page.inner_text("[data-metric=officers_trained] .figure-value") == "12"
    assert page.inner_text("[data-metric=hours_delivered] .figure-value") == "36"
    assert page.locator("#countries-table tbody tr").count() == 2
    assert page.locator(".impact-quote").count() == 2
    page.wait_for_function("document.querySelector('#impact-map').complete")
    assert page.evaluate("document.querySelector('#impact-map').naturalWidth") == 2754  # the map loaded
    assert_no_serious_violations(page)
    screenshot(page, "impact-2024")

    page.set_viewport_size(PHONE)
    page.reload()
    assert_fits_width(page)
    assert_no_serious_violations(page)
    screenshot(page, "impact-2024-phone")


def test_impact_downloads_each_format(page, downloads, program):
    open_summary(page, program)

    def download(kind: str) -> tuple[str, bytes]:
        return downloads(page, page.locator(f"[data-kind='{kind}']").click)

    name, content = download("summary.pdf-a4")
    assert name == "impact-2024-a4.pdf"
    assert "Training impact 2024" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    name, content = download("summary.pdf-letter")
    assert name == "impact-2024-letter.pdf"
    assert round(float(PdfReader(io.BytesIO(content)).pages[0].mediabox.width)) == 612
    for kind in ("map.png", "card.png"):
        name, content = download(kind)
        assert (name, content[:4]) == (f"impact-2024-{kind}", b"\x89PNG")
    name, content = download("map.svg")
    assert name == "impact-2024-map.svg"
    assert 'data-country="SG"' in content.decode()
    name, content = download("card.svg")
    assert name == "impact-2024-card.svg"
    assert ">12</text>" in content.decode()


def test_manager_publishes_then_withdraws_the_public_page(page, browser, live_server, program):
    open_summary(page, program)
    page.get_by_role("button", name="Publish a public page").click()
    public_url = page.locator("#public-link").get_attribute("href")

    visitor = browser.new_context(base_url=live_server.url)
    public = visitor.new_page()
    public.goto(public_url)
    assert public.inner_text("h1") == "Training impact 2024"
    assert public.locator("#publish").count() == 0
    assert_no_serious_violations(public)
    assert json.loads(public.request.get(f"{public_url}summary.json").text())["headline"]["officers_trained"] == 12

    page.get_by_role("button", name="Withdraw the public page").click()
    page.wait_for_selector("#publish")
    # The page was cacheable for a minute: a visitor who never saw it gets the 404 at once.
    assert visitor.request.get(public_url).status == 404
    assert PublishedImpactSummary.objects.get().withdrawn_by == program
    visitor.close()
    assert SurveyResponse.objects.filter(quote_consent=True).count() == 2
