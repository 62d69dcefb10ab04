"""One walk of a focal point in Chromium, on a desktop and on a phone: they request a training, a
manager makes and publishes its session (with the agency's quota), the focal point finds an officer
by searching (without the accent) and nominates her, and the agency page shows the request scheduled
and the seat taken. Each page is checked with axe-core and for sideways scrolling."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies import services as agency_services
from agencies.models import TrainingRequest
from sessions import services as session_services
from sessions.models import Nomination, Registration, TrainingSession
from tests.browser.accessibility import assert_fits_width, assert_no_serious_violations
from tests.browser.helpers import emails_to, sign_in, verified_officer
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    FocalPointFactory,
    ManagerFactory,
    OfficerFactory,
    SessionTrainerFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agency():
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    FocalPointFactory(
        officer=verified_officer("rocio@policia.gob.mx", first_name="Rocío", last_name="Villanueva", agency=agency)
    )
    for n in range(30):  # more than the nomination form lists at once
        OfficerFactory(agency=agency, user=UserFactory(email=f"officer{n}@policia.gob.mx", last_name=f"Ortega {n}"))
    OfficerFactory(agency=agency, user=UserFactory(email="marta@policia.gob.mx", first_name="Marta", last_name="Núñez"))
    TopicFactory(slug="tracing", name="Tracing illicit funds")
    return agency


def _checked(page) -> None:
    assert_no_serious_violations(page)
    assert_fits_width(page)


def _schedule_and_publish(request: TrainingRequest) -> TrainingSession:
    """The manager's part, done in the back office elsewhere (tests/browser/test_training_requests.py)."""
    manager = ManagerFactory()
    agency_services.accept_training_request(request=request, by=manager)
    session = agency_services.create_session_from_request(request=request, by=manager, capacity=30)
    starts_at = timezone.now() + timedelta(days=45)
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=6), meeting_url="https://meet.example/pfm"
    )
    SessionTrainerFactory(session=session)
    session.refresh_from_db()
    return session_services.publish_session(session=session, by=manager)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_focal_point_requests_a_training_nominates_an_officer_and_follows_it_on_the_agency_page(
    page, screenshot, agency, roles, viewport
):
    page.set_viewport_size(viewport)
    sign_in(page, "rocio@policia.gob.mx", next_url="/agency/")
    _checked(page)
    page.get_by_role("link", name="Request a training").click()
    page.wait_for_url("**/agency/requests/new/")
    _checked(page)
    start = timezone.localdate() + timedelta(days=40)
    page.get_by_label("Tracing illicit funds").check()
    page.select_option("#id_format", "virtual")
    page.select_option("#id_language", "es")
    page.fill("#id_period_start", start.isoformat())
    page.fill("#id_period_end", (start + timedelta(days=30)).isoformat())
    page.fill("#id_expected_officers", "12")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/agency/#requests")
    request = TrainingRequest.objects.get()

    session = _schedule_and_publish(request)

    page.goto("/agency/")
    row = page.locator("#agency-nomination-sessions tbody tr")
    assert row.locator("td").nth(2).inner_text() == "12 reserved seats"
    row.get_by_role("link", name="Nominate").click()
    page.wait_for_url(f"**/sessions/{session.pk}/nominate/")
    assert page.locator("input[name=officers]").count() == 20
    assert "Only the first 20 matches are listed" in page.inner_text("#officer-search-status")
    page.fill("#id_q", "nunez")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/nominate/?q=nunez")
    _checked(page)
    page.get_by_label("Marta Núñez <marta@policia.gob.mx>").check()
    screenshot(page, f"focal_point_walk_nominate_{viewport['width']}")
    page.get_by_role("button", name="Nominate").click()
    page.wait_for_url("**/agency/")

    assert f"1 nomination(s) recorded for “{session.title}”." in page.inner_text("body")
    assert page.locator("#agency-nomination-sessions tbody tr td").nth(3).inner_text() == "1"
    request_cells = page.locator("#training-requests tbody tr").first.locator("td").all_inner_texts()
    assert request_cells[4].strip() == "Scheduled"
    _checked(page)
    screenshot(page, f"focal_point_walk_agency_{viewport['width']}")
    assert list(Nomination.objects.values_list("officer__user__email", "status")) == [
        ("marta@policia.gob.mx", "confirmed")
    ]
    assert Registration.objects.get(session=session).officer.user.email == "marta@policia.gob.mx"
    assert [message.subject for message in emails_to("rocio@policia.gob.mx")] == [
        "We received your training request",
        "Your training request was accepted",
        "A session was scheduled for your training request",
    ]
