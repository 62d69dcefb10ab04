"""A focal point in Chromium nominates two officers of their agency for a session with a quota."""

import pytest

from sessions.models import Nomination, Registration, TrainingSession
from tests.browser.helpers import emails_to, sign_in, verified_officer
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    FocalPointFactory,
    OfficerFactory,
    SessionQuotaFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agency():
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    FocalPointFactory(
        officer=verified_officer("rocio@policia.gob.mx", first_name="Rocío", last_name="Villanueva", agency=agency)
    )
    for first, last in (("Marta", "Vidal"), ("Luis", "Ortega")):
        OfficerFactory(
            agency=agency, user=UserFactory(email=f"{first.lower()}@policia.gob.mx", first_name=first, last_name=last)
        )
    return agency


@pytest.mark.parametrize("width", [1280, 390])
def test_focal_point_nominates_two_officers_within_the_quota(page, screenshot, agency, width):
    session = TrainingSessionFactory(
        title="Financial investigations workshop",
        registration_mode=TrainingSession.RegistrationMode.NOMINATION,
        capacity=12,
    )
    SessionQuotaFactory(session=session, agency=agency, seats=3)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "rocio@policia.gob.mx")
    page.goto("/agency/")

    row = page.locator("#agency-nomination-sessions tbody tr")
    cells = row.locator("td").all_inner_texts()
    assert [cells[0], cells[2], cells[3]] == ["Financial investigations workshop", "3 reserved seats", "0"]
    row.get_by_role("link", name="Nominate").click()
    page.wait_for_url(f"**/sessions/{session.pk}/nominate/")
    assert "Your agency's quota: 3 seats, 0 used." in page.inner_text("#nomination-seats")
    page.get_by_label("Marta Vidal <marta@policia.gob.mx>").check()
    page.get_by_label("Luis Ortega <luis@policia.gob.mx>").check()
    screenshot(page, f"nominate-{width}")
    page.get_by_role("button", name="Nominate").click()
    page.wait_for_url("**/agency/")

    assert "2 nomination(s) recorded for “Financial investigations workshop”." in page.inner_text("body")
    assert page.locator("#agency-nomination-sessions tbody tr td").nth(3).inner_text() == "2"
    assert sorted(Nomination.objects.filter(session=session).values_list("officer__user__email", "status")) == [
        ("luis@policia.gob.mx", "confirmed"),
        ("marta@policia.gob.mx", "confirmed"),
    ]
    assert Registration.objects.filter(session=session, status="confirmed").count() == 2
    assert len(emails_to("marta@policia.gob.mx")) == 1
