"""A focal point on a phone follows the reconfirmation email's link, signs in and confirms."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from agencies import services
from agencies.models import Agency, AgencyReconfirmation
from tests.browser.helpers import PASSWORD, emails_to, link_in, verified_officer
from tests.factories import AgencyEmailDomainFactory, AgencyFactory, CountryFactory, FocalPointFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def due_agency():
    """The Mexican police, whose yearly reconfirmation is due in 20 days, with its focal point."""
    due = timezone.localdate() + timedelta(days=20)
    agency = AgencyFactory(
        name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"), reconfirmation_due_on=due
    )
    AgencyEmailDomainFactory(agency=agency, domain="fgr.org.mx")
    coordinator = verified_officer("rocio@fgr.org.mx", first_name="Rocío", last_name="Villanueva", agency=agency)
    FocalPointFactory(officer=coordinator)
    return agency


def test_focal_point_follows_the_emails_link_and_confirms_on_a_phone(page, screenshot, due_agency):
    due = due_agency.reconfirmation_due_on
    services.sweep_reconfirmations()
    [message] = emails_to("rocio@fgr.org.mx")
    assert message.subject == f"Please confirm your agency's details by {date_format(due)}"
    link = link_in(message, "/agency/reconfirmation/")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_login", "rocio@fgr.org.mx")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/agency/reconfirmation/")

    assert page.inner_text("h1") == "Yearly reconfirmation"
    assert page.locator("#reconfirmation-domains li").all_inner_texts() == ["fgr.org.mx"]
    assert page.locator("#reconfirmation-focal-points li").all_inner_texts() == ["Rocío Villanueva (rocio@fgr.org.mx)"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "agency_reconfirmation_phone")

    page.get_by_role("button", name="These are right").click()
    page.wait_for_selector(".alert-success")

    assert page.inner_text(".alert-success") == "Thank you: your agency's details are confirmed for another year."
    assert page.locator("#confirm-reconfirmation").count() == 0
    assert Agency.objects.get(pk=due_agency.pk).reconfirmation_due_on == due.replace(year=due.year + 1)
    assert list(AgencyReconfirmation.objects.values_list("by__email", flat=True)) == ["rocio@fgr.org.mx"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "agency_reconfirmation_confirmed_phone")
