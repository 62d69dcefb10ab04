"""A training request in Chromium: a focal point asks from the agency page (desktop and phone), a
manager accepts it and makes its draft session in the back office.

The focal point reads the portal and the emails in Spanish (their preferred language)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import TrainingRequest
from sessions.models import TrainingSession
from tests.browser.helpers import emails_to, sign_in, verified_officer, verified_user
from tests.factories import AgencyFactory, CountryFactory, FocalPointFactory, ManagerFactory, TopicFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def focal_point():
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    coordinator = verified_officer(
        "rocio@policia.gob.mx", first_name="Rocío", last_name="Villanueva", agency=agency, preferred_language="es"
    )
    TopicFactory(slug="tracing", name="Tracing illicit funds")
    TopicFactory(slug="crypto", name="Cryptocurrency fundamentals")
    return FocalPointFactory(officer=coordinator)


def _request_form(page, *, start_in_days: int) -> None:
    start = timezone.localdate() + timedelta(days=start_in_days)
    page.get_by_label("Tracing illicit funds").check()
    page.select_option("#id_format", "in_person")
    page.select_option("#id_language", "es")
    page.fill("#id_period_start", start.isoformat())
    page.fill("#id_period_end", (start + timedelta(days=30)).isoformat())
    page.fill("#id_expected_officers", "24")
    page.fill("#id_venue_offered", "Academia PFM")
    page.get_by_role("button", name="Enviar la solicitud").click()


def test_focal_point_requests_a_training_and_manager_creates_its_session(page, screenshot, focal_point, roles):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "rocio@policia.gob.mx", next_url="/agency/")
    page.get_by_role("link", name="Solicitar una formación").click()
    page.wait_for_url("**/agency/requests/new/")

    _request_form(page, start_in_days=-3)  # in the past: refused, nothing saved
    assert page.inner_text("#field-period_start .error-text") == "El período preferido no puede comenzar en el pasado."
    assert TrainingRequest.objects.count() == 0
    screenshot(page, "training_request_error")

    _request_form(page, start_in_days=40)
    page.wait_for_url("**/agency/#requests")
    assert page.inner_text(".alert-success") == (
        "Su solicitud de formación ha sido enviada. Le hemos enviado una confirmación por correo."
    )
    cells = page.locator("#training-requests tbody tr").first.locator("td").all_inner_texts()
    assert [cells[1], cells[3], cells[4].strip()] == ["Tracing illicit funds", "24", "Presentada"]
    screenshot(page, "training_request_listed")
    request = TrainingRequest.objects.get()

    page.context.clear_cookies()
    manager = verified_user(ManagerFactory(email="lead@trainingops.example"))
    sign_in(page, manager.email, next_url="/admin/agencies/trainingrequest/")
    page.check(f"input[name=_selected_action][value='{request.pk}']")
    page.select_option("select[name=action]", "accept_selected")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist .success")
    assert page.inner_text(".messagelist .success") == "1 request accepted."

    page.check(f"input[name=_selected_action][value='{request.pk}']")
    page.select_option("select[name=action]", "create_session_selected")
    page.click("button[name=index]")
    page.wait_for_url("**/admin/training/trainingsession/*/change/")
    assert page.inner_text(".messagelist .success") == (
        "Draft session created from the request; complete its dates and trainers, then publish it."
    )
    screenshot(page, "training_request_session_created")

    request.refresh_from_db()
    session = request.session
    assert (request.state, session.status, session.capacity, session.host_agency) == (
        TrainingRequest.State.SCHEDULED,
        TrainingSession.Status.DRAFT,
        24,
        focal_point.agency,
    )
    # In the focal point's language (Spanish): received, accepted, scheduled.
    assert [message.subject for message in emails_to("rocio@policia.gob.mx")] == [
        "Hemos recibido su solicitud de formación",
        "Su solicitud de formación ha sido aceptada",
        "Se ha programado una sesión para su solicitud de formación",
    ]


def test_focal_point_requests_a_training_on_a_phone(page, screenshot, focal_point):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "rocio@policia.gob.mx", next_url="/agency/requests/new/")
    _request_form(page, start_in_days=20)
    page.wait_for_url("**/agency/#requests")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => !e.closest('.table-wrap'))"
        ".filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)"
    )
    assert wide == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert TrainingRequest.objects.get().expected_officers == 24
    screenshot(page, "training_request_phone")
